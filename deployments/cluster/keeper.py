"""Run a command as the leader of its own process group, and end the whole group with it.

    python -m deployments.cluster.keeper PARENT_PID GRACE_SECONDS PROGRAM [ARGUMENT ...]

core.die_with_parent has the kernel kill a command when `reform cluster up` dies outright, but not
what the command started: a server's uvicorn processes, a worker's flow runs. The keeper stays
between the two: the kernel tells it when `up` dies (SIGTERM, PR_SET_PDEATHSIG), and it then stops
its whole group, SIGTERM and, after the grace period, SIGKILL. So does a SIGTERM, SIGINT or SIGHUP
sent to it; and when the command ends by itself, what it left in the group is killed too.
"""
from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time

from deployments.cluster.state import group_members

PR_SET_PDEATHSIG = 1
STOPPING_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def main(argv: list[str]) -> int:
    parent, grace, program = int(argv[0]), float(argv[1]), argv[2:]
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (AttributeError, OSError):
        pass  # not Linux: `up`'s own stopping and the state file remain
    if os.getppid() != parent:
        return 1  # `up` died before the watch was set: nobody needs the command
    group = os.getpgrp()
    child = subprocess.Popen(program)
    stopping_since: list[float] = []

    def stop(_signum, _frame) -> None:
        # Only noted here: the loop below does the waiting (a handler must not wait on the child).
        for sig in STOPPING_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        stopping_since.append(time.monotonic())
        os.killpg(group, signal.SIGTERM)

    for sig in STOPPING_SIGNALS:
        signal.signal(sig, stop)
    while (code := child.poll()) is None:
        if stopping_since and time.monotonic() - stopping_since[0] > grace:
            break
        time.sleep(0.1)
    _kill_the_rest(group)
    if stopping_since:
        return 128 + signal.SIGTERM
    return code if code >= 0 else 128 - code


def _kill_the_rest(group: int) -> None:
    for pid in group_members(group):
        if pid != os.getpid():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
