"""Ingestion commands: crawl, feeds, export, db."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any, TextIO

import click

from monitor import clock
from monitor.cli.context import App, pass_app, with_config
from monitor.cli.params import echo_json, parse_since, since_option
from monitor.errors import MonitorError
from monitor.words import plural

log = logging.getLogger(__name__)


@click.command("crawl")
@click.option("--feed", "feed_names", multiple=True, metavar="NAME", help="Crawl only this feed (repeatable), due or not.")
@click.option("--all", "every_feed", is_flag=True, help="Crawl every feed now, due or not (e.g. after being offline).")
@click.option("--worker", is_flag=True, help="Share the cycle with other workers: claim feeds a few at a time.")
@click.option("--worker-name", default=None, metavar="NAME", help="Lease owner name (default: host:pid).")
@click.option("--no-analysis", is_flag=True, help="Store articles only; skip story and topic assignment.")
@with_config
@pass_app
def crawl_command(
    app: App, feed_names: tuple[str, ...], every_feed: bool, worker: bool, worker_name: str | None, no_analysis: bool
) -> None:
    """Fetch due feeds, extract new articles, deduplicate and store them.

    Exit status 1 when every feed failed (some failing feeds are listed, not fatal).
    """
    from monitor.ingest.crawl import nothing_collected, run_crawl
    from monitor.store.ingest import default_owner

    owner = worker_name or (default_owner() if worker else None)
    now = clock.now()
    summary = run_crawl(app.engine, app.config, app.settings, now=now, feeds=list(feed_names) or None, worker=owner,
                        every_feed=every_feed)
    if summary.articles_new and not no_analysis:
        _analyse(app, now)
    click.echo(
        f"{plural(summary.feeds_total, 'feed')}: {summary.feeds_ok} ok, {summary.feeds_not_modified} unchanged, "
        f"{summary.feeds_failed} failed; {plural(summary.articles_new, 'new article')} "
        f"({summary.articles_extracted} extracted, {summary.articles_summary_only} summary only, "
        f"{plural(summary.duplicates, 'duplicate')}), {plural(summary.sources_added, 'new source')} "
        f"in {summary.seconds:.1f}s"
    )
    for name, error in summary.failures:
        click.echo(f"  failed: {name}: {error}")
    for name, reason in summary.deferred:
        click.echo(f"  not finished: {name}: {reason}")
    for name, left in summary.backlog:
        click.echo(f"  more to come: {name}: {plural(left, 'new entry', 'new entries')} beyond "
                   "crawl.max_entries_per_feed, fetched at the next crawls")
    if summary.all_failed:
        raise nothing_collected(summary)


def _analyse(app: App, now: datetime) -> None:
    """Stories and topics for the new articles; a failure is reported, the stored articles stay."""
    from monitor.topics.service import process_new

    try:
        process_new(app.engine, app.config, now)
    except MonitorError as exc:
        log.warning("analysis after crawl failed: %s", exc)


@click.group("feeds", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_config
@click.pass_context
def feeds_command(ctx: click.Context, as_json: bool) -> None:
    """Show each configured feed's health (last status, failures, next poll); import or export OPML."""
    if ctx.invoked_subcommand is None:
        _feed_health(ctx.find_object(App), as_json)


def _feed_health(app: App, as_json: bool) -> None:
    from monitor.store.export import feed_health

    rows = feed_health(app.engine, [f.name for f in app.config.feeds])
    if as_json:
        echo_json([_health_dict(r) for r in rows])
        return
    table = [("FEED", "STATE", "HTTP", "FAILS", "ARTICLES", "LAST FETCH", "NEXT DUE", "ERROR")]
    table += [
        (r.name, r.last_outcome or "never", str(r.last_status or "-"), str(r.consecutive_failures), str(r.articles),
         _when(r.last_fetched_at), _when(r.next_due_at), (r.last_error or "")[:60])
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


@feeds_command.command("import")
@click.argument("opml_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Only list what would be added; leave feeds.yaml alone.")
@with_config
@pass_app
def feeds_import(app: App, opml_file: str, dry_run: bool) -> None:
    """Add the feeds of an OPML file (from a feed reader) to feeds.yaml; known URLs are skipped.

    The new entries go at the end of the feeds list, comments and layout kept; folders become tags.
    """
    from pathlib import Path

    from monitor.config import config_path
    from monitor.config_file import append_feeds, plan_feeds
    from monitor.opml import parse_opml

    source = Path(opml_file)
    new, merge = plan_feeds(app.config, parse_opml(source.read_bytes(), str(source)))
    if not dry_run:
        append_feeds(config_path(app.config_path), new)
    verb = "would add" if dry_run else "added"
    click.echo(f"{verb} {len(merge.added)} feed(s), {len(merge.known)} already configured, "
               f"{len(merge.invalid)} refused")
    for name in merge.added:
        click.echo(f"  + {name}")
    for reason in merge.invalid:
        click.echo(f"  refused: {reason}", err=True)


@feeds_command.command("export")
@click.option("--output", "-o", type=click.File("wb"), default="-", help="Write here (default stdout).")
@with_config
@pass_app
def feeds_export(app: App, output: Any) -> None:
    """Write the configured feeds as OPML 2.0, for a feed reader; tags become each outline's category."""
    from monitor.opml import render_opml

    output.write(render_opml(app.config.feeds, app.config.site.title, clock.now()))


def _health_dict(r: Any) -> dict[str, Any]:
    return {k: getattr(r, k) for k in r.__dataclass_fields__}


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True,
              help="JSON lines (one object per article) or CSV (lists joined with ';').")
@since_option("articles published (else fetched)", "all")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-", help="Write here (default stdout).")
@with_config
@pass_app
def export_command(app: App, fmt: str, since: str | None, output: TextIO) -> None:
    """Export articles, one record each, as JSON lines or CSV."""
    from monitor.store.export import iter_articles, write_csv

    records = iter_articles(app.engine, parse_since(since, clock.now(), None))
    if fmt == "jsonl":
        for record in records:
            output.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    write_csv(records, output)


@click.command("config")
@click.option("--check", is_flag=True, help="Only validate; print nothing on success.")
@with_config
@pass_app
def config_command(app: App, check: bool) -> None:
    """Validate feeds.yaml and print the effective configuration, every default filled in."""
    import yaml

    from monitor.config import config_warnings

    config = app.config
    for warning in config_warnings(config):
        click.echo(f"warning: {warning}", err=True)
    if check:
        return
    data = config.model_dump(mode="json", by_alias=True)
    click.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), nl=False)


@click.group("db")
@with_config
def db_group() -> None:
    """Database schema management."""


@db_group.command("upgrade")
@with_config
@pass_app
def db_upgrade(app: App) -> None:
    """Apply pending migrations (the only way the schema is created or changed)."""
    from monitor.store.db import database_errors, make_engine, upgrade

    engine = make_engine(app.settings.database_url)
    try:
        with database_errors(app.settings.database_url, "cannot upgrade database"):
            changed = upgrade(engine, app.settings.database_url)
    finally:
        engine.dispose()
    click.echo("database upgraded" if changed else "database already current")


def register(cli: click.Group) -> None:
    for command in (crawl_command, feeds_command, export_command, config_command, db_group):
        cli.add_command(command)


