"""Run a command that dies with the process that started it, even when that process is killed
outright (SIGKILL), which leaves it no chance to stop its children itself.

    python -m core.die_with_parent PARENT_PID PROGRAM [ARGUMENT ...]

On Linux the kernel sends the command SIGKILL when its parent dies (``PR_SET_PDEATHSIG``, which
survives the exec below). Done here, in the child's own code, rather than in a ``preexec_fn``: that
runs between fork and exec in a copy of a threaded parent, where taking any lock can hang.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def main(argv: list[str]) -> None:
    parent, program = int(argv[0]), argv[1:]
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (AttributeError, OSError):
        pass  # not Linux: the parent's signal handlers and exit hook are what stop the command
    if os.getppid() != parent:
        os._exit(1)  # the parent died before the watch was set: nobody needs the command
    os.execv(program[0], program)


if __name__ == "__main__":
    main(sys.argv[1:])
