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

import numpy as np

from monitor.topics.embeddings import HashedTfidfEmbedder, normalise

LEXICAL_DIM = 1024
LEAD_WORDS = 80


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


def story_vectors(semantic: np.ndarray, leads: Sequence[str], semantic_weight: float) -> np.ndarray:
    """Concatenate weighted semantic and lexical unit vectors into unit story vectors."""
    lexical = HashedTfidfEmbedder(f"hashed-{LEXICAL_DIM}", 256).embed(leads)
    semantic = normalise(semantic)
    joined = np.hstack([np.sqrt(semantic_weight) * semantic, np.sqrt(1.0 - semantic_weight) * lexical])
    return normalise(joined)


def assign_stories(items: Sequence[StoryItem], stories: list[OpenStory], window: timedelta,
                   threshold: float, known: dict[int, int] | None = None) -> list[Placement]:
    """Place each item (oldest first) in the most similar open story, or open a new one.

    ``stories`` is updated in place (centroids, sizes, times; new stories appended).
    ``known`` maps already placed article ids to story keys, so a duplicate joins
    its original's story without a similarity test.
    """
    known = dict(known or {})
    placements: list[Placement] = []
    next_key = max((s.key for s in stories), default=0) + 1
    for item in sorted(items, key=lambda i: (i.published, i.article_id)):
        story, sim = _original_story(item, stories, known)
        forced = story is not None
        if story is None:
            story, sim = _best(item, stories, window)
        if story is None or (sim < threshold and not forced):
            story = OpenStory(next_key, item.vector.copy(), 0, item.published, item.published)
            stories.append(story)
            next_key, sim = next_key + 1, 1.0
        _join(story, item)
        known[item.article_id] = story.key
        placements.append(Placement(item.article_id, story.key, float(sim), story.size == 1))
    return placements


def _original_story(item: StoryItem, stories: list[OpenStory],
                    known: dict[int, int]) -> tuple[OpenStory | None, float]:
    if item.duplicate_of is None or item.duplicate_of not in known:
        return None, 0.0
    key = known[item.duplicate_of]
    for story in stories:
        if story.key == key:
            return story, float(item.vector @ story.centroid)
    return None, 0.0


def _best(item: StoryItem, stories: list[OpenStory], window: timedelta) -> tuple[OpenStory | None, float]:
    best, best_sim = None, -1.0
    for story in stories:
        if item.published - story.last_seen > window or story.first_seen - item.published > window:
            continue
        if story.centroid.shape != item.vector.shape:
            continue
        sim = float(item.vector @ story.centroid)
        if sim > best_sim:
            best, best_sim = story, sim
    return best, best_sim


def _join(story: OpenStory, item: StoryItem) -> None:
    total = story.centroid * story.size + item.vector
    norm = np.linalg.norm(total)
    story.centroid = (total / norm if norm else total).astype(np.float32)
    story.size += 1
    story.members.append(item.article_id)
    story.first_seen = min(story.first_seen, item.published)
    story.last_seen = max(story.last_seen, item.published)


def most_central(vectors: np.ndarray, ids: Sequence[int]) -> tuple[int, np.ndarray]:
    """The id whose vector is closest to the members' mean, and each member's similarity to it."""
    centroid = normalise(vectors.mean(axis=0, keepdims=True))[0]
    sims = vectors @ centroid
    return ids[int(np.argmax(sims))], sims
