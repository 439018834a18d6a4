"""Trends benchmark: a year of data (100,000 articles, ~3 KB of text each), the trend stage, `monitor trends`
and CSV export, each against the naive way in the same run.

    python bench/trends_bench.py [--runs 5] [--articles 100000] [--workdir bench/results/trends]

- trend pass with nothing new: counts kept article by article (``update_counts`` + detection) against the
  windowed recount it replaced (every article of the last ``baseline_days + lookback_days`` read again,
  every watch pattern run over its full text, the window's counts rewritten);
- trend pass after one more day's crawl (274 articles), the same two ways;
- watch matching per article: casefolded substring prefilter, then patterns, against the patterns alone;
- `monitor trends` and `monitor export --format csv` as whole processes (the floor: `monitor --version`);
- export of every article to CSV in-process: plain rows and quoting only where needed, against ORM objects
  and ``csv.DictWriter`` (the former way).

The database is generated afresh in --workdir (git-ignored); the naive trend pass runs on a copy of it.
Prints medians of ``--runs`` runs as Markdown.
"""

from __future__ import annotations

import argparse
import copy
import csv
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, time as clock, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa
import yaml
from site_data import WORDS, Generator, fresh_year
from sqlmodel import Session, select

from monitor.config import Config
from monitor.store.db import make_engine
from monitor.store.export import EXPORT_FIELDS, iter_articles, write_csv
from monitor.store.tables import Article, ArticleSource, ArticleTopic, DailyCount, Feed, StoryMember, Topic
from monitor.trends.counts import DayArticle, daily_counts
from monitor.trends.service import detect, refresh
from monitor.trends.watch import watchlist_matcher

LAST_DAY = date(2026, 3, 9)
TERMS = ("Huawei", "Sberbank", "SMIC", "DeepSeek", "GigaChat", "BRICS", "Yandex", "Kaspersky")


# --- data ----------------------------------------------------------------------------------


def _texts(rng: random.Random, n: int = 400) -> list[str]:
    """A pool of ~3 KB article bodies; about one in ten names a watch term."""
    plain = [w for w in WORDS if w not in TERMS] + ["government", "market", "report", "officials", "said"]
    pool = []
    for _ in range(n):
        words = [rng.choice(plain) for _ in range(430)]
        if rng.random() < 0.1:
            words[rng.randrange(len(words))] = rng.choice(TERMS)
        pool.append(" ".join(words))
    return pool


def add_texts(engine: Any, rng: random.Random) -> None:
    """A body for every article still without one."""
    pool = _texts(rng)
    with engine.begin() as conn:
        ids = [i for (i,) in conn.execute(sa.select(Article.id).where(Article.text.is_(None)))]
        for start in range(0, len(ids), 5000):
            conn.execute(sa.update(Article.__table__).where(Article.__table__.c.id == sa.bindparam("aid"))
                         .values(text=sa.bindparam("body")),
                         [{"aid": i, "body": rng.choice(pool)} for i in ids[start:start + 5000]])


def prepare(workdir: Path, articles: int) -> tuple[str, Any, Generator]:
    url, engine, gen = fresh_year(workdir, LAST_DAY, articles)
    add_texts(engine, random.Random(11))
    return url, engine, gen


# --- the naive ways ----------------------------------------------------------------------


class PatternsOnly:
    """Watch matching without the prefilter: every pattern over every text."""

    def __init__(self, config: Config) -> None:
        matcher = watchlist_matcher(config.watchlist)
        self.pairs = list(zip(matcher.names, matcher.patterns, strict=True))

    def matches(self, text: str) -> set[str]:
        return {name for name, pattern in self.pairs if pattern.search(text)}


def naive_refresh(engine: Any, config: Config, now: datetime) -> int:
    """The windowed recount: read the window's articles again, match, rewrite the window, then detect."""
    trends = config.trends
    today = now.date()
    first = today - timedelta(days=trends.baseline_days + trends.lookback_days)
    when = sa.func.coalesce(Article.published_at, Article.fetched_at)
    with Session(engine) as s:
        rows = s.execute(
            sa.select(when, Article.title, sa.func.coalesce(Article.text, Article.summary, ""), ArticleTopic.topic_id,
                      StoryMember.story_id)
            .outerjoin(ArticleTopic, ArticleTopic.article_id == Article.id)
            .outerjoin(StoryMember, StoryMember.article_id == Article.id)
            .where(when >= datetime.combine(first, clock(), UTC), Article.duplicate_of.is_(None))).all()
    counts = daily_counts((DayArticle(w.date(), f"{t}\n{x}", tp, st) for w, t, x, tp, st in rows),
                          PatternsOnly(config))  # type: ignore[arg-type]
    with Session(engine) as s, s.begin():
        s.execute(sa.delete(DailyCount).where(DailyCount.day >= first))
        s.add_all(DailyCount(day=c.day, kind=c.kind, key=c.key, count=c.count, share=c.share) for c in counts.rows)
    days = [today - timedelta(days=i) for i in range(trends.lookback_days)]
    detect(engine, config, first, days, now)
    return len(rows)


def naive_export(engine: Any, out: io.StringIO) -> int:
    """The same CSV through ORM objects, 500 at a time, and ``csv.DictWriter`` (the former export)."""
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    last, n = 0, 0
    with Session(engine) as s:
        while True:
            rows = s.exec(select(Article, Feed.name, ArticleTopic.topic_id, Topic.name, StoryMember.story_id)
                          .outerjoin(Feed, Feed.id == Article.first_feed_id)
                          .outerjoin(ArticleTopic, ArticleTopic.article_id == Article.id)
                          .outerjoin(Topic, Topic.id == ArticleTopic.topic_id)
                          .outerjoin(StoryMember, StoryMember.article_id == Article.id)
                          .where(Article.id > last).order_by(Article.id).limit(500)).all()
            if not rows:
                return n
            feeds = _feeds_by_article(s, [row[0].id for row in rows])
            for a, feed, topic_id, topic, story in rows:
                record = {"id": a.id, "url": a.url, "canonical_url": a.canonical_url, "feed": feed,
                          "feeds": feeds.get(a.id, []), "title": a.title, "published": _iso(a.published_at),
                          "published_source": a.published_source, "fetched": _iso(a.fetched_at),
                          "language": a.language, "site_name": a.site_name, "authors": a.authors or [],
                          "status": a.status, "duplicate_of": a.duplicate_of, "duplicate_kind": a.duplicate_kind,
                          "topic_id": topic_id, "topic_name": topic, "story_id": story, "summary": a.summary,
                          "text": a.text}
                writer.writerow({k: ";".join(v) if isinstance(v, list) else v for k, v in record.items()})
                n += 1
            last = rows[-1][0].id


def _feeds_by_article(session: Session, ids: list[int]) -> dict[int, list[str]]:
    rows = session.execute(sa.select(ArticleSource.article_id, Feed.name).join(Feed, Feed.id == ArticleSource.feed_id)
                           .where(ArticleSource.article_id.in_(ids)).order_by(ArticleSource.id))
    out: dict[int, list[str]] = {}
    for article_id, name in rows:
        out.setdefault(article_id, []).append(name)
    return out


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_csv(engine: Any, out: io.StringIO) -> int:
    return write_csv(iter_articles(engine), out)


# --- measuring ---------------------------------------------------------------------------------


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def median_of(runs: int, func: Callable[[], Any]) -> float:
    return statistics.median(timed(func)[0] for _ in range(runs))


def cli(args: list[str], env: dict[str, str], cwd: Path) -> float:
    seconds, done = timed(lambda: subprocess.run([sys.executable, "-m", "monitor", *args], cwd=cwd,
                                                 env={**os.environ, **env}, capture_output=True, text=True))
    if done.returncode != 0:
        raise SystemExit(f"monitor {' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}")
    return seconds


def per_article(config: Config, engine: Any) -> tuple[float, float]:
    """Milliseconds per article to match the watchlist: with the prefilter, and patterns only."""
    with engine.connect() as conn:
        texts = [f"{t}\n{x}" for t, x in conn.execute(sa.select(Article.title, Article.text).limit(5000))]
    fast, slow = watchlist_matcher(config.watchlist), PatternsOnly(config)
    with_prefilter = timed(lambda: [fast.matches(t) for t in texts])[0]
    patterns = timed(lambda: [slow.matches(t) for t in texts])[0]
    return 1000 * with_prefilter / len(texts), 1000 * patterns / len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--articles", type=int, default=100_000, help="Articles over the year.")
    parser.add_argument("--workdir", type=Path, default=Path(__file__).resolve().parent / "results" / "trends")
    args = parser.parse_args()
    url, engine, gen = prepare(args.workdir, args.articles)
    data = {"feeds": [{"name": "x", "url": "https://x.example.org/"}], "data_dir": str(args.workdir / "data"),
            "watchlist": list(TERMS)}
    config = Config.model_validate(data)
    (args.workdir / "feeds.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    now = datetime.combine(LAST_DAY, clock(20), UTC)
    first_count, _ = timed(lambda: refresh(engine, config, now))
    shutil.copy(args.workdir / "year.db", args.workdir / "naive.db")
    naive_engine = make_engine(f"sqlite:///{args.workdir / 'naive.db'}")
    gen.engine = None
    naive_gen = copy.deepcopy(gen)  # writes the same next days into the copy
    gen.engine, naive_gen.engine = engine, naive_engine
    for g in (gen, naive_gen):  # alerts now come from the trend stage, not the generator
        g._alerts = lambda day, counts: []  # type: ignore[method-assign]
    fig: dict[str, float] = {"first_count": first_count}
    fig["idle"] = median_of(args.runs, lambda: refresh(engine, config, now))
    fig["naive_idle"] = median_of(args.runs, lambda: naive_refresh(naive_engine, config, now))
    after, naive_after = [], []
    for run in range(args.runs):
        day = LAST_DAY + timedelta(days=run + 1)
        for g in (gen, naive_gen):
            g.day(day, 274)
            add_texts(g.engine, random.Random(run))
        with engine.begin() as conn:  # the generator writes counts itself; here the trend stage makes them
            conn.execute(sa.delete(DailyCount.__table__).where(DailyCount.__table__.c.day == day))
        later = datetime.combine(day, clock(20), UTC)
        after.append(timed(lambda: refresh(engine, config, later))[0])  # noqa: B023 (called at once)
        naive_after.append(timed(lambda: naive_refresh(naive_engine, config, later))[0])  # noqa: B023
    fig["after_day"], fig["naive_after_day"] = statistics.median(after), statistics.median(naive_after)
    fig["match_ms"], fig["naive_match_ms"] = per_article(config, engine)
    env, cwd, path = {"MONITOR_DATABASE_URL": url}, args.workdir, str(args.workdir / "feeds.yaml")
    fig["floor"] = statistics.median(cli(["--version"], env, cwd) for _ in range(args.runs))
    fig["cli_trends"] = statistics.median(cli(["--config", path, "trends", "--days", "30"], env, cwd)
                                          for _ in range(args.runs))
    fig["cli_export"] = statistics.median(cli(["--config", path, "export", "--format", "csv", "-o",
                                               str(args.workdir / "out.csv")], env, cwd) for _ in range(args.runs))
    fig["export"] = median_of(args.runs, lambda: export_csv(engine, io.StringIO()))
    fig["naive_export"] = median_of(args.runs, lambda: naive_export(engine, io.StringIO()))
    report(fig, engine, args.runs)


def report(fig: dict[str, float], engine: Any, runs: int) -> None:
    with engine.connect() as conn:
        n = conn.execute(sa.text("SELECT count(*) FROM article")).scalar()
        size = conn.execute(sa.text("SELECT avg(length(text)) FROM article")).scalar()
    print(f"Data: {n:,} articles (text {size:,.0f} characters on average), {len(TERMS)} watch terms; "
          f"{os.cpu_count()} CPUs; medians of {runs} runs.\n")
    print("| what | this way: s | naive way: s | naive / this |")
    print("|---|---:|---:|---:|")
    rows = [("trend pass, nothing new", "idle", "naive_idle"),
            ("trend pass after one day's crawl (274 articles)", "after_day", "naive_after_day"),
            ("export of every article to CSV, in-process", "export", "naive_export")]
    for label, ours, naive in rows:
        print(f"| {label} | {fig[ours]:.2f} | {fig[naive]:.2f} | {fig[naive] / fig[ours]:.1f}x |")
    print(f"| watch matching per article, ms | {fig['match_ms']:.3f} | {fig['naive_match_ms']:.3f} | "
          f"{fig['naive_match_ms'] / fig['match_ms']:.1f}x |")
    print(f"\nFirst pass after the upgrade (counts all history once): {fig['first_count']:.1f} s.  ")
    print(f"Whole processes: `monitor --version` {fig['floor']:.2f} s, `monitor trends --days 30` "
          f"{fig['cli_trends']:.2f} s, `monitor export --format csv` {fig['cli_export']:.2f} s.")


if __name__ == "__main__":
    main()
