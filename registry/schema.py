"""Every table the project owns, in one metadata: what Alembic compares against."""
from notifications.models import OutboxAttachment, OutboxMessage  # noqa: F401
from registry.models import Base

__all__ = ["Base"]
