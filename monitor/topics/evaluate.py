"""Clustering quality against labels: B-cubed precision/recall/F1 and the adjusted Rand index.

A label of ``None`` means "a cluster of its own" (an unlabelled one-off report).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from math import comb


@dataclass(frozen=True)
class BCubed:
    precision: float
    recall: float
    f1: float


def _singletons(labels: Sequence[Hashable | None], tag: str) -> list[Hashable]:
    return [(tag, i) if label is None else label for i, label in enumerate(labels)]


def bcubed(truth: Sequence[Hashable | None], predicted: Sequence[Hashable | None]) -> BCubed:
    """Item-averaged B-cubed scores (Bagga and Baldwin)."""
    if len(truth) != len(predicted):
        raise ValueError("truth and predicted differ in length")
    if not truth:
        return BCubed(1.0, 1.0, 1.0)
    t, p = _singletons(truth, "t"), _singletons(predicted, "p")
    pairs = Counter(zip(t, p, strict=True))
    t_sizes, p_sizes = Counter(t), Counter(p)
    precision = sum(pairs[(a, b)] / p_sizes[b] for a, b in zip(t, p, strict=True)) / len(t)
    recall = sum(pairs[(a, b)] / t_sizes[a] for a, b in zip(t, p, strict=True)) / len(t)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BCubed(precision, recall, f1)


def adjusted_rand(truth: Sequence[Hashable | None], predicted: Sequence[Hashable | None]) -> float:
    """Hubert and Arabie's adjusted Rand index (1 = identical partitions, about 0 = chance)."""
    if len(truth) != len(predicted):
        raise ValueError("truth and predicted differ in length")
    n = len(truth)
    t, p = _singletons(truth, "t"), _singletons(predicted, "p")
    index = sum(comb(c, 2) for c in Counter(zip(t, p, strict=True)).values())
    rows = sum(comb(c, 2) for c in Counter(t).values())
    cols = sum(comb(c, 2) for c in Counter(p).values())
    total = comb(n, 2)
    if total == 0:
        return 1.0
    expected = rows * cols / total
    maximum = (rows + cols) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


def purity(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    """Share of items whose predicted cluster's majority label is their own label."""
    if not truth:
        return 1.0
    by_cluster: dict[Hashable, Counter] = {}
    for a, b in zip(truth, predicted, strict=True):
        by_cluster.setdefault(b, Counter())[a] += 1
    return sum(c.most_common(1)[0][1] for c in by_cluster.values()) / len(truth)
