"""Operational faults (database, disk, permissions, lock) end in one line on stderr and a non-zero exit."""

from __future__ import annotations

import re
import resource
import signal
import subprocess
from pathlib import Path

import pytest

from tests.clikit import run_monitor

SECRET = "s3cret-pw"
UNWRITABLE = Path("/sys/monitor-site")  # sysfs refuses new files, even to root


def monitor(args: list[str], cwd: Path, db: str, limit_file_size: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:  # a disk that fills up: writes past this size fail with EFBIG
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return run_monitor(args, cwd, db, before=limit if limit_file_size else None)


LOG_LINE = re.compile(r"^\d\d:\d\d:\d\d INFO ")


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.strip().splitlines() if not LOG_LINE.match(line)]
    assert len(lines) == 1, result.stderr[-3000:]
    assert result.returncode != 0
    assert lines[0].startswith("monitor: ")
    return lines[0]


@pytest.fixture
def config(write_config) -> Path:
    return write_config({"feeds": [{"name": "A", "url": "http://127.0.0.1:9/feed.xml"}]})


def test_a_corrupted_database_file(tmp_path, config):
    db = tmp_path / "monitor.db"
    db.write_bytes(b"this is not a database\n" * 512)
    line = one_line(monitor(["--config", str(config), "status"], tmp_path, f"sqlite:///{db}"))
    assert str(db) in line and "not a database" in line


def test_a_postgres_scheme_url_is_a_config_error_with_the_password_hidden(tmp_path, config):
    result = monitor(["--config", str(config), "status"], tmp_path, f"postgres://monitor:{SECRET}@127.0.0.1/db")
    line = one_line(result)
    assert result.returncode == 2
    assert "MONITOR_DATABASE_URL" in line and "'postgres'" in line and "postgresql+psycopg://" in line
    assert SECRET not in result.stderr and "monitor:***@127.0.0.1" in line


def test_an_unknown_driver_hides_the_password(tmp_path, config):
    result = monitor(["--config", str(config), "status"], tmp_path, f"postgresql+nosuch://m:{SECRET}@127.0.0.1/db")
    line = one_line(result)
    assert result.returncode == 2 and SECRET not in result.stderr and "nosuch" in line


def test_db_upgrade_with_the_server_down(tmp_path, config):
    url = f"postgresql+psycopg://monitor:{SECRET}@127.0.0.1:1/monitor"
    result = monitor(["--config", str(config), "db", "upgrade"], tmp_path, url)
    line = one_line(result)
    assert line.startswith("monitor: cannot upgrade database postgresql+psycopg://monitor:***@127.0.0.1:1/monitor")
    assert SECRET not in result.stderr


def test_a_site_folder_that_cannot_be_written(tmp_path, config):
    db = f"sqlite:///{tmp_path / 'monitor.db'}"
    line = one_line(monitor(["--config", str(config), "site", "--out", str(UNWRITABLE)], tmp_path, db))
    assert str(UNWRITABLE) in line


def test_a_lock_path_that_is_a_directory(tmp_path, config):
    db = tmp_path / "monitor.db"
    Path(f"{db}.run.lock").mkdir()
    result = monitor(["--config", str(config), "run", "--stage", "trends"], tmp_path, f"sqlite:///{db}")
    line = one_line(result)
    assert f"cannot open the lock file {db}.run.lock" in line


def test_a_full_disk_while_writing_an_export(tmp_path, config):
    db = f"sqlite:///{tmp_path / 'monitor.db'}"
    assert monitor(["--config", str(config), "db", "upgrade"], tmp_path, db).returncode == 0
    line = one_line(monitor(["--config", str(config), "export", "--format", "csv", "-o", "/dev/full"], tmp_path, db))
    assert "No space left on device" in line


def test_a_full_disk_while_creating_the_database(tmp_path, config):
    db = tmp_path / "monitor.db"
    result = monitor(["--config", str(config), "db", "upgrade"], tmp_path, f"sqlite:///{db}", limit_file_size=16384)
    line = one_line(result)
    assert str(db) in line and line.endswith(("disk I/O error", "database or disk is full"))


def _crawl_corpus(site, write_config):
    from tests.feedkit import Item, lorem_article, page, rss

    items = []
    for i in range(30):
        path = f"/a{i}.html"
        site.add(path, page(f"Story {i}", lorem_article(f"topic {i}", i, words=2500)))
        items.append(Item(f"Story {i}", path, summary="teaser"))
    site.add("/feed.xml", rss(items))
    return write_config({"feeds": [{"name": "A", "url": site.url("/feed.xml")}], "crawl": {"extract_workers": 1}})


def test_a_disk_that_fills_up_during_a_crawl(site, write_config, tmp_path):
    """The disk fills up once the database exists: the crawl stops with one line and a non-zero exit,
    not a traceback per feed or article (here the workers' process server cannot write its temporary
    files either, as on a real full disk)."""
    config = _crawl_corpus(site, write_config)
    db_path = tmp_path / "full.db"
    db = f"sqlite:///{db_path}"
    assert monitor(["--config", str(config), "db", "upgrade"], tmp_path, db).returncode == 0
    size = db_path.stat().st_size + sum(p.stat().st_size for p in tmp_path.glob("full.db-*"))
    line = one_line(monitor(["--config", str(config), "crawl"], tmp_path, db, limit_file_size=size + 64 * 1024))
    assert "full" in line, line


def test_a_database_that_fills_up_in_process_extraction(site, write_config, tmp_path):
    """With extraction in the crawl process, the database's own "disk full" ends the crawl with one line
    naming the database."""
    config = _crawl_corpus(site, write_config)
    config.write_text(config.read_text(encoding="utf-8").replace("extract_workers: 1", "extract_workers: 0"),
                      encoding="utf-8")
    db_path = tmp_path / "full.db"
    db = f"sqlite:///{db_path}"
    assert monitor(["--config", str(config), "db", "upgrade"], tmp_path, db).returncode == 0
    size = db_path.stat().st_size + sum(p.stat().st_size for p in tmp_path.glob("full.db-*"))
    line = one_line(monitor(["--config", str(config), "crawl"], tmp_path, db, limit_file_size=size + 64 * 1024))
    assert ("full" in line or "too large" in line.lower()) and str(db_path) in line, line
