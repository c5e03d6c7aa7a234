"""What a phase of the registry asks for: its document, as the plan file names it (rules.documents)."""
from __future__ import annotations

from core.errors import UserError
from registry.campaign.tables import Phase
from rules.documents import Document, UnknownDocumentKind, document


class PhaseWithoutDocument(UserError, LookupError):
    pass


def phase_document(phase: Phase) -> Document:
    """What the phase asks for, as its plan says."""
    try:
        return document(phase.document)
    except UnknownDocumentKind:
        raise PhaseWithoutDocument(f"阶段 {phase.code}（{phase.name}）没有写明报送材料，请运行 reform init 重新载入工作方案"
                                   ) from None
