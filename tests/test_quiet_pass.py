"""A cron pass with nothing new stays cheap: compiled templates are kept, window queries read an index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from jinja2 import FileSystemBytecodeCache

from monitor.render.env import make_environment
from monitor.store.db import session_scope
from monitor.store.shared import article_time
from monitor.store.tables import Article


def test_compiled_templates_are_reused_and_a_changed_template_is_compiled_again(tmp_path: Path) -> None:
    templates, cache = tmp_path / "templates", tmp_path / "cache"
    templates.mkdir()
    cache.mkdir()
    (templates / "page.html").write_text("<p>{{ x }}</p>", encoding="utf-8")

    first = make_environment(templates, FileSystemBytecodeCache(str(cache)))
    assert first.get_template("page.html").render(x="<a>") == "<p>&lt;a&gt;</p>"
    stored = list(cache.iterdir())
    assert len(stored) == 1

    second = make_environment(templates, FileSystemBytecodeCache(str(cache)))  # as in the next process
    second.compile = None  # type: ignore[method-assign,assignment]  # it must not compile: any call fails
    assert second.get_template("page.html").render(x="b") == "<p>b</p>"

    (templates / "page.html").write_text("<div>{{ x }}</div>", encoding="utf-8")
    third = make_environment(templates, FileSystemBytecodeCache(str(cache)))
    assert third.get_template("page.html").render(x="c") == "<div>c</div>"


def test_a_time_window_over_originals_reads_the_index(sqlite_engine) -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    when = article_time()
    query = (sa.select(Article.id).where(Article.duplicate_of.is_(None), Article.fetched_at >= start, when >= start))
    with session_scope(sqlite_engine) as session:
        compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        plan = " ".join(str(r[-1]) for r in session.execute(sa.text(f"EXPLAIN QUERY PLAN {compiled}")))
    assert "ix_article_original_time" in plan


def test_feeds_due_says_whether_the_crawl_will_poll_a_feed(engine) -> None:
    from monitor.store.runs import feeds_due
    from monitor.store.tables import Feed

    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert feeds_due(engine, ["New"], now)  # not stored yet: the crawl polls it first
    with session_scope(engine) as session:
        session.add(Feed(name="Later", url="http://127.0.0.1:9/a.xml", next_due_at=now + timedelta(minutes=5)))
        session.add(Feed(name="Now", url="http://127.0.0.1:9/b.xml", next_due_at=now - timedelta(minutes=5)))
    assert not feeds_due(engine, ["Later"], now)
    assert feeds_due(engine, ["Later", "Now"], now)
    assert feeds_due(engine, ["Later"], now + timedelta(minutes=6))


def test_topic_titles_read_through_the_index_are_those_of_the_window(engine) -> None:
    """The topic pages' recent titles: every article with a topic whose time is in the window, duplicates
    too, whatever plan the database picks (checked against a reading of every row)."""
    from outputs_data import DAY, populate

    from monitor.store.outputs import site_rows
    from monitor.store.shared import article_time_of
    from monitor.store.tables import ArticleTopic

    populate(engine)
    since = DAY - timedelta(days=1)
    rows = site_rows(engine, since, DAY, since, titles=True)
    with session_scope(engine) as session:
        every = session.execute(sa.select(ArticleTopic.topic_id, Article.title, Article.published_at,
                                          Article.fetched_at).join(Article, Article.id == ArticleTopic.article_id))
        midnight = datetime.combine(since, datetime.min.time(), UTC)
        expected = sorted((t, title) for t, title, published, fetched in every
                          if t >= 0 and article_time_of(published, fetched) >= midnight)
    assert sorted(rows.titles) == expected and len(expected) > 3
