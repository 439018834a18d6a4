"""Queries and writes of the trend stage: daily counts per topic, story and watch term, and alerts.

Readers elsewhere (site, CLI) may use ``daily_series`` and ``list_alerts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, delete, select

from monitor.records import AlertDraft
from monitor.store.db import session_scope
from monitor.store.tables import Alert, DailyCount


def daily_series(engine: Engine, kind: str, since: date | None = None) -> dict[str, dict[date, int]]:
    """``{key: {day: count}}`` for one kind (topic, story, watch, total)."""
    with session_scope(engine) as s:
        query = select(DailyCount).where(DailyCount.kind == kind)
        if since is not None:
            query = query.where(DailyCount.day >= since)
        out: dict[str, dict[date, int]] = {}
        for row in s.exec(query).all():
            out.setdefault(row.key, {})[row.day] = row.count
        return out


def first_days(engine: Engine, kind: str) -> dict[str, date]:
    with session_scope(engine) as s:
        query = (sa.select(DailyCount.key, sa.func.min(DailyCount.day))
                 .where(DailyCount.kind == kind, DailyCount.count > 0).group_by(DailyCount.key))
        return {k: d for k, d in s.execute(query).all()}


def insert_alerts(engine: Engine, drafts: Sequence[AlertDraft], now: datetime) -> list[Alert]:
    """Insert alerts whose dedup_key is new, created ``now``; returns those inserted."""
    added = []
    for alert in (_alert_row(d, now) for d in drafts):
        try:
            with session_scope(engine) as s:
                if s.exec(select(Alert.id).where(Alert.dedup_key == alert.dedup_key)).first() is None:
                    s.add(alert)
                    added.append(alert)
        except sa.exc.IntegrityError:
            continue  # inserted concurrently by another run
    return added


def _alert_row(d: AlertDraft, now: datetime) -> Alert:
    return Alert(dedup_key=d.dedup_key, kind=d.kind, subject_kind=d.subject_kind, subject=d.subject, title=d.title,
                 day=d.day, count=d.count, baseline=d.baseline, score=d.score, reason=d.reason,
                 story_ids=list(d.story_ids), evidence=list(d.evidence) or None, sources=d.sources, created_at=now)


def list_alerts(engine: Engine, since: datetime | None = None) -> list[Alert]:
    with session_scope(engine) as s:
        query = select(Alert).order_by(col(Alert.created_at).desc(), col(Alert.id).desc())
        if since is not None:
            query = query.where(Alert.created_at >= since)
        return list(s.exec(query).all())
