"""What a forked child of the pre-started process does with one flow run.

It becomes what ``python -m prefect.engine`` would have been in the launcher's place: the
launcher's environment (os.environ replaced whole, and Prefect's settings and logging, which
Prefect computes once at import, computed again from it), working directory, umask, argv and
standard streams; then Prefect's engine entry point runs as ``__main__``, so states, crash
reports, heartbeats and cancellation are Prefect's own. The child ends the way that process
would, its exit code and the atexit hooks (Prefect's last logs and events) included, and the
pre-started process reports the status. Only the interpreter's teardown is skipped, as it is for
multiprocessing's forked children: freeing the whole preloaded heap object by object costs a
second of CPU per run, and Python never promised ``__del__`` at exit.

Nothing runs before the launcher's GO, and the child kills itself the moment the launcher's
connection closes: a killed launcher (a killed worker's process group) takes its run with it.
"""
from __future__ import annotations

import atexit
import os
import runpy
import signal
import socket
import sys
import threading
import time
from typing import NoReturn

import prefect.context
import prefect.logging.configuration

from deployments.prestart import protocol

# The launcher sends its request as soon as it has connected.
REQUEST_TIMEOUT_SECONDS = 10.0


def run(conn: socket.socket, start_directory: str) -> NoReturn:
    """Take the launcher's request, run its flow run and end this process as the engine's would end."""
    conn.settimeout(REQUEST_TIMEOUT_SECONDS)
    try:
        request, fds = protocol.receive_request(conn)
        _take_streams(request["streams"], fds)
        _take_environment(request, start_directory)
        _buffer_streams_as_python_would()
        _refresh_prefect()
        protocol.send(conn, protocol.READY, os.getpid())
        kind, _ = protocol.receive(conn)
    except OSError:
        os._exit(0)  # the launcher has gone, or fell back to the plain engine: nothing was run
    if kind != protocol.GO:
        os._exit(0)
    conn.settimeout(None)
    threading.Thread(target=_watch_launcher, args=(conn,), name="prestart-launcher-watch", daemon=True).start()
    sys.argv = [sys.argv[0], *request["argv"]]
    # Left in sys.modules by the preload, it would make runpy warn that __main__ may misbehave;
    # the flow engine keeps its own reference.
    sys.modules.pop("prefect.engine", None)
    try:
        runpy.run_module("prefect.engine", run_name="__main__", alter_sys=True)
        returncode = 0
    except SystemExit as exit_:
        returncode = _exit_code(exit_.code)
    except KeyboardInterrupt:
        returncode = -signal.SIGINT  # Python ends so on an unhandled Ctrl-C
    except BaseException:  # noqa: BLE001 - reported as the interpreter would, then exit 1
        sys.excepthook(*sys.exc_info())
        returncode = 1
    _end(returncode, conn)


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _end(returncode: int, conn: socket.socket) -> NoReturn:
    """End as the interpreter ends, in its order: other threads joined, atexit hooks, streams flushed."""
    threading._shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    if returncode < 0:
        signal.signal(-returncode, signal.SIG_DFL)
        os.kill(os.getpid(), -returncode)  # the pre-started process reports the signal
    # Told here, nothing is left to run: the launcher has the status even if the pre-started
    # process is no longer there to reap this one.
    try:
        protocol.send(conn, protocol.STATUS, returncode)
    except OSError:
        pass
    os._exit(returncode & 0xFF)


def _take_streams(streams: list[int], fds: list[int]) -> None:
    received = dict(zip(streams, fds))
    for target in protocol.STREAMS:
        if target in received:
            os.dup2(received[target], target)
        else:
            os.close(target)  # the launcher had none: neither would the engine
    for fd in fds:
        if fd not in protocol.STREAMS:
            os.close(fd)


def _take_environment(request: dict, start_directory: str) -> None:
    os.environ.clear()
    os.environ.update(request["environ"])
    os.chdir(request["cwd"])
    os.umask(request["umask"])
    time.tzset()  # the C library read TZ when the pre-started process started
    # `python -m` puts its working directory first on sys.path, and PYTHONPATH after it.
    if sys.path and sys.path[0] == start_directory:
        sys.path[0] = request["cwd"]
    extra = [entry for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep) if entry and entry not in sys.path]
    sys.path[1:1] = extra


def _buffer_streams_as_python_would() -> None:
    # Python chose each stream's buffering when the pre-started process started, for its own streams.
    unbuffered = bool(os.environ.get("PYTHONUNBUFFERED"))
    for stream, fd in ((sys.stdout, 1), (sys.stderr, 2)):
        if stream is not None and protocol.is_open(fd):
            stream.reconfigure(line_buffering=os.isatty(fd) or fd == 2, write_through=unbuffered)


def _refresh_prefect() -> None:
    # Prefect reads its settings (the API URL, PREFECT_HOME, the profile) and its logging
    # configuration once, when it is imported: here that was in the pre-started process.
    prefect.context.refresh_global_settings_context()
    prefect.logging.configuration.setup_logging(incremental=False)


def _watch_launcher(conn: socket.socket) -> None:
    while True:
        try:
            kind, number = protocol.receive(conn)
        except OSError:
            os.kill(os.getpid(), signal.SIGKILL)  # the launcher is gone: so is its run
            return
        if kind == protocol.SIGNAL:
            os.kill(os.getpid(), number)
