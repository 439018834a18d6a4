"""``monitor lists update``: bring each configured list onto disk, validated, one list at a time.

A URL is fetched with a conditional GET (the ETag and Last-Modified of the copy on disk), a path is
read and copied; the result must parse in the configured format before it replaces the copy on
disk. A list that fails is reported and keeps its previous copy; the others still update.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from monitor.config import Config, ListSource, Timeouts
from monitor.errors import MonitorError
from monitor.lists.files import read_meta, write_list
from monitor.lists.formats import parse_list
from monitor.records import Fetched

ACCEPT = {"csl-json": "application/json, */*;q=0.5", "ofac-sdn-xml": "application/xml, text/xml, */*;q=0.5",
          "eu-xml": "application/xml, text/xml, */*;q=0.5", "uk-xml": "application/xml, text/xml, */*;q=0.5"}


@dataclass(frozen=True)
class ListUpdate:
    name: str
    status: str  # updated | unchanged | failed
    parties: int = 0
    error: str | None = None


def update_lists(config: Config, sources: list[ListSource], now: datetime) -> list[ListUpdate]:
    return asyncio.run(_update_all(config, sources, now))


async def _update_all(config: Config, sources: list[ListSource], now: datetime) -> list[ListUpdate]:
    results = []
    for source in sources:
        try:
            results.append(await _update_one(config, source, now))
        except (MonitorError, OSError) as exc:
            results.append(ListUpdate(source.name, "failed", error=_brief(exc)))
    return results


async def _update_one(config: Config, source: ListSource, now: datetime) -> ListUpdate:
    meta = read_meta(config, source)
    if source.path is not None:
        body, headers = Path(source.path).read_bytes(), {}
    else:
        fetched = await _fetch(config, source, meta)
        if fetched.not_modified and meta:
            return ListUpdate(source.name, "unchanged", int(meta.get("parties", 0)))
        if not fetched.ok:
            return ListUpdate(source.name, "failed", error=fetched.error or f"HTTP {fetched.status}")
        body, headers = fetched.body, fetched.headers
    digest = hashlib.sha256(body).hexdigest()
    if meta.get("sha256") == digest:
        return ListUpdate(source.name, "unchanged", int(meta.get("parties", 0)))
    parties = parse_list(source.format, body, source.name)
    write_list(config, source, body, {
        "etag": headers.get("etag"), "last_modified": headers.get("last-modified"), "sha256": digest,
        "parties": len(parties), "fetched_at": now.isoformat(timespec="seconds"),
    })
    return ListUpdate(source.name, "updated", len(parties))


async def _fetch(config: Config, source: ListSource, meta: dict[str, object]) -> Fetched:
    from monitor.fetch.http import Fetcher

    t = config.crawl.timeouts
    crawl = config.crawl.model_copy(update={
        "timeouts": Timeouts(connect=t.connect, read=max(t.read, 60.0), total=source.timeout_seconds)})
    async with Fetcher(crawl) as fetcher:
        etag, modified = meta.get("etag"), meta.get("last_modified")
        return await fetcher.get_document(str(source.url), etag if isinstance(etag, str) else None,
                                          modified if isinstance(modified, str) else None,
                                          ACCEPT[source.format], source.max_mb * 1024 * 1024)


def _brief(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
