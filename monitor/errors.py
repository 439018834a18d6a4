"""One error tree. The CLI turns a MonitorError into a one-line message and an exit code."""

from __future__ import annotations


class MonitorError(Exception):
    """Base of every error the monitor reports to a user."""

    exit_code = 1


class ConfigError(MonitorError):
    """The configuration file or environment is invalid (exit 2)."""

    exit_code = 2


class FetchError(MonitorError):
    """An HTTP fetch failed: status, network error, size cap, robots.txt."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ParseError(MonitorError):
    """A feed body could not be parsed into entries."""


class ExtractError(MonitorError):
    """An article page gave no usable text."""


class NothingCollected(MonitorError):
    """Every feed of a crawl failed (the machine is offline, DNS is down): exit 1."""

    def __init__(self, message: str, summary: object = None) -> None:
        super().__init__(message)
        self.summary = summary


class DeliveryError(MonitorError):
    """An email or webhook could not be delivered."""


class LockedError(MonitorError):
    """Another run holds the lock; not a failure (exit 0)."""

    exit_code = 0
