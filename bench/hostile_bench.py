"""Hostile publishers against a normal crawl: is each feed's wall time bounded, and is normal throughput unchanged?

    python bench/hostile_bench.py                # 20 normal feeds x 10 items, 3 runs, baseline = git main
    python bench/hostile_bench.py --baseline-ref HEAD~1 --runs 2

The normal network is bench/newsnet.py (each feed on its own loopback address, 250 ms
before every response, ~170 KB pages). The hostile publishers, each on its own loopback address (127.0.1.x), serve:

- ``parse``: a feed whose five items carry titles of ``<script`` x 40,000 and summaries of ``<!--`` x 40,000
  (quadratic in the old field-to-text regex);
- ``extract``: a feed linking to a 10 MB page of ``<p>word</p>`` x 900,000 (minutes of CPU and over a
  gigabyte in the extractor without a budget);
- ``slow``: a feed of 60 links whose pages answer after 30 s (each read times out at 20 s; at two
  connections per host that is 10 minutes of one feed).

Each scenario runs ``monitor crawl --no-analysis`` in a subprocess on a fresh SQLite database with the
default settings (``--feed-deadline`` overrides ``crawl.feed_deadline_seconds``), for this checkout and for
the baseline (``git archive`` of ``--baseline-ref``) in the same run; the baseline's hostile crawl is
stopped at ``--baseline-timeout``. Medians over ``--runs``; figures go to bench/RESULTS-hostile.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from crawl_procs import run_measured
from newsnet import NewsNet

SLOW_LINKS = 60
HOSTILE = ("parse", "extract", "slow")
HUGE_PAGE = ("<html><body>" + "<p>word</p>" * 900_000 + "</body></html>").encode()
SMALL_PAGE = b"<html><body><article><p>" + b"A short but real article about export controls. " * 20 + b"</p></article></body></html>"


def _rss(items: list[tuple[str, str, str]]) -> bytes:
    from xml.sax.saxutils import escape

    body = "".join(f"<item><title>{escape(t)}</title><link>{escape(link)}</link><description>{escape(d)}</description>"
                   f"</item>" for t, link, d in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{body}</channel></rss>'.encode()


class _Hostile(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        path, base = self.path, f"http://{self.headers['Host']}"
        if path == "/parse.xml":
            body, ctype = _rss([("<script" * 40_000, f"{base}/small/{i}.html", "<!--" * 40_000) for i in range(5)]), "xml"
        elif path == "/extract.xml":
            body, ctype = _rss([("Huge page", f"{base}/huge.html", "The feed's summary of the huge page.")]), "xml"
        elif path == "/slow.xml":
            body, ctype = _rss([(f"Slow {i}", f"{base}/slow/{i}.html", "teaser") for i in range(SLOW_LINKS)]), "xml"
        elif path == "/huge.html":
            body, ctype = HUGE_PAGE, "html"
        elif path.startswith("/small/"):
            body, ctype = SMALL_PAGE, "html"
        elif path.startswith("/slow/"):
            threading.Event().wait(30)
            body, ctype = SMALL_PAGE, "html"
        else:
            body, ctype = b"not found", "plain"
        self.send_response(404 if ctype == "plain" else 200)
        self.send_header("Content-Type", {"xml": "application/rss+xml", "html": "text/html", "plain": "text/plain"}[ctype])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass


def hostile_servers() -> tuple[list[ThreadingHTTPServer], dict[str, str]]:
    """One server per hostile feed, each on its own loopback address (its own host for politeness)."""
    servers, urls = [], {}
    for number, name in enumerate(HOSTILE, start=1):
        server = ThreadingHTTPServer((f"127.0.1.{number}", 0), _Hostile)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        urls[name] = f"http://127.0.1.{number}:{server.server_address[1]}/{name}.xml"
    return servers, urls


@dataclass
class Run:
    wall: float
    cpu: float
    normal_articles: int
    finished: bool
    feeds: dict[str, tuple[str | None, str | None]]  # hostile feed -> (outcome, error)


def crawl(source: Path, net: NewsNet, feeds: int, hostile: dict[str, str] | None, deadline: float | None,
          timeout: float) -> Run:
    with tempfile.TemporaryDirectory(prefix="hostile-bench-") as tmp:
        folder = Path(tmp)
        entries = [{"name": f"site-{i}", "url": net.feed_url(i)} for i in range(feeds)]
        if hostile:
            entries += [{"name": name, "url": url} for name, url in hostile.items()]
        crawl_section: dict[str, Any] = {}
        if deadline is not None and source == ROOT:
            crawl_section["feed_deadline_seconds"] = deadline
        config = folder / "feeds.yaml"
        config.write_text(yaml.safe_dump({"data_dir": str(folder / "data"), "crawl": crawl_section, "feeds": entries}))
        db = folder / "monitor.db"
        env = dict(os.environ, MONITOR_DATABASE_URL=f"sqlite:///{db}", PYTHONPATH=str(source))
        command = [sys.executable, "-m", "monitor", "crawl", "--no-analysis", "--config", str(config)]
        try:
            measured = run_measured(command, env, tmp, timeout=timeout)
        except subprocess.TimeoutExpired:
            return Run(timeout, float("nan"), _normal_articles(db), False, _hostile_feeds(db))
        return Run(measured.wall, measured.cpu_seconds, _normal_articles(db), True, _hostile_feeds(db))


def _query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        try:
            return conn.execute(sql).fetchall()
        except sqlite3.Error:
            return []


def _normal_articles(db: Path) -> int:
    rows = _query(db, "SELECT count(*) FROM article a JOIN feed f ON f.id = a.first_feed_id WHERE f.name LIKE 'site-%'")
    return int(rows[0][0]) if rows else 0


def _hostile_feeds(db: Path) -> dict[str, tuple[str | None, str | None]]:
    feeds = {name: (outcome, error) for name, outcome, error in
             _query(db, "SELECT name, last_outcome, last_error FROM feed WHERE name NOT LIKE 'site-%'")}
    huge = _query(db, "SELECT error FROM article WHERE title = 'Huge page'")
    if huge:
        feeds["extract (its page)"] = ("article", huge[0][0])
    return feeds


def baseline_source(ref: str, into: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "monitor", "migrations", "alembic.ini",
                              "templates"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--feed-deadline", type=float, default=60.0)
    parser.add_argument("--baseline-ref", default="main")
    parser.add_argument("--baseline-timeout", type=float, default=240.0)
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS-hostile.md")
    args = parser.parse_args()
    servers, hostile = hostile_servers()
    results: dict[str, list[Run]] = {}
    with NewsNet(args.feeds, args.items) as net, tempfile.TemporaryDirectory(prefix="hostile-base-") as tmp:
        sources = {"this checkout": ROOT, f"baseline ({args.baseline_ref})": baseline_source(args.baseline_ref, Path(tmp))}
        for run in range(args.runs):
            for label, source in sources.items():
                results.setdefault(f"{label}: normal", []).append(
                    crawl(source, net, args.feeds, None, None, 1800))
                print(f"run {run + 1}: {label}: normal done", flush=True)
        for label, source in sources.items():
            timeout = 1800 if source == ROOT else args.baseline_timeout
            results[f"{label}: normal + hostile"] = [crawl(source, net, args.feeds, hostile, args.feed_deadline, timeout)]
            print(f"{label}: hostile done", flush=True)
    for server in servers:
        server.shutdown()
    args.out.write_text(report(results, args), encoding="utf-8")
    print(args.out.read_text())


def report(results: dict[str, list[Run]], args: argparse.Namespace) -> str:
    articles = args.feeds * args.items
    lines = [
        "# Hostile publishers against a normal crawl", "",
        f"`python bench/hostile_bench.py --runs {args.runs} --feed-deadline {args.feed_deadline:g}` — "
        f"{args.feeds} normal feeds x {args.items} items ({articles} articles), plus the hostile feeds "
        f"`parse`, `extract` and `slow` (see the script's docstring). Python {platform.python_version()}, "
        f"{os.cpu_count()} cores shared with other work. Medians of {args.runs} runs for normal crawls; one "
        "hostile crawl per code.", "",
        "| scenario | wall (s) | CPU, whole tree (s) | normal articles stored | normal articles/s | finished |",
        "|---|---|---|---|---|---|",
    ]
    for name, runs in results.items():
        wall = statistics.median(r.wall for r in runs)
        cpu = statistics.median(r.cpu for r in runs)
        stored = statistics.median(r.normal_articles for r in runs)
        finished = all(r.finished for r in runs)
        rate = f"{stored / wall:.1f}" if finished else "—"
        lines.append(f"| {name} | {wall:.1f} | {cpu:.1f} | {stored:.0f} / {articles} | {rate} | "
                     f"{'yes' if finished else f'no: stopped at {wall:.0f} s'} |")
    lines += ["", "What each hostile feed left on its row (outcome, error):", ""]
    for name, runs in results.items():
        if "hostile" in name:
            for feed, (outcome, error) in sorted(runs[0].feeds.items()):
                lines.append(f"- {name}, `{feed}`: {outcome or 'not finished'} — {(error or '').strip()[:160]}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
