"""Corroborated spikes and share of voice on the real store: a spike needs independent outlets, more feeds
is not a spike, and a subject that spiked stays quiet for its cooldown."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from outputs_kit import webhook_server

from monitor.config import Config
from monitor.deliver.alerts import send_pending
from monitor.settings import Settings
from monitor.store import alerts as alert_db
from monitor.store import trends as trend_db
from monitor.store.db import session_scope
from monitor.store.tables import Article, ArticleSource, ArticleTopic, Feed, Topic
from monitor.trends.service import refresh

DAY = date(2026, 6, 20)
SPIKE_TOPIC, OTHER_TOPIC = 1, 2


def _config(tmp_path: Path, **trends: Any) -> Config:
    return Config.model_validate({"feeds": [{"name": "f", "url": "http://127.0.0.1:9/feed"}],
                                  "data_dir": str(tmp_path / "data"), "watchlist": [], "trends": trends})


class _Store:
    def __init__(self, engine: Any) -> None:
        self.engine, self.n, self.feeds = engine, 0, {}
        with session_scope(engine) as s:
            s.add_all([Topic(id=SPIKE_TOPIC, name="Chip export controls", seeded=True),
                       Topic(id=OTHER_TOPIC, name="Everything else", seeded=True)])

    def feed(self, name: str) -> int:
        if name not in self.feeds:
            with session_scope(self.engine) as s:
                row = Feed(name=name, url=f"http://127.0.0.1:9/{len(self.feeds)}/feed")
                s.add(row)
                s.flush()
                self.feeds[name] = int(row.id)
        return self.feeds[name]

    def add(self, outlet: str, topic: int, day: date, duplicate_of: int | None = None) -> int:
        self.n += 1
        when = datetime.combine(day, time(8), UTC) + timedelta(minutes=self.n % 600)
        feed = self.feed(outlet)
        with session_scope(self.engine) as s:
            row = Article(canonical_url=f"http://127.0.0.1:9/a/{self.n}", url=f"http://127.0.0.1:9/a/{self.n}",
                          first_feed_id=feed, title=f"Report {self.n} on topic {topic}", text=f"Text {self.n}.",
                          published_at=when, fetched_at=when, status="extracted", duplicate_of=duplicate_of,
                          content_hash=hashlib.sha256(str(self.n).encode()).hexdigest())
            s.add(row)
            s.flush()
            s.add(ArticleSource(article_id=row.id, feed_id=feed, entry_url=row.url, seen_at=when))
            s.add(ArticleTopic(article_id=row.id, topic_id=topic))
            return int(row.id)

    def quiet_history(self, days: int = 14, scale: int = 1) -> None:
        """One article a day on the spike topic, twenty on others, from several outlets (x ``scale``)."""
        for back in range(days, 0, -1):
            self.usual(DAY - timedelta(days=back), scale)

    def usual(self, day: date, scale: int = 1, trickle: bool = True) -> None:
        for i in range(scale if trickle else 0):
            self.add(f"Wire {i % 3}", SPIKE_TOPIC, day)
        for i in range(20 * scale):
            self.add(f"Wire {i % 4}", OTHER_TOPIC, day)


def _run(engine: Any, config: Config, day: date = DAY) -> list[Any]:
    refresh(engine, config, datetime.combine(day, time(23), UTC))
    return [a for a in alert_db.list_alerts(engine) if a.subject == str(SPIKE_TOPIC)]


def _spike(store: _Store, outlets: list[str], day: date = DAY, n: int = 20, trickle: bool = False) -> list[int]:
    """``n`` articles on the spike topic from ``outlets`` in turn (and the usual trickle from a wire if asked)."""
    store.usual(day, trickle=trickle)
    return [store.add(outlets[i % len(outlets)], SPIKE_TOPIC, day) for i in range(n)]


def test_one_outlet_publishing_twenty_copies_does_not_alert(engine: Any, tmp_path: Path) -> None:
    store = _Store(engine)
    store.quiet_history()
    ids = _spike(store, ["Burst Daily"])
    (alert,) = _run(engine, _config(tmp_path))
    assert alert.kind == "unconfirmed_spike" and alert.sources == 1 and alert.count == 20
    assert sorted(alert.evidence) == sorted(ids)
    assert "Burst Daily (20)" in alert.reason and "not alerted" in alert.reason
    assert _delivered(engine, tmp_path) == []  # shown, never delivered


def _delivered(engine: Any, tmp_path: Path) -> list[Any]:
    with webhook_server() as hook:
        base = _config(tmp_path)
        config = base.model_copy(update={"alerts": base.alerts.model_copy(update={"webhook_url": hook.url,
                                                                                  "email": False})})
        send_pending(engine, config, Settings(), datetime.combine(DAY, time(23, 30), UTC))
    return hook.bodies


def test_the_same_spike_across_three_outlets_alerts_with_its_evidence(engine: Any, tmp_path: Path) -> None:
    store = _Store(engine)
    store.quiet_history()
    ids = _spike(store, ["Burst Daily", "Harbor Times", "Capital Signal"])
    (alert,) = _run(engine, _config(tmp_path))
    assert alert.kind == "spike" and alert.sources == 3 and alert.count == 20
    assert sorted(alert.evidence) == sorted(ids)
    assert "3 independent outlets" in alert.reason and "Harbor Times (7)" in alert.reason
    (body,) = _delivered(engine, tmp_path)
    assert body["kind"] == "spike" and body["sources"] == 3 and sorted(body["evidence"]) == sorted(ids)


def test_a_burst_over_the_usual_trickle_from_another_outlet_is_not_corroborated(engine: Any, tmp_path: Path) -> None:
    store = _Store(engine)
    store.quiet_history()
    _spike(store, ["Burst Daily"], trickle=True)  # 20 from one outlet, the usual 1 from a wire
    (alert,) = _run(engine, _config(tmp_path))
    assert alert.kind == "unconfirmed_spike" and alert.sources == 2 and alert.count == 21


def test_syndicated_copies_in_other_outlets_are_not_independent_sources(engine: Any, tmp_path: Path) -> None:
    store = _Store(engine)
    store.quiet_history()
    originals = _spike(store, ["Burst Daily"])
    for i, original in enumerate(originals[:10]):  # near-duplicates carried by two other outlets
        store.add(["Harbor Times", "Capital Signal"][i % 2], SPIKE_TOPIC, DAY, duplicate_of=original)
    (alert,) = _run(engine, _config(tmp_path))
    assert alert.kind == "unconfirmed_spike" and alert.sources == 1 and alert.count == 20


def test_min_sources_one_alerts_on_a_single_outlet(engine: Any, tmp_path: Path) -> None:
    store = _Store(engine)
    store.quiet_history()
    _spike(store, ["Burst Daily"])
    (alert,) = _run(engine, _config(tmp_path, min_sources=1))
    assert alert.kind == "spike"


def test_more_feeds_is_not_a_spike_when_the_share_holds(engine: Any, tmp_path: Path) -> None:
    store = _Store(engine)
    store.quiet_history()
    store.usual(DAY, scale=5)  # five times the feeds: five times the articles on every topic
    assert _run(engine, _config(tmp_path)) == []
    assert trend_db.daily_series(engine, "topic")[str(SPIKE_TOPIC)][DAY] == 5  # the count did jump


def test_a_subject_that_spiked_stays_quiet_for_its_cooldown(engine: Any, tmp_path: Path) -> None:
    store = _Store(engine)
    store.quiet_history(days=20)
    outlets = ["Burst Daily", "Harbor Times", "Capital Signal"]
    config = _config(tmp_path, cooldown_days=5, lookback_days=1)
    _spike(store, outlets)
    assert [a.day for a in _run(engine, config, DAY)] == [DAY]
    for later in (1, 2):
        store.usual(DAY + timedelta(days=later))
    _spike(store, outlets, day=DAY + timedelta(days=3), n=40)
    assert [a.day for a in _run(engine, config, DAY + timedelta(days=3))] == [DAY]  # within the cooldown
    for later in range(4, 9):
        store.usual(DAY + timedelta(days=later))
    _spike(store, outlets, day=DAY + timedelta(days=9), n=60)
    days = sorted(a.day for a in _run(engine, config, DAY + timedelta(days=9)))
    assert days == [DAY, DAY + timedelta(days=9)]  # after it


def test_evidence_is_capped_but_every_outlet_is_counted(engine: Any, tmp_path: Path) -> None:
    store = _Store(engine)
    store.quiet_history()
    _spike(store, [f"Outlet {i}" for i in range(7)], n=30)
    (alert,) = _run(engine, _config(tmp_path))
    assert alert.sources == 7 and len(alert.evidence) == 20 and "and 2 more" in alert.reason
