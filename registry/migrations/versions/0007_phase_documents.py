"""phase documents: what each phase asks for (rules.documents.DocumentKind), kept on the phase

The call, the template and which files intake takes for a phase follow from it. Phases of the
shipped plan loaded before this revision get theirs here, by code, so a kickoff works before the
plan is loaded again; any other plan's phases get theirs the next time it is loaded (``reform init``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 13:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# As registry/seed/shenyang_2016.yaml names them at this revision.
SHIPPED = {
    'inventory': 'inventory', 'review': 'review_opinion', 'response': 'revised_inventory',
    'approval': 'approval', 'guides': 'guides', 'publication': 'publication_address',
    'certificates': 'certificates', 'district_plans': 'work_plan',
    'district_publication': 'publication_address', 'supervision': 'self_report',
    'complaints': 'complaint_answer',
}


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('phases', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('document', sa.String(length=40), nullable=False, server_default=''))
    phases = sa.table('phases', sa.column('code', sa.String), sa.column('document', sa.String))
    for code, document in SHIPPED.items():
        op.execute(phases.update().where(phases.c.code == code).values(document=document))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('phases', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('document')
