"""district scope: every campaign-scoped row names the district it belongs to

``district`` is the GB/T 2260 code of a district's campaign or directory, "" for the city's. Rows
already in the registry belong to the city, except the district departments, which take their
district's division code (the district governments themselves answer to the city); the rows of a district campaign loaded before this revision take
their campaign owner's district.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 19:20:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# Frozen here: a later table is not this revision's business.
SCOPED = (
    'approvals', 'approved_list_versions', 'audit_log', 'campaigns', 'certificate_entries', 'certificate_ledgers',
    'complaints', 'consolidated_items', 'consolidated_opinions', 'contacts', 'coordinator_decisions',
    'evaluation_cases', 'evaluations', 'guide_checks', 'guide_faqs', 'guide_fees', 'guide_files', 'guide_materials',
    'guide_steps', 'guides', 'inspected_units', 'inspection_findings', 'inspection_rounds', 'mailbox_messages',
    'obligations', 'organisations', 'outbox', 'outbox_attachments', 'phases', 'publications', 'published_addresses',
    'reply_tokens', 'review_opinions', 'review_replies', 'review_responses', 'rungs_taken', 'self_report_values',
    'self_reports', 'submissions', 'submitted_items', 'tasks',
)

revision: str = '0016'
down_revision: Union[str, Sequence[str], None] = '0015'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    for table in SCOPED:
        with op.batch_alter_table(table, recreate='never') as batch:
            batch.add_column(sa.Column('district', sa.String(length=6), server_default='', nullable=False))
            batch.create_index(f'ix_{table}_district', ['district'])
    op.execute("UPDATE organisations SET district = division_code WHERE division_code <> '' AND kind <> 'district'")
    op.execute("UPDATE contacts SET district = (SELECT o.district FROM organisations o WHERE o.id = contacts.org_id)")
    op.execute("UPDATE campaigns SET district = (SELECT o.district FROM organisations o"
               " WHERE o.id = campaigns.owner_org_id) WHERE level <> 'city'")
    for table in ('phases', 'tasks', 'obligations'):
        op.execute(f"UPDATE {table} SET district = (SELECT c.district FROM campaigns c"
                   f" WHERE c.id = {table}.campaign_id)")


def downgrade() -> None:
    for table in SCOPED:
        with op.batch_alter_table(table, recreate='never') as batch:
            batch.drop_index(f'ix_{table}_district')
            batch.drop_column('district')
