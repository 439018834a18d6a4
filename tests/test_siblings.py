"""Sibling clusters (two events of one kind) become one discovered topic; other clusters stay apart."""

from __future__ import annotations

import numpy as np
import pytest

from monitor.topics.siblings import merge_siblings
from theme_kit import theme_docs, themes


def test_two_events_of_one_kind_become_one_topic_and_the_others_stay_apart() -> None:
    vectors, clusters = themes(12, {1: 0.8})
    merged = merge_siblings(vectors, clusters, first=0, z=4.0)
    assert (merged[clusters == 0] == merged[clusters == 1][0]).all()
    assert len(np.unique(merged)) == 11  # only the sibling pair merged
    assert len(np.unique(merged[clusters >= 2])) == 10


def test_a_pair_that_does_not_stand_out_from_the_other_pairs_stays_apart() -> None:
    vectors, clusters = themes(12, {1: 0.3})  # alike, but hardly more than unrelated clusters are
    assert (merge_siblings(vectors, clusters, first=0, z=4.0) == clusters).all()


def test_analyst_topics_and_outliers_are_never_merged_and_ids_stay_consecutive() -> None:
    vectors, clusters = themes(12, {1: 0.8, 2: 0.8})
    labels = clusters.copy()
    labels[clusters == 0] = 0  # analyst topic 0; discovered topics are 1 and up
    labels[clusters == 11] = -1  # outliers
    merged = merge_siblings(vectors, labels, first=1, z=4.0)
    assert (merged[clusters == 0] == 0).all() and (merged[clusters == 11] == -1).all()
    assert merged[clusters == 1][0] == merged[clusters == 2][0]  # siblings of each other as well
    assert sorted(np.unique(merged[merged >= 1]).tolist()) == list(range(1, 10))


def test_too_few_clusters_or_no_z_merges_nothing() -> None:
    vectors, clusters = themes(12, {1: 0.8})
    assert (merge_siblings(vectors, clusters, first=0, z=None) == clusters).all()
    two = clusters < 2
    assert (merge_siblings(vectors[two], clusters[two], first=0, z=4.0) == clusters[two]).all()


@pytest.mark.slow
def test_the_fit_merges_sibling_clusters_unless_told_not_to(tmp_path) -> None:
    """Through ``fit_bertopic``: twelve themes written in words of their own, two of them siblings by
    their embeddings, give eleven topics by default and twelve with ``sibling_z: null``."""
    from monitor.config import Config
    from monitor.topics.embeddings import load_embedder
    from monitor.topics.model import fit_bertopic, numba_cache

    numba_cache(tmp_path)
    vectors, clusters = themes(12, {1: 0.8})
    docs = theme_docs(clusters, seed=5)
    config = Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}])
    embedder = load_embedder(config.embedding)
    topics = {}
    for z in (None, config.topic_model.sibling_z):
        cfg = config.topic_model.model_copy(update={"sibling_z": z})
        topics[z] = np.array(fit_bertopic(docs, vectors, [], embedder, cfg)[1].labels)
    assert len(np.unique(topics[None])) == 12
    merged = topics[config.topic_model.sibling_z]
    assert len(np.unique(merged)) == 11
    assert len(np.unique(merged[clusters <= 1])) == 1
