"""A session's sets by position also carry exercise, reps and weight: a lifter's totals (the
Journal page's sets, reps and volume) read that index alone, not every set's row.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 20:00:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Created first: the foreign key on session_id keeps an index to use throughout.
    op.create_index('ix_exercise_sets_session_totals', 'exercise_sets',
                    ['session_id', 'position', 'exercise_id', 'reps', 'weight_kg'], unique=False)
    op.drop_index('ix_exercise_sets_session_position', table_name='exercise_sets')


def downgrade() -> None:
    op.create_index('ix_exercise_sets_session_position', 'exercise_sets',
                    ['session_id', 'position'], unique=False)
    op.drop_index('ix_exercise_sets_session_totals', table_name='exercise_sets')
