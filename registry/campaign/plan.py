"""The work plan as data: read a plan file, keep the registry in step with it, open its phases.

Everything a phase needs to open (its deadline, who owes it, to whom) is stored on the phase
when the plan is loaded, so opening reads only the database: a second campaign loaded from
another plan file runs through the same flows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import UserError
from core.problems import Problem
from registry.campaign.audit import record_change
from registry.campaign.queries import find_campaign
from registry.campaign.tables import Campaign, Obligation, Phase, Task
from registry.directory.queries import organisations_of
from registry.directory.tables import Organisation
from registry.scope import CITY
from registry.seed import SHENYANG_2016
from rules.calendar import WorkingCalendar
from rules.deadlines import Shift, resolve_deadline
from rules.documents import DocumentKind
from rules.obligations import State
from rules.organisations import OrgKind, OrgRole


class PlanError(UserError, ValueError):
    """The plan names something the registry does not know; `problems` lists each, the message all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("；".join(p.what for p in self.problems))


# Who owes a phase, as a plan file writes it: parts joined by "+", each one of these or role:X.
SELECTOR_PARTS = ("departments", "districts", "regulators", "enterprises", "dynamic")
_SELECTOR_FIX = f"可用的写法：{'、'.join(SELECTOR_PARTS)}，或 role:角色（{'、'.join(r.value for r in OrgRole)}），多项用 + 连接"


def _selector_part_problem(part: str, file: str = "", place: str = "") -> Problem:
    return Problem(f"无法识别的责任单位选择：{part!r}", _SELECTOR_FIX, file=file, place=place)


def _bad_selector_parts(selector: str) -> list[str]:
    roles = {r.value for r in OrgRole}
    parts = (part.strip() for part in selector.split("+"))
    return [part for part in parts if part and part not in SELECTOR_PARTS
            and not (part.startswith("role:") and part.removeprefix("role:") in roles)]


@dataclass(frozen=True)
class PhaseSpec:
    code: str
    name: str
    source_phrase: str
    debtors: str
    creditor: str = ""
    debtors_text: str = ""
    creditor_text: str = ""
    working_days: int | None = None
    document: str = ""  # what the phase asks for: a rules.documents.DocumentKind


@dataclass(frozen=True)
class TaskSpec:
    number: int
    title: str
    description: str
    lead: tuple[str, ...]
    responsible: str
    timing: str
    phases: tuple[str, ...] = ()
    cadence: str | None = None

    @property
    def long_term(self) -> bool:
        return self.timing.strip() == "长期推进"


@dataclass(frozen=True)
class PlanSpec:
    code: str
    name: str
    level: str
    year: int
    owner: str
    issued_by: str
    issued_on: date | None
    shift: Shift
    settings: dict
    phases: tuple[PhaseSpec, ...]
    tasks: tuple[TaskSpec, ...] = field(default=())
    file: str = ""  # the plan file's name, to say where a problem is
    parent: str = ""  # the city campaign a district's or regulator's cascades from
    district: str = ""  # a district campaign's GB/T 2260 code: whose rows its rows are


def read_plan(path: Path = SHENYANG_2016) -> PlanSpec:
    return plan_from_text(path.read_text(encoding="utf-8"), path.name)


# libyaml's parser where PyYAML has it: a province loads a hundred plans.
_PLAN_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def plan_from_text(text: str, file: str) -> PlanSpec:
    data = yaml.load(text, Loader=_PLAN_LOADER)
    c = data["campaign"]
    settings = dict(c.get("settings") or {})
    return PlanSpec(
        code=c["code"],
        name=c["name"],
        level=c.get("level", "city"),
        year=int(c["year"]),
        owner=c["owner"],
        issued_by=c.get("issued_by", ""),
        issued_on=c.get("issued_on"),
        shift=Shift(c.get("shift", "next")),
        settings=settings,
        phases=tuple(PhaseSpec(**p) for p in data["phases"]),
        tasks=tuple(
            TaskSpec(
                number=t["number"],
                title=t["title"],
                description=t["description"],
                lead=tuple(t.get("lead") or ()),
                responsible=t["responsible"],
                timing=t["timing"],
                phases=tuple(t.get("phases") or ()),
                # 长期推进 tasks are supervised periodically; the cadence is a campaign setting.
                cadence=t.get("cadence") or (settings.get("supervision_cadence") if t["timing"] == "长期推进" else None),
            )
            for t in data.get("tasks", ())
        ),
        file=file,
        parent=str(c.get("parent") or ""),
        district=str(c.get("district") or ""),
    )


def plan_problems(spec: PlanSpec, known_codes: set[str]) -> list[Problem]:
    """Everything in the plan the registry cannot act on, found before anything is written."""
    problems: list[Problem] = []
    unknown = sorted({spec.owner, *(code for t in spec.tasks for code in t.lead)} - known_codes)
    if unknown:
        problems.append(Problem(f"工作方案引用了目录中没有的单位代码：{'、'.join(unknown)} (unknown organisation codes)",
                                "请先在组织目录中补充这些单位（reform directory import），或改正工作方案中的代码",
                                file=spec.file))
    for p in spec.phases:
        for key, selector in (("debtors", p.debtors), ("creditor", p.creditor)):
            problems += [_selector_part_problem(part, spec.file, f"阶段 {p.code} {key}")
                         for part in _bad_selector_parts(selector)]
        if p.document not in {k.value for k in DocumentKind}:
            problems.append(Problem(f"阶段 {p.code} 的报送材料（document）{p.document!r} 无法识别" if p.document
                                    else f"阶段 {p.code} 没有写明报送材料（document）",
                                    f"可用的写法：{'、'.join(k.value for k in DocumentKind)}",
                                    file=spec.file, place=f"阶段 {p.code} document"))
    return problems


def load_plan(session: Session, spec: PlanSpec, calendar: WorkingCalendar) -> Campaign:
    """Create or update the campaign, its phases and tasks. Running it twice changes nothing."""
    orgs = {o.code: o for o in session.scalars(select(Organisation))}
    problems = plan_problems(spec, set(orgs))
    if problems:
        raise PlanError(problems)

    campaign = session.scalar(select(Campaign).where(Campaign.code == spec.code)) or Campaign(code=spec.code)
    session.add(campaign)
    campaign.name, campaign.level, campaign.year = spec.name, spec.level, spec.year
    campaign.owner_org_id = orgs[spec.owner].id
    campaign.issued_by, campaign.issued_on = spec.issued_by, spec.issued_on
    campaign.shift, campaign.settings = str(spec.shift), spec.settings
    campaign.district = spec.district
    campaign.parent_id = find_campaign(session, spec.parent).id if spec.parent else None
    session.flush()

    phases = {p.code: p for p in session.scalars(select(Phase).where(Phase.campaign_id == campaign.id))}
    for values in phase_values(spec, calendar):
        phase = phases.get(values["code"]) or Phase(campaign_id=campaign.id, code=values["code"])
        session.add(phase)
        for key, value in values.items():
            setattr(phase, key, value)

    tasks = {t.number: t for t in session.scalars(select(Task).where(Task.campaign_id == campaign.id))}
    for values in task_values(spec):
        task = tasks.get(values["number"]) or Task(campaign_id=campaign.id, number=values["number"])
        session.add(task)
        for key, value in values.items():
            setattr(task, key, value)
    session.flush()
    return campaign


def phase_values(spec: PlanSpec, calendar: WorkingCalendar) -> list[dict]:
    """Each phase's columns as the plan sets them, its deadline resolved: what loading writes."""
    rows = []
    for position, p in enumerate(spec.phases):
        row = {"code": p.code, "name": p.name, "position": position, "source_phrase": p.source_phrase,
               "working_days": p.working_days, "debtors": p.debtors_text, "creditor": p.creditor_text,
               "debtor_selector": p.debtors, "creditor_selector": p.creditor, "document": p.document}
        if p.source_phrase:
            resolved = resolve_deadline(p.source_phrase, calendar, spec.shift, default_year=spec.year)
            row |= {"nominal": resolved.nominal, "deadline": resolved.due, "deadline_reason": resolved.reason}
        else:
            row |= {"nominal": None, "deadline": None,
                    "deadline_reason": f"方案未规定日期：开启后 {p.working_days} 个工作日内完成" if p.working_days else ""}
        rows.append(row)
    return rows


def task_values(spec: PlanSpec) -> list[dict]:
    """Each row of the task table's columns as the plan sets them."""
    return [{"number": t.number, "title": t.title, "description": t.description, "lead_units": list(t.lead),
             "responsible": t.responsible, "timing": t.timing, "long_term": t.long_term, "cadence": t.cadence,
             "phase_codes": list(t.phases)} for t in spec.tasks]


def debtors_for(session: Session, selector: str, campaign: Campaign | None = None) -> list[Organisation]:
    """Resolve a plan selector ("departments", "districts+regulators", "role:coordinator") within the
    campaign's own directory: a district's campaign picks the district's departments and agencies,
    a regulator's the enterprises it supervises; the city's when no campaign is given."""
    district = campaign.district if campaign is not None else CITY
    return pick_debtors(organisations_of(session, district), selector,
                        campaign.owner_org_id if campaign is not None else None)


def pick_debtors(orgs: list, selector: str, owner_id: int | None) -> list:
    """The selector applied to one directory's organisations (anything with id, kind, roles and
    parent_id), in their order; ``owner_id`` is the campaign owner whose enterprises it picks."""
    chosen: dict[int, object] = {}
    for part in selector.split("+"):
        part = part.strip()
        if part == "departments":
            picked = [o for o in orgs if o.kind == OrgKind.DEPARTMENT]
        elif part == "districts":
            picked = [o for o in orgs if o.kind == OrgKind.DISTRICT]
        elif part == "regulators":
            picked = [o for o in orgs if OrgRole.REGULATOR in o.roles]
        elif part == "enterprises":
            picked = [o for o in orgs if o.kind == OrgKind.ENTERPRISE and o.parent_id == owner_id]
        elif part.startswith("role:"):
            picked = [o for o in orgs if part.removeprefix("role:") in o.roles]
        elif part in ("", "dynamic"):
            picked = []
        else:
            raise PlanError([_selector_part_problem(part)])
        chosen.update((o.id, o) for o in picked)
    return list(chosen.values())


def task_units(session: Session, task: Task) -> list[Organisation]:
    """Who answers for a row of the task table: its lead units; without one, the units the row names.

    Item 13 is every department's own (督导检查 of themselves), item 15 the industry regulators'.
    """
    if task.lead_units:
        return list(session.scalars(select(Organisation).where(Organisation.code.in_(task.lead_units))
                                    .order_by(Organisation.id)))
    return debtors_for(session, task_selector(task), task.campaign)


def task_selector(task: Task) -> str:
    """The plan selector of a task's units when it has no lead unit, from the table's own words."""
    return "regulators" if "行业主管部门" in task.responsible else "departments"


def open_phase(session: Session, campaign_code: str | None, phase_code: str, on: date, actor: str = "system") -> int:
    """Open the obligations a phase of the campaign (the city's when None) creates for its statically
    known debtors, as loaded into the registry; returns how many are new."""
    campaign = find_campaign(session, campaign_code)
    phase = session.scalar(select(Phase).where(Phase.campaign_id == campaign.id, Phase.code == phase_code))
    if phase is None:
        codes = session.scalars(select(Phase.code).where(Phase.campaign_id == campaign.id).order_by(Phase.position))
        raise PlanError([Problem(f"工作方案中没有阶段 {phase_code!r}", f"可用的阶段：{'、'.join(codes)}",
                                 place=campaign.code)])
    if phase.deadline is None:
        return 0  # undated phases open per submission, from the flows
    creditor = debtors_for(session, phase.creditor_selector, campaign)[:1] if phase.creditor_selector else []
    owed = {
        o.debtor_id
        for o in session.scalars(select(Obligation).where(Obligation.phase_id == phase.id, Obligation.ref == ""))
    }
    created = 0
    for debtor in debtors_for(session, phase.debtor_selector, campaign):
        if debtor.id in owed:
            continue
        obligation = Obligation(
            campaign_id=campaign.id,
            phase_id=phase.id,
            debtor_id=debtor.id,
            creditor_id=creditor[0].id if creditor else None,
            due=phase.deadline,
            state=State.OPEN,
            opened_on=on,
        )
        session.add(obligation)
        session.flush()
        record_change(session, obligation, actor, "open", "", State.OPEN, f"{phase.name}阶段开启", on)
        created += 1
    return created
