"""A hand mutation run (issue 12 item 7): do the tests kill the mutants of the core modules?

    .venv/bin/python bench/mutants.py [--module outbox] [--id outbox-dead-writes-pending]
                                      [--jobs 2] [--list] [--check]

Each mutant in bench/mutants.toml names a module, an original snippet (found exactly once in
the module's file), the snippet that replaces it and the test files that should catch it.
The checkout is never touched: its files (git ls-files, plus uncommitted and untracked ones)
are copied to a temporary tree per worker, a mutant is applied there, the listed tests run
there (`python -m pytest -x -q`, cwd and PYTHONPATH the copy, no bytecode written so no stale
.pyc can hide a mutant), and the file is restored. The copy's `bot` must be the one imported:
a canary mutant that every run must kill is run first, and an unmutated baseline of every
module's tests must pass. Mutants marked `equivalent` (with a reason) run too but do not
count. Prints a table per module and the kill rate; nothing here asserts.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from queue import Queue

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
DATA = Path(__file__).resolve().parent / "mutants.toml"
MEMORY_LIMIT = 2 << 30  # a mutant that loops while allocating dies here, not the machine


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@dataclass(frozen=True)
class Mutant:
    id: str
    module: str
    file: str
    original: str
    mutated: str
    tests: tuple[str, ...]
    equivalent: str = ""


@dataclass
class Outcome:
    mutant: Mutant
    status: str  # killed | survived | timeout | error
    seconds: float
    detail: str = ""


@dataclass
class Plan:
    modules: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    mutants: list[Mutant] = field(default_factory=list)
    canary: Mutant | None = None
    timeout: float = 300.0


def load_plan(path: Path) -> Plan:
    """Read mutants.toml; an unknown module or a missing key stops with where and why."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    plan = Plan(timeout=float(data.get("settings", {}).get("timeout", 300)))
    for name, spec in data["modules"].items():
        plan.modules[name] = (spec["file"], tuple(spec["tests"]))

    def mutant(entry: dict[str, object], where: str) -> Mutant:
        module = str(entry["module"])
        if module not in plan.modules:
            raise SystemExit(f"{path}: {where}: unknown module {module!r}")
        file, tests = plan.modules[module]
        raw_tests = entry.get("tests")
        return Mutant(
            id=str(entry["id"]),
            module=module,
            file=str(entry.get("file", file)),
            original=str(entry["original"]),
            mutated=str(entry["mutated"]),
            tests=tuple(str(t) for t in raw_tests) if isinstance(raw_tests, list) else tests,
            equivalent=str(entry.get("equivalent", "")),
        )

    plan.canary = mutant(data["canary"], "canary")
    seen: set[str] = set()
    for n, entry in enumerate(data["mutant"]):
        m = mutant(entry, f"mutant[{n}]")
        if m.id in seen:
            raise SystemExit(f"{path}: mutant[{n}]: id {m.id!r} used twice")
        seen.add(m.id)
        plan.mutants.append(m)
    return plan


def stale(plan: Plan, root: Path = ROOT) -> list[str]:
    """What no longer applies in the checkout: a module's file or test that is gone, or a
    mutant whose original is not found exactly once (the code it mutated was rewritten)."""
    problems = [
        f"modules.{name}: {path} not found"
        for name, (file, tests) in plan.modules.items()
        for path in (file, *tests)
        if not (root / path).is_file()
    ]
    mutants = [plan.canary] if plan.canary is not None else []
    for m in [*mutants, *plan.mutants]:
        problems += [f"{m.id}: test {t} not found" for t in m.tests if not (root / t).is_file()]
        path = root / m.file
        if not path.is_file():
            problems.append(f"{m.id}: {m.file} not found")
            continue
        count = path.read_text(encoding="utf-8").count(m.original)
        if count != 1:
            problems.append(f"{m.id}: {m.file}: original found {count} times, not once")
    return problems


def checkout_files() -> list[str]:
    """Tracked files (as they are on disk, edits included) and untracked, unignored ones."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    return sorted({name for name in out.split("\0") if name and (ROOT / name).is_file()})


def copy_tree(dest: Path, files: list[str]) -> None:
    for name in files:
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)


def environment(tree: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("NEWSWATCH_CONFIG", None)
    return env


def check_import(tree: Path) -> None:
    """The copy's bot, not the editable install's, is what its tests import."""
    found = subprocess.run(
        [PYTHON, "-c", "import bot.match.tokens; print(bot.match.tokens.__file__)"],
        cwd=tree,
        env=environment(tree),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not Path(found).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"the copy at {tree} imports bot from {found}: mutants would not run")


def run_tests(tree: Path, tests: tuple[str, ...], timeout: float) -> tuple[str, str]:
    """('passed' | 'failed' | 'timeout', last lines of output)."""
    process = subprocess.Popen(
        [PYTHON, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
        cwd=tree,
        env=environment(tree),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=_limit_memory,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return "timeout", ""
    tail = "\n".join(output.strip().splitlines()[-3:])
    return ("passed" if process.returncode == 0 else "failed"), tail


def apply(tree: Path, mutant: Mutant) -> str:
    """Write the mutant into the copy; returns the original text for restore."""
    path = tree / mutant.file
    text = path.read_text(encoding="utf-8")
    count = text.count(mutant.original)
    if count != 1:
        raise ValueError(f"{mutant.file}: original snippet found {count} times, not once")
    path.write_text(text.replace(mutant.original, mutant.mutated), encoding="utf-8")
    return text


def run_mutant(tree: Path, mutant: Mutant, timeout: float) -> Outcome:
    start = time.monotonic()
    try:
        original = apply(tree, mutant)
    except (ValueError, FileNotFoundError) as exc:
        return Outcome(mutant, "error", 0.0, str(exc))
    try:
        result, tail = run_tests(tree, mutant.tests, timeout)
    finally:
        (tree / mutant.file).write_text(original, encoding="utf-8")
    status = {"passed": "survived", "failed": "killed", "timeout": "timeout"}[result]
    return Outcome(mutant, status, time.monotonic() - start, tail)


def report(outcomes: list[Outcome]) -> None:
    print()
    print("| module | mutants | equivalent | killed | survived | kill rate |")
    print("|---|---|---|---|---|---|")
    total_killed = total_counted = 0
    for module in dict.fromkeys(o.mutant.module for o in outcomes):
        mine = [o for o in outcomes if o.mutant.module == module]
        counted = [o for o in mine if not o.mutant.equivalent and o.status != "error"]
        killed = sum(o.status in ("killed", "timeout") for o in counted)
        equivalent = sum(bool(o.mutant.equivalent) for o in mine)
        total_killed += killed
        total_counted += len(counted)
        rate = f"{100 * killed / len(counted):.0f}%" if counted else "-"
        print(
            f"| {module} | {len(mine)} | {equivalent} | {killed}/{len(counted)} "
            f"| {len(counted) - killed} | {rate} |"
        )
    if total_counted:
        print(
            f"| all | | | {total_killed}/{total_counted} | | "
            f"{100 * total_killed / total_counted:.0f}% |"
        )
    survivors = [o for o in outcomes if o.status == "survived" and not o.mutant.equivalent]
    errors = [o for o in outcomes if o.status == "error"]
    unkilled_equivalents = [o for o in outcomes if o.mutant.equivalent and o.status != "killed"]
    if survivors:
        print("\nsurvived:")
        for o in survivors:
            print(f"  {o.mutant.id}  ({o.mutant.file})")
    if errors:
        print("\nnot applied:")
        for o in errors:
            print(f"  {o.mutant.id}: {o.detail}")
    if unkilled_equivalents:
        print("\nequivalent (not counted):")
        for o in unkilled_equivalents:
            print(f"  {o.mutant.id}: {o.mutant.equivalent}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", action="append", help="only these modules")
    parser.add_argument("--id", action="append", help="only these mutants")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument(
        "--check", action="store_true", help="check that every mutant still applies, and stop"
    )
    args = parser.parse_args()
    plan = load_plan(DATA)
    if args.check:
        problems = stale(plan)
        for problem in problems:
            print(problem)
        print(f"{len(plan.mutants)} mutants, {len(problems)} stale")
        return 1 if problems else 0
    mutants = [
        m
        for m in plan.mutants
        if (not args.module or m.module in args.module) and (not args.id or m.id in args.id)
    ]
    if args.list:
        for m in mutants:
            print(f"{m.module:8} {m.id}{'  (equivalent)' if m.equivalent else ''}")
        return 0
    assert plan.canary is not None
    files = checkout_files()
    with tempfile.TemporaryDirectory(prefix="nw-mutants-") as temp:
        trees: Queue[Path] = Queue()
        for n in range(max(1, args.jobs)):
            tree = Path(temp) / f"tree{n}"
            copy_tree(tree, files)
            check_import(tree)
            trees.put(tree)
        first = trees.get()
        canary = run_mutant(first, plan.canary, plan.timeout)
        if canary.status != "killed":
            raise SystemExit(
                f"the canary {plan.canary.id} was {canary.status}: the copy is not "
                "what the tests run"
            )
        print(f"canary {plan.canary.id}: killed")
        for module in dict.fromkeys(m.module for m in mutants):
            _, tests = plan.modules[module]
            wanted = sorted({t for m in mutants if m.module == module for t in m.tests})
            result, tail = run_tests(first, tuple(wanted or tests), plan.timeout)
            if result != "passed":
                raise SystemExit(f"baseline of {module} ({' '.join(wanted)}) {result}:\n{tail}")
        trees.put(first)
        print(f"baselines pass; running {len(mutants)} mutants, {args.jobs} at a time")

        def work(mutant: Mutant) -> Outcome:
            tree = trees.get()
            try:
                outcome = run_mutant(tree, mutant, plan.timeout)
            finally:
                trees.put(tree)
            print(f"  {outcome.status:8} {outcome.seconds:5.1f}s  {mutant.id}", flush=True)
            return outcome

        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            outcomes = list(pool.map(work, mutants))
    report(outcomes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
