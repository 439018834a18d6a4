"""Crawls as real processes: SIGKILL mid-run, two crawls at once, several workers on PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.clikit import start_monitor
from tests.feedkit import Item, lorem_article, page, rss, sample_texts

NOW = datetime.now(UTC)


def monitor(args: list[str], config: Path, db_url: str) -> subprocess.Popen[str]:
    return start_monitor(args, config, db_url)


def kill_tree(proc: subprocess.Popen[str]) -> None:
    """SIGKILL the crawl and its extraction workers, as a crash or `kill -9` of the group would."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)


def publish(site, feeds: int, items: int, delay: float = 0.0, prefix: str = "f") -> list[dict]:
    entries = []
    for f in range(feeds):
        feed_items = []
        for i in range(items):
            path = f"/{prefix}{f}/a{i}.html"
            site.add(path, page(f"Story {f}-{i}", lorem_article(f"feed {f}", f * 100 + i)), delay=delay)
            feed_items.append(Item(f"Story {f}-{i}", site.url(path), published=NOW - timedelta(minutes=i + 1)))
        site.add(f"/{prefix}{f}.xml", rss(feed_items))
        entries.append({"name": f"{prefix}{f}", "url": site.url(f"/{prefix}{f}.xml")})
    return entries


def integrity(db_url: str) -> dict[str, int]:
    """Counts that reveal half-written or duplicated rows."""
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        q = lambda sql: conn.execute(sa.text(sql)).scalar()  # noqa: E731
        result = {
            "articles": q("SELECT count(*) FROM article"),
            "distinct_urls": q("SELECT count(DISTINCT canonical_url) FROM article"),
            "without_source": q("SELECT count(*) FROM article a WHERE NOT EXISTS "
                                "(SELECT 1 FROM article_source s WHERE s.article_id = a.id)"),
            "empty_text": q("SELECT count(*) FROM article WHERE text IS NULL OR text = ''"),
            "dup_sources": q("SELECT count(*) FROM (SELECT article_id, feed_id FROM article_source "
                             "GROUP BY article_id, feed_id HAVING count(*) > 1) d"),
            "orphan_bands": q("SELECT count(*) FROM article_band b WHERE NOT EXISTS "
                              "(SELECT 1 FROM article a WHERE a.id = b.article_id)"),
        }
    engine.dispose()
    return result


def assert_clean(db_url: str, expected_articles: int) -> None:
    counts = integrity(db_url)
    assert counts == {"articles": expected_articles, "distinct_urls": expected_articles, "without_source": 0,
                      "empty_text": 0, "dup_sources": 0, "orphan_bands": 0}


def test_sigkill_mid_crawl_then_rerun_leaves_no_duplicate_or_partial_row(site, write_config, sqlite_url):
    feeds = publish(site, feeds=3, items=12, delay=0.1)
    config = write_config({"feeds": feeds, "crawl": {"host_delay": 0, "per_host": 2, "extract_workers": 1}})
    proc = monitor(["crawl", "--no-analysis"], config, sqlite_url)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and sum(site.count(f"/f{f}/a{i}.html") for f in range(3) for i in range(12)) < 8:
        time.sleep(0.05)
    kill_tree(proc)
    partial = integrity(sqlite_url)
    assert partial["articles"] < 36, "the kill landed mid-crawl"
    assert partial["without_source"] == 0 and partial["empty_text"] == 0
    rerun = monitor(["crawl", "--no-analysis"], config, sqlite_url)
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert_clean(sqlite_url, 36)


def test_two_crawls_at_once_do_not_corrupt_each_other(site, write_config, sqlite_url):
    shared = publish(site, feeds=1, items=15, delay=0.02, prefix="s")
    mirror = [Item(f"Story 0-{i}", site.url(f"/s0/a{i}.html?utm_source=mirror"), published=NOW) for i in range(15)]
    site.add("/mirror.xml", rss(mirror))
    feeds = shared + [{"name": "mirror", "url": site.url("/mirror.xml")}]
    config = write_config({"feeds": feeds, "crawl": {"host_delay": 0, "per_host": 4, "extract_workers": 1}})
    first = monitor(["crawl", "--no-analysis", "--feed", "s0"], config, sqlite_url)
    second = monitor(["crawl", "--no-analysis", "--feed", "mirror"], config, sqlite_url)
    for proc in (first, second):
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert_clean(sqlite_url, 15)
    engine = sa.create_engine(sqlite_url)
    with engine.connect() as conn:
        sources = conn.execute(sa.text("SELECT count(*) FROM article_source")).scalar()
    engine.dispose()
    assert sources == 30, "every article carried by both feeds"


@pytest.mark.postgres
def test_three_workers_share_a_cycle_on_postgres(site, write_config, postgres_url):
    feeds = publish(site, feeds=60, items=2, delay=0.02)
    config = write_config({"feeds": feeds, "crawl": {"host_delay": 0, "extract_workers": 1, "worker_batch": 3}})
    subprocess.run([sys.executable, "-m", "monitor", "db", "upgrade"], check=True, cwd=config.parent,
                   env={**os.environ, "MONITOR_DATABASE_URL": postgres_url}, capture_output=True)
    workers = [monitor(["crawl", "--worker", "--no-analysis"], config, postgres_url) for _ in range(3)]
    for proc in workers:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    fetched = Counter(path for _, path, _ in site.requests if path.endswith(".xml"))
    assert set(fetched) == {f"/f{f}.xml" for f in range(60)}
    assert set(fetched.values()) == {1}, "no feed fetched twice"
    assert_clean(postgres_url, 120)


@pytest.mark.postgres
def test_killed_worker_loses_nothing_after_its_lease_expires(site, write_config, postgres_url):
    feeds = publish(site, feeds=60, items=1, delay=0.15)
    config = write_config({"feeds": feeds, "crawl": {"host_delay": 0, "extract_workers": 1, "worker_batch": 4,
                                                      "lease_seconds": 3}})
    subprocess.run([sys.executable, "-m", "monitor", "db", "upgrade"], check=True, cwd=config.parent,
                   env={**os.environ, "MONITOR_DATABASE_URL": postgres_url}, capture_output=True)
    victim = monitor(["crawl", "--worker", "--no-analysis", "--worker-name", "victim"], config, postgres_url)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(p.endswith(".html") for _, p, _ in list(site.requests)):
        time.sleep(0.02)
    kill_tree(victim)
    time.sleep(3.5)  # the victim's lease expires
    survivors = [monitor(["crawl", "--worker", "--no-analysis"], config, postgres_url) for _ in range(2)]
    for proc in survivors:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    fetched = Counter(path for _, path, _ in site.requests if path.endswith(".xml"))
    assert set(fetched) == {f"/f{f}.xml" for f in range(60)}, "every feed crawled"
    refetched = [p for p, n in fetched.items() if n > 1]
    assert len(refetched) <= 4 and max(fetched.values()) <= 2, "only the victim's leased batch is fetched again"
    assert_clean(postgres_url, 60)


def test_workers_starting_together_add_the_configured_feeds_once(engine: sa.Engine) -> None:
    """Every worker first writes the configured feeds; starting together must not collide."""
    import threading

    from monitor.config import FeedConfig
    from monitor.store.ingest import sync_feeds

    for round_ in range(5):
        feeds = [FeedConfig(name=f"r{round_}-f{i}", url=f"http://127.0.0.1:9/{round_}/{i}.xml") for i in range(30)]
        barrier, errors = threading.Barrier(4), []

        def start(feeds: list[FeedConfig] = feeds, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            try:
                sync_feeds(engine, feeds, NOW)
            except Exception as exc:  # collected: a thread's exception would otherwise be lost
                errors.append(exc)

        threads = [threading.Thread(target=start) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
    with engine.connect() as conn:
        names = [n for (n,) in conn.execute(sa.text("SELECT name FROM feed"))]
    assert len(names) == len(set(names)) == 150


def test_extraction_workers_never_import_the_crawl_stack():
    """A worker runs extraction and fingerprinting only: no database, HTTP or crawl modules (memory
    and start-up cost paid once per worker)."""
    from monitor.ingest.crawl import _process_pool
    from monitor.extract.task import extract_and_fingerprint

    pool = _process_pool(1, None)
    try:
        html = page("Sberbank and DeepSeek", lorem_article("Sberbank and DeepSeek", 1, words=400)).encode()
        extracted, signature = pool.submit(extract_and_fingerprint, html, "http://127.0.0.1:9/a.html", 5, 50).result(120)
        modules = set(pool.submit(eval, "list(__import__('sys').modules)").result(60))
    finally:
        pool.shutdown()
    assert len(extracted.text.split()) > 50 and signature
    assert not modules & {"monitor.ingest.crawl", "monitor.store", "sqlalchemy", "sqlmodel", "aiohttp", "monitor.fetch.http"}


def test_the_language_model_is_loaded_once_in_the_crawl_not_in_each_worker(site, engine, write_config):
    """py3langid's model is ~75 MB: the workers (and their fork server) never load it; the crawl
    process identifies the language of what they extracted."""
    from sqlmodel import Session, select

    from monitor.config import load_config
    from monitor.extract.task import extract_and_fingerprint
    from monitor.ingest.crawl import _process_pool, run_crawl
    from monitor.store.tables import Article

    pool = _process_pool(1, None)
    try:
        html = page("Sberbank and DeepSeek", lorem_article("Sberbank and DeepSeek", 1, words=400)).encode()
        extracted, _ = pool.submit(extract_and_fingerprint, html, "http://127.0.0.1:9/a.html", 5, 50).result(120)
        loaded = pool.submit(eval, "__import__('py3langid.langid').langid.IDENTIFIER is not None").result(60)
    finally:
        pool.shutdown()
    assert extracted.text and not loaded
    site.add("/a.html", page("Sberbank and DeepSeek", sample_texts()[0]))
    site.add("/feed.xml", rss([Item("Sberbank and DeepSeek", site.url("/a.html"))]))
    config = load_config(write_config({"feeds": [{"name": "F", "url": site.url("/feed.xml")}],
                                       "crawl": {"host_delay": 0, "extract_workers": 1}}))
    run_crawl(engine, config)
    with Session(engine) as session:
        article = session.exec(select(Article)).one()
    assert article.status == "extracted" and article.language == "en"
