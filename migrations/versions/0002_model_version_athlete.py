"""Model versions are kept per athlete: model_versions.athlete_id.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 09:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('model_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('athlete_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_model_versions_athlete_id'), ['athlete_id'],
                              unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_model_versions_athlete_id_athletes'), 'athletes', ['athlete_id'],
            ['id'], ondelete='CASCADE',
        )


def downgrade() -> None:
    with op.batch_alter_table('model_versions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_model_versions_athlete_id_athletes'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_model_versions_athlete_id'))
        batch_op.drop_column('athlete_id')
