"""Synthetic themes for the topic fit's tests: unit vectors of unrelated directions and texts in words of
their own."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

SHARED = ["report", "officials", "city", "week", "people", "government", "police", "market", "season"]


def unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def themes(count: int, siblings: Mapping[int, float], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``count`` clusters of 12 articles each, in 64 dimensions, with unrelated directions; cluster
    ``k`` in ``siblings`` is a second event of cluster 0's theme, ``siblings[k]`` its share of that
    theme's direction. Returns the unit vectors and each article's cluster."""
    rng = np.random.default_rng(seed)
    directions = unit(rng.normal(size=(count, 64)))
    for k, share in siblings.items():
        directions[k] = unit((share * directions[0] + (1 - share) * directions[k])[None])[0]
    rows = np.repeat(directions, 12, axis=0) + rng.normal(scale=0.02, size=(count * 12, 64))
    return unit(rows), np.repeat(np.arange(count), 12)


def theme_docs(clusters: np.ndarray, seed: int, extra: Mapping[int, str] | None = None) -> list[str]:
    """A text per article: 40 words of its cluster's own, 10 shared by all, and its cluster's ``extra``."""
    rng = np.random.default_rng(seed)
    vocab = [[f"theme{c}word{w}" for w in range(30)] for c in range(int(clusters.max()) + 1)]
    extra = extra or {}
    return [" ".join([*rng.choice(vocab[c], 40), *rng.choice(SHARED, 10), *([extra[c]] if c in extra else [])])
            for c in clusters]
