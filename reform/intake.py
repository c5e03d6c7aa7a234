"""`reform template`, `reform submit`, `reform kickoff` and `reform intake`: intake from the command line."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from reform.common import CampaignCode, ExitCode, console, database_url, prefect_server_configured, writable_target


def template(
    phase: Annotated[str, typer.Argument(help="阶段代码，例如 inventory")],
    org: Annotated[str, typer.Option("--org", help="单位代码，例如 jyj")],
    out: Annotated[Path, typer.Option("--out", help="输出文件（.xlsx）")],
) -> None:
    """生成某单位在某阶段的报送模板（封面已填好单位、期限和回复地址）；没有模板的阶段会说明并列出有模板的阶段。"""
    from registry.intake import service as intake  # noqa: PLC0415 - slow import, see reform.common

    writable_target(out)
    made = intake.template_for(database_url(), org, datetime.now(), phase)
    out.write_bytes(made.content)
    console.print(f"已生成模板：{out}")


def submit(
    file: Annotated[Path, typer.Argument(help="报送的文件：清单、办事指南或证明事项清理表工作簿（.xlsx），或工作方案（PDF、DOCX、OFD）")],
    org: Annotated[str, typer.Option("--org", help="报送单位代码")],
    phase: Annotated[str | None, typer.Option(
        "--phase", help="阶段代码（inventory、guides、certificates……）；不填时为部门的 inventory，或区县的工作方案")] = None,
    attach: Annotated[list[Path] | None, typer.Option(
        "--attach", help="办事指南中写明的空白表格、示范文本等附件，可多次使用")] = None,
) -> None:
    """登记通过其他途径收到的报送材料：与邮件报送相同的校验，打印回执；通过退出码 0，未通过退出码 1。"""
    from registry.intake import service as intake  # noqa: PLC0415 - slow import, see reform.common

    result = intake.submit_file(database_url(), org, file, datetime.now(), phase_code=phase, attached=attach or ())
    console.print(result.receipt, highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(ExitCode.DONE if result.outcome in ("accepted", "zero_report") else ExitCode.REJECTED)


def kickoff(phase: Annotated[str, typer.Argument(help="阶段代码")] = "inventory", campaign_code: CampaignCode = None) -> None:
    """向本阶段每个待报送单位发出通知（写明本阶段要报送什么，有模板的附上模板；每个单位只发一次，重复运行安全）。"""
    from registry.campaign import service as campaign  # noqa: PLC0415 - slow import, see reform.common
    from registry.intake import service as intake  # noqa: PLC0415 - slow import, see reform.common

    # Before anything runs: an unknown phase would otherwise run the whole flow to call nobody.
    campaign.require_phase(database_url(), phase, campaign_code)
    intake.require_called_phase(database_url(), phase, campaign_code)
    if prefect_server_configured():
        import asyncio  # noqa: PLC0415 - only the running needs it, see reform.common

        from flows.kickoff import kickoff_flow  # noqa: PLC0415 - Prefect is slow to import

        result = asyncio.run(kickoff_flow(phase, campaign=campaign_code))
    else:
        from tasks.one_shot import kick_off  # noqa: PLC0415 - slow import, see reform.common

        result = kick_off(phase, campaign_code)
    console.print(f"通知 {result['calls']} 个单位；本次发出 {result['sent']} 封，稍后重试 {result['deferred']} 封，"
                  f"失败 {result['failed']} 封（失败的已告知市编委办）。")


def intake(
    once: Annotated[bool, typer.Option("--once", help="立即收取一次后退出；不加则每 5 分钟收取一次")] = False,
) -> None:
    """收取报送邮箱：校验工作簿、登记、发回执。"""
    from registry.campaign import service as campaign  # noqa: PLC0415 - slow import, see reform.common

    # Before anything runs: otherwise every poll of a long run fails the same way, in its log.
    campaign.require_registry(database_url())
    if not once:
        # Against the configured server (PREFECT_API_URL) as it is: no embedded one for a long run.
        from prefect import serve  # noqa: PLC0415 - Prefect is slow to import

        from deployments.intake import intake_deployment  # noqa: PLC0415 - imports Prefect

        serve(intake_deployment())
        return
    from flows.artifacts import OUTCOME_NAMES  # noqa: PLC0415 - loaded only to print the outcomes

    if prefect_server_configured():
        import asyncio  # noqa: PLC0415 - only the running needs it, see reform.common

        from flows.intake import intake_flow  # noqa: PLC0415 - Prefect is slow to import

        results = asyncio.run(intake_flow())
    else:
        from tasks.one_shot import take_in_mailbox  # noqa: PLC0415 - slow import, see reform.common

        results = take_in_mailbox()
    console.print(f"收取邮件 {len(results)} 封。")
    for r in results:
        seen = "（重复邮件，已忽略）" if r["already_seen"] and r["outcome"] != "busy" else ""
        console.print(f"  {r['sender'] or '（无发件人）'}：{OUTCOME_NAMES.get(r['outcome'], r['outcome'])}{seen}",
                      highlight=False, markup=False)
