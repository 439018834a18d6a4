"""Feed bytes -> entries (pure). feedparser does the parsing; this module decides what to trust."""

from __future__ import annotations

import calendar
import html
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.dedupe.urls import resolve_link
from monitor.errors import ParseError
from monitor.records import Entry, ParsedFeed

EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
_HTML_TAGS = (
    "a|abbr|address|article|aside|audio|b|big|blockquote|body|br|button|caption|center|cite|code|col|dd|del|"
    "details|dfn|div|dl|dt|em|embed|figcaption|figure|font|footer|form|h[1-6]|head|header|hr|html|i|iframe|img|"
    "input|ins|kbd|label|li|link|main|mark|meta|nav|noscript|object|ol|p|picture|pre|q|s|samp|script|section|"
    "small|source|span|strike|strong|style|sub|summary|sup|svg|table|tbody|td|template|tfoot|th|thead|time|"
    "title|tr|tt|u|ul|var|video|wbr"
)
# Only real HTML elements are markup: "<AI>" in a headline is text. A "<" that opens no
# HTML tag, end tag or comment is escaped before parsing (a bounded look-ahead: linear time).
_TEXT_LT = re.compile(rf"<(?!/?(?:{_HTML_TAGS})\b|!--)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")
_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html)", re.IGNORECASE)
RAW_PER_CHAR = 8  # markup read per character of text kept: the rest of a field is never parsed


def plain_text(fragment: str | None, limit: int = 5000) -> str:
    """Tags, scripts, styles and comments dropped, entities decoded, whitespace collapsed.

    The field is cut to a bounded prefix before any parsing, so a hostile field
    costs the same as a long ordinary one; lxml does the parsing in linear time.
    """
    if not fragment:
        return ""
    raw = _CONTROL.sub("", fragment[: limit * RAW_PER_CHAR + 1000])
    text = _markup_text(raw) if "<" in raw else html.unescape(raw)
    return _SPACE.sub(" ", text).strip()[:limit]


def _markup_text(raw: str) -> str:
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.fragment_fromstring(_TEXT_LT.sub("&lt;", raw), create_parent="div")
    except (etree.ParserError, ValueError):
        return html.unescape(raw)
    for element in list(root.iter("script", "style", etree.Comment)):
        element.drop_tree()
    return " ".join(root.itertext())


def parse_feed(
    body: bytes, headers: Mapping[str, str], base_url: str, now: datetime, max_entries: int | None = None
) -> ParsedFeed:
    """Parse a fetched feed body, its entries newest first (undated ones last, in the feed's order), the newest
    ``max_entries`` of them if given. Raises ParseError when the body is not a feed at all."""
    import feedparser

    if not body.strip():
        raise ParseError("empty body")
    if _HTML_START.match(body[:512]):
        raise ParseError("an HTML page, not a feed")
    response_headers = {k.lower(): v for k, v in headers.items()}
    response_headers["content-location"] = base_url
    parsed = feedparser.parse(body, response_headers=response_headers, sanitize_html=False, resolve_relative_uris=False)
    version = parsed.get("version") or ""
    if not version and not parsed.entries:
        raise ParseError(f"not a feed: {_bozo(parsed) or 'no RSS/Atom document found'}")
    entries, skipped = _entries(parsed.entries, base_url, now)
    entries.sort(key=lambda e: e.published or EARLIEST, reverse=True)
    if max_entries is not None:
        skipped += max(0, len(entries) - max_entries)
        entries = entries[:max_entries]
    title = plain_text(parsed.feed.get("title"), 300)
    return ParsedFeed(entries=tuple(entries), title=title, skipped=skipped, bozo=_bozo(parsed))


def _bozo(parsed: Any) -> str | None:
    exc = parsed.get("bozo_exception")
    return f"{type(exc).__name__}: {exc}"[:300] if exc is not None else None


def _entries(raw_entries: list[Any], base_url: str, now: datetime) -> tuple[list[Entry], int]:
    entries: list[Entry] = []
    seen: set[str] = set()
    skipped = 0
    for raw in raw_entries:
        entry = to_entry(raw, base_url, now)
        if entry is None or entry.url in seen:
            skipped += 1
            continue
        seen.add(entry.url)
        entries.append(entry)
    return entries, skipped


def to_entry(raw: Mapping[str, Any], base_url: str, now: datetime) -> Entry | None:
    """One feed item as an Entry, or None when it has no usable http(s) link."""
    url = _link(raw, base_url)
    if url is None:
        return None
    title = plain_text(raw.get("title"), 1000)
    summary = plain_text(_summary_html(raw))
    return Entry(
        url=url,
        title=title or summary[:120] or url,
        summary=summary,
        guid=(str(raw.get("id"))[:2000] if raw.get("id") else None),
        published=entry_date(raw, now),
        authors=_authors(raw),
    )


def _link(raw: Mapping[str, Any], base_url: str) -> str | None:
    candidates = [raw.get("link")]
    candidates += [link.get("href") for link in raw.get("links", []) if link.get("rel", "alternate") == "alternate"]
    guid = raw.get("id")
    if isinstance(guid, str) and guid.startswith(("http://", "https://")):
        candidates.append(guid)
    for candidate in candidates:
        url = resolve_link(candidate, base_url)
        if url is not None:
            return url
    return None


def _summary_html(raw: Mapping[str, Any]) -> str:
    summary = raw.get("summary") or ""
    if not summary:
        for content in raw.get("content", []) or []:
            summary = content.get("value") or ""
            if summary:
                break
    return summary


def _authors(raw: Mapping[str, Any]) -> tuple[str, ...]:
    names = [plain_text(a.get("name"), 200) for a in raw.get("authors", []) or [] if isinstance(a, Mapping)]
    if not any(names) and raw.get("author"):
        names = [plain_text(raw.get("author"), 200)]
    return tuple(n for n in names if n)


def entry_date(raw: Mapping[str, Any], now: datetime) -> datetime | None:
    """The entry's publication time in UTC, or None when missing or absurd."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = raw.get(key)
        if value:
            when = sane_date(datetime.fromtimestamp(calendar.timegm(value), UTC), now)
            if when is not None:
                return when
    return None


def sane_date(when: datetime | None, now: datetime) -> datetime | None:
    """Dates before the web's news era or more than a day ahead are not trusted."""
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if when < EARLIEST or when > now + FUTURE_SLACK:
        return None
    return when.astimezone(UTC)
