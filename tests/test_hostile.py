"""Hostile publishers: bounded work per page, feed and cycle; nothing left running after SIGTERM or SIGKILL."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from monitor.config import load_config
from monitor.ingest.crawl import Tally, _Crawler, _process_pool, run_crawl, stop_pool
from monitor.store.tables import Article, Feed
from tests.clikit import start_monitor
from tests.feedkit import Item, lorem_article, page, rss, sample_texts

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CRAWL = {"host_delay": 0, "extract_workers": 1, "timeouts": {"connect": 2, "read": 10, "total": 20}}
# ~10 MB of paragraphs: minutes of CPU and over a gigabyte in the extractor without a budget
HOSTILE_PAGE = "<html><body>" + "<p>word</p>" * 900_000 + "</body></html>"


def rows(engine):
    with Session(engine) as s:
        return {f.name: f for f in s.exec(select(Feed))}, {a.title: a for a in s.exec(select(Article))}


def publish_hostile(site) -> list[dict]:
    site.add("/hostile.html", HOSTILE_PAGE)
    site.add("/fine.html", page("Fine story", sample_texts()[0]))
    items = [Item("Hostile page", "/hostile.html", summary="The feed's own summary.", published=NOW - timedelta(hours=2)),
             Item("Fine story", "/fine.html", published=NOW - timedelta(hours=1))]
    site.add("/feed.xml", rss(items))
    return [{"name": "hostile", "url": site.url("/feed.xml")}]


@pytest.mark.timeout(120)  # a hang guard: without a budget this page takes minutes
def test_a_page_over_its_cpu_budget_keeps_its_summary_and_the_next_page_is_extracted(site, sqlite_engine, write_config):
    feeds = publish_hostile(site)
    config = load_config(write_config({"feeds": feeds, "crawl": {**CRAWL, "extract_cpu_seconds": 1,
                                                                  "extract_max_bytes": 1_000_000}}))
    summary = run_crawl(sqlite_engine, config, now=NOW)
    feeds, articles = rows(sqlite_engine)
    hostile = articles["Hostile page"]
    assert hostile.status == "summary_only" and hostile.text == "The feed's own summary."
    assert hostile.error.startswith("extract_timeout")
    assert articles["Fine story"].status == "extracted", "a fresh worker takes the next page"
    assert feeds["hostile"].last_outcome == "ok" and summary.feeds_failed == 0


def test_a_page_is_cut_to_the_extraction_cap(site, sqlite_engine, write_config):
    padding = "<div class='nav'>" + "<a href='/x'>menu</a>" * 10_000 + "</div>"
    site.add("/late.html", page("Late story", sample_texts()[1]).replace("<main>", padding + "<main>"))
    site.add("/early.html", page("Early story", sample_texts()[0]))
    site.add("/feed.xml", rss([Item("Late story", "/late.html", summary="teaser", published=NOW),
                               Item("Early story", "/early.html", published=NOW)]))
    config = load_config(write_config({"feeds": [{"name": "f", "url": site.url("/feed.xml")}],
                                       "crawl": {**CRAWL, "extract_workers": 0, "extract_max_bytes": 100_000}}))
    run_crawl(sqlite_engine, config, now=NOW)
    _, articles = rows(sqlite_engine)
    assert articles["Early story"].status == "extracted"
    assert articles["Late story"].status == "summary_only", "the text past the cap is never extracted"


def slow_feed(site, name: str, pages: int, delay: float) -> dict:
    items = []
    for i in range(pages):
        path = f"/{name}/{i}.html"
        site.add(path, page(f"{name} story {i}", lorem_article(name, i)), delay=delay)
        items.append(Item(f"{name} story {i}", path, published=NOW - timedelta(minutes=i + 1)))
    site.add(f"/{name}.xml", rss(items))
    return {"name": name, "url": site.url(f"/{name}.xml")}


@pytest.mark.parametrize("limit", ["feed_deadline_seconds", "cycle_deadline_seconds"])
def test_a_slow_feed_stops_at_the_deadline_and_the_next_cycle_goes_on(site, engine, write_config, limit):
    feeds = [slow_feed(site, "slow", pages=12, delay=0.5)]
    crawl = {**CRAWL, "extract_workers": 0, "per_host": 1, limit: 1.5}
    config = load_config(write_config({"feeds": feeds, "crawl": crawl}))
    summary = run_crawl(engine, config, now=NOW)
    feed_rows, articles = rows(engine)
    assert summary.feeds_deferred == 1 and summary.feeds_failed == 0
    assert summary.deferred[0][0] == "slow" and "deadline" in summary.deferred[0][1]
    slow = feed_rows["slow"]
    assert slow.last_outcome == "deadline" and slow.consecutive_failures == 0
    assert slow.next_due_at.replace(tzinfo=UTC) <= NOW, "due again at the next cycle"
    assert slow.etag is None and 0 < len(articles) < 12
    later = NOW + timedelta(minutes=1)
    for cycle in range(12):
        if len(articles) == 12:
            break
        run_crawl(engine, config, now=later + timedelta(minutes=cycle))
        _, articles = rows(engine)
    assert len(articles) == 12, "each cycle takes up what the last one left"


# --- processes --------------------------------------------------------------------------


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of a process group."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            members.append(int(entry.name))
    return members


def wait_gone(pgid: int, seconds: float = 20) -> list[int]:
    """Wait (a hang guard, not a measurement) for every process of the group to exit."""
    deadline = time.monotonic() + seconds
    while (left := group_members(pgid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in left:  # do not leak them into the rest of the suite (one may exit meanwhile)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return left


def start_on_hostile_page(site, write_config, sqlite_url, args: list[str], **extra):
    feeds = publish_hostile(site)
    crawl = {**CRAWL, "extract_workers": 2, "extract_cpu_seconds": 600, "extract_max_bytes": 12_000_000,
             "page_max_bytes": 12_000_000}
    config = write_config({"feeds": feeds, "crawl": crawl, **extra})
    proc = start_monitor(args, config, sqlite_url)
    deadline = time.monotonic() + 60
    while site.count("/hostile.html") == 0 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    time.sleep(2)  # the page is in a worker now
    if site.count("/hostile.html") != 1 or len(group_members(proc.pid)) < 3:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        pytest.fail(f"expected the crawl, its fork server and a busy worker: {proc.stderr.read()[-2000:]}")
    return proc


@pytest.mark.timeout(120)
def test_sigkill_of_the_crawl_leaves_no_worker_running(site, write_config, sqlite_url):
    proc = start_on_hostile_page(site, write_config, sqlite_url, ["crawl", "--no-analysis"])
    os.kill(proc.pid, signal.SIGKILL)  # only the parent, as the OOM killer would
    proc.wait(10)
    assert wait_gone(proc.pid) == [], "workers and fork server exit once their crawl is gone"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("command", [["run", "--stage", "crawl"], ["schedule"]])
def test_sigterm_stops_within_the_grace_period_and_leaves_nothing_running(site, write_config, sqlite_url, command):
    proc = start_on_hostile_page(site, write_config, sqlite_url, command, schedule={"stop_grace_seconds": 2})
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)  # grace 2 s; the page alone would hold its worker for minutes
    finally:
        left = wait_gone(proc.pid, 10)  # on failure too: nothing may outlive the test
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert left == []


def _busy_pool(seconds: float):
    pool = _process_pool(1, None)
    task = pool.submit(time.sleep, seconds)
    while not pool._processes or not task.running():
        time.sleep(0.05)
    return pool, list(pool._processes.values()), pool._executor_manager_thread


@pytest.mark.timeout(60)
def test_a_stopped_pool_leaves_no_thread_to_race_the_exit():
    """A crawl halted by a full disk stops its pool and exits at once: the pool's manager thread must be over
    by then, or it closes its wake-up pipe while the exit hook writes to it and a traceback follows the
    one-line error."""
    pool, workers, manager = _busy_pool(60)
    stop_pool(pool, interrupted=True)
    assert not manager.is_alive()
    assert not any(worker.is_alive() for worker in workers)


@pytest.mark.timeout(60)
def test_a_crawl_closes_the_pools_it_retired_too(sqlite_engine, write_config):
    """A worker over its budget retires its pool; the crawl's close awaits that pool's thread as well."""
    config = load_config(write_config({"feeds": [{"name": "A", "url": "http://127.0.0.1:9/feed.xml"}], "crawl": CRAWL}))
    crawler = _Crawler(sqlite_engine, config, NOW, Tally())
    pool, workers, manager = _busy_pool(0.2)
    crawler._pools.append(pool)
    crawler._recycle(pool)
    crawler.close()
    assert not manager.is_alive()
    assert not any(worker.is_alive() for worker in workers)
