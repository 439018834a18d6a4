"""Output commands: digest and site."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import click

from monitor import clock
from monitor.cli.context import App, pass_app, with_config
from monitor.errors import ConfigError

if TYPE_CHECKING:
    from monitor.deliver.digests import DigestOutcome


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"--date: expected YYYY-MM-DD (value {value!r})") from None


@click.command("digest")
@click.option("--date", "day", default=None, metavar="YYYY-MM-DD",
              help="Digest for this date (default: the most recent one whose time has passed).")
@click.option("--send", is_flag=True, help="Email it to each recipient not yet sent this day's digest.")
@click.option("--to", "to", multiple=True, metavar="ADDR", help="Recipient instead of email.to (repeatable).")
@click.option("--dry-run", is_flag=True, help="Print the text digest and the recipients; write and send nothing.")
@click.option("--html", "as_html", is_flag=True, help="With --dry-run: print the email's HTML as it would be sent.")
@with_config
@pass_app
def digest_command(app: App, day: str | None, send: bool, to: tuple[str, ...], dry_run: bool, as_html: bool) -> None:
    """Render the daily digest into the site folder and, with --send, email it."""
    from monitor.deliver import digests
    from monitor.render.digest import due_day

    config, now = app.config, clock.now()
    _bring_up_to_date(app, now)
    when = _day(day) or due_day(now, config.digest.time, config.digest.timezone)
    recipients = list(to) or list(config.email.to)
    if dry_run:
        data = digests.digest_data(app.engine, config, when)
        rendered = (digests.render_for_email if as_html else digests.render_for_site)(data, config)
        click.echo(f"Subject: {rendered.subject}\nTo: {', '.join(recipients) or '(nobody)'}\n")
        click.echo(rendered.html if as_html else rendered.text)
        return
    if send and not recipients:
        raise ConfigError("--send: no recipients (set email.to in the configuration or pass --to)")
    outcome = digests.process_day(app.engine, config, app.settings, when, now, send=send, recipients=recipients)
    _report(outcome, send)


def _bring_up_to_date(app: App, now: datetime) -> None:
    """Daily counts and alerts first, so a digest or site built on its own shows what is stored."""
    from monitor.trends.service import refresh

    refresh(app.engine, app.config, now)


def _report(outcome: DigestOutcome, send: bool) -> None:
    click.echo(f"digest {outcome.day.isoformat()}: {outcome.articles} articles, {outcome.html_path}")
    if not send:
        return
    if outcome.already_sent:
        click.echo(f"already sent to {', '.join(outcome.already_sent)}; not sent again")
    if outcome.skipped:
        click.echo(f"not sent: {outcome.skipped}")
    if outcome.sent:
        click.echo(f"sent to {', '.join(outcome.sent)}")
    for rcpt, error in outcome.failed.items():
        click.echo(f"FAILED {rcpt}: {error} (the digest stays on disk; the next run retries)", err=True)
    if outcome.failed:
        raise click.exceptions.Exit(1)


@click.command("site")
@click.option("--out", "-o", default=None, type=click.Path(file_okay=False), help="Output folder (default: site.out).")
@with_config
@pass_app
def site_command(app: App, out: str | None) -> None:
    """Build or refresh the static trend site (only changed files are rewritten)."""
    from monitor.deliver.site import build_site

    now = clock.now()
    _bring_up_to_date(app, now)
    summary = build_site(app.engine, app.config, now, out=out)
    click.echo(
        f"site {summary['out']}: {summary['pages']} pages, {summary['written']} written, "
        f"{summary['stories_skipped']} story pages unchanged, {summary['removed']} removed "
        f"in {summary['seconds']:.1f}s"
    )


def register(cli: click.Group) -> None:
    cli.add_command(digest_command)
    cli.add_command(site_command)
