"""Sets carry their session's date-time, indexed with the exercise, for fast searches.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 09:45:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('exercise_sets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('performed_at', sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE exercise_sets SET performed_at = (SELECT workout_sessions.performed_at "
        "FROM workout_sessions WHERE workout_sessions.id = exercise_sets.session_id)"
    )
    with op.batch_alter_table('exercise_sets', schema=None) as batch_op:
        batch_op.alter_column('performed_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.drop_index('ix_exercise_sets_exercise_reps')
        # Covering: exercise + date range + reps filters, totals and progress read only it.
        batch_op.create_index('ix_exercise_sets_exercise_performed',
                              ['exercise_id', 'performed_at', 'reps', 'weight_kg', 'session_id'],
                              unique=False)
        batch_op.create_index('ix_exercise_sets_performed', ['performed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('exercise_sets', schema=None) as batch_op:
        batch_op.drop_index('ix_exercise_sets_performed')
        batch_op.drop_index('ix_exercise_sets_exercise_performed')
        batch_op.create_index('ix_exercise_sets_exercise_reps', ['exercise_id', 'reps'],
                              unique=False)
        batch_op.drop_column('performed_at')
