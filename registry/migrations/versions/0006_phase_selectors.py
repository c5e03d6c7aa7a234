"""phase selectors: who owes each phase and to whom, kept on the phase; obligations lose escalation_level

Opening a phase used to re-read the shipped plan file for its selectors; with them on the phase,
any campaign loaded into the registry opens from the database alone. Phases loaded before this
revision get their selectors the next time the plan is loaded (``reform init`` does it).

escalation_level was never written: the level is derived from the rules (registry.campaign.status).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('phases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('debtor_selector', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('creditor_selector', sa.String(length=200), nullable=False, server_default=''))

    # recreate="never": SQLite (3.35 and later) drops the column in place. Recreating the table would
    # drop and copy obligations, which complaints, submissions and the outbox reference, and SQLite's
    # foreign keys are on (registry.db), so a registry holding data could not be upgraded.
    with op.batch_alter_table('obligations', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('escalation_level')


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('obligations', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('escalation_level', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('phases', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('creditor_selector')
        batch_op.drop_column('debtor_selector')
