"""Sibling clusters become one topic: two earthquakes, two rehab stays, two chip-export rules.

A clustering that follows the data splits a theme into its events when each event has
enough articles, because the words and names of one event (its place, its people) set it
apart from the other. A topic is a theme, a story an event, so discovered clusters whose
embedding centroids stand out as alike among all pairs of clusters are merged: average
linkage on the centroids' cosine, cut at ``z`` standard deviations above the mean
similarity of all pairs. The cut is relative, so a corpus of one kind of news (where every
cluster resembles every other) merges no more than a varied one. Analyst topics are never
touched: they are already one label each. Pure: no I/O.
"""

from __future__ import annotations

import numpy as np

from monitor.topics.embeddings import normalise

# fewer discovered clusters give no spread of similarities to stand out from. Among p pairs none stands more
# than sqrt(p - 1) standard deviations above their mean, so the default z of 4 merges nothing under seven
# clusters (21 pairs): a small corpus keeps its clusters apart rather than merge on too few comparisons
MIN_CLUSTERS = 3


def merge_siblings(embeddings: np.ndarray, labels: np.ndarray, first: int, z: float | None) -> np.ndarray:
    """``labels`` with discovered clusters (ids >= ``first``) merged where their centroids stand out as
    alike; merged clusters take consecutive ids from ``first`` in order of their smallest old id.
    ``embeddings`` are unit rows; -1 and analyst ids (< ``first``) are kept as they are."""
    labels = np.asarray(labels)
    ids = np.unique(labels[labels >= first])
    if z is None or len(ids) < MIN_CLUSTERS:
        return labels.copy()
    groups = _groups(_centroids(embeddings, labels, ids), z)
    order = {g: first + rank for rank, g in enumerate(dict.fromkeys(groups))}
    new_id = dict(zip(ids.tolist(), (order[g] for g in groups), strict=True))
    return np.array([new_id.get(int(label), int(label)) for label in labels], dtype=labels.dtype)


def _centroids(embeddings: np.ndarray, labels: np.ndarray, ids: np.ndarray) -> np.ndarray:
    return normalise(np.vstack([embeddings[labels == c].mean(axis=0) for c in ids]))


def _groups(centroids: np.ndarray, z: float) -> list[int]:
    """Group number per centroid: average linkage cut at the mean pair similarity + z standard deviations."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    similarity = centroids @ centroids.T
    pairs = similarity[np.triu_indices(len(centroids), 1)]
    if pairs.std() <= 0:
        return list(range(len(centroids)))
    cut = float(pairs.mean() + z * pairs.std())
    distance = np.clip(1.0 - similarity, 0.0, None)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    return [int(g) for g in fcluster(tree, 1.0 - cut, criterion="distance")]
