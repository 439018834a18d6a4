"""Article HTML -> Extracted text and metadata (pure; runs in worker processes)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from monitor.errors import ExtractError, ThinPage
from monitor.records import Extracted

MIN_CHARS = 200
# What trafilatura is asked for on every page; bench/extract_quality.py measures these choices on real pages.
# A page's date comes from its markup (meta tags, JSON-LD, <time>, the URL) and ISO datelines, not from
# the dates its prose mentions: htmldate's extensive search dated 45 of 60 undated news pages by an event
# their text named (years off), which cut same-event stories apart at the time window
# (bench/eval_feeds.py); on 181 real news pages it found the same date as without it on 179, and a date
# for two more (blog pages without date markup).
EXTRACT_OPTIONS = {"include_comments": False, "include_tables": False, "favor_precision": True,
                   "date_extraction_params": {"extensive_search": False, "original_date": True}}
# trafilatura's fallback (comparing its text with two other extractors') is a third of its CPU and changes
# the text only where the first pass found little: it runs only when that pass gives fewer characters.
FALLBACK_BELOW = 1000
# Characters of text the language is identified from: on 180 real pages in 8 languages 600 gave the same
# answers as 4,000, at a quarter of the CPU.
LANGUAGE_PREFIX = 1500


def extract_page(html: bytes | str, url: str, metadata: bool = True) -> Extracted:
    """:func:`extract_text` and the language of the text."""
    extracted = extract_text(html, url, metadata)
    return replace(extracted, language=detect_language(extracted.text))


def extract_text(html: bytes | str, url: str, metadata: bool = True) -> Extracted:
    """Main text, with ``metadata`` also the page's title, author, date and site name (no language).

    Raises ExtractError when no text is found: ThinPage, carrying what it found, for a text under
    ``MIN_CHARS``. Reading the metadata is a large share of the work (dates, tags, categories); the
    crawl asks for it only when the feed entry lacks it.
    """
    try:
        doc, text = _extract(html, url, metadata)
    except Exception as exc:  # trafilatura raises a wide range of parser errors on junk
        raise ExtractError(f"extraction failed: {type(exc).__name__}: {exc}") from None
    if len(text) < MIN_CHARS:
        raise ThinPage(text)
    return Extracted(
        text=text,
        title=_clean(getattr(doc, "title", None)),
        author=_clean(getattr(doc, "author", None)),
        date=_date(getattr(doc, "date", None)),
        site_name=_clean(getattr(doc, "sitename", None)),
    )


def _extract(html: bytes | str, url: str, metadata: bool) -> tuple[Any, str]:
    """(the document trafilatura found, with its metadata, and the main text): a fast pass first, the full
    pass with fallback only for a short text (its metadata is the first pass's)."""
    trafilatura = _trafilatura()
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=metadata, fast=True, **EXTRACT_OPTIONS)
    text = _text(doc)
    if len(text) < FALLBACK_BELOW:
        full = trafilatura.bare_extraction(html, url=url, with_metadata=metadata and doc is None, **EXTRACT_OPTIONS)
        doc, text = doc if doc is not None else full, _text(full)
    return doc, text


def _text(doc: Any) -> str:
    return (getattr(doc, "text", None) or "").strip() if doc is not None else ""


def _trafilatura() -> Any:
    """trafilatura probes urllib3's optional SOCKS support on import; its warning is noise here
    (and an error under ``-W error`` once urllib3 was imported first, as the URL library does)."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="SOCKS support in urllib3")
        import trafilatura
    return trafilatura


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language (py3langid), None for too little text."""
    if len(text.strip()) < 20:
        return None
    import py3langid

    lang, _score = py3langid.classify(text[:LANGUAGE_PREFIX])
    return lang
