"""Headlines: a text without the headline it repeats, and how plainly a headline reads (pure, light:
read by the crawl, the story pass and the pages' ledes)."""

from __future__ import annotations

import re

_NOT_WORD = re.compile(r"\W+")
_CAPS_WORD = re.compile(r"\b[A-Z][A-Z'’]{3,}\b")  # a word of four or more capitals: an acronym, or shouting
_LEADING_TAG = re.compile(r"^\W*[A-Z][A-Z ]{2,}:\s")  # "BREAKING NEWS: ...", "WATCH: ..."
_TRAILING_TAG = re.compile(r"[(\[][A-Z][A-Z ,/&]*[)\]]\W*$")  # "... (VIDEO)", "... [PHOTOS, VIDEO]"


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


def flaws(title: str, text: str = "") -> int:
    """How far a headline is from plain news style: each word it shouts (four or more capitals that its
    article's ``text`` writes in lower case, so not an acronym), a tag ("BREAKING NEWS:", "(VIDEO)"), an
    exclamation mark, a site's name after " | ", fewer than three words (a site's or a section's name,
    not a headline). 0 for a plain headline."""
    capitals = _CAPS_WORD.findall(title)
    written = set(_NOT_WORD.split(text)) if capitals else set()
    shouted = sum(1 for w in capitals if w not in written and any(v in written for v in (w.lower(), w.capitalize())))
    return (shouted + bool(_LEADING_TAG.search(title)) + bool(_TRAILING_TAG.search(title.rstrip()))
            + ("!" in title) + (" | " in title) + (len(title.split()) < 3))
