"""One error tree. The CLI turns a MonitorError into a one-line message and an exit code."""

from __future__ import annotations


class MonitorError(Exception):
    """Base of every error the monitor reports to a user."""

    exit_code = 1


class ConfigError(MonitorError):
    """The configuration file or environment is invalid (exit 2)."""

    exit_code = 2


class ParseError(MonitorError):
    """A feed body could not be parsed into entries."""


class ExtractError(MonitorError):
    """An article page gave no usable text."""


class ThinPage(ExtractError):
    """A page with less text than an article has; ``text`` is what it had (a brief, or a notice such as
    "Subscribe!"), for the record to fall back on when the feed gives no summary."""

    def __init__(self, text: str) -> None:
        super().__init__("no article text found on the page")
        self.text = text

    def __reduce__(self) -> tuple[type, tuple[str]]:  # raised in extraction workers: pickled with its text
        return type(self), (self.text,)


class NothingCollected(MonitorError):
    """Every feed of a crawl failed (the machine is offline, DNS is down): exit 1."""

    def __init__(self, message: str, summary: object = None) -> None:
        super().__init__(message)
        self.summary = summary


class CrawlHalted(MonitorError):
    """The crawl cannot go on: the disk or the database is full, or the extraction workers cannot
    start. Every later write would fail too, so the crawl stops with one line."""


class DeliveryError(MonitorError):
    """An email or webhook could not be delivered."""


class LockedError(MonitorError):
    """Another run holds the lock; not a failure (exit 0)."""

    exit_code = 0


def describe_fault(exc: BaseException) -> str | None:
    """One line for an operational fault the user can act on (disk, permissions, database), else None.

    A file-system error names its path; a database error gives the driver's first line, never the
    SQL statement or the URL's password.
    """
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}"
    if type(exc).__module__.startswith("sqlalchemy"):
        original = getattr(exc, "orig", None) or exc
        lines = str(original).strip().splitlines() or [type(original).__name__]
        return f"database error: {lines[0]}"
    return None
