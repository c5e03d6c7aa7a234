"""outbox claims: a deliverer's lease on each row, recipients still owed, failures since, outages

A row is claimed by one deliverer (claim_token, claimed_until) before it is sent; transient
failures are retried for days from first_failed_at; owed_addrs keeps the recipients a server
deferred while it took the message for the others; mail_outages holds the spells in which no mail
got through, so the coordinator is told once when one begins and once when it ends.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 13:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # recreate="never": the outbox is referenced by its attachments and holds the campaign's mail.
    with op.batch_alter_table('outbox', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('first_failed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('owed_addrs', sa.JSON(none_as_null=True), nullable=True))
        batch_op.add_column(sa.Column('claim_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(), nullable=True))
    op.create_index(op.f('ix_outbox_claim_token'), 'outbox', ['claim_token'], unique=False)

    op.create_table('mail_outages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('noticed_at', sa.DateTime(), nullable=True),
    sa.Column('resumed_at', sa.DateTime(), nullable=True),
    sa.Column('open_marker', sa.String(length=4), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_outages')),
    sa.UniqueConstraint('open_marker', name=op.f('uq_mail_outages_open_marker'))
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('mail_outages')
    op.drop_index(op.f('ix_outbox_claim_token'), table_name='outbox')
    with op.batch_alter_table('outbox', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('claim_token')
        batch_op.drop_column('owed_addrs')
        batch_op.drop_column('first_failed_at')
