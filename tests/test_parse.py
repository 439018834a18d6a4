"""Feed parsing (pure): links, dates, encodings, sizes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.errors import ParseError
from monitor.parse.feed import parse_feed, plain_text
from tests.feedkit import Item, atom, rss

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
BASE = "https://news.example.org/rss/feed.xml"


def parse(body: bytes, headers: dict[str, str] | None = None, **kwargs):
    return parse_feed(body, headers or {"content-type": "application/rss+xml"}, BASE, NOW, **kwargs)


def test_rss_entries_with_relative_links_and_dates():
    items = [Item("A &amp; B", "/world/a.html", summary="<p>Hello <b>world</b></p>", published=NOW - timedelta(hours=1)),
             Item("Guid only", None, guid="https://news.example.org/g/1")]
    body = rss(items).replace(b'isPermaLink="false"', b'isPermaLink="true"')
    feed = parse(body)
    assert [e.url for e in feed.entries] == ["https://news.example.org/world/a.html", "https://news.example.org/g/1"]
    first = feed.entries[0]
    assert first.title == "A & B" and first.summary == "Hello world"
    assert first.published == NOW - timedelta(hours=1)
    assert feed.entries[1].published is None


def test_atom_feed():
    feed = parse(atom([Item("Atom entry", "https://news.example.org/x", summary="s", published=NOW)]),
                 {"content-type": "application/atom+xml"})
    assert feed.entries[0].url == "https://news.example.org/x" and feed.entries[0].published == NOW


def test_newest_entries_kept_up_to_the_cap():
    items = [Item(f"n{i}", f"/{i}", published=NOW - timedelta(minutes=i)) for i in range(30)]
    feed = parse(rss(list(reversed(items))), max_entries=10)
    assert [e.title for e in feed.entries] == [f"n{i}" for i in range(10)]
    assert feed.skipped == 20


def test_duplicate_links_within_a_feed_are_collapsed():
    feed = parse(rss([Item("a", "/same"), Item("b", "/same")]))
    assert len(feed.entries) == 1 and feed.skipped == 1


@pytest.mark.parametrize("body", [b"", b"   \n", b"<!DOCTYPE html><html><body>hi</body></html>"])
def test_not_a_feed(body):
    with pytest.raises(ParseError):
        parse(body)


def test_charset_from_content_type_header():
    title = "Ограничения на экспорт чипов"
    body = rss([Item(title, "/ru")], encoding="koi8-r", declare=False)
    feed = parse(body, {"content-type": "application/rss+xml; charset=koi8-r"})
    assert feed.entries[0].title == title


def test_dates_before_1995_or_after_tomorrow_are_dropped():
    items = [Item("old", "/o", raw_date="Sun, 01 Jan 1989 00:00:00 GMT"),
             Item("future", "/f", raw_date="Tue, 24 Nov 2026 13:00:00 GMT"),
             Item("near future", "/nf", raw_date="Fri, 20 Nov 2026 18:00:00 GMT")]
    by_title = {e.title: e for e in parse(rss(items)).entries}
    assert by_title["old"].published is None and by_title["future"].published is None
    assert by_title["near future"].published == datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


def test_plain_text_drops_markup_but_keeps_angle_bracket_words():
    assert plain_text("<p>US &amp; EU <i>chips</i></p><script>x()</script> <AI>") == "US & EU chips <AI>"


@pytest.mark.timeout(20)  # a hang guard: the quadratic regex took minutes on these fields
@pytest.mark.parametrize("hostile", ["<script" * 40_000, "<!--" * 40_000, "<style>" + "<p" * 60_000, "<b>" * 200_000])
def test_plain_text_of_a_hostile_field_is_bounded(hostile):
    assert len(plain_text(hostile + "tail", 300)) <= 300
    assert plain_text(hostile, 1000) == plain_text(hostile[: 1000 * 8 + 1000], 1000)


def test_plain_text_drops_comments_styles_and_control_characters():
    assert plain_text("<style>p{}</style>A<!-- hidden -->\x00B &lt;tag&gt; C&nbsp;D") == "AB <tag> C D"
