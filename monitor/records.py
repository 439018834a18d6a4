"""Frozen records the stages exchange. Tables live in monitor.store; these do not touch a database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from monitor.slug import slug


@dataclass(frozen=True)
class Fetched:
    """One HTTP response (or failure) as the fetch stage saw it."""

    url: str
    final_url: str
    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str | None = None
    elapsed_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class Entry:
    """One feed item, after link resolution and date sanity checks."""

    url: str
    title: str
    summary: str = ""
    guid: str | None = None
    published: datetime | None = None
    authors: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedFeed:
    entries: tuple[Entry, ...]
    title: str = ""
    skipped: int = 0
    bozo: str | None = None


@dataclass(frozen=True)
class Extracted:
    """What extraction got from one article page."""

    text: str
    title: str | None = None
    author: str | None = None
    date: datetime | None = None
    site_name: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Article:
    """A new article ready to be stored."""

    canonical_url: str
    url: str
    title: str
    summary: str
    text: str
    status: str  # "extracted" | "summary_only"
    fetched_at: datetime
    published_at: datetime | None
    published_source: str  # "feed" | "page" | "fetch"
    language: str | None = None
    authors: tuple[str, ...] = ()
    site_name: str | None = None
    content_hash: str = ""
    error: str | None = None


@dataclass(frozen=True)
class CrawlSummary:
    feeds_total: int = 0
    feeds_ok: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    entries_seen: int = 0
    articles_new: int = 0
    articles_extracted: int = 0
    articles_summary_only: int = 0
    sources_added: int = 0
    duplicates: int = 0
    failures: tuple[tuple[str, str], ...] = ()
    seconds: float = 0.0
    feeds_deferred: int = 0  # stopped at the per-feed or per-cycle deadline; the rest is left for the next cycle
    deferred: tuple[tuple[str, str], ...] = ()
    # feeds with more new entries than ``crawl.max_entries_per_feed``: (name, entries left for the next crawls)
    backlog: tuple[tuple[str, int], ...] = ()

    @property
    def all_failed(self) -> bool:
        return self.feeds_total > 0 and self.feeds_failed == self.feeds_total


@dataclass(frozen=True)
class Mention:
    """Something an article names, as a scanner found it (stored by ``monitor.store``).

    ``kind``: entity | instrument | listed. ``key`` is the same for every alias, spelling and
    language of one thing (``org:sberbank``, ``country:RU``, ``us-fr:89 FR 12345``); ``label`` is
    how outputs show it; ``first_offset`` is the character offset of its first occurrence.
    """

    kind: str
    key: str
    label: str
    count: int = 1
    first_offset: int = 0
    detail: tuple[tuple[str, str], ...] = ()  # e.g. (("list", "OFAC SDN"), ("programme", "RUSSIA-EO14024"))


@dataclass(frozen=True)
class TopicRecord:
    """A topic with its stable id, as the topic stage hands it to the store and readers get it back."""

    id: int
    name: str
    description: str | None = None
    keywords: tuple[str, ...] = ()
    headlines: tuple[str, ...] = ()  # titles of the most central articles at the last fit
    seeded: bool = False
    size: int = 0
    centroid: bytes | None = None
    active: bool = True
    first_seen_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class ModelRun:
    """A saved topic model: where, fitted on which embedding model, how many documents."""

    path: str
    embedding_model: str
    bertopic_version: str
    n_docs: int
    n_topics: int
    fitted_at: datetime
    seconds: float = 0.0
    id: int | None = None  # given by the store


@dataclass(frozen=True)
class RenderedDigestFile:
    """A day's digest as written to the site folder (one per day; rewritten when its content changes)."""

    day: date
    window_start: datetime
    window_end: datetime
    articles: int
    html_path: str
    text_path: str
    subject: str
    rendered_at: datetime


@dataclass(frozen=True)
class FetchRecord:
    """One HTTP fetch of a feed or page as the crawl saw it (the store keeps it as a ``fetch_log`` row)."""

    feed_id: int | None
    kind: str  # feed | page
    url: str
    started_at: datetime
    outcome: str  # ok | not_modified | error | robots | deadline
    error: str | None = None
    status: int | None = None
    duration_ms: int = 0
    bytes: int = 0
    entries: int | None = None
    new_articles: int | None = None


@dataclass(frozen=True)
class AlertDraft:
    """An alert a trend pass found, before the store gives it an id (deduplicated by ``dedup_key``)."""

    dedup_key: str
    kind: str  # spike | emerging | first_seen | watch_spike | entity_spike | new_pairing | unconfirmed_spike
    subject_kind: str  # topic | watch | entity
    subject: str
    title: str
    day: date
    count: int
    baseline: float
    score: float
    reason: str
    story_ids: tuple[int, ...]
    evidence: tuple[int, ...] = ()  # the articles that made a spike (see monitor.trends.corroborate)
    sources: int | None = None  # independent outlets among them


@dataclass(frozen=True)
class StoredAlert:
    """An alert as stored: a draft with the id the store gave it and, for a topic, the topic its subject names.

    The one shape readers get back (site, digest, delivery, ``monitor alerts``)."""

    id: int
    kind: str
    subject_kind: str
    subject: str
    title: str
    day: date
    count: int
    baseline: float
    score: float
    reason: str
    created_at: datetime
    story_ids: tuple[int, ...] = ()
    topic_id: int | None = None
    sources: int | None = None  # a spike's independent outlets
    evidence: tuple[int, ...] = ()  # a spike's article ids


# --- what the trend stage counts and reviews -------------------------------------------------------


Key = tuple[str, str, date]  # (kind, key, day) of a daily count


@dataclass(frozen=True)
class Placement:
    """What one article adds to the counts."""

    article_id: int
    day: date
    topic_id: int | None
    story_id: int | None
    watch: tuple[str, ...] = ()

    def keys(self) -> list[Key]:
        keys = [("total", "all", self.day)]
        if self.topic_id is not None:
            keys.append(("topic", str(self.topic_id), self.day))
        if self.story_id is not None:
            keys.append(("story", str(self.story_id), self.day))
        return keys + [("watch", name, self.day) for name in self.watch]


@dataclass(frozen=True)
class CountRow:
    day: date
    kind: str  # topic | story | watch | total
    key: str
    count: int
    share: float


@dataclass(frozen=True)
class Evidence:
    """One article that made a spike's count, and the outlet it came from."""

    article_id: int
    outlet: str


# --- what the outputs read ---------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """One article as a link: untrusted title and URL, escaped and vetted at render time."""

    title: str
    url: str
    outlet: str = ""
    published: datetime | None = None
    region: str | None = None  # of the feed that carried it
    language: str | None = None
    snippet: str = ""  # the start of its summary or text


@dataclass(frozen=True)
class StoryRecord:
    """A story as stored (``monitor.render.records.StoryView`` adds what a page shows of it)."""

    id: int
    title: str
    size: int
    outlets: int
    first_seen: datetime
    last_seen: datetime
    topic_id: int | None = None


StoryArticles = tuple[StoryRecord, tuple[Link, ...], str]  # a story, its articles oldest first, its lede


@dataclass(frozen=True)
class WindowArticle:
    """An article of a digest window: its outlet (first feed, else site name, else host), topic and story."""

    id: int
    title: str
    url: str
    summary: str  # the feed's summary, else the start of the article's text
    outlet: str
    time: datetime
    topic_id: int = -1  # -1: no topic (an outlier or not assigned yet)
    story_id: int | None = None
    watch: tuple[str, ...] | None = None  # the watch names the trend stage counted it under; None: not counted yet


Daily = dict[str, dict[date, int]]  # {key: {day: count}} of one kind of daily count


@dataclass(frozen=True)
class DigestRows:
    """What one digest reads: the window's articles and stories, the topics, the counts of the days before."""

    articles: tuple[WindowArticle, ...]
    topics: tuple[TopicRecord, ...]
    stories: dict[int, StoryRecord]  # the window's stories by id
    topic_daily: Daily
    total_daily: Daily
    watch_daily: Daily
    firsts: dict[int, datetime]  # each topic's first article
    alerts: tuple[StoredAlert, ...]  # of the day the window describes


@dataclass(frozen=True)
class SiteRows:
    """What the site's topic pages read: every topic, its daily counts, its recent stories and titles."""

    topics: tuple[TopicRecord, ...]
    topic_daily: Daily
    firsts: dict[int, datetime]
    stories: tuple[StoryRecord, ...]  # recent stories with a topic, most outlets first
    titles: tuple[tuple[int, str], ...] = ()  # (topic id, title) of recent articles, for the watch counts


UNKNOWN_BLOC = ""  # the bloc of an outlet whose feed names none


@dataclass(frozen=True)
class CoverageMember:
    """One article of a story as coverage sees it: its outlet and time, its feed's bloc, region, ownership."""

    outlet: str
    published: datetime | None
    bloc: str | None = None
    region: str | None = None
    ownership: str | None = None
    text: str = ""


PAGE_FOLDERS = {"entity": "entities", "instrument": "instruments"}


@dataclass(frozen=True)
class Named:
    """An entity, instrument or listed party some articles name: untrusted label, escaped at render time."""

    kind: str  # entity | instrument | listed
    key: str
    label: str
    articles: int = 0  # articles naming it
    mentions: int = 0  # times named in them
    detail: tuple[tuple[str, str], ...] = ()

    @property
    def page(self) -> str | None:
        """Its page, relative to the site root (listed parties have none)."""
        folder = PAGE_FOLDERS.get(self.kind)
        return f"{folder}/{slug(self.key)}.html" if folder else None


@dataclass(frozen=True)
class PairingView:
    """Two entities named together for the first time, by several outlets."""

    a: Named
    b: Named
    first_seen: datetime
    corroborated: datetime
    outlets: tuple[str, ...]
    articles: tuple[Link, ...] = ()


@dataclass(frozen=True)
class ListedView:
    """A designated party named in the news: on which list, under which programme, listed when."""

    party: Named
    articles: tuple[Link, ...] = ()

    def _detail(self, name: str) -> str:
        return dict(self.party.detail).get(name, "")

    @property
    def list_name(self) -> str:
        return self._detail("list")

    @property
    def programme(self) -> str:
        return self._detail("programme")

    @property
    def listed_on(self) -> str:
        return self._detail("listed_on")


@dataclass(frozen=True)
class NamedPage:
    """Everything an entity's or instrument's page shows: its daily articles, stories and co-mentions."""

    named: Named
    series: tuple[int, ...] = ()  # daily articles over the site's days
    stories: tuple[StoryRecord, ...] = ()  # most articles naming it first (instruments: newest first)
    co_mentions: tuple[tuple[Named, int], ...] = ()  # (entity, articles naming both), most first


@dataclass(frozen=True)
class PairSeries:
    """Two entities named together in a topic's (or story's) articles: how many, and on which UTC days."""

    a: Named
    b: Named
    articles: int
    days: tuple[tuple[date, int], ...] = ()


@dataclass(frozen=True)
class DeliveryRecord:
    """One delivery of a digest or an alert to one recipient over one channel, as stored."""

    item_kind: str  # digest | alert
    item_key: str  # digest day or alert id
    channel: str  # email | webhook
    recipient: str
    status: str
    attempts: int = 0
    updated_at: datetime | None = None
