"""Session ids are never given twice: the highest id handed out is kept beside the tables.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 07:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'id_high_water',
        sa.Column('table_name', sa.String(length=64), nullable=False),
        sa.Column('max_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('table_name', name=op.f('pk_id_high_water')),
    )
    # Ids already given (a deleted newest session's is lost: nothing remembers it).
    op.execute(
        "INSERT INTO id_high_water (table_name, max_id) "
        "SELECT 'workout_sessions', COALESCE(MAX(id), 0) FROM workout_sessions"
    )


def downgrade() -> None:
    op.drop_table('id_high_water')
