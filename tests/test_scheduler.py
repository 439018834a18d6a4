"""`monitor schedule`: jobs from feeds.yaml, persistence across restarts, catch-up, clean SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from monitor import scheduler as sched
from monitor.config import load_config
from tests.feedkit import Item, page, rss, sample_texts

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # a Friday


def config(write_config, **sections):
    return load_config(write_config({"feeds": [{"name": "x", "url": "http://127.0.0.1:9/x.xml"}], **sections}))


def specs_by_id(cfg):
    return {s.id: s for s in sched.job_specs(cfg)}


# --- triggers, driven by a controllable clock -----------------------------------------------------


def test_digest_fires_daily_at_local_time(write_config):
    cfg = config(write_config, digest={"time": "07:30", "timezone": "Europe/Berlin"})
    trigger = specs_by_id(cfg)["digest"].trigger
    first = trigger.get_next_fire_time(None, NOW)
    assert first.astimezone(UTC) == datetime(2026, 11, 21, 6, 30, tzinfo=UTC)  # 07:30 CET is 06:30 UTC
    summer = trigger.get_next_fire_time(None, datetime(2026, 7, 1, 0, 0, tzinfo=UTC))
    assert summer.astimezone(UTC) == datetime(2026, 7, 1, 5, 30, tzinfo=UTC)  # CEST


def test_refit_fires_weekly_on_the_configured_day(write_config):
    cfg = config(write_config, topic_model={"refit_weekday": "mon"}, schedule={"refit_time": "02:15"})
    trigger = specs_by_id(cfg)["refit"].trigger
    fire = trigger.get_next_fire_time(None, NOW)
    assert (fire.weekday(), fire.hour, fire.minute) == (0, 2, 15)
    assert trigger.get_next_fire_time(fire, fire + timedelta(seconds=1)) - fire == timedelta(days=7)


def test_crawl_and_site_intervals_and_misfire_policy(write_config):
    cfg = config(write_config, schedule={"crawl_minutes": 15, "site_minutes": 90, "misfire_grace_seconds": 600})
    specs = specs_by_id(cfg)
    crawl = specs["crawl"].trigger
    assert crawl.get_next_fire_time(NOW, NOW) == NOW + timedelta(minutes=15)
    assert specs["site"].trigger.get_next_fire_time(NOW, NOW) == NOW + timedelta(minutes=90)
    assert specs["crawl"].misfire_grace_time == specs["site"].misfire_grace_time == 600
    # A missed digest or refit is never dropped: it runs once, however late.
    assert specs["digest"].misfire_grace_time is None and specs["refit"].misfire_grace_time is None
    assert [s.id for s in sched.job_specs(cfg) if s.start_now] == ["crawl", "digest", "site"]


# --- the job store: restarts keep state --------------------------------------------------------------


@pytest.fixture
def calls():
    seen: list[str] = []
    lock = threading.Lock()

    def runner(kind: str) -> None:
        with lock:
            seen.append(kind)

    runner.seen = seen  # type: ignore[attr-defined]
    return runner


def wait_for(predicate, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


def test_restart_keeps_unchanged_jobs_and_replaces_changed_ones(engine, write_config, calls):
    cfg = config(write_config)
    now = datetime.now(UTC)
    with sched.running(sched.build_scheduler(engine), sched.job_specs(cfg), calls, now) as scheduler:
        wait_for(lambda: calls.seen == ["crawl", "digest", "site"])  # a first start runs these at once, in order
        wait_for(lambda: scheduler.get_job("site").next_run_time > datetime.now(UTC))
        digest_next = scheduler.get_job("digest").next_run_time
    with sched.running(sched.build_scheduler(engine), sched.job_specs(cfg), calls, now) as scheduler:
        assert scheduler.get_job("digest").next_run_time == digest_next
    changed = config(write_config, digest={"time": "18:45"})
    scheduler = sched.build_scheduler(engine)
    scheduler.start(paused=True)
    try:
        actions = sched.sync_jobs(scheduler, sched.job_specs(changed), now)
        assert actions == {"crawl": "kept", "digest": "replaced", "site": "kept", "refit": "kept"}
        digest = scheduler.get_job("digest")
        assert digest.next_run_time == now  # a rescheduled digest checks at once whether one is due
        assert digest.trigger.get_next_fire_time(None, now).astimezone(UTC).time() == datetime(1, 1, 1, 18, 45).time()
        assert sched.sync_jobs(scheduler, sched.job_specs(changed)[:1], now)["digest"] == "removed"
    finally:
        scheduler.shutdown(wait=False)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT id FROM apscheduler_jobs")).scalars().all() == ["crawl"]


def test_digest_missed_while_down_runs_once_on_restart(engine, write_config, calls):
    cfg = config(write_config)
    now = datetime.now(UTC)
    scheduler = sched.build_scheduler(engine)
    scheduler.start(paused=True)
    sched.sync_jobs(scheduler, sched.job_specs(cfg), now)
    # The daemon was down for three days: three digests missed.
    scheduler.modify_job("digest", next_run_time=now - timedelta(days=3))
    scheduler.modify_job("crawl", next_run_time=now + timedelta(hours=1))
    scheduler.shutdown(wait=False)
    with sched.running(sched.build_scheduler(engine), sched.job_specs(cfg), calls, now) as running:
        wait_for(lambda: "digest" in calls.seen)
        wait_for(lambda: running.get_job("digest").next_run_time > datetime.now(UTC))
    assert calls.seen.count("digest") == 1
    assert "crawl" not in calls.seen  # kept its stored next run time, an hour away


def test_jobs_do_not_run_after_stop(engine, write_config, calls):
    cfg = config(write_config)
    with sched.running(sched.build_scheduler(engine), sched.job_specs(cfg), calls, datetime.now(UTC)):
        wait_for(lambda: "crawl" in calls.seen)
    before = list(calls.seen)
    sched.run_job("crawl")  # what a queued job does once the daemon is stopping
    assert calls.seen == before
    assert sched.wait_idle(0.1)


# --- the daemon process ------------------------------------------------------------------------------


def _daemon(tmp_path, write_config, site, delay: float, grace: float):
    text = sample_texts()[0]
    site.add("/a.html", page("AI cooperation", text))
    site.add("/feed.xml", rss([Item("AI cooperation", site.url("/a.html"), summary=text[:200])]), delay=delay)
    path = write_config({
        "feeds": [{"name": "slow", "url": site.url("/feed.xml")}],
        "crawl": {"host_delay": 0, "extract_workers": 0, "timeouts": {"read": 30, "total": 60}},
        "schedule": {"stop_grace_seconds": grace},
        "site": {"out": str(tmp_path / "site")}, "data_dir": str(tmp_path / "data"),
    })
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--config", str(path), "schedule"],
        env={**os.environ, "MONITOR_DATABASE_URL": db}, cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
    )
    return proc, db


def _rows(db: str, query: str) -> list[tuple]:
    engine = sa.create_engine(db)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(query))]
    finally:
        engine.dispose()


def _stop(proc, sig=signal.SIGTERM, within: float = 20) -> tuple[str, str]:
    proc.send_signal(sig)
    try:
        return proc.communicate(timeout=within)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError(f"the daemon did not stop within {within} s of the signal") from None


@pytest.mark.slow
def test_sigterm_lets_the_inflight_crawl_finish(site, tmp_path, write_config):
    proc, db = _daemon(tmp_path, write_config, site, delay=1.5, grace=60)
    try:
        wait_for(lambda: site.count("/feed.xml") >= 1, 30)
    finally:
        out, err = _stop(proc, within=90)  # the whole crawl job may finish: on a busy machine that takes a while
    assert proc.returncode == 0, err
    assert "stopped cleanly" in err
    (status, stages), = _rows(db, "SELECT status, stages FROM run")
    assert status != "running" and json.loads(stages)["crawl"]["status"] == "ok"  # finished and recorded
    assert _rows(db, "SELECT count(*) FROM article") == [(1,)]
    assert _rows(db, "SELECT count(*) FROM article a WHERE NOT EXISTS "
                     "(SELECT 1 FROM article_source s WHERE s.article_id = a.id)") == [(0,)]


@pytest.mark.slow
def test_sigint_abandons_a_hung_crawl_without_half_written_rows(site, tmp_path, write_config):
    proc, db = _daemon(tmp_path, write_config, site, delay=30, grace=0.5)
    try:
        wait_for(lambda: site.count("/feed.xml") >= 1, 30)
    finally:
        out, err = _stop(proc, signal.SIGINT)
    assert proc.returncode == 0, err
    assert "abandoning the in-flight job" in err
    assert _rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert _rows(db, "SELECT count(*) FROM article") == [(0,)]
    assert _rows(db, "SELECT status FROM run") == [("running",)]  # `monitor status` reports it interrupted
    assert _rows(db, "SELECT id FROM apscheduler_jobs ORDER BY id") == [("crawl",), ("digest",), ("refit",), ("site",)]
