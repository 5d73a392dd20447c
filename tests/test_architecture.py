"""The shape of the code is part of the build (issue 12): one-way imports, small modules,
short functions with few positional parameters. Every offender is named, not just the first."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PACKAGES = ("bot", "adapters")
MAX_MODULE_LINES = 330
MAX_FUNCTION_LINES = 50
MAX_POSITIONAL = 5

CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
    "contracts"
]


@pytest.mark.parametrize("contract", [contract["id"] for contract in CONTRACTS])
def test_the_import_contract_holds(contract: str) -> None:
    result = subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache", "--contract", contract],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_every_contract_has_an_id_for_its_own_report() -> None:
    assert all(contract.get("id") for contract in CONTRACTS)


def python_files() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def positional(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    names = [arg.arg for arg in (*node.args.posonlyargs, *node.args.args)]
    return names[1:] if names[:1] in (["self"], ["cls"]) else names


def shape_offences(path: Path, source: str) -> list[str]:
    """What in one module is over the limits: its length, long functions, long signatures."""
    where = path.relative_to(ROOT) if path.is_absolute() else path
    offences = []
    lines = len(source.splitlines())
    if lines > MAX_MODULE_LINES:
        offences.append(f"{where}: {lines} lines (limit {MAX_MODULE_LINES})")
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        length = (node.end_lineno or node.lineno) - node.lineno + 1
        if length > MAX_FUNCTION_LINES:
            offences.append(f"{where}:{node.lineno} {node.name}: {length} lines")
        count = len(positional(node))
        if count > MAX_POSITIONAL:
            offences.append(f"{where}:{node.lineno} {node.name}: {count} positional parameters")
    return offences


def tree_offences() -> list[str]:
    return [
        offence for path in python_files() for offence in shape_offences(path, path.read_text())
    ]


def long_function(body_lines: int) -> str:
    return "def f():\n" + "    x = 1\n" * body_lines


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (long_function(49), []),
        (long_function(50), ["m.py:1 f: 51 lines"]),
        ("def f(a, b, c, d, e): pass\n", []),
        ("def f(a, b, c, d, e, g): pass\n", ["m.py:1 f: 6 positional parameters"]),
        ("def f(a, b, c, d, e, /, g): pass\n", ["m.py:1 f: 6 positional parameters"]),
        ("def f(a, b, c, d, e, *, g, h): pass\n", []),
        ("class C:\n    def m(self, a, b, c, d, e): pass\n", []),
        (
            "class C:\n    async def m(cls, a, b, c, d, e, g): pass\n",
            ["m.py:2 m: 6 positional parameters"],
        ),
        ("x = 1\n" * 330, []),
        ("x = 1\n" * 331, ["m.py: 331 lines (limit 330)"]),
    ],
    ids=[
        "50-line-function",
        "51-line-function",
        "5-positional",
        "6-positional",
        "positional-only-count",
        "keyword-only-free",
        "self-not-counted",
        "cls-not-counted",
        "330-line-module",
        "331-line-module",
    ],
)
def test_shape_limits(source: str, expected: list[str]) -> None:
    assert shape_offences(Path("m.py"), source) == expected


def test_no_module_function_or_signature_is_over_the_limits() -> None:
    assert tree_offences() == []
