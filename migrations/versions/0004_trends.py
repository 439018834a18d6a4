"""counts maintained article by article over all history

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('counted_article',
                    sa.Column('article_id', sa.Integer(), autoincrement=False, nullable=False),
                    sa.Column('day', sa.Date(), nullable=False),
                    sa.Column('topic_id', sa.Integer(), nullable=True),
                    sa.Column('story_id', sa.Integer(), nullable=True),
                    sa.Column('watch', sa.JSON(), nullable=True),
                    sa.PrimaryKeyConstraint('article_id'))
    op.create_index(op.f('ix_counted_article_day'), 'counted_article', ['day'], unique=False)
    op.create_table('trend_state',
                    sa.Column('name', sa.String(length=50), nullable=False),
                    sa.Column('value', sa.Text(), nullable=False),
                    sa.PrimaryKeyConstraint('name'))
    # The windowed counts are replaced by a count of all history on the next trend pass.
    op.execute(sa.text('DELETE FROM daily_count'))


def downgrade() -> None:
    op.drop_index(op.f('ix_counted_article_day'), table_name='counted_article')
    op.drop_table('counted_article')
    op.drop_table('trend_state')
