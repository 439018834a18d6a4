"""Whole-tree CPU of ``monitor crawl`` over real news pages against a bare ``trafilatura.extract`` loop.

    python bench/crawl_real.py --data DIR [--feeds 10] [--pages 200] [--runs 3] [--feed-metadata full|title]

DIR is the public article-extraction benchmark's data (see bench/extract_quality.py; not shipped
here). Its pages are served on the loopback as ``--feeds`` RSS feeds, each on its own address
(127.0.0.2, ...). ``--feed-metadata full``: every entry has a title, a date and an author (as most
news feeds do); ``title``: a title only, so the crawl must read date and author from the page.

Each run: the real ``python -m monitor crawl --no-analysis`` on a fresh SQLite database, default
crawl settings; its CPU is user + system time of the whole process tree (the main process, the
extraction fork server and its workers: the larger of the reaped children's rusage and a /proc
sample of the tree), its peak summed RSS likewise. The baseline, in the same run: a fresh process
that imports trafilatura and calls ``trafilatura.extract(html)`` on every page (CPU of the loop
alone, and of the whole process). Medians of ``--runs``.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import html
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from crawl_pages import host_address  # noqa: E402
from crawl_procs import run_measured  # noqa: E402

NOW = datetime.now(UTC).replace(microsecond=0)


def load_pages(data: Path, count: int) -> list[tuple[str, bytes, str]]:
    """(id, html, first words of the true body as a title) for the first ``count`` pages."""
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth)[:count]:
        body = truth[key].get("articleBody", "")
        title = " ".join(body.split()[:10]) or key
        pages.append((key, gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes()), title))
    return pages


def feed_xml(base: str, pages: list[tuple[str, bytes, str]], metadata: str) -> bytes:
    items = []
    for n, (key, _html, title) in enumerate(pages):
        link = f"{base}/a/{key}.html"
        extra = ""
        if metadata == "full":
            extra = (f"<author>desk@example.org (News desk)</author>"
                     f"<pubDate>{format_datetime(NOW - timedelta(hours=n + 1))}</pubDate>")
        items.append(f"<item><title>{html.escape(title)}</title><link>{link}</link><guid>{link}</guid>{extra}"
                     f"<description>{html.escape(title)}</description></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Real pages</title>'
            f"<link>{base}/</link><description>x</description>{''.join(items)}</channel></rss>").encode()


# --- the server (a child process: its CPU is not the crawl's) ----------------------------------

async def _serve(data: Path, feeds: int, count: int, metadata: str) -> None:
    from aiohttp import web
    from newsnet import _bind_all

    pages = load_pages(data, count)
    hosts = [host_address(i) for i in range(feeds)]
    by_host = {host: pages[i::feeds] for i, host in enumerate(hosts)}
    bodies = {key: body for key, body, _ in pages}
    port = 0

    async def handle(request: Any) -> Any:
        host = request.host.rsplit(":", 1)[0]
        if request.path == "/feed.xml" and host in by_host:
            return web.Response(body=feed_xml(f"http://{host}:{port}", by_host[host], metadata),
                                content_type="application/rss+xml")
        if request.path.startswith("/a/") and request.path[3:-5] in bodies:
            return web.Response(body=bodies[request.path[3:-5]], content_type="text/html", charset="utf-8")
        return web.Response(status=404)

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    port = await _bind_all(runner, hosts)
    print(json.dumps({"port": port, "hosts": hosts}), flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()


# --- measurements -------------------------------------------------------------------------------

BASELINE = """
import gzip, json, sys, time, logging
from pathlib import Path
data, count = Path(sys.argv[1]), int(sys.argv[2])
truth = json.loads((data / "ground-truth.json").read_text())
pages = [gzip.decompress((data / "html" / f"{k}.html.gz").read_bytes()) for k in sorted(truth)[:count]]
import trafilatura
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
started = time.process_time()
for page in pages:
    trafilatura.extract(page)
print(time.process_time() - started)
"""


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def baseline(data: Path, count: int) -> tuple[float, float]:
    """(CPU of the extract loop alone, CPU of its whole process)."""
    before = children_cpu()
    out = subprocess.run([sys.executable, "-c", BASELINE, str(data), str(count)], capture_output=True, text=True,
                         check=True)
    return float(out.stdout.strip()), children_cpu() - before


def crawl(port: int, hosts: list[str]) -> dict[str, float]:
    import yaml

    with tempfile.TemporaryDirectory(prefix="crawl-real-") as tmp:
        folder = Path(tmp)
        config = {"data_dir": str(folder / "data"),
                  "feeds": [{"name": f"real-{i}", "url": f"http://{h}:{port}/feed.xml"} for i, h in enumerate(hosts)]}
        path = folder / "feeds.yaml"
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        env = dict(os.environ, MONITOR_DATABASE_URL=f"sqlite:///{folder / 'monitor.db'}", MONITOR_CONFIG=str(path))
        before = children_cpu()
        measured = run_measured([sys.executable, "-m", "monitor", "crawl", "--no-analysis", "--config", str(path)],
                                env, tmp)
        reaped = children_cpu() - before
        if measured.returncode != 0:
            raise RuntimeError(measured.stderr[-3000:])
        stored = _count(folder / "monitor.db")
    return {"cpu": max(reaped, measured.cpu_seconds), "rss": measured.peak_rss_mb, "pss": measured.peak_pss_mb,
            "wall": measured.wall, "stored": stored[0], "extracted": stored[1]}


def _count(db: Path) -> tuple[int, int]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        total, extracted = conn.execute("select count(*), sum(status = 'extracted') from article").fetchone()
    return total, extracted or 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--feeds", type=int, default=10)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--feed-metadata", choices=("full", "title"), default="full")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return asyncio.run(_serve(args.data, args.feeds, args.pages, args.feed_metadata))
    server = subprocess.Popen([sys.executable, __file__, "--serve", "--data", str(args.data), "--feeds",
                               str(args.feeds), "--pages", str(args.pages), "--feed-metadata", args.feed_metadata],
                              stdout=subprocess.PIPE, text=True)
    try:
        ready = json.loads(server.stdout.readline())  # type: ignore[union-attr]
        runs = []
        for i in range(args.runs):
            got = crawl(ready["port"], ready["hosts"])
            loop, whole = baseline(args.data, args.pages)
            got.update(loop=loop, whole=whole, ratio=got["cpu"] / loop)
            runs.append(got)
            print(f"run {i + 1}: crawl {got['cpu']:.2f} s CPU ({got['stored']} articles, {got['extracted']} extracted,"
                  f" {got['wall']:.1f} s wall, peak {got['rss']:.0f} MB RSS / {got['pss']:.0f} MB PSS); extract loop "
                  f"{loop:.2f} s ({whole:.2f} s with its imports); ratio {got['ratio']:.2f}x", file=sys.stderr, flush=True)
    finally:
        server.terminate()
        server.wait()
    med = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    print(f"| feeds metadata | pages | crawl CPU s | extract loop CPU s | crawl / loop | loop process CPU s "
          f"| peak RSS MB | peak PSS MB |\n|---|---|---|---|---|---|---|---|\n"
          f"| {args.feed_metadata} | {med['stored']:.0f} ({med['extracted']:.0f} extracted) | {med['cpu']:.2f} "
          f"| {med['loop']:.2f} | **{med['ratio']:.2f}x** | {med['whole']:.2f} | {med['rss']:.0f} | {med['pss']:.0f} |")


if __name__ == "__main__":
    main()
