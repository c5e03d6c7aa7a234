"""intake claims: each mailbox message's failed attempts, and what is kept of mail not kept whole

A message is claimed by the row that records it (inserted first, in the message's own
transaction), so two workers never both take it in. A message whose processing fails is retried
on the next poll; its attempts and last error are kept here, so that one failing the same way
again and again is quarantined instead of retried forever. Refused and quarantined mail is kept
as its headers, size and SHA-256 digest rather than whole.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 14:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('mailbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('error_signature', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('size', sa.BigInteger(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('sha256', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('headers', sa.Text(), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_mailbox_messages_sender'), ['sender'], unique=False)
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('size', sa.BigInteger(), nullable=False, server_default='0'))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_column('size')
    with op.batch_alter_table('mailbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mailbox_messages_sender'))
        for column in ('headers', 'sha256', 'size', 'error_signature', 'last_error', 'attempts'):
            batch_op.drop_column(column)
