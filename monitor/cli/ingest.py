"""Ingestion commands: crawl, feeds, export, db."""

from __future__ import annotations

import click

from monitor.cli.context import App, pass_app, with_config


@click.group("db")
def db_group() -> None:
    """Database schema management."""


@db_group.command("upgrade")
@with_config
@pass_app
def db_upgrade(app: App) -> None:
    """Apply pending migrations (the only way the schema is created or changed)."""
    from monitor.store.db import make_engine, upgrade

    engine = make_engine(app.settings.database_url)
    try:
        changed = upgrade(engine, app.settings.database_url)
    finally:
        engine.dispose()
    click.echo("database upgraded" if changed else "database already current")


def register(cli: click.Group) -> None:
    cli.add_command(db_group)
