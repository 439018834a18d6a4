"""The site's topics from what the store read (pure): each topic's daily counts over the site's days, its
count of the last 7 days against its baseline, its top stories and the watch terms its articles name."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from monitor.config import Config
from monitor.entities.watch import watched
from monitor.records import SiteRows, StoryRecord, TopicRecord
from monitor.render.records import StoryView, TopicTrend
from monitor.trends.detect import enough_history, has_history
from monitor.trends.metrics import mean
from monitor.trends.watch import watchlist_matcher
from monitor.views.shared import days_between, muted_topics, series, story_view, topic_name

RECENT_DAYS = 30  # a topic page's stories and watch terms are those of the last 30 days


def baseline_days(config: Config, last: date) -> list[date]:
    """The days a topic's last 7 days (to ``last``) are compared with: the baseline weeks before them."""
    return days_between(last - timedelta(days=config.trends.baseline_days + 6), last - timedelta(days=7))


def judged(config: Config, totals: Mapping[date, int], last: date) -> bool:
    """Whether the baseline weeks before the 7 days to ``last`` hold enough days with articles for a rise
    to mean something (``trends.min_history_days``)."""
    return enough_history(totals, baseline_days(config, last), config.trends.min_history_days)


def build_topics(rows: SiteRows, config: Config, days: Sequence[date], top_stories: int = 10,
                 totals: Mapping[date, int] | None = None) -> list[TopicTrend]:
    """Every topic (pages stay for retired ones) with daily counts over ``days``.

    ``count`` is the last 7 days, ``baseline`` 7 x the daily mean of the baseline weeks before. With the
    store's ``totals`` (articles per day), a topic rises only when those weeks hold enough days with
    articles (``judged``), and is new only when the day of its first article has that history.
    """
    before = baseline_days(config, days[-1])
    rises = totals is None or judged(config, totals, days[-1])
    stories = _top_stories(rows.stories, top_stories)
    watch = _topic_watch(config, rows.titles)
    emerging_since = days[-1] - timedelta(days=config.trends.emerging_days)
    muted = muted_topics(config)
    out = []
    for t in rows.topics:
        counts = rows.topic_daily.get(str(t.id), {})
        out.append(TopicTrend(
            id=t.id, name=topic_name(config, t), keywords=t.keywords, headlines=t.headlines, seeded=t.seeded,
            muted=t.id in muted, emerging=_emerging(t, rows, emerging_since) and _watched(t, rows, config, totals),
            count=sum(series(counts, days[-7:])),
            baseline=7 * mean(series(counts, before)), series=tuple(series(counts, days)), days=tuple(days),
            stories=tuple(stories.get(t.id, ())), watch=tuple(watch.get(t.id, ())), size=t.size,
            first_seen=rows.firsts.get(t.id, t.first_seen_at), active=t.active, judged=rises,
        ))
    return out


def _emerging(topic: TopicRecord, rows: SiteRows, since: date) -> bool:
    return not topic.seeded and topic.id in rows.firsts and rows.firsts[topic.id].date() >= since


def _watched(topic: TopicRecord, rows: SiteRows, config: Config, totals: Mapping[date, int] | None) -> bool:
    """The day of the topic's first article has the history a day needs (on a new monitor, every topic is new)."""
    first = rows.firsts.get(topic.id)
    trends = config.trends
    return totals is None or first is None or has_history(first.date(), totals, trends.baseline_days,
                                                          trends.min_history_days)


def _top_stories(stories: Sequence[StoryRecord], limit: int) -> dict[int, list[StoryView]]:
    """Per topic, its first ``limit`` stories in the order read (most outlets first)."""
    out: dict[int, list[StoryView]] = defaultdict(list)
    for s in stories:
        if s.topic_id is not None and len(out[s.topic_id]) < limit:
            out[s.topic_id].append(story_view(s))
    return out


def _topic_watch(config: Config, titles: Sequence[tuple[int, str]]) -> dict[int, list[tuple[str, int]]]:
    """Per topic, the watch terms its recent titles name: (term, titles), most first."""
    matcher = watchlist_matcher(watched(config))
    if not matcher.names:
        return {}
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for topic_id, title in titles:
        counts[topic_id].update(matcher.matches(title))
    return {k: sorted(v.items(), key=lambda kv: (-kv[1], kv[0])) for k, v in counts.items()}
