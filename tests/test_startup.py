"""What the command line imports on its light paths (each run in a fresh interpreter)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.store.db import make_engine, upgrade
from tests.feedkit import rss

HEAVY = {"alembic", "bertopic", "torch", "umap", "hdbscan", "sklearn", "wordllama", "sentence_transformers",
         "trafilatura", "mako", "pygments"}
DATABASE = {"sqlalchemy", "sqlmodel", "psycopg"}


def imported_by(args: list[str], cwd: Path, db: str) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    env["MONITOR_DATABASE_URL"] = db
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "monitor", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines() if "import time" in line}


@pytest.fixture
def current_db(sqlite_engine: Any, sqlite_url: str) -> str:
    return sqlite_url


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["status", "--help"]], ids=" ".join)
def test_version_and_help_import_no_database_or_config_library(tmp_path, args):
    imported = imported_by(args, tmp_path, f"sqlite:///{tmp_path / 'monitor.db'}")
    assert not imported & (HEAVY | DATABASE | {"pydantic", "yaml"}), sorted(imported & (HEAVY | DATABASE))
    assert not (tmp_path / "monitor.db").exists()


def test_config_check_imports_no_database_library(tmp_path, write_config):
    config = write_config({"feeds": [{"name": "A", "url": "http://127.0.0.1:9/feed"}]})
    imported = imported_by(["--config", str(config), "config", "--check"], tmp_path, f"sqlite:///{tmp_path / 'm.db'}")
    assert not imported & (HEAVY | DATABASE), sorted(imported & (HEAVY | DATABASE))


def test_status_on_a_current_schema_skips_alembic_and_the_orm(tmp_path, write_config, current_db):
    config = write_config({"feeds": [{"name": "A", "url": "http://127.0.0.1:9/feed"}]})
    imported = imported_by(["--config", str(config), "status"], tmp_path, current_db)
    assert "sqlalchemy" in imported
    assert not imported & (HEAVY | {"sqlmodel"}), sorted(imported & (HEAVY | {"sqlmodel"}))


def test_a_schema_behind_is_still_migrated(tmp_path, write_config):
    config = write_config({"feeds": [{"name": "A", "url": "http://127.0.0.1:9/feed"}]})
    db = f"sqlite:///{tmp_path / 'fresh.db'}"
    imported = imported_by(["--config", str(config), "status"], tmp_path, db)
    assert "alembic" in imported
    from monitor.store.db import current_revision, head_revision

    engine = make_engine(db)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_the_scripted_head_is_alembics_head():
    from monitor.store.db import head_revision, scripted_head

    assert scripted_head() == head_revision()


@pytest.mark.parametrize("command", [["run"], ["trends"], ["site"], ["digest", "--dry-run"]], ids=" ".join)
def test_a_pass_with_nothing_new_imports_no_model_or_migration_library(tmp_path, site, write_config, current_db,
                                                                         command):
    site.add("/feed.xml", rss([]))
    config = write_config({"feeds": [{"name": "A", "url": site.url("/feed.xml")}], "data_dir": str(tmp_path / "d"),
                           "email": {"to": []}, "alerts": {"email": False}})
    args = ["--config", str(config), *command]
    if command == ["run"]:
        imported_by(args, tmp_path, current_db)  # the first pass; the timed path is the pass after it
    quiet = HEAVY - {"trafilatura"}  # (extraction, which needs it, runs in the crawl's own worker processes)
    imported = imported_by(args, tmp_path, current_db)
    assert not imported & quiet, sorted(imported & quiet)
