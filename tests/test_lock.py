"""The run lock: a second overlapping run exits 0 at once, naming the lock; nothing ever waits."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import LockedError
from monitor.lock import LOCKED_MESSAGE, advisory_key, lock_file, run_lock
from tests.conftest import migrated
from tests.feedkit import Item, rss

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_second_holder_is_refused_with_where_and_who(engine):
    with run_lock(engine, NOW) as where, pytest.raises(LockedError) as refused, run_lock(engine, NOW):
        pytest.fail("two holders at once")
    message = str(refused.value)
    assert message.startswith(LOCKED_MESSAGE)
    if engine.dialect.name == "sqlite":
        path = lock_file(engine.url.render_as_string())
        assert where == f"file {path}" and str(path) in message
        assert f"pid {os.getpid()}" in message and NOW.isoformat(timespec="seconds") in message
    else:
        assert str(advisory_key("run")) in message and "held by server backend" in message
    assert refused.value.exit_code == 0


def test_lock_is_released_after_the_body_even_on_error(engine):
    with pytest.raises(RuntimeError), run_lock(engine, NOW):
        raise RuntimeError("stage blew up")
    with run_lock(engine, NOW) as where:
        assert where


def test_different_lock_names_do_not_conflict(engine):
    with run_lock(engine, NOW, name="run"), run_lock(engine, NOW, name="other"):
        pass


def test_lock_file_sits_next_to_the_database(tmp_path):
    assert lock_file(f"sqlite:///{tmp_path / 'x' / 'm.db'}") == tmp_path / "x" / "m.db.run.lock"
    assert lock_file("sqlite://") is None
    assert lock_file("postgresql+psycopg://u@h/db") is None


def test_advisory_key_is_stable_signed_64_bit():
    key = advisory_key("run")
    assert key == advisory_key("run") != advisory_key("other")
    assert -(2**63) <= key < 2**63


def _migrated(url: str) -> None:
    migrated(url).dispose()


def test_overlapping_cli_runs_second_exits_zero_quickly(site, tmp_path, write_config, database_url):
    """A real first run is held up by a slow feed; a second run started meanwhile gives up at once."""
    _migrated(database_url)
    site.add("/slow.xml", rss([Item("Slow", site.url("/a.html"))]), delay=6)
    path = write_config({"feeds": [{"name": "slow", "url": site.url("/slow.xml")}],
                         "crawl": {"host_delay": 0, "extract_workers": 0, "timeouts": {"read": 20, "total": 30}}})
    env = {**os.environ, "MONITOR_DATABASE_URL": database_url}
    command = [sys.executable, "-m", "monitor", "--config", str(path), "run", "--stage", "crawl"]
    first = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, stdin=subprocess.DEVNULL)
    try:
        _wait_for(lambda: site.count("/slow.xml") >= 1, 30)
        second = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=30,
                                stdin=subprocess.DEVNULL)
        # The slow feed keeps the first run busy for 6 s: if it is still running, the second did not wait.
        assert first.poll() is None, "the second run waited for the first"
    finally:
        out, err = first.communicate(timeout=60)
    assert second.returncode == 0, second.stderr
    assert LOCKED_MESSAGE in second.stdout and "lock:" in second.stdout
    assert first.returncode == 0, out + err
    assert site.count("/slow.xml") == 1


def _wait_for(predicate, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


def test_lock_file_survives_a_killed_holder(tmp_path: Path):
    """A killed run leaves the file behind but not the lock: the OS drops flock on exit."""
    db = tmp_path / "m.db"
    code = (
        "import sys, time, sqlalchemy as sa\n"
        "from datetime import datetime, UTC\n"
        "from monitor.lock import run_lock\n"
        f"e = sa.create_engine('sqlite:///{db}')\n"
        "with run_lock(e, datetime.now(UTC)):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        import sqlalchemy as sa

        engine = sa.create_engine(f"sqlite:///{db}")
        with pytest.raises(LockedError, match=f"pid {holder.pid}"), run_lock(engine, NOW):
            pass
    finally:
        holder.kill()
        holder.wait(10)
    with run_lock(engine, NOW):
        pass
    assert (tmp_path / "m.db.run.lock").exists()
