"""A year of data through the command line: what a cron pass and an analyst wait for, whole processes.

    python bench/year_cli_bench.py [--runs 5] [--articles 100000] [--tree PATH ...] [--workdir DIR]

One generated year (100,000 articles with ~3 KB of text, embedded, topics and stories assigned, a fitted
topic model on record) ending today, one feed on 127.0.0.1 that has nothing new. Each ``--tree`` (default:
this checkout) is a source checkout timed on a copy of the same database, so an earlier commit is the
baseline of the same run (``git archive COMMIT | tar -x -C DIR``). Times, medians of ``--runs``:

- ``monitor --version`` (the floor every command pays);
- ``monitor run`` with nothing new (the feed re-polled, nothing to embed, fit, count or render);
- ``monitor trends --days 30``;
- ``monitor site --out EMPTY`` (a full build) against ``build_site`` in this process on the same data,
  the in-process figure of ``bench/site_bench.py``;
- ``monitor export --format csv`` of every article.

The first ``monitor run`` of each tree (counting all history, building the site, writing the digest) is
not timed. The database is generated in --workdir (git-ignored).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa
import yaml
from site_data import fresh_year
from trends_bench import TERMS, add_texts

ROOT = Path(__file__).resolve().parents[1]
EMPTY_FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title>'
              b"<link>http://127.0.0.1/</link><description>nothing new</description></channel></rss>")


class _Feed(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the handler's API)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(EMPTY_FEED)))
        self.end_headers()
        self.wfile.write(EMPTY_FEED)

    def log_message(self, *_args: Any) -> None:
        pass


def prepare(workdir: Path, articles: int, config: dict[str, Any]) -> str:
    """The year ending today, with texts, an embedding per article and a current topic model on record."""
    from monitor.config import Config
    from monitor.store.tables import Embedding, TopicModelRun
    from monitor.topics.embeddings import model_name

    import random

    url, engine, _ = fresh_year(workdir, datetime.now(UTC).date(), articles)
    add_texts(engine, random.Random(11))
    model = model_name(Config.model_validate(config).embedding)
    vector = bytes(4 * 256)
    with engine.begin() as conn:
        ids = [i for (i,) in conn.execute(sa.text("SELECT id FROM article"))]
        for start in range(0, len(ids), 5000):
            conn.execute(sa.insert(Embedding.__table__), [
                {"article_id": i, "model": model, "dim": 256, "vector": vector, "created_at": datetime.now(UTC)}
                for i in ids[start:start + 5000]])
        conn.execute(sa.insert(TopicModelRun.__table__).values(
            path="bench-model", embedding_model=model, bertopic_version="0", n_docs=len(ids), n_topics=50,
            fitted_at=datetime.now(UTC), seconds=0.0, current=True))
    engine.dispose()
    return url


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def monitor(tree: Path, args: list[str], env: dict[str, str], cwd: Path) -> float:
    full_env = {**{k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}, **env,
                "PYTHONPATH": str(tree)}
    seconds, done = timed(lambda: subprocess.run([sys.executable, "-m", "monitor", *args], cwd=cwd, env=full_env,
                                                 capture_output=True, text=True, stdin=subprocess.DEVNULL))
    if done.returncode != 0:
        raise SystemExit(f"monitor {' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return seconds


def feeds_due(db: Path) -> None:
    """Make every feed due again, so `monitor run` polls it (and finds nothing new)."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE feed SET next_due_at = NULL")


def measure_tree(tree: Path, name: str, base: Path, work: Path, config_path: Path, runs: int) -> dict[str, float]:
    db = work / f"{name}.db"
    shutil.copy(base, db)
    env = {"MONITOR_DATABASE_URL": f"sqlite:///{db}"}
    conf = ["--config", str(config_path)]
    monitor(tree, [*conf, "run"], env, work)  # counts all history once, builds the site, writes the digest
    fig: dict[str, list[float]] = {"version": [], "run": [], "trends": [], "site": [], "export": []}
    for i in range(runs):
        fig["version"].append(monitor(tree, ["--version"], env, work))
        feeds_due(db)
        fig["run"].append(monitor(tree, [*conf, "run"], env, work))
        fig["trends"].append(monitor(tree, [*conf, "trends", "--days", "30"], env, work))
        out = work / f"site-{name}-{i}"
        fig["site"].append(monitor(tree, [*conf, "site", "--out", str(out)], env, work))
        shutil.rmtree(out)
        fig["export"].append(monitor(tree, [*conf, "export", "--format", "csv", "-o", str(work / "out.csv")],
                                     env, work))
    return {k: statistics.median(v) for k, v in fig.items()}


def in_process_site(base: Path, work: Path, config: dict[str, Any], runs: int) -> float:
    """``build_site`` into an empty folder in this process (counts already current), as bench/site_bench.py."""
    from monitor.config import Config
    from monitor.deliver.site import build_site
    from monitor.store.db import make_engine
    from monitor.trends.service import refresh

    db = work / "inproc.db"
    shutil.copy(base, db)
    engine = make_engine(f"sqlite:///{db}")
    cfg = Config.model_validate(config)
    now = datetime.now(UTC)
    refresh(engine, cfg, now)
    times = []
    for i in range(runs):
        out = work / f"site-inproc-{i}"
        times.append(timed(lambda: build_site(engine, cfg, now, out=out))[0])  # noqa: B023 (called at once)
        shutil.rmtree(out)
    engine.dispose()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--tree", action="append", type=Path, help="Source checkout to time (repeatable).")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "results" / "year-cli")
    args = parser.parse_args()
    trees = [t.resolve() for t in args.tree or [ROOT]]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    work = args.workdir
    data = work / "generated"
    config = {"feeds": [{"name": "Quiet", "url": f"http://127.0.0.1:{server.server_port}/feed.xml"}],
              "data_dir": str(work / "data"), "watchlist": list(TERMS),
              "digest": {"timezone": "UTC"}, "email": {"to": []}, "alerts": {"email": False},
              "site": {"out": str(work / "site")}}
    base = Path(prepare(data, args.articles, config).removeprefix("sqlite:///"))
    config_path = work / "feeds.yaml"
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    results = {str(t): measure_tree(t, f"tree{i}", base, work, config_path, args.runs) for i, t in enumerate(trees)}
    server.shutdown()  # no other thread may run while build_site decides whether to fork
    inproc = in_process_site(base, work, config, args.runs)
    report(results, inproc, args)


def report(results: dict[str, dict[str, float]], inproc: float, args: argparse.Namespace) -> None:
    print(f"{args.articles:,} articles over a year; {os.cpu_count()} CPUs; whole processes, medians of "
          f"{args.runs} runs, seconds.\n")
    names = list(results)
    print("| what | " + " | ".join(Path(n).name for n in names) + " |")
    print("|---|" + "---:|" * len(names))
    labels = {"version": "`monitor --version`", "run": "`monitor run`, nothing new",
              "trends": "`monitor trends --days 30`", "site": "`monitor site`, full build",
              "export": "`monitor export --format csv`"}
    for key, label in labels.items():
        print(f"| {label} | " + " | ".join(f"{results[n][key]:.2f}" for n in names) + " |")
    print(f"\n`build_site` in-process, full build: {inproc:.2f} s; CLI / in-process: "
          + ", ".join(f"{Path(n).name} {results[n]['site'] / inproc:.2f}x" for n in names))


if __name__ == "__main__":
    main()
