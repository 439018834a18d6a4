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
    cpu_ms = _med([1000 * r.first.cpu_seconds / r.stored for r in runs])
    busy = _med([r.first.machine_cpu_seconds / (r.first.wall * cores) for r in runs])
    return (f"| {label} | **{_med([r.rate for r in runs]):.1f}** | {wall:.1f} | {_med([r.first.peak_rss_mb for r in runs]):.0f} "
            f"| {_med([r.first.peak_pss_mb for r in runs]):.0f} "
            f"| {_med([r.first.peak_single_mb for r in runs]):.0f} | {cpu_ms:.0f} "
            f"| {_med([1000 * r.server_cpu / r.stored for r in runs]):.1f} | {100 * busy:.0f}% "
            f"| {_med([r.second.wall for r in runs]):.2f} | {100 * _med([r.second.wall / r.first.wall for r in runs]):.1f}% |")


def _rate(rates: list[Any]) -> tuple[float, float, float]:
    return (_med([r.pages_per_second for r in rates]), _med([r.cpu_ms_per_page for r in rates]),
            _med([r.machine_busy for r in rates]))


def crawl_cpu_ms(runs: list[Any]) -> float:
    return _med([1000 * r.first.cpu_seconds / r.stored for r in runs])


def _fetch_lines(fetches: list[Any], polite: float, cores: int, cpu_ms: float) -> list[str]:
    lines = ["", (f"CPU-bound ceiling on {cores} free cores: {cores * 1000 / cpu_ms:.0f} articles/s "
             f"({cores} x 1000 / crawl CPU ms per article).")]
    if fetches:
        rate, wall = _med([f.rate for f in fetches]), _med([f.seconds for f in fetches])
        first, middle = _med([f.first_host_done for f in fetches]), _med([f.median_host_done for f in fetches])
        lines.append(f"The fetcher alone (monitor's Fetcher, default settings, every feed and page, no extraction or "
                     f"storage): {rate:.0f} pages/s, {wall:.1f} s in all; first host finished after {first:.1f} s, "
                     f"the median host after {middle:.1f} s (politeness floor {polite:.2f} s).")
    return lines


def render(results: dict[str, Any], floor: Callable[[int, float, float], float], default: dict[str, Any],
           fast: dict[str, Any], python: str, cores: int | None) -> str:
    cores = cores or 1
    lines = _header(results, python, cores)
    lines += _crawl_section(results, floor, default, fast, cores)
    lines += _baseline_section(results)
    lines += _targets(results)
    lines += _clients(results["clients"])
    return "\n".join(lines)


def _header(results: dict[str, Any], python: str, cores: int) -> list[str]:
    args = results["args"]
    return [
        "# Ingestion benchmark (`monitor crawl`)",
        "",
        (f"Machine: {cores} CPU cores ({_cpu_model()}), Python {python}, shared with other work (see 'machine busy'). "
        f"Full run took {results['elapsed'] / 60:.1f} min."),
        "",
        f"Command: `{args.command}`",
        "",
        (f"Network: {args.feeds} feeds x {args.items} items = {args.feeds * args.items} articles, each site on its own "
        f"loopback address, one server process (aiohttp), {args.ttfb * 1000:.0f} ms before every response, article "
        "pages ~170 KB of HTML (300-700 words of text in heavy boilerplate), feeds with ETag. Each crawl: "
        "`python -m monitor crawl --no-analysis` on a fresh SQLite database; the second crawl names every feed "
        "(`--feed`, so none is skipped as not due) and each answers 304. Medians of "
        f"{args.runs} runs (the no-spacing variant: {args.variant_runs})."),
    ]


def _crawl_section(results: dict[str, Any], floor: Callable[[int, float, float], float], default: dict[str, Any],
                   fast: dict[str, Any], cores: int) -> list[str]:
    args, runs, fast_runs = results["args"], results["default"], results.get("fast") or []
    polite = floor(args.items, default["host_delay"], args.ttfb)
    lines = [
        "",
        "## Crawl",
        "",
        ("| settings | articles/s | wall s | peak RSS, tree MB | peak PSS, tree MB | largest process MB "
         "| crawl CPU ms/article | server CPU ms/article | machine busy | 2nd crawl s | 2nd / 1st |"),
        "|---|---|---|---|---|---|---|---|---|---|---|",
        _crawl_row(f"default (per_host {default['per_host']}, host_delay {default['host_delay']}, "
                   f"extract_workers {default['extract_workers']})", runs, cores),
    ]
    if fast_runs:
        lines.append(_crawl_row(f"no spacing (per_host {fast['per_host']}, host_delay {fast['host_delay']})",
                                fast_runs, cores))
    lines += [
        "",
        (f"Politeness floor at default settings: {polite:.2f} s per host ((items + 1) x host_delay + TTFB; hosts in "
        f"parallel), i.e. at most {args.feeds * args.items / polite:.0f} articles/s for this network."),
    ]
    return lines + _fetch_lines(results.get("fetch") or [], polite, cores, crawl_cpu_ms(runs))


def _baseline_section(results: dict[str, Any]) -> list[str]:
    runs, fast_runs = results["default"], results.get("fast") or []
    rate = _med([r.rate for r in runs])
    naive_articles, naive_seconds = results["naive"]
    naive_rate = naive_articles / naive_seconds
    limit, limit_cpu, limit_busy = _rate(results["extract"])
    work, work_cpu, work_busy = _rate(results["crawl_work"])
    crawl_cpu = crawl_cpu_ms(runs)
    lines = [
        "",
        "## Baselines (same run, same pages)",
        "",
        "| baseline | rate | CPU ms/page | machine busy | crawl (default) vs baseline |",
        "|---|---|---|---|---|",
        (f"| naive loop (feedparser.parse, urllib, trafilatura.extract; {naive_articles} articles) "
        f"| {naive_rate:.2f} articles/s | | | {rate / naive_rate:.1f}x |"),
        (f"| trafilatura.extract on 2 processes (pre-fetched pages) | {limit:.1f} pages/s | {limit_cpu:.0f} "
        f"| {100 * limit_busy:.0f}% | {100 * rate / limit:.0f}% |"),
        (f"| the crawl's own per-page work on 2 processes (extract_page + MinHash) | {work:.1f} pages/s "
        f"| {work_cpu:.0f} | {100 * work_busy:.0f}% | {100 * rate / work:.0f}% |"),
    ]
    if fast_runs:
        fast_rate = _med([r.rate for r in fast_runs])
        lines.append(f"| (no-spacing variant vs trafilatura.extract limit) | {fast_rate:.1f} articles/s | | "
                     f"| {100 * fast_rate / limit:.0f}% |")
    return lines + [
        "",
        (f"CPU per article: the whole crawl (main process, extraction workers, SQLite) spends {crawl_cpu:.0f} ms; "
        f"trafilatura.extract alone {limit_cpu:.0f} ms, the crawl's worker work {work_cpu:.0f} ms. "
        f"CPU efficiency (extract-only CPU / crawl CPU): {100 * limit_cpu / crawl_cpu:.0f}%. "
        "'machine busy' is the share of all cores in use by anyone during the measurement (other users included)."),
    ]


def _targets(results: dict[str, Any]) -> list[str]:
    runs, fast_runs = results["default"], results.get("fast") or []
    rate = _med([r.rate for r in runs])
    naive_articles, naive_seconds = results["naive"]
    naive = rate / (naive_articles / naive_seconds)
    limit = rate / _rate(results["extract"])[0]
    second = _med([r.second.wall / r.first.wall for r in runs])
    peak = max(r.first.peak_rss_mb for r in runs + fast_runs)
    pss = max(r.first.peak_pss_mb for r in runs + fast_runs)
    return [
        "", "## Targets", "", "| target | measured | met |", "|---|---|---|",
        f"| >= 10x the naive loop | {naive:.1f}x | {_ok(naive >= 10)} |",
        f"| >= 80% of the extraction limit | {100 * limit:.0f}% | {_ok(limit >= 0.8)} |",
        f"| second crawl < 5% of the first | {100 * second:.1f}% | {_ok(second < 0.05)} |",
        f"| peak memory < 600 MB (tree sum of RSS) | {peak:.0f} MB | {_ok(peak < 600)} |",
        f"| (the same, shared pages split: tree sum of PSS) | {pss:.0f} MB | {_ok(pss < 600)} |",
    ]


def _clients(clients: dict[tuple[str, int], list[float]]) -> list[str]:
    lines = [
        "",
        "## HTTP client CPU per request (50 concurrent, loopback, no delay)",
        "",
        "| body | aiohttp ms CPU/request | httpx ms CPU/request | httpx / aiohttp |",
        "|---|---|---|---|",
    ]
    for size in sorted({s for _, s in clients}):
        a, h = _med(clients[("aiohttp", size)]), _med(clients[("httpx", size)])
        lines.append(f"| {size // 1000} KB | {a:.3f} | {h:.3f} | {h / a:.1f}x |")
    return lines + ["", "CPU is the client process's user + system time for the timed requests (after a warm-up run).", ""]


def _ok(flag: bool) -> str:
    return "yes" if flag else "**no**"


def merge_notes(new: str, path: Path) -> str:
    """Keep the hand-written analysis that follows NOTES_MARK in an existing report."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    notes = old.split(NOTES_MARK, 1)[1] if NOTES_MARK in old else "\n"
    return f"{new}\n{NOTES_MARK}{notes}"
