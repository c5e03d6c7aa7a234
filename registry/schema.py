"""Every table the project owns, in one metadata: what Alembic compares against."""
from notifications.models import OutboxAttachment, OutboxMessage  # noqa: F401
from registry.models import Base
from registry.supervision_models import Complaint  # noqa: F401
from registry.review_models import Approval, ApprovedListVersion, ConsolidatedOpinion, ReviewReply  # noqa: F401
from registry.submission_models import MailboxMessage, ReplyToken, Submission, SubmittedItem  # noqa: F401

__all__ = ["Base"]
