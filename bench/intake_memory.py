"""Benchmark of the memory it takes to refuse a message too large to take in.

    .venv/bin/python -m bench.intake_memory [--attachment-mb 30]

Puts one reply with a 30 MB attachment (a message of about 41 MB) from a registered department in
a Maildir, then measures, each in a fresh process, the peak resident memory (VmHWM) of:

- the floor: importing what intake imports, and nothing else;
- intake refusing the message: its size read before it is read, its header and digest read a
  chunk at a time, the receipt queued (notifications.mailbox, registry.inbound.service);
- the baseline: the same imports, then the message read whole and parsed with the standard
  library's email parser, its attachment decoded, as intake did before it looked at the size.

Target (issue 10): refusing the 41 MB message peaks under 150 MB. Exits 1 when it is missed.
"""
from __future__ import annotations

import argparse
import json
import mailbox
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.intake import NOW, populate
from demo.samples import reply_mail

TARGET_PEAK_MB = 150
MB = 1024 * 1024

PEAK = """
import json, sys
from datetime import datetime
from core.settings import get_settings
from notifications.mailbox import MailboxPoll
from registry.inbound import service
outcome = ""
if sys.argv[1] == "intake":
    settings = get_settings()
    poll = MailboxPoll(settings)
    [ref] = poll.pending()
    take = lambda message: service.take_in_mail(settings.database_url, message, datetime(2016, 7, 20, 10), settings)
    outcome = poll.take(ref, take, settings.limits.max_message_bytes, service.settled).outcome
elif sys.argv[1] == "stdlib":
    from email import message_from_bytes, policy
    raw = open(sys.argv[2], "rb").read()
    message = message_from_bytes(raw, policy=policy.default)
    outcome = str(sum(len(part.get_content()) for part in message.iter_attachments()))
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"outcome": outcome, "peak": peak * 1024}))
"""


def peak_of(what: str, *args: str) -> tuple[str, float]:
    run = subprocess.run([sys.executable, "-c", PEAK, what, *args], capture_output=True, text=True, check=True,
                         env=os.environ)
    measured = json.loads(run.stdout)
    return measured["outcome"], measured["peak"] / MB


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attachment-mb", type=int, default=30)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="reform-bench-intake-memory-"))
    url = f"sqlite:///{work / 'registry.db'}"
    os.environ.update(REFORM_HOME=str(work), REFORM_DATABASE_URL=url, REFORM_INTAKE_MAILBOX="maildir",
                      REFORM_MAILDIR_PATH=str(work / "maildir"))
    [(sender, to)] = populate(url, 1)
    raw = reply_mail(sender=sender, sender_name="联系人", to=to, subject="回复：清单",
                     attachments=[("清单.xlsx", os.urandom(args.attachment_mb * MB))], when=NOW)
    (work / "message.eml").write_bytes(raw)
    mailbox.Maildir(str(work / "maildir"), create=True).add(raw)
    size = len(raw) / 1_000_000
    del raw

    _, floor = peak_of("imports")
    outcome, intake = peak_of("intake")
    _, stdlib = peak_of("stdlib", str(work / "message.eml"))

    print(f"message: {size:.1f} MB ({args.attachment_mb} MB attachment); intake's answer: {outcome}")
    print(f"imports alone: {floor:.0f} MB")
    print(f"intake refusing it by its size: {intake:.0f} MB (target < {TARGET_PEAK_MB} MB)")
    print(f"baseline, parsed whole with the stdlib email parser: {stdlib:.0f} MB ({stdlib / intake:.1f}x)")
    met = outcome == "rejected" and intake < TARGET_PEAK_MB
    print("all targets met" if met else "targets missed: peak memory")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
