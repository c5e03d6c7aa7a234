"""``python -m deployments.prestart serve --socket PATH [--preload MODULE ...]``: the pre-started
process beside one process worker.

Start it with the same environment as its worker (in particular the same interpreter and
checkout), and start the worker with REFORM_PRESTART_SOCKET=PATH so that the launchers it runs
find it. Without --preload it imports every module of the project's ``flows`` package.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import pkgutil
import sys
from pathlib import Path

from deployments.prestart import child
from deployments.prestart.preload import ConnectionsOpened, ThreadsStarted, preload
from deployments.prestart.server import SocketInUse, serve


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    start_directory = os.getcwd()
    try:
        preload(args.preload or project_flow_modules())
        conn = serve(Path(args.socket).absolute())
    except (ThreadsStarted, ConnectionsOpened, SocketInUse) as problem:
        print(f"错误：{problem}", file=sys.stderr)
        return 2
    if conn is None:
        return 0
    # In a forked child, outside every frame of the server's loop: the run ends this process
    # as it would end `python -m prefect.engine`.
    child.run(conn, start_directory)
    return 0


def project_flow_modules() -> list[str]:
    spec = importlib.util.find_spec("flows")
    locations = spec.submodule_search_locations if spec else None
    return sorted(f"flows.{module.name}" for module in pkgutil.iter_modules(locations or []))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m deployments.prestart", description="为一个进程 worker 预启动流程运行：预先导入 Prefect 与流程模块，每次运行 fork 一个子进程。")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("serve", help="在 Unix socket 上接受流程运行")
    command.add_argument("--socket", required=True, help="Unix socket 路径（worker 的 REFORM_PRESTART_SOCKET）")
    command.add_argument("--preload", nargs="+", default=[], metavar="MODULE",
                         help="预先导入的模块（默认：flows 包中的全部模块）")
    return parser


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
