"""Early refits as a corpus grows: topics as an analyst reads them, run by run, with and without them.

    python bench/refit_growth.py newscluster-kinds:newscluster.jsonl [googlenews-siblings:TS.jsonl ...] \\
                                 [--first 0.2] [--batch 25] [--growth none 1.0 0.5] [--seeds 42]

Per set and seed, the articles arrive in a seeded order, served on the loopback as undated feeds
(``bench/eval_feeds.py``). The first ``--first`` of them are crawled and fitted (``monitor crawl``,
``monitor topics fit``: a first fit on a young corpus); the rest are published ``--batch`` at a time,
and after each batch ``monitor crawl --all`` and ``monitor run --stage refit`` run as a cron run would,
with ``topic_model.refit_growth`` set to each value of ``--growth`` (``none``: the weekly refit alone,
the baseline; within the bench's minutes no week ends). After every run the topics of all articles
published so far are read back and scored against the set's themes (ARI, an unassigned article a
singleton). Reported per growth value: the mean ARI over the runs (what the analyst read day by day),
the ARI after the last run, the refits and their seconds.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from eval_feeds import cli, config, publish, read_back
from real_sets import LabelledArticle, read_labelled

from monitor.demo.server import DemoServer
from monitor.topics.evaluate import adjusted_rand


def read_ari(database: Path, urls: dict[str, int], truth: list[str]) -> float:
    got = read_back(database, urls)
    rows = sorted(got)
    return adjusted_rand([truth[i] for i in rows], [None if got[i][1] in (None, -1) else got[i][1] for i in rows])


def one_run(articles: list[LabelledArticle], truth: list[str], seed: int, growth: float | None, first: float,
            batch: int, outlets: int) -> dict[str, float]:
    order = np.random.default_rng(seed).permutation(len(articles)).tolist()
    start = max(20, int(first * len(articles)))
    aris, refits, seconds = [], 0, 0.0
    with tempfile.TemporaryDirectory(prefix="refit-growth-") as where, DemoServer() as server:
        folder = Path(where)
        path, database = config(server.base_url, outlets, folder, seed, refit_growth=growth), folder / "monitor.db"
        publish(server, articles, outlets, order[:start])
        cli(["crawl"], path, database)
        seconds += cli(["topics", "fit"], path, database)
        for end in range(start + batch, len(order) + batch, batch):
            urls = publish(server, articles, outlets, order[:end])
            cli(["crawl", "--all"], path, database)
            before = _runs(database)
            took = cli(["run", "--stage", "refit"], path, database)
            if _runs(database) > before:
                refits, seconds = refits + 1, seconds + took
            aris.append(read_ari(database, urls, truth))
    return {"mean ARI": float(np.mean(aris)), "last ARI": aris[-1], "refits": refits, "fit seconds": seconds}


def _runs(database: Path) -> int:
    with sqlite3.connect(database) as conn:
        return int(conn.execute("select count(*) from topic_model_run").fetchone()[0])


def run(name: str, articles: list[LabelledArticle], seeds: list[int], growths: list[float | None], first: float,
        batch: int, outlets: int) -> dict[str, Any]:
    truth = [str(a.topic or a.story) for a in articles]
    out: dict[str, Any] = {"set": name, "articles": len(articles), "seeds": seeds, "first": first, "batch": batch}
    for growth in growths:
        started = time.perf_counter()
        runs = [one_run(articles, truth, seed, growth, first, batch, outlets) for seed in seeds]
        out[str(growth)] = {**{k: round(float(np.mean([r[k] for r in runs])), 4) for k in runs[0]},
                            "wall seconds": round(time.perf_counter() - started, 1)}
        print(json.dumps({"set": name, "growth": growth, **out[str(growth)]}), file=sys.stderr, flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", help="FORMAT:PATH of topic-labelled sets")
    parser.add_argument("--first", type=float, default=0.2, help="share of the set the first fit reads")
    parser.add_argument("--batch", type=int, default=25, help="articles published before each cron run")
    parser.add_argument("--growth", nargs="+", default=["none", "1.0", "0.5"],
                        help="topic_model.refit_growth values to compare ('none': weekly refits alone)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[42])
    parser.add_argument("--sample", type=int, default=3000, help="larger sets are read as a seeded sample")
    parser.add_argument("--outlets", type=int, default=10, help="feeds the articles are spread over")
    args = parser.parse_args(argv)
    growths = [None if g == "none" else float(g) for g in args.growth]
    for spec in args.sets:
        name, articles = read_labelled(spec, args.sample)
        print(json.dumps(run(name, articles, args.seeds, growths, args.first, args.batch,
                             args.outlets)), flush=True)
    print("done", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
