"""What the parallel review reviews: the inventory's lists, the guides and the certificate ledgers.

One mechanism serves all three: a packet per agency with pre-flags, replies checked row by row,
opinions merged, conflicts decided, the result issued. A subject says where its review obligations
live (their phase), who reviews it (the leads of the plan's task for its phase: the four agencies for
the inventory (task 1) and the certificates (task 4), 市编委办 and 市政务服务办 for the guides (task 2)),
what an agency may answer, and what its packet shows.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.campaign.plan import task_units
from registry.campaign.tables import Campaign, Obligation, Phase, Task
from registry.certificates.storing import stored_entries
from registry.directory.queries import reviewers
from registry.directory.tables import Organisation
from registry.guides.storing import stored_guides
from registry.intake.tables import Submission, SubmittedItem
from rules import certificates as certificate_rules
from rules import guides as guide_rules
from rules.review import (
    CERTIFICATES_SCHEME,
    GUIDES_SCHEME,
    INVENTORY_SCHEME,
    OpinionScheme,
    ReviewRow,
    RowFinding,
    item_key,
)
from workbooks.review_packet import INVENTORY_LAYOUT, ITEM_FIELDS, PacketLayout

ITEM_COLUMNS = ("seq", "name", "kind", "category", "audience", "implementer", "legal_basis", "time_limit_days",
                "charged", "fee_basis", "materials", "remarks")


@dataclass(frozen=True)
class Subject:
    phase: str  # the phase whose accepted documents are reviewed
    review_phase: str  # where the agencies' review obligations live
    scheme: OpinionScheme
    title: str  # what the packet and the letters call the document
    unit: str  # what one row of it is: 事项, 证明

    def layout(self, columns: tuple[str, ...]) -> PacketLayout:
        if self.phase == "inventory":
            return INVENTORY_LAYOUT
        name_header = "证明名称" if self.phase == "certificates" else "事项名称"
        guidance = {"guides": ("选「修改」的必须在「审核理由」中写明需要修改的要素和修改意见。",),
                    "certificates": ("选「同意」即同意部门拟定的处理方式；不同意的，选择应采取的处理方式并写明理由。",
                                     "没有法律、行政法规、地方性法规或规章依据的证明不能「保留」。")}[self.phase]
        return PacketLayout(self.title, name_header, columns, self.scheme.choices, guidance)


INVENTORY = Subject("inventory", "review", INVENTORY_SCHEME, "公共服务事项清单", "事项")
GUIDES = Subject("guides", "guides_review", GUIDES_SCHEME, "办事指南", "事项")
CERTIFICATES = Subject("certificates", "certificates_review", CERTIFICATES_SCHEME, "证明事项清理表", "证明")
SUBJECTS = {s.phase: s for s in (INVENTORY, GUIDES, CERTIFICATES)}
REVIEW_PHASES = tuple(s.review_phase for s in SUBJECTS.values())


def subject_of_review_phase(code: str) -> Subject | None:
    return next((s for s in SUBJECTS.values() if s.review_phase == code), None)


def subject_of(session: Session, submission: Submission) -> Subject | None:
    """The subject a submission is reviewed as, by its obligation's phase; None: not reviewed."""
    return SUBJECTS.get(session.get(Obligation, submission.obligation_id).phase.code)


def campaign_of(session: Session, submission: Submission) -> Campaign:
    """The campaign a submission was made in: the city's or a district's, whose agencies review it."""
    return session.get(Campaign, session.get(Obligation, submission.obligation_id).campaign_id)


def phases_coded(session: Session, codes) -> list[int]:
    """The ids of the phases of every campaign having one of these codes."""
    return list(session.scalars(select(Phase.id).where(Phase.code.in_(tuple(codes)))))


def reviewers_of(session: Session, campaign: Campaign, subject: Subject) -> list[Organisation]:
    """The leads of the task whose phases include the subject's, in directory order."""
    task = next((t for t in session.scalars(select(Task).where(Task.campaign_id == campaign.id).order_by(Task.number))
                 if subject.phase in (t.phase_codes or ())), None)
    leads = task_units(session, task) if task is not None and task.lead_units else []
    return sorted(leads, key=lambda o: o.id) or reviewers(session, campaign.district)


def items_of(session: Session, submission_id: int) -> list[dict]:
    """An inventory version's items, in the list's order."""
    rows = session.execute(select(*(getattr(SubmittedItem, c) for c in ITEM_COLUMNS))
                           .where(SubmittedItem.submission_id == submission_id).order_by(SubmittedItem.row))
    return [dict(zip(ITEM_COLUMNS, r)) for r in rows]


@dataclass(frozen=True)
class PacketRow:
    seq: str
    name: str
    cells: list  # 序号, the name and the layout's columns
    facts: dict  # what the pre-flag checks look at: an item, a guide, a certificate
    declared: str = ""  # a certificate's proposed disposition


def packet_rows(session: Session, subject: Subject, submission_id: int) -> tuple[PacketLayout, list[PacketRow]]:
    """What the agencies are sent for one submission, row by row, with the packet's layout."""
    if subject is INVENTORY:
        items = items_of(session, submission_id)
        rows = [PacketRow(str(i["seq"]), i["name"],
                          [("是" if i[f] else "否") if f == "charged" else i.get(f) for f in ITEM_FIELDS], i)
                for i in items]
        return INVENTORY_LAYOUT, rows
    if subject is GUIDES:
        guides = stored_guides(session, submission_id)
        shown = [{"事项编码": g["code"], **guide_rules.review_columns(g)} for g in guides]
        rows = [PacketRow(str(n), g["name"], [n, g["name"], *columns.values()], g)
                for n, (g, columns) in enumerate(zip(guides, shown), start=1)]
        return subject.layout(tuple(shown[0]) if shown else ()), rows
    entries = stored_entries(session, submission_id)
    shown = [certificate_rules.review_columns(e) for e in entries]
    rows = [PacketRow(str(e["seq"]), e["name"], [e["seq"], e["name"], *columns.values()], e, e["disposition"])
            for e, columns in zip(entries, shown)]
    return subject.layout(tuple(shown[0]) if shown else ()), rows


def refused_outcomes(subject: Subject, packet: list[PacketRow], rows: list[ReviewRow]) -> list[RowFinding]:
    """Outcomes the subject's own rules forbid, whoever proposes them (an agency, or the coordinator
    deciding a conflict): a certificate without a basis at 规章 level or above is never kept."""
    if subject is not CERTIFICATES:
        return []
    answered = {item_key(r.seq, r.name): r for r in rows}
    findings = []
    for p in packet:
        r = answered.get(item_key(p.seq, p.name))
        level = p.facts.get("basis_level", "")
        if r is None or level in certificate_rules.KEEPABLE_LEVELS:
            continue
        if certificate_rules.disposition_of(r.opinion, p.declared) == certificate_rules.Disposition.KEEP:
            findings.append(RowFinding(
                f"序号 {p.seq}「{p.name}」的设定依据层级为「{level or '无'}」，没有法律、行政法规、地方性法规或规章依据，"
                "不能保留", "请选择取消、告知承诺、信息共享替代或其他证照替代，并写明理由", r.row, "审核意见"))
    return findings
