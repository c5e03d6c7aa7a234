"""`reform directory import|export`: the organisation directory as a file people can edit."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reform.common import console, database_url, writable_target

app = typer.Typer(help="组织目录：导入、导出。", no_args_is_help=True)


@app.command("import")
def directory_import(
    file: Annotated[Path, typer.Argument(help=".yaml 或 .xlsx 目录文件")],
    district: Annotated[str | None, typer.Option(
        "--district", help="文件是某区县自己的目录（区划代码或简称，例如 210102、和平区）：其中单位都归该区县政府")] = None,
) -> None:
    """用文件替换组织目录中的单位和联系人（按代码新增或更新，全部校验通过才写入）。"""
    from registry.directory import service as directory  # noqa: PLC0415 - slow import, see reform.common

    done = directory.import_directory(database_url(), file, district)
    whose = f"（区县 {district}）" if district else ""
    console.print(f"已导入 {file}{whose}：共 {done.organisations} 个单位，新增 {done.added}，更新 {done.updated}。")


@app.command("export")
def directory_export(file: Annotated[Path, typer.Argument(help=".yaml 或 .xlsx")]) -> None:
    """把组织目录导出为文件，供修改后再导入。"""
    from registry.directory import service as directory  # noqa: PLC0415 - slow import, see reform.common

    count = directory.export_directory(database_url(), writable_target(file))
    console.print(f"已导出 {count} 个单位到 {file}")
