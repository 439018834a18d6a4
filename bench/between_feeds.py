"""Topics between refits through the product: a set crawled and fitted, its later news crawled run by run.

    python bench/between_feeds.py newscluster-kinds:newscluster.jsonl [googlenews-siblings:TS.jsonl ...] \\
                                  [--batch 25] [--sample 3000] [--seeds 42 1 2]

``bench/between_refits.py`` places held-out articles with the crawl's placement function and stands the
sets' events in for the stories. This script runs what a user runs: per seed it holds out the same
articles (a fifth of the set's themes whole, a fifth of the other themes' articles), serves the rest on
the loopback as undated feeds (``bench/eval_feeds.py``), runs ``monitor crawl`` and ``monitor topics
fit`` with the shipped settings (the default analyst topics included), then publishes the held-out
articles ``--batch`` at a time in a seeded order and runs ``monitor crawl --all`` after each batch, as cron
would: the crawl's own stories, placements and hand-on. The topics the held-out articles are read under
are then read from the database and scored as ``between_refits.py`` scores them: the share of the unseen
themes' articles in some topic (lower is better), the share of the known themes' articles in one, and
the known themes' ARI (an unassigned article a singleton).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from between_refits import held_out, scored
from eval_feeds import cli, config, publish, read_back
from real_sets import LabelledArticle, read_labelled

from monitor.demo.server import DemoServer


def one_seed(articles: list[LabelledArticle], truth: np.ndarray, seed: int, batch: int,
             outlets: int) -> dict[str, float]:
    fit_rows, later, unseen = held_out(truth, seed)
    with tempfile.TemporaryDirectory(prefix="between-feeds-") as where, DemoServer() as server:
        folder = Path(where)
        path, database = config(server.base_url, outlets, folder, seed), folder / "monitor.db"
        publish(server, articles, outlets, fit_rows.tolist())
        cli(["crawl"], path, database)
        cli(["topics", "fit"], path, database)
        order = later[np.random.default_rng(seed).permutation(len(later))]
        for start in range(0, len(order), batch):
            shown = [*fit_rows.tolist(), *order[:start + batch].tolist()]
            urls = publish(server, articles, outlets, shown)
            cli(["crawl", "--all"], path, database)  # the next cron run: every feed due
        got = read_back(database, urls)
    placed = np.array([-1 if got.get(int(i), (None, None))[1] is None else got[int(i)][1] for i in later])
    return {**scored(placed, truth[later], unseen[later]), "stored": float(np.mean([int(i) in got for i in later]))}


def run(name: str, articles: list[LabelledArticle], seeds: list[int], batch: int, outlets: int) -> dict[str, Any]:
    truth = np.array([str(a.topic or a.story) for a in articles])
    runs = [one_seed(articles, truth, seed, batch, outlets) for seed in seeds]
    return {"set": name, "articles": len(articles), "seeds": seeds, "batch": batch,
            **{k: round(float(np.mean([r[k] for r in runs])), 3) for k in runs[0]},
            "per_seed": [{k: round(v, 3) for k, v in r.items()} for r in runs]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", help="FORMAT:PATH of topic-labelled sets")
    parser.add_argument("--batch", type=int, default=25, help="held-out articles published before each crawl")
    parser.add_argument("--sample", type=int, default=3000, help="larger sets are read as a seeded sample")
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 1, 2])
    parser.add_argument("--outlets", type=int, default=10, help="feeds the articles are spread over")
    args = parser.parse_args(argv)
    for spec in args.sets:
        name, articles = read_labelled(spec, args.sample)
        print(json.dumps(run(name, articles, args.seeds, args.batch, args.outlets)),
              flush=True)
    print("done", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
