"""The queries behind `monitor status`, in SQLAlchemy Core on lightweight table handles.

They read a handful of columns, so they do without the ORM models: the
command (and the Docker health check that runs it) starts without SQLModel.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from monitor.store.types import UTCDateTime

_run = sa.table(
    "run", sa.column("id", sa.Integer), sa.column("command", sa.String), sa.column("status", sa.String),
    sa.column("host", sa.String), sa.column("pid", sa.Integer), sa.column("started_at", UTCDateTime()),
    sa.column("finished_at", UTCDateTime()), sa.column("stages", sa.JSON),
)
_feed = sa.table(
    "feed", sa.column("name", sa.String), sa.column("consecutive_failures", sa.Integer),
    sa.column("last_error", sa.Text), sa.column("last_success_at", UTCDateTime()), sa.column("last_outcome", sa.String),
)
_article = sa.table("article", sa.column("id", sa.Integer), sa.column("fetched_at", UTCDateTime()))
_story_member = sa.table("story_member", sa.column("article_id", sa.Integer))
_alert = sa.table("alert", sa.column("id", sa.Integer), sa.column("created_at", UTCDateTime()))
_delivery = sa.table(
    "delivery", sa.column("item_kind", sa.String), sa.column("item_key", sa.String), sa.column("status", sa.String),
)
_digest = sa.table(
    "digest", sa.column("day", sa.Date), sa.column("articles", sa.Integer), sa.column("html_path", sa.String),
)

SETTLED = ("sent", "limited")  # limited: held back by alerts.max_per_topic_per_day, on purpose


def last_run(conn: Connection) -> dict[str, Any] | None:
    query = sa.select(_run).order_by(_run.c.started_at.desc(), _run.c.id.desc()).limit(1)
    row = conn.execute(query).mappings().first()
    return None if row is None else dict(row)


def count_feeds(conn: Connection) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(_feed)).scalar_one()


def last_success(conn: Connection) -> datetime | None:
    """When any feed was last fetched successfully (None: never)."""
    return conn.execute(sa.select(sa.func.max(_feed.c.last_success_at))).scalar_one()


def failing_feeds(conn: Connection) -> list[dict[str, Any]]:
    """Feeds whose last fetch failed: also those not counted a failure because every feed failed at once."""
    query = (sa.select(_feed).where(sa.or_(_feed.c.consecutive_failures > 0, _feed.c.last_outcome == "error"))
             .order_by(_feed.c.consecutive_failures.desc(), _feed.c.name))
    return [dict(row) for row in conn.execute(query).mappings()]


def articles_since(conn: Connection, since: datetime) -> int:
    query = sa.select(sa.func.count()).select_from(_article).where(_article.c.fetched_at >= since)
    return conn.execute(query).scalar_one()


def awaiting_analysis(conn: Connection) -> int:
    """Stored articles with no story yet: analysis places every article it reads in one."""
    placed = sa.select(_story_member.c.article_id).where(_story_member.c.article_id == _article.c.id)
    return conn.execute(sa.select(sa.func.count()).select_from(_article).where(~placed.exists())).scalar_one()


def undelivered_alerts(conn: Connection, since: datetime) -> int:
    """Alerts created since ``since`` with no settled delivery on any channel."""
    settled = sa.select(_delivery.c.item_key).where(
        _delivery.c.item_kind == "alert", _delivery.c.status.in_(SETTLED))
    query = sa.select(sa.func.count()).select_from(_alert).where(
        _alert.c.created_at >= since, sa.cast(_alert.c.id, sa.String).not_in(settled))
    return conn.execute(query).scalar_one()


def last_digest(conn: Connection) -> dict[str, Any] | None:
    row = conn.execute(sa.select(_digest).order_by(_digest.c.day.desc()).limit(1)).mappings().first()
    return None if row is None else dict(row)
