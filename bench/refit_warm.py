"""A refit in a fresh process once numba's cache is warm, for each source tree: what every refit after the
first costs (the weekly one, and those a growing corpus asks for).

    python bench/refit_warm.py --tree BASE --tree . [--articles 2000] [--texts giveme5w1h_newscluster.jsonl] [--runs 3]

A database of ``--articles`` articles is built once (the demo corpus's synthetic articles, or news-length ones
made of ``--texts``' paragraphs, as ``bench/topics_fit_e2e.py`` builds them: stored, embedded, stories
assigned). Each ``--tree`` (a source checkout, put first on ``PYTHONPATH``) then fits it as ``monitor topics
fit`` does (``service.fit``, helpers as shipped), each fit in a fresh process on its own copy of the
database: once into an empty numba cache (first use), then ``--runs`` times more with the cache that first
fit left (warm), the trees taking turns so that the machine's drift touches both. Reported: each tree's
first-use and warm fit seconds (medians) and the warm ratio of each tree to the first.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
from pathlib import Path

from topics_fit_e2e import FIT, UPGRADE, build_corpus, child

ROOT = Path(__file__).resolve().parent.parent


def fit_once(tree: Path, db: Path, data: Path, copy: Path) -> float:
    for leftover in (copy, copy.with_name(copy.name + "-wal"), copy.with_name(copy.name + "-shm")):
        leftover.unlink(missing_ok=True)  # the last fit's journal would not belong to the fresh copy
    shutil.copyfile(db, copy)
    shutil.rmtree(data / "topic_model", ignore_errors=True)  # the last fit's model; its numba cache stays
    url = f"sqlite:///{copy}"
    child(UPGRADE, tree, URL=url)
    return float(child(FIT, tree, URL=url, DATA=str(data), HELPERS=True)["fit_s"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", type=Path, help="source checkout to time (repeatable)")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--texts", type=Path, help="news-length articles made of this jsonl's paragraphs")
    parser.add_argument("--runs", type=int, default=3, help="warm fits per tree (median)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    trees = [t.resolve() for t in args.tree or [ROOT]]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = work / "built.db"
        build_corpus(db, work / "build-data", args.articles, args.texts)
        data = {tree: work / f"data-{i}" for i, tree in enumerate(trees)}  # each tree's own numba cache
        first = {tree: fit_once(tree, db, data[tree], work / "fit.db") for tree in trees}
        warm: dict[Path, list[float]] = {tree: [] for tree in trees}
        for _ in range(args.runs):
            for tree in trees:
                warm[tree].append(fit_once(tree, db, data[tree], work / "fit.db"))
    base = statistics.median(warm[trees[0]])
    report = {"articles": args.articles, "corpus": "news" if args.texts else "synthetic",
              "trees": [{"tree": str(tree), "first_use_s": first[tree], "warm_s": statistics.median(warm[tree]),
                         "warm_runs": warm[tree], "warm_vs_first_tree": round(statistics.median(warm[tree]) / base, 3)}
                        for tree in trees]}
    print(json.dumps(report, indent=1))
    if args.out:
        args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
