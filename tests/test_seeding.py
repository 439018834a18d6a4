"""Cluster-then-label: calibrated evidence per article and one analyst topic per cluster."""

from __future__ import annotations

import numpy as np

from monitor.topics.embeddings import normalise
from monitor.topics.seeding import label_clusters, seed_evidence


def unit(rows: list[list[float]]) -> np.ndarray:
    return normalise(np.asarray(rows, dtype=np.float32))


def test_evidence_threshold_follows_the_corpus_scale() -> None:
    """The same ranking gives the same evidence whether similarities are high or low overall."""
    seeds = unit([[1, 0, 0], [0, 1, 0]])
    rng = np.random.default_rng(3)
    near_first = [[1, 0.2, 5], [1, 0.1, 5]]
    near_second = [[0.1, 1, 5]]
    unrelated = [[0, 0, 1]] + [[float(x), float(y), 5] for x, y in rng.uniform(-0.2, 0.2, size=(6, 2))]
    for spread in (1.0, 0.25):  # 0.25: every article far from every description, as short texts are
        docs = unit([[r[0] * spread, r[1] * spread, r[2]] for r in near_first + near_second + unrelated])
        evidence = seed_evidence(docs, seeds, z=0.5)
        assert evidence[:3].tolist() == [0, 0, 1]
        assert (evidence[3:] == -1).all()


def test_no_seeds_means_no_evidence() -> None:
    docs = unit([[1, 0], [0, 1]])
    assert seed_evidence(docs, np.zeros((0, 2), np.float32), 0.5).tolist() == [-1, -1]


def test_a_cluster_takes_the_topic_most_of_its_evidence_names() -> None:
    clusters = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3])
    evidence = np.array([1, 1, -1, 0, -1, -1, -1, -1, 0, 0, 1, 0, -1, -1, -1])
    labels = label_clusters(clusters, evidence, n_seeds=2)
    assert labels[:4].tolist() == [1] * 4  # 3 of 4 gave evidence, 2 of those 3 say topic 1: all follow
    assert labels[4:9].tolist() == [2] * 5  # 1 of 5 gave evidence: too little, a discovered topic
    assert labels[9:11].tolist() == [3] * 2  # a tie is no majority: discovered
    assert labels[11:].tolist() == [0] * 4  # 1 of 4 is enough coverage when it is unanimous


def test_outliers_keep_their_own_evidence() -> None:
    labels = label_clusters(np.array([-1, -1, 0, 0]), np.array([1, -1, -1, -1]), n_seeds=2)
    assert labels.tolist() == [1, -1, 2, 2]


def test_without_seeds_every_cluster_is_discovered() -> None:
    labels = label_clusters(np.array([5, 5, 9, -1]), np.array([-1, -1, -1, -1]), n_seeds=0)
    assert labels.tolist() == [0, 0, 1, -1]
