"""Every table the project owns, in one metadata: what Alembic compares against."""
from registry.base import Base
from registry.calendar import tables as calendar_tables  # noqa: F401
from registry.campaign import tables as campaign_tables  # noqa: F401
from registry.certificates import tables as certificates_tables  # noqa: F401
from registry.directory import tables as directory_tables  # noqa: F401
from registry.evaluations import tables as evaluations_tables  # noqa: F401
from registry.guides import tables as guides_tables  # noqa: F401
from registry.inspections import tables as inspections_tables  # noqa: F401
from registry.intake import tables as intake_tables  # noqa: F401
from registry.outbox import tables as outbox_tables  # noqa: F401
from registry.publication import tables as publication_tables  # noqa: F401
from registry.review import tables as review_tables  # noqa: F401
from registry.self_reports import tables as self_reports_tables  # noqa: F401
from registry.supervision import tables as supervision_tables  # noqa: F401
from registry.users import tables as users_tables  # noqa: F401

__all__ = ["Base"]
