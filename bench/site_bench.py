"""Static site benchmark: a year of data (50 topics, 100,000 articles), full build and one day's rebuild.

    python bench/site_bench.py [--runs 3] [--workdir bench/results/site]

Compares ``build_site`` (manifest-driven, writes only changed files, story
pages in parallel) with a naive full rebuild in the same run: render every
page and write every file. Prints medians of ``--runs`` runs as Markdown.
The database is generated afresh in --workdir (git-ignored) on each run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from site_data import Generator, fresh_year

from monitor.config import Config
from monitor.deliver.site import build_site, site_data, site_weekly
from monitor.render.coverage import render_gaps_page
from monitor.render import site as pages
from monitor.store import outputs
from monitor.views.shared import story_page

LAST_DAY = date(2026, 3, 9)


def naive_build(engine: Any, config: Config, now: datetime, out: Path) -> int:
    """The baseline: render everything, write every file, no manifest and no comparison."""
    data = site_data(engine, config, now)
    weekly = site_weekly(engine, data)
    files = {"style.css": pages.render_stylesheet(), "index.html": pages.render_index(data),
             "coverage.html": render_gaps_page(data, data.gaps, weekly.voice),
             "alerts.html": pages.render_alerts(data), "digests/index.html": pages.render_digest_archive(data),
             "feeds/digests.atom": pages.render_digest_feed(data), "feeds/alerts.atom": pages.render_alert_feed(data),
             "topics.json": pages.topics_json(data), "trends.json": pages.trends_json(data)}
    files.update({f"topics/{t.id}.html": pages.render_topic(data, t, weekly.topics.get(t.id)) for t in data.topics})
    for rel, text in files.items():
        _write(out / rel, text)
    names = {t.id: t.name for t in data.topics}
    count = len(files)
    for stored in outputs.load_stories(engine, list(outputs.story_stamps(engine))):
        story = story_page(stored, names)
        _write(out / f"stories/{story.id}.html", pages.render_story(data, story))
        count += 1
    return count


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def timed(func: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall seconds, CPU seconds (this process and its finished children) and the result."""
    def cpu() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    wall, start_cpu = time.perf_counter(), cpu()
    result = func()
    return time.perf_counter() - wall, cpu() - start_cpu, result


def prepare(workdir: Path) -> tuple[Any, Generator]:
    """A fresh database holding the generated year (about 30 s)."""
    _, engine, gen = fresh_year(workdir, LAST_DAY)
    return engine, gen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path(__file__).resolve().parent / "results" / "site")
    args = parser.parse_args()
    workdir = args.workdir
    engine, gen = prepare(workdir)
    config = Config.model_validate({"feeds": [{"name": "x", "url": "https://x.example.org/"}],
                                    "site": {"out": str(workdir / "site")}})
    now = datetime.combine(LAST_DAY, datetime.min.time(), UTC) + timedelta(hours=20)
    rows: dict[str, list[tuple[float, float]]] = {"full": [], "naive_full": [], "incremental": [],
                                                  "naive_after_day": []}
    files: dict[str, int] = {}
    for run in range(args.runs):
        shutil.rmtree(workdir / "site", ignore_errors=True)
        wall, cpu, summary = timed(lambda: build_site(engine, config, now))
        rows["full"].append((wall, cpu))
        files["full"] = summary["written"]
        shutil.rmtree(workdir / "naive", ignore_errors=True)
        wall, cpu, count = timed(lambda: naive_build(engine, config, now, workdir / "naive"))
        rows["naive_full"].append((wall, cpu))
        files["naive"] = count
        print(f"run {run + 1}: full {rows['full'][-1][0]:.1f}s, naive {wall:.1f}s", file=sys.stderr)
    for run in range(args.runs):  # each run: one more day's crawl, then both rebuilds
        day = LAST_DAY + timedelta(days=run + 1)
        gen.day(day, 274)
        now = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=20)
        wall, cpu, summary = timed(lambda: build_site(engine, config, now))  # noqa: B023 (called at once)
        rows["incremental"].append((wall, cpu))
        files[f"incremental_{run}"] = summary["written"]
        files[f"stories_{run}"] = summary["stories_rendered"]
        wall, cpu, _ = timed(lambda: naive_build(engine, config, now, workdir / "naive"))  # noqa: B023
        rows["naive_after_day"].append((wall, cpu))
        print(f"day {run + 1}: incremental {rows['incremental'][-1][0]:.1f}s "
              f"({summary['written']} files), naive {wall:.1f}s", file=sys.stderr)
    report(rows, files, engine, args.runs)


def report(rows: dict[str, list[tuple[float, float]]], files: dict[str, int], engine: Any, runs: int) -> None:
    import sqlalchemy as sa

    with engine.connect() as conn:
        n = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in ("article", "story", "topic")}
    wall = {k: statistics.median(w for w, _ in v) for k, v in rows.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in rows.items()}
    written = statistics.median(files[f"incremental_{i}"] for i in range(runs))
    stories = statistics.median(files[f"stories_{i}"] for i in range(runs))
    print(f"Data: {n['article']:,} articles, {n['story']:,} stories, {n['topic']} topics; "
          f"{os.cpu_count()} CPUs; medians of {runs} runs.\n")
    print("| build | wall s | CPU s | files written |")
    print("|---|---:|---:|---:|")
    print(f"| full build (`build_site`, empty folder) | {wall['full']:.2f} | {cpu['full']:.2f} | {files['full']:,} |")
    print(f"| naive full build | {wall['naive_full']:.2f} | {cpu['naive_full']:.2f} | {files['naive']:,} |")
    print(f"| rebuild after one day (`build_site`) | {wall['incremental']:.2f} | {cpu['incremental']:.2f} | "
          f"{written:,.0f} ({stories:,.0f} story pages) |")
    print(f"| naive rebuild after one day | {wall['naive_after_day']:.2f} | {cpu['naive_after_day']:.2f} | "
          f"{files['naive']:,} |")
    print(f"\nRebuild after one day: {wall['naive_after_day'] / wall['incremental']:.1f}x faster (wall), "
          f"{cpu['naive_after_day'] / cpu['incremental']:.1f}x less CPU than the naive rebuild.")


if __name__ == "__main__":
    main()
