"""Queries behind corroborated spikes: the articles that made a day's count and their outlets, past spike alerts.

An article's outlet is the feed that first carried it (its host when that feed is gone).
Counted articles are never duplicates (``monitor.store.counts``), so syndicated copies
linked by ``article.duplicate_of`` add neither articles nor outlets.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from monitor.records import Evidence
from monitor.store.db import session_scope
from monitor.store.shared import chunks
from monitor.store.tables import Alert, Article, CountedArticle, Feed, Mention


def evidence(engine: Engine, subject_kind: str, key: str, day: date) -> list[Evidence]:
    """The articles counted for a topic (by id), a watch term or an entity (its key) on ``day``, with their outlets."""
    query = sa.select(CountedArticle.article_id, CountedArticle.watch).where(CountedArticle.day == day)
    if subject_kind == "topic":
        query = query.where(CountedArticle.topic_id == int(key))
    elif subject_kind == "entity":
        query = query.join(Mention, Mention.article_id == CountedArticle.article_id).where(
            Mention.kind == "entity", Mention.key == key)
    with session_scope(engine) as s:
        rows = s.execute(query).all()
        ids = [i for i, watch in rows if subject_kind != "watch" or key in (watch or ())]
        return [Evidence(i, outlet) for i, outlet in sorted(_outlets(s, ids).items())]


def _outlets(s: Session, ids: Sequence[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in chunks(list(ids)):
        rows = s.execute(
            sa.select(Article.id, Feed.name, Article.canonical_url)
            .outerjoin(Feed, Feed.id == Article.first_feed_id).where(Article.id.in_(chunk)))
        out.update({i: name or (urlsplit(url or "").hostname or f"article {i}") for i, name, url in rows})
    return out


def spike_days(engine: Engine, since: date, kinds: Sequence[str]) -> dict[tuple[str, str], list[date]]:
    """Days of the alerts of ``kinds`` (the spikes) since ``since``, per (subject kind, subject): what a cooldown
    looks back on."""
    with session_scope(engine) as s:
        rows = s.execute(sa.select(Alert.subject_kind, Alert.subject, Alert.day)
                         .where(Alert.kind.in_(list(kinds)), Alert.day >= since)).all()
    out: dict[tuple[str, str], list[date]] = {}
    for kind, subject, day in rows:
        out.setdefault((kind, subject), []).append(day)
    return out
