"""Polite async HTTP: global and per-host limits, per-host spacing, caps, conditional GET, robots.txt.

``Fetcher.get`` never raises for network trouble: failures come back as a
``Fetched`` with ``error`` set, so one bad feed or page cannot stop a crawl.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import aiohttp

from monitor.config import CrawlConfig
from monitor.dedupe.urls import without_userinfo
from monitor.fetch.guard import GuardedResolver, LinkPolicy, Refused, check_literal, current_policy
from monitor.records import Fetched

HTML_TYPES = ("text/html", "application/xhtml+xml")
REDIRECTS = (301, 302, 303, 307, 308)
CHUNK = 64 * 1024
MAX_CRAWL_DELAY = 60.0  # seconds: a larger robots.txt Crawl-delay is capped (the feed deadline still applies)
T = TypeVar("T")


class BodyTooLarge(Exception):
    pass


@dataclass
class HostGate:
    """At most ``per_host`` requests at once to a host, and actual request starts ``delay`` seconds apart.

    The spacing is measured from the moment a request really starts (its global slot
    acquired), not reserved ahead: a request that waited for a global slot never lets
    the next one to its host start right behind it.
    """

    per_host: int
    delay: float
    clock: Callable[[], float] = time.monotonic
    _last_start: float = float("-inf")
    _turn: asyncio.Lock = field(default_factory=asyncio.Lock)
    slots: asyncio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self.slots = asyncio.Semaphore(self.per_host)

    async def start(self, acquire: Callable[[], Awaitable[Any]]) -> None:
        """Wait for this host's turn, then ``acquire`` (the global slot); the start is recorded once both are held."""
        async with self._turn:
            while (wait := self._last_start + self.delay - self.clock()) > 0:
                await asyncio.sleep(wait)
            await acquire()
            self._last_start = self.clock()


class Fetcher:
    """One per crawl; use as an async context manager."""

    def __init__(self, config: CrawlConfig) -> None:
        self.config = config
        self._gates: dict[str, HostGate] = {}
        self._robots: dict[str, asyncio.Task[Any]] = {}
        self._global = asyncio.Semaphore(config.concurrency)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Fetcher:
        t = self.config.timeouts
        timeout = aiohttp.ClientTimeout(total=t.total, connect=t.connect, sock_connect=t.connect, sock_read=t.read)
        # No DNS cache: every new connection's addresses pass the link policy of the request making it.
        connector = aiohttp.TCPConnector(limit=self.config.concurrency, use_dns_cache=False, resolver=GuardedResolver())
        self._session = aiohttp.ClientSession(
            timeout=timeout,
            connector=connector,
            headers={"User-Agent": self.config.user_agent, "Accept-Encoding": "gzip, deflate"},
            max_line_size=16 * 1024,
            max_field_size=16 * 1024,
        )
        return self

    async def __aexit__(self, *exc: Any) -> None:
        if self._session is not None:
            await self._session.close()

    def _gate(self, url: str) -> HostGate:
        host = (urlsplit(url).netloc or "").lower()
        gate = self._gates.get(host)
        if gate is None:
            gate = self._gates[host] = HostGate(self.config.per_host, self.config.host_delay)
        return gate

    async def get_feed(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        accept = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"
        return await self.get_document(url, etag, last_modified, accept, self.config.feed_max_bytes)

    async def get_document(self, url: str, etag: str | None, last_modified: str | None, accept: str,
                           max_bytes: int) -> Fetched:
        """A conditional GET of a configured URL (a feed, a sanctions list): 304 when unchanged."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._get(url, headers, max_bytes)

    async def get_page(
        self, url: str, then: Callable[[Fetched], Awaitable[T]] | None = None, feed_host: str | None = None
    ) -> Fetched | T:
        """The page; with ``then``, ``then(page)`` runs before the fetch's global slot is released.

        So at most ``concurrency`` fetched pages wait for processing at once: fetching slows to
        the pace of extraction instead of piling up page bodies in memory. With ``feed_host`` (the
        page is a link from that feed), the page and its redirects may reach non-public addresses
        only on that host or in ``allow_private_networks``.
        """
        policy = None if feed_host is None else LinkPolicy(feed_host, self.config.allow_private_networks)
        token = current_policy.set(policy)
        try:
            return await self._page(url, then)
        finally:
            current_policy.reset(token)

    async def _page(self, url: str, then: Any) -> Any:
        if self.config.respect_robots and not await self.allowed(url):
            fetched = Fetched(url, url, None, error="disallowed by robots.txt")
            return fetched if then is None else await then(fetched)
        headers = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"}
        return await self._get(url, headers, self.config.page_max_bytes, lambda f: self._page_checked(url, f, then))

    async def _page_checked(self, url: str, fetched: Fetched, then: Any) -> Any:
        if fetched.ok and not _is_html(fetched.headers.get("content-type", "")):
            ctype = fetched.headers.get("content-type", "")
            fetched = Fetched(url, fetched.final_url, fetched.status, fetched.headers, error=f"not an HTML page ({ctype})")
        return fetched if then is None else await then(fetched)

    async def allowed(self, url: str) -> bool:
        """robots.txt (RFC 9309: wildcards, ``$``, the longest matching rule wins) allows ``url``
        for our user agent; its Crawl-delay, up to ``MAX_CRAWL_DELAY``, becomes the host's minimum
        spacing."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        task = self._robots.get(origin)
        if task is None:
            task = self._robots[origin] = asyncio.ensure_future(self._load_robots(origin))
        rules = await task
        return rules is None or rules.can_fetch(url, self.config.user_agent)

    async def _load_robots(self, origin: str) -> Any:
        fetched = await self._get(origin + "/robots.txt", {"Accept": "text/plain"}, 512 * 1024)
        if fetched.status is not None and 400 <= fetched.status < 500:
            return None  # no robots.txt: everything allowed
        if not fetched.ok:
            return None  # unreachable robots.txt is not a reason to drop the article
        from protego import Protego

        rules = Protego.parse(fetched.body.decode("utf-8", "replace"))
        delay = rules.crawl_delay(self.config.user_agent)
        if delay:
            gate = self._gate(origin + "/")
            gate.delay = max(gate.delay, min(float(delay), MAX_CRAWL_DELAY))
        return rules

    async def _get(self, url: str, headers: dict[str, str], cap: int, then: Any = None) -> Any:
        """Host slot and spacing first, then a global slot: waiting for a host never holds a global slot."""
        gate = self._gate(url)
        started = time.monotonic()
        async with gate.slots:
            await gate.start(self._global.acquire)
            try:
                fetched = await self._guarded(url, headers, cap, started)
            except BaseException:
                self._global.release()
                raise
        try:
            return fetched if then is None else await then(fetched)
        finally:
            self._global.release()

    async def _guarded(self, url: str, headers: dict[str, str], cap: int, started: float) -> Fetched:
        try:
            return await self._request(url, headers, cap, started)
        except BodyTooLarge:
            return _failed(url, started, f"body larger than {cap} bytes")
        except (TimeoutError, asyncio.TimeoutError):
            return _failed(url, started, "timed out")
        except Refused as exc:
            return _failed(url, started, str(exc))
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, Refused):
                return _failed(url, started, str(exc.os_error))
            return _failed(url, started, _unreachable(exc)[:500])
        except (aiohttp.ClientError, ValueError, UnicodeError) as exc:
            return _failed(url, started, f"{type(exc).__name__}: {exc}"[:500])

    async def _request(self, url: str, headers: dict[str, str], cap: int, started: float) -> Fetched:
        """Follows redirects itself: each hop passes the link policy and never carries userinfo."""
        assert self._session is not None, "use Fetcher as an async context manager"
        target = url
        for _hop in range(self.config.max_redirects + 1):
            check_literal(urlsplit(target).hostname or "")
            async with self._session.get(target, headers=headers, allow_redirects=False) as resp:
                location = resp.headers.get("Location") if resp.status in REDIRECTS else None
                if location is None:
                    return await _response(url, resp, cap, started)
            target = without_userinfo(urljoin(target, location))
            if urlsplit(target).scheme not in ("http", "https"):
                return _failed(url, started, f"redirect to a non-http(s) URL: {target[:200]}")
        return _failed(url, started, f"more than {self.config.max_redirects} redirects")


async def _response(url: str, resp: aiohttp.ClientResponse, cap: int, started: float) -> Fetched:
    response_headers = {k.lower(): v for k, v in resp.headers.items()}
    body = b""
    if resp.status == 200:
        declared = resp.content_length
        if declared is not None and declared > cap and "content-encoding" not in response_headers:
            raise BodyTooLarge
        body = await _read_capped(resp, cap)
    elapsed = int((time.monotonic() - started) * 1000)
    error = None if resp.status in (200, 304) else f"HTTP {resp.status}"
    return Fetched(url, str(resp.url), resp.status, response_headers, body, error, elapsed)


async def _read_capped(resp: aiohttp.ClientResponse, cap: int) -> bytes:
    """Read the (decoded) body, giving up as soon as it passes the cap: gzip bombs included."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(CHUNK):
        size += len(chunk)
        if size > cap:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _unreachable(exc: aiohttp.ClientConnectorError) -> str:
    """Why a connection could not be made, in a reader's words ("cannot connect to example.org:443: connection
    refused"), not the client library's ("ClientConnectorError: ... ssl:default [Connect call failed ...]")."""
    where = f"{exc.host}:{exc.port}"
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return f"cannot connect to {where}: its TLS certificate was not accepted ({exc.certificate_error})"
    error = exc.os_error
    if isinstance(error, ConnectionRefusedError):
        reason = "connection refused"
    elif isinstance(error, socket.gaierror):
        reason = f"host name not found ({error.strerror or error})"
    elif isinstance(error, TimeoutError):
        reason = "timed out"
    else:
        reason = error.strerror or str(error) or type(error).__name__
    return f"cannot connect to {where}: {reason}"


def _failed(url: str, started: float, error: str) -> Fetched:
    return Fetched(url, url, None, error=error, elapsed_ms=int((time.monotonic() - started) * 1000))


def _is_html(content_type: str) -> bool:
    ctype = content_type.split(";", 1)[0].strip().lower()
    return not ctype or ctype in HTML_TYPES
