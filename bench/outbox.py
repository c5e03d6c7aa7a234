"""Benchmark of outbox delivery against an SMTP server in another process on loopback.

    /work/venv/bin/python -m bench.outbox [--messages 2000]

Queues N notices in a fresh SQLite registry and delivers them through the outbox (aiosmtplib, a
few concurrent connections, each batch claimed before it is sent and each message marked sent as
the server takes it, the marks group-committed), against an
aiosmtpd server that discards what it receives, running in its own process. Baseline, in the
same run: a loop that opens one smtplib connection per message and sends the same messages.

Targets (issue 3): 400 messages/s or more, and at least 1.5x the baseline. Exits 1 when missed.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import smtplib
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from core.settings import DatabaseSettings, Settings, SmtpSettings
from notifications.compose import build_message
from registry.campaign.service import migrate
from registry.outbox.service import OutgoingNotice, count_by_state, deliver, queue_notices
from tests.mail_servers import free_port

TARGET_RATE = 400.0
TARGET_SPEEDUP = 1.5
NOW = datetime(2016, 7, 25, 9, 0)


def start_sink(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            smtplib.SMTP("127.0.0.1", port, timeout=1).quit()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the aiosmtpd server did not start")


def queue(url: str, n: int) -> None:
    queue_notices(url, (
        OutgoingNotice(key=f"bench:{i}", to=(f"dept{i % 50}.contact@shenyang.example.org",),
                       subject=f"【提醒】清理自查还有 3 个工作日到期（第 {i} 号）",
                       text="请于 2016-08-01 前报送公共服务事项清单。\n" * 5,
                       html="<p>请于 2016-08-01 前报送公共服务事项清单。</p>" * 5)
        for i in range(n)), now=NOW)


def smtplib_loop(settings: Settings, n: int) -> float:
    messages = [
        build_message(sender=(settings.smtp.sender_name, settings.smtp.sender_address),
                      to=[f"dept{i % 50}.contact@shenyang.example.org"], cc=[],
                      subject=f"【提醒】清理自查还有 3 个工作日到期（第 {i} 号）",
                      text="请于 2016-08-01 前报送公共服务事项清单。\n" * 5,
                      html="<p>请于 2016-08-01 前报送公共服务事项清单。</p>" * 5, message_id=f"<b{i}@bench>")
        for i in range(n)
    ]
    started = time.perf_counter()
    for message in messages:
        with smtplib.SMTP(settings.smtp.host, settings.smtp.port) as smtp:
            smtp.send_message(message)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    n = parser.parse_args(argv).messages
    port = free_port()
    server = start_sink(port)
    try:
        with tempfile.TemporaryDirectory(prefix="reform-bench-outbox-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'registry.db'}"
            migrate(url)
            queue(url, n)
            settings = Settings(home=Path(tmp), database=DatabaseSettings(url=url), smtp=SmtpSettings(host="127.0.0.1", port=port))
            started = time.perf_counter()
            delivered = asyncio.run(deliver(url, NOW, settings, limit=n))
            outbox_seconds = time.perf_counter() - started
            committed = count_by_state(url).get("sent", 0)
            baseline_seconds = smtplib_loop(settings, n)
    finally:
        server.terminate()
        server.wait(timeout=10)

    rate, baseline_rate = n / outbox_seconds, n / baseline_seconds
    print(f"outbox (aiosmtplib, {settings.smtp.connections} connections): {n} messages in {outbox_seconds:.2f} s "
          f"= {rate:.0f} messages/s; sent and committed: {committed}")
    print(f"baseline (smtplib, one connection per message): {n} messages in {baseline_seconds:.2f} s "
          f"= {baseline_rate:.0f} messages/s")
    print(f"speed-up over the baseline: {rate / baseline_rate:.2f}x (target >= {TARGET_SPEEDUP}x); "
          f"rate target >= {TARGET_RATE:.0f} messages/s")
    missed = []
    if committed != n or delivered["sent"] != n:
        missed.append("every message sent and committed")
    if rate < TARGET_RATE:
        missed.append("rate")
    if rate < TARGET_SPEEDUP * baseline_rate:
        missed.append("speed-up")
    print("targets missed: " + ", ".join(missed) if missed else "all targets met")
    return 1 if missed else 0


if __name__ == "__main__":
    os.environ.setdefault("DO_NOT_TRACK", "1")
    sys.exit(main())
