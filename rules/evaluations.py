"""好差评 (item 14): which levels are 差评, the states a case goes through and what each step needs. Pure.

A 差评 opens a case. It is verified first: founded, it is rectified by the unit within the phase's
working days and closed by a 回访; unfounded, the reason is reviewed by 市政府办公厅, whose
disagreement makes it founded. The evaluator may appeal once, which reopens a closed case.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum

from core.errors import UserError
from rules.complaints import Evaluation

BAD_LEVELS = frozenset({Evaluation.DISSATISFIED, Evaluation.VERY_DISSATISFIED})

# Before the rectification (the phase's working days), the unit verifies the 差评 and 市政府办公厅
# reviews an unfounded finding, each an obligation of its own so that no case waits off the ladder.
# A campaign may set evaluation_verify_working_days / evaluation_review_working_days.
DEFAULT_VERIFY_WORKING_DAYS = 5
DEFAULT_REVIEW_WORKING_DAYS = 5


class Source(StrEnum):
    TERMINAL = "terminal"  # the hall's evaluation terminals, imported from their export
    COMPLAINT = "complaint"  # a complainant rating the answer
    VISIT = "visit"  # the evaluator's answer to a 回访


class CaseState(StrEnum):
    VERIFYING = "verifying"  # 待核实
    REVIEWING = "reviewing"  # found unfounded, waiting for 市政府办公厅
    RECTIFYING = "rectifying"  # founded: the unit owes a rectification (an obligation)
    RECTIFIED = "rectified"  # rectification recorded, waiting for the 回访
    CLOSED = "closed"  # rectified and visited
    UNFOUNDED = "unfounded"  # unfounded, and 市政府办公厅 agreed


CASE_STATE_NAMES = {
    CaseState.VERIFYING: "待核实", CaseState.REVIEWING: "不属实待复核", CaseState.RECTIFYING: "整改中",
    CaseState.RECTIFIED: "已整改待回访", CaseState.CLOSED: "已办结", CaseState.UNFOUNDED: "不属实已办结",
}
CLOSED_CASES = frozenset({CaseState.CLOSED, CaseState.UNFOUNDED})


class EvaluationError(UserError, ValueError):
    """An evaluation command that cannot be applied, with the reason in Chinese."""


def is_bad(level: str) -> bool:
    return level in BAD_LEVELS


def _refuse(case_id: int, state: str, doing: str) -> EvaluationError:
    return EvaluationError(f"第 {case_id} 号差评案件{CASE_STATE_NAMES[CaseState(state)]}，不能{doing}")


def check_verify(case_id: int, state: str) -> None:
    if state != CaseState.VERIFYING:
        raise _refuse(case_id, state, "核实")


def check_review(case_id: int, state: str) -> None:
    if state != CaseState.REVIEWING:
        raise _refuse(case_id, state, "复核（只复核核实为不属实的案件）")


def check_rectified(case_id: int, state: str) -> None:
    if state != CaseState.RECTIFYING:
        raise _refuse(case_id, state, "记录整改（只记录核实属实、正在整改的案件）")


def check_visit(case_id: int, state: str) -> None:
    if state == CaseState.RECTIFYING:
        raise EvaluationError(f"第 {case_id} 号差评案件尚未整改，回访须在整改之后"
                              f"（先运行 reform evaluations rectified {case_id} --note …）")
    if state != CaseState.RECTIFIED:
        raise _refuse(case_id, state, "回访")


def check_appeal(case_id: int, state: str, appealed: bool) -> None:
    if appealed:
        raise EvaluationError(f"第 {case_id} 号差评案件已申诉复核过一次，不能再次申诉")
    if state not in CLOSED_CASES:
        raise _refuse(case_id, state, "申诉（申诉针对已办结的案件）")


def check_reason(reason: str, what: str) -> str:
    if not reason.strip():
        raise EvaluationError(f"{what}不能为空")
    return reason.strip()


_MOMENT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2}))?秒?)?$")


def parse_moment(text: str) -> datetime | None:
    """An evaluation time as the terminals write it (2017-01-05 10:30, 2017/1/5, 2017年1月5日); None if not."""
    match = _MOMENT.match(text.strip())
    if not match:
        return None
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in match.groups())
    try:
        return datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None


def parse_month(text: str) -> date:
    """The first day of a month written 2017-01."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if match and 1 <= int(match.group(2)) <= 12:
        return date(int(match.group(1)), int(match.group(2)), 1)
    raise EvaluationError(f"月份“{text}”格式不对，应写作 2017-01")


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)
