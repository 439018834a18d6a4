"""What the default analyst topics take from real news written by others, to be read as an analyst would.

    python bench/analyst_topics.py agnews:test.csv [jsonl:newscluster.jsonl ...] [--seed 42] [--show 30] [--out r.json]

Each ``FORMAT:PATH`` is read by ``bench/real_sets.py`` (the data is not shipped). The whole set is fitted as
``monitor topics fit`` fits it (``fit_bertopic`` with the shipped defaults, the default analyst topics and
the articles' titles and texts), then each analyst topic is listed with its number of articles, the set's
labels among them, and its headlines (``--show`` of them, spread over the topic; 0: all), so that whether
they belong is read, not assumed. Sets such as AG News carry no label for "chips" or "cyber", so precision is
judged by reading.

Then every cluster whose members' mean embedding is at least ``--near`` alike to an analyst topic, taken or
not: which topic it is nearest, how alike its mean is, the share of its members naming one of that topic's
keywords, the share allowed in it (its must-mention terms) and the share that are evidence for it
(``seeding.seed_evidence``): the quantities the rule that labels a cluster reads (``seeding.label_clusters``,
``seeding.cluster_evidence``).

Last, what the analyst topics do to the set's topic ARI: the same vectors fitted without them, both fits
scored against the set's themes and against the themes as an analyst with these topics reads them
(``_aris``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from eval_topics import CONFIG
from real_sets import LabelledArticle, read_labelled

from monitor.config import Config
from monitor.topics.embeddings import document, load_embedder, normalise
from monitor.topics.model import fit_bertopic, seed_vectors
from monitor.topics.evaluate import adjusted_rand
from monitor.topics.seeding import gated, seed_evidence, term_hits


def report(name: str, articles: list[LabelledArticle], embedder: Any, seed: int, show: int,
           near: float) -> dict[str, Any]:
    whole = Config(feeds=CONFIG.feeds)
    seeds, cfg = list(whole.topics), whole.topic_model.model_copy(update={"seed": seed})
    docs = [document(a.title, a.text, CONFIG.embedding.max_words) for a in articles]
    stored = embedder.embed(docs)  # the vectors as the crawl stores them, which the fit reads
    dense = normalise(stored)  # as the fit reads them: normalised once more, which moves the last bit
    seeds_at = seed_vectors(seeds, embedder, dense.shape[1])
    hits, allowed = term_hits(docs, [s.keywords for s in seeds], [s.must_mention for s in seeds])
    similarity, hits = gated(dense @ seeds_at.T, hits, allowed)
    evidence = seed_evidence(similarity, hits, cfg.evidence_similarity)
    _, fitted = fit_bertopic(docs, stored, seeds, embedder, cfg, titles=[a.title for a in articles],
                             bodies=[a.text for a in articles])
    labels = np.asarray(fitted.labels)
    found = {t.bertopic_id: t for t in fitted.topics}
    analyst = {t.seed: t.bertopic_id for t in fitted.topics if t.seed}
    topics = []
    for topic in seeds:
        rows = np.flatnonzero(labels == analyst[topic.name]) if topic.name in analyst else np.array([], int)
        shown = rows if not show or len(rows) <= show else rows[np.linspace(0, len(rows) - 1, show).astype(int)]
        topics.append({"topic": topic.name, "articles": len(rows),
                       "labels": Counter(str(articles[r].topic or articles[r].story) for r in rows).most_common(),
                       "headlines": [articles[r].title for r in shown]})
    near_clusters = []
    for topic_id in sorted(set(labels.tolist()) - {-1}):
        members = labels == topic_id
        alike = normalise(dense[members].mean(axis=0, keepdims=True))[0] @ seeds_at.T
        best = int(alike.argmax())
        if alike[best] >= near or found[topic_id].seed:
            near_clusters.append({
                "articles": int(members.sum()), "taken_by": found[topic_id].seed, "nearest": seeds[best].name,
                "mean_alike": round(float(alike[best]), 3),
                "keyword_share": round(float((hits[members, best] >= 1).mean()), 2),
                "allowed_share": round(float(allowed[members, best].mean()), 2),
                "evidence_share": round(float((evidence[members] == best).mean()), 2), "label": found[topic_id].label})
    _, alone = fit_bertopic(docs, stored, [], embedder, cfg)
    return {"set": name, "articles": len(articles), "seed": seed, "unassigned": int((labels < 0).sum()),
            "analyst_topics": topics, "near_clusters": near_clusters,
            "ari": _aris(articles, labels, np.asarray(alone.labels), list(analyst.values()))}


def _aris(articles: list[LabelledArticle], taken: np.ndarray, alone: np.ndarray,
          analyst: list[int]) -> dict[str, Any]:
    """ARI of the fit with the analyst topics (``taken``) and of the same vectors fitted without them
    (``alone``), unassigned as one cluster, against the set's themes and against the analyst's reading of
    them: each event of which an analyst topic holds at least half the reports a theme of its own (an
    analyst who follows sanctions reads "ships pass oil to North Korea" as sanctions news, not as one more
    North Korea story)."""
    themes = [a.topic or a.story for a in articles]
    events = np.asarray([a.story or "" for a in articles])
    own = {str(e) for topic in analyst for e in set(events[taken == topic]) - {""}
           if (taken[events == e] == topic).mean() >= 0.5}
    read = [("event", a.story) if a.story in own else t for a, t in zip(articles, themes, strict=True)]
    return {"events_of_their_own": sorted(own),
            **{f"{fit}_{truth}": round(adjusted_rand(labels, got.tolist()), 4)
               for fit, got in (("with", taken), ("without", alone)) for truth, labels in (("themes", themes),
                                                                                          ("read", read))}}


def printed(result: dict[str, Any]) -> str:
    lines = [f"# {result['set']}: {result['articles']} articles, seed {result['seed']}, "
             f"{result['unassigned']} unassigned"]
    for topic in result["analyst_topics"]:
        lines.append(f"\n## {topic['topic']}: {topic['articles']} articles; labels {topic['labels'][:6]}")
        lines += [f"   - {title[:110]}" for title in topic["headlines"]]
    lines.append("\n## clusters near an analyst topic (articles, taken by, nearest, mean alike, keyword share, "
                 "allowed share, evidence share, label)")
    lines += [f"{c['articles']:6d}  {c['taken_by'] or '-':32.32s} {c['nearest']:32.32s} {c['mean_alike']:.3f} "
              f"{c['keyword_share']:.2f} {c['allowed_share']:.2f} {c['evidence_share']:.2f}  {c['label'][:60]}"
              for c in result["near_clusters"]]
    ari = result["ari"]
    own = ", ".join(ari["events_of_their_own"]) or "none"
    lines.append(f"\nARI against the themes: {ari['with_themes']:.4f} with the analyst topics, "
                 f"{ari['without_themes']:.4f} without; against the analyst's reading (events {own} themes of "
                 f"their own): {ari['with_read']:.4f} with, {ari['without_read']:.4f} without")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", help="FORMAT:PATH of labelled sets")
    parser.add_argument("--sample", type=int, default=20000, help="larger sets are read as a seeded sample")
    parser.add_argument("--seed", type=int, default=42, help="the fit's UMAP seed")
    parser.add_argument("--show", type=int, default=30, help="headlines listed per analyst topic (0: all)")
    parser.add_argument("--near", type=float, default=0.25, help="list clusters at least this alike to a topic")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    embedder = load_embedder(CONFIG.embedding)
    results = []
    for spec in args.sets:
        name, articles = read_labelled(spec, args.sample)
        results.append(report(name, articles, embedder, args.seed, args.show, args.near))
        print(printed(results[-1]), flush=True)
    if args.out:
        args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print("done", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
