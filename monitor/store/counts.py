"""Daily counts kept article by article (``counted_article``): what changed since the last pass, and writes.

An article is counted once, on the day of its time (``monitor.store.shared``). A later
pass finds only articles that are new, whose topic or story changed, or that are
gone or became duplicates, places them again and tallies the days they left or joined afresh.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from monitor.records import CountRow, Placement
from monitor.store.db import session_scope
from monitor.store.shared import article_texts, article_time, chunks, create_state, holding_state
from monitor.store.tables import Article, ArticleTopic, CountedArticle, DailyCount, StoryMember

WATCHLIST = "watchlist"
TEXT_BATCH = 2000


@dataclass(frozen=True)
class Pending:
    """Articles whose counts are out of date."""

    new: list[Placement]  # never counted: ``watch`` still to be matched
    moved: list[tuple[Placement, Placement]]  # (as counted, as now): topic or story changed
    gone: list[Placement]  # deleted or now a duplicate


def _placement(row: CountedArticle) -> Placement:
    return Placement(row.article_id, row.day, row.topic_id, row.story_id, tuple(row.watch or ()))


@contextmanager
def counting(engine: Engine, watchlist: str) -> Iterator[Session]:
    """One transaction for a counting pass. It first writes the ``watchlist`` row of ``trend_state``,
    which holds a write lock until the pass commits, so two passes (cron and a manual `monitor site`)
    never read the same new articles and count them twice. A changed watchlist forgets every count
    (this pass then counts all history)."""
    create_state(engine, WATCHLIST, f"new:{watchlist}")
    with holding_state(engine, WATCHLIST, watchlist, forget=(CountedArticle, DailyCount)) as (s, _before):
        yield s


def pending(s: Session) -> Pending:
    counted = CountedArticle
    query = (
        sa.select(Article.id, article_time(), ArticleTopic.topic_id, StoryMember.story_id, counted)
        .outerjoin(ArticleTopic, ArticleTopic.article_id == Article.id)
        .outerjoin(StoryMember, StoryMember.article_id == Article.id)
        .outerjoin(counted, counted.article_id == Article.id)
        .where(Article.duplicate_of.is_(None), sa.or_(
            counted.article_id.is_(None),
            counted.topic_id.is_distinct_from(ArticleTopic.topic_id),
            counted.story_id.is_distinct_from(StoryMember.story_id),
        ))
    )
    # Counted articles that are no longer originals (deleted, or found to be duplicates): the originals'
    # ids come from an index, without reading a row of a year of articles.
    originals = sa.select(Article.id).where(Article.duplicate_of.is_(None))
    gone_query = sa.select(counted).where(counted.article_id.not_in(originals))
    new, moved = [], []
    for article_id, when, topic_id, story_id, old in s.execute(query).all():
        if old is None:
            new.append(Placement(article_id, when.date(), topic_id, story_id))
        else:
            was = _placement(old)
            moved.append((was, Placement(article_id, was.day, topic_id, story_id, was.watch)))
    gone = [_placement(row) for (row,) in s.execute(gone_query).all()]
    return Pending(new, moved, gone)


def texts(s: Session, ids: Sequence[int], furniture: frozenset[int]) -> Iterator[dict[int, str]]:
    """Title and text of the given articles without their sites' ``furniture``, a batch at a time."""
    for batch in chunks(ids, TEXT_BATCH):
        yield article_texts(s, batch, furniture)


def place(s: Session, placed: Sequence[Placement], dropped: Sequence[int], days: Sequence[date]) -> list[Placement]:
    """Record ``placed`` (replacing earlier placements) and forget ``dropped`` articles; returns every
    placement on ``days`` afterwards."""
    ids = [p.article_id for p in placed] + list(dropped)
    for batch in chunks(ids):
        s.exec(delete(CountedArticle).where(col(CountedArticle.article_id).in_(batch)))
    s.flush()
    s.add_all(CountedArticle(article_id=p.article_id, day=p.day, topic_id=p.topic_id, story_id=p.story_id,
                             watch=list(p.watch)) for p in placed)
    s.flush()
    return [_placement(r) for batch in chunks(sorted(set(days)))
            for r in s.exec(select(CountedArticle).where(col(CountedArticle.day).in_(batch)))]


def replace_counts(s: Session, days: Sequence[date], rows: Sequence[CountRow]) -> None:
    """The counts of ``days`` become ``rows`` (whatever else wrote to those days is replaced)."""
    for batch in chunks(sorted(set(days))):
        s.exec(delete(DailyCount).where(col(DailyCount.day).in_(batch)))
    s.add_all(DailyCount(day=r.day, kind=r.kind, key=r.key, count=r.count, share=r.share) for r in rows)


def placements_on(engine: Engine, day: date) -> list[Placement]:
    """Every article counted on ``day`` (which stories made an alert's count)."""
    with session_scope(engine) as s:
        rows = s.exec(select(CountedArticle).where(CountedArticle.day == day)).all()
        return [_placement(r) for r in rows]
