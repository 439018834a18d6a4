"""Queries and writes for the outputs: digest windows, site data, Digest and Delivery rows.

The only module of the outputs that opens sessions. It returns plain records
(monitor.records) that monitor.views turns into what the pages show; it takes
windows and days as parameters and decides nothing about ranking or trends.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import select

from monitor.dedupe import boilerplate
from monitor.extract.captions import without_captions
from monitor.extract.headline import without_headline
from monitor.records import (
    Daily,
    DeliveryRecord,
    DigestRows,
    Link,
    RenderedDigestFile,
    SiteRows,
    StoryArticles,
    StoryRecord,
    WindowArticle,
)
from monitor.store import alerts as alert_db
from monitor.store.analysis import all_topics_in
from monitor.store.db import session_scope
from monitor.store.shared import article_time, chunks, feed_names, midnight, time_from
from monitor.store.tables import (
    Article,
    ArticleTopic,
    CountedArticle,
    DailyCount,
    Delivery,
    Digest,
    Feed,
    SiteLine,
    Story,
    StoryMember,
)

SNIPPET = 400
LEDE_READ = 4000  # characters of a text read for its lede: enough to pass the furniture at its top
STORY_COLUMNS = (Story.id, Story.title, Story.size, Story.outlets, Story.first_seen_at, Story.last_seen_at,
                 Story.topic_id)


# --- shared lookups ------------------------------------------------------------------------


def _outlets(session: Any, ids: Sequence[int]) -> dict[int, str]:
    """Each article's outlet: the name of the first feed that carried it."""
    return {article_id: names[0] for article_id, names in feed_names(session, ids).items()}


def _daily(session: Any, kind: str, first: date, last: date) -> Daily:
    rows = session.execute(
        sa.select(DailyCount.key, DailyCount.day, DailyCount.count)
        .where(DailyCount.kind == kind, DailyCount.day >= first, DailyCount.day <= last)
    )
    out: Daily = defaultdict(dict)
    for key, day, count in rows:
        out[key][day] = out[key].get(day, 0) + count
    return out


def _lookup(session: Any, column: Any, key: Any, ids: Sequence[int]) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for chunk in chunks(ids):
        out.update(session.execute(sa.select(key, column).where(key.in_(chunk))).all())
    return out


def _story_records(session: Any, query: Any) -> list[StoryRecord]:
    """``query``: a select of STORY_COLUMNS."""
    return [StoryRecord(sid or 0, *rest) for sid, *rest in session.execute(query)]


def first_articles(session: Any) -> dict[int, datetime]:
    """Each topic's first article time: when the topic appeared in the news, whenever a fit found it."""
    when = article_time()
    rows = session.execute(
        sa.select(ArticleTopic.topic_id, sa.func.min(when)).join(Article, Article.id == ArticleTopic.article_id)
        .where(ArticleTopic.topic_id >= 0, Article.duplicate_of.is_(None)).group_by(ArticleTopic.topic_id)
    )
    return {topic_id: _aware(first) for topic_id, first in rows if first is not None}


def _aware(value: datetime | str) -> datetime:
    """min() over a timestamp comes back as text on SQLite and without the column's type."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# --- the digest ------------------------------------------------------------------------------


def digest_rows(engine: Engine, start: datetime, end: datetime, first: date, last: date, described: date,
                repeats: int = 0) -> DigestRows:
    """What the digest of [start, end) reads: its articles and stories, every topic, the topic, total and
    watch counts of the days ``first`` to ``last``, and the alerts about the day ``described``. ``repeats``:
    the crawl's ``site_repeats``, to read ledes without their sites' furniture (0: as stored)."""
    with session_scope(engine) as session:
        articles = _window_articles(session, start, end, repeats)
        story_ids = sorted({a.story_id for a in articles if a.story_id is not None and a.story_id > 0})
        stories = [s for chunk in chunks(story_ids)
                   for s in _story_records(session, sa.select(*STORY_COLUMNS).where(Story.id.in_(chunk)))]
        return DigestRows(
            articles=tuple(articles), topics=tuple(all_topics_in(session)), stories={s.id: s for s in stories},
            topic_daily=_daily(session, "topic", first, last), total_daily=_daily(session, "total", first, last),
            watch_daily=_daily(session, "watch", first, last), firsts=first_articles(session),
            alerts=tuple(alert_db.day_alerts(session, described)),
        )


# the address, the summary, and the start of the text only where the summary is blank (not read otherwise)
LEDE_COLUMNS = (Article.canonical_url, Article.summary,
                sa.case((sa.func.trim(sa.func.coalesce(Article.summary, "")) != "", None),
                        else_=sa.func.substr(Article.text, 1, LEDE_READ)))


def _ledes(session: Any, rows: Sequence[tuple[str | None, str | None, str | None]], repeats: int,
           titles: Sequence[str | None]) -> list[str]:
    """Per row of ``LEDE_COLUMNS``: the feed's summary, else the start of the text (a feed without
    descriptions stores "", not NULL) without what its site repeats on every page, as the analysis reads
    it (the crawl could not leave that out of a site's first articles), without the headline (``titles``,
    one per row) where the page prints it again, and without the photo captions it opens with."""
    texts = [None if (summary or "").strip() else text or "" for _, summary, text in rows]  # None: the summary
    found = [boilerplate.site_keys(url or "", "", text) if text and repeats else None
             for (url, _, _), text in zip(rows, texts, strict=True)]
    furniture = _carried(session, sorted({k for f in found if f for k in f.lines if k is not None}), repeats)
    plain = [text if text is None or not keys or not furniture else boilerplate.stripped("", text, keys, furniture)[1]
             for text, keys in zip(texts, found, strict=True)]
    return [(summary or "") if text is None else without_captions(without_headline(text, title, every=True))[:SNIPPET]
            for (_, summary, _), text, title in zip(rows, plain, titles, strict=True)]


def _carried(session: Any, keys: Sequence[int], repeats: int) -> frozenset[int]:
    """Those of ``keys`` that more than ``repeats`` stored articles of their site carried."""
    return frozenset(k for chunk in chunks(keys) for k in session.execute(
        sa.select(SiteLine.key).where(SiteLine.key.in_(chunk), SiteLine.articles > repeats)).scalars())


def _window_articles(session: Any, start: datetime, end: datetime, repeats: int) -> list[WindowArticle]:
    """The articles (not duplicates) of [start, end), oldest first, with their outlet, topic and story."""
    when = article_time().label("article_time")
    found = session.execute(
        sa.select(Article.id, Article.title, Article.url, Article.site_name, when, *LEDE_COLUMNS)
        .where(Article.duplicate_of.is_(None), time_from(start), when < end)
        .order_by(when, Article.id)
    ).all()
    ledes = _ledes(session, [r[5:] for r in found], repeats, [r[1] for r in found])
    rows = [(i, title, url, lede, site, t) for (i, title, url, site, t, *_), lede in zip(found, ledes, strict=True)]
    ids = [r[0] for r in rows]
    topic_of = _lookup(session, ArticleTopic.topic_id, ArticleTopic.article_id, ids)
    story_of = _lookup(session, StoryMember.story_id, StoryMember.article_id, ids)
    watch_of = _lookup(session, CountedArticle.watch, CountedArticle.article_id, ids)
    outlets = _outlets(session, ids)
    return [WindowArticle(i, title or "", url or "", summary or "",
                          outlets.get(i) or site or (urlsplit(url or "").hostname or ""), t, topic_of.get(i, -1),
                          story_of.get(i), tuple(watch_of[i] or ()) if i in watch_of else None)
            for i, title, url, summary, site, t in rows]


# --- the site -----------------------------------------------------------------------------------


def site_rows(engine: Engine, first: date, last: date, since: date, titles: bool) -> SiteRows:
    """What the topic pages read: every topic, topic counts of ``first`` to ``last``, the stories with a topic
    seen since ``since`` (most outlets first) and, with ``titles``, the titles of the topics' articles since."""
    with session_scope(engine) as session:
        stories = _story_records(session, sa.select(*STORY_COLUMNS)
                                 .where(Story.topic_id.is_not(None), Story.last_seen_at >= midnight(since))
                                 .order_by(Story.outlets.desc(), Story.size.desc(), Story.id))
        return SiteRows(
            topics=tuple(t for t in all_topics_in(session) if t.id >= 0),
            topic_daily=_daily(session, "topic", first, last), firsts=first_articles(session), stories=tuple(stories),
            titles=tuple(_topic_titles(session, since)) if titles else (),
        )


def _topic_titles(session: Any, since: date) -> list[tuple[int, str]]:
    when = article_time()
    rows = session.execute(
        sa.select(ArticleTopic.topic_id, Article.title)
        .join(Article, Article.id == ArticleTopic.article_id)
        # "+ 0": the recent fetches (an index range) lead, not every topic assignment of the year
        .where(ArticleTopic.topic_id + 0 >= 0, time_from(midnight(since)))
    )
    return [(topic_id, title or "") for topic_id, title in rows]


def last_counted_day(engine: Engine, today: date) -> date | None:
    """The latest day with counts, at or before ``today`` (the trend stage may lag the clock)."""
    with session_scope(engine) as session:
        return session.execute(sa.select(sa.func.max(DailyCount.day)).where(DailyCount.day <= today)).scalar()


def load_totals(engine: Engine, days: Sequence[date]) -> list[int]:
    with session_scope(engine) as session:
        totals = _daily(session, "total", days[0], days[-1])
    return [sum(c.get(d, 0) for c in totals.values()) for d in days]


def story_stamps(engine: Engine) -> dict[int, tuple[str, int | None]]:
    """Per story, (a string that changes whenever its page would, its topic id)."""
    cols = (Story.id, Story.topic_id, Story.title, Story.size, Story.outlets, Story.last_seen_at,
            Story.headline_article_id)
    with session_scope(engine) as session:
        return {r[0]: ("|".join(str(v) for v in r[1:]), r[1]) for r in session.execute(sa.select(*cols))}


def load_stories(engine: Engine, ids: Sequence[int], repeats: int = 0) -> Iterator[StoryArticles]:
    """Stories with all their articles, oldest first, and the start of the headline article (else of the
    first); read in chunks so a full build stays in memory. ``repeats`` as for ``digest_rows``."""
    for chunk in chunks(sorted(ids), 2000):
        with session_scope(engine) as session:
            stories = session.execute(sa.select(*STORY_COLUMNS, Story.headline_article_id)
                                      .where(Story.id.in_(chunk)).order_by(Story.id)).all()
            members, ledes = _members(session, chunk, repeats)
        for *story, headline in stories:
            links = tuple(members.get(story[0], ()))
            lede = (ledes.get(headline, "") if headline is not None else "") or (links[0].snippet if links else "")
            yield StoryRecord(*story), links, lede


def _members(session: Any, story_ids: Sequence[int], repeats: int) -> tuple[dict[int, list[Link]], dict[int, str]]:
    """Per story its articles as links, oldest first; per article the start of its summary or text."""
    when = article_time().label("article_time")
    found = session.execute(
        sa.select(StoryMember.story_id, Article.id, Article.title, Article.url, Article.site_name, Feed.name,
                  when, Feed.region, sa.func.coalesce(Article.language, Feed.language), *LEDE_COLUMNS)
        .join(Article, Article.id == StoryMember.article_id)
        .outerjoin(Feed, Feed.id == Article.first_feed_id)
        .where(StoryMember.story_id.in_(story_ids)).order_by(when, Article.id)
    ).all()
    snippets = _ledes(session, [r[9:] for r in found], repeats, [r[2] for r in found])
    members: dict[int, list[Link]] = defaultdict(list)
    ledes: dict[int, str] = {}
    for (story_id, article_id, title, url, site_name, feed, time, region, language, *_), snippet in zip(
            found, snippets, strict=True):
        text = snippet[:SNIPPET]
        outlet = feed or site_name or urlsplit(url or "").hostname or ""
        members[story_id].append(Link(title or "", url or "", outlet, time, region, language, text))
        ledes[article_id] = text
    return members, ledes


def load_day_stories(engine: Engine, start: datetime, end: datetime, limit: int = 5,
                     repeats: int = 0) -> list[StoryArticles]:
    """The stories reported in [start, end), most outlets first, with their articles (first reporter, lede)."""
    with session_scope(engine) as session:
        ids = list(session.execute(
            sa.select(Story.id).where(Story.last_seen_at >= start, Story.first_seen_at < end, Story.size > 1)
            .order_by(Story.outlets.desc(), Story.size.desc(), Story.id).limit(limit)
        ).scalars())
    found = {s[0].id: s for s in load_stories(engine, ids, repeats)}
    return [found[i] for i in ids if i in found]


# --- digests and deliveries ---------------------------------------------------------------------------


def _digest_file(row: Digest) -> RenderedDigestFile:
    return RenderedDigestFile(row.day, row.window_start, row.window_end, row.articles, row.html_path, row.text_path,
                              row.subject, row.rendered_at)


def load_digests(engine: Engine) -> list[RenderedDigestFile]:
    """Every digest written, newest first."""
    with session_scope(engine) as session:
        return [_digest_file(d) for d in session.exec(select(Digest).order_by(Digest.day.desc())).all()]


def get_digest(engine: Engine, day: date) -> RenderedDigestFile | None:
    with session_scope(engine) as session:
        row = session.get(Digest, day)
        return None if row is None else _digest_file(row)


def latest_digest(engine: Engine) -> RenderedDigestFile | None:
    with session_scope(engine) as session:
        day = session.execute(sa.select(sa.func.max(Digest.day))).scalar()
    return None if day is None else get_digest(engine, day)


def save_digest(engine: Engine, digest: RenderedDigestFile) -> None:
    with session_scope(engine) as session:
        session.merge(Digest(**dataclasses.asdict(digest)))


def deliveries(engine: Engine, item_kind: str, keys: Sequence[str]) -> list[DeliveryRecord]:
    with session_scope(engine) as session:
        out: list[DeliveryRecord] = []
        for chunk in chunks(list(keys)):
            out += [DeliveryRecord(d.item_kind, d.item_key, d.channel, d.recipient, d.status, d.attempts, d.updated_at)
                    for d in session.exec(select(Delivery).where(Delivery.item_kind == item_kind,
                                                                 Delivery.item_key.in_(chunk)))]
        return out


def record_delivery(
    engine: Engine, item_kind: str, item_key: str, channel: str, recipient: str, status: str, now: datetime,
    message_id: str | None = None, error: str | None = None,
) -> None:
    """Insert or update the one Delivery row of (item, channel, recipient); attempts counts every try."""
    with session_scope(engine) as session:
        row = session.exec(select(Delivery).where(
            Delivery.item_kind == item_kind, Delivery.item_key == item_key, Delivery.channel == channel,
            Delivery.recipient == recipient,
        )).first()
        if row is None:
            row = Delivery(item_kind=item_kind, item_key=item_key, channel=channel, recipient=recipient,
                           status=status, attempts=0, updated_at=now)
        row.status, row.attempts, row.updated_at = status, row.attempts + 1, now
        row.error = error[:2000] if error else None
        if status == "sent":
            row.sent_at, row.message_id = now, message_id
        session.add(row)
