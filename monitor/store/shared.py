"""Query pieces every reader shares: an article's time (counts, digest, export, stories, site) and id chunks.

The crawl stores the feed's date, else the page's date, else the fetch time in
``published_at``; an imported or hand-made row may still carry a date later
than its fetch. Such a future date is not believed: the fetch time stands.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from monitor.dedupe.boilerplate import readable
from monitor.store.db import session_scope
from monitor.store.tables import Article, ArticleSource, Feed, TrendState

CHUNK = 500
T = TypeVar("T")


def article_time() -> Any:
    """SQL expression: published (feed, else page date) unless missing or later than the fetch, else fetched."""
    published, fetched = Article.published_at, Article.fetched_at
    return sa.case((sa.and_(published.is_not(None), published <= fetched), published), else_=fetched)


def time_from(moment: datetime) -> Any:
    """SQL: the article's time is ``moment`` or later. An article's time is never after its fetch, so the
    fetch-time bound holds for every such article too: said explicitly, it lets the database read the
    window from the ``(duplicate_of, fetched_at, published_at)`` index instead of every article."""
    return sa.and_(Article.fetched_at >= moment, article_time() >= moment)


def midnight(day: date, plus: int = 0) -> datetime:
    """The UTC midnight that starts ``day`` (``plus`` days later)."""
    return datetime.combine(day + timedelta(days=plus), datetime.min.time(), UTC)


def article_time_of(published: datetime | None, fetched: datetime) -> datetime:
    """The same rule for values already read."""
    return published if published is not None and published <= fetched else fetched


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in slices small enough for an ``IN (...)`` clause."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def create_state(engine: Engine, name: str, value: str) -> None:
    """A ``trend_state`` row a pass locks, made once (a concurrent pass may make it first)."""
    with session_scope(engine) as s:
        if s.get(TrendState, name) is not None:
            return
    try:
        with session_scope(engine) as s:
            s.add(TrendState(name=name, value=value))
    except sa.exc.IntegrityError:
        pass


@contextmanager
def holding_state(engine: Engine, name: str, value: str, forget: Sequence[Any]) -> Iterator[tuple[Any, str | None]]:
    """One transaction holding the ``trend_state`` row ``name`` (made by :func:`create_state`): it is written
    first, so its row lock keeps two passes from reading the same work. When the row's value is not ``value``,
    every row of the ``forget`` tables is deleted and ``value`` recorded. Yields the session and the value the
    row had when it differed (None when it was current)."""
    with session_scope(engine) as s:  # the write comes first: SQLite cannot turn a stale read into a write
        s.execute(sa.update(TrendState).where(TrendState.name == name).values(name=name))
        row = s.get(TrendState, name)
        before = None if row is None else row.value
        changed = before != value
        if changed:
            for table in forget:
                s.execute(sa.delete(table))
            s.merge(TrendState(name=name, value=value))
            s.flush()
        yield s, (before if changed else None)


def article_texts(s: Any, ids: Sequence[int], furniture: frozenset[int] = frozenset()) -> dict[int, str]:
    """``{id: "title\\ntext"}`` of the given articles (the summary when there is no text) without their
    sites' ``furniture`` (as the analysis reads them, whatever order they arrived in): what the watch
    matcher and the mention scanners read. One query: callers keep ``ids`` to an ``IN (...)``'s size."""
    if not ids:
        return {}
    body = sa.func.coalesce(Article.text, Article.summary, "")
    rows = s.execute(sa.select(Article.id, Article.url, Article.title, body).where(Article.id.in_(ids))).all()
    read = (readable(url or "", title or "", text, furniture) for _, url, title, text in rows)
    return {row[0]: f"{title}\n{text}" for row, (title, text) in zip(rows, read, strict=True)}


def feed_names(s: Any, ids: Sequence[int]) -> dict[int, list[str]]:
    """The names of the feeds that carried each article, the first to carry it first."""
    out: dict[int, list[str]] = {}
    for chunk in chunks(list(ids)):
        rows = s.execute(sa.select(ArticleSource.article_id, Feed.name).join(Feed, Feed.id == ArticleSource.feed_id)
                         .where(ArticleSource.article_id.in_(chunk))
                         .order_by(ArticleSource.article_id, ArticleSource.id))
        for article_id, name in rows:
            out.setdefault(article_id, []).append(name)
    return out
