"""Engine, sessions and migrations. The schema is created only through Alembic."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from monitor.errors import ConfigError, MonitorError
from monitor.resources import migrations_dir
from monitor.settings import Settings

if TYPE_CHECKING:
    from sqlmodel import Session

log = logging.getLogger(__name__)

MIGRATIONS = migrations_dir()
_REVISION = re.compile(r"^(down_revision|revision)\b[^=\n]*=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")
LOCK_WAIT = 60  # seconds a connection waits for another process's lock on an SQLite file


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


_PASSWORD = re.compile(r"(://[^:/@]*:)[^@/]*@")


def hide_password(url: str) -> str:
    """The URL as it may be printed: its password replaced by ***."""
    return _PASSWORD.sub(r"\1***@", url)


def make_engine(url: str) -> Engine:
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise ConfigError(f"MONITOR_DATABASE_URL: not a database URL (value {hide_password(url)!r})") from None
    path = sqlite_path(url)
    if path is not None:
        if not path.exists():
            log.info("creating the database %s", path.resolve())
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed, connect_args={"timeout": LOCK_WAIT})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "sqlite":
        return sa.create_engine(parsed)
    try:
        return sa.create_engine(parsed, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        raise ConfigError(f"MONITOR_DATABASE_URL: driver not installed: {exc.name} "
                          f"(value {hide_password(url)!r})") from None
    except sa.exc.NoSuchModuleError:
        raise ConfigError(f"MONITOR_DATABASE_URL: unknown database or driver {parsed.drivername!r} "
                          f"(value {hide_password(url)!r}); use sqlite:///PATH or "
                          "postgresql+psycopg://USER:PASSWORD@HOST/DB") from None


@contextmanager
def database_errors(url: str, doing: str = "cannot open database") -> Iterator[None]:
    """A database that cannot be reached or read becomes one MonitorError line (password hidden)."""
    try:
        yield
    except sa.exc.DBAPIError as exc:
        detail = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
        raise MonitorError(f"{doing} {hide_password(url)}: {detail}") from None


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """Wait for locks before anything else, then switch the file to WAL only if it is not already
    (the mode is stored in the file, so only a new database is ever switched)."""
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA busy_timeout={LOCK_WAIT * 1000}")
    if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
        _switch_to_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    """Switch a new file to WAL, retrying while another process holds it.

    SQLite refuses this change at once, without its busy timeout, while any other connection
    reads or writes the file: two processes creating one database together would otherwise
    see "database is locked".
    """
    import sqlite3

    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed on success, rolled back on any error."""
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(url: str) -> Any:
    from alembic.config import Config as AlembicConfig

    if not (MIGRATIONS / "env.py").exists():
        raise MonitorError(f"migrations not found at {MIGRATIONS}; install the project from its source tree")
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head() or ""


def scripted_head() -> str | None:
    """The newest migration's id read from the scripts as text, without importing Alembic.

    None when the scripts do not name exactly one head; then Alembic decides.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        for key, value in _REVISION.findall(script.read_text(encoding="utf-8")):
            (revisions if key == "revision" else parents).update(_QUOTED.findall(value))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def is_current(engine: Engine) -> bool:
    """True when the stored revision is the newest script's (a plain query, no Alembic import)."""
    head = scripted_head()
    return head is not None and current_revision(engine) == head


def upgrade(engine: Engine, url: str) -> bool:
    """Apply pending migrations; returns True if anything was applied."""
    if is_current(engine):
        return False
    from alembic import command

    with _migration_lock(url):
        if current_revision(engine) == head_revision():
            return False
        cfg = alembic_config(url)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    log.info("database migrated to %s", head_revision())
    return True


@contextmanager
def _migration_lock(url: str) -> Iterator[None]:
    path = sqlite_path(url)
    if path is None:
        yield
        return
    from filelock import FileLock

    with FileLock(str(path) + ".migrate.lock", timeout=120):
        yield


def open_database(settings: Settings, migrate: bool | None = None) -> Engine:
    """An engine for the configured database; pending migrations are applied on SQLite.

    On PostgreSQL the schema is changed only by ``monitor db upgrade`` (unless
    ``migrate=True``), so several workers never race a migration.
    """
    engine = make_engine(settings.database_url)
    if migrate is None:
        migrate = settings.is_sqlite
    try:
        with database_errors(settings.database_url):
            if migrate:
                upgrade(engine, settings.database_url)
            elif not is_current(engine) and current_revision(engine) != head_revision():
                raise MonitorError("database schema is not current: run `monitor db upgrade`")
    except BaseException:
        engine.dispose()
        raise
    return engine
