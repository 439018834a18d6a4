"""The command line behaves the same everywhere: --config position, help on every option, --since forms."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import click
import pytest

from monitor.cli import cli
from tests.clikit import run_monitor


def walk(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from walk(command, (*prefix, name))


def monitor(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_monitor(args, cwd, f"sqlite:///{cwd / 'monitor.db'}")


@pytest.fixture
def elsewhere(tmp_path: Path, write_config) -> tuple[Path, Path]:
    """A working directory without feeds.yaml, and a config file somewhere else."""
    config = write_config({"feeds": [{"name": "A", "url": "http://127.0.0.1:9/feed.xml"}]}, name="other.yaml")
    work = tmp_path / "work"
    work.mkdir()
    return work, config


def test_every_option_has_help_text():
    missing = [f"{' '.join(path) or 'monitor'} {param.opts[0]}"
               for path, command in [((), cli), *walk(cli)]
               for param in command.params
               if isinstance(param, click.Option) and not param.help]
    assert missing == []


def test_every_output_option_has_the_short_o():
    """A folder (--out) or a file (--output): either way -o names where the output goes."""
    outputs = [(" ".join(path), param.opts) for path, command in walk(cli) for param in command.params
               if isinstance(param, click.Option) and {"--out", "--output"} & set(param.opts)]
    assert len(outputs) >= 4
    assert [(path, opts) for path, opts in outputs if "-o" not in opts] == []


def test_every_group_takes_config_after_its_name():
    groups = [path for path, command in walk(cli) if isinstance(command, click.Group)]
    assert groups
    for path, command in walk(cli):
        if isinstance(command, click.Group):
            assert any("--config" in p.opts for p in command.params), " ".join(path)


@pytest.mark.parametrize("args", [["topics", "--config", "{c}", "list"], ["db", "--config", "{c}", "upgrade"],
                                  ["topics", "list", "--config", "{c}"], ["--config", "{c}", "db", "upgrade"]],
                         ids=" ".join)
def test_config_before_or_after_a_group_name(elsewhere, args):
    work, config = elsewhere
    result = monitor([a.format(c=config) for a in args], work)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("command", [["export"], ["stories"], ["alerts"]], ids=" ".join)
@pytest.mark.parametrize("since", ["2026-01-01", "3d", "12h", "2026-01-01T06:00:00+02:00"])
def test_since_takes_the_same_forms_everywhere(elsewhere, command, since):
    work, config = elsewhere
    result = monitor(["--config", str(config), *command, "--since", since], work)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("command", [["stories"], ["alerts"], ["feeds"], ["status"], ["topics", "list"], ["trends"]],
                         ids=" ".join)
def test_json_output_is_valid_json_even_with_nothing_to_show(elsewhere, command):
    work, config = elsewhere
    result = monitor(["--config", str(config), *command, "--json"], work)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    if command[0] in {"stories", "alerts", "topics", "trends"}:
        assert shown == []
    else:
        assert shown  # the feed's health, the status: there before any run


def test_a_new_monitor_says_why_it_has_no_alerts_yet(elsewhere, write_config):
    work, config = elsewhere
    result = monitor(["--config", str(config), "alerts"], work)
    assert result.returncode == 0, result.stderr
    assert "no alerts: a day alerts once articles were stored on 7 of the 14 days before it, and 0 of today's" \
        in result.stdout
    quiet = write_config({"feeds": [{"name": "A", "url": "http://127.0.0.1:9/feed.xml"}],
                          "trends": {"min_history_days": 0}}, name="quiet.yaml")
    assert monitor(["--config", str(quiet), "alerts"], work).stdout.strip() == "no alerts"


@pytest.mark.parametrize("command", [["export"], ["stories"], ["alerts"]], ids=" ".join)
def test_a_bad_since_is_refused_the_same_way_everywhere(elsewhere, command):
    work, config = elsewhere
    result = monitor(["--config", str(config), *command, "--since", "yesterday"], work)
    assert result.returncode == 2
    assert "--since" in result.stderr and "72h, 3d, 2w, YYYY-MM-DD" in result.stderr


def test_csv_export_drops_control_characters_but_keeps_line_breaks():
    import csv
    import io

    from monitor.store.export import EXPORT_FIELDS, write_csv

    record = dict.fromkeys(EXPORT_FIELDS)
    record.update({"title": "Bell\x07 and \x1b[31mred\x00", "text": "line one\nline\ttwo\x85", "id": 7})
    out = io.StringIO()
    write_csv([record], out)
    (row,) = csv.DictReader(io.StringIO(out.getvalue()))
    assert (row["title"], row["text"], row["id"]) == ("Bell and [31mred", "line one\nline\ttwo", "7")
