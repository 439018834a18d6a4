"""Queries and writes for the outputs: digest windows, site data, Digest and Delivery rows.

The only module of the outputs that opens sessions. It returns view records
(monitor.render.records) and takes ``now`` or explicit windows as parameters.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import select

from monitor.config import Config
from monitor.entities.watch import watched
from monitor.records import RenderedDigestFile
from monitor.render.records import (
    DigestData,
    DigestEntry,
    Link,
    StoryView,
    TopicTrend,
    WatchHit,
)
from monitor.store import alerts as alert_db
from monitor.store.db import session_scope
from monitor.store.shared import article_time, chunks
from monitor.store.tables import (
    Article,
    ArticleSource,
    ArticleTopic,
    DailyCount,
    Delivery,
    Digest,
    Feed,
    Story,
    StoryMember,
    Topic,
)
from monitor.trends.metrics import mean
from monitor.trends.watch import watchlist_matcher

SPARK_DAYS = 14
SOURCES_PER_STORY = 5
WATCH_LINKS = 3


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# --- shared lookups ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    id: int
    title: str
    url: str
    summary: str
    site_name: str | None
    time: datetime


def _outlets(session: Any, ids: Sequence[int]) -> dict[int, str]:
    """Each article's outlet: the name of the first feed that carried it."""
    names: dict[int, str] = {}
    for chunk in chunks(ids):
        rows = session.execute(
            sa.select(ArticleSource.article_id, Feed.name)
            .join(Feed, Feed.id == ArticleSource.feed_id)
            .where(ArticleSource.article_id.in_(chunk))
            .order_by(ArticleSource.article_id, ArticleSource.id)
        )
        for article_id, name in rows:
            names.setdefault(article_id, name)
    return names


def _outlet(names: dict[int, str], row: _Row) -> str:
    return names.get(row.id) or row.site_name or (urlsplit(row.url).hostname or "")


def _daily(session: Any, kind: str, first: date, last: date) -> dict[str, dict[date, int]]:
    rows = session.execute(
        sa.select(DailyCount.key, DailyCount.day, DailyCount.count)
        .where(DailyCount.kind == kind, DailyCount.day >= first, DailyCount.day <= last)
    )
    out: dict[str, dict[date, int]] = defaultdict(dict)
    for key, day, count in rows:
        out[key][day] = out[key].get(day, 0) + count
    return out


def _series(counts: dict[date, int], days: Sequence[date]) -> list[int]:
    return [counts.get(day, 0) for day in days]


def topic_name(config: Config, topic: Topic) -> str:
    """The topic's name as the outputs show it: ``discovered_topics`` may rename a discovered topic."""
    return next((d.name for d in config.discovered_topics if d.id == topic.id and d.name), topic.name)


def muted_topics(config: Config) -> set[int]:
    """Topics muted in ``discovered_topics``: never in the digest, not on the site's index."""
    return {d.id for d in config.discovered_topics if d.mute}


# --- the digest ------------------------------------------------------------------------------


def _window_rows(session: Any, start: datetime, end: datetime) -> list[_Row]:
    when = article_time().label("article_time")
    rows = session.execute(
        sa.select(Article.id, Article.title, Article.url, Article.summary, Article.site_name, when)
        .where(Article.duplicate_of.is_(None), when >= start, when < end)
        .order_by(when, Article.id)
    )
    return [_Row(i, title or "", url or "", summary or "", site, t) for i, title, url, summary, site, t in rows]


def _lookup(session: Any, column: Any, key: Any, ids: Sequence[int]) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for chunk in chunks(ids):
        out.update(session.execute(sa.select(key, column).where(key.in_(chunk))).all())
    return out


def load_digest(engine: Engine, config: Config, day: date, start: datetime, end: datetime) -> DigestData:
    """Everything the digest for ``day`` shows, for articles in [start, end)."""
    with session_scope(engine) as session:
        rows = _window_rows(session, start, end)
        ids = [r.id for r in rows]
        topic_of = _lookup(session, ArticleTopic.topic_id, ArticleTopic.article_id, ids)
        story_of = _lookup(session, StoryMember.story_id, StoryMember.article_id, ids)
        outlets = _outlets(session, ids)
        local_day = start.astimezone(end.tzinfo).date() if end.tzinfo else start.date()
        history_days = _days(local_day - timedelta(days=config.trends.baseline_days), local_day - timedelta(days=1))
        history = _daily(session, "topic", history_days[0], history_days[-1])
        topics = _digest_topics(session, config, rows, topic_of, story_of, outlets, history, history_days, end)
        emerging = _emerging(session, config, topic_of, end)
        totals = _daily(session, "total", history_days[0], history_days[-1])
        watch = _watch_hits(config, rows, _daily(session, "watch", history_days[0], history_days[-1]), history_days)
        alerts = alert_db.day_alerts(session, described_day(start, end))
        return DigestData(
            day=day, start=start, end=end, timezone=config.digest.timezone, total=len(rows),
            baseline_total=mean([sum(c.get(d, 0) for c in totals.values()) for d in history_days]) if totals else 0.0,
            topics=tuple(topics), emerging=tuple(emerging),
            alerts=tuple(a for a in alerts if a.topic_id not in muted_topics(config)),
            watch=tuple(watch), unassigned=sum(1 for i in ids if topic_of.get(i, -1) < 0),
        )


def _digest_topics(
    session: Any, config: Config, rows: list[_Row], topic_of: dict[int, int], story_of: dict[int, int],
    outlets: dict[int, str], history: dict[str, dict[date, int]], history_days: list[date], end: datetime,
) -> list[TopicTrend]:
    counts = Counter(t for t in topic_of.values() if t >= 0)
    if not counts:
        return []
    topics = [t for t in session.exec(select(Topic).where(Topic.id.in_(list(counts)))).all()
              if t.id not in muted_topics(config)]
    stories = _window_stories(session, rows, topic_of, story_of, outlets)
    out = []
    for topic in topics:
        past = _series(history.get(str(topic.id), {}), history_days)
        out.append(TopicTrend(
            id=topic.id, name=topic_name(config, topic), keywords=tuple(topic.keywords or ()), headlines=tuple(topic.headlines or ()), seeded=topic.seeded,
            count=counts[topic.id], baseline=mean(past), series=(*past[-SPARK_DAYS:], counts[topic.id]),
            stories=tuple(stories.get(topic.id, ())[: config.digest.top_stories]), size=topic.size,
            first_seen=topic.first_seen_at,
        ))
    return sorted(out, key=lambda t: (-t.momentum, -t.count, t.name))


def _window_stories(
    session: Any, rows: list[_Row], topic_of: dict[int, int], story_of: dict[int, int], outlets: dict[int, str]
) -> dict[int, list[StoryView]]:
    """Per topic, the window's stories ranked by articles in the window, then outlets; lone articles last."""
    members: dict[int, list[_Row]] = defaultdict(list)
    for row in rows:
        members[story_of.get(row.id, -row.id)].append(row)
    real = [k for k in members if k > 0]
    stories = {s.id: s for chunk in chunks(real) for s in session.exec(select(Story).where(Story.id.in_(chunk)))}
    by_topic: dict[int, list[StoryView]] = defaultdict(list)
    for key, group in members.items():
        view = _story_view(stories.get(key), group, outlets)
        topic = view.topic_id if view.topic_id is not None else topic_of.get(group[0].id, -1)
        if topic >= 0:
            by_topic[topic].append(view)
    for views in by_topic.values():
        views.sort(key=lambda s: (s.id == 0, -s.window_count, -s.outlets, -s.size, s.title))
    return by_topic


def _story_view(story: Story | None, group: list[_Row], outlets: dict[int, str]) -> StoryView:
    links = _distinct_outlets(group, outlets)
    first, last = group[0].time, group[-1].time
    if story is None:
        row = group[0]
        return StoryView(0, row.title, 1, 1, first, last, None, None, links, len(group))
    return StoryView(
        story.id or 0, story.title, story.size, story.outlets, story.first_seen_at, story.last_seen_at,
        story.topic_id, None, links, len(group),
    )


def _distinct_outlets(group: list[_Row], outlets: dict[int, str]) -> tuple[Link, ...]:
    seen: dict[str, Link] = {}
    for row in group:
        name = _outlet(outlets, row)
        if name not in seen:
            seen[name] = Link(row.title, row.url, name, row.time)
    return tuple(seen.values())[:SOURCES_PER_STORY]


def _emerging(session: Any, config: Config, topic_of: dict[int, int], end: datetime) -> list[TopicTrend]:
    """Discovered topics whose first article falls in the ``emerging_days`` before ``end``."""
    since = end - timedelta(days=config.trends.emerging_days)
    counts = Counter(t for t in topic_of.values() if t >= 0)
    firsts = {k: t for k, t in first_articles(session).items() if since <= t < end}
    muted = muted_topics(config)
    topics = session.exec(select(Topic).where(Topic.seeded.is_(False), Topic.id.in_(list(firsts)))).all()
    out = [TopicTrend(id=t.id, name=topic_name(config, t), keywords=tuple(t.keywords or ()), headlines=tuple(t.headlines or ()),
                      emerging=True, count=counts[t.id], size=t.size, first_seen=firsts[t.id]) for t in topics
           if t.id not in muted]
    return sorted(out, key=lambda t: (-t.first_seen.timestamp(), t.id))


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


def described_day(start: datetime, end: datetime) -> date:
    """The day a digest window is about: the local date of its middle (an 07:00 digest describes yesterday).

    Alerts are picked by this day, so one detected after midnight still belongs to the day it describes.
    """
    return (start + (end - start) / 2).date()


def _watch_hits(
    config: Config, rows: list[_Row], history: dict[str, dict[date, int]], history_days: list[date]
) -> list[WatchHit]:
    matcher = watchlist_matcher(watched(config))
    matched: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        for name in matcher.matches(f"{row.title}\n{row.summary}"):
            matched[name].append(row)
    hits = [
        WatchHit(name, len(found), mean(_series(history.get(name, {}), history_days)),
                 tuple(Link(r.title, r.url, "", r.time) for r in found[:WATCH_LINKS]))
        for name, found in matched.items()
    ]
    return sorted(hits, key=lambda h: (-h.count, h.term))


# --- the site -----------------------------------------------------------------------------------


def load_topics(engine: Engine, config: Config, days: Sequence[date], top_stories: int = 10) -> list[TopicTrend]:
    """Every topic (pages stay for retired ones) with daily counts over ``days``.

    ``count`` is the last 7 days, ``baseline`` 7 x the daily mean of the baseline weeks before.
    """
    base_days = config.trends.baseline_days
    with session_scope(engine) as session:
        history = _daily(session, "topic", days[0] - timedelta(days=base_days), days[-1])
        topics = session.exec(select(Topic).where(Topic.id >= 0).order_by(Topic.id)).all()
        firsts = first_articles(session)
        stories = _top_stories(session, days[-1] - timedelta(days=30), top_stories)
        watch = _topic_watch(session, config, days[-1] - timedelta(days=30))
    emerging_since = days[-1] - timedelta(days=config.trends.emerging_days)
    out = []
    for t in topics:
        counts = history.get(str(t.id), {})
        before = _series(counts, _days(days[-1] - timedelta(days=base_days + 6), days[-1] - timedelta(days=7)))
        out.append(TopicTrend(
            id=t.id, name=topic_name(config, t), keywords=tuple(t.keywords or ()), headlines=tuple(t.headlines or ()),
            seeded=t.seeded, muted=t.id in muted_topics(config),
            emerging=not t.seeded and t.id in firsts and firsts[t.id].date() >= emerging_since,
            count=sum(_series(counts, days[-7:])), baseline=7 * mean(before), series=tuple(_series(counts, days)),
            days=tuple(days), stories=tuple(stories.get(t.id, ())), watch=tuple(watch.get(t.id, ())),
            size=t.size, first_seen=firsts.get(t.id, t.first_seen_at), active=t.active,
        ))
    return out


def _top_stories(session: Any, since: date, limit: int) -> dict[int, list[StoryView]]:
    rows = session.exec(
        select(Story).where(Story.topic_id.is_not(None), Story.last_seen_at >= _midnight(since))
        .order_by(Story.outlets.desc(), Story.size.desc(), Story.id)
    ).all()
    out: dict[int, list[StoryView]] = defaultdict(list)
    for s in rows:
        if len(out[s.topic_id]) < limit:
            out[s.topic_id].append(StoryView(s.id or 0, s.title, s.size, s.outlets, s.first_seen_at, s.last_seen_at,
                                             s.topic_id))
    return out


def _topic_watch(session: Any, config: Config, since: date) -> dict[int, list[tuple[str, int]]]:
    matcher = watchlist_matcher(watched(config))
    if not matcher.names:
        return {}
    when = article_time()
    rows = session.execute(
        sa.select(ArticleTopic.topic_id, Article.title)
        .join(Article, Article.id == ArticleTopic.article_id)
        .where(ArticleTopic.topic_id >= 0, Article.fetched_at >= _midnight(since), when >= _midnight(since))
    )
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for topic_id, title in rows:
        counts[topic_id].update(matcher.matches(title or ""))
    return {k: sorted(v.items(), key=lambda kv: (-kv[1], kv[0])) for k, v in counts.items()}


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC)


def last_counted_day(engine: Engine, today: date) -> date | None:
    """The latest day with counts, at or before ``today`` (the trend stage may lag the clock)."""
    with session_scope(engine) as session:
        return session.execute(sa.select(sa.func.max(DailyCount.day)).where(DailyCount.day <= today)).scalar()


def load_totals(engine: Engine, days: Sequence[date]) -> list[int]:
    with session_scope(engine) as session:
        totals = _daily(session, "total", days[0], days[-1])
    return [sum(c.get(d, 0) for c in totals.values()) for d in days]


def load_digests(engine: Engine) -> list[DigestEntry]:
    with session_scope(engine) as session:
        rows = session.exec(select(Digest).order_by(Digest.day.desc())).all()
        return [DigestEntry(d.day, d.subject, d.articles, d.rendered_at, d.html_path, d.window_end) for d in rows]


def story_stamps(engine: Engine) -> dict[int, tuple[str, int | None]]:
    """Per story, (a string that changes whenever its page would, its topic id)."""
    cols = (Story.id, Story.topic_id, Story.title, Story.size, Story.outlets, Story.last_seen_at,
            Story.headline_article_id)
    with session_scope(engine) as session:
        return {r[0]: ("|".join(str(v) for v in r[1:]), r[1]) for r in session.execute(sa.select(*cols))}


SNIPPET = 400


def load_stories(engine: Engine, ids: Sequence[int], topic_names: dict[int, str]) -> Iterator[StoryView]:
    """Stories with all their articles, oldest first; read in chunks so a full build stays in memory."""
    when = article_time().label("article_time")
    story_cols = (Story.id, Story.title, Story.size, Story.outlets, Story.first_seen_at, Story.last_seen_at,
                  Story.topic_id, Story.headline_article_id)
    snippet = sa.func.substr(sa.func.coalesce(Article.summary, Article.text, ""), 1, SNIPPET)
    for chunk in chunks(sorted(ids), 2000):
        with session_scope(engine) as session:
            stories = session.execute(sa.select(*story_cols).where(Story.id.in_(chunk)).order_by(Story.id)).all()
            rows = session.execute(
                sa.select(StoryMember.story_id, Article.id, Article.title, Article.url, Article.site_name, Feed.name,
                          when, Feed.region, sa.func.coalesce(Article.language, Feed.language), snippet)
                .join(Article, Article.id == StoryMember.article_id)
                .outerjoin(Feed, Feed.id == Article.first_feed_id)
                .where(StoryMember.story_id.in_(chunk)).order_by(when, Article.id)
            ).all()
        members: dict[int, list[Link]] = defaultdict(list)
        ledes: dict[int, str] = {}
        for story_id, article_id, title, url, site_name, feed, time, region, language, text in rows:
            outlet = feed or site_name or urlsplit(url or "").hostname or ""
            members[story_id].append(Link(title or "", url or "", outlet, time, region, language, text or ""))
            ledes[article_id] = text or ""
        for sid, title, size, outlets, first, last, topic, headline in stories:
            links = tuple(members.get(sid, ()))
            lede = (ledes.get(headline, "") if headline is not None else "") or (links[0].snippet if links else "")
            yield StoryView(sid, title, size, outlets, first, last, topic,
                            topic_names.get(topic) if topic is not None else None, links, lede=lede)


def load_day_stories(engine: Engine, start: datetime, end: datetime, topic_names: dict[int, str],
                     limit: int = 5) -> list[StoryView]:
    """The stories reported in [start, end), most outlets first, with their articles (first reporter, lede)."""
    with session_scope(engine) as session:
        ids = list(session.execute(
            sa.select(Story.id).where(Story.last_seen_at >= start, Story.first_seen_at < end, Story.size > 1)
            .order_by(Story.outlets.desc(), Story.size.desc(), Story.id).limit(limit)
        ).scalars())
    found = {s.id: s for s in load_stories(engine, ids, topic_names)}
    return [found[i] for i in ids if i in found]


# --- digests and deliveries ---------------------------------------------------------------------------


def get_digest(engine: Engine, day: date) -> RenderedDigestFile | None:
    with session_scope(engine) as session:
        row = session.get(Digest, day)
        return None if row is None else RenderedDigestFile(
            row.day, row.window_start, row.window_end, row.articles, row.html_path, row.text_path, row.subject,
            row.rendered_at)


def latest_digest(engine: Engine) -> RenderedDigestFile | None:
    with session_scope(engine) as session:
        day = session.execute(sa.select(sa.func.max(Digest.day))).scalar()
    return None if day is None else get_digest(engine, day)


def save_digest(engine: Engine, digest: RenderedDigestFile) -> None:
    with session_scope(engine) as session:
        session.merge(Digest(**dataclasses.asdict(digest)))


def deliveries(engine: Engine, item_kind: str, keys: Sequence[str]) -> list[Delivery]:
    with session_scope(engine) as session:
        out: list[Delivery] = []
        for chunk in chunks(list(keys)):
            out += session.exec(
                select(Delivery).where(Delivery.item_kind == item_kind, Delivery.item_key.in_(chunk))
            ).all()
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
