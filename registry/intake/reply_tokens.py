"""Per-obligation reply tokens: intake+<token>@… and [RF-<token>] tell which obligation a reply answers.

A token alone proves nothing (anyone can copy an address); intake also checks that the sender is
registered for the token's department.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from registry.campaign.tables import Obligation
from registry.intake.tables import ReplyToken

_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # lower case (addresses are case-folded), no look-alikes


def token_for(session: Session, obligation_id: int, now: datetime) -> str:
    """The obligation's token, created on first use."""
    existing = session.get(ReplyToken, obligation_id)
    if existing is not None:
        return existing.token
    token = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    session.add(ReplyToken(obligation_id=obligation_id, token=token, created_at=now))
    session.flush()
    return token


def obligation_for_token(session: Session, token: str) -> Obligation | None:
    """The token's obligation with its phase, in one query. The token stays in the session, so the
    receipt's ``token_for`` finds it without a query of its own and the autoflush that comes with one."""
    row = session.execute(_OBLIGATION_OF_TOKEN, {"token": token.lower()}).first()
    if row is None:
        return None
    # The identity map holds rows weakly: kept here, the token outlives this call for ``token_for``.
    session.info.setdefault(_KEPT_TOKENS, []).append(row[0])
    return row[1]


_KEPT_TOKENS = "reform.reply_tokens"
# Built once, as intake asks it of every message: building a statement and its cache key cost more
# than the query itself.
_OBLIGATION_OF_TOKEN = (select(ReplyToken, Obligation).join(Obligation, Obligation.id == ReplyToken.obligation_id)
                        .options(joinedload(Obligation.phase)).where(ReplyToken.token == bindparam("token")))


def reply_address(intake_address: str, token: str) -> str:
    local, _, domain = intake_address.partition("@")
    return f"{local}+{token}@{domain}"


def subject_tag(token: str) -> str:
    return f"[RF-{token}]"
