"""each article's own topic, kept when its story hands it another between refits

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('article_topic') as batch:
        batch.add_column(sa.Column('own_topic_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('article_topic') as batch:
        batch.drop_column('own_topic_id')
