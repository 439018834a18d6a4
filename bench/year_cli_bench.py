"""A year of data through the command line: what a cron pass and an analyst wait for, whole processes.

    python bench/year_cli_bench.py [--runs 5] [--articles 100000] [--tree PATH ...] [--workdir DIR]
                                   [--base FILE] [--skip-site]

One generated year (100,000 articles with ~3 KB of text, embedded, topics and stories assigned, a fitted
topic model on record) ending today, one feed on 127.0.0.1 that has nothing new. Each ``--tree`` (default:
this checkout) is a source checkout timed on a copy of the same database, so an earlier commit is the
baseline of the same run (``git archive COMMIT | tar -x -C DIR``). Times, medians of ``--runs``:

- ``monitor --version`` (the floor every command pays);
- ``monitor run`` with nothing new (the feed re-polled, nothing to embed, fit, count or render);
- ``monitor trends --days 30``;
- ``monitor export --format csv`` of every article;
- ``monitor site --out EMPTY`` (a full build, the whole process) against ``build_site`` timed inside a
  process (the in-process figure of ``bench/site_bench.py``), taking turns on the same data; wall and CPU.

The first ``monitor run`` of each tree (counting all history, building the site, writing the digest) is
not timed. The database is generated in --workdir (git-ignored); ``--base FILE`` reuses one generated earlier
the same day (``WORKDIR/generated/year.db`` of an earlier run: it is copied, never changed) and
``--skip-site`` leaves out the full builds (the slowest part, timing the disk more than the code).
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


def measure_tree(tree: Path, name: str, base: Path, work: Path, config_path: Path, runs: int,
                 site: bool = True) -> dict[str, float]:
    db = work / f"{name}.db"
    shutil.copy(base, db)
    env = {"MONITOR_DATABASE_URL": f"sqlite:///{db}"}
    conf = ["--config", str(config_path)]
    monitor(tree, [*conf, "run"], env, work)  # counts all history once, builds the site, writes the digest
    fig: dict[str, list[float]] = {"version": [], "run": [], "trends": [], "export": [], "site": [], "site_cpu": [],
                                   "inproc": [], "inproc_cpu": []}
    for _ in range(runs):
        fig["version"].append(monitor(tree, ["--version"], env, work))
        feeds_due(db)
        fig["run"].append(monitor(tree, [*conf, "run"], env, work))
        fig["trends"].append(monitor(tree, [*conf, "trends", "--days", "30"], env, work))
        fig["export"].append(monitor(tree, [*conf, "export", "--format", "csv", "-o", str(work / "out.csv")],
                                     env, work))
    for _ in range(runs if site else 0):  # full builds into an empty folder, the command and build_site taking turns
        for key, argv in (("site", [sys.executable, "-m", "monitor", *conf, "site", "--out", str(work / "out")]),
                          ("inproc", [sys.executable, "-c", IN_PROCESS, str(config_path), str(work / "out")])):
            wall, cpu = full_build(tree, argv, env, work)
            fig[key].append(wall)
            fig[f"{key}_cpu"].append(cpu)
    return {k: statistics.median(v) if v else float("nan") for k, v in fig.items()}


IN_PROCESS = """
import json, os, sys, time
from datetime import UTC, datetime
from monitor.config import load_config
from monitor.deliver.site import build_site
from monitor.store.db import open_database
from monitor.settings import Settings
config = load_config(sys.argv[1])
engine = open_database(Settings.from_env())
now = datetime.now(UTC)
cpu = lambda: sum(os.times()[:4])
wall, before = time.perf_counter(), cpu()
build_site(engine, config, now, out=sys.argv[2])
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": cpu() - before}))
"""


def full_build(tree: Path, argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (the process tree's) of one full site build into an empty folder.

    The command is timed whole; the in-process build (``IN_PROCESS``) times ``build_site`` alone, as
    bench/site_bench.py does. The previous build's folder is removed and flushed to disk first.
    """
    import json

    shutil.rmtree(cwd / "out", ignore_errors=True)
    os.sync()
    full_env = {**{k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}, **env,
                "PYTHONPATH": str(tree)}
    before = os.times()
    seconds, done = timed(lambda: subprocess.run(argv, cwd=cwd, env=full_env, capture_output=True, text=True,
                                                 stdin=subprocess.DEVNULL))
    after = os.times()
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])} exited {done.returncode}:\n{done.stderr[-3000:]}")
    if argv[1] == "-c":
        inner = json.loads(done.stdout.strip().splitlines()[-1])
        return inner["wall"], inner["cpu"]
    return seconds, (after.children_user + after.children_system) - (before.children_user + before.children_system)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--tree", action="append", type=Path, help="Source checkout to time (repeatable).")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "results" / "year-cli")
    parser.add_argument("--base", type=Path, help="A year generated earlier today (copied, never changed).")
    parser.add_argument("--skip-site", action="store_true", help="Leave out the full site builds.")
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
    base = args.base.resolve() if args.base else Path(prepare(data, args.articles, config).removeprefix("sqlite:///"))
    config_path = work / "feeds.yaml"
    work.mkdir(parents=True, exist_ok=True)
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    results = {str(t): measure_tree(t, f"tree{i}", base, work, config_path, args.runs, site=not args.skip_site)
               for i, t in enumerate(trees)}
    server.shutdown()
    report(results, args)


def report(results: dict[str, dict[str, float]], args: argparse.Namespace) -> None:
    print(f"{args.articles:,} articles over a year; {os.cpu_count()} CPUs; whole processes, medians of "
          f"{args.runs} runs, seconds.\n")
    names = list(results)
    print("| what | " + " | ".join(Path(n).name for n in names) + " |")
    print("|---|" + "---:|" * len(names))
    labels = {"version": "`monitor --version`", "run": "`monitor run`, nothing new",
              "trends": "`monitor trends --days 30`", "export": "`monitor export --format csv`",
              "site": "`monitor site`, full build (wall)", "site_cpu": "`monitor site`, full build (CPU)",
              "inproc": "`build_site` in-process, full build (wall)",
              "inproc_cpu": "`build_site` in-process, full build (CPU)"}
    for key, label in labels.items():
        print(f"| {label} | " + " | ".join(f"{results[n][key]:.2f}" for n in names) + " |")
    print("| site: command / in-process (wall) | "
          + " | ".join(f"{results[n]['site'] / results[n]['inproc']:.2f}x" for n in names) + " |")


if __name__ == "__main__":
    main()
