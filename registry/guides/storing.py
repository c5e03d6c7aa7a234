"""Keeping an accepted guides version item by item, and reading it back as plain values.

A version's completeness check is kept for every version (accepted or not); its guides, materials,
steps, fees, questions and attached forms only for an accepted one, all in the intake transaction.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.guides.tables import Guide, GuideCheck, GuideFaq, GuideFee, GuideFile, GuideMaterial, GuideStep
from rules.guides import GuidesCheck

GUIDE_FIELDS = ("code", "name", "basic_code", "implementation_code", "item_type", "implementer", "accepting_unit",
                "audience", "basis", "conditions", "legal_days", "promised_days", "immediate", "charged", "fee_note",
                "visits", "online", "online_url", "result", "consult_phone", "consult_other", "supervise_phone",
                "supervise_other", "hours", "address", "downloads", "row")
MATERIAL_FIELDS = ("name", "position", "necessity", "form", "copies", "source", "basis", "is_form", "blank", "sample",
                   "mistakes", "notes", "row")
STEP_FIELDS = ("number", "name", "actor", "days", "detail", "row")
FEE_FIELDS = ("name", "standard", "basis", "relief", "row")
FAQ_FIELDS = ("question", "answer", "row")
# Column lengths of the guides tables that a department's text could overrun.
_LIMITS = {"code": 40, "name": 300, "basic_code": 12, "implementation_code": 36, "item_type": 20, "implementer": 200,
           "accepting_unit": 200, "audience": 50, "online_url": 500, "consult_phone": 200, "supervise_phone": 200,
           "downloads": 500, "necessity": 20, "form": 40, "blank": 500, "sample": 500, "mistakes": 500, "actor": 200}


_NULLABLE = frozenset({"legal_days", "promised_days", "visits", "copies", "days"})
_FLAGS = frozenset({"immediate", "charged", "online", "is_form"})
_COUNTS = frozenset({"position", "number", "row"})


def _values(record: Mapping, fields: Sequence[str]) -> dict:
    """The record's fields as the columns take them: text cut to the column, blanks as their defaults."""
    values = {}
    for f in fields:
        value = record.get(f)
        if value is None and f not in _NULLABLE:
            value = False if f in _FLAGS else 0 if f in _COUNTS else ""
        if isinstance(value, str) and f in _LIMITS:
            value = value[:_LIMITS[f]]
        values[f] = value
    return values


def record_check(session: Session, submission_id: int, obligation_id: int, version: int,
                 check: GuidesCheck) -> None:
    """Every version's check, accepted or not: what each item lacks is shown before anything is accepted."""
    session.add(GuideCheck(submission_id=submission_id, obligation_id=obligation_id, version=version,
                           accepted=check.accepted, missing=dict(check.missing),
                           simplification=simplification_of(check)))


def simplification_of(check: GuidesCheck) -> dict:
    s = check.simplification
    return {"items": s.items, "items_cut": s.items_cut, "legal_days": s.legal_days, "promised_days": s.promised_days,
            "days_cut": s.days_cut, "materials_inventoried": s.materials_inventoried,
            "materials_listed": s.materials_listed, "materials_removed": list(s.materials_removed),
            "visits": {str(k): v for k, v in s.visits.items()}, "online": s.online}


def store_guides(session: Session, submission_id: int, org_id: int, check: GuidesCheck,
                 files: Sequence[tuple[str, bytes]]) -> int:
    """The accepted version's guides, one per item, with the files its email carried; returns how many."""
    for position, guide in enumerate(check.guides):
        row = Guide(submission_id=submission_id, org_id=org_id, position=position, **_values(guide, GUIDE_FIELDS),
                    materials=[GuideMaterial(**_values(m, MATERIAL_FIELDS)) for m in guide.get("materials", ())],
                    steps=[GuideStep(**_values(m, STEP_FIELDS)) for m in guide.get("steps", ())],
                    fees=[GuideFee(**_values(m, FEE_FIELDS)) for m in guide.get("fees", ())],
                    faqs=[GuideFaq(**_values(m, FAQ_FIELDS)) for m in guide.get("faqs", ())])
        session.add(row)
    kept = set()
    for filename, content in files:
        if filename in kept:
            continue  # the same name twice in one email: the first is the one the guides name
        kept.add(filename)
        session.add(GuideFile(submission_id=submission_id, filename=filename[:255],
                              sha256=hashlib.sha256(content).hexdigest(), size=len(content), content=content))
    session.flush()
    return len(check.guides)


def stored_guides(session: Session, submission_id: int) -> list[dict]:
    """The version's guides as the completeness check normalised them, in the approved list's order."""
    guides = session.scalars(select(Guide).where(Guide.submission_id == submission_id).order_by(Guide.position))
    return [{**{f: getattr(g, f) for f in GUIDE_FIELDS},
             "materials": [{f: getattr(m, f) for f in MATERIAL_FIELDS} for m in g.materials],
             "steps": [{f: getattr(m, f) for f in STEP_FIELDS} for m in g.steps],
             "fees": [{f: getattr(m, f) for f in FEE_FIELDS} for m in g.fees],
             "faqs": [{f: getattr(m, f) for f in FAQ_FIELDS} for m in g.faqs]} for g in guides]


def record_verdict(session: Session, submission_id: int, outcomes: Mapping[str, tuple[str, str]]) -> None:
    """The reviewers' verdict per item, by name: (同意 | 修改, the reasons)."""
    for guide in session.scalars(select(Guide).where(Guide.submission_id == submission_id)):
        if guide.name in outcomes:
            guide.review_outcome, guide.review_reason = outcomes[guide.name]


def agreed_guides(session: Session, obligation_id: int) -> tuple[list[dict], list[GuideFile]]:
    """The department's standing guides (its newest accepted version) that both reviewers agreed,
    and the files that came with them."""
    current = session.scalars(select(GuideCheck.submission_id).where(
        GuideCheck.obligation_id == obligation_id, GuideCheck.accepted.is_(True))
        .order_by(GuideCheck.version.desc()).limit(1)).first()
    if current is None:
        return [], []
    agreed = set(session.scalars(select(Guide.code).where(Guide.submission_id == current,
                                                          Guide.review_outcome == "同意")))
    files = list(session.scalars(select(GuideFile).where(GuideFile.submission_id == current)
                                 .order_by(GuideFile.filename)))
    return [g for g in stored_guides(session, current) if g["code"] in agreed], files
