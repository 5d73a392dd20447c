"""What a non-editable install gets: the built wheel holds every package, the bundled
watchlists, the demo's seeds and the licence, and the demo runs from it in another folder."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = out.glob("newswatch-*.whl")
    return built


def names_in(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_every_package_of_the_checkout_is_listed_for_the_wheel() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("bot", "adapters")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def test_the_wheel_ships_the_watchlists_seeds_and_licence(wheel: Path) -> None:
    names = names_in(wheel)
    assert "bot/watchlists/default.toml" in names
    seeds = {name for name in names if name.startswith("bot/seeds/")}
    expected = {
        f"bot/seeds/{path.relative_to(ROOT / 'seeds')}"
        for path in (ROOT / "seeds").rglob("*")
        if path.is_file() and path.suffix in (".xml", ".rdf")
    }
    assert expected and expected <= seeds
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    assert {"bot/ingest/fastparse.py", "bot/store/db.py", "adapters/slack.py"} <= names


def test_the_wheel_declares_its_licence_as_an_spdx_expression(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        text = archive.read(metadata).decode("utf-8")
    assert "License-Expression: MIT" in text


def test_the_demo_and_the_default_watchlist_run_from_the_installed_wheel(
    wheel: Path, tmp_path: Path
) -> None:
    installed = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(installed)
    elsewhere = tmp_path / "elsewhere"  # no seeds/ or watchlists/ beside it
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(installed)}  # ahead of the checkout's editable bot
    where = subprocess.run(
        [sys.executable, "-c", "import bot; print(bot.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert where.stdout.startswith(str(installed)), where.stdout
    demo = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stderr
    assert "Sora" in demo.stdout
    listed = subprocess.run(
        [sys.executable, "-m", "bot", "watch", "list"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr  # the built-in default: watchlist 'default'
    assert "SAG" in listed.stdout


def test_version_names_the_installed_distribution() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert (
        result.stdout.strip()
        == "newswatch " + tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    )
