"""A small, realistic data set for the output tests: feeds, topics, stories, articles, counts, alerts.

Rows are created directly (the stages that normally fill them are tested elsewhere).
Several titles, texts and URLs are hostile: they must come out escaped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from monitor.store.db import session_scope
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

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # the 2026-03-10 digest (07:00 UTC) is due
DAY = date(2026, 3, 10)
WINDOW_START = datetime(2026, 3, 9, 7, 0, tzinfo=UTC)
XSS_TITLE = "<script>alert('title')</script>Sberbank & DeepSeek <b>unclosed"
XSS_IMG = '"><img src=x onerror="alert(1)">'
JS_URL = "javascript:alert(document.cookie)"
HOSTILE_FEED = "<img src=x onerror=alert('feed')>Wire"


@dataclass
class Fixture:
    topics: dict[str, int] = field(default_factory=dict)
    stories: dict[str, int] = field(default_factory=dict)
    articles: dict[str, int] = field(default_factory=dict)
    alerts: dict[str, int] = field(default_factory=dict)
    in_window: set[int] = field(default_factory=set)


def _article(session: Any, key: str, title: str, url: str, feed: Feed, fetched: datetime,
             published: datetime | None = None, summary: str = "", duplicate_of: int | None = None) -> Article:
    article = Article(
        canonical_url=url if url.startswith("http") else f"https://example.org/{key}", url=url, title=title,
        summary=summary, text=summary, published_at=published, published_source="feed" if published else "fetch",
        fetched_at=fetched, content_hash=hashlib.sha256(key.encode()).hexdigest(), status="extracted",
        first_feed_id=feed.id, duplicate_of=duplicate_of, site_name=None, language="en",
    )
    session.add(article)
    session.flush()
    session.add(ArticleSource(article_id=article.id, feed_id=feed.id, entry_url=url, seen_at=fetched))
    return article


def populate(engine: Any, now: datetime = NOW) -> Fixture:
    """Topics 1-4, three stories, articles in and around the 24 h window before ``now``'s digest, alerts."""
    fx = Fixture()
    with session_scope(engine) as s:
        feeds = [Feed(name=n, url=f"https://{i}.example.org/feed") for i, n in
                 enumerate(["Reuters Tech", "Byteline", HOSTILE_FEED, "TASS English"])]
        s.add_all(feeds)
        s.flush()
        _topics(s, fx, now)
        _window_articles(s, fx, feeds, now)
        _counts(s, now)
        _alerts(s, fx, now)
    return fx


def _topics(s: Any, fx: Fixture, now: datetime) -> None:
    rows = [
        Topic(id=1, name="AI alliances and partnerships", keywords=["AI alliance", "Sberbank", "DeepSeek"],
              seeded=True, size=120, first_seen_at=now - timedelta(days=200)),
        Topic(id=2, name="Sanctions and export controls", keywords=["sanctions", "export controls"],
              seeded=True, size=300, first_seen_at=now - timedelta(days=200)),
        Topic(id=3, name="<script>alert('topic')</script>GigaChat models", keywords=["GigaChat", XSS_IMG],
              seeded=False, size=9, first_seen_at=now - timedelta(days=2)),
        Topic(id=4, name="Quiet topic", keywords=["quiet"], seeded=True, size=40,
              first_seen_at=now - timedelta(days=200)),
    ]
    s.add_all(rows)
    fx.topics = {"alliances": 1, "sanctions": 2, "gigachat": 3, "quiet": 4}


def _window_articles(s: Any, fx: Fixture, feeds: list[Feed], now: datetime) -> None:
    t0 = WINDOW_START + timedelta(hours=2)
    specs = [  # key, title, url, feed, topic, story, fetched offset (h), published offset (h) or None
        ("sber1", "Sberbank to work with Chinese researchers on AI, aligning with DeepSeek",
         "https://reuters.example.org/sber-deepseek", 0, 1, "sber", 1, 0),
        ("sber2", "Putin orders Sberbank to deepen AI cooperation with China", "https://byteline.example.org/putin",
         1, 1, "sber", 3, 2),
        ("sber3", XSS_TITLE, JS_URL, 2, 1, "sber", 4, 3),
        ("sber4", "Sberbank and DeepSeek: what the AI alliance means", "https://tass.example.org/sber", 3, 1,
         "sber", 5, None),
        ("brics1", "BRICS ministers discuss AI governance and GigaChat", "https://reuters.example.org/brics", 0, 3,
         "brics", 6, 5),
        ("brics2", f"BRICS AI summit {XSS_IMG}", "https://evil.example.org/a?x=\"><script>alert(3)</script>", 2, 3,
         "brics", 7, 6),
        ("chips1", "New export controls on AI chips to Russia", "https://reuters.example.org/chips", 0, 2,
         "chips", 8, 7),
        ("future", "Dated in the future by its feed: counts at its fetch time", "https://byteline.example.org/fut",
         1, 2, None, 9, 24 * 30),
        ("lone", "A lone article outside any topic", "https://tass.example.org/lone", 3, -1, None, 10, 9),
    ]
    stories: dict[str, list[Article]] = {}
    for key, title, url, feed, topic, story, fetched_h, published_h in specs:
        fetched = t0 + timedelta(hours=fetched_h)
        published = None if published_h is None else t0 + timedelta(hours=published_h)
        art = _article(s, key, title, url, feeds[feed], fetched, published,
                       summary=f"{title}.")
        fx.articles[key] = art.id
        fx.in_window.add(art.id)
        s.add(ArticleTopic(article_id=art.id, topic_id=topic))
        if story:
            stories.setdefault(story, []).append(art)
    _outside(s, fx, feeds)
    _stories(s, fx, stories)


def _outside(s: Any, fx: Fixture, feeds: list[Feed]) -> None:
    """Articles that must not be in the window: too old, published before it though fetched in it, duplicates."""
    old = _article(s, "old", "Old news about sanctions", "https://reuters.example.org/old", feeds[0],
                   WINDOW_START - timedelta(hours=3), WINDOW_START - timedelta(hours=4))
    late = _article(s, "late", "Published before the window, fetched inside", "https://reuters.example.org/late",
                    feeds[0], WINDOW_START + timedelta(hours=1), WINDOW_START - timedelta(hours=30))
    dup = _article(s, "dup", "Duplicate of sber1", "https://mirror.example.org/sber", feeds[3],
                   WINDOW_START + timedelta(hours=5), WINDOW_START + timedelta(hours=4),
                   duplicate_of=fx.articles["sber1"])
    for art in (old, late, dup):
        fx.articles[art.content_hash[:6]] = art.id
        s.add(ArticleTopic(article_id=art.id, topic_id=2))
    fx.articles.update(old=old.id, late=late.id, dup=dup.id)


def _stories(s: Any, fx: Fixture, stories: dict[str, list[Article]]) -> None:
    topics = {"sber": 1, "brics": 3, "chips": 2}
    titles = {"sber": XSS_TITLE, "brics": "BRICS ministers discuss AI governance", "chips": "Export controls on chips"}
    for key, members in stories.items():
        story = Story(title=titles[key], headline_article_id=members[0].id, topic_id=topics[key], size=len(members),
                      outlets=len({m.first_feed_id for m in members}), first_seen_at=members[0].fetched_at,
                      last_seen_at=members[-1].fetched_at)
        s.add(story)
        s.flush()
        fx.stories[key] = story.id
        s.add_all(StoryMember(article_id=m.id, story_id=story.id) for m in members)


def _counts(s: Any, now: datetime) -> None:
    """Twenty days of history: topic 1 usually 0.5 a day (now rising), topic 2 usually 6.5 (now falling)."""
    today = now.date()
    usual = {"1": 0, "2": 6, "4": 2}
    for back in range(1, 21):
        day = today - timedelta(days=back)
        for key, n in usual.items():
            s.add(DailyCount(day=day, kind="topic", key=key, count=n + back % 2, share=0.1))
        s.add(DailyCount(day=day, kind="total", key="all", count=12, share=1.0))
        s.add(DailyCount(day=day, kind="watch", key="Sberbank", count=1, share=0.05))


def _alerts(s: Any, fx: Fixture, now: datetime) -> None:
    rows = [
        Alert(dedup_key="spike:topic:1", kind="spike", subject_kind="topic", subject="1",
              title="AI alliances and partnerships: 4 articles vs 0.5", day=now.date() - timedelta(days=1),
              count=4, baseline=0.5, score=3.5, reason="4 articles vs 0.5 a day over 14 days", story_ids=[1],
              created_at=WINDOW_START + timedelta(hours=12)),
        Alert(dedup_key="first_seen:topic:3", kind="first_seen", subject_kind="topic", subject="3",
              title=f"New topic {XSS_TITLE}", day=now.date() - timedelta(days=1), count=2, baseline=0.0,
              score=9.0, reason=f"first seen {XSS_IMG}", story_ids=[], created_at=WINDOW_START + timedelta(hours=13)),
    ]
    s.add_all(rows)
    s.flush()
    fx.alerts = {"spike": rows[0].id, "first_seen": rows[1].id}


def config_dict(tmp: Any, **sections: Any) -> dict[str, Any]:
    """A feeds.yaml dict with the output sections pointed at ``tmp``."""
    data: dict[str, Any] = {
        "feeds": [{"name": "Reuters Tech", "url": "https://reuters.example.org/feed"}],
        "watchlist": [{"name": "Sberbank", "aliases": ["Сбербанк"]}, "GigaChat", "Huawei"],
        "site": {"out": str(tmp / "site"), "title": "Tech-policy monitor"},
        "digest": {"time": "07:00", "timezone": "UTC"},
    }
    data.update(sections)
    return data
