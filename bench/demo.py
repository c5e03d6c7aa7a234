"""How long the main job takes: `reform demo` from nothing to the end of March 2017, as a newcomer runs it.

    .venv/bin/python -m bench.demo [--runs 1]

Runs the demo in a fresh process and workspace (embedded SQLite, a temporary local Prefect server,
local SMTP), times its wall and CPU time (its own and its children's: the server, the mail servers),
and counts the flow and task runs it left in Prefect's database. Beside it, measured in the same run
for scale: `python -c "import prefect"`, and one trivial flow run's cost on a temporary server
(the floor each of the demo's flow runs pays whatever it does).

Target (the speed issue, part 1): 60 s or less on a quiet machine. Exits 1 when it is missed.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.one_shot import ROOT, median_seconds

TARGET_SECONDS = 60.0
# One flow run with one task, repeated on a temporary server: what every flow run costs at least.
FLOOR = """
import asyncio, os, sys, tempfile, time
from pathlib import Path
from core.local_prefect import launch_temporary_server, use_embedded_prefect
home = Path(tempfile.mkdtemp(prefix="demo-floor-"))
use_embedded_prefect(home)
server = launch_temporary_server(home)
server.use()
server.wait()
from prefect import flow, task
from flows.clients import shared_api_clients
@task
def step(x): return x
@flow
async def one(): return step(1)
async def main():
    async with shared_api_clients():
        await one()
        started = time.perf_counter()
        for _ in range(20): await one()
        print((time.perf_counter() - started) / 20)
asyncio.run(main())
"""


def flow_runs(prefect_db: Path) -> tuple[int, int]:
    with sqlite3.connect(f"{prefect_db.resolve().as_uri()}?mode=ro", uri=True) as db:
        return (db.execute("SELECT count(*) FROM flow_run").fetchone()[0],
                db.execute("SELECT count(*) FROM task_run").fetchone()[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args(argv)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REFORM_", "PREFECT_"))}
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as scratch:
        prefect_import = median_seconds([python, "-c", "import prefect"], env, 3)
        floor = float(subprocess.run([python, "-c", FLOOR], cwd=ROOT, env=env, check=True, capture_output=True,
                                     text=True).stdout.split()[-1])
        workspace = Path(scratch) / "demo"
        wall, cpu = median_seconds([python, "-m", "reform", "demo", "--workspace", str(workspace)], env, args.runs)
        runs, tasks = flow_runs(workspace / "prefect" / "prefect.db")
    print(f"reform demo, median of {args.runs} run(s) in a fresh workspace")
    print(f"  import prefect              {prefect_import[0]:7.2f} s wall {prefect_import[1]:7.2f} s CPU  (for scale)")
    print(f"  one flow run, one task      {floor:7.3f} s wall               (the floor per flow run)")
    print(f"  demo                        {wall:7.2f} s wall {cpu:7.2f} s CPU  "
          f"target ≤ {TARGET_SECONDS:.0f} s  {'ok' if wall <= TARGET_SECONDS else 'MISSED'}")
    print(f"  flow runs {runs}, task runs {tasks}: {runs * floor:.1f} s of the demo is the floor of its flow runs "
          f"({runs * floor / wall:.0%}); {wall / prefect_import[0]:.1f}× importing Prefect")
    return 0 if wall <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
