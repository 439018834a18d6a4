"""Same-event stories, assigned incrementally: nearest open story within a time window, else a new story.

An article's story vector joins its semantic embedding with a lexical vector of
its title and lead (names, places and numbers tell one event from another in
the same theme): ``sqrt(w)*semantic ++ sqrt(1-w)*lexical``, so the dot product of
two story vectors is ``w*cos_semantic + (1-w)*cos_lexical``. Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

import numpy as np

from monitor.topics.embeddings import HashedTfidfEmbedder, normalise

LEXICAL_DIM = 1024
LEAD_WORDS = 80
MIN_REFERENCE = 200  # fewer recent articles than this: no calibration (too noisy), the fallback threshold
FALLBACK_SIMILARITY = 0.75


@dataclass(frozen=True)
class StoryItem:
    article_id: int
    published: datetime
    vector: np.ndarray
    duplicate_of: int | None = None


@dataclass
class OpenStory:
    """A story that new articles may still join. ``id`` is None until stored."""

    key: int
    centroid: np.ndarray
    size: int
    first_seen: datetime
    last_seen: datetime
    id: int | None = None
    members: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Placement:
    article_id: int
    story_key: int
    similarity: float
    new_story: bool


def lead_text(title: str, text: str | None) -> str:
    return f"{title} {' '.join((text or '').split()[:LEAD_WORDS])}"


@cache
def _lexical() -> HashedTfidfEmbedder:
    return HashedTfidfEmbedder(f"hashed-{LEXICAL_DIM}", 256)


def story_vectors(semantic: np.ndarray, leads: Sequence[str], semantic_weight: float) -> np.ndarray:
    """Concatenate weighted semantic and lexical unit vectors into unit story vectors."""
    lexical = _lexical().embed(leads)
    semantic = normalise(semantic)
    joined = np.hstack([np.sqrt(semantic_weight) * semantic, np.sqrt(1.0 - semantic_weight) * lexical])
    return normalise(joined)


def calibrated_threshold(reference: np.ndarray, z: float) -> float:
    """Similarity threshold for joining a story: ``z`` standard deviations above the mean similarity
    between distinct reference articles (unit story vectors), or the fallback with too few of them.

    The scale of similarities depends on the embedding model, on article length and on how varied
    the feeds are; how far a same-event pair stands above a random pair does much less.
    """
    n = len(reference)
    if n < MIN_REFERENCE:
        return FALLBACK_SIMILARITY
    sims = (reference @ reference.T)[np.triu_indices(n, 1)]
    return float(np.clip(sims.mean() + z * sims.std(), 0.05, 0.99))


def assign_stories(items: Sequence[StoryItem], stories: list[OpenStory], window: timedelta,
                   threshold: float, known: dict[int, int] | None = None) -> list[Placement]:
    """Place each item (oldest first) in the most similar open story, or open a new one.

    ``stories`` is updated in place (centroids, sizes, times; new stories appended).
    ``known`` maps already placed article ids to story keys, so a duplicate joins
    its original's story without a similarity test.
    """
    known = dict(known or {})
    ordered = sorted(items, key=lambda i: (i.published, i.article_id))
    index = _Index(stories, items[0].vector.shape[0] if items else 0, room=len(items))
    index.precompute(ordered)
    placements: list[Placement] = []
    next_key = max((s.key for s in stories), default=0) + 1
    for position, item in enumerate(ordered):
        row = index.row_of_key(known.get(item.duplicate_of)) if item.duplicate_of is not None else None
        sim = float(item.vector @ index.centroids[row]) if row is not None else -1.0
        if row is None:
            row, sim = index.best(position, item, window)
            if row is not None and sim < threshold:
                row = None
        if row is None:
            row = index.add(OpenStory(next_key, item.vector.copy(), 0, item.published, item.published))
            next_key, sim = next_key + 1, 1.0
        story = index.join(row, item)
        known[item.article_id] = story.key
        placements.append(Placement(item.article_id, story.key, float(sim), story.size == 1))
    return placements


class _Index:
    """Open stories with their centroids in one matrix, so each item costs one matrix product."""

    def __init__(self, stories: list[OpenStory], dim: int, room: int) -> None:
        """``room``: how many stories may be added (at most one per item)."""
        self.stories = stories
        self.rows: list[OpenStory] = [s for s in stories if s.centroid.shape == (dim,)]
        size = len(self.rows) + room
        self.centroids = np.zeros((size, dim), np.float32)
        self.first = np.full(size, np.inf)
        self.last = np.full(size, -np.inf)
        for i, story in enumerate(self.rows):
            self._set(i, story)
        self.by_key = {s.key: i for i, s in enumerate(self.rows)}
        self.changed = np.zeros(size, dtype=bool)
        self.known_rows = 0
        self.pre = np.zeros((0, 0), np.float32)

    def precompute(self, items: Sequence[StoryItem]) -> None:
        """Similarities of every item to every story open at the start, in one product;
        rows of stories changed later in the batch are recomputed when used."""
        self.known_rows = len(self.rows)
        if items and self.known_rows and len(items) * self.known_rows <= 40_000_000:
            self.pre = np.vstack([i.vector for i in items]).astype(np.float32) @ self.centroids[:self.known_rows].T
        else:
            self.known_rows = 0

    def _set(self, row: int, story: OpenStory) -> None:
        if hasattr(self, "changed"):
            self.changed[row] = True
        self.centroids[row] = story.centroid
        self.first[row], self.last[row] = story.first_seen.timestamp(), story.last_seen.timestamp()

    def row_of_key(self, key: int | None) -> int | None:
        return None if key is None else self.by_key.get(key)

    def best(self, position: int, item: StoryItem, window: timedelta) -> tuple[int | None, float]:
        n = len(self.rows)
        if not n:
            return None, -1.0
        when, span = item.published.timestamp(), window.total_seconds()
        rows = np.flatnonzero((when - self.last[:n] <= span) & (self.first[:n] - when <= span))
        if not len(rows):
            return None, -1.0
        stale = (rows >= self.known_rows) | self.changed[rows]
        sims = np.empty(len(rows), dtype=np.float32)
        if (~stale).any():
            sims[~stale] = self.pre[position, rows[~stale]]
        if stale.any():
            sims[stale] = self.centroids[rows[stale]] @ item.vector
        best = int(np.argmax(sims))
        return int(rows[best]), float(sims[best])

    def add(self, story: OpenStory) -> int:
        self.stories.append(story)
        self.rows.append(story)
        row = len(self.rows) - 1
        self._set(row, story)
        self.by_key[story.key] = row
        return row

    def join(self, row: int, item: StoryItem) -> OpenStory:
        story = self.rows[row]
        total = story.centroid * story.size + item.vector
        norm = np.linalg.norm(total)
        story.centroid = (total / norm if norm else total).astype(np.float32)
        story.size += 1
        story.members.append(item.article_id)
        story.first_seen = min(story.first_seen, item.published)
        story.last_seen = max(story.last_seen, item.published)
        self._set(row, story)
        return story


def most_central(vectors: np.ndarray, ids: Sequence[int]) -> tuple[int, np.ndarray]:
    """The id whose vector is closest to the members' mean, and each member's similarity to it."""
    centroid = normalise(vectors.mean(axis=0, keepdims=True))[0]
    sims = vectors @ centroid
    return ids[int(np.argmax(sims))], sims
