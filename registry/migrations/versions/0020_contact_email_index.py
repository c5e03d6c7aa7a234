"""contact email index: the sender of each intake message is found by its address, not by a scan

Intake looks up every message's sender among the contacts by the lower-cased address. Without an
index each message scanned every contact, so a province's poll of a thousand replies read the whole
directory a thousand times; the index on ``lower(email)`` is the expression that lookup compares.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 14:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0020'
down_revision: Union[str, Sequence[str], None] = '0019'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_contacts_email_lower', 'contacts', [sa.text('lower(email)')])


def downgrade() -> None:
    op.drop_index('ix_contacts_email_lower', table_name='contacts')
