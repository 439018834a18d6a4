"""Analyst topics from clusters: calibrated seed evidence per article, then one label per cluster.

Cluster first, label second. Each article's similarity to the analyst topics'
descriptions is weak evidence on its own (a short article about chips may sit
nearer "AI regulation" than "Semiconductors"), and its scale depends on the
embedding model and on article length. So the evidence threshold is calibrated
on the corpus itself: an article counts as evidence for its nearest analyst topic
when that similarity is ``z`` standard deviations above the mean article-to-topic
similarity. A cluster then becomes that analyst topic when enough of its members
are evidence (``MIN_COVERAGE``) and most of those agree (``MAJORITY``); every member
follows, including those that gave no evidence. Other clusters stay discovered
topics. Pure numpy: no clock, no I/O.
"""

from __future__ import annotations

import numpy as np

MIN_COVERAGE = 0.25  # share of a cluster's members that must be evidence for some analyst topic
MAJORITY = 0.5  # more than this share of that evidence must agree on one analyst topic


def seed_evidence(embeddings: np.ndarray, seed_vectors: np.ndarray, z: float) -> np.ndarray:
    """For each (unit) embedding, the index of the analyst topic it is evidence for, or -1."""
    if not len(seed_vectors) or not len(embeddings):
        return np.full(len(embeddings), -1, dtype=np.int64)
    sims = embeddings @ seed_vectors.T
    threshold = float(sims.mean() + z * sims.std())
    return np.where(sims.max(axis=1) >= threshold, sims.argmax(axis=1), -1).astype(np.int64)


def label_clusters(clusters: np.ndarray, evidence: np.ndarray, n_seeds: int) -> np.ndarray:
    """Final labels: ``0..n_seeds-1`` for the analyst topics (seed order), ``n_seeds + j``
    for the j-th discovered cluster, -1 for an outlier (a clusterer's -1 with no evidence)."""
    clusters = np.asarray(clusters)
    labels = np.full(len(clusters), -1, dtype=np.int64)
    outliers = clusters < 0
    labels[outliers] = evidence[outliers]
    discovered = n_seeds
    for cluster in np.unique(clusters[~outliers]):
        members = clusters == cluster
        seed = _cluster_seed(evidence[members], n_seeds)
        if seed is None:
            labels[members] = discovered
            discovered += 1
        else:
            labels[members] = seed
    return labels


def _cluster_seed(evidence: np.ndarray, n_seeds: int) -> int | None:
    votes = np.bincount(evidence[evidence >= 0], minlength=max(n_seeds, 1))
    total = int(votes.sum())
    if not n_seeds or total < MIN_COVERAGE * len(evidence) or not total:
        return None
    best = int(votes.argmax())
    return best if votes[best] > MAJORITY * total else None
