"""Per-host politeness, measured where it matters: when requests arrive at the server."""

from __future__ import annotations

import asyncio
import time

from monitor.config import CrawlConfig
from monitor.fetch.http import Fetcher
from tests.conftest import Response
from tests.feedkit import page, sample_texts

DELAY = 0.5


def test_requests_to_one_host_start_apart_even_after_waiting_for_a_global_slot(site):
    """One global slot, held for a while by a slow page on another host name (the same server):
    the queued requests to the first host must still arrive at least ``host_delay`` apart."""
    arrivals: list[tuple[str, float]] = []
    body = page("Story", sample_texts()[0])

    def record(handler) -> Response:
        arrivals.append((handler.path, time.monotonic()))
        return Response(body, delay=1.5 if handler.path == "/slow.html" else 0)

    for path in ("/a1.html", "/a2.html", "/a3.html", "/a4.html", "/slow.html"):
        site.routes[path] = record
    other_host = site.base.replace("127.0.0.1", "localhost")
    config = CrawlConfig(concurrency=1, per_host=2, host_delay=DELAY, respect_robots=False)

    async def crawl() -> None:
        async with Fetcher(config) as fetcher:
            urls = [site.url("/a1.html"), other_host + "/slow.html",
                    site.url("/a2.html"), site.url("/a3.html"), site.url("/a4.html")]
            results = await asyncio.gather(*(fetcher.get_page(url) for url in urls))
        assert all(r.ok for r in results), [r.error for r in results]

    asyncio.run(crawl())
    starts = sorted(t for path, t in arrivals if path.startswith("/a"))
    assert len(starts) == 4
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= DELAY * 0.95, gaps


def test_a_robots_crawl_delay_spaces_the_hosts_pages(site):
    """``Crawl-delay: 1`` in robots.txt is a per-host minimum above the configured spacing."""
    arrivals: list[float] = []
    body = page("Story", sample_texts()[0])

    def record(handler) -> Response:
        arrivals.append(time.monotonic())
        return Response(body)

    site.add("/robots.txt", "User-agent: *\nCrawl-delay: 1\nAllow: /\n", headers={"Content-Type": "text/plain"})
    for path in ("/b1.html", "/b2.html", "/b3.html"):
        site.routes[path] = record
    config = CrawlConfig(concurrency=4, per_host=2, host_delay=0.05)

    async def crawl() -> None:
        async with Fetcher(config) as fetcher:
            results = await asyncio.gather(*(fetcher.get_page(site.url(p)) for p in ("/b1.html", "/b2.html", "/b3.html")))
        assert all(r.ok for r in results), [r.error for r in results]

    asyncio.run(crawl())
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    assert len(arrivals) == 3 and min(gaps) >= 0.95, gaps
