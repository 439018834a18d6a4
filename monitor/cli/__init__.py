"""The `monitor` command line: a thin layer over the Python API.

Every command takes ``--config PATH``, ``--log-format`` and ``-v`` before or after its name. A MonitorError
becomes a one-line message on stderr and its exit code (bad configuration: 2).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from monitor import __version__
from monitor.cli.context import App, pass_app, with_config
from monitor.errors import MonitorError, describe_fault
from monitor.logs import final_error, setup_logging
from monitor.settings import Settings

__all__ = ["App", "cli", "main", "pass_app", "with_config"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--config",
    "config_path",
    type=click.Path(),
    default=None,
    help="Path to feeds.yaml (default: $MONITOR_CONFIG or ./feeds.yaml); data_dir and the default "
         "database are relative to it.",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default=None,
    help="Log lines as text or JSON lines (default: $MONITOR_LOG_FORMAT or text).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail.")
@click.version_option(__version__, prog_name="monitor")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, log_format: str | None, verbose: bool) -> None:
    """Geopolitical tech-policy news monitor: crawl feeds, find topics and stories,
    publish digests, a trend site and alerts."""
    app = App(config_path=config_path, log_format=log_format, verbose=verbose)
    setup_logging(log_format or Settings.from_env().log_format, verbose)
    ctx.obj = app
    ctx.call_on_close(app.close)


def _register() -> None:
    from monitor.cli import ingest

    ingest.register(cli)
    for name in ("topics", "outputs", "ops", "lists"):
        try:
            module = __import__(f"monitor.cli.{name}", fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != f"monitor.cli.{name}":
                raise
            continue
        module.register(cli)


_register()


def main(argv: list[str] | None = None) -> Any:
    try:
        return cli.main(args=argv, prog_name="monitor", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if exc.exit_code == 2 else exc.exit_code)
    except MonitorError as exc:
        final_error(str(exc), exc.exit_code)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        logging.getLogger("monitor").warning("interrupted")
        sys.exit(130)
    except Exception as exc:
        fault = describe_fault(exc)
        if fault is None:
            raise
        logging.getLogger("monitor").debug("fault", exc_info=True)  # the traceback with --verbose
        final_error(fault, 1)
        sys.exit(1)
