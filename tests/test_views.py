"""The pure builders: what the store read in, what the digest shows out; no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from outputs_data import config_dict

from monitor.config import Config
from monitor.records import DigestRows, StoredAlert, StoryRecord, TopicRecord, WindowArticle
from monitor.views.digest import build_digest, described_day, history_days

START = datetime(2026, 3, 8, 7, tzinfo=UTC)
END = START + timedelta(days=1)


def _article(i: int, topic: int, story: int | None, outlet: str) -> WindowArticle:
    return WindowArticle(i, f"title {i}", f"https://{outlet}/{i}", "", outlet, START + timedelta(hours=i), topic, story)


def _rows(articles: list[WindowArticle], alerts: tuple[StoredAlert, ...] = (), watched: int = 14) -> DigestRows:
    """``watched``: the days before the window, of its 14, on which the monitor stored articles."""
    topics = (TopicRecord(1, "Chips", seeded=True), TopicRecord(2, "Cables", seeded=True), TopicRecord(3, "Muted"))
    story = StoryRecord(50, "Export rules", 4, 3, START - timedelta(days=2), START + timedelta(hours=2), 1)
    days = history_days(START, END, 14)
    history = {"1": {d: 2 for d in days}, "2": {d: 0 for d in days}}
    totals = {"all": {d: 5 for d in days[len(days) - watched:]}} if watched else {}
    return DigestRows(tuple(articles), topics, {50: story}, history, totals, {}, {}, alerts)


def test_the_digest_ranks_rising_topics_first_and_a_windows_stories_before_lone_articles(tmp_path: Path) -> None:
    config = Config.model_validate(config_dict(tmp_path, discovered_topics=[{"id": 3, "mute": True}]))
    articles = [_article(1, 1, 50, "a.example"), _article(2, 1, 50, "b.example"), _article(3, 1, None, "c.example"),
                _article(4, 2, None, "a.example"), _article(5, 2, None, "d.example"), _article(6, 3, None, "e.example"),
                _article(7, -1, None, "f.example"), _article(8, 2, None, "g.example"), _article(9, 2, None, "h.example")]
    muted_alert = StoredAlert(9, "spike", "topic", "3", "Spike: Muted", described_day(START, END), 5, 1.0, 4.0, "r",
                              START, topic_id=3)
    data = build_digest(_rows(articles, (muted_alert,)), config, START.date(), START, END)
    assert [t.name for t in data.topics] == ["Cables", "Chips"]  # 4 against none rises; 3 against 2 a day is chance
    assert [t.rising for t in data.topics] == [True, False]
    chips = data.topics[1]
    assert [(s.id, s.window_count, [link.outlet for link in s.sources]) for s in chips.stories] == [
        (50, 2, ["a.example", "b.example"]), (0, 1, ["c.example"])]
    assert chips.baseline == 2.0 and chips.series[-1] == 3
    assert data.total == 9 and data.unassigned == 1 and data.alerts == ()
    assert history_days(START, END, 14)[-1] == date(2026, 3, 7)
    new = build_digest(_rows(articles, watched=6), config, START.date(), START, END)  # a monitor of six days
    assert [t.name for t in new.topics] == ["Cables", "Chips"] and not any(t.rising for t in new.topics)  # by count
