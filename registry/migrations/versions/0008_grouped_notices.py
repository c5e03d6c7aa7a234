"""grouped notices: each obligation's rungs recorded apart from the one message per organisation, rung and day

Until now a rung's notice was an outbox row keyed ``rung:<obligation>:<rung>``, one per
obligation; the row was also the ladder's memory. Notices are now grouped (one message lists all
of an organisation's obligations at a rung that day), so the memory moves to ``rungs_taken``.
The rungs already sent are carried over, so an upgraded registry sends none of them again.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 13:08:23.455032

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    rungs_taken = op.create_table('rungs_taken',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('obligation_id', sa.Integer(), nullable=False),
    sa.Column('rung', sa.String(length=40), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('notice_key', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligations.id'], name=op.f('fk_rungs_taken_obligation_id_obligations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rungs_taken')),
    sa.UniqueConstraint('obligation_id', 'rung', name=op.f('uq_rungs_taken_obligation_id'))
    )
    with op.batch_alter_table('rungs_taken', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rungs_taken_notice_key'), ['notice_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_rungs_taken_taken_on'), ['taken_on'], unique=False)

    outbox = sa.table('outbox', sa.column('key', sa.String), sa.column('kind', sa.String),
                      sa.column('obligation_id', sa.Integer), sa.column('queued_at', sa.DateTime))
    sent = op.get_bind().execute(
        sa.select(outbox.c.key, outbox.c.obligation_id, outbox.c.queued_at)
        .where(outbox.c.kind == 'escalation', outbox.c.obligation_id.is_not(None))).all()
    rows = [{'obligation_id': oid, 'rung': key.rsplit(':', 1)[-1], 'taken_on': queued_at.date(), 'notice_key': key}
            for key, oid, queued_at in sent if key.startswith('rung:')]
    if rows:
        op.bulk_insert(rungs_taken, rows)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('rungs_taken', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rungs_taken_taken_on'))
        batch_op.drop_index(batch_op.f('ix_rungs_taken_notice_key'))

    op.drop_table('rungs_taken')
