"""Starting the cluster's processes so that nothing outlives the cluster, and stopping them.

Each process starts in a session of its own (so a Ctrl-C meant for `reform cluster up` reaches `up`
alone, which then stops the processes in order) under deployments.cluster.keeper, which leads its
process group and ends the whole group when `up` dies, even killed outright. What a process starts
in turn (a server's uvicorn processes, a worker's flow runs) stays in that group, and a group is
stopped whole.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from deployments.cluster.state import group_alive

# How long a process has, once its keeper is told to stop, before its group is killed.
KEEPER_GRACE_SECONDS = 10


def prefect_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "prefect", *arguments]


def start(command: list[str], environment: dict[str, str], log: Path) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        return subprocess.Popen([sys.executable, "-m", "deployments.cluster.keeper", str(os.getpid()),
                                 str(KEEPER_GRACE_SECONDS), *command],
                                env=environment, stdin=subprocess.DEVNULL, stdout=output, stderr=output,
                                start_new_session=True)


def stop_groups(groups: list[int], grace_seconds: float) -> None:
    """SIGTERM to every group, then SIGKILL to what is left after the grace period."""
    for group in groups:
        _signal_group(group, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline and any(group_alive(g) for g in groups):
        time.sleep(0.1)
    for group in groups:
        if group_alive(group):
            _signal_group(group, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(group_alive(g) for g in groups):
        time.sleep(0.05)


def kill_group(group: int) -> None:
    _signal_group(group, signal.SIGKILL)


def _signal_group(group: int, sig: int) -> None:
    try:
        os.killpg(group, sig)
    except (ProcessLookupError, PermissionError):
        pass
