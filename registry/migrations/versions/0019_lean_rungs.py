"""lean rungs: the rungs taken keep the indexes their queries use, and no more

A province's first sweep writes one ``rungs_taken`` row per obligation, 75,000 in one morning, and
every index on the table is written with each row. Two of the four served no query: the district
index (every rung of a campaign carries the same district, and a district's rows are read through
their obligations) and the notice key's alone (a key is looked up only among one day's rungs).
The day's index now carries the key too, so the sweep reads the keys already used that day from the
index alone.

The foreign key to ``obligations`` goes too. PostgreSQL checks it row by row, locking each
obligation's row to do so: more than half the time of writing a morning's rungs. Only the sweep
writes a rung, for an obligation it has just read in the same transaction, and obligations are
never deleted; the joins that read rungs name their condition themselves.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 04:30:00

"""
from typing import Sequence, Union

from alembic import op

revision: str = '0019'
down_revision: Union[str, Sequence[str], None] = '0018'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


FOREIGN_KEY = 'fk_rungs_taken_obligation_id_obligations'


def upgrade() -> None:
    # SQLite drops a foreign key only by copying the table (batch mode does); PostgreSQL alters it.
    with op.batch_alter_table('rungs_taken') as batch:
        batch.drop_constraint(FOREIGN_KEY, type_='foreignkey')
        batch.drop_index('ix_rungs_taken_district')
        batch.drop_index('ix_rungs_taken_notice_key')
        batch.drop_index('ix_rungs_taken_taken_on')
        batch.create_index('ix_rungs_taken_taken_on_notice_key', ['taken_on', 'notice_key'])


def downgrade() -> None:
    with op.batch_alter_table('rungs_taken') as batch:
        batch.create_foreign_key(FOREIGN_KEY, 'obligations', ['obligation_id'], ['id'])
        batch.drop_index('ix_rungs_taken_taken_on_notice_key')
        batch.create_index('ix_rungs_taken_taken_on', ['taken_on'])
        batch.create_index('ix_rungs_taken_notice_key', ['notice_key'])
        batch.create_index('ix_rungs_taken_district', ['district'])
