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


def insert_alerts(engine: Engine, alerts: Sequence[Alert]) -> list[Alert]:
    """Insert alerts whose dedup_key is new; returns those inserted."""
    added = []
    for alert in alerts:
        try:
            with session_scope(engine) as s:
                if s.exec(select(Alert.id).where(Alert.dedup_key == alert.dedup_key)).first() is None:
                    s.add(alert)
                    added.append(alert)
        except sa.exc.IntegrityError:
            continue  # inserted concurrently by another run
    return added


def list_alerts(engine: Engine, since: datetime | None = None) -> list[Alert]:
    with session_scope(engine) as s:
        query = select(Alert).order_by(col(Alert.created_at).desc(), col(Alert.id).desc())
        if since is not None:
            query = query.where(Alert.created_at >= since)
        return list(s.exec(query).all())
