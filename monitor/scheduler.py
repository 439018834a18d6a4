"""`monitor schedule`: the long-running daemon.

APScheduler 3 runs four jobs built from feeds.yaml (:func:`job_specs`):

- crawl every ``schedule.crawl_minutes``, with analysis, trends and alerts (and
  the first topic fit, or a weekly refit the refit job missed);
- the digest daily at ``digest.time`` in ``digest.timezone``;
- the site every ``schedule.site_minutes``;
- the topic refit weekly on ``topic_model.refit_weekday`` at ``schedule.refit_time``
  (the same "refit when due" stage, so it never fits twice in a week).

Jobs are stored in the monitor's own database (table ``apscheduler_jobs``), so
a restart keeps each job's next run time, and a digest missed while the machine
slept or the daemon was down runs once on start (``coalesce``; the digest and
refit jobs never expire). Jobs run one at a time in one worker thread, each
through :func:`monitor.pipeline.run_once` under the run lock, so a cron
`monitor run` and the daemon never overlap.

SIGTERM/SIGINT stop the daemon: no new job starts; an in-flight job gets
``schedule.stop_grace_seconds`` to finish, then the process exits and the
database rolls back whatever transaction it had open.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from monitor.config import Config

log = logging.getLogger(__name__)

JOB_FUNC = "monitor.scheduler:run_job"
JOB_STAGES: dict[str, tuple[str, ...]] = {
    "crawl": ("crawl", "analysis", "refit", "trends", "alerts"),
    "digest": ("digest",),
    "site": ("site",),
    "refit": ("refit",),
}

Runner = Callable[[str], Any]


@dataclass(frozen=True)
class JobSpec:
    """One job as feeds.yaml describes it; ``describe`` changes whenever its schedule does.

    A new job with ``start_now`` runs at once (after the jobs before it), so a first
    start crawls, sends the digest if today's is due, and builds the site right away.
    """

    id: str
    describe: str
    trigger: Any
    misfire_grace_time: int | None
    start_now: bool = False


def job_specs(config: Config) -> list[JobSpec]:
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    sched, tz = config.schedule, config.digest.timezone
    grace = sched.misfire_grace_seconds
    hour, minute = (int(x) for x in config.digest.time.split(":"))
    r_hour, r_minute = (int(x) for x in sched.refit_time.split(":"))
    weekday = config.topic_model.refit_weekday
    return [
        JobSpec("crawl", f"crawl every {sched.crawl_minutes} min",
                IntervalTrigger(minutes=sched.crawl_minutes, timezone="UTC"), grace, start_now=True),
        JobSpec("digest", f"digest daily at {config.digest.time} {tz}",
                CronTrigger(hour=hour, minute=minute, timezone=tz), None, start_now=True),
        JobSpec("site", f"site every {sched.site_minutes} min",
                IntervalTrigger(minutes=sched.site_minutes, timezone="UTC"), grace, start_now=True),
        JobSpec("refit", f"refit weekly on {weekday} at {sched.refit_time} {tz}",
                CronTrigger(day_of_week=weekday, hour=r_hour, minute=r_minute, timezone=tz), None),
    ]


# --- what a job does -------------------------------------------------------------------------

_runner: Runner | None = None
_stopping = threading.Event()
_busy = threading.Lock()


def run_job(kind: str) -> None:
    """The stored jobs' function (referenced by name, so the job store holds no objects)."""
    if _stopping.is_set() or _runner is None:
        return
    with _busy:
        if _stopping.is_set():
            return
        try:
            _runner(kind)
        except Exception:
            log.exception("scheduled %s job failed", kind)


def pipeline_runner(app: Any, clock: Callable[[], datetime]) -> Runner:
    """Run a job's stages through the pipeline; another run holding the lock skips the job."""
    from monitor.errors import LockedError
    from monitor.pipeline import run_once

    def run(kind: str) -> None:
        try:
            result = run_once(app, clock(), JOB_STAGES[kind], command=f"schedule:{kind}")
        except LockedError as exc:
            log.info("%s job skipped: %s", kind, exc)
            return
        log.info("%s job %s in %.1fs", kind, result.status, sum(s.seconds for s in result.stages))

    return run


# --- the scheduler ---------------------------------------------------------------------------


def build_scheduler(engine: Engine) -> Any:
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.base import STATE_STOPPED

    class Scheduler(BackgroundScheduler):
        def _process_jobs(self) -> float | None:
            # The background thread wakes once more after shutdown(); without this check it
            # would take due jobs off the store (advancing their next run time) and then
            # fail to submit them, so a digest due at shutdown would be lost.
            if self.state == STATE_STOPPED:
                return None
            return super()._process_jobs()

    return Scheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine)},
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"max_instances": 1, "coalesce": True},
        timezone="UTC",
    )


def sync_jobs(scheduler: Any, specs: list[JobSpec], now: datetime) -> dict[str, str]:
    """Make the stored jobs match ``specs``; an unchanged job keeps its stored next run time.

    Returns what happened to each job id: kept, added, replaced or removed.
    """
    wanted = {spec.id: spec for spec in specs}
    actions: dict[str, str] = {}
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            scheduler.remove_job(job.id)
            actions[job.id] = "removed"
    for spec in specs:
        actions[spec.id] = _sync_job(scheduler, spec, now)
    return actions


def _sync_job(scheduler: Any, spec: JobSpec, now: datetime) -> str:
    job = scheduler.get_job(spec.id)
    if job is not None and job.name == spec.describe and job.func_ref == JOB_FUNC and job.args == (spec.id,):
        if job.misfire_grace_time != spec.misfire_grace_time:
            job.modify(misfire_grace_time=spec.misfire_grace_time)
        return "kept"
    options: dict[str, Any] = {"next_run_time": now} if spec.start_now else {}
    scheduler.add_job(
        JOB_FUNC, spec.trigger, args=(spec.id,), id=spec.id, name=spec.describe, replace_existing=True,
        misfire_grace_time=spec.misfire_grace_time, max_instances=1, coalesce=True, **options,
    )
    return "added" if job is None else "replaced"


@contextmanager
def running(scheduler: Any, specs: list[JobSpec], runner: Runner, now: datetime) -> Iterator[Any]:
    """Start the scheduler with ``runner`` doing the work; on exit stop it without waiting."""
    global _runner
    _runner = runner
    _stopping.clear()
    scheduler.start(paused=True)
    try:
        for job_id, action in sync_jobs(scheduler, specs, now).items():
            log.info("job %s: %s", job_id, action)
        scheduler.resume()
        yield scheduler
    finally:
        _stopping.set()
        scheduler.shutdown(wait=False)


def wait_idle(timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for the in-flight job; True if none is left running."""
    if not _busy.acquire(timeout=max(timeout, 0)):
        return False
    _busy.release()
    return True


# --- the daemon --------------------------------------------------------------------------------


def serve(app: Any, clock: Callable[[], datetime], stop: threading.Event | None = None) -> int:
    """Run until SIGTERM/SIGINT (or ``stop`` is set); returns the exit status."""
    stop = stop or threading.Event()
    _install_signal_handlers(stop)
    config: Config = app.config
    scheduler = build_scheduler(app.engine)
    with running(scheduler, job_specs(config), pipeline_runner(app, clock), clock()):
        for job in scheduler.get_jobs():
            log.info("scheduled %s (next %s)", job.name, job.next_run_time)
        stop.wait()
        log.info("stopping: no new jobs will start")
    if wait_idle(config.schedule.stop_grace_seconds):
        log.info("stopped cleanly")
        return 0
    log.warning("abandoning the in-flight job after %ss; its open transaction is rolled back",
                config.schedule.stop_grace_seconds)
    _abandon()
    return 0  # not reached


def _install_signal_handlers(stop: threading.Event) -> None:
    if threading.current_thread() is not threading.main_thread():
        return

    def handle(signum: int, _frame: Any) -> None:
        log.info("received %s", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def _abandon() -> None:
    """Leave without waiting for the worker thread: the OS closes the database connections."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
