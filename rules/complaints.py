"""Complaints and applicant evaluations (item 14): the states a complaint goes through. Pure."""
from __future__ import annotations

from enum import StrEnum

from core.errors import UserError

# The plan's 限时办结 for a complaint answer; a campaign may set complaint_response_working_days.
DEFAULT_RESPONSE_WORKING_DAYS = 15


class ComplaintState(StrEnum):
    UNASSIGNED = "unassigned"  # no department, or an unknown one: the coordinator assigns it
    ASSIGNED = "assigned"  # a department owes an answer (an obligation in the complaints phase)
    ANSWERED = "answered"
    EVALUATED = "evaluated"  # the complainant rated the answer


class Evaluation(StrEnum):
    """The complainant's evaluation on five levels (申请人评议)."""

    VERY_SATISFIED = "非常满意"
    SATISFIED = "满意"
    NEUTRAL = "基本满意"
    DISSATISFIED = "不满意"
    VERY_DISSATISFIED = "非常不满意"


class ComplaintError(UserError, ValueError):
    """A complaint command that cannot be applied, with the reason in Chinese."""


def parse_evaluation(text: str) -> Evaluation:
    try:
        return Evaluation(text.strip())
    except ValueError:
        levels = "、".join(e.value for e in Evaluation)
        raise ComplaintError(f"评价“{text}”不在五个等级之内：{levels}") from None
