"""Settings from the environment: the database URL and secrets, never from feeds.yaml."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///data/monitor.db"


def database_next_to(data_dir: str | os.PathLike[str]) -> str:
    """The default database: ``monitor.db`` in the configuration's data_dir."""
    return f"sqlite:///{os.path.join(data_dir, 'monitor.db')}"


LOG_FORMATS = ("text", "json")


def _log_format(value: str) -> str:
    if value not in LOG_FORMATS:
        from monitor.errors import ConfigError

        raise ConfigError(f"MONITOR_LOG_FORMAT: must be text or json (value {value!r})")
    return value


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    smtp_user: str | None = None
    smtp_password: str | None = None
    log_format: str = "text"
    database_url_given: bool = True  # False: MONITOR_DATABASE_URL unset, the default applies

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            database_url=env.get("MONITOR_DATABASE_URL") or DEFAULT_DATABASE_URL,
            smtp_user=env.get("MONITOR_SMTP_USER") or None,
            smtp_password=env.get("MONITOR_SMTP_PASSWORD") or None,
            log_format=_log_format(env.get("MONITOR_LOG_FORMAT") or "text"),
            database_url_given=bool(env.get("MONITOR_DATABASE_URL")),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
