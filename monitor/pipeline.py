"""One pass of the whole monitor, for cron: crawl -> analysis -> trends/alerts -> digest -> site.

:func:`run_once` runs the stages in order under the run lock, records a
:func:`~monitor.store.runs.start_run` row with each stage's status, timing and
summary, and returns a :class:`RunResult`. A failing stage is logged and
recorded; the stages after it still run (each reads what is in the database),
and the run's exit status becomes 1. Every stage is idempotent, so running the
pipeline twice in a row does no duplicate work and sends nothing twice.

Stages are plain functions ``(deps, now) -> dict`` resolved by name, so the
scheduler can run any subset and callers can supply their own.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from monitor.errors import NothingCollected

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from monitor.config import Config
    from monitor.settings import Settings

log = logging.getLogger(__name__)

RUN_STAGES = ("crawl", "analysis", "refit", "trends", "alerts", "digest", "site")
DELIVERY_STAGES = ("alerts", "digest")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Deps(Protocol):
    """What the pipeline needs: the CLI's App satisfies it, and so does :class:`Plain`."""

    @property
    def engine(self) -> Engine: ...

    @property
    def config(self) -> Config: ...

    @property
    def settings(self) -> Settings: ...


@dataclass(frozen=True)
class Plain:
    engine: Engine
    config: Config
    settings: Settings


Stage = Callable[[Deps, datetime], Mapping[str, Any]]


@dataclass(frozen=True)
class StageResult:
    name: str
    status: str  # ok | failed
    seconds: float
    summary: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True)
class RunResult:
    run_id: int | None
    status: str  # ok | failed | interrupted
    started_at: datetime
    stages: tuple[StageResult, ...] = ()

    @property
    def exit_code(self) -> int:
        return 0 if self.status == "ok" else 1

    @property
    def failed(self) -> tuple[StageResult, ...]:
        return tuple(s for s in self.stages if s.status != "ok")

    def stage(self, name: str) -> StageResult | None:
        return next((s for s in self.stages if s.name == name), None)


# --- the stages ------------------------------------------------------------------------


def crawl_stage(deps: Deps, now: datetime) -> Mapping[str, Any]:
    crawl = deps.config.crawl
    if crawl.extract_workers > 0 and feeds_due(deps.engine, [f.name for f in deps.config.feeds], now):
        from monitor.extract.worker import start_server

        start_server()  # before importing the crawl stack, so that the two overlap
    from monitor.ingest.crawl import nothing_collected, run_crawl

    summary = run_crawl(deps.engine, deps.config, deps.settings, now=now)
    if summary.all_failed:
        raise nothing_collected(summary)
    return summary  # type: ignore[return-value]


def analysis_stage(deps: Deps, now: datetime) -> Mapping[str, Any]:
    from monitor.topics.service import process_new

    return process_new(deps.engine, deps.config, now)


def refit_stage(deps: Deps, now: datetime) -> Mapping[str, Any]:
    """Fit the first topic model once enough articles are stored; refit once a week after that, and
    earlier once the corpus has grown by ``topic_model.refit_growth`` of what the last fit read.

    The weekly refit is due from ``topic_model.refit_weekday`` at ``schedule.refit_time``
    (in the digest's time zone); a run after that time catches up a missed refit.
    """
    from monitor.topics.model import MIN_DOCS

    last, cfg = last_fit(deps.engine), deps.config.topic_model
    tz = ZoneInfo(deps.config.digest.timezone)
    reason = "first fit"
    if last is None:
        stored = articles_with_text(deps.engine)
        if stored < MIN_DOCS:
            return {"due": False, "reason": f"first fit waits for {MIN_DOCS} articles with text, have {stored}"}
    elif refit_due(last, now, cfg.refit_weekday, deps.config.schedule.refit_time, tz):
        reason = "weekly refit"
    elif (grown := grown_since(deps.engine, last, cfg.refit_growth)) is not None:
        reason = grown
    else:
        return {"due": False, "last_fit": last.isoformat()}
    from monitor.topics.service import fit

    log.info("topic fit: %s", reason)
    return {"due": True, "reason": reason, **fit(deps.engine, deps.config, now)}


def grown_since(engine: Engine, last: datetime, growth: float | None) -> str | None:
    """Why the corpus calls for a refit before the week is out: the articles stored since the last fit
    number at least ``growth`` of those it was fitted on (None: not yet, or ``growth`` is None)."""
    if growth is None:
        return None
    from monitor.store import runs

    fitted, new = runs.current_fit_size(engine), runs.articles_with_text(engine, since=last)
    return f"{new} articles since the last fit on {fitted}" if fitted and new >= growth * fitted else None


def trends_stage(deps: Deps, now: datetime) -> Mapping[str, Any]:
    from monitor.trends.service import refresh

    return refresh(deps.engine, deps.config, now)


def alerts_stage(deps: Deps, now: datetime) -> Mapping[str, Any]:
    from monitor.deliver.alerts import send_pending

    return send_pending(deps.engine, deps.config, deps.settings, now)


def digest_stage(deps: Deps, now: datetime) -> Mapping[str, Any]:
    from monitor.deliver.digests import run_due

    return run_due(deps.engine, deps.config, deps.settings, now, send=True)


def site_stage(deps: Deps, now: datetime) -> Mapping[str, Any]:
    from monitor.deliver.site import build_site

    return build_site(deps.engine, deps.config, now)


STAGES: dict[str, Stage] = {
    "crawl": crawl_stage,
    "analysis": analysis_stage,
    "refit": refit_stage,
    "trends": trends_stage,
    "alerts": alerts_stage,
    "digest": digest_stage,
    "site": site_stage,
}


# --- when the weekly refit is due (pure) -------------------------------------------------


def last_refit_boundary(now: datetime, weekday: str, at: str, tz: ZoneInfo) -> datetime:
    """The most recent ``weekday`` at local time ``at`` ("HH:MM") that is not after ``now``."""
    local = now.astimezone(tz)
    hour, minute = (int(x) for x in at.split(":"))
    back = (local.weekday() - WEEKDAYS.index(weekday)) % 7
    day: date = local.date() - timedelta(days=back)
    boundary = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    return boundary if boundary <= now else boundary - timedelta(days=7)


def refit_due(last: datetime, now: datetime, weekday: str, at: str, tz: ZoneInfo) -> bool:
    """Due when the current model was fitted before this week's refit time."""
    return last < last_refit_boundary(now, weekday, at, tz)


def articles_with_text(engine: Engine) -> int:
    from monitor.store import runs

    return runs.articles_with_text(engine)


def feeds_due(engine: Engine, names: list[str], now: datetime) -> bool:
    from monitor.store import runs

    return runs.feeds_due(engine, names, now)


def last_fit(engine: Engine) -> datetime | None:
    from monitor.store import runs

    return runs.last_fit(engine)


# --- running them --------------------------------------------------------------------------


def run_once(
    app: Deps,
    now: datetime,
    stages: Sequence[str] = RUN_STAGES,
    command: str = "run",
    registry: Mapping[str, Stage] | None = None,
    lock: bool = True,
) -> RunResult:
    """Run ``stages`` in order under the run lock and record the run.

    Raises LockedError (exit 0) if another run holds the lock, ConfigError (exit
    2) for a bad configuration; a failing stage makes the result's exit code 1.
    """
    registry = STAGES if registry is None else registry
    unknown = [s for s in stages if s not in registry]
    if unknown:
        raise ValueError(f"unknown stage(s): {', '.join(unknown)}")
    app.config  # noqa: B018 (a bad configuration fails here, before any work: exit 2)
    engine = app.engine
    with _maybe_lock(engine, now, lock):
        return _run_recorded(app, engine, now, stages, command, registry)


@contextmanager
def _maybe_lock(engine: Engine, now: datetime, lock: bool) -> Iterator[None]:
    if not lock:
        yield
        return
    from monitor.lock import run_lock

    with run_lock(engine, now) as where:
        log.debug("holding the run lock: %s", where)
        yield


def _run_recorded(
    app: Deps, engine: Engine, now: datetime, stages: Sequence[str], command: str, registry: Mapping[str, Stage]
) -> RunResult:
    run_id = start_run(engine, command, now)
    started = time.perf_counter()
    results: list[StageResult] = []
    try:
        for name in stages:
            results.append(run_stage(name, registry[name], app, now))
    except BaseException:
        _finish_quietly(engine, run_id, "interrupted", results, now + _since(started))
        raise
    status = "ok" if all(r.status == "ok" for r in results) else "failed"
    finish_run(engine, run_id, status, results, now + _since(started))
    return RunResult(run_id, status, now, tuple(results))


def run_stage(name: str, stage: Stage, app: Deps, now: datetime) -> StageResult:
    """Run one stage; an exception becomes a failed result, logged with its traceback."""
    log.info("stage %s: starting", name)
    started = time.perf_counter()
    try:
        summary = jsonable(stage(app, now))
    except NothingCollected as exc:  # a condition to report, not a bug: one line, no traceback
        seconds = round(time.perf_counter() - started, 3)
        log.error("stage %s failed after %.1fs: %s", name, seconds, exc)
        return StageResult(name, "failed", seconds, jsonable(exc.summary) or {}, str(exc))
    except Exception as exc:  # a stage failure must not stop the stages after it
        seconds = round(time.perf_counter() - started, 3)
        log.exception("stage %s failed after %.1fs: %s", name, seconds, exc)
        return StageResult(name, "failed", seconds, {}, f"{type(exc).__name__}: {exc}")
    seconds = round(time.perf_counter() - started, 3)
    summary = summary if isinstance(summary, dict) else {"result": summary}
    undelivered = summary.get("failed") if name in DELIVERY_STAGES else 0
    if undelivered:
        # The output stays on disk and is retried next run, but cron must hear about it (exit 1).
        error = f"{undelivered} deliveries failed; they are retried on the next run"
        log.error("stage %s: %s", name, error)
        return StageResult(name, "failed", seconds, summary, error)
    log.info("stage %s: done in %.1fs", name, seconds, extra={"data": {"stage": name, "seconds": seconds}})
    return StageResult(name, "ok", seconds, summary)


def jsonable(value: Any) -> Any:
    """Summaries go into a JSON column: dataclasses, dates, tuples and sets become plain JSON."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


# --- the Run row ------------------------------------------------------------------------------


def start_run(engine: Engine, command: str, now: datetime) -> int:
    from monitor.store import runs

    return runs.start_run(engine, command, now, socket.gethostname(), os.getpid())


def _since(started: float) -> timedelta:
    return timedelta(seconds=round(time.perf_counter() - started, 3))


def finish_run(
    engine: Engine, run_id: int, status: str, results: Sequence[StageResult], finished: datetime
) -> None:
    """Record the outcome; ``finished`` is the run's ``now`` plus its measured duration."""
    from monitor.store import runs

    stages = {r.name: {"status": r.status, "seconds": r.seconds, "error": r.error} for r in results}
    runs.finish_run(engine, run_id, status, finished, stages, {r.name: r.summary for r in results})


def _finish_quietly(
    engine: Engine, run_id: int, status: str, results: Sequence[StageResult], finished: datetime
) -> None:
    try:
        finish_run(engine, run_id, status, results, finished)
    except Exception as exc:  # the database may be what failed; the original error matters more
        log.warning("could not record the end of run %s: %s", run_id, exc)
