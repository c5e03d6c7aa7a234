"""The hall terminals' export taken in: every row tied to a unit and an item of the newest approved
list version, or the whole file refused with every problem (一次性告知, nothing half-imported)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.problems import Problem
from registry.campaign.tables import Campaign
from registry.directory.tables import Organisation
from registry.evaluations.cases import person, record_evaluation
from registry.evaluations.tables import Evaluation
from registry.review.approval import item_code
from registry.review.tables import ApprovedListVersion
from rules.cell_text import fold, refusal
from rules.complaints import Evaluation as Level
from rules.evaluations import Source, parse_moment
from workbooks.evaluations_file import ITEM_CODE, ITEM_NAME, LEVEL, TIME, UNIT, read_evaluations

LEVELS = "、".join(e.value for e in Level)


@dataclass
class Imported:
    evaluations: int = 0
    cases: list[int] = field(default_factory=list)  # the cases the file's 差评 opened
    problems: list[Problem] = field(default_factory=list)


def _units(session: Session) -> dict[str, Organisation]:
    units = {}
    for org in session.scalars(select(Organisation)):
        for label in (org.code, org.name, org.short_name):
            units.setdefault(fold(label), org)
    return units


def _items(version: ApprovedListVersion) -> dict[str, tuple[str, str]]:
    """Item code -> (org code, item name) in the version."""
    return {item_code(code, n): (code, item["name"]) for code, items in version.snapshot.items()
            for n, item in enumerate(items, start=1)}


def import_file(session: Session, campaign: Campaign, content: bytes, filename: str, now: datetime,
                actor: str) -> Imported:
    result = Imported()
    parsed = read_evaluations(content, filename)
    if parsed.problems:
        result.problems = parsed.problems
        return result
    digest = hashlib.sha256(content).hexdigest()[:32]
    if session.scalar(select(Evaluation.id).where(Evaluation.source_ref.like(f"{digest}:%")).limit(1)):
        result.problems.append(Problem("这个文件已经导入过", "同一导出文件只导入一次；新的评价请导出新的文件", file=filename))
        return result
    version = session.scalar(select(ApprovedListVersion).where(ApprovedListVersion.campaign_id == campaign.id)
                             .order_by(ApprovedListVersion.version.desc()).limit(1))
    if version is None:
        result.problems.append(Problem("尚无审定的公共服务事项清单，评价无法对应事项", "清单审定（reform approve）后再导入",
                                       file=filename))
        return result
    units, items = _units(session), _items(version)
    by_name = {(org, fold(name)): code for code, (org, name) in items.items()}
    ready = []
    for row, values in parsed.rows:
        def problem(what: str, fix: str, column: str, row: int = row) -> None:
            result.problems.append(Problem(what, fix, row=row, column=column, file=filename, line=row))

        moment = parse_moment(values.get("time", ""))
        if moment is None:
            problem(refusal(values.get("time", ""), "不是日期时间", label="评价时间"),
                    "写作 2017-01-05 10:30 或 2017-01-05", TIME)
        org = units.get(fold(values.get("unit", "")))
        if org is None:
            problem(refusal(values.get("unit", ""), "不在组织目录中", label="办理单位"),
                    "填写单位代码或全称（见 reform directory export）", UNIT)
        level = next((e.value for e in Level if e.value == fold(values.get("level", ""))), None)
        if level is None:
            problem(refusal(values.get("level", ""), "不在五个等级之内", label="评价等级"), f"只能是：{LEVELS}", LEVEL)
        code = fold(values.get("item_code", "")).upper()
        name = values.get("item_name", "")
        if code:
            if code not in items:
                problem(f"事项编码「{code}」不在第 {version.version} 版已审定清单中", "按已审定清单填写事项编码", ITEM_CODE)
                code = ""
            elif org is not None and items[code][0] != org.code:
                problem(f"事项「{code}」属于 {items[code][0]}，不是「{values['unit']}」的事项",
                        "核对办理单位与事项编码", ITEM_CODE)
        elif not name.strip():
            problem("没有填写事项编码或事项名称", "至少填写一项，用以对应已审定清单中的事项", ITEM_CODE)
        elif org is not None:
            code = by_name.get((org.code, fold(name)), "")
            if not code:
                problem(f"「{org.short_name or org.name}」第 {version.version} 版已审定清单中没有事项「{name.strip()}」",
                        "按已审定清单中的名称填写，或改填事项编码", ITEM_NAME)
        if moment and org and level and code:
            ready.append((row, moment, org, level, code, values))
    if result.problems:
        return result
    for row, moment, org, level, code, values in ready:
        who = person(session, values.get("person", ""), values.get("phone", ""))
        _, case = record_evaluation(session, campaign, source=Source.TERMINAL, at=moment, level=level,
                                    org_id=org.id, item_code=code, item_name=items[code][1],
                                    text=values.get("text", ""), person_id=who.id if who else None,
                                    source_ref=f"{digest}:{row}", actor=actor, opened_on=now.date())
        result.evaluations += 1
        if case is not None:
            result.cases.append(case.id)
    return result
