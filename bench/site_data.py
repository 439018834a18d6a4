"""A year of synthetic monitor data for the site benchmark: 50 topics, 100,000 articles, stories, counts, alerts.

Rows are bulk-inserted with SQLAlchemy Core; a fixed seed makes every run identical.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import sys
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from monitor.store.tables import (
    Alert,
    Article,
    ArticleSource,
    ArticleTopic,
    DailyCount,
    Feed,
    Story,
    StoryMember,
    Topic,
)

WORDS = ("AI", "chips", "sanctions", "export", "controls", "BRICS", "Sberbank", "DeepSeek", "GigaChat", "cloud",
         "data", "centre", "summit", "ministers", "alliance", "Huawei", "quantum", "satellite", "cable", "5G")


def _title(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12))).capitalize()


def _insert(conn: Any, table: Any, rows: list[dict[str, Any]], chunk: int = 5000) -> None:
    for i in range(0, len(rows), chunk):
        conn.execute(sa.insert(table.__table__), rows[i : i + chunk])


class Generator:
    """Writes one day at a time so the benchmark can add "the next day's crawl" later."""

    def __init__(self, engine: Any, first_day: date, topics: int = 50, feeds: int = 40, seed: int = 7) -> None:
        self.engine, self.rng, self.first_day = engine, random.Random(seed), first_day
        self.n_topics, self.n_feeds = topics, feeds
        self.next_article, self.next_story, self.next_alert = 1, 1, 1
        self.open_stories: dict[int, list[tuple[int, int, int]]] = defaultdict(list)  # topic -> (id, size, feeds)
        self.weights = [self.rng.uniform(0.2, 3.0) for _ in range(topics)]

    def setup(self) -> None:
        with self.engine.begin() as conn:
            _insert(conn, Feed, [{"id": i, "name": f"Outlet {i}", "url": f"https://f{i}.example.org/rss",
                                  "consecutive_failures": 0} for i in range(1, self.n_feeds + 1)])
            start = datetime.combine(self.first_day, datetime.min.time(), UTC)
            _insert(conn, Topic, [{"id": t, "name": f"Topic {t}: " + " ".join(WORDS[(t + k) % 20] for k in range(3)),
                                   "keywords": [WORDS[(t + k) % 20] for k in range(8)], "seeded": t <= 10,
                                   "size": 0, "active": True, "first_seen_at": start, "description": None}
                                  for t in range(1, self.n_topics + 1)])

    def day(self, day: date, articles: int) -> None:
        """One day's crawl: ``articles`` new articles, stories grown or started, counts and a few alerts."""
        rng = self.rng
        rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        counts: Counter[tuple[str, str]] = Counter()
        story_updates: dict[int, dict[str, Any]] = {}
        base = datetime.combine(day, datetime.min.time(), UTC)
        for _ in range(articles):
            aid, topic = self.next_article, rng.choices(range(1, self.n_topics + 1), self.weights)[0]
            self.next_article += 1
            when = base + timedelta(seconds=rng.randrange(86400))
            feed = rng.randrange(1, self.n_feeds + 1)
            url = f"https://f{feed}.example.org/{aid}"
            rows["article"].append({
                "id": aid, "canonical_url": url, "url": url, "title": _title(rng), "summary": "", "text": None,
                "published_at": when, "published_source": "feed", "fetched_at": when + timedelta(minutes=20),
                "content_hash": hashlib.sha256(url.encode()).hexdigest(), "status": "extracted", "word_count": 400,
                "first_feed_id": feed, "language": "en",
            })
            rows["source"].append({"article_id": aid, "feed_id": feed, "entry_url": url, "seen_at": when})
            rows["topic"].append({"article_id": aid, "topic_id": topic})
            rows["member"].append({"article_id": aid, "story_id": self._story(topic, aid, when, feed, rows,
                                                                              story_updates)})
            counts[("topic", str(topic))] += 1
            counts[("total", "all")] += 1
        with self.engine.begin() as conn:
            _insert(conn, Article, rows["article"])
            _insert(conn, ArticleSource, rows["source"])
            _insert(conn, ArticleTopic, rows["topic"])
            _insert(conn, Story, rows["story"])
            for sid, values in story_updates.items():
                conn.execute(sa.update(Story.__table__).where(Story.__table__.c.id == sid).values(**values))
            _insert(conn, StoryMember, rows["member"])
            _insert(conn, DailyCount, [{"day": day, "kind": k, "key": key, "count": n, "share": n / articles}
                                       for (k, key), n in counts.items()])
            _insert(conn, Alert, self._alerts(day, counts))

    def _story(self, topic: int, aid: int, when: datetime, feed: int, rows: dict[str, list[dict[str, Any]]],
               updates: dict[int, dict[str, Any]]) -> int:
        open_ = self.open_stories[topic]
        if open_ and self.rng.random() < 0.72:
            index = self.rng.randrange(len(open_))
            sid, size, feeds = open_[index]
            open_[index] = (sid, size + 1, feeds + 1)
            updates[sid] = {"size": size + 1, "outlets": min(feeds + 1, self.n_feeds), "last_seen_at": when}
            return sid
        sid = self.next_story
        self.next_story += 1
        rows["story"].append({"id": sid, "title": _title(self.rng), "topic_id": topic, "size": 1, "outlets": 1,
                              "first_seen_at": when, "last_seen_at": when, "headline_article_id": None})
        open_.append((sid, 1, 1))
        if len(open_) > 12:  # stories close after a while: only the newest few keep growing
            open_.pop(0)
        return sid

    def _alerts(self, day: date, counts: Counter[tuple[str, str]]) -> list[dict[str, Any]]:
        out = []
        for (kind, key), n in counts.items():
            if kind == "topic" and self.rng.random() < 0.03:
                out.append({"id": self.next_alert, "dedup_key": f"spike:topic:{key}:{day}", "kind": "spike",
                            "subject_kind": "topic", "subject": key, "title": f"Topic {key}: {n} articles",
                            "day": day, "count": n, "baseline": n / 3, "score": 3.5, "reason": "spike",
                            "story_ids": [], "created_at": datetime.combine(day, datetime.max.time(), UTC)})
                self.next_alert += 1
        return out


def fresh_year(workdir: Path, last_day: date, articles: int = 100_000) -> tuple[str, Any, Generator]:
    """A new SQLite database in ``workdir`` holding a generated year: (URL, engine, generator)."""
    from monitor.store.db import make_engine, upgrade

    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    url = f"sqlite:///{workdir / 'year.db'}"
    engine = make_engine(url)
    upgrade(engine, url)
    print("generating a year of data ...", file=sys.stderr)
    return url, engine, year(engine, last_day, articles=articles)


def year(engine: Any, last_day: date, articles: int = 100_000, days: int = 365) -> Generator:
    gen = Generator(engine, last_day - timedelta(days=days - 1))
    gen.setup()
    per_day = articles // days
    for i in range(days):
        gen.day(gen.first_day + timedelta(days=i), per_day + (1 if i < articles - per_day * days else 0))
    return gen
