"""End-to-end crawl against loopback feeds and pages: storage, sources, dedupe, conditional GET."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from monitor.config import load_config
from monitor.ingest.crawl import run_crawl
from monitor.store.export import iter_articles
from monitor.store.tables import Article, ArticleSource, Feed, FetchLog
from tests.feedkit import Item, page, rss, sample_texts

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
FAST = {"host_delay": 0, "extract_workers": 0, "timeouts": {"connect": 2, "read": 2, "total": 5}}


def make_config(write_config, feeds, **crawl):
    return load_config(write_config({"feeds": feeds, "crawl": {**FAST, **crawl}}))


def publish_samples(site):
    """Two real articles as pages, and a feed listing them."""
    texts = sample_texts()
    titles = ["Sberbank to work with Chinese researchers on AI", "Putin orders AI cooperation with China"]
    items = []
    for i, (title, text) in enumerate(zip(titles, texts, strict=True)):
        site.add(f"/news/{i}.html", page(title, text, date="2025-03-01T10:00:00Z"))
        items.append(Item(title, site.url(f"/news/{i}.html?utm_source=rss"), summary=text[:200],
                          published=NOW - timedelta(hours=5 + i)))
    return items


def articles(engine):
    with Session(engine) as s:
        return list(s.exec(select(Article).order_by(Article.id)))


def test_crawl_stores_extracted_articles_with_metadata(site, engine, write_config):
    items = publish_samples(site)
    site.add("/feed.xml", rss(items), headers={"Content-Type": "application/rss+xml; charset=utf-8"})
    config = make_config(write_config, [{"name": "Fixture", "url": site.url("/feed.xml"), "language": "en"}],
                         extract_workers=1)
    summary = run_crawl(engine, config, now=NOW)
    assert summary.articles_new == 2 and summary.articles_extracted == 2 and summary.feeds_failed == 0
    rows = articles(engine)
    assert {r.status for r in rows} == {"extracted"}
    first = next(r for r in rows if r.canonical_url.endswith("/news/0.html"))
    assert "utm_source" not in first.canonical_url and "utm_source" in first.url
    assert "Vedyakhin" in first.text and "Image credit" not in first.title
    assert first.language == "en"
    assert first.published_at == NOW - timedelta(hours=5) and first.published_source == "feed"
    assert first.fetched_at == NOW and len(first.content_hash) == 64 and first.minhash


def test_same_item_in_two_feeds_is_one_article_with_two_sources(site, engine, write_config):
    items = publish_samples(site)
    site.add("/a.xml", rss(items))
    variant = [Item(i.title, i.link.replace("?utm_source=rss", "#comments").replace("127.0.0.1", "127.0.0.1"), i.summary,
                    i.published) for i in items]
    site.add("/b.xml", rss(variant))
    config = make_config(write_config, [{"name": "A", "url": site.url("/a.xml")}, {"name": "B", "url": site.url("/b.xml")}])
    summary = run_crawl(engine, config, now=NOW)
    assert summary.articles_new == 2
    assert site.count("/news/0.html") == 1 and site.count("/news/1.html") == 1
    with Session(engine) as s:
        sources = s.exec(select(ArticleSource)).all()
    assert len(sources) == 4
    assert {len([x for x in sources if x.article_id == a.id]) for a in articles(engine)} == {2}


def test_unchanged_feed_costs_no_parse_and_known_pages_are_not_refetched(site, engine, write_config):
    items = publish_samples(site)
    site.add("/feed.xml", rss(items), etag='"v1"')
    config = make_config(write_config, [{"name": "F", "url": site.url("/feed.xml")}])
    run_crawl(engine, config, now=NOW)
    second = run_crawl(engine, config, now=NOW + timedelta(hours=2))
    assert second.feeds_not_modified == 1 and second.articles_new == 0
    assert site.requests[-1][2].get("If-None-Match") == '"v1"'
    # The feed changes (new ETag) but lists the same articles: no page is fetched again.
    site.add("/feed.xml", rss(items), etag='"v2"')
    third = run_crawl(engine, config, now=NOW + timedelta(hours=4))
    assert third.feeds_ok == 1 and third.articles_new == 0
    assert site.count("/news/0.html") == 1
    with Session(engine) as s:
        outcomes = [log.outcome for log in s.exec(select(FetchLog).where(FetchLog.kind == "feed").order_by(FetchLog.id))]
    assert outcomes == ["ok", "not_modified", "ok"]


def test_feed_not_due_is_skipped_unless_named(site, engine, write_config):
    site.add("/feed.xml", rss(publish_samples(site)))
    config = make_config(write_config, [{"name": "F", "url": site.url("/feed.xml"), "poll_minutes": 60}])
    run_crawl(engine, config, now=NOW)
    assert run_crawl(engine, config, now=NOW + timedelta(minutes=10)).feeds_total == 0
    assert run_crawl(engine, config, now=NOW + timedelta(minutes=10), feeds=["F"]).feeds_total == 1
    assert run_crawl(engine, config, now=NOW + timedelta(minutes=71)).feeds_total == 1


def test_exact_and_near_duplicates_are_linked_not_lost(site, engine, write_config):
    text = sample_texts()[0]
    edited = text.replace("confirmed the partnership", "has confirmed the partnership").replace(
        "Image credit: The Byteline", "Photo: agency"
    )
    site.add("/orig.html", page("Sberbank and DeepSeek", text))
    site.add("/copy.html", page("Sberbank and DeepSeek", text, site="Syndication Partner"))
    site.add("/near.html", page("Sberbank teams up with Chinese AI researchers", edited))
    site.add("/other.html", page("Unrelated", sample_texts()[1]))
    feed = [Item("Original", site.url("/orig.html"), published=NOW - timedelta(hours=3)),
            Item("Copy", site.url("/copy.html"), published=NOW - timedelta(hours=2)),
            Item("Near copy", site.url("/near.html"), published=NOW - timedelta(hours=1)),
            Item("Other", site.url("/other.html"), published=NOW - timedelta(hours=1))]
    site.add("/feed.xml", rss(feed))
    # One worker in order, so "original" is deterministic.
    config = make_config(write_config, [{"name": "F", "url": site.url("/feed.xml")}], concurrency=1)
    run_crawl(engine, config, now=NOW)
    rows = {r.canonical_url.rsplit("/", 1)[-1]: r for r in articles(engine)}
    assert len(rows) == 4
    originals = [r for r in rows.values() if r.duplicate_of is None]
    assert {r.canonical_url.rsplit("/", 1)[-1] for r in originals} >= {"other.html"}
    dupes = [r for r in rows.values() if r.duplicate_of is not None]
    assert len(dupes) == 2
    root = next(r for r in rows.values() if r.id == dupes[0].duplicate_of)
    assert all(d.duplicate_of == root.id for d in dupes)
    assert {d.duplicate_kind for d in dupes} == {"exact", "near"}
    assert rows["other.html"].duplicate_of is None


def test_export_jsonl_and_csv(site, engine, write_config, tmp_path):
    site.add("/feed.xml", rss(publish_samples(site)))
    config = make_config(write_config, [{"name": "F", "url": site.url("/feed.xml")}])
    run_crawl(engine, config, now=NOW)
    records = list(iter_articles(engine))
    assert len(records) == 2
    required = {"url", "canonical_url", "feed", "title", "published", "fetched", "language", "text", "status",
                "duplicate_of", "topic_id", "topic_name", "story_id"}
    assert required <= set(records[0])
    assert records[0]["feed"] == "F" and records[0]["topic_id"] is None
    assert json.loads(json.dumps(records[0]))["canonical_url"].startswith("http://127.0.0.1")
    assert list(iter_articles(engine, since=NOW + timedelta(days=1))) == []


def test_feed_row_records_validators_and_health(site, engine, write_config):
    site.add("/feed.xml", rss(publish_samples(site)), headers={"Last-Modified": "Wed, 18 Nov 2026 10:00:00 GMT"})
    config = make_config(write_config, [{"name": "F", "url": site.url("/feed.xml"), "poll_minutes": 30}])
    run_crawl(engine, config, now=NOW)
    with Session(engine) as s:
        feed = s.exec(select(Feed)).one()
    assert feed.last_modified == "Wed, 18 Nov 2026 10:00:00 GMT"
    assert feed.last_status == 200 and feed.consecutive_failures == 0
    assert feed.next_due_at == NOW + timedelta(minutes=30)
    assert feed.lease_owner is None


@pytest.mark.parametrize("workers", [2])
def test_process_pool_extraction_matches_inline(site, engine, write_config, workers):
    site.add("/feed.xml", rss(publish_samples(site)))
    config = make_config(write_config, [{"name": "F", "url": site.url("/feed.xml")}], extract_workers=workers)
    summary = run_crawl(engine, config, now=NOW)
    assert summary.articles_extracted == 2


def test_page_metadata_is_read_only_for_what_the_feed_entry_lacks(site, engine, write_config):
    """The feed's title, date and author win over the page's, so a complete entry costs the page's text only;
    an entry without a date still gets the page's date."""
    text = sample_texts()[0]
    site.add("/news/full.html", page("Sberbank and DeepSeek", text, date="2025-03-01T10:00:00Z"))
    site.add("/news/bare.html", page("Sberbank and DeepSeek", text.replace("Sberbank", "Sber"),
                                      date="2025-03-01T10:00:00Z"))
    items = [Item("Sberbank and DeepSeek", site.url("/news/full.html"), published=NOW - timedelta(hours=3),
                  author="Anna Petrova"),
             Item("Sber and DeepSeek", site.url("/news/bare.html"))]
    site.add("/feed.xml", rss(items))
    config = make_config(write_config, [{"name": "F", "url": site.url("/feed.xml")}], extract_workers=1)
    run_crawl(engine, config, now=NOW)
    full, bare = sorted(articles(engine), key=lambda a: not a.canonical_url.endswith("/full.html"))
    assert full.status == bare.status == "extracted"
    assert full.published_source == "feed" and full.authors == ["Anna Petrova"]
    assert full.site_name is None  # the page's metadata was not read
    assert bare.published_source == "page" and bare.published_at == datetime(2025, 3, 1, tzinfo=UTC)
    assert bare.site_name == "Fixture News" and bare.authors == ["Staff Reporter"]
