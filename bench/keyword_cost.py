"""What the analyst topics' required terms (`must_mention`) cost: the keyword pass of a fit and the crawl's
support check, with the default topics' keywords alone (the baseline) and with their required terms too.

    python bench/keyword_cost.py [jsonl:newscluster.jsonl] [--articles 10000] [--runs 5]

Texts: a labelled set's articles (read by ``bench/real_sets.py``, news length) repeated to ``--articles``, or
without one the demo corpus's synthetic articles (about 90 words), each cut to ``embedding.max_words`` words
as the topic stage reads it. Times ``seeding.keyword_hits`` over every
text (what a fit runs, in a helper process when one is free) and ``SavedSeeds.supported`` (what the crawl runs
per batch of new articles), medians of ``--runs``; both variants in the same run, so the ratio holds on a
noisy machine.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
from real_sets import read_labelled

from monitor.config import Config
from monitor.demo.corpus import build_corpus
from monitor.topics.embeddings import document
from monitor.topics.model import SavedSeeds
from monitor.topics.seeding import keyword_hits, keyword_matchers, term_lists

FEEDS = [{"name": "f", "url": "http://127.0.0.1:9/feed"}]


def texts_of(spec: str | None, count: int) -> list[str]:
    if spec:
        _, articles = read_labelled(spec, 10**9)
        pairs = [(a.title, a.text) for a in articles]
    else:
        pairs = [(a.title, a.text) for a in build_corpus(seed=7)]
    words = Config(feeds=FEEDS).embedding.max_words  # what the topic stage reads of each article
    base = [document(title, text, words) for title, text in pairs]
    return [base[i % len(base)] for i in range(count)]


def median_seconds(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("texts", nargs="?", help="FORMAT:PATH of a labelled set (default: the demo corpus)")
    parser.add_argument("--articles", type=int, default=10000, help="texts to read (the set repeated)")
    parser.add_argument("--batch", type=int, default=1000, help="new articles per crawl batch")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    texts = texts_of(args.texts, args.articles)
    seeds = Config(feeds=FEEDS).topics
    keywords = [s.keywords for s in seeds]
    must = [s.must_mention for s in seeds]
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((len(seeds), 256)).astype(np.float32)
    batch = rng.standard_normal((args.batch, 256)).astype(np.float32)
    print(f"{len(texts)} texts, {sum(map(len, texts)) / len(texts):.0f} characters each; medians of {args.runs}")
    rows = []
    variants = (("keywords alone (baseline)", keywords, ()),
                ("with required terms", term_lists(keywords, must), tuple(tuple(m) for m in must)))
    for label, lists, required in variants:
        fit = median_seconds(lambda lists=lists: keyword_hits(texts, keyword_matchers(lists)), args.runs)
        saved = SavedSeeds(tuple(range(len(seeds))), vectors, tuple(tuple(k) for k in keywords), 0.3, required)
        crawl = median_seconds(lambda saved=saved: saved.supported(batch, texts[:args.batch]), args.runs)
        rows.append((label, fit, crawl))
    print(f"| {'':26} | fit's keyword pass, {len(texts)} texts | crawl's support check, {args.batch} texts |")
    print("|---|---|---|")
    for label, fit, crawl in rows:
        print(f"| {label:26} | {fit:.2f} s | {crawl * 1000:.0f} ms |")
    print(f"ratio (with / alone): fit {rows[1][1] / rows[0][1]:.2f}x, crawl {rows[1][2] / rows[0][2]:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
