"""publication: each approved version rendered as the public site, and the departments' addresses

Publishing a version records where its site was moved into and what it held; a department's reply
with the address where it put its own part is kept, and fulfils its publication obligation.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 16:20:25.623306

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('guides', sa.Integer(), nullable=False),
    sa.Column('certificates', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_publications_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publications'))
    )
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publications_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('published_addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('obligation_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=500), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligations.id'], name=op.f('fk_published_addresses_obligation_id_obligations')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_published_addresses_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_addresses')),
    sa.UniqueConstraint('obligation_id', 'address', name='uq_published_addresses')
    )
    with op.batch_alter_table('published_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_published_addresses_obligation_id'), ['obligation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_published_addresses_org_id'), ['org_id'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('published_addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_published_addresses_org_id'))
        batch_op.drop_index(batch_op.f('ix_published_addresses_obligation_id'))

    op.drop_table('published_addresses')
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publications_campaign_id'))

    op.drop_table('publications')
