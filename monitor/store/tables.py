"""SQLModel tables. Only monitor.store opens sessions on them; stages exchange records.

Ingestion: Feed, FetchLog, Article, ArticleSource, ArticleBand.
Topics and stories: Embedding, Topic, TopicModelRun, ArticleTopic, Story, StoryMember,
Mentions: Mention, MentionScan.
DailyCount, CountedArticle, TrendState, Alert. Outputs: Digest, Delivery. Operations: Run.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from monitor.store.types import UTCDateTime

metadata = SQLModel.metadata


def _ts(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=nullable, index=index))


def _json(default: Any = None) -> Any:
    return Field(default=default, sa_column=sa.Column(sa.JSON(), nullable=True))


def _text(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=sa.Column(sa.Text(), nullable=nullable))


# --- ingestion -------------------------------------------------------------------


class Feed(SQLModel, table=True):
    """A configured source, its HTTP validators and its health."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, sa_column_kwargs={"unique": True}, nullable=False)
    url: str = Field(max_length=2000)
    region: str | None = Field(default=None, max_length=50)
    bloc: str | None = Field(default=None, max_length=50)
    ownership: str | None = Field(default=None, max_length=20)
    language: str | None = Field(default=None, max_length=20)
    tags: list[str] | None = _json()
    etag: str | None = Field(default=None, max_length=500)
    last_modified: str | None = Field(default=None, max_length=100)
    last_status: int | None = None
    last_outcome: str | None = Field(default=None, max_length=20)
    last_error: str | None = _text()
    last_fetched_at: datetime | None = _ts()
    last_success_at: datetime | None = _ts()
    last_new_at: datetime | None = _ts()
    consecutive_failures: int = Field(default=0)
    next_due_at: datetime | None = _ts(index=True)
    lease_owner: str | None = Field(default=None, max_length=200)
    lease_expires_at: datetime | None = _ts()
    created_at: datetime | None = _ts()


class FetchLog(SQLModel, table=True):
    """One HTTP fetch of a feed or page: what happened and how long it took."""

    __tablename__ = "fetch_log"

    id: int | None = Field(default=None, primary_key=True)
    feed_id: int | None = Field(default=None, foreign_key="feed.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=10)  # feed | page
    url: str = Field(max_length=2000)
    started_at: datetime | None = _ts(index=True)
    duration_ms: int = 0
    status: int | None = None
    outcome: str = Field(max_length=20)  # ok | not_modified | error | robots | deadline
    error: str | None = _text()
    bytes: int = 0
    entries: int | None = None
    new_articles: int | None = None


class Article(SQLModel, table=True):
    """One article, unique by canonical URL. Never silently empty: see ``status``."""

    # Window queries over originals (article_time() lies between published_at and fetched_at) read this
    # narrow index instead of article rows whose text spills over several pages.
    __table_args__ = (sa.Index("ix_article_original_time", "duplicate_of", "fetched_at", "published_at"),)

    id: int | None = Field(default=None, primary_key=True)
    canonical_url: str = Field(max_length=2000, sa_column_kwargs={"unique": True}, nullable=False)
    url: str = Field(max_length=2000)
    first_feed_id: int | None = Field(default=None, foreign_key="feed.id", ondelete="SET NULL")
    title: str = _text(nullable=False)
    summary: str | None = _text()
    text: str | None = _text()
    authors: list[str] | None = _json()
    site_name: str | None = Field(default=None, max_length=300)
    published_at: datetime | None = _ts(index=True)
    published_source: str = Field(default="fetch", max_length=10)  # feed | page | fetch
    fetched_at: datetime | None = _ts(nullable=False, index=True)
    language: str | None = Field(default=None, max_length=20, index=True)
    content_hash: str = Field(max_length=64, index=True)
    minhash: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary(), nullable=True))
    status: str = Field(max_length=20)  # extracted | summary_only
    error: str | None = _text()
    duplicate_of: int | None = Field(default=None, foreign_key="article.id", index=True, ondelete="SET NULL")
    duplicate_kind: str | None = Field(default=None, max_length=10)  # exact | near
    word_count: int = 0


class ArticleSource(SQLModel, table=True):
    """A feed that carried an article (the same item in two feeds: one article, two sources)."""

    __tablename__ = "article_source"
    __table_args__ = (sa.UniqueConstraint("article_id", "feed_id", name="uq_article_source"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True, ondelete="CASCADE")
    feed_id: int = Field(foreign_key="feed.id", index=True, ondelete="CASCADE")
    entry_url: str = Field(max_length=2000)
    guid: str | None = Field(default=None, max_length=2000)
    entry_title: str | None = _text()
    entry_published_at: datetime | None = _ts()
    seen_at: datetime | None = _ts(nullable=False)


class ArticleBand(SQLModel, table=True):
    """MinHash LSH band keys: articles sharing a key are near-duplicate candidates."""

    __tablename__ = "article_band"

    band_key: int = Field(sa_column=sa.Column(sa.BigInteger(), primary_key=True, autoincrement=False))
    article_id: int = Field(
        sa_column=sa.Column(sa.Integer(), sa.ForeignKey("article.id", ondelete="CASCADE"), primary_key=True)
    )


class SiteLine(SQLModel, table=True):
    """How many stored articles of one site carried a short line of text or a title ending
    (``monitor.dedupe.boilerplate``: the key hashes the site with the line), and the day one last did;
    what a site repeats is its furniture, left out of its later articles. A line that stayed below the
    repeat count for ``SITE_LINE_DAYS`` is forgotten, so the table holds about a month of lines."""

    __tablename__ = "site_line"

    # the key is SQLite's rowid (one b-tree, no second index): the table holds a row per short line seen
    key: int = Field(sa_column=sa.Column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                                         autoincrement=False))
    articles: int = Field(default=0, sa_column=sa.Column(sa.Integer(), nullable=False))
    seen_on: int = Field(default=0, sa_column=sa.Column(sa.Integer(), nullable=False))  # UTC day number, last carried


# --- topics, stories, trends -------------------------------------------------------


class Embedding(SQLModel, table=True):
    """An article's embedding, computed once per embedding model."""

    article_id: int = Field(
        sa_column=sa.Column(sa.Integer(), sa.ForeignKey("article.id", ondelete="CASCADE"), primary_key=True)
    )
    model: str = Field(max_length=300)
    dim: int
    vector: bytes = Field(sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    created_at: datetime | None = _ts()


class FitBag(SQLModel, table=True):
    """An article's hashed word and name counts as the topic fit reads it (``topics.features.packed``),
    kept by the fit for the next one: ``digest`` is that of the words read, so a text that reads
    otherwise (a site's furniture found later, an edited page) is counted again."""

    __tablename__ = "fit_bag"

    article_id: int = Field(
        sa_column=sa.Column(sa.Integer(), sa.ForeignKey("article.id", ondelete="CASCADE"), primary_key=True)
    )
    digest: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    words: bytes = Field(sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    names: bytes = Field(sa_column=sa.Column(sa.LargeBinary(), nullable=False))


class StoryBag(SQLModel, table=True):
    """An article's hashed word and name counts as the story pass reads it (its title and first words,
    ``topics.features.bags``), kept for the bars' reference: each crawl with something new calibrates the
    story bars on the newest stored articles, which would otherwise be counted again every time. Kept for
    those newest articles only; ``digest`` is that of the text as read, so a text read otherwise (a site's
    furniture found later) is counted again."""

    __tablename__ = "story_bag"

    article_id: int = Field(
        sa_column=sa.Column(sa.Integer(), sa.ForeignKey("article.id", ondelete="CASCADE"), primary_key=True)
    )
    digest: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    words: bytes = Field(sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    names: bytes = Field(sa_column=sa.Column(sa.LargeBinary(), nullable=False))


class Topic(SQLModel, table=True):
    """A topic with a stable id: analyst-seeded (named) or discovered (labelled by names and keywords)."""

    id: int = Field(sa_column=sa.Column(sa.Integer(), primary_key=True, autoincrement=False))
    name: str = Field(max_length=300)
    description: str | None = _text()
    keywords: list[str] | None = _json()
    headlines: list[str] | None = _json()  # titles of the most central articles at the last fit
    seeded: bool = False
    size: int = 0
    centroid: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary(), nullable=True))
    active: bool = True
    first_seen_at: datetime | None = _ts()
    updated_at: datetime | None = _ts()


class TopicModelRun(SQLModel, table=True):
    """A saved BERTopic model: where, which embedding model, how many documents."""

    __tablename__ = "topic_model_run"

    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(max_length=1000)
    embedding_model: str = Field(max_length=300)
    bertopic_version: str = Field(max_length=50)
    n_docs: int = 0
    n_topics: int = 0
    fitted_at: datetime | None = _ts(nullable=False)
    seconds: float = 0.0
    current: bool = True


class ArticleTopic(SQLModel, table=True):
    __tablename__ = "article_topic"

    article_id: int = Field(
        sa_column=sa.Column(sa.Integer(), sa.ForeignKey("article.id", ondelete="CASCADE"), primary_key=True)
    )
    topic_id: int = Field(index=True)  # the topic it is read under; -1: unassigned
    # the topic the model placed it in, when its story hands it another between refits (NULL: ``topic_id``
    # is its own); a member goes back to it when its story no longer holds that topic
    own_topic_id: int | None = None
    score: float | None = None  # the similarity of the model's placement
    model_run_id: int | None = Field(default=None, foreign_key="topic_model_run.id", ondelete="SET NULL")
    assigned_at: datetime | None = _ts()


class Story(SQLModel, table=True):
    """One event reported by many outlets."""

    id: int | None = Field(default=None, primary_key=True)
    headline_article_id: int | None = Field(default=None, foreign_key="article.id", ondelete="SET NULL")
    title: str = _text(nullable=False)
    topic_id: int | None = Field(default=None, index=True)
    size: int = 0
    outlets: int = 0
    first_seen_at: datetime | None = _ts(nullable=False, index=True)
    last_seen_at: datetime | None = _ts(nullable=False, index=True)
    centroid: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary(), nullable=True))


class TermStats(SQLModel, table=True):
    """Document frequencies of hashed words and names over every article placed in a story
    (``monitor.topics.features``), kept up to date batch by batch for corpus IDF."""

    __tablename__ = "term_stats"

    name: str = Field(max_length=50, primary_key=True)
    n_docs: int = 0
    words: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary(), nullable=True))
    names: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary(), nullable=True))
    updated_at: datetime | None = _ts()


class StoryMember(SQLModel, table=True):
    __tablename__ = "story_member"

    article_id: int = Field(
        sa_column=sa.Column(sa.Integer(), sa.ForeignKey("article.id", ondelete="CASCADE"), primary_key=True)
    )
    story_id: int = Field(foreign_key="story.id", index=True, ondelete="CASCADE")
    similarity: float | None = None


class Mention(SQLModel, table=True):
    """What an article names: an entity, a legal instrument or a listed party (``kind``), found by a scanner.

    ``key`` is stable across aliases and languages (``org:sberbank``, ``country:RU``,
    ``us-fr:89 FR 12345``); ``label`` is how outputs show it; ``detail`` holds what the scanner
    knows beyond that (a listed party's list, programme and listing date; an entity's kind).
    """

    article_id: int = Field(
        sa_column=sa.Column(sa.Integer(), sa.ForeignKey("article.id", ondelete="CASCADE"), primary_key=True)
    )
    kind: str = Field(sa_column=sa.Column(sa.String(12), primary_key=True))  # entity | instrument | listed
    key: str = Field(sa_column=sa.Column(sa.String(300), primary_key=True))
    label: str = Field(max_length=300)
    count: int = Field(default=1)
    first_offset: int = Field(default=0)
    detail: dict[str, str] | None = _json()

    __table_args__ = (sa.Index("ix_mention_kind_key", "kind", "key"),)


class MentionScan(SQLModel, table=True):
    """An article the mention scanners have read (with the scanners named in ``trend_state``)."""

    __tablename__ = "mention_scan"

    article_id: int = Field(
        sa_column=sa.Column(sa.Integer(), sa.ForeignKey("article.id", ondelete="CASCADE"), primary_key=True)
    )


class DailyCount(SQLModel, table=True):
    """Articles per day for a topic, story, watchlist term or the whole volume."""

    __tablename__ = "daily_count"

    day: date = Field(sa_column=sa.Column(sa.Date(), primary_key=True))
    kind: str = Field(sa_column=sa.Column(sa.String(10), primary_key=True))  # topic | story | watch | total
    key: str = Field(sa_column=sa.Column(sa.String(300), primary_key=True))
    count: int = 0
    share: float = 0.0


class CountedArticle(SQLModel, table=True):
    """What an article last added to ``daily_count``: its day, topic, story and watch terms.

    The trend stage compares it with the article's current topic and story and
    moves only the difference, so counts stay true over all history without a
    recount. No foreign key: a row whose article is gone is how its counts are taken back.
    """

    __tablename__ = "counted_article"

    article_id: int = Field(sa_column=sa.Column(sa.Integer(), primary_key=True, autoincrement=False))
    day: date = Field(sa_column=sa.Column(sa.Date(), nullable=False, index=True))
    topic_id: int | None = None
    story_id: int | None = None
    watch: list[str] | None = _json()


class TrendState(SQLModel, table=True):
    """Small facts of the trend stage, e.g. the watchlist the counts were made with."""

    __tablename__ = "trend_state"

    name: str = Field(max_length=50, primary_key=True)
    value: str = _text(nullable=False)


class Alert(SQLModel, table=True):
    """A trend alert; ``dedup_key`` makes the same spike alert once."""

    id: int | None = Field(default=None, primary_key=True)
    dedup_key: str = Field(max_length=300, sa_column_kwargs={"unique": True}, nullable=False)
    kind: str = Field(max_length=20)  # spike | emerging | first_seen | watch_spike | unconfirmed_spike
    subject_kind: str = Field(max_length=10)  # topic | watch
    subject: str = Field(max_length=300)
    title: str = _text(nullable=False)
    day: date = Field(sa_column=sa.Column(sa.Date(), nullable=False, index=True))
    count: int = 0
    baseline: float = 0.0
    score: float = 0.0
    reason: str = _text(nullable=False)
    story_ids: list[int] | None = _json()
    evidence: list[int] | None = _json()  # a spike's articles (see monitor.trends.corroborate)
    sources: int | None = None  # independent outlets among them
    created_at: datetime | None = _ts(nullable=False, index=True)


# --- outputs -------------------------------------------------------------------------


class Digest(SQLModel, table=True):
    """A rendered daily digest."""

    day: date = Field(sa_column=sa.Column(sa.Date(), primary_key=True))
    window_start: datetime | None = _ts(nullable=False)
    window_end: datetime | None = _ts(nullable=False)
    articles: int = 0
    html_path: str = Field(max_length=1000)
    text_path: str = Field(max_length=1000)
    subject: str = _text(nullable=False)
    rendered_at: datetime | None = _ts(nullable=False)


class Delivery(SQLModel, table=True):
    """One delivery of a digest or an alert to one recipient over one channel."""

    __table_args__ = (sa.UniqueConstraint("item_kind", "item_key", "channel", "recipient", name="uq_delivery"),)

    id: int | None = Field(default=None, primary_key=True)
    item_kind: str = Field(max_length=10)  # digest | alert
    item_key: str = Field(max_length=100)  # digest day or alert id
    channel: str = Field(max_length=10)  # email | webhook
    recipient: str = Field(max_length=500)
    status: str = Field(max_length=10)  # sent | failed
    attempts: int = 0
    message_id: str | None = Field(default=None, max_length=300)
    error: str | None = _text()
    sent_at: datetime | None = _ts()
    updated_at: datetime | None = _ts(nullable=False)


# --- operations -------------------------------------------------------------------


class Run(SQLModel, table=True):
    """One `monitor run` (or scheduled job): per-stage timings and summary."""

    id: int | None = Field(default=None, primary_key=True)
    command: str = Field(max_length=50)
    started_at: datetime | None = _ts(nullable=False, index=True)
    finished_at: datetime | None = _ts()
    status: str = Field(max_length=20)  # running | ok | failed
    stages: dict[str, Any] | None = _json()
    summary: dict[str, Any] | None = _json()
    host: str | None = Field(default=None, max_length=200)
    pid: int | None = None
