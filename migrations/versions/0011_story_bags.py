"""the story pass's hashed word and name counts of the newest articles, kept for the bars' reference

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('story_bag',
                    sa.Column('article_id', sa.Integer(), nullable=False),
                    sa.Column('digest', sa.String(length=32), nullable=False),
                    sa.Column('words', sa.LargeBinary(), nullable=False),
                    sa.Column('names', sa.LargeBinary(), nullable=False),
                    sa.ForeignKeyConstraint(['article_id'], ['article.id'], ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('article_id'))


def downgrade() -> None:
    op.drop_table('story_bag')
