"""A district's (or a regulator's) plan, made from the template the city plan derives for it.

The template names the district's own organisations by code (``{code}-bwb``), so that every flow
runs a district's campaign the way it runs the city's. A district coordinator may change the
deadlines in a copy of it; the copy is refused, every problem at once, when a deadline falls after
the city plan's milestone for the districts or before an earlier phase of the district's own.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from core.problems import Problem
from registry.campaign.plan import PlanError, PlanSpec, plan_from_text
from registry.seed import DISTRICT_PLAN, REGULATOR_PLAN
from rules.calendar import WorkingCalendar, YearNotLoaded
from rules.deadlines import PhraseError, resolve_deadline

# The phase of the city plan whose deadline no district deadline may pass: 2017年3月底前公布.
CITY_MILESTONE = "district_publication"


@dataclass(frozen=True)
class Naming:
    """What the template's placeholders become for one district or regulator."""

    code: str  # GB/T 2260 code, or the regulator's organisation code
    name: str  # 和平区, 市交通局
    government: str = ""  # 和平区政府
    parent: str = "shenyang-2016"  # the campaign of the city the district is in: its plan cascades from it

    def fill(self, text: str) -> str:
        return (text.replace("{code}", self.code).replace("{name}", self.name).replace("{government}", self.government)
                .replace("{parent}", self.parent))


def template_text(naming: Naming, regulator: bool = False) -> str:
    """The template filled in for one district (or regulator): a plan file a coordinator can edit."""
    return naming.fill((REGULATOR_PLAN if regulator else DISTRICT_PLAN).read_text(encoding="utf-8"))


def district_plan(naming: Naming, text: str | None, file: str, calendar: WorkingCalendar,
                  milestone: date | None) -> PlanSpec:
    """The district's plan from its own file's text (or the template), checked against the city's
    milestone and its own order of phases."""
    source = text if text is not None else template_text(naming)
    try:
        spec = plan_from_text(source, file)
    except (yaml.YAMLError, KeyError, TypeError) as error:
        raise PlanError([Problem(f"工作方案文件无法读取：{error}", "请以 reform district template 生成的文件为底稿修改",
                                 file=file)]) from None
    problems: list[Problem] = []
    if spec.district != naming.code:
        problems.append(Problem(f"工作方案写的区县代码是 {spec.district or '（空）'}，不是 {naming.code}",
                                f"campaign.district 应为 {naming.code!r}", file=file, place="campaign.district"))
    earlier: tuple[str, date] | None = None
    for phase in spec.phases:
        if not phase.source_phrase:
            continue
        try:
            due = resolve_deadline(phase.source_phrase, calendar, spec.shift, default_year=spec.year).due
        except (PhraseError, YearNotLoaded) as error:
            problems.append(Problem(f"阶段 {phase.code} 的期限「{phase.source_phrase}」无法识别：{error}",
                                    "写成“2017年2月底前”“2017年3月中旬前”或“2017年1月20日前”",
                                    file=file, place=f"阶段 {phase.code}"))
            continue
        if milestone is not None and due > milestone:
            problems.append(Problem(f"阶段 {phase.code}（{phase.name}）的期限 {due.isoformat()} 晚于市级方案的区县节点"
                                    f" {milestone.isoformat()}（区县清单和办事指南 2017年3月底前公布）",
                                    f"改为 {milestone.isoformat()} 或更早", file=file, place=f"阶段 {phase.code}"))
        if earlier is not None and due < earlier[1]:
            problems.append(Problem(f"阶段 {phase.code}（{phase.name}）的期限 {due.isoformat()} 早于前一阶段"
                                    f" {earlier[0]} 的期限 {earlier[1].isoformat()}",
                                    "各阶段的期限应按方案的顺序先后排列", file=file, place=f"阶段 {phase.code}"))
        earlier = (phase.code, due)
    if problems:
        raise PlanError(problems)
    return spec


def regulator_plan(naming: Naming) -> PlanSpec:
    return plan_from_text(template_text(naming, regulator=True), Path(REGULATOR_PLAN).name)
