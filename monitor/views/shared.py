"""What the digest and the site views share: shown names, muted topics, stored stories as views (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from monitor.config import Config
from monitor.records import Link, StoredAlert, StoryArticles, StoryRecord, TopicRecord
from monitor.records import Named
from monitor.render.records import StoryView


def days_between(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last``, both included."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def series(counts: Mapping[date, int], days: Sequence[date]) -> list[int]:
    """The daily counts on ``days`` (none: zero)."""
    return [counts.get(day, 0) for day in days]


def topic_name(config: Config, topic: TopicRecord) -> str:
    """The topic's name as the outputs show it: ``discovered_topics`` may rename a discovered topic."""
    return next((d.name for d in config.discovered_topics if d.id == topic.id and d.name), topic.name)


def muted_topics(config: Config) -> set[int]:
    """Topics muted in ``discovered_topics``: never in the digest, not on the site's index."""
    return {d.id for d in config.discovered_topics if d.mute}


def unmuted(alerts: Sequence[StoredAlert], config: Config) -> tuple[StoredAlert, ...]:
    """The alerts that are not about a muted topic."""
    muted = muted_topics(config)
    return tuple(a for a in alerts if a.topic_id not in muted)


def story_view(story: StoryRecord, topic_name: str | None = None, sources: tuple[Link, ...] = (),
               window_count: int = 0, lede: str = "", named: tuple[Named, ...] = ()) -> StoryView:
    return StoryView(story.id, story.title, story.size, story.outlets, story.first_seen, story.last_seen,
                     story.topic_id, topic_name, sources, window_count, lede, named)


def story_page(found: StoryArticles, topic_names: Mapping[int, str], named: Any = ()) -> StoryView:
    """A story with its articles, as its page (or the index's top stories) shows it."""
    story, links, lede = found
    name = topic_names.get(story.topic_id) if story.topic_id is not None else None
    return story_view(story, name, links, lede=lede, named=tuple(named))
