"""self-reports: an accepted self-report's narrative and its figures beside the registry's

Each accepted version of a long-term task's self-report keeps its three narrative parts and, per
indicator, the figure the registry pre-filled and the one the unit reported; the period's
supervision report is compiled from the newest of each obligation.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 16:43:34.811237

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0013'
down_revision: Union[str, Sequence[str], None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('self_reports',
    sa.Column('submission_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('obligation_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('task_number', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('progress', sa.Text(), nullable=False),
    sa.Column('issues', sa.Text(), nullable=False),
    sa.Column('next_steps', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligations.id'], name=op.f('fk_self_reports_obligation_id_obligations')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_self_reports_org_id_organisations')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_self_reports_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_self_reports')),
    sa.UniqueConstraint('obligation_id', 'version', name='uq_self_reports_version')
    )
    with op.batch_alter_table('self_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_reports_obligation_id'), ['obligation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_self_reports_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_self_reports_period'), ['period'], unique=False)
        batch_op.create_index(batch_op.f('ix_self_reports_task_number'), ['task_number'], unique=False)

    op.create_table('self_report_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('system_value', sa.Float(), nullable=False),
    sa.Column('reported_value', sa.Float(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['self_reports.submission_id'], name=op.f('fk_self_report_values_submission_id_self_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_report_values')),
    sa.UniqueConstraint('submission_id', 'key', name='uq_self_report_values_key')
    )
    with op.batch_alter_table('self_report_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_report_values_submission_id'), ['submission_id'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('self_report_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_report_values_submission_id'))

    op.drop_table('self_report_values')
    with op.batch_alter_table('self_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_reports_task_number'))
        batch_op.drop_index(batch_op.f('ix_self_reports_period'))
        batch_op.drop_index(batch_op.f('ix_self_reports_org_id'))
        batch_op.drop_index(batch_op.f('ix_self_reports_obligation_id'))

    op.drop_table('self_reports')
