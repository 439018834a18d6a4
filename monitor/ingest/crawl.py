"""One crawl cycle: due feeds -> fetch -> parse -> new entries -> fetch pages -> extract -> store.

Where ingestion's stages meet. Failures stay with their feed or article; the cycle
always finishes and returns a summary. A feed's validators (ETag, Last-Modified)
are saved only after all its entries are stored, so a killed crawl re-reads the
feed next time instead of losing entries.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import threading
import time
from collections import Counter
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine

from monitor import clock
from monitor.config import Config
from monitor.dedupe import boilerplate
from monitor.dedupe.urls import canonical_url
from monitor.errors import CrawlHalted, ExtractError, NothingCollected, ParseError, ThinPage
from monitor.extract.article import build_article, needs_page_metadata
from monitor.extract.task import extract_and_fingerprint
from monitor.extract.worker import TaskOverrun, init_worker, run_budgeted, server_context
from monitor.fetch.http import Fetcher
from monitor.logs import Progress
from monitor.parse.feed import parse_feed
from monitor.records import Article, CrawlSummary, Entry, Extracted, Fetched, FetchRecord, ParsedFeed
from monitor.settings import Settings
from monitor.store import ingest
from monitor.store.ingest import FeedState
from monitor.words import plural

log = logging.getLogger(__name__)


@dataclass
class Tally:
    """Counts gathered while crawling (mutable; turned into a CrawlSummary at the end)."""

    counts: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)
    new_ids: list[int] = field(default_factory=list)
    deferred: list[tuple[str, str]] = field(default_factory=list)
    backlog: list[tuple[str, int]] = field(default_factory=list)
    failed_feeds: list[FeedState] = field(default_factory=list)

    def summary(self, seconds: float) -> CrawlSummary:
        c = self.counts
        return CrawlSummary(
            feeds_total=c["feeds"],
            feeds_ok=c["feeds_ok"],
            feeds_not_modified=c["feeds_not_modified"],
            feeds_failed=c["feeds_failed"],
            entries_seen=c["entries"],
            articles_new=c["new"],
            articles_extracted=c["extracted"],
            articles_summary_only=c["summary_only"],
            sources_added=c["sources"],
            duplicates=c["duplicates"],
            failures=tuple(self.failures),
            feeds_deferred=len(self.deferred),
            deferred=tuple(self.deferred),
            backlog=tuple(self.backlog),
            seconds=round(seconds, 2),
        )


def run_crawl(
    engine: Engine,
    config: Config,
    settings: Settings | None = None,
    now: datetime | None = None,
    feeds: list[str] | None = None,
    worker: str | None = None,
    every_feed: bool = False,
) -> CrawlSummary:
    """Crawl due feeds (or the named ones, or with ``every_feed`` all of them, due or not) and store what is new.

    With ``worker`` set, feeds are claimed a few at a time through leases so that
    several processes share one cycle; without it, every due feed is claimed at once.
    When every feed of a cycle fails (the machine is offline), no feed's backoff grows.
    """
    started = time.monotonic()
    now = now or clock.now()
    names = feeds or [f.name for f in config.feeds]
    for name in names:
        config.feed(name)
    ingest.sync_feeds(engine, config.feeds, now)
    owner = worker or ingest.default_owner()
    tally = Tally()
    batch = config.crawl.worker_batch if worker else None
    asyncio.run(_crawl(engine, config, names, owner, now, tally, batch=batch, force=bool(feeds) or every_feed))
    if len(tally.failed_feeds) > 1 and tally.counts["feeds_failed"] == tally.counts["feeds"]:
        log.warning("crawl: all %d feeds failed; their backoff is not increased", len(tally.failed_feeds))
        ingest.keep_backoff(engine, tally.failed_feeds, now, config.crawl)
    if tally.counts["new"]:
        ingest.forget_site_lines(engine, now, config.dedupe.site_repeats)
    summary = tally.summary(time.monotonic() - started)
    if summary.feeds_deferred:
        log.warning("crawl: deadline reached: %d feed(s) not finished, the rest is left for the next cycle",
                    summary.feeds_deferred)
    for name, left in summary.backlog:
        log.warning("feed %s: %s beyond crawl.max_entries_per_feed; they are fetched at the next crawls, the "
                    "newest first", name, plural(left, "new entry", "new entries"))
    log.info(
        "crawl: %s (%d ok, %d unchanged, %d failed), %s (%d summary only, %s) in %.1fs",
        plural(summary.feeds_total, "feed"), summary.feeds_ok, summary.feeds_not_modified, summary.feeds_failed,
        plural(summary.articles_new, "new article"), summary.articles_summary_only,
        plural(summary.duplicates, "duplicate"), summary.seconds,
    )
    return summary


FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})
FULL_MESSAGES = ("database or disk is full", "disk i/o error", "no space left on device", "could not extend file")
STOP_SECONDS = 5.0  # how long a stopped pool's manager thread is awaited once its workers are killed


def halted(exc: BaseException, engine: Engine) -> None:
    """Raise CrawlHalted when ``exc`` (or what caused it) says the disk or the database is full."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in FULL_ERRNOS:
            where = seen.filename or engine.url.render_as_string(hide_password=True)
            raise CrawlHalted(f"cannot write {where}: {seen.strerror}") from None
        if any(m in str(seen).lower() for m in FULL_MESSAGES) and not isinstance(seen, CrawlHalted):
            detail = (str(getattr(seen, "orig", seen)).strip().splitlines() or ["full"])[0]
            raise CrawlHalted(f"cannot write to {engine.url.render_as_string(hide_password=True)}: {detail}") from None
        seen = seen.__cause__ or seen.__context__


def nothing_collected(summary: CrawlSummary) -> NothingCollected:
    """The one-line error of a crawl in which every feed failed."""
    name, error = summary.failures[0]
    which = "the one feed" if summary.feeds_total == 1 else f"all {summary.feeds_total} feeds"
    first = "" if summary.feeds_total == 1 else "first: "
    return NothingCollected(f"{which} failed, nothing was collected ({first}{name}: {error})", summary)


async def _crawl(
    engine: Engine, config: Config, names: list[str], owner: str, now: datetime, tally: Tally, batch: int | None, force: bool
) -> None:
    configs = {f.name: f for f in config.feeds}
    crawler = _Crawler(engine, config, now, tally)
    lease = timedelta(seconds=config.crawl.lease_seconds)
    started = time.monotonic()
    try:
        async with Fetcher(config.crawl) as fetcher:
            crawler.fetcher = fetcher
            while not crawler.deadline.cycle_over():
                # Leases run on the clock even when `now` is pinned for the records.
                claim_time = now + timedelta(seconds=time.monotonic() - started)
                ids = ingest.claim_feeds(engine, names, owner, claim_time, lease, limit=batch, due_only=not force)
                if not ids:
                    break
                states = ingest.load_feeds(engine, ids, configs, config.crawl)
                crawler.progress.add_total(len(states))
                await asyncio.gather(*(crawler.feed(state) for state in states))
                if batch is None:
                    break
    except BaseException:
        crawler.close(interrupted=True)  # SIGTERM or Ctrl-C: never wait for stuck work
        raise
    crawler.close(interrupted=bool(tally.deferred))  # work left by a deadline is not waited for either


class _Crawler:
    def __init__(self, engine: Engine, config: Config, now: datetime, tally: Tally) -> None:
        self.engine, self.config, self.now, self.tally = engine, config, now, tally
        self.fetcher: Fetcher
        self.progress = Progress(0, "crawl (feeds and articles)", log, every=25)
        self.deadline = Deadline(config.crawl.feed_deadline_seconds, config.crawl.cycle_deadline_seconds)
        self._pool: Executor | None = None
        self._pools: list[Executor] = []
        self._retired: list[threading.Thread | None] = []  # the manager threads of pools shut down early
        self._in_flight: dict[str, asyncio.Future[int | None]] = {}

    # --- feeds ---------------------------------------------------------------------------

    async def feed(self, state: FeedState) -> None:
        self.tally.counts["feeds"] += 1
        seconds = self.deadline.for_feed()
        timeout = asyncio.timeout(seconds)
        try:
            if seconds is not None and seconds <= 0:
                return self._feed_deferred(state, "the cycle's deadline passed before the feed started")
            async with timeout:
                await self._feed(state)
        except TimeoutError:
            if not timeout.expired():
                raise
            self._feed_deferred(state, f"deadline of {seconds:.0f}s reached; the rest is left for the next cycle")
        except CrawlHalted:
            raise
        except Exception as exc:  # a bug or a database error must not stop the other feeds
            halted(exc, self.engine)
            log.exception("feed %s: unexpected error", state.name)
            self._feed_failed(state, FetchRecord(state.id, "feed", state.url, self.now, "error",
                                                 f"internal error: {exc}"[:1000]))
        finally:
            self.progress.update()

    async def _feed(self, state: FeedState) -> None:
        fetched = await self.fetcher.get_feed(state.url, state.etag, state.last_modified)
        entry_log = _log(state.id, "feed", fetched, self.now)
        if fetched.error:
            return self._feed_failed(state, entry_log)
        if fetched.not_modified:
            self.tally.counts["feeds_not_modified"] += 1
            return ingest.finish_feed(self.engine, state, self.now, replace(entry_log, outcome="not_modified"),
                                      self.config.crawl)
        try:
            # every entry: the cap on new ones applies once the stored ones are known (``_entries``)
            parsed = await self._run(parse_feed, fetched.body, fetched.headers, fetched.final_url, self.now)
        except ParseError as exc:
            return self._feed_failed(state, replace(entry_log, error=f"not a usable feed: {exc}"))
        except TaskOverrun:
            error = f"parse_timeout: parsing used more than {self.config.crawl.extract_cpu_seconds}s of CPU"
            return self._feed_failed(state, replace(entry_log, error=error))
        new, left = await self._entries(state, parsed)
        self.tally.counts["feeds_ok"] += 1
        entry_log = replace(entry_log, entries=len(parsed.entries), new_articles=new)
        if left:  # no validators (the next fetch must not be "not modified") and due at the next crawl
            self.tally.backlog.append((state.name, left))
            return ingest.finish_feed(self.engine, state, self.now, entry_log, self.config.crawl, due_now=True)
        ingest.finish_feed(self.engine, state, self.now, entry_log, self.config.crawl,
                           fetched.headers.get("etag"), fetched.headers.get("last-modified"))

    def _feed_failed(self, state: FeedState, entry_log: FetchRecord) -> None:
        entry_log = replace(entry_log, outcome="error")
        self.tally.counts["feeds_failed"] += 1
        self.tally.failures.append((state.name, entry_log.error or "failed"))
        self.tally.failed_feeds.append(state)
        log.warning("feed %s: %s", state.name, entry_log.error)
        ingest.finish_feed(self.engine, state, self.now, entry_log, self.config.crawl)

    def _feed_deferred(self, state: FeedState, reason: str) -> None:
        """Out of time: neither a failure nor a success; due again at the next cycle."""
        self.tally.deferred.append((state.name, reason))
        log.warning("feed %s: %s", state.name, reason)
        entry_log = FetchRecord(state.id, "feed", state.url[:2000], self.now, "deadline", reason)
        ingest.finish_feed(self.engine, state, self.now, entry_log, self.config.crawl)

    async def _entries(self, state: FeedState, parsed: ParsedFeed) -> tuple[int, int]:
        """Store the feed's new entries, at most ``crawl.max_entries_per_feed`` of them (the newest, in the
        feed's order where undated); returns how many articles were created and how many new entries are left
        for the next crawls."""
        entries = [e for e in parsed.entries if self._recent(e)]
        self.tally.counts["entries"] += len(entries)
        by_url = dict(pair for pair in map(_keyed, entries) if pair is not None)
        known = ingest.known_urls(self.engine, by_url)
        if known:
            linked = [(known[url], entry) for url, entry in by_url.items() if url in known]
            self.tally.counts["sources"] += ingest.add_sources(self.engine, state.id, linked, self.now)
        new = [(url, entry) for url, entry in by_url.items() if url not in known]  # newest first (``parse_feed``)
        cap = self.config.crawl.max_entries_per_feed
        # Oldest first, so that the first copy of a syndicated story becomes the original.
        fresh = sorted(new[:cap], key=lambda pair: pair[1].published or self.now)
        self.progress.add_total(len(fresh))
        results = await asyncio.gather(*(self._article(state, url, entry) for url, entry in fresh))
        return sum(1 for created in results if created), len(new) - len(fresh)

    def _recent(self, entry: Entry) -> bool:
        max_age = self.config.crawl.max_age_days
        return max_age is None or entry.published is None or entry.published >= self.now - timedelta(days=max_age)

    # --- articles ------------------------------------------------------------------------

    async def _article(self, state: FeedState, url: str, entry: Entry) -> bool:
        """Fetch, extract and store one new article; True when a new row was created."""
        try:
            pending = self._in_flight.get(url)
            if pending is not None:  # the same article from two feeds in one cycle: fetch once
                article_id = await pending
                if article_id is not None:
                    self.tally.counts["sources"] += ingest.add_sources(self.engine, state.id, [(article_id, entry)], self.now)
                return False
            future: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
            self._in_flight[url] = future
            try:
                stored = await self._fetch_and_store(state, url, entry)
                future.set_result(stored.article_id)
            finally:
                if not future.done():
                    future.set_result(None)
            return stored.created
        except CrawlHalted:
            raise
        except Exception as exc:
            halted(exc, self.engine)
            log.exception("article %s: unexpected error", entry.url)
            return False
        finally:
            self.progress.update()

    async def _fetch_and_store(self, state: FeedState, url: str, entry: Entry) -> ingest.Stored:
        feed_host = urlsplit(state.url).hostname or ""
        metadata = needs_page_metadata(entry)
        fetched, extracted, signature, error, brief = await self.fetcher.get_page(
            entry.url, lambda page: self._extract(page, metadata), feed_host
        )
        if error:
            ingest.record_fetch(self.engine, _log(state.id, "page", fetched, self.now, error))
        record = build_article(url, entry, extracted, error, self.now, state.language, brief)
        record, site_keys = self._without_furniture(record)
        stored = ingest.store_article(self.engine, record, state.id, entry, signature, self.config.dedupe.near_threshold,
                                      site_keys)
        self._count(stored, record)
        return stored

    def _without_furniture(self, record: Article) -> tuple[Article, list[int]]:
        """The record without what its site repeats, and the keys its storing counts."""
        repeats = self.config.dedupe.site_repeats
        if not repeats or record.status != "extracted":
            return record, []
        found = boilerplate.keys(record)
        counted = found.counted
        return boilerplate.without(record, found, ingest.repeated_site_keys(self.engine, counted, repeats)), counted

    async def _extract(
        self, fetched: Fetched, metadata: bool
    ) -> tuple[Fetched, Extracted | None, bytes | None, str | None, str]:
        """Runs while the page still holds its fetch slot (bounds the pages waiting for extraction).
        ``metadata``: the entry lacks something the page's metadata may give. Returns the page, what
        extraction got, its signature, the error, and a thin page's own short text."""
        if fetched.error:
            return fetched, None, None, fetched.error, ""
        dedupe, crawl = self.config.dedupe, self.config.crawl
        html = fetched.body[: crawl.extract_max_bytes]  # a longer page is cut: bounded memory and CPU
        try:
            extracted, signature = await self._run(
                extract_and_fingerprint, html, fetched.final_url, dedupe.shingle_words, dedupe.min_words, metadata
            )
        except ExtractError as exc:
            return fetched, None, None, str(exc), exc.text if isinstance(exc, ThinPage) else ""
        except TaskOverrun:
            return (fetched, None, None, f"extract_timeout: extraction used more than {crawl.extract_cpu_seconds}s of CPU",
                    "")
        return fetched, extracted, signature, None, ""

    def _count(self, stored: ingest.Stored, record: Article) -> None:
        if not stored.created:
            self.tally.counts["sources"] += 1
            return
        self.tally.new_ids.append(stored.article_id)
        self.tally.counts["new"] += 1
        self.tally.counts["extracted" if record.status == "extracted" else "summary_only"] += 1
        if stored.duplicate_of is not None:
            self.tally.counts["duplicates"] += 1

    # --- worker processes ------------------------------------------------------------------

    async def _run(self, func: Any, *args: Any) -> Any:
        """``func(*args)`` in a worker within the CPU budget; raises TaskOverrun when it is spent.

        Workers that overran are replaced. A task whose pool broke under it (a worker killed
        by the kernel's CPU or memory limit) is tried once more in fresh workers.
        """
        loop = asyncio.get_running_loop()
        crawl = self.config.crawl
        if crawl.extract_workers == 0:  # in-process (tests, debugging): no budget
            return await loop.run_in_executor(self._executor(), func, *args)
        for attempt in (1, 2):
            pool = self._executor()
            try:
                return await loop.run_in_executor(pool, run_budgeted, crawl.extract_cpu_seconds, func, *args)
            except EOFError as exc:  # the workers' process server died before it could start one
                raise CrawlHalted(f"extraction workers could not start ({exc}): is the disk or the temporary "
                                  "folder full?") from None
            except TaskOverrun:
                self._recycle(pool)
                raise
            except BrokenProcessPool:
                self._recycle(pool)
                if attempt == 2:
                    raise TaskOverrun from None
        raise AssertionError("unreachable")

    def _executor(self) -> Executor:
        if self._pool is None:
            crawl = self.config.crawl
            workers = crawl.extract_workers
            self._pool = _process_pool(workers, crawl.extract_memory_mb) if workers > 0 else ThreadPoolExecutor(1)
            self._pools.append(self._pool)
        return self._pool

    def _recycle(self, pool: Executor) -> None:
        """New workers for the next tasks; the old ones finish what they hold, then exit."""
        if self._pool is pool:
            self._pool = None
        self._retired.append(_manager(pool))
        pool.shutdown(wait=False)

    def close(self, interrupted: bool = False) -> None:
        """Shut the workers down; ``interrupted``: kill those still busy instead of waiting for them."""
        self.progress.close()
        for pool in self._pools:
            stop_pool(pool, interrupted)
        for manager in self._retired:
            _join(manager)


@dataclass
class Deadline:
    """Per-feed and per-cycle time limits (seconds; None: no limit), measured from the crawl's start."""

    feed: float | None
    cycle: float | None
    started: float = field(default_factory=time.monotonic)

    def for_feed(self) -> float | None:
        """The time a feed starting now may take."""
        if self.cycle is None:
            return self.feed
        left = self.cycle - (time.monotonic() - self.started)
        return left if self.feed is None else min(self.feed, left)

    def cycle_over(self) -> bool:
        return self.cycle is not None and time.monotonic() - self.started >= self.cycle


def _process_pool(workers: int, memory_mb: int | None) -> ProcessPoolExecutor:
    """Extraction workers forked from a clean server process with trafilatura preloaded (shared, copy-on-write).

    Each worker exits on its own when this process ends, even by SIGKILL.
    """
    import os

    return ProcessPoolExecutor(max_workers=workers, mp_context=server_context(), initializer=init_worker,
                               initargs=(os.getpid(), memory_mb))


def stop_pool(pool: Executor, interrupted: bool) -> None:
    """Shut ``pool`` down; ``interrupted``: kill its busy workers instead of waiting for them.

    Either way its manager thread has ended when this returns (after a kill, within STOP_SECONDS). Left
    running, that thread closes its wake-up pipe while the interpreter's exit hook writes to it (Python
    3.11 takes no lock there), and the exit prints an "ignored" traceback after the one-line error.
    """
    manager = _manager(pool)
    if interrupted:
        _kill_workers(pool)
    pool.shutdown(wait=not interrupted, cancel_futures=True)
    _join(manager)


def _manager(pool: Executor) -> threading.Thread | None:
    """The thread a process pool runs its workers from (shutdown() forgets it; thread pools have none)."""
    return getattr(pool, "_executor_manager_thread", None)


def _join(manager: threading.Thread | None) -> None:
    if manager is not None:
        manager.join(STOP_SECONDS)


def _kill_workers(pool: Executor) -> None:
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.kill()


def _keyed(entry: Entry) -> tuple[str, Entry] | None:
    """(canonical URL, entry), or None for a link that cannot be read or stored: that entry alone is skipped."""
    try:
        url = canonical_url(entry.url)
    except ValueError as exc:
        log.warning("entry %s skipped: %s", entry.url[:200], exc)
        return None
    if max(len(url), len(entry.url)) > ingest.URL_MAX:
        log.warning("entry %s… skipped: its link is longer than %d characters", entry.url[:200], ingest.URL_MAX)
        return None
    return url, entry


def _log(feed_id: int, kind: str, fetched: Fetched, now: datetime, error: str | None = None) -> FetchRecord:
    error = error or fetched.error
    return FetchRecord(
        feed_id=feed_id,
        kind=kind,
        url=fetched.url[:2000],
        started_at=now,
        duration_ms=fetched.elapsed_ms,
        status=fetched.status,
        outcome="error" if error else "ok",
        error=error,
        bytes=len(fetched.body),
    )
