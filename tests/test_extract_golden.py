"""Golden files for extraction: pages around the real sample articles, with the record extraction must give.

A trafilatura (or py3langid) upgrade that changes what we store fails here. When the change is
wanted, rewrite the expected files with ``MONITOR_REGOLDEN=1 pytest tests/test_extract_golden.py``
and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from monitor.errors import ExtractError
from monitor.extract.page import extract_page

GOLDEN = Path(__file__).parent / "fixtures" / "golden"
PAGES = sorted(GOLDEN.glob("*.html"))


def _record(page: Path) -> dict[str, object]:
    try:
        got = extract_page(page.read_bytes(), f"https://news.example.org/{page.stem}")
    except ExtractError as exc:
        return {"error": str(exc)}
    return {"title": got.title, "author": got.author, "date": got.date.isoformat() if got.date else None,
            "site_name": got.site_name, "language": got.language, "text": got.text.split("\n")}


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_extraction_matches_its_golden_file(page: Path) -> None:
    expected_file = page.with_suffix(".json")
    got = _record(page)
    if os.environ.get("MONITOR_REGOLDEN"):
        expected_file.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert got == json.loads(expected_file.read_text(encoding="utf-8"))


def test_golden_pages_keep_boilerplate_out_and_the_whole_article_in() -> None:
    """What the golden files pin is right in the first place: every paragraph of the article, no page furniture."""
    samples = Path(__file__).parent / "fixtures" / "samples"
    page = _record(GOLDEN / "sberbank_deepseek.html")
    text = "\n".join(page["text"])  # type: ignore[arg-type]
    article = [line.strip() for line in (samples / "000_8ec56b153a773baa.txt").read_text().splitlines()[1:]]
    assert all(line in text for line in article if line)
    for furniture in ("reader42", "Sign up", "Related stories", "cookies", "Share on", "All rights reserved"):
        assert furniture not in text
    assert page["author"] == "Anna Petrova" and page["language"] == "en"


def test_a_paywall_teaser_is_refused_not_stored() -> None:
    assert "error" in _record(GOLDEN / "paywall_teaser.html")


def test_every_golden_page_has_its_expected_file() -> None:
    assert len(PAGES) >= 3
    assert all(p.with_suffix(".json").is_file() for p in PAGES)


def _news_page(head: str = "") -> bytes:
    body = ("The agreement signed on 13 October 2016 in Kazan set up a joint laboratory. Officials said on "
            "Monday, 2 March 2015, that the laboratory would train researchers from both countries, and the "
            "second phase, announced on 7 April 2019, extended it to chip design and to "
            "cloud computing. ") * 3
    return (f"<html><head><title>Joint lab</title>{head}</head><body><article><h1>Joint lab</h1>"
            f"<p>{body}</p></article></body></html>").encode()


def test_a_page_is_not_dated_by_the_dates_its_text_mentions() -> None:
    """An undated page is dated by its fetch (the crawl's fallback), not by an event its text names:
    such a date is years off and cuts the article out of its story's time window. (A dateline in ISO
    form, "Updated: 2016-05-30 09:53", is still read: it is the page's own date.)"""
    assert extract_page(_news_page(), "https://news.example.org/joint-lab").date is None


def test_a_page_is_dated_by_its_markup() -> None:
    meta = '<meta property="article:published_time" content="2026-11-28T09:30:00+00:00">'
    got = extract_page(_news_page(meta), "https://news.example.org/joint-lab").date
    assert got is not None and got.date().isoformat() == "2026-11-28"
