"""Daily counts over all stored history, kept article by article: new articles, refits, duplicates."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from monitor.config import Config
from monitor.store import trends as trend_db
from monitor.store.db import session_scope
from monitor.store.tables import Article, ArticleTopic, Feed, Story, StoryMember, Topic
from monitor.trends.service import refresh

NOW = datetime(2026, 5, 30, 12, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture
def config(tmp_path) -> Config:
    return Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}], data_dir=str(tmp_path / "data"),
                  watchlist=["Huawei"])


def _add(engine: sa.Engine, key: str, fetched: datetime, topic: int | None = None, published: datetime | None = None,
         text: str = "plain words", story: int | None = None) -> int:
    with session_scope(engine) as s:
        feed = s.execute(sa.select(Feed)).scalars().first()
        if feed is None:
            feed = Feed(name="f", url="http://127.0.0.1:9/feed")
            s.add(feed)
            s.flush()
        for tid in {topic} - {None}:
            if s.get(Topic, tid) is None:
                s.add(Topic(id=tid, name=f"Topic {tid}", seeded=True))
        row = Article(canonical_url=f"http://127.0.0.1:9/{key}", url=f"http://127.0.0.1:9/{key}", title=key,
                      text=text, first_feed_id=feed.id, published_at=published,
                      published_source="feed" if published else "fetch", fetched_at=fetched,
                      content_hash=hashlib.sha256(key.encode()).hexdigest(), status="extracted")
        s.add(row)
        s.flush()
        if topic is not None:
            s.add(ArticleTopic(article_id=row.id, topic_id=topic))
        if story is not None:
            if s.get(Story, story) is None:
                s.add(Story(id=story, title=key, first_seen_at=fetched, last_seen_at=fetched))
                s.flush()
            s.add(StoryMember(article_id=row.id, story_id=story))
        return int(row.id)


def _topic_counts(engine: sa.Engine, topic: int) -> dict[date, int]:
    return trend_db.daily_series(engine, "topic").get(str(topic), {})


def test_counts_cover_all_history_not_a_window(engine: sa.Engine, config: Config) -> None:
    old = NOW - timedelta(days=120)
    for i in range(3):
        _add(engine, f"old{i}", old, topic=1)
    _add(engine, "new", NOW - timedelta(hours=1), topic=1)
    refresh(engine, config, NOW)
    assert _topic_counts(engine, 1) == {old.date(): 3, TODAY: 1}
    assert trend_db.daily_series(engine, "total")["all"][old.date()] == 3


def test_counts_follow_refits_duplicates_and_new_articles_incrementally(engine: sa.Engine, config: Config) -> None:
    day = NOW - timedelta(days=60)
    ids = [_add(engine, f"a{i}", day, topic=1, text="Huawei chips" if i == 0 else "chips") for i in range(4)]
    refresh(engine, config, NOW)
    assert _topic_counts(engine, 1) == {day.date(): 4}
    assert trend_db.daily_series(engine, "watch") == {"Huawei": {day.date(): 1}}
    with session_scope(engine) as s:  # a refit moves two articles to topic 2
        s.add(Topic(id=2, name="Topic 2", seeded=True))
        for aid in ids[:2]:
            s.get(ArticleTopic, aid).topic_id = 2
        s.get(Article, ids[3]).duplicate_of = ids[2]  # and one turns out to be a duplicate
    summary = refresh(engine, config, NOW)
    assert summary["moved"] == 2 and summary["gone"] == 1 and summary["new"] == 0
    assert _topic_counts(engine, 1) == {day.date(): 1}
    assert _topic_counts(engine, 2) == {day.date(): 2}
    assert trend_db.daily_series(engine, "total")["all"] == {day.date(): 3}
    assert trend_db.daily_series(engine, "watch") == {"Huawei": {day.date(): 1}}
    with engine.connect() as conn:
        shares = dict(conn.execute(sa.text("SELECT key, share FROM daily_count WHERE kind = 'topic'")).all())
    assert shares == pytest.approx({"1": 1 / 3, "2": 2 / 3})
    quiet = refresh(engine, config, NOW)
    assert (quiet["new"], quiet["moved"], quiet["gone"], quiet["days"]) == (0, 0, 0, 0)


def test_changed_watchlist_recounts_its_matches(engine: sa.Engine, config: Config) -> None:
    _add(engine, "a", NOW - timedelta(days=40), text="SMIC and Huawei")
    refresh(engine, config, NOW)
    assert set(trend_db.daily_series(engine, "watch")) == {"Huawei"}
    wider = config.model_copy(update={"watchlist": Config(feeds=config.feeds, watchlist=["Huawei", "SMIC"]).watchlist})
    refresh(engine, wider, NOW)
    assert set(trend_db.daily_series(engine, "watch")) == {"Huawei", "SMIC"}


def test_future_dated_article_counts_on_its_fetch_day(engine: sa.Engine, config: Config) -> None:
    fetched = NOW - timedelta(days=2)
    _add(engine, "future", fetched, topic=1, published=NOW + timedelta(days=30))
    _add(engine, "past", fetched, topic=1, published=fetched - timedelta(days=5))
    refresh(engine, config, NOW)
    assert _topic_counts(engine, 1) == {fetched.date(): 1, (fetched - timedelta(days=5)).date(): 1}


def test_cli_trends_prints_each_days_count(engine: sa.Engine, config: Config, write_config, database_url: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor.cli import cli

    today = datetime.now(UTC)
    for back, n in ((0, 2), (1, 0), (2, 5)):
        for i in range(n):
            _add(engine, f"d{back}-{i}", today - timedelta(days=back, minutes=1), topic=7)
    _add(engine, "older", today - timedelta(days=40), topic=7)
    path = write_config({"feeds": [{"name": "f", "url": "http://127.0.0.1:9/feed"}], "data_dir": config.data_dir})
    monkeypatch.setenv("MONITOR_DATABASE_URL", database_url)
    shown = CliRunner().invoke(cli, ["trends", "--days", "3", "--config", str(path)])
    assert shown.exit_code == 0, shown.output
    header, *rows = shown.stdout.splitlines()  # logs go to stderr
    days = [(today - timedelta(days=back)).date() for back in (2, 1, 0)]
    assert [f"{d:%m-%d}" for d in days] == header.split()[2:5]
    (row,) = [r for r in rows if r.rstrip().endswith("Topic 7")]
    assert row.split()[:5] == ["7", "7", "5", "0", "2"]
    as_json = CliRunner().invoke(cli, ["trends", "--days", "3", "--json", "--config", str(path)])
    (topic,) = [t for t in json.loads(as_json.stdout) if t["id"] == 7]
    assert topic["total"] == 7 and topic["daily"] == [{"day": d.isoformat(), "articles": n}
                                                      for d, n in zip(days, (5, 0, 2), strict=True)]


def test_csv_export_reads_back_exactly_with_hostile_cells() -> None:
    import csv
    import io

    from monitor.store.export import EXPORT_FIELDS, write_csv

    hostile = ['a "quoted", comma', "line\nbreak\r\nand CR", "", "plain", "trailing space ", '"']
    records = [{k: None for k in EXPORT_FIELDS} | {"id": i, "title": text, "feeds": ["A, B", "C"], "text": text}
               for i, text in enumerate(hostile)]
    out = io.StringIO()
    assert write_csv(records, out) == len(records)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["title"] for r in rows] == hostile and [r["text"] for r in rows] == hostile
    assert {r["feeds"] for r in rows} == {"A, B;C"} and rows[0]["topic_id"] == "" and rows[3]["id"] == "3"


def test_concurrent_passes_never_count_an_article_twice(engine: sa.Engine, config: Config) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from monitor.trends.service import update_counts

    for i in range(40):
        _add(engine, f"c{i}", NOW - timedelta(days=i % 5), topic=1, text="Huawei" if i % 2 else "chips")
    with ThreadPoolExecutor(4) as pool:
        summaries = list(pool.map(lambda _: update_counts(engine, config), range(4)))
    assert sum(s["new"] for s in summaries) == 40
    assert sum(trend_db.daily_series(engine, "total")["all"].values()) == 40
    assert sum(trend_db.daily_series(engine, "watch")["Huawei"].values()) == 20


def test_a_touched_day_is_its_articles_tally_whatever_else_wrote_to_it(engine: sa.Engine, config: Config) -> None:
    day = NOW - timedelta(days=3)
    ids = [_add(engine, f"m{i}", day, topic=1, story=100 + i) for i in range(2)]
    refresh(engine, config, NOW)
    with session_scope(engine) as s:  # another stage folds story 101 into 100 and moves its counts itself
        s.get(StoryMember, ids[1]).story_id = 100
        s.execute(sa.text("UPDATE daily_count SET count = count + 1 WHERE kind = 'story' AND key = '100'"))
        s.execute(sa.text("DELETE FROM daily_count WHERE kind = 'story' AND key = '101'"))
    refresh(engine, config, NOW)
    assert trend_db.daily_series(engine, "story") == {"100": {day.date(): 2}}


def test_a_watch_term_follows_its_entity_across_scripts_and_case_forms(engine: sa.Engine, config: Config) -> None:
    """"Huawei" is watched with no aliases: Cyrillic, Chinese and inflected spellings of the entity still count."""
    for key, text in (("ru", "Санкции против Хуавэй расширены"), ("zh", "华为发布新芯片"),
                      ("en", "Huawei ships a phone"), ("none", "Xiaomi ships a phone")):
        _add(engine, key, NOW - timedelta(hours=2), text=text)
    refresh(engine, config, NOW)
    assert trend_db.daily_series(engine, "watch") == {"Huawei": {(NOW - timedelta(hours=2)).date(): 3}}


def test_a_watch_term_naming_no_entity_is_counted_as_written(engine: sa.Engine, config: Config) -> None:
    plain = config.model_copy(update={"watchlist": Config(feeds=config.feeds, watchlist=["Undersea cables"]).watchlist})
    _add(engine, "a", NOW - timedelta(hours=2), text="Two undersea cables were cut")
    _add(engine, "b", NOW - timedelta(hours=2), text="A cable was cut")
    refresh(engine, plain, NOW)
    assert trend_db.daily_series(engine, "watch") == {"Undersea cables": {(NOW - timedelta(hours=2)).date(): 1}}
