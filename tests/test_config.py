"""feeds.yaml validation: one-line errors naming file, field and value; exit status 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
FEED = {"name": "Example", "url": "https://example.org/feed.xml"}


def test_only_feeds_is_a_valid_config(write_config):
    config = load_config(write_config({"feeds": [FEED]}))
    assert config.feeds[0].name == "Example"
    assert config.crawl.per_host == 2 and config.crawl.host_delay == 0.5
    assert config.crawl.max_redirects == 5
    assert config.crawl.feed_max_bytes == 5 * 1024 * 1024 and config.crawl.page_max_bytes == 10 * 1024 * 1024
    assert config.digest.time == "07:00" and config.site.out == "site"
    assert {t.name for t in config.topics}, "default analyst topics are present"


@pytest.mark.parametrize(
    ("data", "fragments"),
    [
        ({"feeds": [FEED], "crawl": {"per_hots": 3}}, ["crawl.per_hots", "unknown key", "3"]),
        ({"feeds": [{"name": "Bad", "url": "htp:/nowhere"}]}, ["feeds[0].url", "htp:/nowhere"]),
        ({"feeds": [{"name": "Bad", "url": "javascript:alert(1)"}]}, ["feeds[0].url", "javascript:alert(1)"]),
        ({"feeds": [FEED, {**FEED, "url": "https://example.com/x"}]}, ["feeds[1].name", "duplicate", "Example"]),
        ({"feeds": [FEED], "digest": {"timezone": "Mars/Olympus"}}, ["digest.timezone", "Mars/Olympus"]),
        ({"feeds": [{"url": "https://example.org/"}]}, ["feeds[0].name", "missing"]),
        ({"feeds": [FEED], "crawl": {"per_host": 0}}, ["crawl.per_host", "0"]),
        ({"feed": [FEED]}, ["feed", "unknown key"]),
    ],
)
def test_bad_values_name_file_field_and_value(write_config, data, fragments):
    path = write_config(data)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("feeds: [\n  - name: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_config(bad)


def test_watchlist_accepts_plain_terms_and_aliases(write_config):
    config = load_config(write_config({"feeds": [FEED], "watchlist": ["Huawei", {"name": "Sberbank", "aliases": ["Сбербанк"]}]}))
    assert [w.name for w in config.watchlist] == ["Huawei", "Sberbank"]
    assert config.watchlist[1].aliases == ("Сбербанк",)


def test_email_from_alias(write_config):
    config = load_config(write_config({"feeds": [FEED], "email": {"from": "Monitor <m@example.org>", "to": ["a@example.org"]}}))
    assert config.email.from_ == "Monitor <m@example.org>"


@pytest.mark.parametrize("where", ["before", "after"])
def test_cli_bad_config_exits_2_with_one_line(write_config, tmp_path, where):
    path = write_config({"feeds": [{"name": "x", "url": "ftp://example.org/feed"}]})
    args = ["--config", str(path), "feeds"] if where == "before" else ["feeds", "--config", str(path)]
    proc = subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True, text=True, cwd=tmp_path, env=_env(tmp_path), timeout=60,
    )
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert str(path) in lines[0] and "feeds[0].url" in lines[0] and "ftp://example.org/feed" in lines[0]


def test_default_feeds_yaml_is_valid_and_broad():
    config = load_config(ROOT / "feeds.yaml")
    assert len(config.feeds) >= 25
    regions = {f.region for f in config.feeds}
    assert {"US", "EU", "UK", "RU", "CN", "IN", "BR", "ZA"} <= regions
    assert len({f.language for f in config.feeds}) >= 3


def _env(tmp_path: Path) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    env["MONITOR_DATABASE_URL"] = f"sqlite:///{tmp_path / 'm.db'}"
    return env
