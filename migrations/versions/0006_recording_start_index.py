"""Recordings are indexed by their absolute start: another file of a recording already in the
journal (its CSV downloaded from the Session page, the watch's export in another layout) is
found by its start and length without reading every recording's row.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 10:00:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_recordings_start_time_utc', 'recordings', ['start_time_utc'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_recordings_start_time_utc', table_name='recordings')
