"""an index that answers "which originals fall in this time window" without reading article rows

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_article_original_time', 'article', ['duplicate_of', 'fetched_at', 'published_at'])


def downgrade() -> None:
    op.drop_index('ix_article_original_time', table_name='article')
