"""district policies: on PostgreSQL the server keeps each district to its own rows

Row-level security on every scoped table, forced so that it binds the tables' owner too, and the
role ``reform_district`` that a district's transactions switch to (``registry.db``). A transaction
declares its scope with ``set_config('reform.district', …, true)``: ``*`` for the city and the
flows, a district's code for that district. Declaring none means no rows: after a transaction's own
setting ends, the server reads the setting as ``''``, not as missing, so ``''`` declares nothing
either (and never means the city's rows). The district role can only ever see its district's rows:
``*`` is the city's alone. SQLite, embedded and single-user, has no roles: there the session's
criteria (registry.scope) are the seal.

Superusers bypass row-level security whatever the table says; the tables' owner needs the role
``reform_district`` granted (done here when the owner may, i.e. it created the role or has
CREATEROLE) to switch to it.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 21:05:00

"""
from typing import Sequence, Union

from alembic import op

# Frozen here: a later table is not this revision's business (it brings its own policies).
SCOPED = (
    'approvals', 'approved_list_versions', 'audit_log', 'campaigns', 'certificate_entries', 'certificate_ledgers',
    'complaints', 'consolidated_items', 'consolidated_opinions', 'contacts', 'coordinator_decisions',
    'evaluation_cases', 'evaluations', 'guide_checks', 'guide_faqs', 'guide_fees', 'guide_files', 'guide_materials',
    'guide_steps', 'guides', 'inspected_units', 'inspection_findings', 'inspection_rounds', 'mailbox_messages',
    'obligations', 'organisations', 'outbox', 'outbox_attachments', 'phases', 'publications', 'published_addresses',
    'reply_tokens', 'review_opinions', 'review_replies', 'review_responses', 'rungs_taken', 'self_report_values',
    'self_reports', 'submissions', 'submitted_items', 'tasks',
)
# What a district reads besides its own rows; the people tables and the mail outages stay the city's.
REFERENCE = ('calendar_years', 'calendar_days')

ROLE = 'reform_district'
# The district whose rows the transaction declared it acts for: a district's code, '' for the city's
# own rows (declared as 'city'), '*' for every row; NULL when it declared none ('' once an earlier
# setting ended), which matches no row.
DECLARED = ("(CASE current_setting('reform.district', true) WHEN 'city' THEN '' WHEN '' THEN NULL"
            " ELSE current_setting('reform.district', true) END)")
DISTRICT_ROWS = f"district = {DECLARED}"
CITY_ROWS = f"current_user <> '{ROLE}' AND {DECLARED} IN ('*', district)"

revision: str = '0017'
down_revision: Union[str, Sequence[str], None] = '0016'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    # Roles are the cluster's, shared by every database on it: another database's migration may be
    # creating the role at this moment (a unique_violation then, rather than duplicate_object).
    op.execute(f"""
        DO $$
        BEGIN
            CREATE ROLE {ROLE} NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END
        $$""")
    op.execute(f"""
        DO $$
        BEGIN
            IF NOT pg_has_role(current_user, '{ROLE}', 'MEMBER') THEN
                GRANT {ROLE} TO current_user;
            END IF;
        END
        $$""")
    op.execute(f"GRANT USAGE ON SCHEMA public TO {ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(SCOPED)} TO {ROLE}")
    op.execute(f"GRANT SELECT ON {', '.join(REFERENCE)} TO {ROLE}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {ROLE}")
    for table in SCOPED:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY district_rows ON {table} FOR ALL TO {ROLE}"
                   f" USING ({DISTRICT_ROWS}) WITH CHECK ({DISTRICT_ROWS})")
        op.execute(f"CREATE POLICY city_rows ON {table} FOR ALL TO PUBLIC"
                   f" USING ({CITY_ROWS}) WITH CHECK ({CITY_ROWS})")


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in SCOPED:
        op.execute(f"DROP POLICY IF EXISTS city_rows ON {table}")
        op.execute(f"DROP POLICY IF EXISTS district_rows ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    # The role stays: other databases on the cluster may use it.
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {ROLE}")
    op.execute(f"REVOKE ALL ON {', '.join((*SCOPED, *REFERENCE))} FROM {ROLE}")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {ROLE}")
