"""per-site counts of short lines and title endings: what a site repeats is left out of its articles

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('site_line',
                    sa.Column('key', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False,
                              nullable=False),
                    sa.Column('articles', sa.Integer(), nullable=False),
                    sa.Column('seen_on', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('key'))


def downgrade() -> None:
    op.drop_table('site_line')
