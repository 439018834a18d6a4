"""Queries of the trend stage: daily counts per topic, story and watch term (alerts: monitor.store.alerts).

Readers elsewhere (site, CLI) may use ``daily_series``.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import select

from monitor.store.db import session_scope
from monitor.store.tables import DailyCount


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
