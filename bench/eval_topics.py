"""Story and topic grouping quality against a TF-IDF + agglomerative clustering baseline.

Data: the labelled synthetic corpus (monitor.demo.corpus, several seeds) and, for
stories, the same corpus with every timestamp removed (one shared time: no time
signal to lean on). Metrics: B-cubed F1 and adjusted Rand index (monitor.topics.evaluate).

The baseline is given every advantage: TF-IDF fitted on the evaluation articles
themselves, and its distance threshold (stories) or cluster count (topics) chosen
as the best on the same data. Ours runs with the shipped defaults.

    python bench/eval_topics.py [--seeds 7 11 23] [--out bench/data/eval-topics.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from monitor.config import Config, StoryConfig
from monitor.demo.corpus import build_corpus
from monitor.topics.embeddings import document, load_embedder
from monitor.topics.evaluate import adjusted_rand, bcubed, purity
from monitor.topics.features import TermStats, bags
from monitor.topics.service import story_weights
from monitor.topics.stories import StoryItem, Threshold, article_vectors, assign_stories, calibrate

CONFIG = Config(feeds=[{"name": "bench", "url": "http://127.0.0.1/feed"}])
THRESHOLDS = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]


def scores(truth: list[Any], predicted: list[Any]) -> dict[str, float]:
    return {"bcubed_f1": round(bcubed(truth, predicted).f1, 4), "ari": round(adjusted_rand(truth, predicted), 4)}


def ours_stories(corpus: Sequence[Any], semantic: np.ndarray, timeless: bool,
                 cfg: StoryConfig = CONFIG.stories) -> list[int]:
    """Our stories with the shipped defaults: corpus IDF over the set, threshold calibrated on its
    newest 1,000 articles, all articles in one batch (as a first crawl delivers them)."""
    all_bags = [bags(a.title, a.text) for a in corpus]
    stats = TermStats.empty()
    stats.add(all_bags)
    weights = story_weights(Config(feeds=CONFIG.feeds, stories=cfg.model_dump()))
    when = datetime(2026, 1, 1, tzinfo=UTC)
    items = [StoryItem(i, when if timeless else a.published, semantic[i], all_bags[i]) for i, a in enumerate(corpus)]
    window = timedelta(hours=cfg.window_hours)
    reference = article_vectors(all_bags[-1000:], semantic[-1000:], stats)
    threshold = calibrate(reference, cfg.z, weights, cfg.crowding) if cfg.similarity == "auto" else Threshold.fixed(cfg.similarity)
    placed = {p.article_id: p.story_key for p in assign_stories(items, [], window, threshold, stats, weights)}
    return [placed[i] for i in range(len(corpus))]


def tfidf(corpus: Sequence[Any]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(
        [f"{a.title} {a.text}" for a in corpus]).toarray()


def baseline_stories(matrix: np.ndarray, truth: list[Any]) -> tuple[dict[str, float], float]:
    from sklearn.cluster import AgglomerativeClustering

    best: tuple[dict[str, float], float] | None = None
    for threshold in THRESHOLDS:
        labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                         distance_threshold=threshold).fit_predict(matrix)
        result = scores(truth, list(labels))
        if best is None or result["bcubed_f1"] > best[0]["bcubed_f1"]:
            best = (result, threshold)
    assert best is not None
    return best


def topic_scores(truth: Sequence[Any], labels: list[Any], keep: list[bool]) -> dict[str, float]:
    t = [x for x, k in zip(truth, keep, strict=True) if k]
    p = [x for x, k in zip(labels, keep, strict=True) if k]
    return {**scores(t, p), "purity": round(purity(t, p), 4)}


def baseline_topics(matrix: np.ndarray, truth: Sequence[Any], keep: list[bool],
                    ks: Sequence[int] = range(4, 21, 2)) -> tuple[dict[str, float], int]:
    from sklearn.cluster import AgglomerativeClustering

    best: tuple[dict[str, float], int] | None = None
    for k in ks:
        labels = list(AgglomerativeClustering(n_clusters=k, metric="cosine", linkage="average").fit_predict(matrix))
        result = topic_scores(truth, labels, keep)
        if best is None or result["bcubed_f1"] > best[0]["bcubed_f1"]:
            best = (result, k)
    assert best is not None
    return best


def ours_topics(corpus: Sequence[Any], semantic: np.ndarray, embedder: Any,
                config: Config = CONFIG) -> list[str]:
    from monitor.topics.identity import assign_ids
    from monitor.topics.model import fit_bertopic

    docs = [document(a.title, a.text, config.embedding.max_words) for a in corpus]
    _, fitted = fit_bertopic(docs, semantic, config.topics, embedder, config.topic_model)
    identity = assign_ids(fitted.topics, [], config.topics, config.topic_model.match_similarity,
                          datetime(2026, 1, 1, tzinfo=UTC))
    names = {t.id: t.name for t in identity.topics}
    return [names[identity.mapping[t]] if t >= 0 else "outlier" for t in fitted.labels]


def evaluate(seed: int, embedder: Any) -> dict[str, Any]:
    corpus = build_corpus(seed=seed)
    semantic = embedder.embed([document(a.title, a.text, CONFIG.embedding.max_words) for a in corpus])
    stories_truth = [a.story for a in corpus]
    topics_truth = [a.topic for a in corpus]
    matrix = tfidf(corpus)
    base_stories, threshold = baseline_stories(matrix, stories_truth)
    everything, on_topic = [True] * len(corpus), [a.topic != "noise" for a in corpus]
    base_topics, k = baseline_topics(matrix, topics_truth, everything)
    base_on_topic, k_on = baseline_topics(matrix, topics_truth, on_topic)
    ours_topic_labels = ours_topics(corpus, semantic, embedder)
    return {
        "seed": seed, "articles": len(corpus),
        "stories": {"ours_with_time": scores(stories_truth, ours_stories(corpus, semantic, False)),
                    "ours_no_time": scores(stories_truth, ours_stories(corpus, semantic, True)),
                    "baseline_no_time": {**base_stories, "best_threshold": threshold}},
        "topics": {"ours": topic_scores(topics_truth, ours_topic_labels, everything),
                   "baseline": {**base_topics, "best_k": k},
                   "ours_on_topic": topic_scores(topics_truth, ours_topic_labels, on_topic),
                   "baseline_on_topic": {**base_on_topic, "best_k": k_on}},
    }


def summary(runs: list[dict[str, Any]]) -> str:
    def med(path: list[str]) -> float:
        values = []
        for run in runs:
            node: Any = run
            for key in path:
                node = node[key]
            values.append(node)
        return round(statistics.median(values), 3)

    rows = [("stories", "ours (72 h window)", ["stories", "ours_with_time"]),
            ("stories", "ours, no time signal", ["stories", "ours_no_time"]),
            ("stories", "TF-IDF + agglomerative (best threshold)", ["stories", "baseline_no_time"]),
            ("topics", "ours (BERTopic, seeded)", ["topics", "ours"]),
            ("topics", "TF-IDF + agglomerative (best k)", ["topics", "baseline"]),
            ("topics, on-topic articles only", "ours (BERTopic, seeded)", ["topics", "ours_on_topic"]),
            ("topics, on-topic articles only", "TF-IDF + agglomerative (best k)", ["topics", "baseline_on_topic"])]
    lines = ["| task | method | B-cubed F1 | ARI | purity |", "| --- | --- | --- | --- | --- |"]
    for task, name, path in rows:
        pure = med(path + ["purity"]) if task.startswith("topics") else "-"
        lines.append(f"| {task} | {name} | {med(path + ['bcubed_f1'])} | {med(path + ['ari'])} | {pure} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 11, 23])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    embedder = load_embedder(CONFIG.embedding)
    runs = [evaluate(seed, embedder) for seed in args.seeds]
    print(json.dumps(runs, indent=1))
    print(summary(runs))
    print(f"medians over seeds {args.seeds}; {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(runs, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
