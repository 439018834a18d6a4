"""``monitor lists update``: bring each configured list onto disk, validated, one list at a time.

A URL is fetched with a conditional GET (the ETag and Last-Modified of the copy on disk), a path is
read and copied; the result must parse in the configured format before it replaces the copy on
disk. An ``ofac-sdn-csv`` list's aliases file (alt.csv) is read the same way, with its own ETag and
Last-Modified, and the pair is parsed together. A list that fails is reported and keeps its previous
copy; the others still update.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from monitor.config import Config, ListSource, Timeouts
from monitor.errors import MonitorError
from monitor.lists.files import aliases_path, data_path, read_meta, write_list
from monitor.lists.formats import parse_list
from monitor.records import Fetched

XML = "application/xml, text/xml, */*;q=0.5"
ACCEPT = {"csl-json": "application/json, */*;q=0.5", "ofac-sdn-xml": XML,
          "ofac-sdn-csv": "text/csv, text/plain, */*;q=0.5", "eu-xml": XML, "uk-xml": XML}


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


class ListFetchError(MonitorError):
    """A list's URL did not give the file (an HTTP error, a network failure)."""


@dataclass(frozen=True)
class _File:
    """One file of a list as this update has it: fetched or read, or the copy on disk when not modified."""

    body: bytes
    record: dict[str, object]  # etag, last_modified, sha256


async def _update_one(config: Config, source: ListSource, now: datetime) -> ListUpdate:
    meta = read_meta(config, source)
    olds: list[dict[str, object]] = [meta]
    files = [await _file(config, source, source.url, source.path, meta, data_path(config, source))]
    if source.has_aliases:
        olds.append(meta["aliases"] if meta else {})
        files.append(await _file(config, source, source.aliases_url, source.aliases_path, olds[1],
                                 aliases_path(config, source)))
    if all(f.record["sha256"] == old.get("sha256") for f, old in zip(files, olds, strict=True)):
        return ListUpdate(source.name, "unchanged", int(meta.get("parties", 0)))
    main, alt = files[0], (files[1] if len(files) > 1 else None)
    parties = parse_list(source.format, main.body, source.name, alt.body if alt else None)
    write_list(config, source, main.body,
               {**main.record, "parties": len(parties), "fetched_at": now.isoformat(timespec="seconds")},
               (alt.body, alt.record) if alt else None)
    return ListUpdate(source.name, "updated", len(parties))


async def _file(config: Config, source: ListSource, url: str | None, path: str | None, old: dict[str, object],
                on_disk: Path) -> _File:
    """A local ``path`` read, or ``url`` fetched with a conditional GET on ``old``'s validators."""
    if path is not None:
        body, headers = Path(path).read_bytes(), {}
    else:
        fetched = await _fetch(config, source, str(url), old)
        if fetched.not_modified and old:
            return _File(on_disk.read_bytes(), {k: old.get(k) for k in ("etag", "last_modified", "sha256")})
        if not fetched.ok:
            raise ListFetchError(fetched.error or f"HTTP {fetched.status}")
        body, headers = fetched.body, fetched.headers
    record = {"etag": headers.get("etag"), "last_modified": headers.get("last-modified"),
              "sha256": hashlib.sha256(body).hexdigest()}
    return _File(body, record)


async def _fetch(config: Config, source: ListSource, url: str, meta: dict[str, object]) -> Fetched:
    from monitor.fetch.http import Fetcher

    t = config.crawl.timeouts
    crawl = config.crawl.model_copy(update={
        "timeouts": Timeouts(connect=t.connect, read=max(t.read, 60.0), total=source.timeout_seconds)})
    async with Fetcher(crawl) as fetcher:
        etag, modified = meta.get("etag"), meta.get("last_modified")
        return await fetcher.get_document(url, etag if isinstance(etag, str) else None,
                                          modified if isinstance(modified, str) else None,
                                          ACCEPT[source.format], source.max_mb * 1024 * 1024)


def _brief(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
