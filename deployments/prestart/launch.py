"""The flow run's command on a process worker: ``python -m deployments.prestart.launch [FLOW_RUN_ID]``.

It hands the run (environment, argv, working directory, standard streams) to the worker's
pre-started process, whose socket it finds in REFORM_PRESTART_SOCKET (or ``--socket PATH`` given
first), forwards SIGTERM, SIGINT and SIGHUP to the run, and exits as the run exited. When no
pre-started process takes the run (no socket, a stale one, no answer in time), it becomes
``python -m prefect.engine`` itself with the same environment: the handover only saves time,
and a run never depends on it.

The pre-started process does not start the run until this launcher has said GO, and the launcher
never falls back after it has: a run is started once, by one of the two.
"""
from __future__ import annotations

import os
import signal
import socket
import sys

from deployments.prestart import protocol

# Forking and taking the request takes milliseconds; a pre-started process that has not answered
# by then is stuck, and the plain engine is the faster way.
READY_TIMEOUT_SECONDS = 10.0
FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def main(argv: list[str]) -> None:
    path, engine_args = _socket_path(argv)
    conn = _hand_over(path, engine_args) if path else None
    if conn is None:
        os.execv(sys.executable, [sys.executable, "-m", "prefect.engine", *engine_args])
    _exit_as(_wait_for_the_run(conn))


def _socket_path(argv: list[str]) -> tuple[str, list[str]]:
    if argv[:1] == ["--socket"] and len(argv) >= 2:
        return argv[1], argv[2:]
    return os.environ.get(protocol.SOCKET_VARIABLE, ""), argv


def _hand_over(path: str, engine_args: list[str]) -> socket.socket | None:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.settimeout(READY_TIMEOUT_SECONDS)
        conn.connect(path)
        streams = [fd for fd in protocol.STREAMS if protocol.is_open(fd)]
        protocol.send_request(conn, {
            "environ": dict(os.environ), "argv": engine_args, "cwd": os.getcwd(), "umask": _umask(),
            "streams": streams,
        }, streams)
        kind, _pid = protocol.receive(conn)
        if kind != protocol.READY:
            raise ConnectionError(f"expected READY, got {kind!r}")
        # Forwarding starts before GO so that no signal falls between the two.
        for signum in FORWARDED_SIGNALS:
            signal.signal(signum, lambda signum, _frame: _forward(conn, signum))
        protocol.send(conn, protocol.GO)
    except OSError:  # missing, stale or stuck: the plain engine runs the flow instead
        for signum in FORWARDED_SIGNALS:
            signal.signal(signum, signal.SIG_DFL)
        conn.close()
        return None
    conn.settimeout(None)
    return conn


def _wait_for_the_run(conn: socket.socket) -> int:
    while True:
        try:
            kind, number = protocol.receive(conn)
        except protocol.Closed:
            print("预启动进程未报告本次流程运行的退出状态（该进程已退出？）", file=sys.stderr)
            return 1
        if kind == protocol.STATUS:
            return number


def _forward(conn: socket.socket, signum: int) -> None:
    try:
        protocol.send(conn, protocol.SIGNAL, signum)
    except OSError:
        pass  # the run has ended; its status is on its way


def _exit_as(returncode: int) -> None:
    if returncode < 0:
        # Killed by a signal: end the same way, so the worker reads what it would from the engine.
        signal.signal(-returncode, signal.SIG_DFL)
        os.kill(os.getpid(), -returncode)
        returncode = 128 - returncode
    os._exit(returncode)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


if __name__ == "__main__":
    main(sys.argv[1:])
