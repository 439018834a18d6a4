"""Trend stage wired to the database: recompute recent daily counts, store new alerts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from monitor.config import Config
from monitor.store import analysis as db
from monitor.store import trends as trend_db
from monitor.store.tables import Alert, DailyCount
from monitor.trends.alerts import AlertDraft, drafts
from monitor.trends.counts import Counts, DayArticle, daily_counts
from monitor.trends.detect import SpikeRule, emerging, first_seen, spikes
from monitor.trends.watch import compile_watchlist


def refresh(engine: Engine, config: Config, now: datetime) -> dict[str, Any]:
    """Recount the last ``baseline_days + lookback_days`` days; alert on the last ``lookback_days``."""
    trends = config.trends
    today = now.astimezone(UTC).date()
    first = today - timedelta(days=trends.baseline_days + trends.lookback_days)
    rows = trend_db.articles_since(engine, datetime.combine(first, time(), UTC))
    matcher = compile_watchlist((w.name, w.aliases) for w in config.watchlist)
    counts = daily_counts((DayArticle(r.day, r.text, r.topic_id, r.story_id) for r in rows if r.day <= today),
                          matcher)
    trend_db.replace_daily_counts(engine, first, [DailyCount(day=c.day, kind=c.kind, key=c.key, count=c.count,
                                                       share=c.share) for c in counts.rows])
    days = [today - timedelta(days=i) for i in range(trends.lookback_days)]
    found = detect(engine, config, counts, days, now)
    added = trend_db.insert_alerts(engine, [_alert(d, now) for d in found])
    return {"days": (today - first).days + 1, "counts": len(counts.rows), "articles": len(rows),
            "signals": len(found), "alerts": len(added)}


def detect(engine: Engine, config: Config, counts: Counts, days: list[date], now: datetime) -> list[AlertDraft]:
    trends = config.trends
    rule = SpikeRule(trends.baseline_days, trends.min_count, trends.z_threshold, trends.ratio)
    topics = {str(t.id): t for t in db.all_topics(engine)}
    name = lambda key: topics[key].name if key in topics else f"topic {key}"
    out: list[AlertDraft] = []
    topic_series = counts.series("topic")
    for key, series in sorted(topic_series.items()):
        if key == "-1":
            continue
        stories = lambda s, k=key: counts.top_stories("topic", k, s.day)
        out += drafts(spikes(series, key, days, rule), "topic", name, trends.baseline_days, stories)
        topic = topics.get(key)
        if topic is not None and not topic.seeded and topic.first_seen_at and \
                now - topic.first_seen_at <= timedelta(days=trends.emerging_days):
            start = min(d for d, n in series.items() if n > 0)
            out += drafts(emerging(series, key, start, days, trends.emerging_days, trends.min_count), "topic",
                          name, trends.baseline_days, stories)
    first_days = trend_db.first_days(engine, "watch")
    for key, series in sorted(counts.series("watch").items()):
        stories = lambda s, k=key: counts.top_stories("watch", k, s.day)
        history = {first_days.get(key, min(series)): 1, **series}
        out += drafts(first_seen(history, key, days), "watch", str, trends.baseline_days, stories)
        out += drafts(spikes(series, key, days, rule), "watch", str, trends.baseline_days, stories)
    return out


def _alert(d: AlertDraft, now: datetime) -> Alert:
    return Alert(dedup_key=d.dedup_key, kind=d.kind, subject_kind=d.subject_kind, subject=d.subject, title=d.title,
                 day=d.day, count=d.count, baseline=d.baseline, score=d.score, reason=d.reason,
                 story_ids=list(d.story_ids), created_at=now)
