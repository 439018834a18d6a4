"""Stable topic ids across refits. Pure: no I/O.

Seeded topics keep one id per analyst name for ever. A discovered topic inherits
the id of the existing discovered topic whose centroid is most
similar, if that similarity reaches ``match_similarity`` (greedy, best pairs
first, each old id used once); otherwise it gets a fresh id above every id ever
used, so an id never changes meaning. A discovered topic's name is its label at the
latest fit (names and keywords), so it follows what the topic holds now.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from monitor.config import TopicSeed
from monitor.records import TopicRecord
from monitor.topics.embeddings import from_bytes, normalise, to_bytes
from monitor.topics.labels import HEADLINES
from monitor.topics.model import FoundTopic


@dataclass(frozen=True)
class Identity:
    mapping: dict[int, int]  # BERTopic id -> stable topic id
    topics: list[TopicRecord]  # to upsert (active)


def assign_ids(found: Sequence[FoundTopic], existing: Sequence[TopicRecord], seeds: Sequence[TopicSeed],
               match_similarity: float, now: datetime) -> Identity:
    by_name = {t.name: t for t in existing if t.seeded}
    next_id = max((t.id for t in existing), default=-1) + 1
    rows: dict[int, TopicRecord] = {}
    seed_ids: dict[str, int] = {}
    for seed in seeds:  # every analyst topic exists, even before it has articles
        old = by_name.get(seed.name)
        if old is None:
            old, next_id = TopicRecord(id=next_id, name=seed.name, seeded=True, first_seen_at=now), next_id + 1
        seed_ids[seed.name] = old.id
        rows[old.id] = _row(old, seed.name, seed.description, seed.keywords, True, now)
    for f in sorted(found, key=lambda f: -f.size):  # an analyst topic of several clusters: largest first
        if f.seed in seed_ids:
            row = rows[seed_ids[f.seed]]
            rows[row.id] = replace(row, headlines=(*row.headlines, *f.headlines)[:HEADLINES])
    mapping = {f.bertopic_id: seed_ids[f.seed] for f in found if f.seed in seed_ids}
    discovered = [f for f in found if f.seed not in seed_ids]
    matches = _match(discovered, [t for t in existing if not t.seeded and t.centroid], match_similarity)
    for f in discovered:
        old = matches.get(f.bertopic_id)
        if old is None:
            old, next_id = TopicRecord(id=next_id, name="", first_seen_at=now), next_id + 1
        mapping[f.bertopic_id] = old.id
        rows[old.id] = replace(_row(old, f.label or label(f.keywords), None, f.keywords, False, now),
                               headlines=tuple(f.headlines))
    return Identity(mapping, _with_sizes_and_centroids(rows, found, mapping))


def label(keywords: Sequence[str]) -> str:
    """A name for a discovered topic fitted without titles: its three leading keywords."""
    return " / ".join(keywords[:3]) or "unlabelled topic"


def _row(old: TopicRecord, name: str, description: str | None, keywords: Sequence[str], seeded: bool,
         now: datetime) -> TopicRecord:
    return replace(old, name=name, description=description if seeded else old.description,
                   keywords=tuple(keywords), headlines=(), seeded=seeded, size=0, centroid=None, active=True,
                   first_seen_at=old.first_seen_at or now, updated_at=now)


def _match(found: Sequence[FoundTopic], old: Sequence[TopicRecord], threshold: float) -> dict[int, TopicRecord]:
    """Greedy, best pairs first: each found topic takes the old topic most like it, each old one used once.
    The similarities come from one product of the centroids (a Python loop over 807 x 807 pairs took 2.3 s)."""
    if not found or not old:
        return {}
    olds = [(t, vector) for t in old if (vector := from_bytes(t.centroid)).shape == found[0].centroid.shape]
    if not olds:
        return {}
    similarity = (np.vstack([f.centroid for f in found]) @ np.vstack([v for _, v in olds]).T).astype(np.float64)
    rows, cols = np.nonzero(similarity >= threshold)
    pairs = sorted(zip(similarity[rows, cols].tolist(), rows.tolist(), cols.tolist(), strict=True),
                   key=lambda p: (-p[0], found[p[1]].bertopic_id, olds[p[2]][0].id))
    out: dict[int, TopicRecord] = {}
    used: set[int] = set()
    for _, row, col in pairs:
        bid, topic = found[row].bertopic_id, olds[col][0]
        if bid not in out and topic.id not in used:
            out[bid] = topic
            used.add(topic.id)
    return out


def _with_sizes_and_centroids(rows: dict[int, TopicRecord], found: Sequence[FoundTopic],
                              mapping: dict[int, int]) -> list[TopicRecord]:
    sizes: dict[int, int] = {}
    sums: dict[int, np.ndarray] = {}
    for f in found:
        tid = mapping[f.bertopic_id]
        sizes[tid] = sizes.get(tid, 0) + f.size
        sums[tid] = sums.get(tid, 0) + f.centroid * f.size
    return [replace(row, size=sizes.get(tid, 0),
                    centroid=to_bytes(normalise(np.asarray(sums[tid])[None, :])[0]) if tid in sums else None)
            for tid, row in rows.items()]
