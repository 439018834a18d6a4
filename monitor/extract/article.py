"""An entry and what extraction got from its page -> the article record the store keeps (pure)."""

from __future__ import annotations

from datetime import datetime

from monitor.dedupe import text as fingerprint
from monitor.extract.headline import plain, without_headline
from monitor.extract.page import detect_language
from monitor.parse.feed import sane_date
from monitor.records import Article, Entry, Extracted
from monitor.words import STOP_WORDS


def build_article(
    url: str, entry: Entry, extracted: Extracted | None, error: str | None, now: datetime, feed_language: str | None,
    brief: str = "",
) -> Article:
    """The stored form of an entry: extracted text when we have it, else the feed's summary, else a thin
    page's own ``brief`` text when it says more than the headline, else the headline (never empty)."""
    published, source = _published(entry, extracted, now)
    if extracted is not None:
        text, status = without_headline(extracted.text, entry.title, extracted.title), "extracted"
    else:
        text, status = entry.summary or _brief(brief, entry.title) or entry.title, "summary_only"
    guess = (extracted.language or detect_language(text)) if extracted else detect_language(f"{entry.title}. {text}")
    language = guess or feed_language
    return Article(
        canonical_url=url,
        url=entry.url,
        title=_title(entry, extracted, text),
        summary=entry.summary,
        text=text,
        status=status,
        fetched_at=now,
        published_at=published,
        published_source=source,
        language=language,
        authors=entry.authors or ((extracted.author,) if extracted and extracted.author else ()),
        site_name=extracted.site_name if extracted else None,
        content_hash=fingerprint.content_hash(text),
        error=error,
    )


TITLE_CHARS = 110  # a title made from the text's opening words is cut at a word near this length


def _title(entry: Entry, extracted: Extracted | None, text: str) -> str:
    """The feed's title, else the page's, else the opening words of the text: an entry and page without
    any title would otherwise be listed (and weighed in the story and topic features) under its address."""
    if entry.title and entry.title != entry.url:
        return entry.title
    if extracted is not None and extracted.title:
        return extracted.title
    return _opening(text) or entry.title


def _opening(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first) <= TITLE_CHARS:
        return first
    cut = first[:TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:-–— ")
    return f"{cut}…"


BRIEF_WORDS = 8  # a thin page's text stands in for a missing feed summary from this many words


def _brief(text: str, title: str) -> str:
    """A thin page's text, under extraction's minimum, when it says more than the headline and about it
    (it shares a word with it): a wire brief whose feed gives no summary keeps its sentence, while
    "Subscribe!", the headline alone, or a site's notice ("Chat with us in Facebook Messenger. Find out
    what's happening in the world as it unfolds.") does not."""
    text = without_headline(text.strip(), title)
    if len(text.split()) < BRIEF_WORDS or plain(text) == plain(title):
        return ""
    return text if _words(text) & _words(title) else ""


def _words(line: str) -> set[str]:
    return {w for w in plain(line).split() if len(w) > 2 and w not in STOP_WORDS}


def needs_page_metadata(entry: Entry) -> bool:
    """Whether the page's own metadata could add to the entry: the feed's title, date and authors win
    over the page's, so an entry with all three needs only the page's text."""
    return not (entry.title and entry.title != entry.url and entry.published is not None and entry.authors)


def _published(entry: Entry, extracted: Extracted | None, now: datetime) -> tuple[datetime, str]:
    """Feed date, else page metadata date, else fetch time; never later than the fetch."""
    if entry.published is not None:
        return min(entry.published, now), "feed"
    page_date = sane_date(extracted.date, now) if extracted else None
    if page_date is not None:
        return min(page_date, now), "page"
    return now, "fetch"
