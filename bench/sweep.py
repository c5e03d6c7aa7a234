"""Benchmark of the daily sweep at province scale, on SQLite and PostgreSQL.

    /work/venv/bin/python -m bench.sweep [--sizes 10000 100000] [--backends sqlite postgresql]

For each backend and size it builds a fresh registry (calendar, directory, the 2016 plan) plus N
open obligations whose due dates are spread over 60 working days around the sweep day (10% on
the green channel), then times, each in its own transaction with its commit:

- baseline: one bulk query and a plain loop computing every standing, no notices;
- first sweep: every obligation's current rung decided and recorded, and each organisation's
  message per rung queued (the worst day: the registry has never been swept, so everything on
  the ladder is told of);
- next day: the following working day's sweep (only rungs reached that day);
- rerun: the same day again (nothing new).

Targets (the speed issue, part 4), at 100,000 obligations: the first sweep in 1.0 s or less on
SQLite and 1.5 s or less on PostgreSQL, the next day in 0.5 s or less; the first sweep at most
2.5× the baseline timed in the same run (the deciding figure: it holds on a busy machine as on an
idle one); and linear, 100k/10k at most 12× (scaled for other sizes). Each figure is printed beside
its target. Exits 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from registry.calendar.service import add_working_days
from registry.campaign.service import add_synthetic_obligations, initialise
from registry.supervision.service import run_sweep, standings
from tests.scratch_postgres import ADMIN_URL, scratch_database

AS_OF = date(2016, 10, 10)  # a Monday after National Day and its make-up weekend
PG_ADMIN = os.environ.get("REFORM_BENCH_PG_ADMIN_URL", ADMIN_URL)
FIRST_SECONDS = {"sqlite": 1.0, "postgresql": 1.5}
NEXT_SECONDS = 0.5
FIRST_OVER_BASELINE = 2.5
TARGET_RATIO = 12.0  # 100k/10k: linear, with room for the caches a larger registry outgrows


def populate(url: str, n: int) -> None:
    initialise(url)
    add_synthetic_obligations(url, n, around=AS_OF)


def baseline(url: str) -> float:
    """Standings only: one query and the pure rules, the floor any sweep stands on."""
    started = time.perf_counter()
    standings(url, AS_OF)
    return time.perf_counter() - started


def timed_sweep(url: str, day: date) -> tuple[float, int, int, int]:
    started = time.perf_counter()
    figures = run_sweep(url, day)
    return time.perf_counter() - started, figures.examined, figures.notices, figures.messages


def run_one(url: str, n: int) -> dict:
    populate(url, n)
    next_day = add_working_days(url, AS_OF, 1)
    figures = {"baseline": baseline(url)}
    figures["first"], figures["examined"], figures["first_notices"], figures["first_messages"] = timed_sweep(url, AS_OF)
    figures["next"], _, figures["next_notices"], figures["next_messages"] = timed_sweep(url, next_day)
    figures["rerun"], _, figures["rerun_notices"], _ = timed_sweep(url, next_day)
    return figures


def sqlite_url(workdir: Path, n: int) -> tuple[str, callable]:
    return f"sqlite:///{workdir / f'bench-{n}.db'}", lambda: None


def postgres_url(_workdir: Path, _n: int) -> tuple[str, callable]:
    return scratch_database(PG_ADMIN, prefix="reform_bench")


BACKENDS = {"sqlite": sqlite_url, "postgresql": postgres_url}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=list(BACKENDS))
    args = parser.parse_args(argv)
    missed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="reform-bench-") as tmp:
        for backend in args.backends:
            results: dict[int, dict] = {}
            for n in args.sizes:
                url, cleanup = BACKENDS[backend](Path(tmp), n)
                try:
                    results[n] = f = run_one(url, n)
                finally:
                    cleanup()
                print(f"{backend:10s} n={n:>7,d}  baseline {f['baseline']:.3f}s  "
                      f"first sweep {f['first']:.3f}s ({f['first_notices']:,d} rungs, {f['first_messages']:,d} messages)  "
                      f"next day {f['next']:.3f}s ({f['next_notices']:,d}, {f['next_messages']:,d})  "
                      f"rerun {f['rerun']:.3f}s ({f['rerun_notices']})", flush=True)
                over = f["first"] / f["baseline"]
                print(f"{backend:10s} n={n:>7,d}  first/baseline {over:.2f}x (target ≤{FIRST_OVER_BASELINE}x)",
                      flush=True)
                if n >= 100_000:
                    print(f"{backend:10s} n={n:>7,d}  first sweep {f['first']:.3f}s (target ≤{FIRST_SECONDS[backend]}s)  "
                          f"next day {f['next']:.3f}s (target ≤{NEXT_SECONDS}s)", flush=True)
                    if f["first"] > FIRST_SECONDS[backend]:
                        missed.append(f"{backend} n={n}: first sweep {f['first']:.3f}s over {FIRST_SECONDS[backend]}s")
                    if f["next"] > NEXT_SECONDS:
                        missed.append(f"{backend} n={n}: next day {f['next']:.3f}s over {NEXT_SECONDS}s")
                    if over > FIRST_OVER_BASELINE:
                        missed.append(f"{backend} n={n}: first sweep {over:.2f}x the baseline, over "
                                      f"{FIRST_OVER_BASELINE}x")
                if f["rerun_notices"]:
                    missed.append(f"{backend} n={n}: the rerun queued {f['rerun_notices']} notices")
            small, large = min(results), max(results)
            if large > small:
                allowed = TARGET_RATIO * (large / small) / 10  # 12x for 10k -> 100k; scaled for other sizes
                for phase in ("baseline", "first", "next"):
                    ratio = results[large][phase] / results[small][phase]
                    print(f"{backend:10s} {phase:8s} {large:,d}/{small:,d} ratio {ratio:.1f}x"
                          + ("" if phase == "baseline" else f" (target ≤{allowed:.0f}x)"))
                    if phase != "baseline" and ratio > allowed:
                        missed.append(f"{backend} {phase}: ratio {ratio:.1f}x over {allowed:.0f}x")
    for problem in missed:
        print(f"MISSED: {problem}")
    print("all targets met" if not missed else f"{len(missed)} target(s) missed")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
