"""The pre-started process: it listens on a Unix socket and forks one child per flow run.

The parent does nothing but accept, fork, reap and report: it never reads a request (the child
does, so a slow launcher holds up only its own run) and never runs Prefect code, so it stays a
single thread and every child starts from the same clean state. Each child's exit status goes
to its launcher as soon as the child is reaped; no child is left a zombie.

Only the user the process runs as may connect (the socket is 0600, and the peer's uid is
checked): a request names the environment code runs with.
"""
from __future__ import annotations

import os
import selectors
import signal
import socket
import struct
import sys
from pathlib import Path

from deployments.prestart import protocol

_PEER_CREDENTIALS = struct.Struct("3i")


class SocketInUse(RuntimeError):
    """Another pre-started process answers on that socket."""


def serve(path: Path) -> socket.socket | None:
    """Take flow runs on ``path`` until SIGTERM or SIGINT, then wait for the runs under way.

    Returns None in the pre-started process once it has stopped; in each forked child it returns
    the child's connection to its launcher, for ``child.run``.
    """
    me = os.getpid()
    listener = _listen(path)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    stopping = []
    previous_wakeup = signal.set_wakeup_fd(wake_write, warn_on_full_buffer=False)
    signal.signal(signal.SIGCHLD, lambda _signum, _frame: None)  # only to wake the selector
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda signum, _frame: stopping.append(signum))
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(wake_read, selectors.EVENT_READ)
    runs: dict[int, socket.socket] = {}
    _say(f"预启动进程 {me} 已就绪：{path}")
    try:
        while not stopping or runs:
            if stopping and listener.fileno() != -1:
                selector.unregister(listener)
                _close_listener(listener, path)
                _say(f"预启动进程 {me} 不再接受新的流程运行，等待 {len(runs)} 个运行结束")
            for key, _events in selector.select():
                if key.fileobj is listener:
                    conn = _accept(listener)
                    if conn is None:
                        continue
                    sys.stdout.flush()
                    sys.stderr.flush()
                    pid = os.fork()
                    if pid == 0:
                        selector.close()
                        listener.close()
                        os.close(wake_read)
                        os.close(wake_write)
                        for other in runs.values():
                            other.close()
                        _restore_signals(previous_wakeup)
                        return conn
                    runs[pid] = conn
                    _say(f"子进程 {pid} 开始一次流程运行")
                else:
                    _drain(wake_read)
            _reap(runs)
    finally:
        if os.getpid() == me:
            selector.close()
            _close_listener(listener, path)
            for conn in runs.values():
                conn.close()
            os.close(wake_read)
            os.close(wake_write)
            _restore_signals(previous_wakeup)
    _say(f"预启动进程 {me} 已停止")
    return None


def _listen(path: Path) -> socket.socket:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_socket():
        if _answers(path):
            raise SocketInUse(f"已有预启动进程在 {path} 上运行")
        path.unlink()  # left by a process that was killed
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_mask = os.umask(0o177)  # 0600 from the moment it exists
    try:
        listener.bind(str(path))
    finally:
        os.umask(old_mask)
    listener.listen(128)
    listener.setblocking(False)
    return listener


def _answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def _accept(listener: socket.socket) -> socket.socket | None:
    try:
        conn, _address = listener.accept()
    except (BlockingIOError, InterruptedError):
        return None
    _pid, uid, _gid = _PEER_CREDENTIALS.unpack(
        conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _PEER_CREDENTIALS.size))
    if uid != os.getuid():
        conn.close()
        return None
    conn.setblocking(True)
    return conn


def _reap(runs: dict[int, socket.socket]) -> None:
    while True:
        try:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn = runs.pop(pid, None)
        if conn is None:
            continue
        returncode = os.waitstatus_to_exitcode(status)
        _say(f"子进程 {pid} 结束，返回码 {returncode}，CPU {usage.ru_utime + usage.ru_stime:.2f} 秒")
        try:
            protocol.send(conn, protocol.STATUS, returncode)
        except OSError:
            pass  # the launcher is gone (it was killed, and so was the run)
        conn.close()


def _close_listener(listener: socket.socket, path: Path) -> None:
    if listener.fileno() == -1:
        return
    listener.close()
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass


def _restore_signals(previous_wakeup: int) -> None:
    signal.set_wakeup_fd(previous_wakeup)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
