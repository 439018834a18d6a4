"""Stories and topics on labelled news written by others, against TF-IDF + agglomerative and plain BERTopic.

    python bench/eval_real.py --stories googlenews:TS.jsonl jsonl:basil.jsonl jsonl:newscluster.jsonl \\
                              --topics agnews:test.csv jsonl:newscluster.jsonl [--out results.json]

Each ``FORMAT:PATH`` is read by ``bench/real_sets.py`` (the data is not shipped).

A set whose records carry a ``url`` is first reduced to the texts the analysis reads after a crawl
stored them in the shuffled order: without what articles of the same site repeat
(``real_sets.as_read``); every method, the baseline included, then reads those texts.

Stories: ours runs with the shipped defaults, in batches of the size the crawl uses
(``monitor.topics.service.BATCH``), with no time signal (every article at one
time, in a fixed shuffled order: a set stored event by event would otherwise hand each
batch whole events, which no crawl does) and, where the set has dates, in time order;
and, as cron runs deliver them, in small batches (``--small``, default 50 articles, in
the same shuffled order; from the first article, and after a first crawl of half the set) with the
threshold recalibrated per batch on the newest 1,000 articles, as the crawl does. The baseline is TF-IDF fitted on
the set with average-link agglomerative clustering on cosine distance, given the
best cut for the set's own labels (one tree, every cut scored).

Topics: a set labelled only with events (GoogleNews-TS) is scored with its events as
fine-grained topics. Ours is ``fit_bertopic`` with the defaults and no analyst topics; plain
BERTopic defaults are UMAP(5, 15 neighbours, cosine) + HDBSCAN(min_cluster_size
10) on the same WordLlama vectors; TF-IDF + average-link agglomerative is given the cut with the best ARI
for the set's labels (``TOPIC_CUTS``). Scores: B-cubed precision/recall/F1 and ARI.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from eval_topics import CONFIG
from real_sets import LabelledArticle, as_read, read_set

from monitor.config import Config
from monitor.topics.embeddings import document, load_embedder
from monitor.topics.evaluate import adjusted_rand, bcubed
from monitor.topics.features import TermStats, bags
from monitor.topics.service import BATCH, story_weights
from monitor.topics.stories import StoryItem, article_vectors, assign_stories, calibrate, merge_converged

CUTS = [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]
TOPIC_CUTS = [0.8, 0.85, 0.9, 0.95, 0.97, 0.99]  # themes sit higher in the tree than events


def scores(truth: list[Any], predicted: list[Any]) -> dict[str, float]:
    b = bcubed(truth, predicted)
    return {"precision": round(b.precision, 4), "recall": round(b.recall, 4), "f1": round(b.f1, 4),
            "ari": round(adjusted_rand(truth, predicted), 4), "clusters": len(set(predicted))}


def embed(articles: list[LabelledArticle], embedder: Any) -> np.ndarray:
    return embedder.embed([document(a.title, a.text, CONFIG.embedding.max_words) for a in articles])


def _batches(n: int, batch: int, first: int) -> list[tuple[int, int]]:
    """(start, end) of each batch: a first crawl of ``first`` articles (in the crawl's batches; 0: none),
    then ``batch`` at a time."""
    first = min(max(first, 0), n)
    starts = [*range(0, first, BATCH), *range(first, n, batch)]
    return list(zip(starts, [*starts[1:], n], strict=True))


def ours_stories(articles: list[LabelledArticle], dense: np.ndarray, timeless: bool,
                 batch: int = BATCH, first: int = 0) -> tuple[list[int], float]:
    """Incremental, as the crawl does it: batches in time order, IDF growing batch by batch, the
    threshold calibrated on the newest 1,000 articles at each batch, converging stories merged.
    ``first``: how many articles a first crawl stored before batches of ``batch`` (0: none)."""
    cfg = CONFIG.stories
    weights, window = story_weights(CONFIG), timedelta(hours=cfg.window_hours)
    all_bags = [bags(a.title, a.text) for a in articles]
    when = articles[0].published
    order = sorted(range(len(articles)), key=lambda i: (when if timeless else articles[i].published, i))
    stats, stories, placed, seen = TermStats.empty(), [], {}, []
    for start, end in _batches(len(order), batch, first):
        rows = order[start:end]
        stats.add([all_bags[i] for i in rows])
        seen.extend(rows)
        ref = seen[-1000:]
        threshold = calibrate(article_vectors([all_bags[i] for i in ref], dense[ref], stats), cfg.z, weights,
                              cfg.crowding)
        items = [StoryItem(i, when if timeless else articles[i].published, dense[i], all_bags[i]) for i in rows]
        before = {s.key: s.size for s in stories}
        for p in assign_stories(items, stories, window, threshold, stats, weights):
            placed[p.article_id] = p.story_key
        merged = merge_converged(stories, {s.key for s in stories if s.size != before.get(s.key)}, window,
                                 threshold.level, weights)
        placed = {a: merged.get(k, k) for a, k in placed.items()}
    return [placed[i] for i in range(len(articles))], threshold.level


def baseline(articles: list[LabelledArticle], truth: list[Any], cuts: list[float] = CUTS,
             best_by: str = "f1") -> dict[str, Any]:
    """TF-IDF + average-link agglomerative (cosine), the cut that scores best (``best_by``) on these labels."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform([f"{a.title} {a.text}" for a in articles])
    distance = np.clip(1.0 - (x @ x.T).toarray(), 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    del distance
    results = {cut: scores(truth, list(fcluster(tree, t=cut, criterion="distance"))) for cut in cuts}
    best = max(results, key=lambda c: results[c][best_by])
    return {**results[best], "best_cut": best}


def stories(name: str, articles: list[LabelledArticle], embedder: Any, small: int) -> dict[str, Any]:
    truth = [a.story for a in articles]
    shuffled = np.random.default_rng(1).permutation(len(articles))
    stored, furniture = as_read([articles[i] for i in shuffled], CONFIG.dedupe.site_repeats)
    for i, article in zip(shuffled, stored, strict=True):
        articles[i] = article
    dense = embed(articles, embedder)
    in_order, truth_in_order = [articles[i] for i in shuffled], [truth[i] for i in shuffled]
    started = time.perf_counter()
    labels, threshold = ours_stories(in_order, dense[shuffled], timeless=True)
    out: dict[str, Any] = {"set": name, "articles": len(articles), "events": len(set(truth)),
                           "site_furniture_left_out_of": furniture,
                           "ours_no_time": {**scores(truth_in_order, labels), "threshold": round(threshold, 3),
                                            "seconds": round(time.perf_counter() - started, 1)}}
    if len({a.published for a in articles}) > 1:
        out["ours_with_time"] = scores(truth, ours_stories(articles, dense, timeless=False)[0])
    if small:
        labels = ours_stories(in_order, dense[shuffled], timeless=True, batch=small)[0]
        out[f"ours_no_time_batches_of_{small}"] = scores(truth_in_order, labels)
        labels = ours_stories(in_order, dense[shuffled], timeless=True, batch=small, first=len(articles) // 2)[0]
        out[f"ours_no_time_half_then_batches_of_{small}"] = scores(truth_in_order, labels)
    out["baseline_best_cut"] = baseline(articles, truth)
    return out


SEEDS = (42, 1, 2)  # UMAP seeds: a topic score is the mean over them, for ours and for plain BERTopic alike


def topics(name: str, articles: list[LabelledArticle], embedder: Any) -> dict[str, Any]:
    truth = [a.topic or a.story for a in articles]
    dense = embed(articles, embedder)
    docs = [document(a.title, a.text, CONFIG.embedding.max_words) for a in articles]
    runs = [_topic_run(truth, docs, dense, embedder, seed) for seed in SEEDS]
    return {"set": name, "articles": len(articles), "labels": len(set(truth)), "seeds": list(SEEDS),
            **{method: _mean([run[method] for run in runs]) for method in ("ours", "bertopic_defaults")},
            "tfidf_best_cut": baseline(articles, truth, TOPIC_CUTS, best_by="ari")}


def _topic_run(truth: list[Any], docs: list[str], dense: np.ndarray, embedder: Any, seed: int) -> dict[str, Any]:
    import warnings

    from hdbscan import HDBSCAN
    from umap import UMAP

    from monitor.topics.model import fit_bertopic

    started = time.perf_counter()
    cfg = Config(feeds=CONFIG.feeds, topics=[]).topic_model.model_copy(update={"seed": seed})
    _, fitted = fit_bertopic(docs, dense, [], embedder, cfg)
    ours = {**scores(truth, fitted.labels), "seconds": round(time.perf_counter() - started, 1)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reduced = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed,
                       n_jobs=1).fit_transform(dense)
    plain = HDBSCAN(min_cluster_size=10, metric="euclidean", cluster_selection_method="eom").fit_predict(reduced)
    return {"ours": ours, "bertopic_defaults": scores(truth, list(plain))}


def _mean(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(float(np.mean([r[key] for r in runs])), 4) for key in runs[0]}


def _sets(specs: list[str]) -> list[tuple[str, list[LabelledArticle]]]:
    out = []
    for spec in specs:
        kind, _, path = spec.partition(":")
        out.append((f"{kind}:{Path(path).name}", read_set(Path(path), kind)))  # one file can hold several sets
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", nargs="*", default=[], help="FORMAT:PATH of same-event sets")
    parser.add_argument("--topics", nargs="*", default=[], help="FORMAT:PATH of topic-labelled sets")
    parser.add_argument("--small", type=int, default=50, help="also run stories in batches of this size (0: no)")
    parser.add_argument("--topic-sample", type=int, default=8000,
                        help="topic sets larger than this are scored on a seeded sample of this size")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if not (args.stories or args.topics):
        parser.error("give --stories and/or --topics")
    embedder = load_embedder(CONFIG.embedding)
    report: dict[str, Any] = {"stories": [], "topics": []}
    for name, articles in _sets(args.stories):
        report["stories"].append(stories(name, articles, embedder, args.small))
        print(json.dumps(report["stories"][-1]), flush=True)
    for name, articles in _sets(args.topics):
        labelled = [a for a in articles if a.topic or a.story]
        if len(labelled) > args.topic_sample:
            keep = np.sort(np.random.default_rng(0).choice(len(labelled), args.topic_sample, replace=False))
            labelled = [labelled[i] for i in keep]
        report["topics"].append(topics(name, labelled, embedder))
        print(json.dumps(report["topics"][-1]), flush=True)
    if args.out:
        args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print("done", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
