"""term statistics for corpus IDF of story features

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sqlmodel

import monitor.store.types

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('term_stats',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('n_docs', sa.Integer(), nullable=False),
    sa.Column('words', sa.LargeBinary(), nullable=True),
    sa.Column('names', sa.LargeBinary(), nullable=True),
    sa.Column('updated_at', monitor.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('term_stats')
