"""Analysis commands: topics fit|update|list|show, stories, trends, alerts."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

import click

from monitor import clock

from monitor.cli.context import App, pass_app, with_config
from monitor.cli.params import echo_json, parse_since, since_option
from monitor.errors import MonitorError
from monitor.words import plural


def _echo_summary(title: str, summary: dict[str, Any], err: bool = False) -> None:
    click.echo(f"{title}: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in summary.items()), err=err)


JSON_OPTION = click.option("--json", "as_json", is_flag=True,
                           help="Print a JSON array (an empty one when there is nothing) instead of lines.")


@click.group("topics")
@with_config
def topics_group() -> None:
    """Topic model: fit, assign new articles, inspect topics."""


@topics_group.command("fit")
@with_config
@pass_app
def topics_fit(app: App) -> None:
    """Fit the topic model on stored articles (topic ids stay stable across refits)."""
    from monitor.topics.service import fit

    _echo_summary("fitted", fit(app.engine, app.config, clock.now()))


@topics_group.command("update")
@with_config
@pass_app
def topics_update(app: App) -> None:
    """Embed new articles, assign them to topics and stories."""
    from monitor.topics.service import process_new

    _echo_summary("updated", process_new(app.engine, app.config, clock.now()))


@topics_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include topics no longer in the current model.")
@JSON_OPTION
@with_config
@pass_app
def topics_list(app: App, show_all: bool, as_json: bool) -> None:
    """Topics with their ids, sizes and keywords."""
    from monitor.store.analysis import list_topics

    topics = list_topics(app.engine, active_only=not show_all)
    if as_json:
        echo_json([_topic_record(t) for t in topics])
        return
    if not topics:
        click.echo("no topics yet: run `monitor topics fit`")
        return
    click.echo(f"{'id':>4}  {'articles':>8}  {'kind':<10} name / keywords")
    for t in topics:
        kind = "analyst" if t.seeded else "discovered"
        keywords = ", ".join((t.keywords or [])[:6])
        click.echo(f"{t.id:>4}  {t.size:>8}  {kind:<10} {t.name}" + (f"  [{keywords}]" if keywords else ""))


@topics_group.command("show")
@click.argument("topic_id", type=int)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1), help="Recent articles to list.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of lines.")
@with_config
@pass_app
def topics_show(app: App, topic_id: int, limit: int, as_json: bool) -> None:
    """One topic: description, keywords, daily counts and recent articles."""
    from monitor.store.analysis import get_topic, topic_articles
    from monitor.store.trends import daily_series
    from monitor.store.shared import article_time_of

    topic = get_topic(app.engine, topic_id)
    if topic is None:
        raise MonitorError(f"no topic with id {topic_id}: see `monitor topics list`")
    since = clock.now().date() - timedelta(days=13)
    series = daily_series(app.engine, "topic", since).get(str(topic.id), {})
    days = [since + timedelta(days=i) for i in range(14)]
    recent = [(article_time_of(a.published_at, a.fetched_at), a) for a in topic_articles(app.engine, topic.id, limit)]
    if as_json:
        echo_json({**_topic_record(topic), "daily": [{"day": d, "articles": series.get(d, 0)} for d in days],
                   "recent": [{"time": when, "title": a.title, "url": a.url} for when, a in recent]})
        return
    click.echo(f"{topic.id}: {topic.name}" + ("" if topic.active else " (inactive)"))
    if topic.description:
        click.echo(f"  {topic.description}")
    click.echo(f"  keywords: {', '.join(topic.keywords or []) or '-'}")
    click.echo(f"  articles in last fit: {topic.size}")
    click.echo(f"  daily articles, {days[0]:%d %b} to {days[-1]:%d %b} (UTC days): "
               + " ".join(str(series.get(d, 0)) for d in days))
    for when, article in recent:
        click.echo(f"  {when:%Y-%m-%d}  {article.title}  <{article.url}>")


def _topic_record(topic: Any) -> dict[str, Any]:
    """A topic as ``--json`` prints it."""
    return {"id": topic.id, "name": topic.name, "kind": "analyst" if topic.seeded else "discovered",
            "active": topic.active, "articles": topic.size, "description": topic.description or None,
            "keywords": list(topic.keywords or [])}


@topics_group.command("explain")
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of lines.")
@with_config
@pass_app
def topics_explain(app: App, url: str, as_json: bool) -> None:
    """Why a stored article is in or out of each analyst topic: its similarity, the keywords and required
    terms it names, and the rule that decides, as the current model reads them."""
    from monitor.topics.explain import explain

    found = explain(app.engine, app.config, url)
    if as_json:
        echo_json(asdict(found))
        return
    click.echo(f"{found.title}  <{found.url}>")
    click.echo(f"  read under: {found.placed}")
    if not found.readings:
        click.echo("  no analyst topics in the current model")
        return
    low = found.floor - found.two
    click.echo(f"  analyst topics, how alike it is to each one's description (evidence from {found.floor:.2f} with a "
               f"keyword, {low:.2f} with two, {found.floor + found.strong:.2f} without; support from {low:.2f} or "
               "with a keyword):")
    width = max(len(r.topic) for r in found.readings)
    for r in found.readings:
        terms = f"keywords named: {', '.join(r.keywords) or '-'}"
        if r.required is not None:
            terms += f"; required terms named: {', '.join(r.required) or '-'}"
        click.echo(f"  {r.topic:<{width}}  {r.similarity:5.2f}  {terms}\n  {'':<{width}}         -> {r.verdict}")


@click.command("stories")
@since_option("stories seen", "3d")
@click.option("--min-size", default=2, show_default=True, type=click.IntRange(1),
              help="Only stories with at least this many articles.")
@click.option("--limit", default=30, show_default=True, type=click.IntRange(1),
              help="Show at most this many stories.")
@JSON_OPTION
@with_config
@pass_app
def stories_cmd(app: App, since: str | None, min_size: int, limit: int, as_json: bool) -> None:
    """Same-event stories, those reported by most outlets first."""
    from monitor.store.analysis import list_stories

    start = parse_since(since, clock.now(), timedelta(days=3))
    stories = list_stories(app.engine, start, min_size, limit)
    if as_json:
        echo_json([{"id": s.id, "title": s.title, "articles": s.size, "outlets": s.outlets, "topic_id": s.topic_id,
                     "first_seen_at": s.first_seen_at, "last_seen_at": s.last_seen_at} for s in stories])
        return
    if not stories:
        click.echo(f"no stories with {min_size}+ articles since {start:%Y-%m-%d %H:%M} UTC")
        return
    for s in stories:
        click.echo(f"{s.id:>6}  {plural(s.outlets, 'outlet')}, {plural(s.size, 'article')}, "
                   f"{s.first_seen_at:%m-%d %H:%M} to {s.last_seen_at:%m-%d %H:%M}  {s.title}")


@click.command("trends")
@click.option("--days", default=14, show_default=True, type=click.IntRange(1, 365), help="Days to show.")
@JSON_OPTION
@with_config
@pass_app
def trends_cmd(app: App, days: int, as_json: bool) -> None:
    """Bring daily counts up to date and print each topic's articles per day."""
    from monitor.store.analysis import list_topics
    from monitor.store.trends import daily_series
    from monitor.trends.service import refresh

    now = clock.now()
    refresh(app.engine, app.config, now)
    first = now.date() - timedelta(days=days - 1)
    dates = [first + timedelta(days=i) for i in range(days)]
    rows = _trend_rows(list_topics(app.engine), daily_series(app.engine, "topic", first), dates)
    if as_json:
        echo_json([{"id": t.id, "name": t.name, "total": sum(counts),
                    "daily": [{"day": d, "articles": n} for d, n in zip(dates, counts, strict=True)]}
                   for counts, t in rows])
        return
    click.echo(_trend_table(rows, dates))


def _trend_rows(topics: list[Any], series: dict[str, dict[date, int]], dates: list[date]
                ) -> list[tuple[list[int], Any]]:
    """Each topic's count on each of ``dates``, the busiest topic first."""
    rows = [([series.get(str(t.id), {}).get(d, 0) for d in dates], t) for t in topics]
    return sorted(rows, key=lambda r: (-sum(r[0]), r[1].id))


def _trend_table(rows: list[tuple[list[int], Any]], dates: list[date]) -> str:
    """One row per topic: id, total over the days, then each day's count (oldest first), then the name."""
    lines = [f"{'id':>4}  {'total':>5}  " + " ".join(f"{d:%m-%d}" for d in dates) + "  name"]
    for counts, t in rows:
        lines.append(f"{t.id:>4}  {sum(counts):>5}  " + " ".join(f"{n:>5}" for n in counts) + f"  {t.name}")
    return "\n".join(lines)


@click.command("alerts")
@since_option("alerts for days", "7d")
@click.option("--send", is_flag=True,
              help="Deliver alerts not yet delivered (email, webhook); exit 1 if a delivery failed.")
@JSON_OPTION
@with_config
@pass_app
def alerts_cmd(app: App, since: str | None, send: bool, as_json: bool) -> None:
    """Trend alerts: topic and entity spikes, emerging topics, new pairings, watchlist sightings."""
    from monitor.store.alerts import list_alerts

    now = clock.now()
    alerts = list_alerts(app.engine, parse_since(since, now, timedelta(days=7)).date())
    if as_json:
        echo_json([asdict(a) for a in alerts])
    else:
        _echo_alerts(alerts, _waiting(app, now))
    if send:
        summary = _send(app, now)
        errors = summary.pop("errors", [])
        _echo_summary("sent", summary, err=as_json)
        for error in errors:
            click.echo(f"FAILED {error} (the next run retries)", err=True)
        if summary.get("failed"):
            raise click.exceptions.Exit(1)


def _echo_alerts(alerts: list[Any], waiting: str) -> None:
    if not alerts:
        click.echo(f"no alerts{waiting}")
    width = max((len(a.kind) for a in alerts), default=0)
    for a in alerts:
        click.echo(f"{a.id:>5}  {a.day:%Y-%m-%d}  {a.kind:<{width}}  {a.title}\n       {a.reason}")


def _waiting(app: App, now: datetime) -> str:
    """Why a new monitor has no alerts yet: today lacks the history a day needs (empty when it has it)."""
    from monitor.store import trends as trend_db
    from monitor.trends.detect import days_before, days_needed, days_watched

    trends = app.config.trends
    today = clock.utc_day(now)
    totals = trend_db.daily_series(app.engine, "total", today - timedelta(days=trends.baseline_days)).get("all", {})
    held = days_watched(totals, days_before(today, trends.baseline_days))
    needed = days_needed(trends.baseline_days, trends.min_history_days)
    if held >= needed:
        return ""
    return (f": a day alerts once articles were stored on {needed} of the {trends.baseline_days} days before it,"
            f" and {held} of today's have them (trends.min_history_days)")


def _send(app: App, now: datetime) -> dict[str, Any]:
    try:
        from monitor.deliver.alerts import send_pending
    except ImportError as exc:
        raise MonitorError(f"alert delivery is not available in this installation ({exc})") from None
    return send_pending(app.engine, app.config, app.settings, now)


def register(cli: click.Group) -> None:
    cli.add_command(topics_group)
    for command in (stories_cmd, trends_cmd, alerts_cmd):
        cli.add_command(command)
