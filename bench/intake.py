"""Benchmark of intake through the Maildir path, against python-calamine's own reading of the workbook.

    /work/venv/bin/python -m bench.intake [--submissions 1000] [--rows 200]

Builds two identical SQLite registries, each with N extra departments (one inventory obligation and
reply token each), and two Maildirs holding one reply per department with a 200-row workbook. Then:

- plain loop: for each message, the same read → parse → validate → store → receipt-queued → mark-done
  code the task runs (tasks.intake.take_in_message_now, the task's body without Prefect), on registry A;
- flow: the mailbox-intake flow (a Prefect task per batch of messages, receipts queued, not
  delivered) on registry B, after a warm-up run so the temporary Prefect server's start is not counted;
- the baseline: python-calamine alone reading the same workbook (every sheet, ``to_python()``),
  measured between the runs above, so that it shares their machine's speed of the moment;
- reading one workbook 20 times with pandas + calamine and with pandas + openpyxl;
- peak memory (RSS) of a separate process validating a workbook of about 20 MB.

Targets (the speed issue, part 3): the flow takes in N=1000 submissions of 200 rows in 15 s or less; the flow's
overhead over the plain loop is 10% or less; the flow's time per submission is at most 5 times
the baseline's (the figure that decides, since this machine's speed drifts from day to day); peak
memory for the 20 MB workbook is 300 MB or less. Exits 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import asyncio
import io
import mailbox
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from core.local_prefect import use_embedded_prefect
from demo.samples import filled_workbook, item_rows, reply_mail, saved_by_a_spreadsheet_program
from notifications.mailbox import MaildirMailbox
from registry.campaign.service import initialise
from registry.intake.service import enrol_respondents
from rules.organisations import OrgKind, OrgRecord, Person
from workbooks import inventory_schema as s

TARGET_SECONDS = 15.0
TARGET_OVERHEAD = 0.10
TARGET_RATIO = 5.0
TARGET_PEAK_MB = 300
NOW = datetime(2016, 7, 20, 10, 0)


def populate(url: str, departments: int) -> list[tuple[str, str]]:
    """The registry plus N departments with open inventory obligations; returns (sender, reply address)."""
    initialise(url, today=date(2016, 6, 9))
    records = [OrgRecord(code=f"bench{n:05d}", name=f"测试部门{n:04d}", short_name=f"部门{n:04d}", kind=OrgKind.DEPARTMENT,
                         contact=Person("联系人", f"bench{n:05d}.contact@bench.example.org", "024-1"))
               for n in range(departments)]
    addresses = enrol_respondents(url, records, "inventory", date(2016, 6, 9), NOW)
    return [(f"{code}.contact@bench.example.org", to) for code, to in addresses.items()]


def fill_maildir(path: Path, replies: list[tuple[str, str]], workbook: bytes) -> None:
    box = mailbox.Maildir(str(path), create=True)
    for sender, to in replies:
        box.add(reply_mail(sender=sender, sender_name="联系人", to=to, subject="公共服务事项清单",
                           attachments=[("清单.xlsx", workbook)]))


def plain_loop(maildir: Path) -> float:
    from tasks.intake import take_in_message_now  # noqa: PLC0415 - imports Prefect, whose environment main() sets

    os.environ["REFORM_MAILDIR_PATH"] = str(maildir)
    started = time.perf_counter()
    results = [take_in_message_now(ref, NOW) for ref in MaildirMailbox(maildir).pending()]
    elapsed = time.perf_counter() - started
    _check(results)
    return elapsed


def flow_run(maildir: Path) -> float:
    from flows.intake import intake_flow  # noqa: PLC0415 - imports Prefect, whose environment main() sets

    os.environ["REFORM_MAILDIR_PATH"] = str(maildir)
    started = time.perf_counter()
    results = asyncio.run(intake_flow(NOW, deliver=False))
    elapsed = time.perf_counter() - started
    _check(results)
    return elapsed


def _check(results: list[dict]) -> None:
    bad = [r for r in results if r["outcome"] != "accepted"]
    if bad:
        raise SystemExit(f"not every submission was accepted: {bad[:3]}")


def calamine_reads(workbook: bytes, repeat: int = 30) -> list[float]:
    """Seconds python-calamine alone takes to read the workbook, every sheet, ``repeat`` times."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        book = CalamineWorkbook.from_filelike(io.BytesIO(workbook))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
        times.append(time.perf_counter() - started)
    return times


def read_times(workbook: bytes, repeat: int = 20) -> tuple[float, float]:
    def timed(engine: str) -> float:
        started = time.perf_counter()
        for _ in range(repeat):
            pd.read_excel(io.BytesIO(workbook), sheet_name=s.ITEM_SHEET, header=None, dtype=object, engine=engine)
        return (time.perf_counter() - started) / repeat

    return timed("calamine"), timed("openpyxl")


PEAK_SCRIPT = """
import resource, sys
from core.settings import Settings
from registry.intake.service import validate_workbook
content = open(sys.argv[1], "rb").read()
result = validate_workbook("big.xlsx", content, None, Settings())
print(len(content), result.accepted, len(result.items), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_memory(folder: Path) -> tuple[float, float]:
    """(file MB, peak RSS MB) of a fresh process validating a ~20 MB workbook."""
    rng = random.Random(7)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(s.ITEM_SHEET)
    sheet.append(list(s.HEADERS))
    base = item_rows(1)[0]
    for n in range(1, 80_001):
        row = list(base)
        row[0], row[1] = n, f"事项{n}"
        row[10] = rng.randbytes(170).hex()  # incompressible text makes the file, not the row count, big
        sheet.append(row)
    path = folder / "big.xlsx"
    book.save(path)
    out = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, str(path)], capture_output=True, text=True, check=True)
    size, _, _, peak_kb = out.stdout.split()
    return int(size) / 1024 / 1024, int(peak_kb) / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=200)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="reform-bench-intake-"))
    os.environ["REFORM_HOME"] = str(work)
    os.environ["REFORM_INTAKE_MAILBOX"] = "maildir"
    use_embedded_prefect(work / "prefect")
    # As departments send it: filled in and saved by Excel or WPS, styles and drop-downs kept.
    workbook = saved_by_a_spreadsheet_program(filled_workbook(None, item_rows(args.rows)))
    print(f"workbook: {args.rows} rows, {len(workbook) / 1024:.1f} KB")
    setups = {}
    for name in ("loop", "flow"):
        url = f"sqlite:///{work / f'{name}.db'}"
        os.environ["REFORM_DATABASE_URL"] = url
        replies = populate(url, args.submissions)
        fill_maildir(work / f"{name}-maildir", replies, workbook)
        setups[name] = url
    os.environ["REFORM_DATABASE_URL"] = setups["flow"]
    os.environ["REFORM_MAILDIR_PATH"] = str(work / "empty-maildir")
    from flows.intake import intake_flow  # noqa: PLC0415 - Prefect reads its environment, set above, on import

    asyncio.run(intake_flow(NOW, deliver=False))  # warm-up: the temporary Prefect server starts here

    baseline = calamine_reads(workbook)
    os.environ["REFORM_DATABASE_URL"] = setups["loop"]
    loop_seconds = plain_loop(work / "loop-maildir")
    baseline += calamine_reads(workbook)
    os.environ["REFORM_DATABASE_URL"] = setups["flow"]
    flow_seconds = flow_run(work / "flow-maildir")
    baseline += calamine_reads(workbook)
    overhead = flow_seconds / loop_seconds - 1
    calamine_alone = statistics.median(baseline)
    calamine, openpyxl = read_times(workbook)
    file_mb, peak_mb = peak_memory(work)

    n = args.submissions
    ratio = flow_seconds / n / calamine_alone
    print(f"calamine alone (every sheet, to_python): {calamine_alone * 1000:.2f} ms per workbook "
          f"(median of {len(baseline)}, taken before, between and after the runs)")
    print(f"plain loop: {n} submissions in {loop_seconds:.2f} s ({loop_seconds / n * 1000:.1f} ms each, "
          f"{loop_seconds / n / calamine_alone:.1f}x calamine)")
    print(f"intake flow: {n} submissions in {flow_seconds:.2f} s ({flow_seconds / n * 1000:.1f} ms each), "
          f"target ≤ {TARGET_SECONDS:.0f} s for 1000")
    print(f"per submission against calamine alone: {ratio:.1f}x (target ≤ {TARGET_RATIO:.0f}x)")
    print(f"orchestration overhead: {overhead * 100:.0f}% (target ≤ {TARGET_OVERHEAD * 100:.0f}%)")
    print(f"reading one {args.rows}-row workbook: calamine {calamine * 1000:.1f} ms, openpyxl {openpyxl * 1000:.1f} ms "
          f"({openpyxl / calamine:.1f}x)")
    print(f"peak memory validating a {file_mb:.1f} MB workbook: {peak_mb:.0f} MB (target ≤ {TARGET_PEAK_MB} MB)")
    missed = []
    if n >= 1000 and flow_seconds > TARGET_SECONDS:
        missed.append("flow time")
    if overhead > TARGET_OVERHEAD:
        missed.append("orchestration overhead")
    if ratio > TARGET_RATIO:
        missed.append("time per submission against calamine")
    if peak_mb > TARGET_PEAK_MB:
        missed.append("peak memory")
    print("targets missed: " + ", ".join(missed) if missed else "all targets met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
