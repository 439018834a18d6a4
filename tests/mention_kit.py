"""Small real scanners for the mention tests: whole-word aliases by regular expression, and a fixed list."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from monitor.records import Mention
from monitor.store.db import session_scope
from monitor.store.tables import Article, ArticleSource, Feed

ALIASES = {
    "org:sberbank": ("Sberbank", ["Sberbank", "Sber", "Сбербанк"]),
    "org:deepseek": ("DeepSeek", ["DeepSeek", "深度求索"]),
    "person:putin": ("Vladimir Putin", ["Putin"]),
    "person:xi": ("Xi Jinping", ["Xi Jinping"]),
    "org:gigachat": ("GigaChat", ["GigaChat"]),
}


@dataclass
class AliasScanner:
    """Entities by alias, whole words, case-sensitive (enough for these tests)."""

    aliases: dict[str, tuple[str, list[str]]] = field(default_factory=lambda: dict(ALIASES))
    kind: str = "entity"
    version: str = "1"
    read: int = 0  # texts scanned

    @property
    def signature(self) -> str:
        return f"aliases:{self.version}:{sorted(self.aliases)}"

    def scan(self, text: str) -> list[Mention]:
        self.read += 1
        out = []
        for key, (label, names) in self.aliases.items():
            found = [m.start() for name in names for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text)]
            if found:
                out.append(Mention(self.kind, key, label, len(found), min(found)))
        return out


@dataclass
class ListedScanner:
    """Designated parties by exact name, with their list, programme and listing date."""

    parties: dict[str, tuple[str, str, str]]  # name -> (list, programme, listed_on)
    kind: str = "listed"
    signature: str = "listed:1"

    def scan(self, text: str) -> list[Mention]:
        return [Mention("listed", f"listed:{name}", name, text.count(name), text.index(name),
                        (("list", lst), ("programme", prog), ("listed_on", on)))
                for name, (lst, prog, on) in self.parties.items() if name in text]


def add_feeds(engine: Any, names: Iterable[str]) -> dict[str, int]:
    with session_scope(engine) as s:
        feeds = [Feed(name=n, url=f"https://feed{i}.example.org/rss") for i, n in enumerate(names)]
        s.add_all(feeds)
        s.flush()
        return {f.name: f.id for f in feeds}


def add_article(engine: Any, key: str, title: str, text: str, feed_id: int, when: datetime,
                duplicate_of: int | None = None, url: str | None = None) -> int:
    with session_scope(engine) as s:
        url = url or f"https://news.example.org/{key}"
        art = Article(canonical_url=url, url=url, title=title, summary=text[:200], text=text, published_at=when,
                      published_source="feed", fetched_at=when, content_hash=key.ljust(64, "0")[:64],
                      status="extracted", first_feed_id=feed_id, duplicate_of=duplicate_of,
                      duplicate_kind="near" if duplicate_of else None, language="en")
        s.add(art)
        s.flush()
        s.add(ArticleSource(article_id=art.id, feed_id=feed_id, entry_url=url, seen_at=when))
        return int(art.id or 0)


def at(day: int, hour: int = 12, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@dataclass
class InstrumentScanner:
    """Legal instruments by regular expression; the key is what the expression names."""

    patterns: dict[str, tuple[str, str]]  # key -> (label, regular expression)
    kind: str = "instrument"
    signature: str = "instruments:1"

    def scan(self, text: str) -> list[Mention]:
        out = []
        for key, (label, pattern) in self.patterns.items():
            found = [m.start() for m in re.finditer(pattern, text)]
            if found:
                out.append(Mention("instrument", key, label, len(found), found[0]))
        return out
