"""OPML, the feed list every feed reader imports and exports: parse one, write one (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from monitor.errors import ConfigError


@dataclass(frozen=True)
class OpmlFeed:
    name: str
    url: str
    tags: tuple[str, ...] = ()


def parse_opml(data: bytes, source: str) -> list[OpmlFeed]:
    """Every outline with an ``xmlUrl``; its folder outlines and ``category`` attribute become tags.

    The XML is read without entities, DTDs or network access; a file that is not OPML raises ConfigError.
    """
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ConfigError(f"{source}: not an OPML file: {exc}") from None
    body = root.find("body") if root.tag == "opml" else None
    if body is None:
        raise ConfigError(f"{source}: not an OPML file (no <opml><body>)")
    return list(_outlines(body, ()))


def _outlines(parent: Any, folders: tuple[str, ...]) -> Iterator[OpmlFeed]:
    for outline in parent.iterfind("outline"):
        label = (outline.get("title") or outline.get("text") or "").strip()
        url = (outline.get("xmlUrl") or "").strip()
        if url:
            categories = [c.strip().strip("/") for c in (outline.get("category") or "").split(",")]
            tags = tuple(dict.fromkeys([*folders, *(c for c in categories if c)]))
            yield OpmlFeed(label or url, url, tags)
        else:
            yield from _outlines(outline, (*folders, label) if label else folders)


def render_opml(feeds: Iterable[Any], title: str, now: datetime) -> bytes:
    """OPML 2.0 listing ``feeds`` (anything with name, url, tags), one flat outline each."""
    from lxml import etree

    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(now)
    body = etree.SubElement(root, "body")
    for feed in feeds:
        outline = etree.SubElement(body, "outline", type="rss", text=feed.name, title=feed.name, xmlUrl=feed.url)
        if feed.tags:
            outline.set("category", ",".join(feed.tags))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
