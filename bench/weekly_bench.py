"""The site's weekly sections on a year of data: strongest co-mentions per topic and share of voice per bloc.

    python bench/weekly_bench.py [--runs 3] [--per-article 6] [--workdir bench/results/weekly]

The site benchmark's year (100,000 articles, 50 topics, 40 feeds) with blocs on its feeds (west, russia,
china, global-south; every fifth feed without one) and entity mentions on every article (1 to
2 x ``--per-article`` - 1 of 500 entities, a few named far more often than the rest). Compares
``site_weekly`` (the period's articles first, then their mentions; articles per bloc and day grouped in
SQL) with a naive reading of every mention of the 12 weeks into Python and pairing them there, in the
same run; medians. ``--keep`` reuses the database a previous run generated.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from site_data import fresh_year

from monitor.config import Config
from monitor.deliver.site import site_data, site_weekly
from monitor.render.weekly import week_starts
from monitor.store.tables import Feed, Mention

LAST_DAY = date(2026, 3, 9)
BLOCS = ("west", "russia", "china", "global-south", None)
ENTITIES = 500


def add_blocs_and_mentions(engine: Any, per_article: int, seed: int = 11) -> int:
    """Blocs on the feeds and entity mentions on every article; the number of mentions."""
    rng = random.Random(seed)
    weights = [1 / (i + 1) for i in range(ENTITIES)]
    with engine.begin() as conn:
        for feed_id, in conn.execute(sa.select(Feed.__table__.c.id)).all():
            conn.execute(sa.update(Feed.__table__).where(Feed.__table__.c.id == feed_id)
                         .values(bloc=BLOCS[feed_id % len(BLOCS)]))
        ids = [i for i, in conn.execute(sa.text("SELECT id FROM article"))]
        rows = []
        for aid in ids:
            keys = set(rng.choices(range(ENTITIES), weights, k=rng.randint(1, 2 * per_article - 1)))
            rows += [{"article_id": aid, "kind": "entity", "key": f"org:e{k}", "label": f"Entity {k}", "count": 1,
                      "first_offset": 0} for k in keys]
        for i in range(0, len(rows), 5000):
            conn.execute(sa.insert(Mention.__table__), rows[i:i + 5000])
    return len(rows)


def naive_weekly(engine: Any, since: datetime, until: datetime) -> tuple[dict[int, list[Any]], Counter[Any]]:
    """Every mention of the weeks read into Python, paired per article there; articles counted per bloc."""
    query = sa.text("SELECT m.article_id, t.topic_id, a.published_at, m.key, f.bloc FROM mention m "
                    "JOIN article a ON a.id = m.article_id JOIN article_topic t ON t.article_id = a.id "
                    "LEFT JOIN feed f ON f.id = a.first_feed_id WHERE m.kind = 'entity' AND a.duplicate_of IS NULL "
                    "AND a.published_at >= :since AND a.published_at < :until")
    per_article: dict[int, list[str]] = defaultdict(list)
    meta: dict[int, tuple[int, str, str]] = {}
    with engine.connect() as conn:
        for aid, topic, when, key, bloc in conn.execute(query, {"since": since, "until": until}):
            per_article[aid].append(key)
            meta[aid] = (topic, str(when)[:10], bloc or "")
    pairs: dict[int, Counter[tuple[str, str]]] = defaultdict(Counter)
    blocs: Counter[Any] = Counter()
    for aid, keys in per_article.items():
        topic, day, bloc = meta[aid]
        blocs[(topic, bloc, day)] += 1
        for pair in combinations(sorted(keys), 2):
            pairs[topic][pair] += 1
    return {t: c.most_common(5) for t, c in pairs.items()}, blocs


def timed(func: Any) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--per-article", type=int, default=6)
    parser.add_argument("--workdir", type=Path, default=Path(__file__).resolve().parent / "results" / "weekly")
    parser.add_argument("--keep", action="store_true", help="reuse the database a previous run left in --workdir")
    args = parser.parse_args()
    if args.keep and (args.workdir / "year.db").is_file():
        from monitor.store.db import make_engine

        engine = make_engine(f"sqlite:///{args.workdir / 'year.db'}")
        with engine.connect() as conn:
            mentions = conn.execute(sa.text("SELECT count(*) FROM mention")).scalar() or 0
    else:
        _, engine, _ = fresh_year(args.workdir, LAST_DAY)
        mentions = add_blocs_and_mentions(engine, args.per_article)
    config = Config.model_validate({"feeds": [{"name": "x", "url": "https://x.example.org/"}],
                                    "site": {"out": str(args.workdir / "site")}})
    now = datetime.combine(LAST_DAY, datetime.min.time(), UTC) + timedelta(hours=20)
    data = site_data(engine, config, now)
    starts = week_starts(data.through)
    since = datetime.combine(starts[0], datetime.min.time(), UTC)
    until = datetime.combine(data.through + timedelta(days=1), datetime.min.time(), UTC)
    ours = [timed(lambda: site_weekly(engine, data)) for _ in range(args.runs)]
    naive = [timed(lambda: naive_weekly(engine, since, until)) for _ in range(args.runs)]
    whole = [timed(lambda: site_data(engine, config, now)) for _ in range(args.runs)]
    weekly = site_weekly(engine, data)
    shown = sum(len(t.pairs) for t in weekly.topics.values())
    print(f"{mentions:,} entity mentions on 100k articles; 12 weeks; {shown} pairs shown on {len(weekly.topics)} "
          f"topic pages; medians of {args.runs} runs.\n")
    print("| what | seconds |\n|---|---:|")
    print(f"| `site_weekly` (pairs and bloc shares of 50 topic pages and coverage.html) | {statistics.median(ours):.2f} |")
    print(f"| naive: every mention into Python, paired there | {statistics.median(naive):.2f} |")
    print(f"| for scale: `site_data` (everything else the shared pages read) | {statistics.median(whole):.2f} |")


if __name__ == "__main__":
    main()
