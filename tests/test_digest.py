"""The digest against a real database (SQLite and PostgreSQL): window, sections, files, rows, CLI."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from outputs_data import DAY, NOW, XSS_TITLE, config_dict, populate
from outputs_kit import audit

from monitor.cli import cli
from monitor.config import Config
from monitor.deliver.digests import digest_data, run_due
from monitor.settings import Settings
from monitor.store.db import session_scope
from monitor.store.tables import Delivery, Digest


def _config(tmp_path: Path, **sections: Any) -> Config:
    return Config.model_validate(config_dict(tmp_path, **sections))


def test_window_holds_articles_by_published_else_fetch_time(engine: Any, tmp_path: Path) -> None:
    fx = populate(engine)
    data = digest_data(engine, _config(tmp_path), DAY)
    shown = {link.url for t in data.topics for s in t.stories for link in s.sources}
    assert data.total == len(fx.in_window)
    assert "https://byteline.example.org/fut" in shown  # dated in the future: counted at its fetch time
    assert "https://reuters.example.org/late" not in shown  # published before the window, fetched inside
    assert "https://mirror.example.org/sber" not in shown  # a duplicate
    assert "https://reuters.example.org/old" not in shown
    assert data.unassigned == 1


def test_rising_topics_first_with_baseline_and_series(engine: Any, tmp_path: Path) -> None:
    populate(engine)
    data = digest_data(engine, _config(tmp_path), DAY)
    names = [t.name for t in data.topics]
    # 4 against a usual 0.5 rises; a new topic's 2 could be chance; then the analyst's topics first, so
    # "Sanctions" (usually 6.5 a day, 2 today: falling) before the discovered one
    assert names == ["AI alliances and partnerships", "Sanctions and export controls",
                     "<script>alert('topic')</script>GigaChat models"]
    assert [t.rising for t in data.topics] == [True, False, False]
    alliances = next(t for t in data.topics if t.id == 1)
    assert alliances.count == 4 and alliances.arrow == "▲"
    assert 0.0 < alliances.baseline < 1.0
    assert alliances.series[-1] == 4 and len(alliances.series) == 15
    assert alliances.stories[0].outlets == 4 and len(alliances.stories[0].sources) == 4
    assert "Quiet topic" not in names  # nothing in the window


def test_sections_emerging_alerts_and_watch(engine: Any, tmp_path: Path) -> None:
    populate(engine)
    data = digest_data(engine, _config(tmp_path), DAY)
    assert [t.id for t in data.emerging] == [3]
    assert len(data.alerts) == 2 and data.alerts[0].score >= data.alerts[1].score
    assert data.alerts[0].topic_id == 3
    watch = {w.term: w.count for w in data.watch}
    assert watch["Sberbank"] == 4 and watch["GigaChat"] == 1 and "Huawei" not in watch


def test_top_stories_respects_config(engine: Any, tmp_path: Path) -> None:
    populate(engine)
    data = digest_data(engine, _config(tmp_path, digest={"top_stories": 1}), DAY)
    assert all(len(t.stories) <= 1 for t in data.topics)
    sanctions = next(t for t in data.topics if t.id == 2)
    assert sanctions.stories[0].title == "Export controls on chips"  # a real story ranks before a lone article


def test_run_due_writes_files_and_records_the_digest(engine: Any, tmp_path: Path) -> None:
    populate(engine)
    config = _config(tmp_path)
    result = run_due(engine, config, Settings(), NOW, send=True)
    (only,) = result["digests"]
    html = Path(only["html"])
    assert html == tmp_path / "site" / "digests" / "2026-03-10.html"
    assert html.with_suffix(".txt").read_text(encoding="utf-8").count("==") >= 8
    assert audit(html.read_text(encoding="utf-8")) == []
    assert "&lt;script&gt;alert(&#39;title&#39;)" in html.read_text(encoding="utf-8")
    assert XSS_TITLE in html.with_suffix(".txt").read_text(encoding="utf-8")
    with session_scope(engine) as s:
        row = s.get(Digest, DAY)
        assert row is not None and row.articles == 9 and row.window_end == NOW - timedelta(hours=2)
        assert s.query(Delivery).count() == 0  # no recipients configured


def test_a_story_with_outlets_outside_the_day_says_how_many_the_digest_lists(engine: Any, tmp_path: Path) -> None:
    """A story's outlet count covers its whole life; the digest lists the day's articles only."""
    from monitor.store.tables import Story

    populate(engine)
    with session_scope(engine) as s:
        story = next(st for st in s.query(Story).all() if st.topic_id == 1)
        story.outlets = 6  # two more outlets reported it before the digest's day
    html = Path(run_due(engine, _config(tmp_path), Settings(), NOW, send=False)["digests"][0]["html"])
    assert "6 outlets in all, 4 in this digest" in html.with_suffix(".txt").read_text(encoding="utf-8")
    assert "6 outlets in all, 4 in this digest" in html.read_text(encoding="utf-8")


def test_run_due_before_the_digest_time_renders_the_previous_day(engine: Any, tmp_path: Path) -> None:
    populate(engine)
    result = run_due(engine, _config(tmp_path), Settings(), NOW - timedelta(hours=3), send=False)
    assert [d["day"] for d in result["digests"]] == ["2026-03-09"]
    assert result["digests"][0]["articles"] == 1  # only "Old news about sanctions" (published 03:00 on the 9th)


def test_run_due_catches_up_a_missed_day_once_there_is_history(engine: Any, tmp_path: Path) -> None:
    populate(engine)
    config = _config(tmp_path)
    run_due(engine, config, Settings(), NOW - timedelta(days=2), send=False)  # the 8 March digest
    result = run_due(engine, config, Settings(), NOW, send=False)  # 9 March was missed
    assert [d["day"] for d in result["digests"]] == ["2026-03-09", "2026-03-10"]


def test_empty_day_is_one_line(engine: Any, tmp_path: Path) -> None:
    result = run_due(engine, _config(tmp_path), Settings(), NOW, send=False)
    text = Path(result["digests"][0]["text"]).read_text(encoding="utf-8")
    assert "No new articles in this period." in text
    assert "==" not in text


def _invoke(args: list[str], url: str, config: Path) -> Any:
    return CliRunner().invoke(cli, ["--config", str(config), *args], env={"MONITOR_DATABASE_URL": url},
                              catch_exceptions=False)


def test_cli_digest_for_a_date_and_dry_run(engine: Any, database_url: str, tmp_path: Path,
                                           write_config: Any) -> None:
    populate(engine)
    config = write_config(config_dict(tmp_path, email={"to": ["a@example.org"]}))
    dry = _invoke(["digest", "--date", "2026-03-10", "--dry-run"], database_url, config)
    assert dry.exit_code == 0, dry.output
    assert "To: a@example.org" in dry.output and "AI alliances and partnerships" in dry.output
    assert not (tmp_path / "site" / "digests").exists()
    done = _invoke(["digest", "--date", "2026-03-10"], database_url, config)
    assert done.exit_code == 0, done.output
    assert "9 articles" in done.output and (tmp_path / "site" / "digests" / "2026-03-10.html").is_file()


def test_cli_rejects_a_bad_date(tmp_path: Path, write_config: Any, sqlite_url: str) -> None:
    config = write_config(config_dict(tmp_path))
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        _invoke(["digest", "--date", "10/03/2026"], sqlite_url, config)


def test_rerendering_an_unchanged_digest_keeps_its_time(engine: Any, tmp_path: Path) -> None:
    populate(engine)
    config = _config(tmp_path)
    run_due(engine, config, Settings(), NOW, send=False)
    again = run_due(engine, config, Settings(), NOW + timedelta(hours=1), send=False)
    assert again["digests"][0]["written"] is False
    with session_scope(engine) as s:
        assert s.get(Digest, DAY).rendered_at == NOW


def test_watch_terms_in_the_text_count_when_the_feed_gives_no_description(engine: Any, tmp_path: Path) -> None:
    """The watch section reads each article's summary; a feed without descriptions stores an empty one,
    and the start of the article's text stands in for it."""
    import sqlalchemy as sa

    from monitor.store.tables import Article

    populate(engine)
    with session_scope(engine) as s:
        s.execute(sa.update(Article).values(summary="", text="Reported with GigaChat in view. " + Article.text))
    watch = {w.term: w.count for w in digest_data(engine, _config(tmp_path), DAY).watch}
    assert watch["Sberbank"] == 4 and watch["GigaChat"] >= 4


def test_watch_section_reads_the_names_the_counts_read(engine: Any, tmp_path: Path) -> None:
    """Once the trend stage has counted the window's articles, each is listed under the watch names found
    in its whole text, as the daily counts have it, not only those in its title and summary."""
    import sqlalchemy as sa

    from monitor.store.tables import Article
    from monitor.trends.service import update_counts

    populate(engine)
    with session_scope(engine) as s:
        s.execute(sa.update(Article).values(text=sa.func.coalesce(Article.text, "") + " Later on: GigaChat."))
    config = _config(tmp_path)
    before = {w.term: w.count for w in digest_data(engine, config, DAY).watch}
    update_counts(engine, config)
    data = digest_data(engine, config, DAY)
    watch = {w.term: w.count for w in data.watch}
    assert before["GigaChat"] == 1  # in one summary only
    assert watch["GigaChat"] == data.total and watch["Sberbank"] == before["Sberbank"]
