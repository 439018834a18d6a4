"""Alerts: drafts in, stored alerts out. The one place an ``alert`` row becomes a record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from monitor.records import AlertDraft, StoredAlert
from monitor.store.db import session_scope
from monitor.store.tables import Alert, Topic


def insert_alerts(engine: Engine, drafts: Sequence[AlertDraft], now: datetime) -> int:
    """Insert alerts whose dedup_key is new, created ``now``; returns how many were inserted."""
    added = 0
    for alert in (_alert_row(d, now) for d in drafts):
        try:
            with session_scope(engine) as s:
                if s.exec(select(Alert.id).where(Alert.dedup_key == alert.dedup_key)).first() is None:
                    s.add(alert)
                    added += 1
        except sa.exc.IntegrityError:
            continue  # inserted concurrently by another run
    return added


def _alert_row(d: AlertDraft, now: datetime) -> Alert:
    return Alert(dedup_key=d.dedup_key, kind=d.kind, subject_kind=d.subject_kind, subject=d.subject, title=d.title,
                 day=d.day, count=d.count, baseline=d.baseline, score=d.score, reason=d.reason,
                 story_ids=list(d.story_ids), evidence=list(d.evidence) or None, sources=d.sources, created_at=now)


def _stored(row: Alert, topic_ids: dict[str, int]) -> StoredAlert:
    topic_id = topic_ids.get(row.subject) if row.subject_kind == "topic" else None
    return StoredAlert(
        row.id or 0, row.kind, row.subject_kind, row.subject, row.title, row.day, row.count, row.baseline, row.score,
        row.reason, row.created_at, tuple(row.story_ids or ()), topic_id, row.sources, tuple(row.evidence or ()),
    )


def _topic_keys(session: Any) -> dict[str, int]:
    """Alert subjects name a topic by id or by name: map both to the id."""
    keys: dict[str, int] = {}
    for topic_id, name in session.execute(sa.select(Topic.id, Topic.name)):
        keys.setdefault(name, topic_id)
        keys[str(topic_id)] = topic_id
    return keys


def read(session: Any, query: Any) -> list[StoredAlert]:
    """The alerts ``query`` (a ``select(Alert)``) finds, in its order."""
    keys = _topic_keys(session)
    return [_stored(a, keys) for a in session.exec(query).all()]


def list_alerts(engine: Engine, since: date | None = None) -> list[StoredAlert]:
    """Alerts about the days from ``since`` on (None: all), newest day first, then newest first."""
    query = select(Alert).order_by(col(Alert.day).desc(), col(Alert.created_at).desc(), col(Alert.id).desc())
    with session_scope(engine) as s:
        return read(s, query if since is None else query.where(Alert.day >= since))


def recent_alerts(engine: Engine, since: datetime) -> list[StoredAlert]:
    """Alerts created since ``since``, oldest first (what delivery considers)."""
    with session_scope(engine) as s:
        return read(s, select(Alert).where(Alert.created_at >= since).order_by(Alert.created_at, Alert.id))


def latest_alerts(engine: Engine, limit: int = 2000) -> list[StoredAlert]:
    """The site's alerts: newest day first, highest score first within a day."""
    with session_scope(engine) as s:
        return read(s, select(Alert).order_by(Alert.day.desc(), Alert.score.desc(), Alert.id).limit(limit))


def day_alerts(session: Any, day: date) -> list[StoredAlert]:
    """The alerts about ``day``, highest score first (a digest's, read in its session)."""
    return read(session, select(Alert).where(Alert.day == day).order_by(Alert.score.desc(), Alert.id))
