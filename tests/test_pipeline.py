"""`monitor run`: stage order, failure isolation, the Run row, exit statuses, idempotency."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from monitor.config import load_config
from monitor.errors import ConfigError
from monitor.pipeline import Plain, jsonable, last_refit_boundary, refit_due, run_once
from monitor.settings import Settings
from monitor.store.tables import Article, Run
from tests.feedkit import Item, page, rss, sample_texts

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
FAST = {"host_delay": 0, "extract_workers": 0, "timeouts": {"connect": 2, "read": 2, "total": 5}}


def monitor(*args: str, env: dict[str, str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "monitor", *args], env={**os.environ, **env}, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def publish(site, n: int = 2) -> list[Item]:
    texts = sample_texts()
    items = []
    for i in range(n):
        title = f"Report {i} on AI cooperation"
        site.add(f"/news/{i}.html", page(title, texts[i % len(texts)] + f"\nUpdate number {i}."))
        items.append(Item(title, site.url(f"/news/{i}.html"), summary=texts[i % len(texts)][:200],
                          published=NOW - timedelta(hours=i + 1)))
    return items


def deps(engine, write_config, feeds, **sections) -> Plain:
    config = load_config(write_config({"feeds": feeds, "crawl": FAST, **sections}))
    return Plain(engine, config, Settings(database_url=engine.url.render_as_string(hide_password=False)))


def recorder(calls: list[str], fail: set[str] = frozenset()):
    def make(name: str):
        def stage(_deps, now):
            calls.append(name)
            if name in fail:
                raise RuntimeError(f"{name} broke")
            return {"name": name, "when": now, "items": (1, 2)}
        return stage
    return make


def test_a_failing_stage_is_recorded_and_later_stages_still_run(engine, write_config):
    calls: list[str] = []
    make = recorder(calls, fail={"b"})
    app = deps(engine, write_config, [{"name": "x", "url": "http://127.0.0.1:9/x.xml"}])
    result = run_once(app, NOW, stages=("a", "b", "c"), registry={k: make(k) for k in "abc"})
    assert calls == ["a", "b", "c"]
    assert (result.status, result.exit_code) == ("failed", 1)
    assert [s.name for s in result.failed] == ["b"]
    assert result.stage("b").error == "RuntimeError: b broke"
    with Session(engine) as session:
        run = session.get(Run, result.run_id)
    assert run.status == "failed" and run.command == "run" and run.pid == os.getpid()
    assert run.stages["b"]["status"] == "failed" and run.stages["c"]["status"] == "ok"
    assert run.summary["a"] == {"name": "a", "when": NOW.isoformat(), "items": [1, 2]}
    assert run.started_at == NOW <= run.finished_at < NOW + timedelta(minutes=1)


def test_successful_run_exit_code_zero_and_unknown_stage_rejected(engine, write_config):
    app = deps(engine, write_config, [{"name": "x", "url": "http://127.0.0.1:9/x.xml"}])
    calls: list[str] = []
    result = run_once(app, NOW, stages=("a",), registry={"a": recorder(calls)("a")})
    assert (result.status, result.exit_code, calls) == ("ok", 0, ["a"])
    with pytest.raises(ValueError, match="unknown stage"):
        run_once(app, NOW, stages=("nope",), registry={})


def test_interrupted_run_is_marked_and_reraised(engine, write_config):
    app = deps(engine, write_config, [{"name": "x", "url": "http://127.0.0.1:9/x.xml"}])

    def interrupt(_deps, _now):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_once(app, NOW, stages=("a",), registry={"a": interrupt})
    with Session(engine) as session:
        run = session.exec(select(Run)).one()
    assert run.status == "interrupted"


def test_crawl_stage_stores_articles_and_second_run_adds_nothing(site, engine, write_config):
    site.add("/feed.xml", rss(publish(site)), etag='"v1"')
    app = deps(engine, write_config, [{"name": "feed", "url": site.url("/feed.xml")}])
    first = run_once(app, NOW, stages=("crawl",))
    second = run_once(app, NOW + timedelta(hours=1), stages=("crawl",))
    assert first.status == second.status == "ok"
    assert first.stage("crawl").summary["articles_new"] == 2
    assert second.stage("crawl").summary["articles_new"] == 0
    assert site.count("/news/0.html") == 1
    with Session(engine) as session:
        assert len(session.exec(select(Article)).all()) == 2
        assert [r.status for r in session.exec(select(Run).order_by(Run.id))] == ["ok", "ok"]


def test_cli_run_exit_zero_with_a_failed_feed_listed(site, tmp_path, write_config):
    site.add("/feed.xml", rss(publish(site)))
    path = write_config({"feeds": [{"name": "good", "url": site.url("/feed.xml")},
                                   {"name": "gone", "url": site.url("/missing.xml")}], "crawl": FAST})
    env = {"MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    done = monitor("run", "--stage", "crawl", "--config", str(path), env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 feed(s) failed" in done.stdout and "gone:" in done.stdout
    assert "crawl" in done.stdout and "ok" in done.stdout


def test_cli_run_bad_config_exits_2(tmp_path, write_config):
    path = write_config({"feeds": [{"name": "bad", "url": "ftp://example.org/feed"}]})
    done = monitor("run", "--config", str(path), env={"MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}"},
                   cwd=tmp_path)
    assert done.returncode == 2
    assert "feeds[0].url" in done.stderr
    assert not (tmp_path / "d.db").exists()


def test_config_error_is_raised_before_any_stage():
    class Broken:
        engine = None
        settings = Settings()

        @property
        def config(self):
            raise ConfigError("feeds.yaml: broken")

    with pytest.raises(ConfigError):
        run_once(Broken(), NOW, stages=("a",), registry={"a": lambda *_: {}})


# --- the weekly refit ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "last", "due"),
    [
        (datetime(2026, 11, 22, 8, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC), True),  # Sunday, fitted Friday
        (datetime(2026, 11, 22, 2, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC), False),  # Sunday, before 03:00
        (datetime(2026, 11, 22, 8, tzinfo=UTC), datetime(2026, 11, 22, 3, 5, tzinfo=UTC), False),  # already done
        (datetime(2026, 11, 24, 8, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC), False),  # fitted since Sunday
        (datetime(2026, 11, 24, 8, tzinfo=UTC), datetime(2026, 11, 21, tzinfo=UTC), True),  # missed Sunday: catch up
    ],
)
def test_refit_due_once_per_week(now, last, due):
    assert refit_due(last, now, "sun", "03:00", ZoneInfo("UTC")) is due


def test_refit_boundary_is_local_time():
    tz = ZoneInfo("Asia/Tokyo")
    # 2026-11-22 16:00 UTC is Monday 01:00 in Tokyo: Monday 00:30 local is Sunday 15:30 UTC.
    boundary = last_refit_boundary(datetime(2026, 11, 22, 16, tzinfo=UTC), "mon", "00:30", tz)
    assert boundary.astimezone(UTC) == datetime(2026, 11, 22, 15, 30, tzinfo=UTC)
    # Monday 00:10 local is before this week's time: the boundary is a week earlier.
    earlier = last_refit_boundary(datetime(2026, 11, 22, 15, 10, tzinfo=UTC), "mon", "00:30", tz)
    assert earlier.astimezone(UTC) == datetime(2026, 11, 15, 15, 30, tzinfo=UTC)


def test_last_fit_reads_back_an_aware_time(engine, write_config):
    from monitor.pipeline import last_fit
    from monitor.store.db import session_scope
    from monitor.store.tables import TopicModelRun

    assert last_fit(engine) is None
    with session_scope(engine) as session:
        for day in (18, 20):
            session.add(TopicModelRun(path=f"p{day}", embedding_model="m", bertopic_version="0",
                                      fitted_at=datetime(2026, 11, day, 3, tzinfo=UTC)))
    assert last_fit(engine) == datetime(2026, 11, 20, 3, tzinfo=UTC)


def test_jsonable_handles_dataclasses_dates_and_unknowns():
    from monitor.records import CrawlSummary

    out = jsonable({"s": CrawlSummary(failures=(("a", "boom"),)), "d": date(2026, 1, 2), "o": object})
    assert out["s"]["failures"] == [["a", "boom"]] and out["d"] == "2026-01-02"
    assert isinstance(out["o"], str)


# --- the whole pipeline, twice ------------------------------------------------------------------


def test_full_run_twice_sends_nothing_twice(site, tmp_path, write_config, engine):
    """The whole `monitor run`, twice, on SQLite and PostgreSQL (``engine`` migrates the database)."""
    from tests.outputs_kit import smtp_server

    url = engine.url.render_as_string(hide_password=False)

    with smtp_server() as (box, port):
        site.add("/feed.xml", rss(publish(site, 4)))
        path = write_config({
            "feeds": [{"name": "feed", "url": site.url("/feed.xml")}], "crawl": FAST,
            "email": {"smtp_host": "127.0.0.1", "smtp_port": port, "to": ["analyst@example.org"]},
            "digest": {"time": "00:00", "send_empty": True},
            "site": {"out": str(tmp_path / "site")},
            "data_dir": str(tmp_path / "data"),
        })
        env = {"MONITOR_DATABASE_URL": url}
        first = monitor("run", "--config", str(path), env=env, cwd=tmp_path, timeout=240)
        sent = len(box.messages)
        second = monitor("run", "--config", str(path), env=env, cwd=tmp_path, timeout=240)
        again = len(box.messages)
    assert first.returncode == 0, first.stdout + first.stderr
    assert second.returncode == 0, second.stdout + second.stderr
    assert sent >= 1
    assert again == sent
    assert [rcpt for _, rcpts, _ in box.messages for rcpt in rcpts] == ["analyst@example.org"] * sent
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM article")).scalar() == 4
        assert conn.execute(sa.text("SELECT count(*) FROM run WHERE status = 'ok'")).scalar() == 2
        assert conn.execute(sa.text("SELECT count(*) FROM delivery WHERE status = 'sent'")).scalar() == sent


def test_cli_run_exits_1_when_a_stage_fails(tmp_path, write_config):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the site should go")
    path = write_config({"feeds": [{"name": "x", "url": "http://127.0.0.1:9/x.xml"}],
                         "site": {"out": str(blocker / "site")}, "data_dir": str(tmp_path / "data")})
    done = monitor("run", "--stage", "site", "--config", str(path),
                   env={"MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}"}, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "site" in done.stdout and "failed" in done.stdout


def test_sigterm_interrupts_a_cli_run_and_marks_it(site, tmp_path, write_config):
    import signal
    import time

    site.add("/slow.xml", rss(publish(site)), delay=20)
    path = write_config({"feeds": [{"name": "slow", "url": site.url("/slow.xml")}],
                         "crawl": {**FAST, "timeouts": {"read": 30, "total": 60}}})
    db = tmp_path / "db.sqlite"
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(path), "run", "--stage", "crawl"],
                            env={**os.environ, "MONITOR_DATABASE_URL": f"sqlite:///{db}"}, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while site.count("/slow.xml") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 130, err
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT status FROM run")).scalars().all() == ["interrupted"]
        assert conn.execute(sa.text("SELECT count(*) FROM article")).scalar() == 0
    engine.dispose()


def test_first_fit_waits_for_enough_articles(engine, write_config):
    app = deps(engine, write_config, [{"name": "x", "url": "http://127.0.0.1:9/x.xml"}])
    result = run_once(app, NOW, stages=("refit",))
    assert result.status == "ok"
    summary = result.stage("refit").summary
    assert summary["due"] is False and "have 0" in summary["reason"]


def test_a_refit_comes_before_the_week_is_out_once_the_corpus_has_grown(engine, write_config):
    """A first fit on the articles of a few days does not serve the week: once the articles stored since
    the last fit number ``topic_model.refit_growth`` of those it read, the refit stage fits again."""
    from monitor.demo.corpus import build_corpus
    from monitor.store.analysis import add_corpus

    app = deps(engine, write_config, [{"name": "x", "url": "http://127.0.0.1:9/x.xml"}],
               topic_model={"refit_growth": 0.25})
    articles = build_corpus(days=8, end=date(2026, 11, 25))  # Wednesday: the weekly refit was on Sunday
    cut = datetime(2026, 11, 23, tzinfo=UTC)
    first, rest = [a for a in articles if a.published < cut], [a for a in articles if a.published >= cut]
    add_corpus(engine, first, "http://127.0.0.1:9", cut)
    fitted = run_once(app, cut, stages=("refit",)).stage("refit").summary
    assert fitted["due"] and fitted["reason"] == "first fit"
    need = -(-fitted["articles"] // 4)
    assert len(rest) >= need, "the corpus's last days must hold a quarter as many articles as the first"
    later = max(a.published for a in rest) + timedelta(hours=1)
    assert not refit_due(cut, later, "sun", "03:00", ZoneInfo(app.config.digest.timezone))
    add_corpus(engine, rest[:need - 1], "http://127.0.0.1:9", later)
    waiting = run_once(app, later, stages=("refit",)).stage("refit").summary
    assert waiting["due"] is False
    add_corpus(engine, rest[need - 1:need], "http://127.0.0.1:9", later)
    grown = run_once(app, later, stages=("refit",)).stage("refit").summary
    assert grown["due"] and grown["reason"] == f"{need} articles since the last fit on {fitted['articles']}"
    assert grown["articles"] == fitted["articles"] + need
    assert run_once(app, later, stages=("refit",)).stage("refit").summary["due"] is False


def test_refused_smtp_fails_the_digest_stage_and_keeps_the_digest(engine, write_config, tmp_path):
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = deps(engine, write_config, [{"name": "f", "url": "http://127.0.0.1:9/feed.xml"}],
               digest={"send_empty": True}, site={"out": str(tmp_path / "site")},
               email={"smtp_host": "127.0.0.1", "smtp_port": port, "to": ["analyst@example.org"]})
    result = run_once(app, NOW, stages=("digest",))
    assert (result.status, result.exit_code) == ("failed", 1)
    digest = result.stages[0]
    assert digest.status == "failed" and "retried on the next run" in (digest.error or "")
    assert digest.summary.get("failed") == 1
    assert list((tmp_path / "site" / "digests").glob("*.html")), "the digest stays on disk"
