"""Trend stage wired to the database: bring daily counts up to date, store new alerts."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine

from monitor.clock import utc_day
from monitor.config import Config
from monitor.entities.registry import messengers, registry_from_config
from monitor.entities.watch import WatchedEntity, watched
from monitor.mentions.pairs import Pairing, fewest_per_story, without_belonging
from monitor.mentions.scanners import Scanner, scanners
from monitor.records import Placement
from monitor.store import alerts as alert_db
from monitor.store import analysis as db
from monitor.store import counts as count_db
from monitor.store import mentions as mention_db
from monitor.store import named as named_db
from monitor.store import spikes as spike_db
from monitor.store import trends as trend_db
from monitor.trends.alerts import AlertDraft, drafts, pairing_draft, watched_once
from monitor.trends.corroborate import SPIKES, cool_down, corroborate
from monitor.trends.counts import story_tally, tally, with_shares
from monitor.trends.detect import Signal, SpikeRule, emerging, first_seen, has_history, spikes
from monitor.trends.watch import WatchMatcher, watchlist_matcher

if TYPE_CHECKING:
    from sqlmodel import Session  # the counting pass's transaction, opened by the store


def _signature(terms: tuple[WatchedEntity, ...]) -> str:
    return json.dumps([[w.name, sorted(w.aliases)] for w in terms], ensure_ascii=False)


def update_counts(engine: Engine, config: Config) -> dict[str, int]:
    """Count new articles and those whose topic or story changed (or that are gone), over all history:
    only the days they left or joined are tallied again.

    A changed watchlist recounts everything (its matches are remembered per article).
    """
    terms, furniture = watched(config), _furniture(engine, config)
    with count_db.counting(engine, _signature(terms)) as s:
        todo = count_db.pending(s)
        new = _matched(s, todo.new, watchlist_matcher(terms), furniture)
        now_placed = [after for _, after in todo.moved]
        days = sorted({p.day for p in (*new, *todo.gone, *(before for before, _ in todo.moved), *now_placed)})
        on_days = count_db.place(s, [*new, *now_placed], [p.article_id for p in todo.gone], days)
        count_db.replace_counts(s, days, with_shares(tally(on_days)))  # each touched day tallied afresh
    return {"new": len(new), "moved": len(todo.moved), "gone": len(todo.gone), "days": len(days)}


def _matched(s: Session, placements: list[Placement], matcher: WatchMatcher,
             furniture: frozenset[int]) -> list[Placement]:
    if not matcher.names:
        return placements
    by_id = {p.article_id: p for p in placements}
    out = []
    for batch in count_db.texts(s, list(by_id), furniture):
        out += [replace(by_id[i], watch=tuple(sorted(matcher.matches(text)))) for i, text in batch.items()]
    return out


def update_mentions(engine: Engine, config: Config, found: list[Scanner] | None = None) -> dict[str, Any]:
    """Read the articles no scanner has read yet (all of them when the scanners changed), each without
    its site's furniture as the analysis reads it, so what an article names does not depend on the
    order the crawl stored its site's articles in."""
    return mention_db.scan_pass(engine, scanners(config) if found is None else found,
                                furniture=_furniture(engine, config), media=messengers(config))


def _furniture(engine: Engine, config: Config) -> frozenset[int]:
    return db.furniture(engine, config.dedupe.site_repeats)


def refresh(engine: Engine, config: Config, now: datetime, found: list[Scanner] | None = None) -> dict[str, Any]:
    """Bring mentions and counts up to date; alert on the last ``lookback_days`` and on new pairings.

    ``found``: the mention scanners (default: those the configuration asks for)."""
    trends = config.trends
    today = now.astimezone(UTC).date()
    mentioned = update_mentions(engine, config, found)
    counted = update_counts(engine, config)
    first = today - timedelta(days=trends.baseline_days + trends.lookback_days)
    days = [today - timedelta(days=i) for i in range(trends.lookback_days)]
    found_alerts = [*detect(engine, config, first, days, now), *pairing_drafts(engine, config, now)]
    added = alert_db.insert_alerts(engine, found_alerts, now)
    return {**counted, "mentions": mentioned["mentions"], "scanned": mentioned["scanned"],
            "signals": len(found_alerts), "alerts": added}


def pairing_drafts(engine: Engine, config: Config, now: datetime) -> list[AlertDraft]:
    """Entities named together for the first time in the last ``pairing_days``, by enough outlets."""
    days = config.trends.pairing_days
    found = named_db.find_pairings(engine, now - timedelta(days=days), now, config.trends.pairing_sources)
    found = reportable(engine, config, found, utc_day(now - timedelta(days=days)))
    labels = named_db.labels(engine, named_db.ENTITY, [k for p in found for k in (p.a, p.b)])
    return [pairing_draft(p, labels) for p in found]


def reportable(engine: Engine, config: Config, found: list[Pairing], since: date) -> list[Pairing]:
    """The new pairings (first seen since ``since``) worth telling: first seen on a day with history
    (``has_history``: on a new monitor's first days every two names are named together "for the first
    time"), of two actors, not of a news medium credited by the article (``messengers``), and at most
    ``trends.pairings_per_story`` from one story (``fewest_per_story``), none of an entity with what it
    belongs to or made redundant by a more precise one (``without_belonging``)."""
    trends = config.trends
    totals = trend_db.daily_series(engine, "total", since - timedelta(days=trends.baseline_days)).get("all", {})
    media = messengers(config)
    told = [p for p in found if p.a not in media and p.b not in media
                and has_history(utc_day(p.first_seen), totals, trends.baseline_days, trends.min_history_days)]
    return fewest_per_story(without_belonging(told, registry_from_config(config).lineages), trends.pairings_per_story)


def _top_stories(engine: Engine) -> Callable[[str, str, Signal], list[int]]:
    tally = cache(lambda day: story_tally(count_db.placements_on(engine, day)))

    def top(kind: str, key: str, signal: Signal, n: int = 5) -> list[int]:
        counter = tally(signal.day).get((kind, key, signal.day), {})
        return [sid for sid, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]

    return top


def detect(engine: Engine, config: Config, first: date, days: list[date], now: datetime) -> list[AlertDraft]:
    """Alerts on ``days`` from the counts since ``first`` (first sightings and a topic's start: all history)."""
    rule = SpikeRule(config.trends.baseline_days, config.trends.min_count, config.trends.z_threshold,
                     config.trends.ratio)
    top = _top_stories(engine)
    totals = trend_db.daily_series(engine, "total", first).get("all", {})
    days = [d for d in days if has_history(d, totals, rule.baseline_days, config.trends.min_history_days)]
    if not days:
        return []
    found = [*_topic_drafts(engine, config, first, days, rule, top, totals),
             *_watch_drafts(engine, config, first, days, rule, top, totals),
             *_entity_drafts(engine, config, first, days, rule, totals)]
    return _reviewed(engine, config, watched_once(found, {w.name: w.entity for w in watched(config) if w.entity}))


def _reviewed(engine: Engine, config: Config, found: list[AlertDraft]) -> list[AlertDraft]:
    """Spikes with their evidence: unconfirmed when too few independent outlets, dropped in a cooldown."""
    checked = [corroborate(d, spike_db.evidence(engine, d.subject_kind, d.subject, d.day), config.trends.min_sources)
               for d in found]
    if not checked:
        return []
    since = min(d.day for d in checked) - timedelta(days=config.trends.cooldown_days)
    return cool_down(checked, spike_db.spike_days(engine, since, SPIKES), config.trends.cooldown_days)


def _topic_drafts(engine: Engine, config: Config, first: date, days: list[date], rule: SpikeRule,
                  top: Callable[[str, str, Signal], list[int]], totals: dict[date, int]) -> list[AlertDraft]:
    """Spikes of every topic; emerging: a discovered topic growing since its first article (not since the fit
    that found it), as the digest's "new topics" are."""
    trends = config.trends
    topics = {str(t.id): t for t in db.all_topics(engine)}
    name = lambda key: topics[key].name if key in topics else f"topic {key}"
    starts = trend_db.first_days(engine, "topic")
    out: list[AlertDraft] = []
    for key, series in sorted(trend_db.daily_series(engine, "topic", first).items()):
        if key == "-1":
            continue
        stories = lambda s, k=key: top("topic", k, s)
        out += drafts(spikes(series, key, days, rule, totals), "topic", name, trends.baseline_days, stories)
        if key in topics and not topics[key].seeded and key in starts:
            out += drafts(emerging(series, key, starts[key], days, trends.emerging_days, trends.min_count), "topic",
                          name, trends.baseline_days, stories)
    return out


def _watch_drafts(engine: Engine, config: Config, first: date, days: list[date], rule: SpikeRule,
                  top: Callable[[str, str, Signal], list[int]], totals: dict[date, int]) -> list[AlertDraft]:
    out: list[AlertDraft] = []
    first_days = trend_db.first_days(engine, "watch")
    for key, series in sorted(trend_db.daily_series(engine, "watch", first).items()):
        stories = lambda s, k=key: top("watch", k, s)
        history = {first_days.get(key, min(series)): 1, **series}
        out += drafts(first_seen(history, key, days), "watch", str, config.trends.baseline_days, stories)
        out += drafts(spikes(series, key, days, rule, totals), "watch", str, config.trends.baseline_days, stories)
    return out


def _entity_drafts(engine: Engine, config: Config, first: date, days: list[date], rule: SpikeRule,
                   totals: dict[date, int]) -> list[AlertDraft]:
    """Spikes of the articles naming each entity (days in UTC, like the other counts)."""
    series = named_db.daily(engine, named_db.ENTITY, first, max(days))
    media = messengers(config)
    signals = [s for key, counts in sorted(series.items()) if key not in media
               for s in spikes(counts, key, days, rule, totals)]
    if not signals:
        return []
    names = named_db.labels(engine, named_db.ENTITY, [s.key for s in signals])
    stories = named_db.key_stories(engine, named_db.ENTITY, [s.key for s in signals], limit=5, newest=True)
    return drafts(signals, "entity", lambda k: names.get(k, k), config.trends.baseline_days,
                  lambda s: [sid for sid, _ in stories.get(s.key, [])])
