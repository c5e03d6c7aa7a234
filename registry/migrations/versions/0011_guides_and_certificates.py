"""guides and certificates: the second half of the plan, item by item

An approved list opens a guides and a certificates obligation per department, each covering the
department's approved items (obligations.scope). An accepted guides workbook is kept as one row
per item with its materials, steps, fees and questions, and the forms attached to its email; the
completeness check of every version is kept beside it. An accepted certificate ledger is kept as
one row per certificate, with the disposition proposed and the one the review decided.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 16:00:26.442611

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('certificate_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('requester', sa.String(length=200), nullable=False),
    sa.Column('issuer', sa.String(length=200), nullable=False),
    sa.Column('issuer_code', sa.String(length=40), nullable=False),
    sa.Column('basis', sa.Text(), nullable=False),
    sa.Column('basis_level', sa.String(length=20), nullable=False),
    sa.Column('disposition', sa.String(length=20), nullable=False),
    sa.Column('final_disposition', sa.String(length=20), nullable=False),
    sa.Column('review_reason', sa.Text(), nullable=False),
    sa.Column('replacement', sa.Text(), nullable=False),
    sa.Column('share_source', sa.String(length=200), nullable=False),
    sa.Column('share_source_code', sa.String(length=40), nullable=False),
    sa.Column('commitment', sa.Text(), nullable=False),
    sa.Column('verification', sa.Text(), nullable=False),
    sa.Column('field', sa.String(length=20), nullable=False),
    sa.Column('remarks', sa.Text(), nullable=False),
    sa.Column('sharing_candidate', sa.Boolean(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_certificate_entries_org_id_organisations')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_certificate_entries_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_entries')),
    sa.UniqueConstraint('submission_id', 'seq', name='uq_certificate_entries_seq')
    )
    with op.batch_alter_table('certificate_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_entries_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_entries_submission_id'), ['submission_id'], unique=False)

    op.create_table('certificate_ledgers',
    sa.Column('submission_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('obligation_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligations.id'], name=op.f('fk_certificate_ledgers_obligation_id_obligations')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_certificate_ledgers_org_id_organisations')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_certificate_ledgers_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_certificate_ledgers'))
    )
    with op.batch_alter_table('certificate_ledgers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_ledgers_obligation_id'), ['obligation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_ledgers_org_id'), ['org_id'], unique=False)

    op.create_table('guide_checks',
    sa.Column('submission_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('obligation_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('accepted', sa.Boolean(), nullable=False),
    sa.Column('missing', sa.JSON(), nullable=False),
    sa.Column('simplification', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligations.id'], name=op.f('fk_guide_checks_obligation_id_obligations')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_guide_checks_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_guide_checks'))
    )
    with op.batch_alter_table('guide_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guide_checks_obligation_id'), ['obligation_id'], unique=False)

    op.create_table('guide_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_guide_files_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guide_files')),
    sa.UniqueConstraint('submission_id', 'filename', name='uq_guide_files_name')
    )
    with op.batch_alter_table('guide_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guide_files_submission_id'), ['submission_id'], unique=False)

    op.create_table('guides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('basic_code', sa.String(length=12), nullable=False),
    sa.Column('implementation_code', sa.String(length=36), nullable=False),
    sa.Column('item_type', sa.String(length=20), nullable=False),
    sa.Column('implementer', sa.String(length=200), nullable=False),
    sa.Column('accepting_unit', sa.String(length=200), nullable=False),
    sa.Column('audience', sa.String(length=50), nullable=False),
    sa.Column('basis', sa.Text(), nullable=False),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.Column('legal_days', sa.Integer(), nullable=True),
    sa.Column('promised_days', sa.Integer(), nullable=True),
    sa.Column('immediate', sa.Boolean(), nullable=False),
    sa.Column('charged', sa.Boolean(), nullable=False),
    sa.Column('fee_note', sa.Text(), nullable=False),
    sa.Column('visits', sa.Integer(), nullable=True),
    sa.Column('online', sa.Boolean(), nullable=False),
    sa.Column('online_url', sa.String(length=500), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('consult_phone', sa.String(length=200), nullable=False),
    sa.Column('consult_other', sa.Text(), nullable=False),
    sa.Column('supervise_phone', sa.String(length=200), nullable=False),
    sa.Column('supervise_other', sa.Text(), nullable=False),
    sa.Column('hours', sa.Text(), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('downloads', sa.String(length=500), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('review_outcome', sa.String(length=10), nullable=False),
    sa.Column('review_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_guides_org_id_organisations')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_guides_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guides')),
    sa.UniqueConstraint('submission_id', 'code', name='uq_guides_item')
    )
    with op.batch_alter_table('guides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guides_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_guides_submission_id'), ['submission_id'], unique=False)

    op.create_table('guide_faqs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guide_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['guide_id'], ['guides.id'], name=op.f('fk_guide_faqs_guide_id_guides'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guide_faqs'))
    )
    with op.batch_alter_table('guide_faqs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guide_faqs_guide_id'), ['guide_id'], unique=False)

    op.create_table('guide_fees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guide_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('standard', sa.Text(), nullable=False),
    sa.Column('basis', sa.Text(), nullable=False),
    sa.Column('relief', sa.Text(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['guide_id'], ['guides.id'], name=op.f('fk_guide_fees_guide_id_guides'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guide_fees'))
    )
    with op.batch_alter_table('guide_fees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guide_fees_guide_id'), ['guide_id'], unique=False)

    op.create_table('guide_materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guide_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('necessity', sa.String(length=20), nullable=False),
    sa.Column('form', sa.String(length=40), nullable=False),
    sa.Column('copies', sa.Integer(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('basis', sa.Text(), nullable=False),
    sa.Column('is_form', sa.Boolean(), nullable=False),
    sa.Column('blank', sa.String(length=500), nullable=False),
    sa.Column('sample', sa.String(length=500), nullable=False),
    sa.Column('mistakes', sa.String(length=500), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['guide_id'], ['guides.id'], name=op.f('fk_guide_materials_guide_id_guides'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guide_materials'))
    )
    with op.batch_alter_table('guide_materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guide_materials_guide_id'), ['guide_id'], unique=False)

    op.create_table('guide_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guide_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('days', sa.Integer(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['guide_id'], ['guides.id'], name=op.f('fk_guide_steps_guide_id_guides'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guide_steps'))
    )
    with op.batch_alter_table('guide_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guide_steps_guide_id'), ['guide_id'], unique=False)

    with op.batch_alter_table('obligations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.JSON(), nullable=True))



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('obligations', schema=None) as batch_op:
        batch_op.drop_column('scope')

    with op.batch_alter_table('guide_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guide_steps_guide_id'))

    op.drop_table('guide_steps')
    with op.batch_alter_table('guide_materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guide_materials_guide_id'))

    op.drop_table('guide_materials')
    with op.batch_alter_table('guide_fees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guide_fees_guide_id'))

    op.drop_table('guide_fees')
    with op.batch_alter_table('guide_faqs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guide_faqs_guide_id'))

    op.drop_table('guide_faqs')
    with op.batch_alter_table('guides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guides_submission_id'))
        batch_op.drop_index(batch_op.f('ix_guides_org_id'))

    op.drop_table('guides')
    with op.batch_alter_table('guide_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guide_files_submission_id'))

    op.drop_table('guide_files')
    with op.batch_alter_table('guide_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guide_checks_obligation_id'))

    op.drop_table('guide_checks')
    with op.batch_alter_table('certificate_ledgers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_ledgers_org_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_ledgers_obligation_id'))

    op.drop_table('certificate_ledgers')
    with op.batch_alter_table('certificate_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_entries_submission_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_entries_org_id'))

    op.drop_table('certificate_entries')
