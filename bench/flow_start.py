"""How long a process worker takes to start and finish flow runs, with the plain engine command
and with the launcher handing runs to a pre-started process.

    .venv/bin/python -m bench.flow_start [--runs 20] [--limit 4]

On its own Prefect server (SQLite, no services), one process worker (`--limit` runs at a time) and
its pre-started process, it submits RUNS runs of the daily standing report (a light project flow
over an initialised registry) at once to the deployment whose command is `python -m
prefect.engine`, waits for all, then does the same with the deployment whose command is the
launcher. For each run it prints the time from Pending (the worker about to start the command) to
Running (the flow about to start) and to its final state; for each batch its wall time and the CPU
of the worker's and the pre-started process's trees (flow runs included: their time is counted
when they are reaped) and of the API server; then the ratios. Each batch starts once the one
before has no process left.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from registry.campaign.service import initialise
from tests.prestart_helpers import Stage, children, standing_deployments

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system time of a process and of its reaped children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / CLOCK_TICKS


def settle(stage: Stage, timeout: float = 60) -> None:
    """Until the worker and the pre-started process have no run left: the last engines of a batch
    still send their logs and events after their runs' final states."""
    deadline = time.monotonic() + timeout
    while any(children(stage.processes[name].pid) for name in ("worker", "prestart")):
        if time.monotonic() > deadline:
            return
        time.sleep(0.2)


def run_batch(stage: Stage, deployment: str, runs: int) -> dict:
    settle(stage)
    watched = {name: stage.processes[name].pid for name in ("worker", "prestart", "server")}
    before = {name: cpu_seconds(pid) for name, pid in watched.items()}
    started = time.monotonic()
    ids = [stage.create_run(deployment, {"as_of": "2016-08-09", "campaign_code": "shenyang-2016"}) for _ in range(runs)]
    states = [stage.wait(run_id, timeout=60 + 15 * runs) for run_id in ids]
    wall = time.monotonic() - started
    settle(stage)
    cpu = {name: cpu_seconds(pid) - before[name] for name, pid in watched.items()}
    timings = [_timings(stage, run_id) for run_id in ids]
    return {"deployment": deployment, "states": states, "wall": wall, "cpu": cpu, "timings": timings}


def _timings(stage: Stage, run_id: str) -> tuple[float, float]:
    history = stage.api("GET", f"/flow_run_states/?flow_run_id={run_id}")
    at = {state["type"]: datetime.fromisoformat(state["timestamp"]) for state in history}
    final = next(t for t in ("COMPLETED", "FAILED", "CRASHED") if t in at)
    return ((at["RUNNING"] - at["PENDING"]).total_seconds(), (at[final] - at["PENDING"]).total_seconds())


def report(batch: dict) -> None:
    print(f"\n{batch['deployment']}: {len(batch['states'])} runs, "
          f"{sum(s == 'COMPLETED' for s in batch['states'])} completed")
    print("  run  pending→running  pending→final")
    for n, (to_running, to_final) in enumerate(batch["timings"], 1):
        print(f"  {n:3d}  {to_running:14.2f} s  {to_final:11.2f} s")
    cpu = batch["cpu"]
    print(f"  wall {batch['wall']:.1f} s; CPU: worker tree {cpu['worker']:.1f} s, pre-started tree "
          f"{cpu['prestart']:.1f} s, API server {cpu['server']:.1f} s")


def import_seconds(statement: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--limit", type=int, default=4, help="the worker's concurrent runs")
    args = parser.parse_args()
    print(f"python -c 'import flows.sweep': {import_seconds('import flows.sweep'):.2f} s; "
          f"python -c 'import deployments.prestart.launch': "
          f"{import_seconds('import deployments.prestart.launch'):.2f} s")
    with tempfile.TemporaryDirectory(prefix="flow-start-") as scratch:
        root = Path(scratch)
        registry = f"sqlite:///{root / 'registry.db'}"
        initialise(registry)
        stage = Stage(root / "stage", registry, standing_deployments(), worker_limit=args.limit)
        try:
            stage.start()
            plain = run_batch(stage, "standing-plain", args.runs)
            launched = run_batch(stage, "standing-launch", args.runs)
        finally:
            stage.stop()
    for batch in (plain, launched):
        report(batch)

    def per_run(batch: dict, index: int) -> float:
        return sum(t[index] for t in batch["timings"]) / len(batch["timings"])

    def cpu(batch: dict) -> float:
        return batch["cpu"]["worker"] + batch["cpu"]["prestart"]

    print(f"\nmean pending→running: plain {per_run(plain, 0):.2f} s, launcher {per_run(launched, 0):.2f} s "
          f"(÷{per_run(plain, 0) / per_run(launched, 0):.1f})")
    print(f"mean pending→final:   plain {per_run(plain, 1):.2f} s, launcher {per_run(launched, 1):.2f} s "
          f"(÷{per_run(plain, 1) / per_run(launched, 1):.1f})")
    print(f"batch wall:           plain {plain['wall']:.1f} s, launcher {launched['wall']:.1f} s "
          f"(÷{plain['wall'] / launched['wall']:.1f})")
    print(f"CPU of the runs' processes: plain {cpu(plain):.1f} s, launcher {cpu(launched):.1f} s "
          f"(÷{cpu(plain) / cpu(launched):.1f}); per run {cpu(plain) / args.runs:.2f} s and "
          f"{cpu(launched) / args.runs:.2f} s")
    failed = [b["deployment"] for b in (plain, launched) if set(b["states"]) != {"COMPLETED"}]
    if failed:
        print(f"runs did not complete: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
