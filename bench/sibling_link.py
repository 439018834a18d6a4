"""The link between sibling events: how well each representation of an event tells events of one kind from
events of different kinds, with the events given.

    python bench/sibling_link.py newscluster-kinds:newscluster.jsonl googlenews-siblings:TS.jsonl [--out r.json]

Each ``FORMAT:PATH`` is read by ``bench/real_sets.py`` (the data is not shipped); the set's stories are its
events and its topics their kinds. A topic is a theme and a story an event, so the fit's clusters of one
theme's events must be joined (``monitor.topics.siblings``: average linkage on the clusters' embedding
centroids, cut at ``sibling_z`` standard deviations above the mean pair). Here the clusters are the true
events, so what is measured is the link itself, not the clustering before it: every pair of events, scored
by the cosine of their centroids as a z over all pairs, against whether the two are of one kind.

Representations: the embedding (what the merge reads), TF-IDF over the words the fit reads (the naive
baseline), and both with every capitalised word taken out first (a kind of news is shared, its names are
an event's own: "rehab" is the kind, "Lindsay Lohan" the event), and the two embeddings' z averaged.

For each: the AUC of same-kind pairs against the rest, the median z of a same-kind pair, the largest z of a
pair of different kinds, how many same-kind pairs stand above every pair of different kinds, right and wrong
pairs at z 3 and 4, and the share of events with a sibling whose most alike event is one.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from real_sets import LabelledArticle, read_set
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import roc_auc_score

from monitor.config import Config
from monitor.topics.embeddings import load_embedder, normalise
from monitor.topics.service import words_read

CONFIG = Config(feeds=[{"name": "bench", "url": "http://127.0.0.1/feed"}])
CAPITALISED = re.compile(r"\b[A-Z][\w'’\-]*")
CUTS = (3.0, 4.0)


def event_rows(articles: list[LabelledArticle]) -> tuple[list[list[int]], list[str]]:
    """Each event's article rows and its kind."""
    rows: dict[str, list[int]] = defaultdict(list)
    for i, a in enumerate(articles):
        rows[str(a.story)].append(i)
    return list(rows.values()), [str(articles[r[0]].topic) for r in rows.values()]


def centroid_similarity(matrix: np.ndarray, events: list[list[int]]) -> np.ndarray:
    centroids = np.vstack([matrix[rows].mean(axis=0) for rows in events])
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    return centroids @ centroids.T


def as_z(similarity: np.ndarray) -> np.ndarray:
    pairs = similarity[np.triu_indices(len(similarity), 1)]
    return (similarity - pairs.mean()) / pairs.std()


def tfidf(docs: list[str]) -> np.ndarray:
    return TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=2).fit_transform(docs).toarray()


def representations(docs: list[str], embedder: Any) -> dict[str, np.ndarray]:
    nameless = [CAPITALISED.sub(" ", d) for d in docs]
    return {"embedding (shipped)": normalise(embedder.embed(docs)), "TF-IDF words (baseline)": tfidf(docs),
            "TF-IDF words, no capitalised": tfidf(nameless),
            "embedding, no capitalised": normalise(embedder.embed(nameless))}


def link_scores(z: np.ndarray, kinds: list[str]) -> dict[str, Any]:
    upper = np.triu_indices(len(kinds), 1)
    same = np.array([kinds[i] == kinds[j] for i, j in zip(*upper, strict=True)])
    pairs = z[upper]
    top_other = float(pairs[~same].max())
    nearest = []
    for i, kind in enumerate(kinds):
        if kinds.count(kind) > 1:
            row = z[i].copy()
            row[i] = -np.inf
            nearest.append(kinds[int(row.argmax())] == kind)
    return {"auc": round(float(roc_auc_score(same, pairs)), 3), "median_z_same": round(float(np.median(pairs[same])), 2),
            "max_z_other": round(top_other, 2), "same_above_every_other": int((pairs[same] > top_other).sum()),
            **{f"right_wrong_at_z{cut:g}": [int((pairs[same] >= cut).sum()), int((pairs[~same] >= cut).sum())]
               for cut in CUTS},
            "nearest_is_sibling": round(float(np.mean(nearest)), 2)}


def report(spec: str, embedder: Any) -> dict[str, Any]:
    kind, _, raw = spec.partition(":")
    articles = [a for a in read_set(Path(raw), kind) if a.story]
    events, kinds = event_rows(articles)
    docs = [words_read(a.title, a.text, CONFIG.embedding.max_words) for a in articles]
    zs = {name: as_z(centroid_similarity(m, events)) for name, m in representations(docs, embedder).items()}
    zs["embedding + embedding no capitalised"] = (zs["embedding (shipped)"] + zs["embedding, no capitalised"]) / 2
    n = len(kinds)
    return {"set": f"{kind}:{Path(raw).name}", "events": n,
            "same_kind_pairs": sum(kinds[i] == kinds[j] for i in range(n) for j in range(i + 1, n)),
            "pairs": n * (n - 1) // 2, "representations": {name: link_scores(z, kinds) for name, z in zs.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", help="FORMAT:PATH of sets whose topics are kinds of their stories")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    embedder = load_embedder(CONFIG.embedding)
    results = []
    for spec in args.sets:
        results.append(report(spec, embedder))
        print(json.dumps(results[-1]), flush=True)
    if args.out:
        args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
