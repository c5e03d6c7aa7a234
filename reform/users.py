"""`reform user add`: a user of the coordinators' dashboard, with a one-time password and an API token."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import typer

from reform.common import Format, OutputFormat, console, database_url, print_json

app = typer.Typer(help="看板用户：添加用户，给出一次性密码和接口令牌。", no_args_is_help=True)


class RoleChoice(StrEnum):
    """The roles of registry.users.service.Role, spelt here so that `--help` need not load the registry."""

    CITY = "city"
    DISTRICT = "district"
    AGENCY = "agency"
    VIEWER = "viewer"


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="用户名（登录时输入，审计日志中记为操作人）")],
    role: Annotated[RoleChoice, typer.Option("--role", help="角色：city 市级协调人，district 区县协调人，"
                                                            "agency 审核机构，viewer 只读")],
    district: Annotated[str, typer.Option("--district", help="区县代码（GB/T 2260，例如 210102）或简称：区县用户必填，"
                                                             "只读用户可选（只看该区县）")] = "",
    org: Annotated[str, typer.Option("--org", help="单位代码：审核机构用户必填（例如 fzb）")] = "",
    output: Format = OutputFormat.TABLE,
) -> None:
    """添加一个看板用户，打印一次性密码（首次登录后须改密码）和接口令牌（只显示这一次）。"""
    from registry.users import service as users  # noqa: PLC0415 - slow import, see reform.common

    made = users.add_user(database_url(), name, role.value, datetime.now(), district=district, org=org)
    if output is OutputFormat.JSON:
        print_json({"name": made.user.name, "role": made.user.role, "district": made.user.district or None,
                    "org": made.user.org or None, "password": made.password, "token": made.token})
        return
    where = f"（区县 {made.user.district}）" if made.user.district else ""
    console.print(f"已添加用户 {made.user.name}：{made.user.role_name}{where}", highlight=False, soft_wrap=True)
    console.print(f"一次性密码：{made.password}（首次登录后须设置新密码）", highlight=False, soft_wrap=True)
    console.print(f"接口令牌：{made.token}（只显示这一次，请求头 Authorization: Bearer <令牌>）", highlight=False,
                  soft_wrap=True)
