"""Importing, once, what every flow run would import: Prefect, its engine and the project's flows.

Fork copies only the thread that calls it, so the pre-started process must have no other thread
when it forks: a lock held by a vanished thread would stay held in every child. Importing Prefect
and the flow modules starts no thread and no event loop, except OpenBLAS (numpy, through pandas),
which starts a pool of threads when it loads unless told to use one. Nor may it hold a
connection (to a database, to Prefect's API): every child would talk over the same one.

What is imported is then frozen out of the garbage collector's sight: a child's collections
would otherwise walk the quarter of a million objects of the preload again and again, and
copy every page they touch.
"""
from __future__ import annotations

import gc
import importlib
import os
from pathlib import Path

# What `python -m prefect.engine` imports before it runs a flow.
ENGINE_MODULES = ("prefect", "prefect.engine", "prefect.flow_engine", "prefect.deployments.steps")
# And what it imports only once a flow runs (seen in Prefect 3.9.1): private names, so skipped
# when a later Prefect has moved them.
RUN_MODULES = ("prefect.task_engine", "prefect.utilities.visualization", "prefect.concurrency.services",
               "prefect._internal.states", "anyio._backends._asyncio", "anyio.streams.tls", "encodings.idna")
NATIVE_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


class ThreadsStarted(RuntimeError):
    """Something imported started a thread: forking this process would not be safe."""


def preload(modules: list[str]) -> None:
    for name in NATIVE_THREAD_VARIABLES:
        os.environ[name] = "1"  # read when the library loads, which is below
    for name in (*ENGINE_MODULES, *modules):
        importlib.import_module(name)
    for name in RUN_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    _check_single_threaded()
    _check_no_connections()
    gc.collect()
    gc.freeze()


class ConnectionsOpened(RuntimeError):
    """Something imported opened a connection, which every child would then share."""


def _check_no_connections() -> None:
    fds = Path("/proc/self/fd")
    # Its own standard streams may be sockets (a journal, a supervisor): those are not shared state.
    sockets = [fd.name for fd in fds.iterdir()
               if int(fd.name) > 2 and _target(fd).startswith("socket:")] if fds.is_dir() else []
    if sockets:
        raise ConnectionsOpened(f"预加载后进程打开了 {len(sockets)} 个连接（文件描述符 {', '.join(sockets)}），子进程会共用它们")


def _target(fd: Path) -> str:
    try:
        return os.readlink(fd)
    except OSError:
        return ""


def _check_single_threaded() -> None:
    tasks = list(Path("/proc/self/task").iterdir()) if Path("/proc/self/task").is_dir() else []
    if len(tasks) > 1:
        names = sorted((task / "comm").read_text().strip() for task in tasks)
        raise ThreadsStarted(f"预加载后进程有 {len(tasks)} 个线程（{', '.join(names)}），不能安全地 fork")
