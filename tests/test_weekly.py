"""Week-by-week sections of the site, from the real store and the real renderers: a topic page's strongest
co-mentions with their weekly articles, the share of each bloc's articles that went to the topic, and the
coverage page's share of voice per bloc; known counts in, the right numbers out, everything escaped."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from mention_kit import ALIASES, AliasScanner, add_article, at
from outputs_kit import audit

from monitor.config import Config
from monitor.deliver.site import build_site, site_data
from monitor.render.charts import bars, share_chart
from monitor.render.weekly import week_starts
from monitor.store.db import session_scope
from monitor.store.tables import ArticleTopic, Feed, Topic
from monitor.trends.coverage import BlocShare, bloc_shares, weekly
from monitor.trends.service import refresh

NOW = at(10, 9)
HOSTILE = "<script>alert('pair')</script>Rosatom & Co"


def _world(engine: Any) -> None:
    """Topic 1 names Sberbank with DeepSeek in three articles (26 Feb; 5 and 6 Mar), and Putin with three others
    once each; russia outlets publish 3 articles (2 about topic 1), west outlets 4 (2 about topic 1), and a
    russia copy of a west article is a duplicate that counts nowhere."""
    with session_scope(engine) as s:
        named = [("TASS", "russia"), ("RIA", "russia"), ("Reuters", "west"), ("AP", "west")]
        feeds = [Feed(name=n, url=f"https://feed{i}.example.org/rss", bloc=b) for i, (n, b) in enumerate(named)]
        s.add_all(feeds)
        s.add_all([Topic(id=1, name="AI alliances", seeded=True, size=4), Topic(id=2, name="Other", size=2)])
        s.flush()
        f = {feed.name: int(feed.id or 0) for feed in feeds}
    rows = [  # key, text, feed, when, topic
        ("a1", "Sberbank and DeepSeek sign a deal.", "TASS", at(26, 10, 2), 1),
        ("a2", "Sberbank with DeepSeek; Putin approves.", "RIA", at(5, 10), 1),
        ("a3", "Sberbank, DeepSeek: the alliance grows.", "Reuters", at(6, 10), 1),
        ("a4", "Putin and Xi Jinping met; Rosatom signed.", "AP", at(6, 11), 1),
        ("a5", "Xi Jinping praised DeepSeek.", "Reuters", at(6, 12), 2),
        ("a6", "Weather in Brussels.", "AP", at(5, 12), None),
        ("a8", "GigaChat update.", "RIA", at(5, 13), 2),
    ]
    ids = {}
    for key, text, feed, when, topic in rows:
        ids[key] = add_article(engine, key, text, text, f[feed], when)
        if topic is not None:
            with session_scope(engine) as s:
                s.add(ArticleTopic(article_id=ids[key], topic_id=topic))
    copy = add_article(engine, "a7", "Sberbank, DeepSeek: the alliance grows.", "Sberbank, DeepSeek: again.",
                       f["TASS"], at(6, 14), duplicate_of=ids["a3"])
    with session_scope(engine) as s:
        s.add(ArticleTopic(article_id=copy, topic_id=1))


def _build(engine: Any, tmp_path: Path) -> tuple[Path, tuple[date, ...]]:
    _world(engine)
    config = Config(feeds=[{"name": "TASS", "url": "https://feed0.example.org/rss", "bloc": "russia"}],
                    site={"out": str(tmp_path / "site")}, digest={"time": "07:00", "timezone": "UTC"})
    scanner = AliasScanner({**ALIASES, "org:rosatom": (HOSTILE, ["Rosatom"])})
    refresh(engine, config, NOW, [scanner])
    build_site(engine, config, NOW)
    return tmp_path / "site", week_starts(site_data(engine, config, NOW).through)


def _index(starts: tuple[date, ...], day: date) -> int:
    return next(i for i, s in enumerate(starts) if s <= day < date.fromordinal(s.toordinal() + 7))


def _rows(page: str, anchor: str) -> list[str]:
    section = page.split(f'id="{anchor}"')[1].split("</table>")[0]
    return section.split("<tbody>")[1].split("</tr>")[:-1]


def _cells(row: str) -> list[str]:
    """The row's cells as text, bars' titles left out (their weekly figures are read by _titles)."""
    return [re.sub(r"<svg.*?</svg>|<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def _titles(row: str) -> list[str]:
    return re.findall(r"<rect [^>]*><title>([^<]*)</title>", row)


def test_a_topic_page_shows_its_strongest_pairs_week_by_week(engine: Any, tmp_path: Path) -> None:
    root, starts = _build(engine, tmp_path)
    page = (root / "topics" / "1.html").read_text(encoding="utf-8")
    assert audit(page) == [] and "<script>alert(" not in page
    rows = _rows(page, "pairs")
    assert [c[:2] + c[3:] for c in map(_cells, rows)] == [
        ["DeepSeek + Sberbank", "3", "2"],  # the copy in TASS is a duplicate: not counted
        ["DeepSeek + Vladimir Putin", "1", "1"],  # then by key; five pairs at most (Putin + Xi is the sixth)
        ["&lt;script&gt;alert(&#39;pair&#39;)&lt;/script&gt;Rosatom &amp; Co + Vladimir Putin", "1", "1"],
        ["&lt;script&gt;alert(&#39;pair&#39;)&lt;/script&gt;Rosatom &amp; Co + Xi Jinping", "1", "1"],
        ["Sberbank + Vladimir Putin", "1", "1"],
    ]
    weeks = [0] * len(starts)
    weeks[_index(starts, date(2026, 2, 26))] = 1
    weeks[_index(starts, date(2026, 3, 6))] = 2
    counted = {0: "0 articles", 1: "1 article", 2: "2 articles"}
    assert _titles(rows[0]) == [f"week of {s:%d %b}: {counted[n]}" for s, n in zip(starts, weeks, strict=True)]
    assert 'href="../entities/' in rows[0]  # entities with a page are linked


def test_a_topic_page_shows_each_blocs_share_going_to_it(engine: Any, tmp_path: Path) -> None:
    root, starts = _build(engine, tmp_path)
    rows = _rows((root / "topics" / "1.html").read_text(encoding="utf-8"), "blocs")
    cells = [_cells(r) for r in rows]
    # russia: 2 of its 3 articles are about topic 1 (last week 1 of 2); west: 2 of 4 (all in the last week)
    assert [c[:3] + c[4:] for c in cells] == [["Russia", "2 of 3", "66.7%", "50.0%"],
                                             ["West", "2 of 4", "50.0%", "50.0%"]]
    before, last = _index(starts, date(2026, 2, 26)), _index(starts, date(2026, 3, 6))
    russia = _titles(rows[0])
    assert russia[before] == f"week of {starts[before]:%d %b}: 100.0% (1 of 1 article)"
    assert russia[last] == f"week of {starts[last]:%d %b}: 50.0% (1 of 2 articles)"
    assert _titles(rows[1])[before].endswith(": – (0 of 0 articles)")


def test_the_coverage_page_shows_each_blocs_share_of_all_articles(engine: Any, tmp_path: Path) -> None:
    root, starts = _build(engine, tmp_path)
    page = (root / "coverage.html").read_text(encoding="utf-8")
    assert 'href="#share-of-voice"' in page and page.count('id="share-of-voice"') == 1 and audit(page) == []
    assert [_cells(r) for r in _rows(page, "share-of-voice")] == [
        ["West", "4", "57.1%", "66.7%"],  # 4 of 7 articles; 4 of 6 in the last week
        ["Russia", "3", "42.9%", "33.3%"],
    ]
    assert "Russia: 42.9% over the period, 33.3% in the last week." in page  # the chart's description
    assert page.count("<polyline") >= 4  # two lines, wide and narrow


def test_shares_are_weekly_and_none_where_nothing_was_published() -> None:
    starts = week_starts(date(2026, 3, 14), 2)
    assert starts == (date(2026, 3, 1), date(2026, 3, 8))
    days = {date(2026, 2, 28): 5, date(2026, 3, 1): 1, date(2026, 3, 7): 2, date(2026, 3, 14): 3, date(2026, 3, 15): 4}
    assert weekly(days, starts) == (3, 3)  # days before the first week or after the last are left out
    topic = {"west": {date(2026, 3, 2): 1, date(2026, 3, 9): 3}, "": {date(2026, 3, 9): 1}, "china": {}}
    totals = {"west": {date(2026, 3, 2): 4, date(2026, 3, 9): 4}, "": {date(2026, 3, 9): 2},
              "russia": {date(2026, 3, 3): 5}}
    west, russia, unknown = bloc_shares(topic, totals, starts)  # china published nothing in the weeks
    assert west == BlocShare("west", (1, 3), (4, 4)) and west.shares == (0.25, 0.75) and west.overall == 0.5
    assert russia == BlocShare("russia", (0, 0), (5, 0)) and russia.shares == (0.0, None)  # silent on the topic
    assert unknown.bloc == "" and unknown.shares == (None, 0.5)  # no bloc: last; nothing to divide: None


def test_bars_and_the_share_chart_are_numbers_on_one_scale() -> None:
    drawn = bars([0, 2, 4], ["a", "b", "c"], "label", high=8, width=32, height=18)
    assert [b.height for b in drawn.bars] == [1.0, 4.0, 8.0] and [b.title for b in drawn.bars] == ["a", "b", "c"]
    chart = share_chart([("west", [0.2, 0.4]), ("russia", [None, 0.1])], [date(2026, 3, 1), date(2026, 3, 8)], "l")
    assert [t.label for t in chart.y_ticks] == ["0%", "25%", "50%"]
    assert len(chart.lines[0].points.split()) == 2 and len(chart.lines[1].points.split()) == 1  # None: no point
