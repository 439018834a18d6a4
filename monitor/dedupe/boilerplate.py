"""What a site repeats on every page: lines of its article text and the ending of its titles (pure).

The extractor keeps the article's block of a page, and many sites put their own
furniture inside it: "Please enable Javascript to watch this video", a newsletter
box, a copyright line, a share bar; and their titles end the same way ("… ::
WRAL.com", "… | Reuters"). Each repeated line puts the same words and names into
every article of the site: two reports of different shootings from one station
then share a block of text, and the lede of a digest shows the furniture.

So the store counts, per site, the articles that carried each short line and each
title ending (``keys``), and a new article leaves out what ``repeats`` earlier
articles of its site already carried (``without``). Counted per site (the host of
the article's address), never across sites: a wire story that three sites print
is the same news, not furniture. Every stored article counts, near copies too
(which copy the store calls the original depends on which arrived first, and the
count must not), and only lines up to ``MAX_LINE``
characters among the ``EDGE_LINES`` at each end of a text: furniture is short and
sits at the edges, and a long paragraph that a site repeats is kept.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from hashlib import blake2b
from urllib.parse import urlsplit

from monitor.records import Article

MAX_LINE = 300  # characters: longer lines are never counted, so never left out
MAX_ENDING = 80  # characters of a title's ending after its last separator
# Lines counted at each end of a text: furniture sits at the edges, and a page of 100,000 short lines
# must not write 100,000 rows.
EDGE_LINES = 200
_SEPARATOR = re.compile(r"\s+(?:::|[|·•–—-]+)\s+")


@dataclass(frozen=True)
class SiteKeys:
    """The keys of one article's countable parts: its lines (in text order, None where a line is not
    counted) and its title's ending."""

    lines: tuple[int | None, ...]
    ending: int | None

    @property
    def counted(self) -> list[int]:
        """Distinct keys, sorted (the order the store upserts them in, so two writers never deadlock)."""
        found = {k for k in self.lines if k is not None}
        if self.ending is not None:
            found.add(self.ending)
        return sorted(found)


def site(url: str) -> str:
    """The site an article belongs to: its host, lower-cased, without a leading ``www.``."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _key(*parts: str) -> int:
    """A signed 64-bit key (fits a BIGINT)."""
    return int.from_bytes(blake2b("\n".join(parts).encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def _plain(line: str) -> str:
    return " ".join(line.split())


def _split_ending(title: str) -> tuple[str, str] | None:
    """A title's head and what follows its last separator (" - ", " | ", " :: ", " — " ...), if that ending
    is short and something comes before it."""
    found = list(_SEPARATOR.finditer(title))
    if not found:
        return None
    last = found[-1]
    head, ending = title[:last.start()].rstrip(), _plain(title[last.end():])
    return (head, ending) if ending and len(ending) <= MAX_ENDING and head.strip() else None


def title_ending(title: str) -> str | None:
    split = _split_ending(title)
    return None if split is None else split[1]


def keys(record: Article) -> SiteKeys:
    return site_keys(record.canonical_url, record.title, record.text)


def site_keys(url: str, title: str, text: str) -> SiteKeys:
    """The keys of an article at ``url`` with this title and text."""
    where = site(url)
    lines = text.split("\n")
    inner = range(EDGE_LINES, len(lines) - EDGE_LINES)  # empty unless the text is longer than both edges
    keyed = tuple(_key(where, "line", plain) if i not in inner and (plain := _plain(line)) and len(plain) <= MAX_LINE
                  else None for i, line in enumerate(lines))
    ending = title_ending(title)
    return SiteKeys(keyed, None if ending is None else _key(where, "ending", ending))


def stripped(title: str, text: str, found: SiteKeys, repeated: set[int] | frozenset[int]) -> tuple[str, str]:
    """``title`` and ``text`` (whose keys are ``found``) without the parts whose keys are in ``repeated``."""
    lines = text.split("\n")
    kept = [line for line, key in zip(lines, found.lines, strict=True) if key is None or key not in repeated]
    if found.ending is not None and found.ending in repeated and (split := _split_ending(title)):
        title = split[0]
    return title, ("\n".join(kept).strip() if len(kept) < len(lines) else text)


def without(record: Article, found: SiteKeys, repeated: set[int]) -> Article:
    """``record`` without the lines and the title ending in ``repeated``. A text that would be left
    empty is the site's furniture only: the article keeps the feed's summary instead, as when its page
    gives no text, and says why in ``error``."""
    if not repeated:
        return record
    title, text = stripped(record.title, record.text, found, repeated)
    if (title, text) == (record.title, record.text):
        return record
    if text:
        return dataclasses.replace(record, title=title, text=text)
    return dataclasses.replace(record, title=title, text=record.summary or title, status="summary_only",
                               error="furniture: every line of the page's text is one its site repeats")


def readable(url: str, title: str, text: str, furniture: frozenset[int]) -> tuple[str, str]:
    """A stored article as the analysis reads it: without every part that is its site's furniture by the
    counts of now (``furniture``: the keys more than ``repeats`` articles carried). The crawl could only
    leave out what earlier articles had repeated, so a site's first articles keep theirs; read this way,
    the same articles give the same text whatever order they arrived in."""
    if not furniture:
        return title, text
    return stripped(title, text, site_keys(url, title, text), furniture)
