"""The ``run`` rows `monitor run` and the scheduler keep, and the two facts the pipeline asks before a refit."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from monitor.store.db import session_scope
from monitor.store.tables import Article, Feed, Run, TopicModelRun


def start_run(engine: Engine, command: str, now: datetime, host: str, pid: int) -> int:
    """A ``running`` row; its id."""
    row = Run(command=command, started_at=now, status="running", host=host[:200], pid=pid)
    with session_scope(engine) as session:
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def finish_run(engine: Engine, run_id: int, status: str, finished: datetime, stages: Mapping[str, Any],
               summary: Mapping[str, Any]) -> None:
    """Record a run's outcome (nothing when its row is gone)."""
    with session_scope(engine) as session:
        row = session.get(Run, run_id)
        if row is None:
            return
        row.finished_at, row.status = finished, status
        row.stages, row.summary = dict(stages), dict(summary)


def feeds_due(engine: Engine, names: list[str], now: datetime) -> bool:
    """Whether one of the named feeds is due at ``now`` (or not stored yet): the crawl will poll it."""
    with session_scope(engine) as session:
        waiting = set(session.execute(sa.select(Feed.name).where(Feed.next_due_at > now)).scalars())
    return any(name not in waiting for name in names)


def articles_with_text(engine: Engine, since: datetime | None = None) -> int:
    """Stored articles a topic model can learn from: with text, not duplicates (fetched after ``since``)."""
    query = sa.select(sa.func.count()).select_from(Article).where(
        Article.text.is_not(None), Article.duplicate_of.is_(None))
    if since is not None:
        query = query.where(Article.fetched_at > since)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def current_fit_size(engine: Engine) -> int:
    """How many articles the current topic model was fitted on (0: none yet)."""
    query = sa.select(TopicModelRun.n_docs).where(TopicModelRun.current).order_by(TopicModelRun.fitted_at.desc())
    with engine.connect() as conn:
        return int(conn.execute(query.limit(1)).scalar() or 0)


def last_fit(engine: Engine) -> datetime | None:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.max(TopicModelRun.fitted_at))).scalar()
