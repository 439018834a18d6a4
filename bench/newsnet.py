"""A loopback news network in its own process: one site per loopback address.

Feed ``i`` and its article pages live on ``crawl_pages.host_address(i)`` (127.0.0.2,
127.0.0.3, ...), all on the same port. Every response waits ``--delay`` seconds
first (a news site's time to first byte). Feeds carry an ETag and answer 304 to a
matching If-None-Match. ``/_blob/<bytes>`` returns a body of that size at once
(for client CPU comparisons), ``/_stats`` the server's request counts and CPU time.

Run directly (``python bench/newsnet.py --feeds 200 --items 20``) it prints one
JSON line ``{"port": ..., "hosts": [...]}`` when every address listens, and serves
until terminated. :class:`NewsNet` starts and stops it from another program.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Self

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_pages import feed_etag, feed_xml, host_address, page_html

ROBOTS = b"User-agent: *\nDisallow: /private/\n"


class _Network:
    def __init__(self, feeds: int, items: int, delay: float) -> None:
        self.feeds, self.items, self.delay = feeds, items, delay
        self.index = {host_address(i): i for i in range(feeds)}
        self.port = 0
        self.counts: Counter[str] = Counter()
        self._feeds: dict[int, bytes] = {}

    def _feed_index(self, request: Any) -> int | None:
        return self.index.get(request.host.rsplit(":", 1)[0])

    async def handle(self, request: Any) -> Any:
        from aiohttp import web

        path = request.path
        if path.startswith("/_"):
            return self._internal(path)
        await asyncio.sleep(self.delay)
        feed = self._feed_index(request)
        if feed is None:
            return self._count(web.Response(status=404, text="unknown host"))
        if path == "/robots.txt":
            return self._count(web.Response(body=ROBOTS, content_type="text/plain"))
        if path == "/feed.xml":
            return self._count(self._feed(request, feed))
        if path.startswith("/news/") and path.endswith(".html"):
            item = path[6:-5]
            if item.isdigit() and int(item) < self.items:
                body = page_html(feed, int(item), self.port)
                return self._count(web.Response(body=body, content_type="text/html", charset="utf-8"))
        return self._count(web.Response(status=404, text="not found"))

    def _feed(self, request: Any, feed: int) -> Any:
        from aiohttp import web

        etag = feed_etag(feed)
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        body = self._feeds.get(feed)
        if body is None:
            body = self._feeds[feed] = feed_xml(feed, self.items, self.port)
        return web.Response(body=body, headers={"ETag": etag, "Content-Type": "application/rss+xml; charset=utf-8"})

    def _count(self, response: Any) -> Any:
        self.counts[str(response.status)] += 1
        return response

    def _internal(self, path: str) -> Any:
        from aiohttp import web

        if path.startswith("/_blob/") and path[7:].isdigit():
            return web.Response(body=_blob(int(path[7:])), content_type="application/octet-stream")
        if path == "/_stats":
            usage = os.times()
            stats = {"counts": dict(self.counts), "cpu_seconds": usage.user + usage.system}
            return web.json_response(stats)
        return web.Response(status=404)


_BLOBS: dict[int, bytes] = {}


def _blob(size: int) -> bytes:
    if size not in _BLOBS:
        _BLOBS[size] = (b"0123456789abcdef" * (size // 16 + 1))[:size]
    return _BLOBS[size]


async def _serve(feeds: int, items: int, delay: float) -> None:
    from aiohttp import web

    network = _Network(feeds, items, delay)
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", network.handle)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    network.port = await _bind_all(runner, [host_address(i) for i in range(feeds)])
    print(json.dumps({"port": network.port, "hosts": [host_address(i) for i in range(feeds)]}), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


async def _bind_all(runner: Any, hosts: list[str], attempts: int = 20) -> int:
    """Listen on the same free port on every address (retrying with another port on a clash)."""
    import socket

    from aiohttp import web

    for _ in range(attempts):
        probe = socket.socket()
        probe.bind((hosts[0], 0))
        port = probe.getsockname()[1]
        probe.close()
        sites = [web.TCPSite(runner, host, port, backlog=512, reuse_address=True) for host in hosts]
        try:
            for site in sites:
                await site.start()
            return port
        except OSError:
            for site in sites:
                await site.stop()
    raise RuntimeError("could not find one free port on every loopback address")


class NewsNet:
    """Start the network in a child process; stop it (and only it) on exit."""

    def __init__(self, feeds: int, items: int, delay: float = 0.25) -> None:
        self.args = [sys.executable, str(Path(__file__).resolve()), "--feeds", str(feeds), "--items", str(items),
                     "--delay", str(delay)]
        self.proc: subprocess.Popen[str] | None = None
        self.port = 0
        self.hosts: list[str] = []

    def __enter__(self) -> Self:
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line:
            self.stop()
            raise RuntimeError("the news network did not start")
        ready = json.loads(line)
        self.port, self.hosts = ready["port"], ready["hosts"]
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def feed_url(self, feed: int) -> str:
        return f"http://{self.hosts[feed]}:{self.port}/feed.xml"

    def stats(self) -> dict[str, Any]:
        import urllib.request

        with urllib.request.urlopen(f"http://{self.hosts[0]}:{self.port}/_stats", timeout=10) as resp:
            return json.loads(resp.read())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.25, help="seconds before every response")
    args = parser.parse_args()
    asyncio.run(_serve(args.feeds, args.items, args.delay))


if __name__ == "__main__":
    main()
