"""A text without the headline it repeats (pure, light: read by the crawl and by the pages' ledes)."""

from __future__ import annotations

import re

_NOT_WORD = re.compile(r"\W+")


def plain(line: str) -> str:
    """A line as headlines are compared: words only, case folded."""
    return _NOT_WORD.sub(" ", line).strip().casefold()


def without_headline(text: str, *titles: str | None, every: bool = False) -> str:
    """The text without a first line that only repeats the headline (the entry's or the page's title);
    ``every``: without all the opening lines that do (a page that prints it twice), never emptied.

    A page's headline often sits inside its article markup, so the extracted text opens with it: 21 of
    180 real news pages in bench/extract_quality.py's set. Kept, it shows twice in the digest's lede and
    weighs double in the story and topic features, which already read the title. The stored text keeps a
    second copy (Giveme5W1H's pages, whose texts open with their headline under the page's own, lost 0.011
    of their story F1 without it); a lede shows none."""
    headlines = {plain(t) for t in titles if t and plain(t)}
    first, _, rest = text.partition("\n")
    while rest.strip() and plain(first) in headlines:
        text = rest.lstrip()
        if not every:
            break
        first, _, rest = text.partition("\n")
    return text
