"""How long the test suite takes, as CI runs it: `python -m pytest -q` with the project's own settings.

    .venv/bin/python -m bench.suite [--serial]

Runs the whole suite in a subprocess, the test files side by side on the workers pyproject.toml
configures (its addopts), with REFORM_REQUIRE_POSTGRES=1 as .ci/run sets it, and times its wall
and CPU time (its own and its children's: the workers, the servers and commands the tests start).
Beside it, measured in the same run for scale: collecting the suite without running it (the floor
every run pays), and with --serial the same suite on one process (`-n 0`, which takes several times as long).

Target (the speed issue, part 5): 300 s or less of wall time on CI's 2-core machine. Exits 1 when
it is missed or when the suite did not pass.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

from bench.one_shot import ROOT

TARGET_SECONDS = 300.0


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """Wall time, CPU time (user and system, children included), exit code and last line of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0:
        # What failed, kept short: pytest's summary of failures and errors ends the output.
        print("\n".join(lines[-40:]), file=sys.stderr)
    return wall, cpu, done.returncode, lines[-1] if lines else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serial", action="store_true", help="also run the suite on one process (-n 0), for scale")
    args = parser.parse_args(argv)
    env = {**os.environ, "REFORM_REQUIRE_POSTGRES": "1", "DO_NOT_TRACK": "1",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    figures = {"collection only (-n 0)": timed([*pytest, "-n", "0", "--collect-only"], env)}
    if args.serial:
        figures["suite on one process (-n 0)"] = timed([*pytest, "-n", "0"], env)
    figures["suite as configured"] = timed(pytest, env)
    print(f"the test suite, pytest -q from {ROOT} (cores: {os.cpu_count()}, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())})")
    configured = figures["suite as configured"][0]
    failed = []
    for name, (wall, cpu, code, last) in figures.items():
        verdict = ""
        if name.startswith("suite"):
            verdict = f"  target ≤ {TARGET_SECONDS:.0f} s  {'ok' if wall <= TARGET_SECONDS else 'MISSED'}"
        scale = f"({wall / configured:4.2f}× as configured)"
        print(f"  {name:28s} {wall:7.1f} s wall {cpu:7.1f} s CPU  {scale}{verdict}")
        print(f"  {'':28s} {last}")
        if code != 0:
            failed.append(name)
    if failed:
        print(f"did not pass: {', '.join(failed)}")
    return 0 if configured <= TARGET_SECONDS and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
