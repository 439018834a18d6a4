"""The command line: help everywhere, light start-up paths, export through the CLI."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest

from monitor.cli import cli
from tests.clikit import run_monitor
from tests.feedkit import Item, page, rss, sample_texts

HEAVY = ("torch", "bertopic", "umap", "hdbscan", "sklearn", "wordllama", "sentence_transformers", "trafilatura")


def walk(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from walk(command, (*prefix, name))


COMMANDS = list(walk(cli))


def run(args: list[str], cwd: Path, db: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_monitor(args, cwd, db, python_flags=extra)


def test_the_ingestion_commands_exist():
    assert {("crawl",), ("feeds",), ("export",), ("db",), ("db", "upgrade")} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help(path):
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output and "--help" in result.output
    command = cli
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    assert command.help or command.short_help, f"{' '.join(path)} has no help text"
    if not isinstance(command, click.Group) and path != ("demo",):  # the demo writes its own config
        assert "--config" in result.output, f"{' '.join(path)} does not take --config after its name"


def published_feed(site) -> str:
    site.add("/a.html", page("Sberbank and DeepSeek", sample_texts()[0]))
    now = datetime.now(UTC)
    return site.add("/feed.xml", rss([Item("Sberbank & DeepSeek <AI>", site.url("/a.html"), published=now - timedelta(hours=1))]))


def test_crawl_feeds_and_export_through_the_cli(site, tmp_path, write_config):
    config = write_config({"feeds": [{"name": "Fixture", "url": published_feed(site)}], "crawl": {"host_delay": 0}})
    db = f"sqlite:///{tmp_path / 'data' / 'monitor.db'}"
    crawl = run(["crawl", "--config", str(config), "--no-analysis"], tmp_path, db)
    assert crawl.returncode == 0, crawl.stderr
    assert "1 new article " in crawl.stdout
    feeds = run(["--config", str(config), "feeds"], tmp_path, db)
    assert feeds.returncode == 0 and "Fixture" in feeds.stdout and "ok" in feeds.stdout
    jsonl = run(["export", "--config", str(config), "--format", "jsonl"], tmp_path, db)
    record = json.loads(jsonl.stdout.splitlines()[0])
    assert record["title"] == "Sberbank & DeepSeek <AI>" and record["status"] == "extracted"
    assert "Vedyakhin" in record["text"]
    rows = list(csv.DictReader(io.StringIO(run(["export", "--format", "csv", "--config", str(config)], tmp_path, db).stdout)))
    assert rows[0]["canonical_url"] == record["canonical_url"] and rows[0]["feed"] == "Fixture"
    later = run(["export", "--config", str(config), "--since", "2999-01-01"], tmp_path, db)
    assert later.returncode == 0 and later.stdout == ""


@pytest.mark.parametrize("args", [["feeds"], ["export"], ["crawl"]], ids=" ".join)
def test_light_commands_import_no_heavy_library(site, tmp_path, write_config, args):
    config = write_config({"feeds": [{"name": "Fixture", "url": published_feed(site), "poll_minutes": 600}],
                           "crawl": {"host_delay": 0, "extract_workers": 0}})
    db = f"sqlite:///{tmp_path / 'monitor.db'}"
    assert run(["--config", str(config), "crawl", "--no-analysis"], tmp_path, db).returncode == 0
    # Second time round nothing is due: `crawl` with nothing new must stay light too.
    result = run(["--config", str(config), *args], tmp_path, db, "-X", "importtime")
    assert result.returncode == 0, result.stderr
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "import time" in line}
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))


def test_missing_config_exits_2(tmp_path):
    result = run(["feeds"], tmp_path, f"sqlite:///{tmp_path / 'm.db'}")
    assert result.returncode == 2
    assert result.stderr.strip() == "monitor: feeds.yaml: file not found"


def _field_paths(model: type, prefix: str = "") -> list[str]:
    from pydantic import BaseModel

    paths = []
    for name, field in model.model_fields.items():
        key = field.alias or name
        paths.append(prefix + key)
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and prefix == "":
            paths += _field_paths(annotation, f"{key}.")
    return paths


def test_readme_documents_every_command_and_setting():
    from monitor.config import Config

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    lines = readme.splitlines()
    for path in COMMANDS:
        documented = any(f"monitor {path[0]}" in line and all(p in line for p in path[1:]) for line in lines)
        assert documented, f"README lacks `monitor {' '.join(path)}`"
    for path in _field_paths(Config):
        assert f"{path.rsplit('.', 1)[-1]}:" in readme, f"README does not document {path}"
