"""A command that starts a temporary Prefect server (the demo: the one-shot commands run without
one), killed by a signal, SIGKILL included, leaves no Prefect server or other process of its own
running."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _processes_marked(marker: str) -> dict[int, str]:
    """Every live process whose environment carries ``marker``: the command and all it started."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return found


def _wait_for(condition, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    return condition()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_killed_demo_leaves_no_temporary_prefect_server(tmp_path, sig):
    marker = f"REFORM_TEST_MARK={uuid.uuid4().hex}"
    name, _, value = marker.partition("=")
    command = subprocess.Popen([sys.executable, "-m", "reform", "demo", "--workspace", str(tmp_path / "demo")], cwd=ROOT,
                               env={**os.environ, name: value}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        server = _wait_for(lambda: [p for p, line in _processes_marked(marker).items()
                                    if p != command.pid and "core.serve_on_socket" in line], 120)
        assert server, "the temporary Prefect server never started"
        assert command.poll() is None
        os.kill(command.pid, sig)
        command.wait(timeout=30)
        left = _wait_for(lambda: not _processes_marked(marker), 10)
        assert left, _processes_marked(marker)
    finally:
        if command.poll() is None:
            command.kill()
