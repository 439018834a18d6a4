"""Where the data goes: data_dir and the default database sit next to the configuration file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from monitor.config import load_config

FEEDS = [{"name": "A", "url": "http://127.0.0.1:9/feed.xml"}]


def write(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_a_relative_data_dir_is_relative_to_the_config_file(tmp_path):
    assert load_config(write(tmp_path / "other" / "feeds.yaml", {"feeds": FEEDS})).data_dir == str(
        tmp_path / "other" / "data")
    custom = load_config(write(tmp_path / "x" / "feeds.yaml", {"feeds": FEEDS, "data_dir": "state"}))
    assert custom.data_dir == str(tmp_path / "x" / "state")
    absolute = load_config(write(tmp_path / "y" / "feeds.yaml", {"feeds": FEEDS, "data_dir": str(tmp_path / "abs")}))
    assert absolute.data_dir == str(tmp_path / "abs")


def test_status_with_another_config_never_creates_data_in_the_working_directory(tmp_path):
    write(tmp_path / "other" / "feeds.yaml", {"feeds": FEEDS})
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    result = subprocess.run([sys.executable, "-m", "monitor", "--config", "other/feeds.yaml", "status"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "data").exists()
    database = tmp_path / "other" / "data" / "monitor.db"
    assert database.exists()
    assert f"creating the database {database}" in result.stderr  # said where it is


def test_the_environment_url_still_wins(tmp_path):
    write(tmp_path / "other" / "feeds.yaml", {"feeds": FEEDS})
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    env["MONITOR_DATABASE_URL"] = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    result = subprocess.run([sys.executable, "-m", "monitor", "status", "--config", "other/feeds.yaml"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "elsewhere.db").exists() and not (tmp_path / "other" / "data").exists()
