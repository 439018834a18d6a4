"""Ingestion queries: feeds and their health, leases, articles, sources and duplicates.

Each write that matters is one transaction: an article, its source and its LSH
bands land together or not at all, so a killed crawl leaves no half-written row.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Iterable, Sequence
import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from monitor.config import CrawlConfig, FeedConfig
from monitor.dedupe import text as fingerprint
from monitor.records import Article as ArticleRecord
from monitor.process import pid_alive
from monitor.records import Entry, FetchRecord
from monitor.store.db import session_scope
from monitor.store.shared import chunks
from monitor.store.tables import Article, ArticleBand, ArticleSource, Feed, FetchLog, SiteLine


# What PostgreSQL refuses and SQLite accepts is bounded here, so both store the same thing.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CUT = "…"
URL_MAX = 2000


def bounded(value: str | None, limit: int | None = None) -> str | None:
    """``value`` without NUL and control characters (newlines and tabs kept), cut to ``limit`` with a marker."""
    if value is None:
        return None
    value = _CONTROL.sub("", value)
    return value if limit is None or len(value) <= limit else value[: limit - len(CUT)] + CUT


def _validator(value: str | None, limit: int) -> str | None:
    """An ETag or Last-Modified is stored whole or not at all (a cut one would never match)."""
    return value if value is not None and len(value) <= limit and not _CONTROL.search(value) else None


@dataclass(frozen=True)
class FeedState:
    """What the crawl needs of a feed row."""

    id: int
    name: str
    url: str
    etag: str | None
    last_modified: str | None
    consecutive_failures: int
    language: str | None
    poll_minutes: int


def sync_feeds(engine: Engine, feeds: Sequence[FeedConfig], now: datetime) -> None:
    """Create or update a row per configured feed; a changed URL forgets its validators.

    Several workers may start at once with the same configuration: missing rows are
    inserted with ON CONFLICT DO NOTHING, and a row is only written when it changed.
    """
    with session_scope(engine) as session:
        _insert_missing(session, feeds, now)
        rows = {f.name: f for f in session.exec(select(Feed).where(Feed.name.in_([f.name for f in feeds])))}
        for cfg in sorted(feeds, key=lambda f: f.name):
            row = rows[cfg.name]
            wanted = (cfg.url, cfg.region, cfg.bloc, cfg.ownership, cfg.language, list(cfg.tags))
            if (row.url, row.region, row.bloc, row.ownership, row.language, row.tags) == wanted:
                continue
            if row.url != cfg.url:
                row.url, row.etag, row.last_modified, row.next_due_at = cfg.url, None, None, None
            row.region, row.bloc, row.ownership = cfg.region, cfg.bloc, cfg.ownership
            row.language, row.tags = cfg.language, list(cfg.tags)
            session.add(row)


def _insert_missing(session: Session, feeds: Sequence[FeedConfig], now: datetime) -> None:
    if not feeds:
        return
    insert = _dialect_insert(session.get_bind().dialect.name)
    rows = [Feed(name=f.name, url=f.url, region=f.region, bloc=f.bloc, ownership=f.ownership,
                 language=f.language, tags=list(f.tags),
                 created_at=now).model_dump(exclude={"id"}) for f in feeds]
    session.execute(insert(Feed).values(rows).on_conflict_do_nothing(index_elements=["name"]))


def _dialect_insert(dialect: str) -> Any:
    """The INSERT construct of ``dialect`` (PostgreSQL or SQLite), the one with ON CONFLICT clauses."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def claim_feeds(
    engine: Engine,
    names: Sequence[str],
    owner: str,
    now: datetime,
    lease: timedelta,
    limit: int | None = None,
    due_only: bool = True,
) -> list[int]:
    """Lease feeds to ``owner``; a feed leased by a live worker is never claimed twice.

    PostgreSQL skips rows another transaction is claiming (SKIP LOCKED); SQLite
    serialises writers, which gives the same guarantee.
    """
    with session_scope(engine) as session:
        _release_dead_local_leases(session, now)
        query = select(Feed.id).where(
            Feed.name.in_(list(names)),
            sa.or_(Feed.lease_expires_at.is_(None), Feed.lease_expires_at < now, Feed.lease_owner == owner),
        )
        if due_only:
            query = query.where(sa.or_(Feed.next_due_at.is_(None), Feed.next_due_at <= now))
        query = query.order_by(Feed.next_due_at.is_not(None), Feed.next_due_at, Feed.id).limit(limit)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list(session.exec(query).all())
        if ids:
            session.execute(
                sa.update(Feed).where(Feed.id.in_(ids)).values(lease_owner=owner, lease_expires_at=now + lease)
            )
        return ids


def default_owner() -> str:
    """Lease owner of a crawl that was not given a worker name: ``host:pid``."""
    return f"{_local_prefix()}{os.getpid()}"


def _local_prefix() -> str:
    return f"{socket.gethostname()}:"


def _release_dead_local_leases(session: Session, now: datetime) -> None:
    """Free leases held by processes of this host that no longer run (a killed crawl)."""
    prefix = _local_prefix()
    owners = session.exec(
        select(Feed.lease_owner).where(Feed.lease_owner.startswith(prefix), Feed.lease_expires_at > now).distinct()
    ).all()
    dead = [owner for owner in owners if owner and not _pid_alive(owner.removeprefix(prefix))]
    if dead:
        session.execute(
            sa.update(Feed).where(Feed.lease_owner.in_(dead)).values(lease_owner=None, lease_expires_at=None)
        )


def _pid_alive(pid_text: str) -> bool:
    if not pid_text.isdigit():
        return True  # a named worker: trust its lease until it expires
    return pid_alive(int(pid_text))


def load_feeds(engine: Engine, ids: Iterable[int], configs: dict[str, FeedConfig], crawl: CrawlConfig) -> list[FeedState]:
    with Session(engine) as session:
        rows = session.exec(select(Feed).where(Feed.id.in_(list(ids))).order_by(Feed.id)).all()
    return [
        FeedState(
            id=r.id or 0,
            name=r.name,
            url=r.url,
            etag=r.etag,
            last_modified=r.last_modified,
            consecutive_failures=r.consecutive_failures,
            language=r.language,
            poll_minutes=configs[r.name].poll_minutes or crawl.default_poll_minutes,
        )
        for r in rows
    ]


def next_due(feed: FeedState, now: datetime, failures: int, max_minutes: int) -> datetime:
    """Poll interval when healthy; doubling per consecutive failure, capped, when not."""
    minutes = feed.poll_minutes * (2 ** min(failures, 16)) if failures else feed.poll_minutes
    return now + timedelta(minutes=min(minutes, max(max_minutes, feed.poll_minutes)))


def finish_feed(
    engine: Engine,
    feed: FeedState,
    now: datetime,
    log: FetchRecord,
    crawl: CrawlConfig,
    etag: str | None = None,
    last_modified: str | None = None,
    due_now: bool = False,
) -> None:
    """Record a feed fetch outcome, its validators and when to poll next; release the lease. ``due_now``: the
    feed has entries left for the next crawl (``crawl.max_entries_per_feed``), so it is due again at once."""
    failed = log.outcome == "error"
    deferred = log.outcome == "deadline"  # out of time: not a failure, due again at the next cycle
    failures = feed.consecutive_failures + 1 if failed else (feed.consecutive_failures if deferred else 0)
    values: dict[str, object] = {
        "last_status": log.status,
        "last_outcome": log.outcome,
        "last_error": log.error if failed or deferred else None,
        "last_fetched_at": now,
        "consecutive_failures": failures,
        "next_due_at": now if deferred or due_now else next_due(feed, now, failures, crawl.backoff_max_minutes),
        "lease_owner": None,
        "lease_expires_at": None,
    }
    if not failed and not deferred:
        values["last_success_at"] = now
        if log.outcome == "ok":
            values["etag"], values["last_modified"] = _validator(etag, 500), _validator(last_modified, 100)
    if log.new_articles:
        values["last_new_at"] = now
    with session_scope(engine) as session:
        session.add(_fetch_row(log))
        session.execute(sa.update(Feed).where(Feed.id == feed.id).values(**values))


def keep_backoff(engine: Engine, feeds: Sequence[FeedState], now: datetime, crawl: CrawlConfig) -> None:
    """Undo this cycle's failure count for ``feeds``: when every feed failed at once, the cause is
    this machine or its network, and no feed should be parked for hours because of it."""
    with session_scope(engine) as session:
        for feed in feeds:
            due = next_due(feed, now, feed.consecutive_failures, crawl.backoff_max_minutes)
            session.execute(sa.update(Feed).where(Feed.id == feed.id)
                            .values(consecutive_failures=feed.consecutive_failures, next_due_at=due))


def record_fetch(engine: Engine, log: FetchRecord) -> None:
    with session_scope(engine) as session:
        session.add(_fetch_row(log))


def _fetch_row(log: FetchRecord) -> FetchLog:
    return FetchLog(**dataclasses.asdict(log))


def known_urls(engine: Engine, canonical_urls: Iterable[str]) -> dict[str, int]:
    """canonical URL -> article id for those already stored."""
    urls = list(set(canonical_urls))
    found: dict[str, int] = {}
    with Session(engine) as session:
        for chunk in chunks(urls):
            rows = session.exec(select(Article.canonical_url, Article.id).where(Article.canonical_url.in_(chunk)))
            found.update({url: article_id for url, article_id in rows if article_id is not None})
    return found


def add_sources(engine: Engine, feed_id: int, entries: Iterable[tuple[int, Entry]], now: datetime) -> int:
    """Link already-stored articles to this feed; returns how many links are new. The links the feed has are
    read a chunk at a time: a long feed lists thousands of stored articles at every crawl."""
    pairs = list(entries)
    added = 0
    with session_scope(engine) as session:
        linked: set[int] = set()
        for chunk in chunks(sorted({article_id for article_id, _ in pairs})):
            linked.update(session.exec(select(ArticleSource.article_id).where(
                ArticleSource.feed_id == feed_id, ArticleSource.article_id.in_(chunk))))
        for article_id, entry in pairs:
            if article_id not in linked:
                session.add(_source(article_id, feed_id, entry, now))
                linked.add(article_id)
                added += 1
    return added


def _source(article_id: int, feed_id: int, entry: Entry, now: datetime) -> ArticleSource:
    return ArticleSource(**_source_values(article_id, feed_id, entry, now))


def _source_values(article_id: int, feed_id: int, entry: Entry, now: datetime) -> dict[str, object]:
    return {
        "article_id": article_id,
        "feed_id": feed_id,
        "entry_url": entry.url[:URL_MAX],
        "guid": bounded(entry.guid, 2000),
        "entry_title": bounded(entry.title),
        "entry_published_at": entry.published,
        "seen_at": now,
    }


@dataclass(frozen=True)
class Stored:
    article_id: int
    created: bool
    duplicate_of: int | None = None


def store_article(
    engine: Engine,
    record: ArticleRecord,
    feed_id: int,
    entry: Entry,
    signature: bytes | None,
    threshold: float,
    site_keys: Sequence[int] = (),
) -> Stored:
    """Insert an article with its source and dedupe links in one transaction, and count its site's lines
    and title ending (``site_keys``, sorted) in it.

    If another crawl stored the same canonical URL first, only the source link is added.
    """
    try:
        with session_scope(engine) as session:
            return _insert(session, record, feed_id, entry, signature, threshold, site_keys)
    except sa.exc.IntegrityError:
        existing = known_urls(engine, [record.canonical_url]).get(record.canonical_url)
        if existing is None:
            raise
        add_sources(engine, feed_id, [(existing, entry)], record.fetched_at)
        return Stored(existing, created=False)


# Statements of the per-article transaction, built once: plain SQL on the tables, no ORM objects.
_ARTICLE, _SOURCE, _BAND = Article.__table__, ArticleSource.__table__, ArticleBand.__table__  # type: ignore[attr-defined]
_SITE_LINE = SiteLine.__table__  # type: ignore[attr-defined]
_NEW_ARTICLE = _ARTICLE.insert().returning(_ARTICLE.c.id)
_SAME_TEXT = (sa.select(_ARTICLE.c.id, _ARTICLE.c.duplicate_of)
              .where(_ARTICLE.c.content_hash == sa.bindparam("hash")).order_by(_ARTICLE.c.id).limit(1))
_SHARED_BANDS = (sa.select(_ARTICLE.c.id, _ARTICLE.c.minhash)
                 .join(_BAND, _BAND.c.article_id == _ARTICLE.c.id)
                 .where(_BAND.c.band_key.in_(sa.bindparam("keys", expanding=True))).distinct())


def _insert(
    session: Session, record: ArticleRecord, feed_id: int, entry: Entry, signature: bytes | None, threshold: float,
    site_keys: Sequence[int],
) -> Stored:
    """The row, its source and its band keys, in the caller's transaction."""
    conn = session.connection()
    keys = sorted(set(fingerprint.band_keys(fingerprint.from_bytes(signature)))) if signature is not None else []
    original, kind = _find_original(conn, record, signature, keys, threshold)
    values = {
        "canonical_url": record.canonical_url,
        "url": record.url,
        "first_feed_id": feed_id,
        "title": bounded(record.title),
        "summary": bounded(record.summary),
        "text": bounded(record.text),
        "authors": [bounded(a, 200) for a in record.authors],
        "site_name": bounded(record.site_name, 300),
        "published_at": record.published_at,
        "published_source": record.published_source,
        "fetched_at": record.fetched_at,
        "language": record.language,
        "content_hash": record.content_hash,
        "minhash": signature,
        "status": record.status,
        "error": bounded(record.error),
        "duplicate_of": original,
        "duplicate_kind": kind,
        "word_count": len(record.text.split()),
    }
    article_id = conn.execute(_NEW_ARTICLE, values).scalar_one()
    conn.execute(_SOURCE.insert(), _source_values(article_id, feed_id, entry, record.fetched_at))
    if keys and original is None:
        conn.execute(_BAND.insert(), [{"band_key": key, "article_id": article_id} for key in keys])
    if site_keys:
        _count_site_keys(conn, site_keys, _day(record.fetched_at))
    return Stored(article_id, created=True, duplicate_of=original)


SITE_LINE_DAYS = 30  # a line no article of its site carried again for this long, below the repeat count, is forgotten


def _day(when: datetime) -> int:
    return int(when.timestamp() // 86400)


def _count_site_keys(conn: sa.Connection, site_keys: Sequence[int], day: int) -> None:
    """One more article for each key, carried on ``day`` (keys sorted by the caller: concurrent writers
    lock rows in one order)."""
    statement = _dialect_insert(conn.dialect.name)(_SITE_LINE)
    statement = statement.on_conflict_do_update(
        index_elements=["key"], set_={"articles": _SITE_LINE.c.articles + 1, "seen_on": statement.excluded.seen_on})
    conn.execute(statement, [{"key": key, "articles": 1, "seen_on": day} for key in site_keys])


def forget_site_lines(engine: Engine, now: datetime, repeats: int) -> int:
    """Forget the lines that fewer than ``repeats`` articles carried and none for ``SITE_LINE_DAYS``;
    returns how many."""
    cutoff = _day(now) - SITE_LINE_DAYS
    with session_scope(engine) as session:
        done = session.execute(sa.delete(_SITE_LINE).where(_SITE_LINE.c.articles < max(repeats, 1),
                                                           _SITE_LINE.c.seen_on < cutoff))
        return int(done.rowcount or 0)


def repeated_site_keys(engine: Engine, site_keys: Sequence[int], at_least: int) -> set[int]:
    """The keys that at least ``at_least`` stored articles of the site carried."""
    if not site_keys or at_least < 1:
        return set()
    found: set[int] = set()
    with engine.connect() as conn:
        for chunk in chunks(list(site_keys)):
            query = sa.select(_SITE_LINE.c.key).where(_SITE_LINE.c.key.in_(chunk), _SITE_LINE.c.articles >= at_least)
            found.update(conn.execute(query).scalars())
    return found


def _find_original(
    conn: sa.Connection, record: ArticleRecord, signature: bytes | None, keys: list[int], threshold: float
) -> tuple[int | None, str | None]:
    """The earliest article this one copies exactly (content hash) or nearly (MinHash LSH): the store reads the
    candidates, ``fingerprint.original_of`` decides."""
    if signature is None:
        return None, None
    exact = conn.execute(_SAME_TEXT, {"hash": record.content_hash}).first()
    candidates: list[tuple[int, bytes | None]] = []
    if exact is None:
        candidates = [(row[0], row[1]) for row in conn.execute(_SHARED_BANDS, {"keys": keys})]
    return fingerprint.original_of(None if exact is None else (exact[0], exact[1]), candidates, signature, threshold)
