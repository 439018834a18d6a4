"""Ingestion benchmark: the real ``monitor crawl`` against a loopback news network, with baselines.

    python bench/crawl_bench.py                  # 200 feeds x 20 items, 3 runs
    python bench/crawl_bench.py --quick          # 40 feeds x 10 items, 2 runs (~3 min)
    python bench/crawl_bench.py --runs 2 --variant-runs 1 --fetch-runs 0   # a shorter full-size run
    python bench/crawl_bench.py --crawl-only --runs 2   # the default crawl alone (compare two trees by PYTHONPATH)

A full-size run takes ~15 min on 2 free cores; much longer on a loaded machine, or while
the fetcher's slot order (see RESULTS-crawl.md) limits a crawl to ~14 pages/s.

Measures, in one run: end-to-end articles/s of ``monitor crawl --no-analysis`` (a
subprocess with a fresh SQLite database, default crawl settings), its peak memory
summed over its process tree, the wall time of a second crawl in which every feed
answers 304, a CPU-bound variant (no host spacing, 8 connections per host), the
naive sequential loop, the 2-process extraction limit, and HTTP client CPU per
request for aiohttp and httpx. Medians over ``--runs``; figures go to
bench/RESULTS-crawl.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shlex
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import crawl_baselines as baselines
from crawl_fetch import FetchRun, fetch_only
from crawl_procs import Measured, run_measured
from newsnet import NewsNet

SUMMARY = re.compile(r"(\d+) feeds: (\d+) ok, (\d+) unchanged, (\d+) failed; (\d+) new articles \((\d+) extracted")
DEFAULT_CRAWL = {"per_host": 2, "host_delay": 0.5, "extract_workers": 2}
FAST_CRAWL = {"per_host": 8, "host_delay": 0.0, "extract_workers": 2}


@dataclass
class CrawlRun:
    first: Measured
    second: Measured
    stored: int
    extracted: int
    unchanged: int
    server_cpu: float

    @property
    def rate(self) -> float:
        return self.stored / self.first.wall


def write_config(folder: Path, net: NewsNet, feeds: int, crawl: dict[str, object]) -> Path:
    config = {
        "data_dir": str(folder / "data"),
        "crawl": crawl,
        "feeds": [{"name": f"site-{i}", "url": net.feed_url(i)} for i in range(feeds)],
    }
    path = folder / "feeds.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def _summary(measured: Measured) -> tuple[int, int, int, int]:
    """(new articles, extracted, unchanged feeds, failed feeds) from the CLI's closing line."""
    if measured.returncode != 0:
        raise RuntimeError(f"monitor crawl failed ({measured.returncode}):\n{measured.stderr[-3000:]}")
    match = SUMMARY.search(measured.stdout)
    if match is None:
        raise RuntimeError(f"unexpected crawl output:\n{measured.stdout[-2000:]}")
    _total, _ok, unchanged, failed, new, extracted = map(int, match.groups())
    return new, extracted, unchanged, failed


def crawl_once(net: NewsNet, feeds: int, items: int, crawl: dict[str, object]) -> CrawlRun:
    """A first crawl of a fresh database, then a forced second crawl of every feed (all 304)."""
    with tempfile.TemporaryDirectory(prefix="crawl-bench-") as tmp:
        folder = Path(tmp)
        config = write_config(folder, net, feeds, crawl)
        env = dict(os.environ, MONITOR_DATABASE_URL=f"sqlite:///{folder / 'monitor.db'}", MONITOR_CONFIG=str(config))
        command = [sys.executable, "-m", "monitor", "crawl", "--no-analysis", "--config", str(config)]
        cpu_before = net.stats()["cpu_seconds"]
        first = run_measured(command, env, tmp)
        server_cpu = net.stats()["cpu_seconds"] - cpu_before
        stored, extracted, _, failed = _summary(first)
        if failed or stored != feeds * items:
            raise RuntimeError(f"first crawl stored {stored} of {feeds * items} articles, {failed} feeds failed")
        forced = [arg for i in range(feeds) for arg in ("--feed", f"site-{i}")]
        second = run_measured(command + forced, env, tmp)
        new, _, unchanged, _ = _summary(second)
        if new or unchanged != feeds:
            raise RuntimeError(f"second crawl: {new} new articles, {unchanged} of {feeds} feeds unchanged")
    return CrawlRun(first, second, stored, extracted, unchanged, server_cpu)


def politeness_floor(items: int, delay: float, ttfb: float) -> float:
    """Per host: the feed, robots.txt and ``items`` pages start ``delay`` apart; the last then takes ``ttfb``."""
    return (items + 1) * delay + ttfb


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def require_bench_extra() -> None:
    """Stop at once, not after a quarter of an hour, when the `bench` extra is missing."""
    import importlib.util

    missing = [name for name in ("httpx",) if importlib.util.find_spec(name) is None]
    if missing:
        raise SystemExit(f"bench/crawl_bench.py needs {', '.join(missing)} (the `bench` extra): "
                         'pip install -c constraints.txt -e ".[bench]"')


def main() -> None:
    args = parse_args()
    require_bench_extra()
    signal.signal(signal.SIGTERM, _terminate)  # unwind, so every child process is stopped
    started = time.monotonic()
    with NewsNet(args.feeds, args.items, args.ttfb) as net:
        log(f"news network: {args.feeds} feeds x {args.items} items on port {net.port}")
        results = measure(net, args)
    results["elapsed"] = time.monotonic() - started
    if args.crawl_only:
        return print(crawl_line(results["default"]))
    text = report(results)
    print(text)
    if args.out:
        from crawl_report import merge_notes

        Path(args.out).write_text(merge_notes(text, Path(args.out)), encoding="utf-8")
        log(f"wrote {args.out}")


def crawl_line(runs: list[CrawlRun]) -> str:
    """Medians of the default crawl alone (``--crawl-only``): to compare two trees in one session."""
    def med(values: list[float]) -> float:
        return statistics.median(values)

    return (f"default crawl, median of {len(runs)}: {med([r.rate for r in runs]):.1f} articles/s, "
            f"{med([r.first.wall for r in runs]):.1f} s wall, "
            f"{med([1000 * r.first.cpu_seconds / r.stored for r in runs]):.1f} ms CPU per article, "
            f"peak {med([r.first.peak_rss_mb for r in runs]):.0f} MB summed RSS, "
            f"{med([r.first.peak_pss_mb for r in runs]):.0f} MB PSS, largest process "
            f"{med([r.first.peak_single_mb for r in runs]):.0f} MB")


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def measure(net: NewsNet, args: argparse.Namespace) -> dict[str, object]:
    results: dict[str, object] = {"args": args}
    results["default"] = [_logged(crawl_once(net, args.feeds, args.items, DEFAULT_CRAWL), "default", i)
                          for i in range(args.runs)]
    if args.crawl_only:
        return results
    results["fast"] = [_logged(crawl_once(net, args.feeds, args.items, FAST_CRAWL), "no spacing", i)
                       for i in range(args.variant_runs)]
    urls = [net.feed_url(i) for i in range(args.feeds)]
    results["fetch"] = [_fetch_logged(fetch_only(urls, args.items, net.port, DEFAULT_CRAWL))
                        for _ in range(args.fetch_runs)]
    log(f"naive loop over {args.naive_feeds} feeds")
    results["naive"] = baselines.naive_loop(urls[: args.naive_feeds])
    pages = baselines.sample_pages(args.feeds, args.items, net.port, args.pages)
    log(f"extraction limit over {len(pages)} pages")
    results["extract"] = [baselines.extraction_rate(pages, "extract") for _ in range(args.runs)]
    results["crawl_work"] = [baselines.extraction_rate(pages, "crawl") for _ in range(args.runs)]
    results["clients"] = client_table(net, args)
    return results


def _logged(run: CrawlRun, label: str, index: int) -> CrawlRun:
    log(f"{label} crawl {index + 1}: {run.stored} articles in {run.first.wall:.1f}s ({run.rate:.1f}/s), "
        f"peak {run.first.peak_rss_mb:.0f} MB RSS, {run.first.peak_pss_mb:.0f} MB PSS; second crawl {run.second.wall:.2f}s")
    return run


def _fetch_logged(run: FetchRun) -> FetchRun:
    log(f"fetcher alone: {run.pages} pages in {run.seconds:.1f}s ({run.rate:.1f}/s)")
    return run


def client_table(net: NewsNet, args: argparse.Namespace) -> dict[tuple[str, int], list[float]]:
    table: dict[tuple[str, int], list[float]] = {}
    for size, requests in ((10_000, args.client_requests), (170_000, args.client_requests // 2)):
        url = f"http://{net.hosts[0]}:{net.port}/_blob/{size}"
        for client in ("aiohttp", "httpx"):
            log(f"{client} client, {size // 1000} KB bodies")
            table[(client, size)] = [baselines.client_cpu_ms(client, url, requests, 50) for _ in range(args.runs)]
    return table


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark monitor crawl against a loopback news network.")
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3, help="repetitions; medians are reported")
    parser.add_argument("--variant-runs", type=int, default=None, help="runs of the no-spacing variant (default: runs)")
    parser.add_argument("--fetch-runs", type=int, default=1, help="runs of the fetcher alone (0: skip)")
    parser.add_argument("--naive-feeds", type=int, default=10)
    parser.add_argument("--pages", type=int, default=300, help="pages for the extraction limit")
    parser.add_argument("--client-requests", type=int, default=2000)
    parser.add_argument("--ttfb", type=float, default=0.25, help="server delay before every response")
    parser.add_argument("--crawl-only", action="store_true", help="the default crawl alone (no variants, baselines or report)")
    parser.add_argument("--quick", action="store_true", help="40 feeds x 10 items, 2 runs, smaller baselines")
    parser.add_argument("--out", default=str(HERE / "RESULTS-crawl.md"), help="markdown report ('' for none)")
    args = parser.parse_args()
    if args.quick:
        args.feeds, args.items, args.runs = 40, 10, 2
        args.naive_feeds, args.pages, args.client_requests = 3, 100, 600
    if args.variant_runs is None:
        args.variant_runs = args.runs
    args.command = " ".join(["python", "bench/crawl_bench.py", *map(shlex.quote, sys.argv[1:])])
    return args


def report(results: dict) -> str:  # type: ignore[type-arg]
    from crawl_report import render

    return render(results, politeness_floor, DEFAULT_CRAWL, FAST_CRAWL, platform.python_version(), os.cpu_count())


if __name__ == "__main__":
    main()
