"""Story and topic grouping on labelled news written by others, against TF-IDF + agglomerative clustering.

    python bench/eval_real.py --stories TS.jsonl --stories-format googlenews \\
                              --topics test.csv --topics-format agnews [--out results.json]

Stories: every article gets one shared time (the sets carry no dates), so nothing
leans on time. Ours runs with the shipped defaults; the sweep rows show what other
story thresholds would give. The baseline (TF-IDF fitted on the evaluation articles,
average-link agglomerative clustering on cosine distance) gets the best distance
threshold for the labels.

Topics: the baseline gets the best cluster count for the labels. Ours runs three
ways: seeded with one analyst topic per class (name and a one-line description
written for this evaluation, no keywords taken from the data), unseeded with the
defaults, and unseeded with the cluster count the baseline found best.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from eval_topics import CONFIG, baseline_stories, baseline_topics, ours_stories, ours_topics, scores, tfidf
from real_sets import LabelledArticle, read_set

from monitor.config import Config, StoryConfig
from monitor.topics.embeddings import document, load_embedder
from monitor.topics.stories import calibrated_threshold, lead_text, story_vectors

SWEEP = [0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8]
AG_SEEDS = [
    {"name": "World", "description": "world news: international politics, governments, wars, elections, diplomacy"},
    {"name": "Sports", "description": "sports: games, teams, players, leagues, tournaments and results"},
    {"name": "Business", "description": "business and economy: companies, markets, earnings, prices, trade"},
    {"name": "Sci/Tech", "description": "science and technology: computers, software, internet, space, research"},
]


def embed(articles: list[LabelledArticle], embedder: Any) -> Any:
    return embedder.embed([document(a.title, a.text, CONFIG.embedding.max_words) for a in articles])


def stories(articles: list[LabelledArticle], embedder: Any) -> dict[str, Any]:
    truth = [a.story for a in articles]
    semantic = embed(articles, embedder)
    base, threshold = baseline_stories(tfidf(articles), truth)
    sweep = {str(s): scores(truth, ours_stories(articles, semantic, True, StoryConfig(similarity=s)))
             for s in SWEEP}
    vectors = story_vectors(semantic, [lead_text(a.title, a.text) for a in articles], CONFIG.stories.semantic_weight)
    return {"articles": len(articles), "labels": len(set(truth)),
            "calibrated_threshold": round(calibrated_threshold(vectors[-1000:], CONFIG.stories.z), 3),
            "ours_default": scores(truth, ours_stories(articles, semantic, True)),
            "ours_sweep": sweep, "baseline": {**base, "best_threshold": threshold}}


def topics(articles: list[LabelledArticle], embedder: Any) -> dict[str, Any]:
    truth = [a.topic for a in articles]
    keep = [True] * len(articles)
    semantic = embed(articles, embedder)
    base, k = baseline_topics(tfidf(articles), truth, keep, ks=range(2, 21))
    seeded = Config(feeds=CONFIG.feeds, topics=AG_SEEDS)
    unseeded = Config(feeds=CONFIG.feeds, topics=[])
    best_k = Config(feeds=CONFIG.feeds, topics=[], topic_model={"n_clusters": k})
    return {"articles": len(articles), "labels": len(set(truth)),
            "ours_seeded": _topic_result(truth, ours_topics(articles, semantic, embedder, seeded)),
            "ours_unseeded_default": _topic_result(truth, ours_topics(articles, semantic, embedder, unseeded)),
            "ours_unseeded_k": _topic_result(truth, ours_topics(articles, semantic, embedder, best_k)),
            "baseline": {**base, "best_k": k}}


def _topic_result(truth: list[Any], labels: list[str]) -> dict[str, Any]:
    from monitor.topics.evaluate import purity

    return {**scores(truth, labels), "purity": round(purity(truth, labels), 4), "clusters": len(set(labels))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=Path)
    parser.add_argument("--stories-format", default="googlenews")
    parser.add_argument("--topics", type=Path)
    parser.add_argument("--topics-format", default="agnews")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if not (args.stories or args.topics):
        parser.error("give --stories and/or --topics")
    started = time.perf_counter()
    embedder = load_embedder(CONFIG.embedding)
    report: dict[str, Any] = {}
    if args.stories:
        report["stories"] = stories(read_set(args.stories, args.stories_format), embedder)
    if args.topics:
        report["topics"] = topics(read_set(args.topics, args.topics_format), embedder)
    print(json.dumps(report, indent=1))
    print(f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
    if args.out:
        args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
