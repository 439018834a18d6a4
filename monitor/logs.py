"""Logging: readable lines on a terminal, JSON lines on request; progress bars only on a terminal."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        extra = getattr(record, "data", None)
        if isinstance(extra, dict):
            payload.update(extra)
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


# Libraries that give their logger a stream handler of their own (and stop propagation) when used;
# BERTopic keeps only the first handler its logger has, so ours, attached first, is the one that stays.
SELF_CONFIGURING = ("BERTopic",)
_json_lines = False


def setup_logging(fmt: str = "text", verbose: bool = False) -> None:
    """Every log line on stderr in one format. With "json" nothing else is written there: library
    warnings become log records and no progress bar is drawn (ours or a library's)."""
    global _json_lines
    _json_lines = fmt == "json"
    handler = logging.StreamHandler(sys.stderr)
    if _json_lines:
        handler.setFormatter(JsonFormatter())
        logging.captureWarnings(True)
        os.environ["TQDM_DISABLE"] = "1"  # tqdm reads TQDM_* for its defaults, in this process and its children
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    for name in SELF_CONFIGURING:
        logging.getLogger(name).handlers[:] = [handler]
    logging.getLogger("monitor").setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("trafilatura", "htmldate", "courlan", "numba", "urllib3", "filelock"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def final_error(message: str, exit_code: int) -> None:
    """The line a failed command ends on: ``monitor: message`` on stderr, or with JSON log lines one more JSON
    line (level "error", the exit code beside it), so that stderr stays JSON lines and nothing else."""
    if _json_lines:
        logging.getLogger("monitor").error(message, extra={"data": {"exit_code": exit_code}})
    else:
        print(f"monitor: {message}", file=sys.stderr, flush=True)


def interactive() -> bool:
    """True when progress bars may be drawn: stderr is a terminal and log lines are not JSON."""
    return sys.stderr.isatty() and not _json_lines


class Progress:
    """A tqdm bar on a terminal; a log line every ``every`` steps otherwise."""

    def __init__(self, total: int | None, desc: str, logger: logging.Logger, every: int = 100) -> None:
        self.desc, self.log, self.every, self.done, self.total = desc, logger, every, 0, total
        self._bar = None
        if interactive():
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=desc, unit="item", leave=False, dynamic_ncols=True)

    def add_total(self, n: int) -> None:
        self.total = (self.total or 0) + n
        if self._bar is not None:
            self._bar.total = self.total
            self._bar.refresh()

    def update(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        elif self.done % self.every == 0:
            self.log.info("%s: %d/%s", self.desc, self.done, self.total if self.total is not None else "?")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


@contextmanager
def progress(total: int | None, desc: str, logger: logging.Logger, every: int = 100) -> Iterator[Progress]:
    bar = Progress(total, desc, logger, every)
    try:
        yield bar
    finally:
        bar.close()
