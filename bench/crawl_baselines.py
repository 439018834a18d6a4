"""Baselines for the crawl benchmark: the naive loop, the 2-process extraction limit, HTTP client CPU.

``python bench/crawl_baselines.py client {aiohttp,httpx} URL REQUESTS CONCURRENCY`` runs one
client measurement in a fresh process and prints its CPU milliseconds per request.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_pages import page_html, page_url
from crawl_procs import machine_busy

# --- (a) the naive sequential loop ------------------------------------------------------------


def naive_loop(feed_urls: list[str]) -> tuple[int, float]:
    """feedparser.parse(url), then fetch and extract each item in turn. Returns (articles, seconds)."""
    import urllib.request

    import feedparser
    import trafilatura

    started = time.perf_counter()
    articles = 0
    for url in feed_urls:
        for entry in feedparser.parse(url).entries:
            with urllib.request.urlopen(entry.link, timeout=30) as resp:
                html = resp.read()
            if trafilatura.extract(html):
                articles += 1
    return articles, time.perf_counter() - started


# --- (b) the extraction limit -------------------------------------------------------------------


def _page(key: tuple[int, int, int]) -> tuple[bytes, str]:
    feed, item, port = key
    return page_html(feed, item, port), page_url(feed, item, port)


def _plain_extract(page: tuple[bytes, str]) -> int:
    import trafilatura

    return len(trafilatura.extract(page[0], url=page[1]) or "")


def _crawl_work(page: tuple[bytes, str]) -> int:
    """What a crawl worker does per page: extract_page, then the MinHash signature."""
    from monitor.dedupe import text as fingerprint
    from monitor.extract.page import extract_page

    extracted = extract_page(page[0], page[1])
    fingerprint.minhash(extracted.text, 5)
    return len(extracted.text)


def _warm(_: int) -> None:
    import trafilatura  # noqa: F401
    from monitor.dedupe import text  # noqa: F401
    from monitor.extract import page

    page.extract_page(page_html(0, 0, 1), page_url(0, 0, 1))


def sample_pages(feeds: int, items: int, port: int, count: int) -> list[tuple[bytes, str]]:
    """``count`` pages spread over the network, as the crawl receives them (pre-fetched bytes)."""
    keys = [(f, i, port) for f in range(feeds) for i in range(items)]
    step = max(1, len(keys) // count)
    return [_page(k) for k in keys[::step][:count]]


@dataclass(frozen=True)
class Rate:
    pages_per_second: float
    cpu_ms_per_page: float  # in the workers, excluding pickling and queueing
    machine_busy: float  # share of all cores busy during the measurement (other users included)


def _timed(func: Callable[[tuple[bytes, str]], int], page: tuple[bytes, str]) -> tuple[int, float]:
    started = time.process_time()
    size = func(page)
    return size, time.process_time() - started


def extraction_rate(pages: list[tuple[bytes, str]], work: str, workers: int = 2) -> Rate:
    """Pages per second through ``workers`` warmed-up processes (``work``: "extract" or "crawl")."""
    func = partial(_timed, _plain_extract if work == "extract" else _crawl_work)
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_warm, range(workers * 2)))
        started, busy = time.perf_counter(), machine_busy()
        results = list(pool.map(func, pages, chunksize=4))
        seconds, busy = time.perf_counter() - started, machine_busy() - busy
    assert all(size for size, _ in results), "every benchmark page must yield text"
    cpu = sum(c for _, c in results)
    return Rate(len(pages) / seconds, 1000 * cpu / len(pages), busy / (seconds * (os.cpu_count() or 1)))


# --- HTTP client CPU per request ---------------------------------------------------------------------


def client_cpu_ms(client: str, url: str, requests: int, concurrency: int) -> float:
    """CPU ms per request of ``client`` in a fresh process (so imports and other work do not count)."""
    args = [sys.executable, str(Path(__file__).resolve()), "client", client, url, str(requests), str(concurrency)]
    out = subprocess.run(args, capture_output=True, text=True, check=True, timeout=600)
    return json.loads(out.stdout)["cpu_ms"]


async def _aiohttp_run(url: str, requests: int, concurrency: int) -> int:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def one() -> int:
            async with session.get(url) as resp:
                return len(await resp.read())

        return await _gather(one, requests, concurrency)


async def _httpx_run(url: str, requests: int, concurrency: int) -> int:
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        async def one() -> int:
            resp = await client.get(url)
            return len(resp.content)

        return await _gather(one, requests, concurrency)


async def _gather(one, requests: int, concurrency: int) -> int:  # type: ignore[no-untyped-def]
    gate = asyncio.Semaphore(concurrency)

    async def bounded() -> int:
        async with gate:
            return await one()

    sizes = await asyncio.gather(*(bounded() for _ in range(requests)))
    return sum(sizes)


def _client_main(client: str, url: str, requests: int, concurrency: int) -> None:
    run = _aiohttp_run if client == "aiohttp" else _httpx_run
    asyncio.run(run(url, concurrency, concurrency))  # warm-up: imports, connections, first-call costs
    before = os.times()
    total = asyncio.run(run(url, requests, concurrency))
    after = os.times()
    cpu = (after.user - before.user) + (after.system - before.system)
    print(json.dumps({"cpu_ms": cpu * 1000 / requests, "bytes": total}))


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "client":
        _client_main(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit(__doc__)
