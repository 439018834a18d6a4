"""The static site on a real database: paths, escaping, links, feeds, JSON and incremental rebuilds."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from outputs_data import NOW, XSS_TITLE, config_dict, populate
from outputs_kit import audit, links

from monitor.cli import cli
from monitor.config import Config
from monitor.deliver.digests import run_due
from monitor.deliver.site import build_site
from monitor.settings import Settings
from monitor.store.db import session_scope
from monitor.store.tables import Article, DailyCount, Story, StoryMember, Topic

ATOM = "{http://www.w3.org/2005/Atom}"
REQUIRED = ["index.html", "style.css", "topics/1.html", "topics/3.html", "alerts.html", "digests/index.html",
            "digests/2026-03-10.html", "feeds/digests.atom", "feeds/alerts.atom", "topics.json", "trends.json"]


def _build(engine: Any, tmp_path: Path, **site: Any) -> tuple[Config, dict[str, Any]]:
    config = Config.model_validate(config_dict(tmp_path, site={"out": str(tmp_path / "site"), **site}))
    run_due(engine, config, Settings(), NOW, send=False)
    return config, build_site(engine, config, NOW)


def _pages(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


def _mtimes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def test_site_has_every_path_and_no_injected_markup(engine: Any, tmp_path: Path) -> None:
    fx = populate(engine)
    _, summary = _build(engine, tmp_path)
    root = tmp_path / "site"
    for rel in [*REQUIRED, *(f"stories/{sid}.html" for sid in fx.stories.values())]:
        assert (root / rel).is_file(), rel
    assert summary["stories_rendered"] == 3
    for page in _pages(root):
        html = page.read_text(encoding="utf-8")
        assert audit(html) == [], page
        assert 'lang="en"' in html and "<h1" in html and 'name="viewport"' in html
    story = (root / f"stories/{fx.stories['sber']}.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;Sberbank &amp; DeepSeek &lt;b&gt;unclosed" in story
    assert "&lt;img src=x onerror=alert(&#39;feed&#39;)&gt;Wire" in story


def test_internal_links_resolve(engine: Any, tmp_path: Path) -> None:
    populate(engine)
    _build(engine, tmp_path)
    root = tmp_path / "site"
    checked = 0
    for page in _pages(root):
        for href in links(page.read_text(encoding="utf-8")):
            if href.startswith(("http://", "https://", "#", "mailto:")):
                continue
            target = (page.parent / href.split("#")[0]).resolve()
            assert target.is_file(), f"{page.relative_to(root)} -> {href}"
            assert root.resolve() in target.parents
            checked += 1
    assert checked > 30


def test_charts_are_inline_svg_with_accessible_names(engine: Any, tmp_path: Path) -> None:
    populate(engine)
    _build(engine, tmp_path)
    index = (tmp_path / "site/index.html").read_text(encoding="utf-8")
    assert index.count('<svg class="chart"') == 2 and 'aria-labelledby="chart-30-title chart-30-desc"' in index
    assert index.count('<svg class="spark" role="img" aria-label=') == 4
    assert audit(index) == [] and index.count("<link") == 1  # no script or image; one local stylesheet
    assert '<link rel="stylesheet" href="style.css">' in index
    topic = (tmp_path / "site/topics/1.html").read_text(encoding="utf-8")
    assert '<svg class="chart" id="chart-topic"' in topic and "<polyline" in topic


def test_feeds_and_json(engine: Any, tmp_path: Path) -> None:
    fx = populate(engine)
    _build(engine, tmp_path, base_url="https://monitor.example.org/")
    root = tmp_path / "site"
    alerts = ET.parse(root / "feeds/alerts.atom").getroot()
    entries = alerts.findall(f"{ATOM}entry")
    assert entries[0].findtext(f"{ATOM}title") == f"New topic {XSS_TITLE}"
    assert entries[0].find(f"{ATOM}link").get("href") == "https://monitor.example.org/topics/3.html"
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == 2
    digests = ET.parse(root / "feeds/digests.atom").getroot()
    (entry,) = digests.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}link").get("href") == "https://monitor.example.org/digests/2026-03-10.html"
    topics = json.loads((root / "topics.json").read_text(encoding="utf-8"))
    assert {t["id"] for t in topics["topics"]} == {1, 2, 3, 4}
    assert "<" not in (root / "topics.json").read_text(encoding="utf-8")
    by_id = {t["id"]: t for t in topics["topics"]}
    assert by_id[1]["top_stories"][0]["id"] == fx.stories["sber"]
    trends = json.loads((root / "trends.json").read_text(encoding="utf-8"))
    assert len(trends["days"]) == 90 and trends["days"][-1] == "2026-03-09"  # the last day with counts
    assert sum(trends["topics"]["2"]["counts"]) == sum(6 + b % 2 for b in range(1, 21))
    assert sum(trends["total"]) == 20 * 12


def test_rebuild_rewrites_only_what_changed(engine: Any, tmp_path: Path) -> None:
    fx = populate(engine)
    config, _ = _build(engine, tmp_path)
    root = tmp_path / "site"
    before = _mtimes(root)
    again = build_site(engine, config, NOW)
    assert again["written"] == 0 and again["stories_rendered"] == 0 and _mtimes(root) == before
    with session_scope(engine) as s:  # a day's crawl: one more article in the chips story, new counts
        story = s.get(Story, fx.stories["chips"])
        article = s.get(Article, fx.articles["late"])
        s.add(StoryMember(article_id=article.id, story_id=story.id))
        story.size, story.last_seen_at = story.size + 1, NOW
        count = s.get(DailyCount, (NOW.date() - timedelta(days=1), "topic", "2"))
        count.count += 3
    after = build_site(engine, config, NOW + timedelta(hours=1))
    changed = {k for k, v in _mtimes(root).items() if before.get(k) != v}
    assert after["stories_rendered"] == 1
    assert f"stories/{fx.stories['chips']}.html" in changed
    assert f"stories/{fx.stories['sber']}.html" not in changed and "topics/4.html" not in changed
    assert {"index.html", "topics/2.html", "trends.json"} <= changed
    assert "digests/2026-03-10.html" not in changed and "alerts.html" not in changed


def test_deleted_story_page_is_removed(engine: Any, tmp_path: Path) -> None:
    fx = populate(engine)
    config, _ = _build(engine, tmp_path)
    page = tmp_path / "site" / f"stories/{fx.stories['brics']}.html"
    keep = tmp_path / "site" / "notes.txt"
    keep.write_text("the analyst's own file", encoding="utf-8")
    with session_scope(engine) as s:
        s.delete(s.get(Story, fx.stories["brics"]))
    result = build_site(engine, config, NOW)
    assert result["removed"] == 1 and not page.exists() and keep.exists()


def test_cli_site_out_folder_gets_the_digests_too(engine: Any, database_url: str, tmp_path: Path,
                                                   write_config: Any) -> None:
    populate(engine)
    config = Config.model_validate(config_dict(tmp_path))
    run_due(engine, config, Settings(), NOW, send=False)
    path = write_config(config_dict(tmp_path))
    out = tmp_path / "elsewhere"
    result = CliRunner().invoke(cli, ["--config", str(path), "site", "--out", str(out)],
                                env={"MONITOR_DATABASE_URL": database_url}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file() and (out / "digests/2026-03-10.html").is_file()
    assert (out / "digests/2026-03-10.txt").read_bytes() == (tmp_path / "site/digests/2026-03-10.txt").read_bytes()


_PARALLEL_BUILD = """
import json, sys
from monitor.config import Config
from monitor.deliver.site import build_site
from monitor.store.db import make_engine
from outputs_data import NOW
url, config, out, workers = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3], int(sys.argv[4])
engine = make_engine(url)
print(json.dumps(build_site(engine, Config.model_validate(config), NOW, out=out, workers=workers), default=str))
"""


def _build_apart(database_url: str, config: Path, out: Path, workers: int) -> dict[str, Any]:
    """A site build in a fresh interpreter: the test process runs server threads, and a process with
    threads builds without forking, so only a process of its own tests the parallel build."""
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), *sys.path])}
    done = subprocess.run([sys.executable, "-c", _PARALLEL_BUILD, database_url, str(config), str(out), str(workers)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_parallel_story_pages_match_the_single_process_build(engine: Any, database_url: str,
                                                             tmp_path: Path) -> None:
    populate(engine)
    config = tmp_path / "config.json"
    config.write_text(json.dumps(config_dict(tmp_path)), encoding="utf-8")
    engine.dispose()
    one = _build_apart(database_url, config, tmp_path / "one", 1)
    two = _build_apart(database_url, config, tmp_path / "two", 2)
    assert (one["workers"], two["workers"]) == (1, 2)
    assert two["stories_rendered"] == 3 and two["pages"] == one["pages"]
    for page in (tmp_path / "one").rglob("*"):
        if page.is_file():
            assert (tmp_path / "two" / page.relative_to(tmp_path / "one")).read_bytes() == page.read_bytes(), page
    again = _build_apart(database_url, config, tmp_path / "two", 2)
    assert again["written"] == 0 and again["stories_skipped"] == 3


def test_retired_topic_keeps_its_page_but_leaves_the_index(engine: Any, tmp_path: Path) -> None:
    populate(engine)
    with session_scope(engine) as s:
        s.get(Topic, 4).active = False
    _build(engine, tmp_path)
    root = tmp_path / "site"
    assert 'href="topics/4.html"' not in (root / "index.html").read_text(encoding="utf-8")
    assert "retired" in (root / "topics/4.html").read_text(encoding="utf-8")
    topics = json.loads((root / "topics.json").read_text(encoding="utf-8"))["topics"]
    assert topics[-1]["id"] == 4 and topics[-1]["active"] is False


def test_only_a_spike_is_compared_with_its_usual_volume(engine: Any, tmp_path: Path) -> None:
    """A first-seen topic or a new pairing has no usual volume: "2 articles vs 0.0 usual" says nothing."""
    populate(engine)
    _build(engine, tmp_path)
    items = (tmp_path / "site" / "alerts.html").read_text(encoding="utf-8").split("<li")
    spike = next(i for i in items if "AI alliances and partnerships: 4 articles" in i)
    first = next(i for i in items if "New topic" in i)
    assert "vs 0.5 usual" in spike and "usual" not in first


def test_a_site_before_any_article_says_what_is_missing(engine: Any, tmp_path: Path) -> None:
    """The first build after an offline first run: no empty table or blank chart without a word."""
    build_site(engine, Config.model_validate(config_dict(tmp_path)), NOW)
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "No trends yet" in index and "No topics yet." in index
    assert "<table" not in index and "chart-30" not in index
    assert audit(index) == []


def test_a_topic_rises_on_the_index_only_beyond_its_ordinary_variation() -> None:
    """+100 % on a topic of two articles a week is noise; the index lists a topic as rising when its week
    stands out from its usual one by more than chance, and says so when none does."""
    from monitor.render.records import SiteData, SiteMeta, TopicTrend
    from monitor.render.site import render_index, rising

    day = date(2026, 11, 30)
    topics = (TopicTrend(1, "Sanctions and export controls", count=23, baseline=9.5, series=(23,), days=(day,)),
              TopicTrend(2, "Film festivals", count=4, baseline=2.0, series=(4,), days=(day,)),
              TopicTrend(3, "Cyber and surveillance", count=7, baseline=4.5, series=(7,), days=(day,)))
    data = SiteData(SiteMeta(title="Monitor"), day, (day,), topics)
    assert [t.name for t in rising(data)] == ["Sanctions and export controls"]
    quiet = SiteData(SiteMeta(title="Monitor"), day, (day,), topics[1:])
    assert rising(quiet) == [] and "No topic is rising above its usual volume" in render_index(quiet)


def test_the_index_lists_topics_in_the_digests_order() -> None:
    """Rising topics first; then the analyst's topics before discovered ones, whatever a small discovered
    topic's momentum: a falling analyst topic of 4 articles is not listed (nor coloured) after filler of 1."""
    from monitor.render.records import SiteData, SiteMeta, TopicTrend
    from monitor.render.site import chart_colors, render_index

    day = date(2026, 11, 30)
    days = (day - timedelta(days=1), day)
    topics = (TopicTrend(1, "Street food market opens", count=1, baseline=4.0, series=(4, 1), days=days),
              TopicTrend(2, "AI alliances", seeded=True, count=4, baseline=10.5, series=(10, 4), days=days),
              TopicTrend(3, "Sanctions", seeded=True, count=23, baseline=9.5, series=(9, 23), days=days))
    assert topics[0].momentum > topics[1].momentum  # by momentum alone the filler would lead
    index = render_index(SiteData(SiteMeta(title="Monitor"), day, days, topics))
    table = index[index.index('id="topics"'):]
    assert [table.index(f'href="topics/{i}.html"') for i in (3, 2, 1)] == sorted(
        table.index(f'href="topics/{i}.html"') for i in (3, 2, 1))
    colors = chart_colors(SiteData(SiteMeta(title="Monitor"), day, days, topics))
    assert list(colors) == [3, 2, 1]


def test_nothing_rises_against_weeks_the_monitor_did_not_watch(engine: Any, tmp_path: Path) -> None:
    """A rise is judged against the days before: with articles stored on too few of them (a new monitor),
    neither the index nor the digest calls a topic rising (both say why) or new."""
    from monitor.deliver.digests import digest_data
    from monitor.deliver.site import site_data
    from monitor.render.digest import headline
    from monitor.render.site import render_index, render_topic, rising

    populate(engine)
    config = Config.model_validate(config_dict(tmp_path))
    watched = site_data(engine, config, NOW)
    assert watched.judged and "Too little history" not in render_index(watched)
    assert all("vs usual" in render_topic(watched, t) for t in watched.topics)
    assert [t.id for t in watched.topics if t.emerging] == [3]
    before = digest_data(engine, config, NOW.date())
    assert any(t.rising for t in before.topics) and [t.id for t in before.emerging] == [3]

    with session_scope(engine) as s:  # the monitor's store now starts five days ago
        for row in s.query(DailyCount).filter(DailyCount.kind == "total", DailyCount.day < NOW.date() - timedelta(days=5)):
            s.delete(row)
    new = site_data(engine, config, NOW)
    assert not new.judged and rising(new) == [] and "Too little history yet" in render_index(new)
    for topic in new.topics:  # no topic page, index row or digest section measures against the empty weeks
        page = render_topic(new, topic)
        assert "vs usual" not in page and "too little history yet" in page and 'aria-label="rising"' not in page
    assert 'aria-label="rising"' not in render_index(new)
    digest = digest_data(engine, config, NOW.date())
    assert digest.topics and not any(t.rising for t in digest.topics)
    assert "too little history yet to tell which topics rose" in headline(digest)
    assert digest.emerging == () and not any(t.emerging for t in new.topics)  # on a new monitor every topic is new
    from monitor.deliver.digests import render_for_site
    shown = render_for_site(digest, config)
    assert "Too little history yet to tell which topics are new." in shown.html
    assert "Too little history yet to tell which topics are new." in shown.text and "No new topics" not in shown.text
    assert "a day usually" not in shown.html and "a day usually" not in shown.text
    assert "a day usually" in render_for_site(before, config).text
