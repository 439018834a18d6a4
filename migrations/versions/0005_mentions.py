"""what articles name (entities, legal instruments, listed parties); feeds' bloc and ownership

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('feed') as batch:
        batch.add_column(sa.Column('bloc', sa.String(length=50), nullable=True))
        batch.add_column(sa.Column('ownership', sa.String(length=20), nullable=True))
    op.create_table('mention',
                    sa.Column('article_id', sa.Integer(), nullable=False),
                    sa.Column('kind', sa.String(length=12), nullable=False),
                    sa.Column('key', sa.String(length=300), nullable=False),
                    sa.Column('label', sa.String(length=300), nullable=False),
                    sa.Column('count', sa.Integer(), nullable=False),
                    sa.Column('first_offset', sa.Integer(), nullable=False),
                    sa.Column('detail', sa.JSON(), nullable=True),
                    sa.ForeignKeyConstraint(['article_id'], ['article.id'], ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('article_id', 'kind', 'key'))
    op.create_index('ix_mention_kind_key', 'mention', ['kind', 'key'], unique=False)
    op.create_table('mention_scan',
                    sa.Column('article_id', sa.Integer(), nullable=False),
                    sa.ForeignKeyConstraint(['article_id'], ['article.id'], ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('article_id'))


def downgrade() -> None:
    op.drop_table('mention_scan')
    op.drop_index('ix_mention_kind_key', table_name='mention')
    op.drop_table('mention')
    with op.batch_alter_table('feed') as batch:
        batch.drop_column('ownership')
        batch.drop_column('bloc')
