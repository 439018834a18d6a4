"""One `monitor run` at a time per database; a second one gives up at once. One analysis of new articles at
a time per database; a second one waits its turn.

SQLite: an exclusive ``flock`` on ``<database>.<name>.lock`` next to the database
file, which also records who holds it. PostgreSQL: a session-level
``pg_try_advisory_lock`` held on a dedicated connection. The run lock never waits:
:func:`run_lock` raises :class:`~monitor.errors.LockedError` (exit status 0)
naming the lock and its holder. :func:`analysis_lock` tries again for up to
``ANALYSIS_WAIT`` seconds first: the crawl of each worker, `monitor run` and a
refit all analyse new articles, and two analyses at once would count the same
articles twice. Both are released by the operating system or the server if the
process dies, so a crashed run never leaves a stale lock.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from monitor.errors import LockedError, MonitorError
from monitor.store.db import sqlite_path

log = logging.getLogger(__name__)

LOCKED_MESSAGE = "another monitor run is already running"
ANALYSIS_BUSY = "another process is analysing new articles"
ANALYSIS_WAIT = 600.0  # seconds an analysis waits for another one (a refit of 50,000 articles takes about one minute)
POLL = 0.25  # seconds between two tries of a lock being waited for


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_lock`` derived from the lock name."""
    digest = hashlib.sha256(f"tech-policy-monitor:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lock_file(database_url: str, name: str = "run") -> Path | None:
    """Where the file lock for a SQLite database lives (None for other databases)."""
    path = sqlite_path(database_url)
    return None if path is None else path.with_name(f"{path.name}.{name}.lock")


def holder_info(now: datetime) -> dict[str, Any]:
    return {"pid": os.getpid(), "host": socket.gethostname(), "since": now.isoformat(timespec="seconds")}


@contextmanager
def run_lock(engine: Engine, now: datetime, name: str = "run", wait: float = 0.0,
             busy: str = LOCKED_MESSAGE) -> Iterator[str]:
    """Hold the lock for the body; yields a description of where the lock is.

    Raises LockedError, its message starting with ``busy``, if another process holds it now and, with ``wait``,
    still holds it that many seconds later.
    """
    url = engine.url.render_as_string(hide_password=False)
    path = lock_file(url, name)
    if path is not None:
        with _file_lock(path, now, wait, busy) as where:
            yield where
    elif engine.dialect.name == "postgresql":
        with _advisory_lock(engine, name, wait, busy) as where:
            yield where
    else:  # in-memory SQLite or another database: nothing else can share it
        yield "no lock (private database)"


def analysis_lock(engine: Engine, now: datetime, wait: float | None = None) -> AbstractContextManager[str]:
    """The lock around an analysis of new articles (or a refit), waited for up to ``ANALYSIS_WAIT`` seconds."""
    return run_lock(engine, now, "analysis", ANALYSIS_WAIT if wait is None else wait, ANALYSIS_BUSY)


def _acquire(attempt: Callable[[], bool], wait: float, where: str) -> bool:
    """``attempt`` now and, while it fails, every ``POLL`` seconds for up to ``wait`` seconds."""
    if attempt():
        return True
    if wait <= 0:
        return False
    log.info("waiting up to %.0f s for %s", wait, where)
    deadline = time.monotonic() + wait
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(POLL, left))
        if attempt():
            return True
    return False


# --- SQLite: a file lock ----------------------------------------------------------------


@contextmanager
def _file_lock(path: Path, now: datetime, wait: float, busy: str) -> Iterator[str]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise MonitorError(f"cannot open the lock file {path}: {exc.strerror}") from None
    try:
        if not _acquire(lambda: _try_flock(handle), wait, f"the lock {path}"):
            raise LockedError(f"{busy} (lock: {path}{_describe(_read_holder(handle))})")
        _write_holder(handle, holder_info(now))
        try:
            yield f"file {path}"
        finally:
            _write_holder(handle, {})
            _unlock(handle)
    finally:
        handle.close()


def _try_flock(handle: IO[str]) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(handle: IO[str]) -> None:
    try:
        import fcntl
    except ImportError:
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _write_holder(handle: IO[str], info: dict[str, Any]) -> None:
    handle.seek(0)
    handle.truncate()
    if info:
        handle.write(json.dumps(info))
    handle.flush()


def _read_holder(handle: IO[str]) -> dict[str, Any]:
    handle.seek(0)
    try:
        info = json.loads(handle.read() or "{}")
    except ValueError:
        return {}
    return info if isinstance(info, dict) else {}


def _describe(info: dict[str, Any]) -> str:
    if not info.get("pid"):
        return ""
    return f", held by pid {info['pid']} on {info.get('host', '?')} since {info.get('since', '?')}"


# --- PostgreSQL: an advisory lock ------------------------------------------------------------


@contextmanager
def _advisory_lock(engine: Engine, name: str, wait: float, busy: str) -> Iterator[str]:
    key = advisory_key(name)
    where = f"PostgreSQL advisory lock {key} in database {engine.url.database!r} on {engine.url.host or 'localhost'}"
    with engine.connect() as conn:

        def attempt() -> bool:
            got = bool(conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
            conn.commit()
            return got

        if not _acquire(attempt, wait, where):
            raise LockedError(f"{busy} (lock: {where}{_pg_holder(conn, key)})")
        try:
            yield where
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            conn.commit()


def _pg_holder(conn: sa.Connection, key: int) -> str:
    """Who holds the advisory lock, from pg_locks (objid/classid carry the key's halves)."""
    unsigned = key & 0xFFFFFFFFFFFFFFFF
    row = conn.execute(
        sa.text(
            "SELECT a.pid, a.client_addr, a.backend_start FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted "
            "AND l.classid = :hi AND l.objid = :lo AND l.objsubid = 1"
        ),
        {"hi": unsigned >> 32, "lo": unsigned & 0xFFFFFFFF},
    ).first()
    conn.commit()
    if row is None:
        return ""
    return f", held by server backend {row.pid} from {row.client_addr or 'a local socket'}"
