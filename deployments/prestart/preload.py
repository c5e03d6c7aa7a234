"""Importing, once, what every flow run would import: Prefect, its engine and the project's flows.

Fork copies only the thread that calls it, so the pre-started process must have no other thread
when it forks: a lock held by a vanished thread would stay held in every child. Importing Prefect
and the flow modules starts no thread and no event loop, except OpenBLAS (numpy, through pandas),
which starts a pool of threads when it loads unless told to use one.
"""
from __future__ import annotations

import importlib
import os
from pathlib import Path

# What `python -m prefect.engine` imports before it runs a flow.
ENGINE_MODULES = ("prefect", "prefect.engine", "prefect.flow_engine", "prefect.deployments.steps")
NATIVE_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


class ThreadsStarted(RuntimeError):
    """Something imported started a thread: forking this process would not be safe."""


def preload(modules: list[str]) -> None:
    for name in NATIVE_THREAD_VARIABLES:
        os.environ[name] = "1"  # read when the library loads, which is below
    for name in (*ENGINE_MODULES, *modules):
        importlib.import_module(name)
    _check_single_threaded()


def _check_single_threaded() -> None:
    tasks = list(Path("/proc/self/task").iterdir()) if Path("/proc/self/task").is_dir() else []
    if len(tasks) > 1:
        names = sorted((task / "comm").read_text().strip() for task in tasks)
        raise ThreadsStarted(f"预加载后进程有 {len(tasks)} 个线程（{', '.join(names)}），不能安全地 fork")
