"""Markdown report of a crawl benchmark run (figures are medians over the runs)."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

NOTES_MARK = "<!-- analysis below is kept when the benchmark rewrites this file -->"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def _med(values: list[float]) -> float:
    return statistics.median(values)


def _crawl_row(label: str, runs: list[Any], cores: int) -> str:
    wall = _med([r.first.wall for r in runs])
    cpu = _med([r.first.cpu_seconds for r in runs])
    server = _med([r.server_cpu for r in runs])
    return (f"| {label} | **{_med([r.rate for r in runs]):.1f}** | {wall:.1f} | {_med([r.first.peak_rss_mb for r in runs]):.0f} "
            f"| {_med([r.first.peak_single_mb for r in runs]):.0f} | {cpu:.0f} | {server:.0f} "
            f"| {100 * (cpu + server) / (wall * cores):.0f}% | {_med([r.second.wall for r in runs]):.2f} "
            f"| {100 * _med([r.second.wall / r.first.wall for r in runs]):.1f}% |")


def render(results: dict[str, Any], floor: Callable[[int, float, float], float], default: dict[str, Any],
           fast: dict[str, Any], python: str, cores: int | None) -> str:
    args = results["args"]
    cores = cores or 1
    runs, fast_runs = results["default"], results.get("fast") or []
    articles = args.feeds * args.items
    polite = floor(args.items, default["host_delay"], args.ttfb)
    rate = _med([r.rate for r in runs])
    naive_articles, naive_seconds = results["naive"]
    naive_rate = naive_articles / naive_seconds
    limit, work = _med(results["extract"]), _med(results["crawl_work"])
    fast_rate = _med([r.rate for r in fast_runs]) if fast_runs else None
    second = _med([r.second.wall / r.first.wall for r in runs])
    peak = max(r.first.peak_rss_mb for r in runs + fast_runs)
    lines = [
        "# Ingestion benchmark (`monitor crawl`)",
        "",
        f"Machine: {cores} CPU cores ({_cpu_model()}), Python {python}, shared and noisy. "
        f"Full run took {results['elapsed'] / 60:.1f} min.",
        "",
        f"Command: `{args.command}`",
        "",
        f"Network: {args.feeds} feeds x {args.items} items = {articles} articles, each site on its own loopback "
        f"address, one server process (aiohttp), {args.ttfb * 1000:.0f} ms before every response, article pages "
        "~170 KB of HTML (300-700 words of text in heavy boilerplate), feeds with ETag. Each crawl: "
        "`python -m monitor crawl --no-analysis` on a fresh SQLite database; the second crawl names every feed "
        "(`--feed`, so none is skipped as not due) and each answers 304. Medians of "
        f"{args.runs} runs (the variant: {len(fast_runs)}).",
        "",
        "## Crawl",
        "",
        "| settings | articles/s | wall s | peak RSS, tree MB | largest process MB | crawl CPU s | server CPU s "
        "| CPU busy | 2nd crawl s | 2nd / 1st |",
        "|---|---|---|---|---|---|---|---|---|---|",
        _crawl_row(f"default (per_host {default['per_host']}, host_delay {default['host_delay']}, "
                   f"extract_workers {default['extract_workers']})", runs, cores),
    ]
    if fast_runs:
        lines.append(_crawl_row(f"no spacing (per_host {fast['per_host']}, host_delay {fast['host_delay']})",
                                fast_runs, cores))
    lines += [
        "",
        f"Politeness floor at default settings: {polite:.2f} s per host ((items + 1) x host_delay + TTFB; hosts in "
        f"parallel), i.e. at most {articles / polite:.0f} articles/s for this network if CPU were free.",
        "",
        "## Baselines (same run, same pages)",
        "",
        "| baseline | rate | crawl (default) vs baseline |",
        "|---|---|---|",
        f"| naive loop (feedparser.parse, urllib, trafilatura.extract; {naive_articles} articles) "
        f"| {naive_rate:.2f} articles/s | {rate / naive_rate:.1f}x |",
        f"| trafilatura.extract on 2 processes (pre-fetched pages) | {limit:.1f} pages/s | {100 * rate / limit:.0f}% |",
        f"| the crawl's own per-page work on 2 processes (extract_page + MinHash) | {work:.1f} pages/s "
        f"| {100 * rate / work:.0f}% |",
    ]
    if fast_rate:
        lines.append(f"| (no-spacing variant vs trafilatura.extract limit) | {fast_rate:.1f} articles/s "
                     f"| {100 * fast_rate / limit:.0f}% |")
    lines += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    lines += [
        f"| >= 10x the naive loop | {rate / naive_rate:.1f}x | {_ok(rate / naive_rate >= 10)} |",
        f"| >= 80% of the extraction limit | {100 * rate / limit:.0f}% | {_ok(rate / limit >= 0.8)} |",
        f"| second crawl < 5% of the first | {100 * second:.1f}% | {_ok(second < 0.05)} |",
        f"| peak memory < 600 MB (tree sum) | {peak:.0f} MB | {_ok(peak < 600)} |",
        "",
        "## HTTP client CPU per request (50 concurrent, loopback, no delay)",
        "",
        "| body | aiohttp ms CPU/request | httpx ms CPU/request | httpx / aiohttp |",
        "|---|---|---|---|",
    ]
    clients = results["clients"]
    for size in sorted({s for _, s in clients}):
        a, h = _med(clients[("aiohttp", size)]), _med(clients[("httpx", size)])
        lines.append(f"| {size // 1000} KB | {a:.3f} | {h:.3f} | {h / a:.1f}x |")
    lines += ["", "CPU is the client process's user + system time for the timed requests (after a warm-up run).", ""]
    return "\n".join(lines)


def _ok(flag: bool) -> str:
    return "yes" if flag else "**no**"


def merge_notes(new: str, path: Path) -> str:
    """Keep the hand-written analysis that follows NOTES_MARK in an existing report."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    notes = old.split(NOTES_MARK, 1)[1] if NOTES_MARK in old else "\n"
    return f"{new}\n{NOTES_MARK}{notes}"
