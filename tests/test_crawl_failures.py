"""Failures that look like failures: every feed failing exits non-zero; an offline cycle parks no feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from monitor.config import load_config
from monitor.ingest.crawl import run_crawl
from monitor.store.tables import Article, Feed
from tests.clikit import run_monitor
from tests.feedkit import Item, page, rss, sample_texts

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CRAWL = {"host_delay": 0, "extract_workers": 0, "timeouts": {"connect": 1, "read": 2, "total": 4}}


def feeds(site, healthy: bool) -> list[dict]:
    site.add("/down-a.xml", b"down", status=503)
    site.add("/down-b.xml", b"down", status=500)
    entries = [{"name": "a", "url": site.url("/down-a.xml"), "poll_minutes": 10},
               {"name": "b", "url": site.url("/down-b.xml"), "poll_minutes": 10}]
    if healthy:
        site.add("/ok.html", page("Fine", sample_texts()[0]))
        site.add("/ok.xml", rss([Item("Fine", "/ok.html", published=datetime.now(UTC))]))
        entries.append({"name": "ok", "url": site.url("/ok.xml")})
    return entries


def test_crawl_with_every_feed_failing_exits_non_zero_with_one_line(site, write_config, sqlite_url):
    config = write_config({"feeds": feeds(site, healthy=False), "crawl": CRAWL})
    result = run_monitor(["crawl", "--no-analysis"], config.parent, sqlite_url)
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("monitor:")]
    assert len(errors) == 1 and "all 2 feeds failed" in errors[0] and "HTTP 50" in errors[0]
    assert "Traceback" not in result.stderr


def test_crawl_with_some_feeds_failing_exits_zero_and_lists_them(site, write_config, sqlite_url):
    config = write_config({"feeds": feeds(site, healthy=True), "crawl": CRAWL})
    result = run_monitor(["crawl", "--no-analysis"], config.parent, sqlite_url)
    assert result.returncode == 0, result.stderr
    assert "2 failed" in result.stdout and "failed: a: HTTP 503" in result.stdout


def test_run_with_every_feed_failing_exits_non_zero_and_says_so(site, write_config, sqlite_url):
    config = write_config({"feeds": feeds(site, healthy=False), "crawl": CRAWL})
    result = run_monitor(["run", "--stage", "crawl"], config.parent, sqlite_url)
    assert result.returncode == 1, result.stdout + result.stderr
    crawl_line = next(line for line in result.stdout.splitlines() if line.startswith("crawl"))
    assert "failed" in crawl_line and "all 2 feeds failed" in crawl_line
    assert "Traceback" not in result.stderr


def test_an_offline_cycle_does_not_grow_any_backoff(site, engine, write_config):
    config = load_config(write_config({"feeds": feeds(site, healthy=False), "crawl": CRAWL}))
    for cycle in range(3):
        run_crawl(engine, config, now=NOW + timedelta(minutes=10 * cycle))
    with Session(engine) as s:
        rows = list(s.exec(select(Feed)))
    assert [r.consecutive_failures for r in rows] == [0, 0]
    assert all(r.next_due_at.replace(tzinfo=UTC) == NOW + timedelta(minutes=30) for r in rows), "polled as usual"
    assert all(r.last_outcome == "error" and "HTTP 50" in r.last_error for r in rows), "still recorded"


def test_a_failing_feed_among_healthy_ones_still_backs_off(site, sqlite_engine, write_config):
    config = load_config(write_config({"feeds": feeds(site, healthy=True), "crawl": CRAWL}))
    run_crawl(sqlite_engine, config, now=NOW)
    with Session(sqlite_engine) as s:
        rows = {r.name: r for r in s.exec(select(Feed))}
    assert rows["a"].consecutive_failures == 1 and rows["a"].next_due_at.replace(tzinfo=UTC) == NOW + timedelta(minutes=20)


def test_crawl_all_forces_every_feed_now(site, write_config, sqlite_url):
    config = write_config({"feeds": feeds(site, healthy=True), "crawl": CRAWL})
    assert run_monitor(["crawl", "--no-analysis"], config.parent, sqlite_url).returncode == 0
    assert run_monitor(["crawl", "--no-analysis"], config.parent, sqlite_url).stdout.startswith("0 feeds")
    assert site.count("/ok.xml") == 1 and site.count("/down-a.xml") == 1
    result = run_monitor(["crawl", "--no-analysis", "--all"], config.parent, sqlite_url)
    assert result.returncode == 0 and result.stdout.startswith("3 feeds"), result.stdout + result.stderr
    assert site.count("/ok.xml") == 2 and site.count("/down-a.xml") == 2


def test_one_bad_link_does_not_sink_its_feed(site, sqlite_engine, write_config):
    site.add("/fine.html", page("Fine", sample_texts()[0]))
    site.add("/mixed.xml", rss([Item("Bad port", "http://127.0.0.1:99999/x.html", summary="teaser", published=NOW),
                                Item("Fine", "/fine.html", published=NOW)]))
    config = load_config(write_config({"feeds": [{"name": "mixed", "url": site.url("/mixed.xml")}], "crawl": CRAWL}))
    run_crawl(sqlite_engine, config, now=NOW)
    with Session(sqlite_engine) as s:
        feed = s.exec(select(Feed)).one()
        titles = {a.title: a for a in s.exec(select(Article))}
    assert feed.last_outcome == "ok", feed.last_error
    assert titles["Fine"].status == "extracted"
    assert titles["Bad port"].status == "summary_only" and titles["Bad port"].error


def test_the_error_of_a_crawl_in_which_every_feed_failed_reads_right_for_one_feed() -> None:
    from monitor.ingest.crawl import nothing_collected
    from monitor.records import CrawlSummary

    one = CrawlSummary(feeds_total=1, feeds_failed=1, failures=(("A", "HTTP 503"),))
    assert str(nothing_collected(one)) == "the one feed failed, nothing was collected (A: HTTP 503)"
    two = CrawlSummary(feeds_total=2, feeds_failed=2, failures=(("A", "HTTP 503"), ("B", "timed out")))
    assert str(nothing_collected(two)) == "all 2 feeds failed, nothing was collected (first: A: HTTP 503)"
