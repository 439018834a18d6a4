"""Trends on the database: the corpus replayed day by day alerts on its planted spike exactly once."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from monitor.config import Config
from monitor.demo.corpus import build_corpus, planted_spike
from monitor.store import analysis as db
from monitor.store import alerts as alert_db
from monitor.store import trends as trend_db
from monitor.store.db import session_scope
from monitor.store.tables import ArticleTopic, Topic
from monitor.topics.service import process_new
from monitor.trends.service import refresh

END = date(2026, 4, 30)


def _label_topics(engine: sa.Engine, corpus: list, ids: dict[str, int], topic_ids: dict[str, int]) -> None:
    """Topic assignment as a perfect topic model would make it (the trend stage is tested alone);
    off-topic noise is BERTopic's outlier topic -1."""
    with session_scope(engine) as s:
        for name, tid in topic_ids.items():
            if tid >= 0 and s.get(Topic, tid) is None:
                s.add(Topic(id=tid, name=name, seeded=True))
        for a in corpus:
            if s.get(ArticleTopic, ids[a.id]) is None:
                s.add(ArticleTopic(article_id=ids[a.id], topic_id=topic_ids[a.topic]))


@pytest.fixture
def config(tmp_path) -> Config:
    return Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}], data_dir=str(tmp_path / "data"))


def _replay(engine: sa.Engine, config: Config, corpus: list) -> tuple[dict[str, int], list[dict]]:
    topic_ids = {name: i for i, name in enumerate(sorted({a.topic for a in corpus} - {"noise"}))}
    topic_ids["noise"] = -1
    ids: dict[str, int] = {}
    summaries = []
    for day in sorted({a.published.date() for a in corpus}):
        batch = [a for a in corpus if a.published.date() == day]
        for at in (time(12, 30), time(23, 59, 59)):  # two runs a day: counts grow during the day, alerts must not repeat
            now = datetime.combine(day, at, UTC)
            due = [a for a in batch if a.published <= now and a.id not in ids]
            ids.update(db.add_corpus(engine, due, "http://127.0.0.1:9", now))
            _label_topics(engine, due, ids, topic_ids)
            process_new(engine, config, now)
            summaries.append(refresh(engine, config, now))
    return topic_ids, summaries


@pytest.mark.slow
def test_planted_spike_alerts_exactly_once_and_quiet_days_do_not(engine: sa.Engine, config: Config) -> None:
    corpus = build_corpus(seed=7, days=30, end=END)
    topic_ids, _ = _replay(engine, config, corpus)
    spike_topic, spike_day = planted_spike(30, END)
    alerts = alert_db.list_alerts(engine)
    topic_alerts = [a for a in alerts if a.subject_kind == "topic"]
    assert [(a.kind, a.subject, a.day) for a in topic_alerts] == [("spike", str(topic_ids[spike_topic]), spike_day)]
    (alert,) = topic_alerts
    total = sum(1 for a in corpus if a.topic == spike_topic and a.published.date() == spike_day)
    assert config.trends.min_count <= alert.count <= total  # alerted by the midday run, as soon as it showed
    assert alert.baseline < 2 and alert.score >= config.trends.z_threshold
    assert spike_topic in alert.reason and str(alert.count) in alert.reason
    assert alert.story_ids
    for story in db.list_stories(engine, limit=1000):
        if story.id in alert.story_ids:
            assert story.topic_id == topic_ids[spike_topic]
    refresh(engine, config, datetime.combine(END, time(23, 59), UTC))
    assert len(alert_db.list_alerts(engine)) == len(alerts)


def test_watchlist_first_sightings_alert_once_per_term(engine: sa.Engine, config: Config) -> None:
    config = config.model_copy(update={"trends": config.trends.model_copy(update={"min_history_days": 0})})
    corpus = build_corpus(seed=7, days=12, end=END)
    _replay(engine, config, corpus)
    first = [a for a in alert_db.list_alerts(engine) if a.kind == "first_seen"]
    counts = Counter(a.subject for a in first)
    assert counts and max(counts.values()) == 1
    mentioned = {w.name for w in config.watchlist
                 if any(w.name.lower() in f"{a.title} {a.text}".lower() for a in corpus)}
    assert set(counts) == mentioned
    huawei = next(a for a in first if a.subject == "Huawei")
    first_day = min(a.published.date() for a in corpus if "huawei" in f"{a.title} {a.text}".lower())
    assert huawei.day == first_day


def test_nothing_alerts_about_a_day_without_history(engine: sa.Engine, config: Config) -> None:
    """A new monitor's first days: every term is seen for the first time and every count is above an
    empty baseline. Alerts start once articles were stored on min_history_days of the days before."""
    corpus = build_corpus(seed=7, days=12, end=END)
    _replay(engine, config, corpus)
    start = min(a.published.date() for a in corpus)
    alerts = alert_db.list_alerts(engine)
    first_alerted = start + timedelta(days=config.trends.min_history_days)
    assert alerts and min(a.day for a in alerts) >= first_alerted
    seen = {a.subject for a in alerts if a.kind == "first_seen"}
    early = {w.name for w in config.watchlist
             if any(w.name.lower() in f"{a.title} {a.text}".lower() for a in corpus if a.published.date() < first_alerted)}
    assert early and not seen & early  # a term first seen before the history is not "new" afterwards either


def test_daily_counts_stored_with_shares(engine: sa.Engine, config: Config) -> None:
    corpus = build_corpus(seed=7, days=5, end=END)
    _replay(engine, config, corpus)
    totals = trend_db.daily_series(engine, "total")["all"]
    unique = Counter(a.published.date() for a in corpus)
    assert totals == dict(unique)
    with engine.connect() as conn:
        shares = conn.execute(sa.text("SELECT day, sum(share) FROM daily_count WHERE kind = 'topic' GROUP BY day"))
        for _, total in shares:
            assert total == pytest.approx(1.0)
    stories = trend_db.daily_series(engine, "story")
    assert sum(sum(days.values()) for days in stories.values()) == len(corpus)


@pytest.mark.slow
def test_cli_trends_and_alerts(engine: sa.Engine, config: Config, write_config, database_url: str,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from monitor.cli import cli

    corpus = build_corpus(seed=7, days=30, end=END)
    _replay(engine, config, corpus)
    path = write_config({"feeds": [{"name": "f", "url": "http://127.0.0.1:9/feed"}], "data_dir": config.data_dir})
    monkeypatch.setenv("MONITOR_DATABASE_URL", database_url)
    runner = CliRunner()
    shown = runner.invoke(cli, ["alerts", "--since", "2026-01-01", "--config", str(path)])
    assert shown.exit_code == 0, shown.output
    spike_topic, _ = planted_spike(30, END)
    assert f"Spike: {spike_topic}" in shown.output and "First sighting: " in shown.output
    assert "no alerts" in runner.invoke(cli, ["alerts", "--since", "1h", "--config", str(path)]).output
    bad = runner.invoke(cli, ["alerts", "--since", "yesterday", "--config", str(path)])
    assert bad.exit_code != 0 and "72h, 3d, 2w" in bad.output
    trends = runner.invoke(cli, ["trends", "--days", "3", "--config", str(path)])
    assert trends.exit_code == 0 and spike_topic in trends.output
    stories = runner.invoke(cli, ["stories", "--since", "2026-04-25", "--config", str(path)])
    assert stories.exit_code == 0 and "outlets" in stories.output
    # the same, as JSON for scripts: every listed alert and story, dates in ISO form
    listed = json.loads(runner.invoke(cli, ["alerts", "--since", "2026-01-01", "--json", "--config", str(path)]).output)
    assert f"Spike: {spike_topic}" in {a["title"] for a in listed}
    assert any(a["kind"] == "first_seen" and a["title"].startswith("First sighting: ") for a in listed)
    assert len(listed) == shown.output.count("\n       ") and all(date.fromisoformat(a["day"]) for a in listed)
    assert json.loads(runner.invoke(cli, ["alerts", "--since", "1h", "--json", "--config", str(path)]).output) == []
    as_json = json.loads(runner.invoke(cli, ["stories", "--since", "2026-04-25", "--json", "--config", str(path)]).output)
    assert [s["id"] for s in as_json] == [int(line.split()[0]) for line in stories.output.splitlines()]
    assert all(s["outlets"] >= 1 and s["articles"] >= 2 for s in as_json)


def test_parse_since() -> None:
    from monitor.cli.topics import parse_since

    now = datetime(2026, 5, 10, 12, tzinfo=UTC)
    assert parse_since("72h", now, timedelta(days=1)) == now - timedelta(hours=72)
    assert parse_since("2w", now, timedelta(days=1)) == now - timedelta(weeks=2)
    assert parse_since(None, now, timedelta(days=3)) == now - timedelta(days=3)
    assert parse_since("2026-05-01", now, timedelta(days=1)) == datetime(2026, 5, 1, tzinfo=UTC)
