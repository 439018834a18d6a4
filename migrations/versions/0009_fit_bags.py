"""the topic fit's hashed word and name counts per article, kept for the next fit

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('fit_bag',
                    sa.Column('article_id', sa.Integer(), nullable=False),
                    sa.Column('digest', sa.String(length=32), nullable=False),
                    sa.Column('words', sa.LargeBinary(), nullable=False),
                    sa.Column('names', sa.LargeBinary(), nullable=False),
                    sa.ForeignKeyConstraint(['article_id'], ['article.id'], ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('article_id'))


def downgrade() -> None:
    op.drop_table('fit_bag')
