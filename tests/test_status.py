"""`monitor status`: last run and stage timings, failing feeds, articles today, pending alerts, --check."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

from monitor.cli.ops import collect_status, health_problem
from monitor.config import load_config
from monitor.pipeline import StageResult, finish_run, start_run
from monitor.store.db import session_scope
from monitor.store.tables import Alert, Article, Delivery, Feed, Run

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def config(write_config, **sections):
    return load_config(write_config({"feeds": [{"name": "x", "url": "http://127.0.0.1:9/x.xml"}], **sections}))


def record_run(engine, started: datetime, status: str = "ok") -> int:
    run_id = start_run(engine, "run", started)
    stage = StageResult("crawl", status, 1.5, {"articles_new": 3}, None if status == "ok" else "RuntimeError: x")
    finish_run(engine, run_id, status, [stage], started + timedelta(seconds=2))
    return run_id


def test_no_run_yet_is_unhealthy(engine, write_config):
    report = collect_status(engine, config(write_config), NOW)
    assert report["last_run"] is None
    assert health_problem(report, NOW, HOUR) == "no run recorded yet"


def test_recent_ok_run_is_healthy_and_stale_or_failed_is_not(engine, write_config):
    cfg = config(write_config)
    record_run(engine, NOW - timedelta(minutes=10))
    report = collect_status(engine, cfg, NOW)
    assert report["last_run"]["stages"]["crawl"] == {"status": "ok", "seconds": 1.5, "error": None}
    assert health_problem(report, NOW, HOUR) is None
    assert "stale" in health_problem(report, NOW + 2 * HOUR, HOUR)
    failed = record_run(engine, NOW - timedelta(minutes=5), status="failed")
    assert health_problem(collect_status(engine, cfg, NOW), NOW, HOUR) == f"last run {failed} failed"


def test_a_run_whose_process_is_gone_reads_as_interrupted(engine, write_config):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with session_scope(engine) as session:
        session.add(Run(command="run", started_at=NOW, status="running", host=socket.gethostname(), pid=dead.pid))
    report = collect_status(engine, config(write_config), NOW)
    assert report["last_run"]["status"] == "interrupted"
    assert "interrupted" in health_problem(report, NOW, HOUR)


def test_failing_feeds_articles_today_and_pending_alerts(engine, write_config):
    cfg = config(write_config, email={"to": ["a@example.org"]}, digest={"timezone": "America/New_York"})
    with session_scope(engine) as session:
        session.add(Feed(name="ok", url="http://127.0.0.1:9/ok.xml", consecutive_failures=0))
        session.add(Feed(name="down", url="http://127.0.0.1:9/d.xml", consecutive_failures=4, last_error="HTTP 503"))
        # failed in a cycle where every feed failed (this machine offline): not counted, still failing
        session.add(Feed(name="offline", url="http://127.0.0.1:9/o.xml", consecutive_failures=0,
                         last_outcome="error", last_error="network unreachable"))
        # 04:00 New York is local midnight on 2026-11-20 (EST): one article after, one before.
        for i, fetched in enumerate((datetime(2026, 11, 20, 5, tzinfo=UTC), datetime(2026, 11, 20, 4, 59, tzinfo=UTC))):
            session.add(Article(canonical_url=f"http://e/{i}", url=f"http://e/{i}", title="t", fetched_at=fetched,
                                content_hash=str(i), status="extracted"))
        alerts = [Alert(dedup_key=f"k{i}", kind="spike", subject_kind="topic", subject="s", title="t",
                        day=date(2026, 11, 20), reason="r", created_at=NOW - HOUR) for i in range(4)]
        session.add_all(alerts)
        session.flush()
        session.add(Delivery(item_kind="alert", item_key=str(alerts[0].id), channel="email", recipient="a@example.org",
                             status="sent", updated_at=NOW))
        session.add(Delivery(item_kind="alert", item_key=str(alerts[1].id), channel="email", recipient="a@example.org",
                             status="failed", updated_at=NOW))
        session.add(Delivery(item_kind="alert", item_key=str(alerts[3].id), channel="email", recipient="a@example.org",
                             status="limited", updated_at=NOW))
    report = collect_status(engine, cfg, NOW)
    assert [f["name"] for f in report["feeds_failing"]] == ["down", "offline"]
    assert report["feeds_failing"][0]["error"] == "HTTP 503"
    assert report["articles_today"] == 1
    assert report["articles_awaiting_analysis"] == 2  # stored, never analysed
    assert report["alerts_pending"] == 2
    assert collect_status(engine, config(write_config), NOW)["alerts_pending"] == 0  # no channel configured


def test_cli_status_check_and_json(tmp_path, write_config):
    path = write_config({"feeds": [{"name": "x", "url": "http://127.0.0.1:9/x.xml"}]})
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    env = {**os.environ, "MONITOR_DATABASE_URL": url}

    def status(*args):
        return subprocess.run([sys.executable, "-m", "monitor", "--config", str(path), "status", *args], env=env,
                              cwd=tmp_path, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)

    empty = status("--check")
    assert empty.returncode == 1 and "health: no run recorded yet" in empty.stdout
    from monitor.store.db import make_engine

    engine = make_engine(url)
    record_run(engine, datetime.now(UTC) - timedelta(minutes=1))
    engine.dispose()
    healthy = status("--check", "--json")
    assert healthy.returncode == 0, healthy.stderr
    report = json.loads(healthy.stdout)
    assert report["healthy"] and report["last_run"]["command"] == "run"
    text = status()
    assert "crawl" in text.stdout and "health: ok" in text.stdout


def test_runs_that_collect_nothing_are_not_healthy(engine, write_config):
    """Every run finishes "ok" while the machine is offline, but nothing is collected: --check must fail."""
    cfg = config(write_config)
    record_run(engine, NOW - timedelta(minutes=10))
    with session_scope(engine) as session:
        session.add(Feed(name="x", url="http://127.0.0.1:9/x.xml", consecutive_failures=9,
                         last_success_at=NOW - timedelta(hours=30)))
    day = timedelta(hours=24)
    report = collect_status(engine, cfg, NOW)
    assert health_problem(report, NOW, HOUR) is None  # the run alone looks fine
    assert health_problem(report, NOW, HOUR, day) == "no feed fetched successfully for 1800 min"
    with session_scope(engine) as session:
        session.add(Feed(name="y", url="http://127.0.0.1:9/y.xml", last_success_at=NOW - HOUR))
    assert health_problem(collect_status(engine, cfg, NOW), NOW, HOUR, day) is None


def test_feeds_never_fetched_successfully_are_not_healthy(engine, write_config):
    record_run(engine, NOW - timedelta(minutes=10))
    with session_scope(engine) as session:
        session.add(Feed(name="x", url="http://127.0.0.1:9/x.xml", consecutive_failures=3))
    report = collect_status(engine, config(write_config), NOW)
    assert health_problem(report, NOW, HOUR, timedelta(hours=24)) == "no feed has been fetched successfully yet"
