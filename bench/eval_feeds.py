"""A labelled real-news set through the product as a user runs it: served as feeds, crawled, fitted.

    python bench/eval_feeds.py jsonl:newscluster.jsonl [jsonl:basil.jsonl ...] [--outlets 10] [--seeds 42 1 2] [--out results.json]

``bench/eval_real.py`` scores the grouping functions on the sets' own texts. This script scores what
an analyst would read after ``monitor crawl`` and ``monitor topics fit``: each set (read by
``bench/real_sets.py``, not shipped) is served on the loopback as ``--outlets`` RSS feeds whose
entries and pages carry **no date** (no time signal, every article is dated by its fetch), the real
CLI crawls them with the shipped ``feeds.yaml`` settings (its analyst topics, entities, dedupe and
story settings; only the feed list, the data folder and the crawl's politeness delay are replaced),
then fits topics. Stories and topics are read back from the database by article URL and scored
against the set's labels: B-cubed precision / recall / F1 and ARI. Topic labels are the set's
``topic`` where it has one, else its ``story``; an unassigned article (topic -1) counts as one
cluster of its own, as a reader sees it ("unassigned"). Articles the crawl did not store, or stored
as duplicates of another, are reported; a duplicate is scored in its original's story and topic.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from real_sets import LabelledArticle, read_set  # noqa: E402

from eval_real import scores  # noqa: E402

from monitor.demo.server import DemoServer  # noqa: E402

SHIPPED = HERE.parent / "feeds.yaml"


def page(article: LabelledArticle) -> bytes:
    """An article page with no date anywhere (no meta, no byline time)."""
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in article.text.split("\n") if p.strip())
    title = escape(article.title)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<header><nav><a href="/">Home</a></nav></header><main><article><h1>{title}</h1>{paragraphs}'
            f"</article></main><footer><p>Evaluation copy.</p></footer></body></html>").encode("utf-8")


def feed(outlet: int, items: list[tuple[str, LabelledArticle]], base: str) -> bytes:
    """RSS 2.0 with a title and link per entry and no dates."""
    entries = "".join(f"<item><title>{xml_escape(a.title)}</title><link>{xml_escape(base + path)}</link>"
                      f'<guid isPermaLink="true">{xml_escape(base + path)}</guid></item>' for path, a in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Outlet {outlet}</title>'
            f"<link>{base}/</link><description>evaluation feed</description>{entries}</channel></rss>").encode()


def routes(articles: list[LabelledArticle], outlets: int, base: str,
           rows: Sequence[int] | None = None) -> tuple[dict[str, tuple[str, bytes]], dict[str, int]]:
    """Feeds and pages, and each page's URL -> index in ``articles``; with ``rows``, only those articles
    (each at the address it has in the whole set)."""
    out: dict[str, tuple[str, bytes]] = {"/robots.txt": ("text/plain", b"User-agent: *\nAllow: /\n")}
    urls: dict[str, int] = {}
    by_outlet: dict[int, list[tuple[str, LabelledArticle]]] = {}
    for i in range(len(articles)) if rows is None else rows:
        article, path = articles[i], f"/o{i % outlets}/a{i}.html"
        out[path] = ("text/html; charset=utf-8", page(article))
        urls[base + path] = i
        by_outlet.setdefault(i % outlets, []).append((path, article))
    for outlet, items in by_outlet.items():
        out[f"/o{outlet}/feed.xml"] = ("application/rss+xml; charset=utf-8", feed(outlet, items, base))
    return out, urls


def publish(server: DemoServer, articles: list[LabelledArticle], outlets: int,
            rows: Sequence[int] | None = None) -> dict[str, int]:
    """Serve the feeds and pages of ``articles`` (only ``rows`` with them, see ``routes``); their URLs."""
    table, urls = routes(articles, outlets, server.base_url, rows)
    server.publish(table)
    return urls


def config(base: str, outlets: int, folder: Path, seed: int | None = None, **topic_model: Any) -> Path:
    """The shipped configuration with the set's feeds (and, with ``seed``, that topic-model seed; with
    ``topic_model``, those topic-model settings too)."""
    shipped = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    shipped.update({
        "feeds": [{"name": f"Outlet {o}", "url": f"{base}/o{o}/feed.xml", "language": "en"} for o in range(outlets)],
        "data_dir": str(folder / "data"),
        "crawl": {**shipped.get("crawl", {}), "host_delay": 0, "per_host": 8, "max_entries_per_feed": 100000},
    })
    if seed is not None:
        topic_model["seed"] = seed
    if topic_model:
        shipped["topic_model"] = {**(shipped.get("topic_model") or {}), **topic_model}
    path = folder / "feeds.yaml"
    path.write_text(yaml.safe_dump(shipped, sort_keys=False), encoding="utf-8")
    return path


def cli(args: list[str], path: Path, database: Path) -> float:
    path, database = path.resolve(), database.resolve()
    env = dict(os.environ, MONITOR_DATABASE_URL=f"sqlite:///{database}", HF_HUB_OFFLINE="1")
    started = time.perf_counter()
    # run from the set's folder: ``-m`` puts the working directory first on the path, so a run from
    # another checkout would import that checkout's package instead of this interpreter's
    done = subprocess.run([sys.executable, "-m", "monitor", "--config", str(path), *args], env=env,
                          capture_output=True, text=True, cwd=path.parent)
    if done.returncode != 0:
        raise RuntimeError(f"monitor {' '.join(args)} exited {done.returncode}: {done.stderr[-3000:]}")
    return time.perf_counter() - started


def read_back(database: Path, urls: dict[str, int]) -> dict[int, tuple[int | None, int | None, bool]]:
    """Set index -> (story id, topic id, stored as a duplicate) for every stored article."""
    with sqlite3.connect(database) as conn:
        rows = conn.execute(
            "select a.url, a.id, a.duplicate_of, m.story_id, t.topic_id from article a "
            "left join story_member m on m.article_id = a.id left join article_topic t on t.article_id = a.id"
        ).fetchall()
    by_id = {aid: (story, topic) for _, aid, _, story, topic in rows}
    out = {}
    for url, _aid, duplicate_of, story, topic in rows:
        if url not in urls:
            continue
        if duplicate_of is not None and duplicate_of in by_id:
            story = story if story is not None else by_id[duplicate_of][0]
            topic = topic if topic is not None else by_id[duplicate_of][1]
        out[urls[url]] = (story, topic, duplicate_of is not None)
    return out


def evaluate(name: str, articles: list[LabelledArticle], outlets: int, keep: Path | None = None,
             seeds: tuple[int | None, ...] = (None,)) -> dict[str, Any]:
    """Crawl once, then fit once per topic-model seed (``None``: the shipped seed); topics are the mean
    over the fits, as ``eval_real.py`` reports them, since one fit moves with its seed."""
    saved = None if keep is None else keep / Path(name).stem
    place = tempfile.TemporaryDirectory(prefix="eval-feeds-") if saved is None else contextlib.nullcontext(saved)
    with place as where, DemoServer() as server:
        folder = Path(where)
        folder.mkdir(parents=True, exist_ok=saved is None)
        urls = publish(server, articles, outlets)
        database = folder / "monitor.db"
        crawl = cli(["crawl"], config(server.base_url, outlets, folder), database)
        fits = []
        for seed in seeds:
            fit = cli(["topics", "fit"], config(server.base_url, outlets, folder, seed), database)
            fits.append((fit, read_back(database, urls)))
    got = fits[0][1]
    kept = sorted(i for i, (story, _t, _d) in got.items() if story is not None)
    out: dict[str, Any] = {"set": name, "articles": len(articles), "stored": len(got), "in_stories": len(kept),
                           "duplicates": sum(d for _s, _t, d in got.values()),
                           "crawl_seconds": round(crawl, 1), "fit_seconds": round(fits[0][0], 1)}
    stories = [i for i in kept if articles[i].story is not None]
    if stories:
        out["stories"] = scores([articles[i].story for i in stories], [got[i][0] for i in stories])
    themed = [i for i in got if (articles[i].topic or articles[i].story) is not None]
    if themed:
        runs = [_topic_scores(articles, themed, fitted) for _, fitted in fits]
        out["topics"] = {key: round(sum(r[key] for r in runs) / len(runs), 4) for key in runs[0]}
        if len(seeds) > 1:
            out["topic_seeds"] = {str(seed): run["ari"] for seed, run in zip(seeds, runs, strict=True)}
    return out


def _topic_scores(articles: list[LabelledArticle], themed: list[int],
                  got: dict[int, tuple[int | None, int | None, bool]]) -> dict[str, float]:
    topics = [-1 if got[i][1] is None else got[i][1] for i in themed]
    return {**scores([articles[i].topic or articles[i].story for i in themed], topics),
            "unassigned": round(sum(t == -1 for t in topics) / len(topics), 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="+", metavar="FORMAT:PATH")
    parser.add_argument("--outlets", type=int, default=10, help="feeds the articles are spread over (default 10)")
    parser.add_argument("--out", type=Path, help="also write the results as JSON lines here")
    parser.add_argument("--keep", type=Path,
                        help="keep each set's feeds.yaml and database in a new folder under this one")
    parser.add_argument("--seeds", type=int, nargs="+",
                        help="fit the topics once per topic-model seed and report the mean (default: the shipped seed)")
    args = parser.parse_args(argv)
    results = []
    for spec in args.sets:
        kind, _, raw = spec.partition(":")
        result = evaluate(Path(raw).name, read_set(Path(raw), kind), args.outlets, args.keep,
                          tuple(args.seeds) if args.seeds else (None,))
        print(json.dumps(result), flush=True)
        results.append(result)
    if args.out:
        args.out.write_text("".join(json.dumps(r) + "\n" for r in results), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
