"""The stored article record built from a feed entry and its extracted page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.extract.article import build_article
from monitor.records import Entry, Extracted

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
BODY = "Sberbank and Chinese researchers will build models together, the bank said on Tuesday."


def _stored(text: str, entry_title: str = "Sberbank signs AI pact", page_title: str | None = None) -> str:
    entry = Entry(url="https://example.org/a", title=entry_title)
    return build_article("https://example.org/a", entry, Extracted(text=text, title=page_title), None, NOW, None).text


@pytest.mark.parametrize("first", ["Sberbank signs AI pact", "  SBERBANK SIGNS AI PACT.", "Sberbank signs  AI-pact"])
def test_a_text_opening_with_the_headline_is_stored_without_it(first: str) -> None:
    assert _stored(f"{first}\n{BODY}") == BODY


def test_the_page_title_counts_as_the_headline_too() -> None:
    assert _stored(f"Pact signed in Moscow\n{BODY}", page_title="Pact signed in Moscow") == BODY


@pytest.mark.parametrize("text", [
    f"Sberbank signs AI pact with Chinese lab, the bank said.\n{BODY}",  # a sentence that starts like the headline
    "Sberbank signs AI pact",                                            # nothing but the headline: kept, never emptied
    f"{BODY}\nSberbank signs AI pact",                                   # the headline further down
])
def test_other_texts_are_stored_as_extracted(text: str) -> None:
    assert _stored(text) == text


def _titled(entry_title: str, text: str, page_title: str | None = None) -> str:
    entry = Entry(url="https://example.org/a", title=entry_title)
    return build_article("https://example.org/a", entry, Extracted(text=text, title=page_title), None, NOW, None).title


def test_an_article_without_any_title_is_named_by_its_opening_words_not_its_address() -> None:
    assert _titled("https://example.org/a", f"\n{BODY}\nMore.") == BODY
    long = "Sberbank and a group of Chinese universities will build open models together " * 3
    title = _titled("https://example.org/a", long)
    assert title.endswith("…") and len(title) <= 111 and long.startswith(title[:-1])


def test_a_feed_or_page_title_wins_over_the_opening_words() -> None:
    assert _titled("Pact signed", BODY) == "Pact signed"
    assert _titled("https://example.org/a", BODY, page_title="Pact signed in Moscow") == "Pact signed in Moscow"
