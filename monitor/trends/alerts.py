"""Signals -> alert records with a deduplication key and a human reason. Pure."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import date

from monitor.mentions.pairs import Pairing
from monitor.records import AlertDraft
from monitor.trends.detect import Signal
from monitor.words import day_name, plural

__all__ = ["AlertDraft", "draft", "drafts", "pairing_draft"]

SPIKE_KINDS = {"topic": "spike", "watch": "watch_spike", "entity": "entity_spike"}


def draft(signal: Signal, subject_kind: str, name: str, baseline_days: int, stories: list[int]) -> AlertDraft:
    day = day_name(signal.day)
    if signal.kind == "first_seen":
        kind, key = "first_seen", f"first_seen:{subject_kind}:{signal.key}"
        title = f"First sighting: {name}"
        reason = f"{name} appears for the first time: {plural(signal.count, 'article')} on {day}."
    elif signal.kind == "emerging":
        kind, key = "emerging", f"emerging:{subject_kind}:{signal.key}"
        title = f"Emerging topic: {name}"
        reason = (f"New topic {name!r} is growing: {plural(signal.count, 'article')} on {day}, "
                  f"{signal.baseline:.1f} a day since it appeared.")
    else:
        kind = SPIKE_KINDS[subject_kind]
        key = f"{kind}:{subject_kind}:{signal.key}:{signal.day.isoformat()}"
        title = f"Spike: {name}"
        reason = (f"{plural(signal.count, 'article')} about {name} on {day} against a {baseline_days}-day baseline of "
                  f"{signal.baseline:.1f} a day (z = {signal.score:.1f}).")
    return AlertDraft(key, kind, subject_kind, signal.key, title, signal.day, signal.count, round(signal.baseline, 3),
                      round(signal.score, 3), reason, tuple(stories))


def drafts(signals: Iterable[Signal], subject_kind: str, names: Callable[[str], str], baseline_days: int,
           stories: Callable[[Signal], list[int]]) -> list[AlertDraft]:
    return [draft(s, subject_kind, names(s.key), baseline_days, stories(s)) for s in signals]


def pairing_draft(p: Pairing, labels: dict[str, str]) -> AlertDraft:
    """Two entities named together for the first time, by several outlets: alerted once."""
    a, b = labels.get(p.a, p.a), labels.get(p.b, p.b)
    outlets = ", ".join(p.outlets[:5]) + (f" and {len(p.outlets) - 5} more" if len(p.outlets) > 5 else "")
    reason = (f"{a} and {b} are named together for the first time: {plural(len(p.articles), 'article')} "
              f"from {len(p.outlets)} independent outlets ({outlets}) since {day_name(p.first_seen)}.")
    subject = p.key if len(p.key) <= 250 else hashlib.sha256(p.key.encode("utf-8")).hexdigest()
    return AlertDraft(f"new_pairing:entity:{subject}", "new_pairing", "entity", subject, f"New pairing: {a} + {b}",
                      p.corroborated.date(), len(p.articles), 0.0, float(len(p.outlets)), reason, p.story_ids[:5])


def watched_once(found: Iterable[AlertDraft], entity_of: Mapping[str, str]) -> list[AlertDraft]:
    """``found`` without the spike of an entity on a day its watch term spiked: the analyst's own term tells
    it, once (the demo had "Spike: SMIC" twice in a row, as a watch spike and an entity spike).
    ``entity_of``: each watch term that names a registered entity, with its key. Order is kept."""
    found = list(found)
    told = {(entity_of[d.subject], d.day) for d in found
            if d.kind == "watch_spike" and d.subject in entity_of}
    return [d for d in found if not (d.kind == "entity_spike" and (d.subject, d.day) in told)]
