"""The junk real feeds serve: each case is recorded on its feed or article and the crawl goes on."""

from __future__ import annotations

import gzip
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from monitor.config import load_config
from monitor.ingest.crawl import run_crawl
from monitor.store.tables import Article, Feed
from tests.conftest import Response
from tests.feedkit import Item, page, rss, sample_texts

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CRAWL = {"host_delay": 0, "extract_workers": 0, "timeouts": {"connect": 1, "read": 1, "total": 3}}


def crawl(site, engine, write_config, feeds, **crawl_overrides):
    """Crawl the given {name: path} feeds plus one healthy feed; return (summary, feed rows, articles)."""
    text = sample_texts()[0]
    site.add("/good/article.html", page("Sberbank and DeepSeek", text))
    site.add("/good.xml", rss([Item("Good", site.url("/good/article.html"), published=NOW - timedelta(hours=1))]))
    entries = [{"name": name, "url": site.url(path)} for name, path in feeds.items()]
    entries.append({"name": "healthy", "url": site.url("/good.xml")})
    config = load_config(write_config({"feeds": entries, "crawl": {**CRAWL, **crawl_overrides}}))
    summary = run_crawl(engine, config, now=NOW)
    with Session(engine) as s:
        rows = {f.name: f for f in s.exec(select(Feed))}
        arts = list(s.exec(select(Article).order_by(Article.id)))
    assert rows["healthy"].last_outcome == "ok", "a bad feed must not stop the healthy one"
    assert any(a.canonical_url.endswith("/good/article.html") for a in arts)
    return summary, rows, arts


def failed_with(rows, name, fragment):
    feed = rows[name]
    assert feed.last_outcome == "error", (feed.last_outcome, feed.last_error)
    assert feed.consecutive_failures == 1
    assert fragment.lower() in (feed.last_error or "").lower(), feed.last_error
    return feed


def test_malformed_xml_still_yields_what_it_can(site, sqlite_engine, write_config):
    body = rss([Item("One", site.url("/good/article.html"), published=NOW)]).replace(b"</channel></rss>", b"<item><title>broken")
    site.add("/broken.xml", body)
    summary, rows, _ = crawl(site, sqlite_engine, write_config, {"broken": "/broken.xml"})
    assert rows["broken"].last_outcome == "ok"  # feedparser's loose parser recovers the good entry
    assert summary.feeds_failed == 0


def test_garbage_is_not_a_feed(site, sqlite_engine, write_config):
    site.add("/garbage.xml", b"\x00\x01 this is \xff not xml at all {{{", headers={"Content-Type": "application/xml"})
    _, rows, _ = crawl(site, sqlite_engine, write_config, {"garbage": "/garbage.xml"})
    failed_with(rows, "garbage", "not")


@pytest.mark.parametrize("declare", [True, False])
def test_wrong_or_missing_encoding_declaration(site, sqlite_engine, write_config, declare):
    title = "Сбербанк и DeepSeek: сотрудничество в области ИИ"
    items = [Item(title, site.url("/good/article.html"), summary="Россия и Китай", published=NOW)]
    body = rss(items, encoding="windows-1251", declare=False)
    if declare:  # declared as UTF-8 in the document, served as windows-1251 in the header
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + body
    site.add("/cp1251.xml", body, headers={"Content-Type": "application/rss+xml; charset=windows-1251"})
    _, rows, arts = crawl(site, sqlite_engine, write_config, {"cp1251": "/cp1251.xml"})
    assert rows["cp1251"].last_outcome == "ok"
    assert any(a.title == title for a in arts) or any(
        s == title for s in _source_titles(sqlite_engine)
    ), "Cyrillic decoded from the header's charset"


def _source_titles(engine):
    from monitor.store.tables import ArticleSource

    with Session(engine) as s:
        return [x.entry_title for x in s.exec(select(ArticleSource))]


def test_html_served_instead_of_a_feed(site, sqlite_engine, write_config):
    site.add("/page-not-feed", page("Home", "Welcome to our site " * 30))
    _, rows, _ = crawl(site, sqlite_engine, write_config, {"html": "/page-not-feed"})
    failed_with(rows, "html", "HTML page")


def test_empty_body(site, sqlite_engine, write_config):
    site.add("/empty.xml", b"", headers={"Content-Type": "application/rss+xml"})
    _, rows, _ = crawl(site, sqlite_engine, write_config, {"empty": "/empty.xml"})
    failed_with(rows, "empty", "empty")


@pytest.mark.parametrize("status", [404, 410, 500])
def test_http_errors_back_off(site, sqlite_engine, write_config, status):
    site.add("/status.xml", b"nope", status=status)
    _, rows, _ = crawl(site, sqlite_engine, write_config, {"status": "/status.xml"})
    feed = failed_with(rows, "status", f"HTTP {status}")
    assert feed.last_status == status
    assert feed.next_due_at > NOW + timedelta(minutes=30), "a failing feed backs off beyond its poll interval"


def test_failing_feed_backoff_grows_and_resets(site, sqlite_engine, write_config):
    site.add("/flaky.xml", b"down", status=503)
    config = load_config(write_config({"feeds": [{"name": "flaky", "url": site.url("/flaky.xml"), "poll_minutes": 10}],
                                       "crawl": CRAWL}))
    delays = []
    when = NOW
    for _ in range(3):
        run_crawl(sqlite_engine, config, now=when)
        with Session(sqlite_engine) as s:
            feed = s.exec(select(Feed)).one()
        delays.append(feed.next_due_at - when)
        when = feed.next_due_at
    assert delays == [timedelta(minutes=20), timedelta(minutes=40), timedelta(minutes=80)]
    site.add("/flaky.xml", rss([]))
    run_crawl(sqlite_engine, config, now=when)
    with Session(sqlite_engine) as s:
        feed = s.exec(select(Feed)).one()
    assert feed.consecutive_failures == 0 and feed.next_due_at - when == timedelta(minutes=10)


def test_server_that_hangs_times_out(site, sqlite_engine, write_config):
    site.add("/hang.xml", rss([]), delay=4)
    started = time.monotonic()
    _, rows, _ = crawl(site, sqlite_engine, write_config, {"hang": "/hang.xml"})
    failed_with(rows, "hang", "timed out")
    assert time.monotonic() - started < 30


def test_body_over_the_cap_plain_and_gzip(site, sqlite_engine, write_config):
    big = rss([Item("x" * 100, f"http://example.org/{i}") for i in range(3000)])
    site.add("/big.xml", big)
    bomb = gzip.compress(b"<rss>" + b" " * (20 * 1024 * 1024) + b"</rss>")
    site.add("/bomb.xml", bomb, headers={"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"})
    limit = 200_000
    assert len(big) > limit and len(bomb) < limit
    _, rows, _ = crawl(site, sqlite_engine, write_config, {"big": "/big.xml", "bomb": "/bomb.xml"}, feed_max_bytes=limit)
    failed_with(rows, "big", f"larger than {limit}")
    failed_with(rows, "bomb", f"larger than {limit}")


def test_redirect_loop(site, sqlite_engine, write_config):
    site.routes["/loop-a"] = Response(b"", status=302, headers={"Location": "/loop-b"})
    site.routes["/loop-b"] = Response(b"", status=302, headers={"Location": "/loop-a"})
    _, rows, _ = crawl(site, sqlite_engine, write_config, {"loop": "/loop-a"})
    failed_with(rows, "loop", "redirect")


def test_redirect_is_followed(site, sqlite_engine, write_config):
    site.routes["/moved.xml"] = Response(b"", status=301, headers={"Location": "/good.xml"})
    _, rows, _ = crawl(site, sqlite_engine, write_config, {"moved": "/moved.xml"})
    assert rows["moved"].last_outcome == "ok"


def test_feed_with_ten_thousand_entries(site, sqlite_engine, write_config):
    items = [Item(f"Item {i}", f"/articles/{i}.html", published=NOW - timedelta(minutes=i)) for i in range(10_000)]
    site.add("/huge.xml", rss(items), etag='"v1"')
    summary, rows, arts = crawl(site, sqlite_engine, write_config, {"huge": "/huge.xml"}, max_entries_per_feed=50)
    assert rows["huge"].last_outcome == "ok"
    huge = [a for a in arts if "/articles/" in a.canonical_url]
    assert len(huge) == 50, "the newest entries up to the per-feed cap"
    assert {a.canonical_url.rsplit("/", 1)[-1] for a in huge} == {f"{i}.html" for i in range(50)}
    assert all(a.status == "summary_only" and a.text for a in huge), "404 pages keep the feed's summary"
    assert summary.backlog == (("huge", 9_950),)
    assert rows["huge"].etag is None and rows["huge"].next_due_at == NOW, \
        "due again at once, and fetched in full: the rest of the feed must not come back as 'not modified'"


def test_a_long_feed_is_worked_through_at_the_next_crawls(site, sqlite_engine, write_config):
    """Nothing beyond the per-crawl cap is lost: each crawl takes the newest entries not yet stored, undated
    ones in the feed's order, until the feed holds no new entry and keeps its validators again."""
    items = [Item(f"Item {i}", f"/long/{i}.html", published=NOW - timedelta(minutes=i)) for i in range(5)]
    items += [Item(f"Undated {i}", f"/long/u{i}.html") for i in range(2)]
    site.add("/long.xml", rss(items), etag='"v1"')
    stored, backlogs = [], []
    for _ in range(4):
        summary, rows, arts = crawl(site, sqlite_engine, write_config, {"long": "/long.xml"}, max_entries_per_feed=3)
        backlogs.append(summary.backlog)
        stored.append([a.canonical_url.rsplit("/", 1)[-1] for a in arts if "/long/" in a.canonical_url])
    assert backlogs == [(("long", 4),), (("long", 1),), (), ()]
    assert [set(s) for s in stored[:3]] == [
        {"0.html", "1.html", "2.html"}, {f"{i}.html" for i in range(5)} | {"u0.html"},
        {f"{i}.html" for i in range(5)} | {"u0.html", "u1.html"}]
    assert stored[3] == stored[2] and rows["long"].etag == '"v1"'


def test_missing_relative_and_unsafe_links_and_bad_dates(site, sqlite_engine, write_config):
    site.add("/rel/story.html", page("Relative", sample_texts()[1]))
    items = [
        Item("No link", None, summary="nothing to fetch"),
        Item("Relative", "/rel/story.html", published=NOW - timedelta(hours=2)),
        Item("Script", "javascript:alert(1)"),
        Item("File", "file:///etc/passwd"),
        Item("Absurd past", "/rel/old.html", raw_date="Mon, 01 Jan 1900 00:00:00 GMT", summary="old"),
        Item("Absurd future", "/rel/future.html", raw_date="Fri, 01 Jan 2100 00:00:00 GMT", summary="future"),
        Item("Nonsense date", "/rel/nonsense.html", raw_date="yesterday-ish", summary="what"),
    ]
    site.add("/links.xml", rss(items))
    _, rows, arts = crawl(site, sqlite_engine, write_config, {"links": "/links.xml"})
    by_path = {a.canonical_url.split("127.0.0.1", 1)[-1].split("/", 1)[-1]: a for a in arts}
    assert "rel/story.html" in by_path and by_path["rel/story.html"].status == "extracted"
    assert not any("passwd" in a.url or a.url.startswith("javascript") for a in arts)
    for path in ("rel/old.html", "rel/future.html", "rel/nonsense.html"):
        article = by_path[path]
        assert article.published_at == NOW and article.published_source == "fetch"
    assert len([a for a in arts if "/rel/" in a.url]) == 4


def test_entity_expansion_payload_is_harmless(site, sqlite_engine, write_config):
    lol = "".join(f'<!ENTITY lol{i} "{"&lol%d;" % (i - 1) * 10}">' for i in range(1, 10))
    payload = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol0 "lol">{lol}'
        '<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        '<rss version="2.0"><channel><title>&lol9;</title>'
        f'<item><title>&xxe;</title><link>{site.url("/good/article.html")}</link></item></channel></rss>'
    ).encode()
    site.add("/lol.xml", payload)
    started = time.monotonic()
    _, rows, arts = crawl(site, sqlite_engine, write_config, {"lol": "/lol.xml"})
    assert time.monotonic() - started < 30
    assert rows["lol"].last_outcome in ("ok", "error")
    assert not any("root:" in (a.title + (a.summary or "") + (a.text or "")) for a in arts)
    assert not any("lollollol" in a.title for a in arts)


def test_article_pages_that_404_or_are_not_html_keep_the_summary(site, sqlite_engine, write_config):
    site.add("/doc.pdf", b"%PDF-1.4 binary", headers={"Content-Type": "application/pdf"})
    items = [
        Item("Missing page", "/gone.html", summary="Export controls on chips tightened, officials said.", published=NOW),
        Item("A PDF", "/doc.pdf", summary="The regulation text.", published=NOW),
        Item("Thin page", "/thin.html", summary="Summary of a thin page.", published=NOW),
    ]
    site.add("/thin.html", "<html><body><p>Subscribe!</p></body></html>")
    site.add("/pages.xml", rss(items))
    _, _, arts = crawl(site, sqlite_engine, write_config, {"pages": "/pages.xml"})
    by_title = {a.title: a for a in arts}
    assert by_title["Missing page"].status == "summary_only" and "HTTP 404" in by_title["Missing page"].error
    assert by_title["Missing page"].text.startswith("Export controls")
    assert "not an HTML page" in by_title["A PDF"].error and by_title["A PDF"].text == "The regulation text."
    assert by_title["Thin page"].status == "summary_only" and "no article text" in by_title["Thin page"].error


def test_a_thin_page_without_a_feed_summary_keeps_its_brief_but_not_a_notice(site, sqlite_engine, write_config):
    """Under extraction's minimum a page is thin and the feed's summary stands in for it; when the feed gives
    none, a wire brief's own sentence is kept rather than lost, while a notice (too short, or about nothing
    the headline names) falls back to the headline."""
    brief = "The Commerce Department added Acme Semiconductor to the Entity List on Monday, citing diversion."
    notice = "Chat with us in Facebook Messenger. Find out what is happening in the world as it unfolds."
    items = [
        Item("US lists Acme Semiconductor", "/brief.html", published=NOW),
        Item("Paywalled story", "/short.html", published=NOW),
        Item("Japan tightens chip export rules", "/notice.html", published=NOW),
    ]
    site.add("/brief.html", page("US lists Acme Semiconductor", brief))
    site.add("/short.html", "<html><body><p>Subscribe to read.</p></body></html>")
    site.add("/notice.html", page("Japan tightens chip export rules", notice))
    site.add("/thin.xml", rss(items))
    _, _, arts = crawl(site, sqlite_engine, write_config, {"thin": "/thin.xml"})
    by_title = {a.title: a for a in arts if a.title in {i.title for i in items}}
    assert len(by_title) == 3
    assert all(a.status == "summary_only" and "no article text" in a.error for a in by_title.values())
    assert by_title["US lists Acme Semiconductor"].text == brief
    assert by_title["Paywalled story"].text == "Paywalled story"  # too short to say more than the headline
    assert by_title["Japan tightens chip export rules"].text == "Japan tightens chip export rules"  # not about it


def test_a_thin_page_keeps_its_text_across_the_extraction_workers() -> None:
    """Extraction runs in worker processes, so a thin page's text comes back pickled."""
    import pickle

    from monitor.errors import ExtractError, ThinPage

    back = pickle.loads(pickle.dumps(ThinPage("A brief of one sentence.")))
    assert isinstance(back, ExtractError) and back.text == "A brief of one sentence."
    assert str(back) == "no article text found on the page"


def test_robots_txt_is_honoured_for_pages(site, sqlite_engine, write_config):
    site.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"})
    site.add("/private/secret.html", page("Secret", sample_texts()[1]))
    site.add("/robots.xml", rss([Item("Secret", "/private/secret.html", summary="teaser", published=NOW)]))
    _, _, arts = crawl(site, sqlite_engine, write_config, {"robots": "/robots.xml"})
    secret = next(a for a in arts if a.title == "Secret")
    assert secret.status == "summary_only" and "robots.txt" in secret.error
    assert site.count("/private/secret.html") == 0


def test_robots_txt_wildcards_end_anchors_and_longest_match(site, sqlite_engine, write_config):
    """RFC 9309 rules the standard library gets wrong: ``/*.pdf$`` blocks PDFs, and a longer Allow
    inside a Disallowed folder wins."""
    site.add("/robots.txt", "User-agent: *\nDisallow: /*.pdf$\nDisallow: /private\nAllow: /private/news\n",
             headers={"Content-Type": "text/plain"})
    site.add("/docs/rule.pdf", page("Rule", sample_texts()[0]))
    site.add("/private/news/open.html", page("Open", sample_texts()[1]))
    site.add("/private/hidden.html", page("Hidden", sample_texts()[0]))
    site.add("/r.xml", rss([Item("Rule", "/docs/rule.pdf", summary="teaser", published=NOW),
                            Item("Open", "/private/news/open.html", summary="teaser", published=NOW),
                            Item("Hidden", "/private/hidden.html", summary="teaser", published=NOW)]))
    _, _, arts = crawl(site, sqlite_engine, write_config, {"r": "/r.xml"})
    by_title = {a.title: a for a in arts}
    assert site.count("/docs/rule.pdf") == 0 and "robots.txt" in by_title["Rule"].error
    assert site.count("/private/hidden.html") == 0 and "robots.txt" in by_title["Hidden"].error
    assert site.count("/private/news/open.html") == 1 and by_title["Open"].status == "extracted"
