"""Links and redirects from feed content may not reach private networks (except the feed's own host)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from monitor.config import load_config
from monitor.ingest.crawl import run_crawl
from monitor.store.tables import Article
from tests.conftest import Response, Site, serve
from tests.feedkit import Item, page, rss, sample_texts

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CRAWL = {"host_delay": 0, "extract_workers": 0, "timeouts": {"connect": 2, "read": 5, "total": 10}}


@pytest.fixture
def other():
    """A second server on another loopback address: an internal service the feed should not reach."""
    internal = Site()
    server, thread = serve(internal, host="127.0.0.2")
    try:
        yield internal
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def crawl(engine, write_config, feed_url: str, **crawl):
    config = load_config(write_config({"feeds": [{"name": "feed", "url": feed_url}], "crawl": {**CRAWL, **crawl}}))
    run_crawl(engine, config, now=NOW)
    with Session(engine) as s:
        return {a.title: a for a in s.exec(select(Article))}


def publish(site, other, internal_link: str) -> None:
    text = sample_texts()[0]
    site.add("/own.html", page("Own page", text))
    other.add("/secret.html", page("Internal", text))
    site.routes["/moved.html"] = Response(b"", status=302, headers={"Location": other.url("/secret.html")})
    items = [
        Item("Own host", "/own.html", summary="own", published=NOW),
        Item("Other loopback", internal_link, summary="teaser", published=NOW),
        Item("Redirected inside", "/moved.html", summary="teaser", published=NOW),
    ]
    site.add("/feed.xml", rss(items))


def test_links_to_other_private_addresses_are_refused_with_a_reason(site, other, sqlite_engine, write_config):
    publish(site, other, other.url("/secret.html"))
    articles = crawl(sqlite_engine, write_config, site.url("/feed.xml"))
    assert articles["Own host"].status == "extracted", "an intranet feed may link to its own host"
    for title in ("Other loopback", "Redirected inside"):
        refused = articles[title]
        assert refused.status == "summary_only" and refused.text == "teaser"
        assert refused.error.startswith("refused:") and "address" in refused.error, refused.error
    assert "loopback" in articles["Other loopback"].error
    assert other.count("/secret.html") == 0, "nothing was sent to the internal service"


def test_a_host_name_that_resolves_to_a_private_address_is_refused(site, other, sqlite_engine, write_config):
    # The feed lives on 127.0.0.2; "localhost" resolves to another loopback address.
    site.add("/page.html", page("Internal", sample_texts()[0]))
    port = site.base.rsplit(":", 1)[1]
    other.add("/feed.xml", rss([Item("By name", f"http://localhost:{port}/page.html", summary="teaser", published=NOW)]))
    articles = crawl(sqlite_engine, write_config, other.url("/feed.xml"))
    assert articles["By name"].error.startswith("refused: localhost is a loopback address")
    assert site.count("/page.html") == 0


def test_allowed_private_networks_are_fetched(site, other, sqlite_engine, write_config):
    publish(site, other, other.url("/secret.html"))
    articles = crawl(sqlite_engine, write_config, site.url("/feed.xml"), allow_private_networks=["127.0.0.2/32"])
    assert articles["Other loopback"].status == "extracted"
    assert articles["Redirected inside"].status == "extracted"


@pytest.mark.parametrize(("address", "kind"), [
    ("169.254.169.254", "link-local"), ("10.1.2.3", "private"), ("192.168.0.1", "private"), ("::1", "loopback"),
    ("fd00:ec2::254", "private"), ("::ffff:127.0.0.1", "loopback"), ("224.0.0.1", "multicast"),
    ("100.64.0.1", "non-public"), ("0.0.0.0", "unspecified"),
])
def test_non_public_addresses_are_named(address, kind):
    from monitor.fetch.guard import LinkPolicy

    reason = LinkPolicy("feed.example.org").refusal("internal.example", [address])
    assert reason is not None and f"a {kind} address" in reason
    assert LinkPolicy("feed.example.org").refusal("news.example", ["93.184.216.34", "2606:2800:220:1::1"]) is None
    assert LinkPolicy("Internal.Example.").refusal("internal.example", [address]) is None


def test_credentials_in_a_link_are_never_sent(site, sqlite_engine, write_config):
    site.add("/creds.html", page("Creds", sample_texts()[1]))
    host = site.base.removeprefix("http://")
    site.add("/feed.xml", rss([Item("Creds", f"http://user:secret@{host}/creds.html", published=NOW)]))
    articles = crawl(sqlite_engine, write_config, site.url("/feed.xml"))
    assert articles["Creds"].status == "extracted" and "secret" not in articles["Creds"].url
    sent = [headers for _, path, headers in site.requests if path == "/creds.html"]
    assert sent and not any("Authorization" in h or "authorization" in h for h in sent)
