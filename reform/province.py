"""`reform province generate`: a province (Liaoning's 14 cities and their districts) to try the project on."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from core.errors import UserError
from reform.common import MissingFolder, console

app = typer.Typer(help="省级示例数据：生成各市、区县的组织目录和工作方案，供 reform init --plans 载入。", no_args_is_help=True)


class BadProvinceSizes(UserError, ValueError):
    pass


@app.command("generate")
def province_generate(
    out: Annotated[Path, typer.Option("--out", file_okay=False, help="写到哪个目录（上级目录须已存在，本目录不存在则新建）")],
    cities: Annotated[int, typer.Option("--cities", help="市的个数（1–14，从沈阳市起按区划代码顺序）")] = 14,
    districts_per_city: Annotated[int | None, typer.Option(
        "--districts-per-city", help="每市的区县个数，默认各市实有的区县数")] = None,
    departments: Annotated[int, typer.Option(
        "--departments", help="沈阳以外每市的部门数（另有编委办等四家审核机构、政府办公厅和大数据局），上下浮动一成")] = 60,
    district_departments: Annotated[int, typer.Option(
        "--district-departments", help="每个区县的部门数（另有四家审核机构和政府办公室），上下浮动一成")] = 40,
    townships: Annotated[int, typer.Option(
        "--townships", help="沈阳以外每个区县的街道办事处（县为乡镇人民政府）个数")] = 40,
    seed: Annotated[int, typer.Option("--seed", help="随机种子：同一种子生成的文件完全相同")] = 2016,
) -> None:
    """生成一个省（辽宁省）的示例数据：各市、区县的组织目录、工作方案和清单 province.yaml（沈阳市即随附的示例）。"""
    from registry.province import service as province  # noqa: PLC0415 - slow import, see reform.common

    if not out.parent.is_dir():
        raise MissingFolder(f"目录不存在：{out.parent}")
    if out.exists() and not out.is_dir():
        raise BadProvinceSizes(f"--out 应为目录，{out} 是一个文件")
    try:
        made = province.generate_province(out, province.Sizes(cities, districts_per_city, departments,
                                                              district_departments, townships), seed)
    except province.BadSizes as error:
        raise BadProvinceSizes(str(error)) from None
    kinds = made["by_kind"]
    console.print(f"已写出 {made['folder']}：{made['cities']} 个市、{made['districts']} 个区县、{made['campaigns']} 个工作方案，"
                  f"单位 {made['organisations']} 个（部门 {kinds.get('department', 0)}、区县政府 {kinds.get('district', 0)}、"
                  f"国有企业 {kinds.get('enterprise', 0)}）。载入：reform init --plans {out}", highlight=False, soft_wrap=True)
