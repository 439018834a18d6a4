"""View records the renderers take, built by monitor.views (and monitor.store.named) from the store's records.

Alerts and links are read as stored (monitor.records.StoredAlert, Link). Nothing here touches a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from datetime import date, datetime
from zoneinfo import ZoneInfo

from monitor.records import Link, Named, RenderedDigestFile, StoredAlert, StoryRecord
from monitor.render.trend import arrow, change_ratio, momentum, rose


@dataclass(frozen=True)
class StoryView(StoryRecord):
    """A story as a page or a digest shows it: the stored story with its topic's name, articles and names."""

    topic_name: str | None = None
    sources: tuple[Link, ...] = ()
    window_count: int = 0
    lede: str = ""  # the start of its headline article
    named: tuple[Named, ...] = ()  # the entities, instruments and listed parties its articles name

    @property
    def listed_outlets(self) -> int:
        """How many outlets its listed articles come from (a digest lists only its day's articles)."""
        return len({(link.outlet or "").lower() for link in self.sources})

    @property
    def first_report(self) -> Link | None:
        """The earliest article (sources are oldest first when loaded for a story page)."""
        dated = [link for link in self.sources if link.published is not None]
        return min(dated, key=lambda link: link.published) if dated else None  # type: ignore[arg-type, return-value]


@dataclass(frozen=True)
class TopicTrend:
    """A topic's volume: ``series`` is daily counts oldest first; its last value is the current count."""

    id: int
    name: str
    keywords: tuple[str, ...] = ()
    headlines: tuple[str, ...] = ()  # titles of the topic's most central articles at the last fit
    seeded: bool = False
    emerging: bool = False
    count: int = 0
    baseline: float = 0.0
    series: tuple[int, ...] = ()
    days: tuple[date, ...] = ()
    stories: tuple[StoryView, ...] = ()
    watch: tuple[tuple[str, int], ...] = ()
    size: int = 0
    first_seen: datetime | None = None
    active: bool = True
    muted: bool = False  # muted in the configuration: kept off the index and the digest
    entities: tuple[Named, ...] = ()  # most named in its recent articles
    judged: bool = True  # its baseline rests on enough days with stored articles (trends.min_history_days)

    @property
    def change(self) -> float:
        return change_ratio(self.count, self.baseline)

    @property
    def arrow(self) -> str:
        return arrow(self.count, self.baseline)

    @property
    def momentum(self) -> float:
        return momentum(self.count, self.baseline)

    @property
    def rising(self) -> bool:
        return self.judged and rose(self.count, self.baseline)


def reading_order(topic: TopicTrend) -> tuple[bool, float, bool, int, str]:
    """Topics that rose beyond chance first, most momentum first; then the analyst's topics before
    discovered ones, each by the day's articles. By momentum alone, a discovered topic of two articles
    against a usual 0.3 (filler: a film festival, the weather) led the analyst's topics of the day."""
    if topic.rising:
        return False, -topic.momentum, False, -topic.count, topic.name
    return True, 0.0, not topic.seeded, -topic.count, topic.name


@dataclass(frozen=True)
class WatchHit:
    term: str
    count: int
    baseline: float = 0.0
    articles: tuple[Link, ...] = ()

    @property
    def arrow(self) -> str:
        return arrow(self.count, self.baseline)


@dataclass(frozen=True)
class DigestData:
    """Everything one day's digest shows."""

    day: date
    start: datetime
    end: datetime
    timezone: str
    total: int
    baseline_total: float = 0.0
    topics: tuple[TopicTrend, ...] = ()
    emerging: tuple[TopicTrend, ...] = ()
    alerts: tuple[StoredAlert, ...] = ()
    watch: tuple[WatchHit, ...] = ()
    unassigned: int = 0
    judged: bool = True  # the days before hold enough with articles to tell a rise or a new topic
    gaps: tuple[Any, ...] = ()  # the day's stories with one-sided coverage (monitor.trends.coverage.Gap)
    pairings: tuple[PairingView, ...] = ()
    listed: tuple[ListedView, ...] = ()

    @property
    def empty(self) -> bool:
        return self.total == 0

    @property
    def start_local(self) -> datetime:
        return self.start.astimezone(ZoneInfo(self.timezone))

    @property
    def end_local(self) -> datetime:
        return self.end.astimezone(ZoneInfo(self.timezone))


@dataclass(frozen=True)
class SiteMeta:
    title: str
    base_url: str | None = None
    timezone: str = "UTC"
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SiteData:
    """What the site's shared pages show; story pages are rendered one by one from StoryView."""

    meta: SiteMeta
    through: date
    days: tuple[date, ...]
    topics: tuple[TopicTrend, ...]
    alerts: tuple[StoredAlert, ...] = ()
    digests: tuple[RenderedDigestFile, ...] = ()  # newest first
    totals: tuple[int, ...] = ()
    top_stories: tuple[StoryView, ...] = ()  # the stories of the last day, most outlets first
    gaps: tuple[Any, ...] = ()  # recent stories with one-sided coverage (monitor.trends.coverage.Gap)
    entities: tuple[NamedPage, ...] = ()
    instruments: tuple[NamedPage, ...] = ()
    judged: bool = True  # the weeks before this one hold enough days with articles to tell a rise
    media: frozenset[str] = frozenset()  # keys of the news media: credited by articles, shown apart from actors


# --- what articles name -------------------------------------------------------------------


