"""What every command shares: the config path, settings, a lazily opened database."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

import click

from monitor.settings import Settings, database_next_to

if TYPE_CHECKING:  # the CLI starts without SQLAlchemy or pydantic; commands import what they use
    from sqlalchemy.engine import Engine

    from monitor.config import Config

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class App:
    """Built once per invocation by the CLI group; commands read from it."""

    config_path: str | None = None
    log_format: str | None = None
    verbose: bool = False
    _settings: Settings | None = None
    _config: Config | None = None
    _engine: Engine | None = None

    @property
    def settings(self) -> Settings:
        """Settings from the environment; without MONITOR_DATABASE_URL the database lives in data_dir,
        which is relative to the configuration file."""
        if self._settings is None:
            settings = Settings.from_env()
            if not settings.database_url_given:
                settings = replace(settings, database_url=database_next_to(self.config.data_dir))
            self._settings = settings
        return self._settings

    @property
    def config(self) -> Config:
        if self._config is None:
            from monitor.config import load_config

            self._config = load_config(self.config_path)
        return self._config

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from monitor.store.db import open_database

            _ = self.config  # a bad configuration is reported before the database is touched

            self._engine = open_database(self.settings)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


pass_app = click.make_pass_decorator(App)


def _set_config(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(App).config_path = value


def _set_log_format(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        app = ctx.ensure_object(App)
        app.log_format = value
        _log_again(app)


def _set_verbose(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        app = ctx.ensure_object(App)
        app.verbose = True
        _log_again(app)


def _log_again(app: App) -> None:
    from monitor.logs import setup_logging

    setup_logging(app.log_format or Settings.from_env().log_format, app.verbose)


def with_logging(func: F) -> F:
    """Add ``--log-format`` and ``-v`` to a command so they may follow the command name too."""
    options = [
        click.option("--log-format", "_log_format", type=click.Choice(["text", "json"]), default=None,
                     expose_value=False, is_eager=True, callback=_set_log_format,
                     help="Log lines as text or JSON lines (default: $MONITOR_LOG_FORMAT or text)."),
        click.option("-v", "--verbose", "_verbose", is_flag=True, expose_value=False, is_eager=True,
                     callback=_set_verbose, help="Log debug detail."),
    ]
    return _with(func, options)


def with_config(func: F) -> F:
    """Add ``--config PATH`` (and the logging options) to a command so they may follow its name too."""
    option = click.option("--config", "_config", type=click.Path(), default=None,
                          expose_value=False, is_eager=True, callback=_set_config,
                          help="Path to feeds.yaml (default: $MONITOR_CONFIG or ./feeds.yaml).")
    return _with(with_logging(func), [option])


def _with(func: F, options: list[Callable[[F], F]]) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]
