"""Builders for fixture feeds and article pages served by the loopback server."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent / "fixtures" / "samples"


@dataclass(frozen=True)
class Item:
    title: str
    link: str | None
    summary: str = ""
    published: datetime | None = None
    guid: str | None = None
    raw_date: str | None = None
    author: str | None = None


def rss(items: Sequence[Item], title: str = "Fixture feed", encoding: str = "utf-8", declare: bool = True) -> bytes:
    parts = [f'<?xml version="1.0" encoding="{encoding}"?>\n' if declare else ""]
    parts.append(f"<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>{html.escape(title)}</title><link>http://example.org/</link>\n")
    for item in items:
        parts.append("<item>")
        parts.append(f"<title>{html.escape(item.title)}</title>")
        if item.link is not None:
            parts.append(f"<link>{html.escape(item.link)}</link>")
        if item.guid:
            parts.append(f'<guid isPermaLink="false">{html.escape(item.guid)}</guid>')
        if item.author:
            parts.append(f"<dc:creator>{html.escape(item.author)}</dc:creator>")
        if item.summary:
            parts.append(f"<description>{html.escape(item.summary)}</description>")
        if item.raw_date is not None:
            parts.append(f"<pubDate>{item.raw_date}</pubDate>")
        elif item.published is not None:
            parts.append(f"<pubDate>{format_datetime(item.published)}</pubDate>")
        parts.append("</item>\n")
    parts.append("</channel></rss>\n")
    return "".join(parts).encode(encoding)


def atom(items: Sequence[Item], title: str = "Fixture atom") -> bytes:
    entries = "".join(
        f"<entry><title>{html.escape(i.title)}</title><link href=\"{html.escape(i.link or '')}\"/>"
        f"<id>{html.escape(i.guid or i.link or i.title)}</id>"
        f"<updated>{(i.published or datetime(2026, 11, 1, tzinfo=UTC)).isoformat()}</updated>"
        f"<summary>{html.escape(i.summary)}</summary></entry>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{html.escape(title)}</title><id>urn:fixture</id><updated>2026-11-01T00:00:00Z</updated>"
        f"{entries}</feed>"
    ).encode()


def page(title: str, text: str, date: str | None = None, site: str = "Fixture News") -> str:
    """A realistic article page: navigation, the article, a footer."""
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip())
    meta_date = f'<meta property="article:published_time" content="{date}">' if date else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | {site}</title><meta property="og:site_name" content="{site}">{meta_date}
</head><body><header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/tech">Tech</a></nav></header>
<main><article><h1>{html.escape(title)}</h1><p class="byline">By Staff Reporter</p>{paragraphs}</article></main>
<footer><p>Copyright {site}. All rights reserved.</p><a href="/privacy">Privacy</a></footer></body></html>"""


def sample_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]


def lorem_article(topic: str, n: int, words: int = 250) -> str:
    """A distinct, deterministic article body about ``topic`` (for volume tests)."""
    vocab = (
        "officials said the agreement would expand cooperation on computing research export licences "
        "chips models data centres regulators ministers announced framework investment partnership "
        "sanctions semiconductors alliance summit delegation negotiators security standards"
    ).split()
    body = [f"Report {n} on {topic}."]
    for i in range(words):
        body.append(vocab[(n * 7 + i * 13 + i // 5) % len(vocab)])
        if i % 18 == 17:
            body.append(f"Point {n}-{i}.\n")
    return " ".join(body)


def days_ago(now: datetime, days: float) -> datetime:
    return now - timedelta(days=days)
