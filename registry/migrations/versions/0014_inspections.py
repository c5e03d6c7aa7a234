"""inspections: rounds of 督导检查, the units each inspects, and the problems found

A round keeps each unit's complaint count as it was when the round opened; each finding points to
the rectification obligation the unit owes for it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 16:38:55.905239

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0014'
down_revision: Union[str, Sequence[str], None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('inspection_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_inspection_rounds_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_rounds')),
    sa.UniqueConstraint('name', name=op.f('uq_inspection_rounds_name'))
    )
    with op.batch_alter_table('inspection_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_rounds_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('inspected_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('complaints', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_inspected_units_org_id_organisations')),
    sa.ForeignKeyConstraint(['round_id'], ['inspection_rounds.id'], name=op.f('fk_inspected_units_round_id_inspection_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspected_units')),
    sa.UniqueConstraint('round_id', 'org_id', name=op.f('uq_inspected_units_round_id'))
    )
    with op.batch_alter_table('inspected_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspected_units_org_id'), ['org_id'], unique=False)

    op.create_table('inspection_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('found_on', sa.Date(), nullable=False),
    sa.Column('obligation_id', sa.Integer(), nullable=True),
    sa.Column('rectified_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligations.id'], name=op.f('fk_inspection_findings_obligation_id_obligations')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_inspection_findings_org_id_organisations')),
    sa.ForeignKeyConstraint(['round_id'], ['inspection_rounds.id'], name=op.f('fk_inspection_findings_round_id_inspection_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_findings'))
    )
    with op.batch_alter_table('inspection_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_findings_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_findings_round_id'), ['round_id'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('inspection_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_findings_round_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_findings_org_id'))

    op.drop_table('inspection_findings')
    with op.batch_alter_table('inspected_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspected_units_org_id'))

    op.drop_table('inspected_units')
    with op.batch_alter_table('inspection_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_rounds_campaign_id'))

    op.drop_table('inspection_rounds')
