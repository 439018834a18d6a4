"""Operations commands: run (cron), schedule (daemon), status, demo."""

from __future__ import annotations

import json
import signal
import socket
import sys
import threading
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import click

from monitor import clock

from monitor.cli.context import App, pass_app, with_config, with_logging
from monitor.process import pid_alive
from monitor.pipeline import RUN_STAGES
from monitor.words import plural



def _sigterm_interrupts() -> None:
    """SIGTERM (systemd stop, timeout) unwinds like Ctrl-C: open transactions roll back."""
    if threading.current_thread() is not threading.main_thread():
        return

    def handle(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handle)


# --- run -------------------------------------------------------------------------------------


@click.command("run")
@click.option("--stage", "only", multiple=True, type=click.Choice(RUN_STAGES),
              help="Run only these stages (repeatable; default: all, in order).")
@click.option("--json", "as_json", is_flag=True, help="Print the run's result as JSON.")
@with_config
@pass_app
def run_cmd(app: App, only: tuple[str, ...], as_json: bool) -> None:
    """One pass for cron: crawl, topics, trends and alerts, the digest when due, the site.

    Exit status: 0 success (failed feeds are listed, not fatal), 1 a stage failed,
    2 bad configuration. If another run holds the lock, prints so and exits 0 at once.
    """
    from monitor.errors import LockedError
    from monitor.pipeline import run_once

    _sigterm_interrupts()
    try:
        result = run_once(app, clock.now(), stages=[s for s in RUN_STAGES if not only or s in only])
    except LockedError as exc:
        click.echo(str(exc))
        return
    if as_json:
        click.echo(json.dumps(_result_json(result), indent=2))
    else:
        _print_result(result)
    if result.exit_code:
        sys.exit(result.exit_code)


def _result_json(result: Any) -> dict[str, Any]:
    import dataclasses

    from monitor.pipeline import jsonable

    return jsonable({"run_id": result.run_id, "status": result.status,
                     "stages": [dataclasses.asdict(s) for s in result.stages]})


def _print_result(result: Any) -> None:
    for stage in result.stages:
        click.echo(f"{stage.name:<9} {stage.status:<7} {stage.seconds:7.1f}s  {stage.error or _brief(stage.summary)}")
    crawl = result.stage("crawl")
    failures = (crawl.summary.get("failures") or []) if crawl else []
    if failures:
        click.echo(f"{len(failures)} feed(s) failed:")
        for name, error in failures[:20]:
            click.echo(f"  {name}: {error}")
    click.echo(f"run {result.run_id}: {result.status}")


def _brief(summary: dict[str, Any], limit: int = 6) -> str:
    """The first few numeric and yes/no facts of a stage summary."""
    facts = [f"{k}={v}" for k, v in summary.items() if isinstance(v, int | float | bool) and k != "seconds"]
    return " ".join(facts[:limit])


# --- schedule --------------------------------------------------------------------------------


@click.command("schedule")
@with_config
@pass_app
def schedule_cmd(app: App) -> None:
    """Run as a daemon: crawl, digest, site and refit jobs from feeds.yaml until SIGTERM/SIGINT."""
    from monitor.scheduler import serve

    app.config  # noqa: B018 (a bad configuration exits 2 before anything starts)
    sys.exit(serve(app, clock.now))


# --- status ----------------------------------------------------------------------------------

DEFAULT_SILENCE_MINUTES = 24 * 60


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.option("--check", is_flag=True,
              help="Exit 1 unless the last run succeeded and is recent (for health checks).")
@click.option("--max-age", type=click.IntRange(min=1), default=None,
              help="With --check: minutes after which the last run is stale (default: 3 x crawl_minutes).")
@click.option("--max-silence", type=click.IntRange(min=1), default=DEFAULT_SILENCE_MINUTES, show_default=True,
              help="With --check: minutes without any feed fetched successfully after which the monitor is "
                   "unhealthy (runs that collect nothing are not healthy).")
@with_config
@pass_app
def status_cmd(app: App, as_json: bool, check: bool, max_age: int | None, max_silence: int) -> None:
    """Last run and its stage timings, failing feeds, articles fetched today (and any awaiting analysis),
    alerts pending."""
    now = clock.now()
    report = collect_status(app.engine, app.config, now)
    limit = timedelta(minutes=max_age or 3 * app.config.schedule.crawl_minutes)
    problem = health_problem(report, now, limit, timedelta(minutes=max_silence))
    report["healthy"], report["problem"] = problem is None, problem
    click.echo(json.dumps(report, indent=2, default=str) if as_json else _format_status(report))
    if check and problem is not None:
        sys.exit(1)


def collect_status(engine: Any, config: Any, now: datetime) -> dict[str, Any]:
    from monitor.store import status as q

    midnight = _local_midnight(now, ZoneInfo(config.digest.timezone))
    channels = (config.alerts.email and config.email.to) or config.alerts.webhook_url
    with engine.connect() as conn:
        return {
            "now": now.isoformat(timespec="seconds"),
            "last_run": _run_dict(q.last_run(conn)),
            "feeds_total": q.count_feeds(conn),
            "feeds_failing": [_feed_dict(f) for f in q.failing_feeds(conn)],
            "feeds_last_success": _iso(q.last_success(conn)),
            "articles_today": q.articles_since(conn, midnight),
            "articles_awaiting_analysis": q.awaiting_analysis(conn),  # stored, not yet in a story
            # recent alerts not yet delivered (or deliberately held back); 0 with no channel
            "alerts_pending": q.undelivered_alerts(conn, now - timedelta(days=2)) if channels else 0,
            "last_digest": _digest_dict(q.last_digest(conn)),
        }


def health_problem(report: dict[str, Any], now: datetime, max_age: timedelta,
                   max_silence: timedelta | None = None) -> str | None:
    """Why the monitor looks unhealthy, or None: no run, a failed or stale last run, or (with
    ``max_silence``) feeds configured but none fetched successfully for that long."""
    run = report["last_run"]
    if run is None:
        return "no run recorded yet"
    if run["status"] in ("failed", "interrupted"):
        return f"last run {run['id']} {run['status']}"
    when = datetime.fromisoformat(run["finished_at"] or run["started_at"])
    if now - when > max_age:
        return f"last run {run['id']} is stale: {int((now - when).total_seconds() // 60)} min old"
    return _silence(report, now, max_silence) if max_silence else None


def _silence(report: dict[str, Any], now: datetime, max_silence: timedelta) -> str | None:
    if not report["feeds_total"]:
        return None
    last = report.get("feeds_last_success")
    if last is None:
        return "no feed has been fetched successfully yet"
    quiet = now - datetime.fromisoformat(last)
    if quiet > max_silence:
        return f"no feed fetched successfully for {int(quiet.total_seconds() // 60)} min"
    return None


def _local_midnight(now: datetime, tz: ZoneInfo) -> datetime:
    local = now.astimezone(tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _run_dict(run: dict[str, Any] | None) -> dict[str, Any] | None:
    if run is None:
        return None
    status = run["status"]
    if status == "running" and run["host"] == socket.gethostname() and run["pid"] and not pid_alive(run["pid"]):
        status = "interrupted"
    return {"id": run["id"], "command": run["command"], "status": status, "host": run["host"], "pid": run["pid"],
            "started_at": _iso(run["started_at"]), "finished_at": _iso(run["finished_at"]),
            "stages": run["stages"] or {}}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _failures(count: int) -> str:
    if count == 0:
        return "failed when every feed did (not counted against it)"
    return f"{plural(count, 'failure')} in a row"


def _feed_dict(feed: dict[str, Any]) -> dict[str, Any]:
    return {"name": feed["name"], "failures": feed["consecutive_failures"], "error": feed["last_error"],
            "last_success_at": _iso(feed["last_success_at"])}


def _digest_dict(digest: dict[str, Any] | None) -> dict[str, Any] | None:
    if digest is None:
        return None
    return {"day": digest["day"].isoformat(), "articles": digest["articles"], "html_path": digest["html_path"]}


def _format_status(report: dict[str, Any]) -> str:
    lines = []
    run = report["last_run"]
    if run is None:
        lines.append("last run: none")
    else:
        ended = f", finished {run['finished_at']}" if run["finished_at"] else ""
        lines.append(f"last run: #{run['id']} {run['command']} {run['status']} "
                     f"(started {run['started_at']}{ended} on {run['host']})")
        for name, stage in run["stages"].items():
            error = f"  {stage.get('error')}" if stage.get("error") else ""
            lines.append(f"  {name:<9} {stage.get('status', '?'):<7} {stage.get('seconds', 0):7.1f}s{error}")
    failing = report["feeds_failing"]
    lines.append(f"feeds: {report['feeds_total']} configured in the database, {len(failing)} failing")
    lines.extend(f"  {f['name']}: {_failures(f['failures'])}, last error: {f['error']}" for f in failing[:20])
    lines.append(f"articles fetched today: {report['articles_today']}")
    if report["articles_awaiting_analysis"]:
        lines.append(f"articles awaiting analysis: {report['articles_awaiting_analysis']} (the next `monitor run`, "
                     "crawl or `monitor topics update` places them)")
    lines.append(f"alerts pending: {report['alerts_pending']}")
    digest = report["last_digest"]
    lines.append(f"last digest: {digest['day']} ({digest['articles']} articles)" if digest else "last digest: none")
    lines.append("health: ok" if report["healthy"] else f"health: {report['problem']}")
    return "\n".join(lines)


# --- demo ------------------------------------------------------------------------------------


@click.command("demo")
@click.option("--out", "-o", "out", type=click.Path(file_okay=False), default="demo", show_default=True,
              help="Directory for the demo's feeds.yaml, database, digest and site.")
@with_logging
@pass_app
def demo_cmd(app: App, out: str) -> None:
    """See it work offline: serve a bundled sample corpus on 127.0.0.1 and run the whole pipeline."""
    from pathlib import Path

    from monitor.demo.run import run_demo

    outcome = run_demo(Path(out), clock.now())
    for line in outcome.lines():
        click.echo(line)
    sys.stdout.flush()
    if outcome.exit_code:
        sys.exit(outcome.exit_code)


def register(cli: click.Group) -> None:
    for command in (run_cmd, schedule_cmd, status_cmd, demo_cmd):
        cli.add_command(command)
