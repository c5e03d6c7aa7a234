"""intake: submissions and mailbox messages (filled in by the intake work)

Revision ID: 0003
Revises: 0002
"""
from typing import Sequence, Union

revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
