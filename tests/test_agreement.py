"""The digest agrees with the site: alerts by the day they describe, new topics by their first article,
and `monitor site` / `monitor digest` bring the counts up to date on their own."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner
from outputs_data import DAY, NOW, WINDOW_START, config_dict, populate

from monitor.cli import cli
from monitor.config import Config
from monitor.deliver.digests import digest_data
from monitor.deliver.site import site_data
from monitor.store.db import session_scope
from monitor.store.tables import Alert, Article, ArticleTopic, CountedArticle, DailyCount, Feed, Topic


def _config(tmp_path: Path) -> Config:
    return Config.model_validate(config_dict(tmp_path))


def _alert(key: str, day: Any, created: Any) -> Alert:
    return Alert(dedup_key=key, kind="spike", subject_kind="topic", subject="2", title=key, day=day, count=9,
                 baseline=1.0, score=5.0, reason=key, story_ids=[], created_at=created)


def test_alert_detected_after_midnight_belongs_to_the_day_it_describes(engine: Any, tmp_path: Path) -> None:
    populate(engine)
    with session_scope(engine) as s:
        s.add(_alert("late", DAY - timedelta(days=1), NOW + timedelta(hours=3)))  # about yesterday, found today
        s.add(_alert("older", DAY - timedelta(days=2), WINDOW_START + timedelta(hours=1)))  # found in the window
    titles = {a.title for a in digest_data(engine, _config(tmp_path), DAY).alerts}
    assert "late" in titles and "older" not in titles
    assert "late" not in {a.title for a in digest_data(engine, _config(tmp_path), DAY + timedelta(days=1)).alerts}


def test_new_topics_are_those_whose_first_article_is_new(engine: Any, tmp_path: Path) -> None:
    fx = populate(engine)
    with session_scope(engine) as s:
        # found by an old fit, but its first article is in the window: new in the news
        s.add(Topic(id=5, name="Fresh story line", seeded=False, size=1, first_seen_at=NOW - timedelta(days=90)))
        s.get(ArticleTopic, fx.articles["lone"]).topic_id = 5
        # found by yesterday's fit, but about articles from months ago: not new
        s.add(Topic(id=6, name="Old story line", seeded=False, size=1, first_seen_at=NOW - timedelta(days=1)))
        s.get(ArticleTopic, fx.articles["old"]).topic_id = 6
        old = s.get(Article, fx.articles["old"])
        old.published_at, old.fetched_at = NOW - timedelta(days=61), NOW - timedelta(days=60)
    config = Config.model_validate(config_dict(tmp_path, trends={"emerging_days": 3}))
    digest = digest_data(engine, config, DAY)
    assert sorted(t.id for t in digest.emerging) == [3, 5]
    site = {t.id: t.emerging for t in site_data(engine, config, NOW).topics}
    assert site[5] and site[3] and not site[6]


def test_site_and_digest_commands_bring_counts_up_to_date(engine: Any, database_url: str, tmp_path: Path,
                                                         write_config: Any) -> None:
    populate(engine)
    with session_scope(engine) as s:  # counts as a crawl + fit leave them: nothing counted yet
        s.execute(sa.delete(DailyCount))
        for article in s.execute(sa.select(Article)).scalars():
            article.fetched_at = article.fetched_at + (DAY.today() - DAY)
            if article.published_at is not None:
                article.published_at = article.published_at + (DAY.today() - DAY)
    path = write_config(config_dict(tmp_path))
    env = {"MONITOR_DATABASE_URL": database_url}
    site = CliRunner().invoke(cli, ["--config", str(path), "site"], env=env)
    assert site.exit_code == 0, site.output
    topics = {t["id"]: t["last_7_days"] for t in json.loads((tmp_path / "site" / "topics.json").read_text())["topics"]}
    assert topics[1] == 4 and topics[2] >= 2
    with session_scope(engine) as s:  # as if none of it had been counted
        s.execute(sa.delete(DailyCount))
        s.execute(sa.delete(CountedArticle))
    digest = CliRunner().invoke(cli, ["--config", str(path), "digest", "--dry-run"], env=env)
    assert digest.exit_code == 0, digest.output
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM daily_count")).scalar() > 0


def test_emerging_alert_follows_the_topics_first_article_not_its_fit(engine: Any, tmp_path: Path) -> None:
    from datetime import UTC, datetime, time

    from monitor.store import alerts as alert_db
    from monitor.trends.service import refresh

    now = datetime.combine(DAY, time(20), UTC)
    with session_scope(engine) as s:
        s.add(Topic(id=9, name="Undersea cables", seeded=False, size=5, first_seen_at=now - timedelta(days=90)))
        s.add(Feed(name="f", url="http://127.0.0.1:9/feed"))
        s.flush()
        for back, n in ((1, 2), (0, 4)):
            for i in range(n):
                url = f"http://127.0.0.1:9/{back}-{i}"
                article = Article(canonical_url=url, url=url, title=f"cable {back} {i}", text="cables",
                                  fetched_at=now - timedelta(days=back, hours=1), content_hash=url,
                                  status="extracted")
                s.add(article)
                s.flush()
                s.add(ArticleTopic(article_id=article.id, topic_id=9))
    config = Config.model_validate(config_dict(tmp_path, trends={"min_history_days": 0}))  # two days of articles
    refresh(engine, config, now)
    emerging = [a for a in alert_db.list_alerts(engine) if a.kind == "emerging"]
    assert [(a.subject, a.day) for a in emerging] == [("9", DAY)]


def test_digest_dry_run_html_previews_the_email_with_source_links(engine: Any, database_url: str,
                                                                  tmp_path: Path, write_config: Any) -> None:
    populate(engine)
    path = write_config(config_dict(tmp_path, email={"to": ["a@example.org"]}))
    shown = CliRunner().invoke(cli, ["--config", str(path), "digest", "--date", "2026-03-10", "--dry-run", "--html"],
                               env={"MONITOR_DATABASE_URL": database_url})
    assert shown.exit_code == 0, shown.output
    assert "To: a@example.org" in shown.output and "<html" in shown.output
    assert 'href="https://reuters.example.org/sber-deepseek"' in shown.output  # no site.base_url: sources linked
    assert not (tmp_path / "site").exists()


def test_alerts_since_a_day_are_the_alerts_about_that_day_and_later(engine: Any, write_config: Any,
                                                                    database_url: str) -> None:
    """``monitor alerts --since DAY`` lists what happened from DAY on, newest day first, whenever each
    alert was found: a pairing first seen three days back but found today is not "since today"."""
    from monitor.store.alerts import list_alerts

    found_today = NOW + timedelta(hours=2)
    with session_scope(engine) as s:
        for key, back in (("three-days-back", 3), ("today", 0), ("yesterday", 1)):
            s.add(_alert(key, DAY - timedelta(days=back), found_today))
    assert [a.title for a in list_alerts(engine, DAY - timedelta(days=1))] == ["today", "yesterday"]
    assert [a.title for a in list_alerts(engine)] == ["today", "yesterday", "three-days-back"]
    path = write_config({"feeds": [{"name": "x", "url": "https://example.org/feed"}]})
    result = CliRunner().invoke(cli, ["--config", str(path), "alerts", "--since", f"{DAY:%Y-%m-%d}"],
                                env={"MONITOR_DATABASE_URL": database_url}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "today" in result.output and "yesterday" not in result.output and "three-days-back" not in result.output
