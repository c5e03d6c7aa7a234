"""`reform dashboard`: the coordinators' web dashboard over the registry."""
from __future__ import annotations

from typing import Annotated

import typer

from reform.common import AsOf, console, database_url, parse_date


def dashboard(
    host: Annotated[str, typer.Option("--host", help="监听地址，默认只在本机（127.0.0.1）")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口")] = 8000,
    as_of: AsOf = None,
) -> None:
    """启动协调看板（网页和 /api/ 接口）：各单位对照各阶段的红黄绿灯、单位详情、审核协调、延误排名、区县汇总。"""
    from registry.campaign import service as campaign  # noqa: PLC0415 - slow import, see reform.common

    url = database_url()
    campaign.require_registry(url)  # refused before the server starts, as every command does
    import uvicorn  # noqa: PLC0415 - the server is loaded only to serve

    from dashboard.app import create_app  # noqa: PLC0415 - imports the registry
    from dashboard.settings import dashboard_settings  # noqa: PLC0415 - reads the environment

    app = create_app(url, dashboard_settings(), as_of=parse_date(as_of) if as_of else None)
    console.print(f"协调看板：http://{host}:{port}/ （Ctrl+C 停止）", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="warning")
