"""One day's digest from what the store read for its window (pure): rising topics first, their stories,
emerging topics, watch terms and the day's alerts."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from monitor.clock import utc_day
from monitor.config import Config
from monitor.entities.watch import watched
from monitor.records import Daily, DigestRows, StoryRecord, WindowArticle
from monitor.render.records import DigestData, Link, StoryView, TopicTrend, WatchHit, reading_order
from monitor.trends.detect import enough_history, has_history
from monitor.trends.metrics import mean
from monitor.trends.watch import watchlist_matcher
from monitor.views.shared import days_between, muted_topics, series, story_view, topic_name, unmuted

SPARK_DAYS = 14
SOURCES_PER_STORY = 5
WATCH_LINKS = 3


def history_days(start: datetime, end: datetime, baseline_days: int) -> list[date]:
    """The ``baseline_days`` local days before the window's first day: what its counts are compared with."""
    local_day = start.astimezone(end.tzinfo).date() if end.tzinfo else start.date()
    return days_between(local_day - timedelta(days=baseline_days), local_day - timedelta(days=1))


def described_day(start: datetime, end: datetime) -> date:
    """The day a digest window is about: the local date of its middle (an 07:00 digest describes yesterday).

    Alerts are picked by this day, so one detected after midnight still belongs to the day it describes.
    """
    return (start + (end - start) / 2).date()


def build_digest(rows: DigestRows, config: Config, day: date, start: datetime, end: datetime) -> DigestData:
    """Everything the digest for ``day`` shows, for the articles of [start, end) that ``rows`` holds."""
    history = history_days(start, end, config.trends.baseline_days)
    counts = Counter(a.topic_id for a in rows.articles if a.topic_id >= 0)
    totals = _totals(rows)
    judged = enough_history(totals, history, config.trends.min_history_days)
    return DigestData(
        day=day, start=start, end=end, timezone=config.digest.timezone, total=len(rows.articles),
        baseline_total=_baseline_total(rows.total_daily, history),
        topics=tuple(_topics(rows, config, counts, history, judged)),
        emerging=tuple(_emerging(rows, config, counts, end, totals)), alerts=unmuted(rows.alerts, config),
        watch=tuple(_watch_hits(config, rows.articles, rows.watch_daily, history)),
        unassigned=sum(1 for a in rows.articles if a.topic_id < 0),
        judged=judged,
    )


def _baseline_total(totals: Daily, days: Sequence[date]) -> float:
    return mean([sum(c.get(d, 0) for c in totals.values()) for d in days]) if totals else 0.0


def _topics(rows: DigestRows, config: Config, counts: Counter[int], history: list[date], judged: bool
            ) -> list[TopicTrend]:
    """The window's topics (not muted) in the order of ``reading_order``; ``judged``: the history days hold
    enough with articles for a rise to mean something."""
    if not counts:
        return []
    muted = muted_topics(config)
    stories = _window_stories(rows)
    out = []
    for topic in (t for t in rows.topics if t.id in counts and t.id not in muted):
        past = series(rows.topic_daily.get(str(topic.id), {}), history)
        out.append(TopicTrend(
            id=topic.id, name=topic_name(config, topic), keywords=topic.keywords, headlines=topic.headlines,
            seeded=topic.seeded, count=counts[topic.id], baseline=mean(past),
            series=(*past[-SPARK_DAYS:], counts[topic.id]),
            stories=tuple(stories.get(topic.id, ())[: config.digest.top_stories]), size=topic.size,
            first_seen=topic.first_seen_at, judged=judged,
        ))
    return sorted(out, key=reading_order)


def _totals(rows: DigestRows) -> Counter[date]:
    """Articles stored per day, over the days ``rows`` counted."""
    totals = Counter[date]()
    for daily in rows.total_daily.values():
        totals.update(daily)
    return totals


def _window_stories(rows: DigestRows) -> dict[int, list[StoryView]]:
    """Per topic, the window's stories ranked by articles in the window, then outlets; lone articles last."""
    members: dict[int, list[WindowArticle]] = defaultdict(list)
    for article in rows.articles:
        members[article.story_id if article.story_id is not None else -article.id].append(article)
    by_topic: dict[int, list[StoryView]] = defaultdict(list)
    for key, group in members.items():
        view = _story(rows.stories.get(key), group)
        topic = view.topic_id if view.topic_id is not None else group[0].topic_id
        if topic >= 0:
            by_topic[topic].append(view)
    for views in by_topic.values():
        views.sort(key=lambda s: (s.id == 0, -s.window_count, -s.outlets, -s.size, s.title))
    return by_topic


def _story(story: StoryRecord | None, group: list[WindowArticle]) -> StoryView:
    """A stored story with the window's articles, or a lone article (no story yet) as a story of one."""
    links = _distinct_outlets(group)
    if story is None:
        return StoryView(0, group[0].title, 1, 1, group[0].time, group[-1].time, None, None, links, len(group))
    return story_view(story, sources=links, window_count=len(group))


def _distinct_outlets(group: list[WindowArticle]) -> tuple[Link, ...]:
    seen: dict[str, Link] = {}
    for article in group:
        if article.outlet not in seen:
            seen[article.outlet] = Link(article.title, article.url, article.outlet, article.time)
    return tuple(seen.values())[:SOURCES_PER_STORY]


def _emerging(rows: DigestRows, config: Config, counts: Counter[int], end: datetime, totals: Counter[date]
              ) -> list[TopicTrend]:
    """Discovered topics whose first article falls in the ``emerging_days`` before ``end``, on a day with the
    history a day needs (on a new monitor every topic is new)."""
    trends = config.trends
    since = end - timedelta(days=trends.emerging_days)
    firsts = {k: t for k, t in rows.firsts.items() if since <= t < end
              and has_history(utc_day(t), totals, trends.baseline_days, trends.min_history_days)}
    muted = muted_topics(config)
    out = [TopicTrend(id=t.id, name=topic_name(config, t), keywords=t.keywords, headlines=t.headlines, emerging=True,
                      count=counts[t.id], size=t.size, first_seen=firsts[t.id])
           for t in rows.topics if not t.seeded and t.id in firsts and t.id not in muted]
    return sorted(out, key=lambda t: (-t.first_seen.timestamp(), t.id))


def _watch_hits(config: Config, articles: Sequence[WindowArticle], history: Daily, days: list[date]
                ) -> list[WatchHit]:
    """Each watched name's articles of the window: the names the trend stage counted each article under
    (read from its whole text, as the daily counts are), else, for an article not counted yet, the names
    in its title and summary."""
    matcher = watchlist_matcher(watched(config))
    current = set(matcher.names)
    matched: dict[str, list[WindowArticle]] = defaultdict(list)
    for article in articles:
        names = (article.watch if article.watch is not None
                 else matcher.matches(f"{article.title}\n{article.summary}"))
        for name in sorted(set(names) & current):
            matched[name].append(article)
    hits = [
        WatchHit(name, len(found), mean(series(history.get(name, {}), days)),
                 tuple(Link(a.title, a.url, "", a.time) for a in found[:WATCH_LINKS]))
        for name, found in matched.items()
    ]
    return sorted(hits, key=lambda h: (-h.count, h.term))
