"""Benchmark of publishing the public site: pages and open data for a whole city's list.

    python -m bench.publish [--items 10000] [--small 366]

Builds a synthetic version 2 of the list (bench.synthetic_site: departments of 30 items, every item
with a full guide, certificates of every disposition, a change log) and publishes it into a
temporary folder with workbooks.site.render.render_site, the pages and the open data beside them.
It also publishes the demo's size (366 items). Baseline, in the same run: the same
rows written as plain CSV with the csv module, no safety, no JSON, no package.

Targets: 10,000 items in 10 s or less, at 300 MB or less at the peak (resident memory, input
included: this process and its page workers together). Exits 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bench.synthetic_site import synthetic_site
from workbooks.site.model import Site
from workbooks.site.open_data import ROWS, TABLES
from workbooks.site.render import render_site

TARGET_SECONDS = 10.0
TARGET_MB = 300.0
DEMO_ITEMS = 366


def tree_rss_mb(root: int) -> float:
    """Resident memory of ``root`` and every process below it (its page workers), from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        pid = int(stat.parent.name)
        parents[pid], rss[pid] = int(fields[1]), int(fields[21]) * resource.getpagesize()
    tree, grown = {root}, True
    while grown:
        below = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= below
        grown = bool(below)
    return sum(rss.get(pid, 0) for pid in tree) / 1e6


class PeakSampler:
    """The largest resident memory of this process tree, sampled every 20 ms while it renders."""

    def __init__(self) -> None:
        self.peak, self._stop = 0.0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_mb(os.getpid()))
            self._stop.wait(0.02)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def timed(publish: Callable[[Site, Path], object], site: Site, out: Path) -> float:
    started = time.perf_counter()
    publish(site, out)
    return time.perf_counter() - started


def plain_csv(site: Site, out: Path) -> float:
    """The floor: the same rows, each value as it is, through csv.writer."""
    out.mkdir(parents=True)
    started = time.perf_counter()
    for name in TABLES:
        rows = list(ROWS[name](site))
        with (out / f"{name}.csv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            if rows:
                writer.writerow(rows[0].keys())
            writer.writerows(row.values() for row in rows)
    return time.perf_counter() - started


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=DEMO_ITEMS)
    args = parser.parse_args(argv)
    label, publish = "render", render_site
    started = time.perf_counter()
    site = synthetic_site(args.items)
    built = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="reform-bench-publish-") as tmp:
        root = Path(tmp)
        # The large run first, so that the process's peak is the large run's.
        with PeakSampler() as sampler:
            seconds = timed(publish, site, root / "large")
        peak = sampler.peak
        written = size_mb(root / "large")
        small_seconds = timed(publish, synthetic_site(args.small), root / "small")
        baseline = plain_csv(site, root / "baseline")
    print(f"synthetic site of {args.items} items built in {built:.2f} s")
    print(f"{label} {args.items} items: {seconds:.1f} s, peak {peak:.0f} MB (this process and its page workers) "
          f"(target ≤ {TARGET_SECONDS:.0f} s, ≤ {TARGET_MB:.0f} MB); baseline csv: {baseline:.1f} s; "
          f"{written:.1f} MB written")
    print(f"{label} {args.small} items: {small_seconds:.2f} s")
    missed = [what for what, over in (("time", seconds > TARGET_SECONDS), ("memory", peak > TARGET_MB)) if over]
    print("targets missed: " + ", ".join(missed) if missed else "all targets met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
