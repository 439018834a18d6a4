"""What PostgreSQL refuses and SQLite accepts is bounded before the store: both store the same thing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from monitor.config import load_config
from monitor.ingest.crawl import run_crawl
from monitor.records import Article as ArticleRecord
from monitor.records import Entry
from monitor.store import ingest
from monitor.store.tables import Article, ArticleSource, Feed
from tests.feedkit import Item, page, rss, sample_texts

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CRAWL = {"host_delay": 0, "extract_workers": 0, "timeouts": {"connect": 1, "read": 3, "total": 5}}


def test_nul_and_control_characters_and_long_fields_are_bounded(engine):
    from monitor.config import FeedConfig

    ingest.sync_feeds(engine, [FeedConfig(name="f", url="http://127.0.0.1:9/f.xml")], NOW)
    with Session(engine) as s:
        feed_id = s.exec(select(Feed.id)).one()
    record = ArticleRecord(
        canonical_url="http://127.0.0.1:9/a", url="http://127.0.0.1:9/a", title="Chips\x00 deal\x07",
        summary="Sum\x00mary", text="Line one\x00\nLine\ttwo", status="extracted", fetched_at=NOW,
        published_at=NOW, published_source="feed", authors=("Ann\x00", "B" * 300), site_name="S" * 400,
        content_hash="h" * 64, error="bad\x00",
    )
    entry = Entry(url=record.url, title="Chips\x00 deal", guid="g\x00" * 1500)
    stored = ingest.store_article(engine, record, feed_id, entry, None, 0.8)
    assert stored.created
    with Session(engine) as s:
        article = s.exec(select(Article)).one()
        source = s.exec(select(ArticleSource)).one()
    assert (article.title, article.summary, article.text) == ("Chips deal", "Summary", "Line one\nLine\ttwo")
    assert article.authors[0] == "Ann" and len(article.authors[1]) == 200 and article.authors[1].endswith("…")
    assert len(article.site_name) == 300 and article.site_name.endswith("…") and article.error == "bad"
    assert source.entry_title == "Chips deal" and len(source.guid) <= 2000 and "\x00" not in source.guid


def test_long_validators_links_and_site_names_do_not_fail_a_feed(site, engine, write_config):
    site.add("/a.html", page("Fine", sample_texts()[0], site="N" * 400))
    long_link = "/" + "x" * 2100 + ".html"
    items = [Item("Fine", "/a.html", published=NOW), Item("Long link", long_link, summary="teaser", published=NOW)]
    site.add("/feed.xml", rss(items), headers={"ETag": '"' + "e" * 600 + '"'})
    config = load_config(write_config({"feeds": [{"name": "f", "url": site.url("/feed.xml")}], "crawl": CRAWL}))
    for when in (NOW, NOW + timedelta(hours=1)):
        summary = run_crawl(engine, config, now=when)
        assert summary.feeds_failed == 0, summary.failures
    with Session(engine) as s:
        feed = s.exec(select(Feed)).one()
        articles = {a.title: a for a in s.exec(select(Article))}
    assert feed.last_outcome == "ok" and feed.etag is None, "an over-long ETag is dropped, not stored cut"
    assert set(articles) == {"Fine"}, "the over-long link is skipped alone"
    assert articles["Fine"].status == "extracted" and len(articles["Fine"].site_name) == 300
    assert site.count(long_link) == 0
