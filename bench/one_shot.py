"""How fast one-shot commands start and finish, as a coordinator runs them: each a fresh process.

    .venv/bin/python -m bench.one_shot [--demo DEMO_WORKSPACE] [--runs 5]

Without PREFECT_API_URL, on a fresh registry (`reform init` in a temporary REFORM_HOME) and an
empty Maildir, it times the median wall time over RUNS subprocesses of:

- `reform --help` (target 0.5 s);
- `reform status` on the demo's registry (target 1.5 s): a copy of DEMO_WORKSPACE/reform.db, made
  by `reform demo --workspace DEMO_WORKSPACE`; without --demo, on the fresh registry (a smaller one);
- `reform intake --once` on the empty mailbox (target 3 s), which runs the flow's steps in-process.

Beside them, measured in the same run for scale: `python -c pass` (the interpreter alone) and
`python -c "import prefect"` (what any command that imported Prefect would pay before its work).
Each figure is printed with its CPU time (on a busy machine the wall time grows with the load, the
CPU time much less) and as a ratio to importing Prefect. Exits 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"reform --help": 0.5, "reform status": 1.5, "reform intake --once": 3.0}


def median_seconds(argv: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user and system) of ``runs`` fresh processes. The CPU
    time says what the wall time would be on an idle machine, where the two are nearly the same."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def copy_registry(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite registry, WAL included, that the benchmark may touch."""
    with sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path, help="a workspace made by reform demo --workspace")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    python = sys.executable
    reform = [python, "-m", "reform"]
    with tempfile.TemporaryDirectory(prefix="one-shot-") as scratch:
        home = Path(scratch) / "home"
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL" and not k.startswith("REFORM_")}
        env |= {"REFORM_HOME": str(home), "REFORM_INTAKE_MAILBOX": "maildir",
                "REFORM_MAILDIR_PATH": str(Path(scratch) / "maildir")}
        for folder in ("cur", "new", "tmp"):
            (Path(scratch) / "maildir" / folder).mkdir(parents=True)
        subprocess.run([*reform, "init"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        status_env = env
        if args.demo is not None:
            demo_home = Path(scratch) / "demo"
            demo_home.mkdir()
            copy_registry(args.demo / "reform.db", demo_home / "reform.db")
            status_env = env | {"REFORM_HOME": str(demo_home)}
        figures = {
            "python -c pass": median_seconds([python, "-c", "pass"], env, args.runs),
            "python -c 'import prefect'": median_seconds([python, "-c", "import prefect"], env, args.runs),
            "reform --help": median_seconds([*reform, "--help"], env, args.runs),
            "reform status": median_seconds([*reform, "status"], status_env, args.runs),
            "reform intake --once": median_seconds([*reform, "intake", "--once"], env, args.runs),
        }
    prefect = figures["python -c 'import prefect'"][0]
    print(f"median wall time over {args.runs} runs, each a fresh process (no PREFECT_API_URL); status on "
          f"{'the demo registry ' + str(args.demo) if args.demo else 'a fresh registry (pass --demo for the target)'}")
    missed = []
    print(f"  {'':28s} {'wall':>8s} {'CPU':>8s}")
    for name, (seconds, cpu) in figures.items():
        target = TARGETS.get(name)
        verdict = "" if target is None else f"  target ≤ {target:.1f} s  {'ok' if seconds <= target else 'MISSED'}"
        print(f"  {name:28s} {seconds:6.2f} s {cpu:6.2f} s  ({seconds / prefect:4.2f}× import prefect){verdict}")
        if target is not None and seconds > target:
            missed.append(name)
    if missed:
        print(f"missed: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
