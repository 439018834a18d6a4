"""Story rules on one batch: the shipped per-article bars against a pair rule learned with each set held out.

    python bench/story_rules.py jsonl:newscluster.jsonl jsonl:basil.jsonl googlenews:TS.jsonl \\
                                jsonl:gva_longtail.jsonl [--size 2000] [--out rules.json]

Each ``FORMAT:PATH`` is read by ``bench/real_sets.py`` as given (the data is not shipped), shuffled
with a fixed seed and cut to ``--size`` articles: one batch, IDF over the whole batch, no time. Every
pair is judged from what the incremental story pass can know: each article's z of the pair's
similarity against its own reference articles (the batch's first 1,000) and how many reference
articles it finds closer (its rank); optionally each article's mean and spread of similarity to the
reference. A logistic regression is trained on every set but one (each weighted equally) and scored
on the one left out; its probabilities are clustered by average linkage at several cuts. Pairs with
neither z above 2 count as unrelated. Scores: B-cubed F1. Needs at least two sets.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from eval_real import embed
from eval_topics import CONFIG
from real_sets import read_set
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.linear_model import LogisticRegression

from monitor.topics.embeddings import load_embedder
from monitor.topics.evaluate import bcubed
from monitor.topics.features import TermStats, bags
from monitor.topics.service import story_weights
from monitor.topics.stories import SELF, Threshold, Vectors, _row_moments, article_vectors, group_batch

REFERENCE = 1000
CANDIDATE_Z = 2.0
CUTS = (0.5, 0.6, 0.7, 0.8)
FEATURES = {"z": slice(0, 2), "z+rank": slice(0, 4), "z+rank+spread": slice(0, 8)}


@dataclass
class Pairs:
    """Candidate pairs of one set: their features, whether they share a story, and who they are."""

    x: np.ndarray
    same: np.ndarray
    left: np.ndarray
    right: np.ndarray
    n: int
    truth: list[Any]
    bars_f1: float


def _low_high(a: np.ndarray, b: np.ndarray) -> list[np.ndarray]:
    return [np.minimum(a, b), np.maximum(a, b)]


def _closer(sorted_ref: np.ndarray, rows: np.ndarray, sims: np.ndarray, counted: np.ndarray) -> np.ndarray:
    """How many reference articles each row finds closer than ``sims``, per 1,000 counted."""
    above = np.array([sorted_ref.shape[1] - np.searchsorted(sorted_ref[r], s, side="right")
                      for r, s in zip(rows, sims, strict=True)])
    return above * REFERENCE / counted[rows]


def _bars_f1(vectors: Vectors, reference: Vectors, truth: list[Any]) -> float:
    """The shipped rule on the batch: each article's bar from the reference, average-link groups."""
    weights = story_weights(CONFIG)
    bars = Threshold(0.0, reference, CONFIG.stories.z, weights, CONFIG.stories.crowding).of(vectors)
    groups = group_batch(vectors, np.zeros(len(truth)), timedelta(hours=CONFIG.stories.window_hours), bars, weights)
    return round(bcubed(truth, list(groups)).f1, 3)


def _cut_f1(distance: np.ndarray, cut: float, truth: list[Any]) -> float:
    distance = distance.astype(np.float64)
    np.fill_diagonal(distance, 0.0)
    labels = fcluster(linkage(squareform(distance, checks=False), "average"), t=cut, criterion="distance")
    return round(bcubed(truth, list(labels)).f1, 3)


def pairs_of(vectors: Vectors, truth: list[Any]) -> Pairs:
    weights = story_weights(CONFIG)
    sims = vectors.similarity(vectors, weights)
    ref = np.arange(min(REFERENCE, len(truth)))
    reference = Vectors(vectors.words[ref], vectors.names[ref], vectors.dense[ref])
    to_ref = vectors.similarity(reference, weights)
    mean, sd = _row_moments(to_ref)
    left, right = np.triu_indices(len(truth), 1)
    s = sims[left, right]
    z_left, z_right = (s - mean[left]) / sd[left], (s - mean[right]) / sd[right]
    keep = np.maximum(z_left, z_right) > CANDIDATE_Z
    left, right, s, z_left, z_right = left[keep], right[keep], s[keep], z_left[keep], z_right[keep]
    counted = np.maximum((to_ref < SELF).sum(axis=1), 1)
    sorted_ref = np.sort(np.where(to_ref < SELF, to_ref, -1.0), axis=1)
    rank_left = np.log1p(_closer(sorted_ref, left, s, counted))
    rank_right = np.log1p(_closer(sorted_ref, right, s, counted))
    x = np.column_stack(_low_high(z_left, z_right) + _low_high(rank_left, rank_right)
                        + _low_high(mean[left], mean[right]) + _low_high(sd[left], sd[right]))
    labels = np.asarray([hash(t) for t in truth])
    return Pairs(x, (labels[left] == labels[right]).astype(int), left, right, len(truth), truth,
                 _bars_f1(vectors, reference, truth))


def held_out(sets: dict[str, Pairs], test: str, columns: slice) -> dict[str, float]:
    train = [p for name, p in sets.items() if name != test]
    x = np.vstack([p.x[:, columns] for p in train])
    y = np.concatenate([p.same for p in train])
    weight = np.concatenate([np.full(len(p.same), len(y) / len(p.same)) for p in train])
    model = LogisticRegression(max_iter=3000).fit(x, y, sample_weight=weight)
    p = sets[test]
    chance = model.predict_proba(p.x[:, columns])[:, 1]
    distance = np.ones((p.n, p.n))
    distance[p.left, p.right] = distance[p.right, p.left] = 1.0 - chance
    return {str(cut): _cut_f1(distance, cut, p.truth) for cut in CUTS}


def load(spec: str, size: int, embedder: Any) -> tuple[str, Pairs]:
    kind, _, path = spec.partition(":")
    articles = read_set(Path(path), kind)
    order = np.random.default_rng(1).permutation(len(articles))[:size]
    articles = [articles[i] for i in order]
    items = [bags(a.title, a.text) for a in articles]
    stats = TermStats.empty()
    stats.add(items)
    vectors = article_vectors(items, embed(articles, embedder), stats)
    return Path(path).name, pairs_of(vectors, [a.story for a in articles])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", help="FORMAT:PATH of same-event sets (two or more)")
    parser.add_argument("--size", type=int, default=2000, help="articles per set (a seeded shuffle)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if len(args.sets) < 2:
        parser.error("a rule learned with each set held out needs two sets or more")
    embedder = load_embedder(CONFIG.embedding)
    sets = dict(load(spec, args.size, embedder) for spec in args.sets)
    report: dict[str, Any] = {name: {"bars": p.bars_f1} for name, p in sets.items()}
    for name in sets:
        for label, columns in FEATURES.items():
            report[name][label] = held_out(sets, name, columns)
        print(name, json.dumps(report[name]), flush=True)
    if args.out:
        args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
