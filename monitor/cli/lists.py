"""Designated-party lists: ``monitor lists update``."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from monitor.cli.context import App, pass_app, with_config


@click.group("lists")
@with_config
def lists_group() -> None:
    """Sanctions and export-control lists configured under lists: in feeds.yaml."""


@lists_group.command("update")
@click.option("--list", "names", multiple=True, metavar="NAME", help="Update only this list (repeatable).")
@with_config
@pass_app
def lists_update(app: App, names: tuple[str, ...]) -> None:
    """Fetch each configured list (conditional GET) or copy its local file, check that it parses,
    and keep it in <data_dir>/lists for the analysis to match.

    Exit status 1 when any list failed (the others are still updated; a failed list keeps its
    previous copy), 2 for a bad configuration.
    """
    from monitor.lists.update import update_lists

    sources = [s for s in app.config.lists if not names or s.name in names]
    unknown = sorted(set(names) - {s.name for s in app.config.lists})
    if unknown:
        raise click.BadParameter(f"no list named {', '.join(unknown)} in lists:", param_hint="--list")
    if not sources:
        click.echo("no lists configured (add them under lists: in feeds.yaml)")
        return
    results = update_lists(app.config, sources, datetime.now(UTC))
    width = max(len(r.name) for r in results)
    for r in results:
        detail = f"failed: {r.error}" if r.status == "failed" else f"{r.status:<9} {r.parties} parties"
        click.echo(f"{r.name:<{width}}  {detail}")
    if any(r.status == "failed" for r in results):
        sys.exit(1)


def register(cli: click.Group) -> None:
    cli.add_command(lists_group)
