"""feeds.yaml validation: one-line errors naming file, field and value; exit status 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from monitor.config import Config, config_warnings, load_config
from monitor.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
FEED = {"name": "Example", "url": "https://example.org/feed.xml"}


def test_only_feeds_is_a_valid_config(write_config):
    path = write_config({"feeds": [FEED]})
    config = load_config(path)
    assert config.feeds[0].name == "Example"
    assert config.crawl.per_host == 2 and config.crawl.host_delay == 0.5
    assert config.crawl.max_redirects == 5
    assert config.crawl.feed_max_bytes == 5 * 1024 * 1024 and config.crawl.page_max_bytes == 10 * 1024 * 1024
    assert config.digest.time == "07:00" and Path(config.site.out) == path.parent / "site"
    assert {t.name for t in config.topics}, "default analyst topics are present"


@pytest.mark.parametrize(
    ("data", "fragments"),
    [
        ({"feeds": [FEED], "crawl": {"per_hots": 3}},
         ["crawl.per_hots: unknown key, did you mean 'per_host'? (value 3)"]),
        ({"feeds": [FEED], "digets": {"time": "07:00"}}, ["digets: unknown key, did you mean 'digest'?"]),
        ({"feeds": [FEED], "topics": [{"name": "AI", "keywrds": ["a"]}]},
         ["topics[0].keywrds: unknown key, did you mean 'keywords'?"]),
        ({"feeds": [FEED], "flavour": 1}, ["flavour: unknown key (value 1)"]),
        ({"feeds": [{"name": "Bad", "url": "htp:/nowhere"}]}, ["feeds[0].url", "htp:/nowhere"]),
        ({"feeds": [{"name": "Bad", "url": "javascript:alert(1)"}]}, ["feeds[0].url", "javascript:alert(1)"]),
        ({"feeds": [FEED, {**FEED, "url": "https://example.com/x"}]}, ["feeds[1].name", "duplicate", "Example"]),
        ({"feeds": [FEED], "digest": {"timezone": "Mars/Olympus"}}, ["digest.timezone", "Mars/Olympus"]),
        ({"feeds": [{"url": "https://example.org/"}]}, ["feeds[0].name", "missing"]),
        ({"feeds": [FEED], "crawl": {"per_host": 0}}, ["crawl.per_host: must be at least 1 (value 0)"]),
        ({"feeds": [FEED], "trends": {"min_count": "abc"}}, ["trends.min_count: must be a whole number (value 'abc')"]),
        ({"feeds": [FEED], "trends": {"min_count": 2.5}}, ["trends.min_count: must be a whole number (value 2.5)"]),
        ({"feeds": [FEED], "trends": {"z_threshold": "x"}}, ["trends.z_threshold: must be a number (value 'x')"]),
        ({"feeds": [FEED], "embedding": {"backend": "bert"}}, ["embedding.backend: must be one of 'wordllama', ",
                                                               "(value 'bert')"]),
        ({"feed": [FEED]}, ["feed", "unknown key"]),
        ({"feeds": [FEED], "stories": {"similarity": 1.5}}, ["stories.similarity: must be 'auto' or", "(value 1.5)"]),
        ({"feeds": [FEED], "stories": {"similarity": "high"}}, ["stories.similarity: ", "(value 'high')"]),
        ({"feeds": [{**FEED, "tags": 5}]}, ["feeds[0].tags: must be a list", "(value 5)"]),
        ({"feeds": [{**FEED, "language": "english"}]}, ["feeds[0].language: must be an ISO 639-1", "'english'"]),
        ({"feeds": [FEED], "trends": {"min_count": True}}, ["trends.min_count: must be a number, not yes/no"]),
        ({"feeds": [{**FEED, "name": True}]}, ["feeds[0].name: must be text (quote it", "(value True)"]),
        ({"feeds": []}, ["feeds: must have at least 1 item", "(value [])"]),
        ({"feeds": ["just-a-string"]}, ["feeds[0]: must be a mapping of keys to values", "just-a-string"]),
        ({"feeds": [FEED], "digest": {"time": "7am"}}, ["digest.time: must be a time of day as HH:MM", "'7am'"]),
        ({"feeds": [FEED], "schedule": {"refit_time": "25:00"}}, ["schedule.refit_time: must be a time of day"]),
        ({"feeds": [FEED], "topics": [{"name": "AI", "must_mention": ["AI", ""]}]}, ["topics[0].must_mention[1]"]),
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


@pytest.mark.parametrize("where", ["before", "after"])
def test_a_directory_for_config_is_one_line(tmp_path, where):
    args = ["--config", str(tmp_path), "status"] if where == "before" else ["status", "--config", str(tmp_path)]
    proc = subprocess.run([sys.executable, "-m", "monitor", *args], capture_output=True, text=True, cwd=tmp_path,
                          env=_env(tmp_path), timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"monitor: {tmp_path}: is a directory, not a configuration file"


def _env(tmp_path: Path) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    env["MONITOR_DATABASE_URL"] = f"sqlite:///{tmp_path / 'm.db'}"
    return env


@pytest.mark.parametrize(
    ("data", "fragments"),
    [
        ({"feeds": [{"name": "Bad", "url": "http://example.org:99999/feed"}]},
         ["feeds[0].url", "port", "http://example.org:99999/feed"]),
        ({"feeds": [{"name": "Bad", "url": "http://example.org:0/feed"}]}, ["feeds[0].url", "port"]),
        ({"feeds": [FEED], "crawl": {"host_delay": float("inf")}}, ["crawl.host_delay", "inf"]),
        ({"feeds": [FEED], "crawl": {"timeouts": {"total": float("inf")}}}, ["crawl.timeouts.total", "inf"]),
        ({"feeds": [FEED], "crawl": {"timeouts": {"read": float("nan")}}}, ["crawl.timeouts.read", "nan"]),
        ({"feeds": [FEED], "email": {"to": ["a@example.org\r\nBcc: b@example.org"]}},
         ["email.to[0]", "control characters", "Bcc"]),
        ({"feeds": [FEED], "email": {"to": ["a@example.org, b@example.org"]}}, ["email.to[0]", "one email address"]),
        ({"feeds": [FEED], "email": {"to": "nobody"}}, ["email.to[0]", "one email address", "nobody"]),
        ({"feeds": [{"name": "Bad\x00name", "url": "https://example.org/feed"}]}, ["feeds[0].name", "control"]),
        ({"feeds": [FEED], "topics": [{"name": "T\x00"}]}, ["topics[0].name", "control"]),
        ({"feeds": [FEED], "watchlist": ["Hua\x00wei"]}, ["watchlist[0].name", "control"]),
    ],
    ids=["port-99999", "port-0", "host-delay-inf", "total-inf", "read-nan", "to-crlf", "to-two", "to-not-address",
         "feed-nul", "topic-nul", "watch-nul"],
)
def test_values_that_make_no_sense_are_refused(write_config, data, fragments):
    path = write_config(data)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message, message


def test_a_duplicate_top_level_key_is_refused(tmp_path):
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds:\n  - name: A\n    url: https://a.example/feed\n"
                    "site:\n  out: s\n"
                    "feeds:\n  - name: B\n    url: https://b.example/feed\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == (f"{path}: line 6: feeds: duplicate key (value 'feeds'; "
                               "the second would replace the first)")


def test_a_duplicate_nested_key_is_refused(tmp_path):
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds:\n  - name: A\n    url: https://a.example/feed\n    name: B\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 4: name: duplicate key"):
        load_config(path)


def test_email_to_takes_one_string_or_a_list(write_config):
    one = load_config(write_config({"feeds": [FEED], "email": {"to": "Analyst <a@example.org>"}}))
    assert one.email.to == ("Analyst <a@example.org>",)
    many = load_config(write_config({"feeds": [FEED], "email": {"to": ["a@example.org", "b@example.org"]}}))
    assert many.email.to == ("a@example.org", "b@example.org")


def test_config_check_warns_when_emails_cannot_link_to_the_site(write_config, tmp_path):
    feeds = [{"name": "x", "url": "http://127.0.0.1:9/x.xml"}]
    unlinked = write_config({"feeds": feeds, "email": {"to": "analyst@example.org"}})

    def check(path: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "monitor", "--config", str(path), "config", "--check"],
                              capture_output=True, text=True, timeout=60, cwd=tmp_path, stdin=subprocess.DEVNULL)

    warned = check(unlinked)
    assert warned.returncode == 0 and "warning: site.base_url is not set" in warned.stderr
    linked = tmp_path / "linked.yaml"
    linked.write_text(unlinked.read_text(encoding="utf-8") + "site:\n  base_url: https://monitor.example.org/\n",
                      encoding="utf-8")
    quiet = check(linked)
    assert quiet.returncode == 0 and "warning" not in quiet.stderr


def test_an_analyst_topic_without_keywords_is_warned_about() -> None:
    """A topic without keywords earns articles only by strong similarity: valid, but rarely what an
    analyst meant. The default topics all have keywords."""
    feeds = [{"name": "x", "url": "http://127.0.0.1:9/x.xml"}]
    assert not config_warnings(Config(feeds=feeds))
    bare = config_warnings(Config(feeds=feeds, topics=[{"name": "Quantum race"}]))
    described = config_warnings(Config(feeds=feeds, topics=[{"name": "Quantum race",
                                                              "description": "Quantum computing rivalry"}]))
    keyed = config_warnings(Config(feeds=feeds, topics=[{"name": "Quantum race", "keywords": ["qubit"]}]))
    assert len(bare) == 1 and "'Quantum race' has only a name" in bare[0] and "0.50 alike" in bare[0]
    assert len(described) == 1 and "'Quantum race' has no keywords" in described[0]
    assert keyed == []


def test_a_language_code_is_kept_in_lower_case(write_config):
    feeds = [{**FEED, "language": "RU"}, {"name": "B", "url": "https://example.org/b", "language": "pt-BR"}]
    assert [f.language for f in load_config(write_config({"feeds": feeds})).feeds] == ["ru", "pt-br"]


def test_yes_and_no_still_set_a_switch(write_config):
    config = load_config(write_config({"feeds": [FEED], "digest": {"send_empty": True}, "entity_defaults": False}))
    assert config.digest.send_empty is True and config.entity_defaults is False


def test_a_time_of_day_reads_as_written_quoted_or_not(tmp_path):
    """YAML 1.1 reads an unquoted 12:30 as the number 750 (base 60); the configuration reads it as the time it is,
    and numbers as numbers."""
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds:\n  - name: A\n    url: https://a.example/feed\n    poll_minutes: 45\n"
                    "digest:\n  time: 12:30\nschedule:\n  refit_time: '23:05'\n", encoding="utf-8")
    config = load_config(path)
    assert (config.digest.time, config.schedule.refit_time, config.feeds[0].poll_minutes) == ("12:30", "23:05", 45)


def test_an_empty_file_says_so(tmp_path):
    path = tmp_path / "feeds.yaml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="got an empty file"):
        load_config(path)


def test_relative_paths_resolve_beside_the_configuration_file(tmp_path, monkeypatch):
    """A cron job starts in $HOME: the data and the site must land next to feeds.yaml all the same."""
    folder = tmp_path / "cfg"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    feeds = [{"name": "x", "url": "https://example.org/feed"}]
    (folder / "feeds.yaml").write_text(yaml.safe_dump({"feeds": feeds, "site": {"title": "T"}}), encoding="utf-8")
    relative = load_config("cfg/feeds.yaml")
    assert Path(relative.data_dir) == Path("cfg/data") and Path(relative.site.out) == Path("cfg/site")
    (folder / "bare.yaml").write_text(yaml.safe_dump({"feeds": feeds}), encoding="utf-8")
    assert Path(load_config(folder / "bare.yaml").site.out) == folder / "site"
    elsewhere = tmp_path / "www"
    (folder / "abs.yaml").write_text(yaml.safe_dump({"feeds": feeds, "site": {"out": str(elsewhere)}}), encoding="utf-8")
    assert Path(load_config(folder / "abs.yaml").site.out) == elsewhere
