"""The fetcher alone: monitor's own Fetcher, default crawl settings, every page of the network, no extraction.

Separates network scheduling (global and per-host limits, host spacing) from CPU:
its rate is the most the crawl could reach with free CPU.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_pages import page_url


@dataclass(frozen=True)
class FetchRun:
    pages: int
    seconds: float
    first_host_done: float
    median_host_done: float

    @property
    def rate(self) -> float:
        return self.pages / self.seconds


def fetch_only(feed_urls: list[str], items: int, port: int, crawl: dict[str, object]) -> FetchRun:
    """Each feed, then its pages, all hosts at once (as a crawl schedules them)."""
    from monitor.config import CrawlConfig
    from monitor.fetch.http import Fetcher

    async def run() -> FetchRun:
        async with Fetcher(CrawlConfig(**crawl)) as fetcher:
            started = time.perf_counter()

            async def site(feed: int) -> tuple[int, float]:
                await fetcher.get_feed(feed_urls[feed])
                pages = await asyncio.gather(*(fetcher.get_page(page_url(feed, i, port)) for i in range(items)))
                return sum(1 for p in pages if p.ok), time.perf_counter() - started

            done = await asyncio.gather(*(site(f) for f in range(len(feed_urls))))
            seconds = time.perf_counter() - started
        ends = sorted(end for _, end in done)
        return FetchRun(sum(ok for ok, _ in done), seconds, ends[0], statistics.median(ends))

    return asyncio.run(run())
