"""The artifacts the flows leave for the coordinators' Prefect view, built from plain values.

Every table row and markdown line a coordinator reads is written here, in Chinese, so the flow
bodies only say which artifact they leave and when.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rules.escalation import LEVEL_NAMES, RECIPIENT_NAMES, Level
from rules.obligations import LATE, STANDING_NAMES, Standing

OUTCOME_NAMES = {"accepted": "通过", "zero_report": "零报告", "rejected": "退回", "quarantined": "隔离（未登记地址，或多次处理失败）",
                 "misrouted": "拒收（编号不属于发件单位）", "opinion": "审核意见已登记",
                 "opinion_duplicate": "审核意见重复（未重复登记）", "opinion_late": "汇总后收到的审核意见（已标注）",
                 "error": "处理出错（留在收件箱，下次重试）", "complaint": "投诉已登记",
                 "failed": "处理失败（留在收件箱，下次重试）", "busy": "另一收取进程正在处理（本进程跳过）",
                 "dropped": "未登记地址今日隔离已达上限（未保存）", "automatic": "自动回复或退信（已记录，不回复）",
                 "address": "公布网址已登记"}


@dataclass(frozen=True)
class Table:
    rows: list[dict]
    description: str


def artifact_key(code: str) -> str:
    """Artifact keys allow only lowercase letters, digits and dashes."""
    return code.replace("_", "-")


# --- intake ---------------------------------------------------------------------------------------

def intake_table(results: list[dict]) -> Table:
    return Table(
        [{"发件人": r["sender"], "单位": r["org_code"], "结果": OUTCOME_NAMES.get(r["outcome"], r["outcome"]),
          "版本": r["version"] or "", "事项数": r["items"], "问题数": r["problems"],
          "重复邮件": "是" if r["already_seen"] else ""} for r in results],
        f"本次收取邮件 {len(results)} 封")


def kickoff_markdown(phase_code: str, to_call: int, delivery: dict[str, int]) -> str:
    return (f"# 阶段 {phase_code} 通知\n\n待报送单位 {to_call} 个；"
            f"本次发出 {delivery['sent']} 封，稍后重试 {delivery['deferred']} 封，失败 {delivery['failed']} 封。")


# --- review ---------------------------------------------------------------------------------------

def review_status_table(rows: list[dict], as_of: date) -> Table:
    return Table(
        [{"送审编号": r["submission_id"], "部门": r["org_name"], "送审材料": r["subject"], "版本": r["version"],
          **r["agencies"],
          "分歧事项": r["conflicts"], "进展": r["stage"], "汇总后来函": "是" if r["late_opinion"] else ""}
         for r in rows],
        f"截至 {as_of} 各部门清单、办事指南和证明事项清理表的并联审核进展")


# --- the daily sweep ------------------------------------------------------------------------------

def _cards(messages: list[dict]) -> list[dict]:
    return [m for m in messages if m["level"] >= Level.YELLOW]


def _ids(ids: list[int], limit: int = 20) -> str:
    return "、".join(map(str, ids[:limit])) + (f" 等 {len(ids)} 项" if len(ids) > limit else "")


def new_cards_table(messages: list[dict], as_of: date) -> Table:
    """One row per card message: an organisation, a rung, every obligation it named."""
    return Table(
        [{"单位": m["org_name"], "代码": m["org_code"], "级别": LEVEL_NAMES[Level(m["level"])], "事项数": len(m["obligation_ids"]),
          "事项": _ids(m["obligation_ids"]), "阶段": "、".join(m["phase_names"]),
          "发送对象": RECIPIENT_NAMES[m["to_role"]]} for m in _cards(messages)],
        f"{as_of} 新增黄牌、红牌和督查（每个单位每级一封通知）")


def sweep_summary_markdown(as_of: date, messages: list[dict], digest: dict) -> str:
    cards = _cards(messages)
    reminders = [m for m in messages if m["level"] < Level.YELLOW]
    return "\n".join([
        f"# 督办扫描 {as_of}", "",
        f"- 提醒 {sum(len(m['obligation_ids']) for m in reminders)} 项（{len(reminders)} 封），"
        f"新增黄牌/红牌/督查 {sum(len(m['obligation_ids']) for m in cards)} 项（{len(cards)} 封）",
        f"- 逾期 {digest['late']} 项，涉及 {digest['late_orgs']} 个单位；与上一个工作日相比变化 {digest['changes']} 项",
        f"- 改送上一级（联系人缺邮箱）{sum(1 for m in messages if m['skipped'])} 封",
        *_calendar_gap_lines(digest),
    ])


def _calendar_gap_lines(digest: dict) -> list[str]:
    undated, unopened = digest.get("undated", []), digest.get("unopened", [])
    lines = [f"- **{digest['calendar_warning']}**"] if digest.get("calendar_warning") else []
    if undated or unopened:
        lines += ["", "## 因工作日历未载入而暂未处理", ""]
        lines += [f"- 事项 {u['obligation_id']}：{u['org_name']}（{u['org_code']}）「{u['phase_name']}」，"
                  f"期限 {u['due'].isoformat()}，需要 {u['missing_year']} 年日历" for u in undated]
        lines += [f"- 第{u['task_number']}项 {u['period']} 自查报告未开启（期末 {u['period_end'].isoformat()}），"
                  f"需要 {u['missing_year']} 年日历" for u in unopened]
    return lines


def undated_table(digest: dict, as_of: date) -> Table:
    """What the day left out because a date it needs falls in a year not loaded yet."""
    return Table(
        [{"事项": u["obligation_id"], "单位": u["org_name"], "代码": u["org_code"], "阶段": u["phase_name"],
          "截止日期": u["due"].isoformat(), "缺少日历年份": u["missing_year"]} for u in digest.get("undated", [])]
        + [{"事项": f"第{u['task_number']}项 {u['period']} 自查报告（未开启）", "单位": "、".join(u["units"]),
            "代码": "", "阶段": "supervision", "截止日期": f"期末 {u['period_end'].isoformat()} 后",
            "缺少日历年份": u["missing_year"]} for u in digest.get("unopened", [])],
        f"{as_of} 因工作日历未载入而暂未处理的事项")


def progress_table(done_by_phase: dict[str, tuple[str, int, int]], as_of: date) -> Table:
    """Each phase's progress in one table: (name, done, total) by phase code. One artifact, where a
    progress bar per phase made the server write one for every phase on every working day."""
    return Table([{"阶段": name, "已完成": done, "共计": total, "完成率": f"{100 * done / (total or 1):.0f}%"}
                  for name, done, total in done_by_phase.values()], f"截至 {as_of} 各阶段完成情况")


# --- the campaign's standing ----------------------------------------------------------------------

def standing_table(phases: list[dict], by_phase: dict[str, dict[str, int]], as_of: date) -> Table:
    return Table(
        [{"阶段": phase["name"], "截止日期": phase["deadline"] or "—",
          **{STANDING_NAMES[s]: by_phase.get(phase["code"], {}).get(s, 0) for s in Standing}}
         for phase in phases if phase["code"] in by_phase],
        f"截至 {as_of} 各阶段进展")


def overdue_markdown(obligations: list[dict], as_of: date) -> str:
    late = [o for o in obligations if o["standing"] in LATE]
    lines = [f"# 截至 {as_of}", "", f"逾期事项 {len(late)} 项", ""]
    lines += [f"- {o['org_name']}：{o['phase']}（期限 {o['due']}）" for o in late]
    return "\n".join(lines)
