"""OPML import and export of feeds, as feed readers write and read them."""

from __future__ import annotations

import subprocess
from pathlib import Path

from monitor.config import load_config
from monitor.opml import parse_opml
from tests.clikit import run_monitor

CONFIG = """\
# my sources
feeds:
  # --- kept comment ---
  - name: Known
    url: https://known.example/feed.xml
    tags: [government]
    poll_minutes: 60
  # trailing comment in the list

site:
  title: My monitor
"""

READER_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Subscriptions</title></head>
  <body>
    <outline text="Policy" title="Policy">
      <outline type="rss" text="Known again" xmlUrl="https://known.example/feed.xml"/>
      <outline type="rss" text="Known" title="Known" xmlUrl="https://other.example/rss" category="/eu,/ai"/>
      <outline text="Think tanks">
        <outline type="rss" text="Lab &amp; Co" xmlUrl="https://lab.example/atom.xml"/>
      </outline>
    </outline>
    <outline type="rss" text="Broken" xmlUrl="http://broken.example:99999/feed"/>
    <outline type="rss" xmlUrl="https://untitled.example/feed"/>
  </body>
</opml>
"""


def monitor(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_monitor(args, cwd)


def test_import_adds_new_feeds_at_the_end_of_the_list_and_keeps_comments(tmp_path):
    config = tmp_path / "feeds.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    (tmp_path / "reader.opml").write_text(READER_EXPORT, encoding="utf-8")
    result = monitor(["feeds", "import", "reader.opml"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("added 3 feed(s), 1 already configured, 1 refused")
    assert "Broken" in result.stderr and "port" in result.stderr
    text = config.read_text(encoding="utf-8")
    assert "# my sources" in text and "# --- kept comment ---" in text and "# trailing comment" in text
    loaded = load_config(config)
    assert [(f.name, f.url, f.tags) for f in loaded.feeds] == [
        ("Known", "https://known.example/feed.xml", ("government",)),
        ("Known (2)", "https://other.example/rss", ("Policy", "eu", "ai")),
        ("Lab & Co", "https://lab.example/atom.xml", ("Policy", "Think tanks")),
        ("https://untitled.example/feed", "https://untitled.example/feed", ()),
    ]
    assert loaded.feeds[0].poll_minutes == 60 and loaded.site.title == "My monitor"
    again = monitor(["feeds", "import", "reader.opml"], tmp_path)
    assert again.stdout.startswith("added 0 feed(s), 4 already configured")
    assert config.read_text(encoding="utf-8") == text


def test_dry_run_changes_nothing(tmp_path):
    config = tmp_path / "feeds.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    (tmp_path / "reader.opml").write_text(READER_EXPORT, encoding="utf-8")
    result = monitor(["feeds", "import", "--dry-run", "reader.opml"], tmp_path)
    assert result.stdout.startswith("would add 3 feed(s)") and config.read_text(encoding="utf-8") == CONFIG


def test_export_then_import_into_an_empty_reader_round_trips(tmp_path, write_config):
    source = write_config({"feeds": [
        {"name": "A <&> B", "url": "https://a.example/feed?x=1&y=2", "tags": ["eu", "regulator"]},
        {"name": "Сбербанк", "url": "https://b.example/rss"},
    ]}, name="source.yaml")
    exported = monitor(["--config", str(source), "feeds", "export", "-o", "out.opml"], tmp_path)
    assert exported.returncode == 0, exported.stderr
    feeds = parse_opml((tmp_path / "out.opml").read_bytes(), "out.opml")
    assert [(f.name, f.url, f.tags) for f in feeds] == [
        ("A <&> B", "https://a.example/feed?x=1&y=2", ("eu", "regulator")),
        ("Сбербанк", "https://b.example/rss", ()),
    ]
    assert not (tmp_path / "data").exists()  # exporting the list needs no database


def test_entities_are_not_expanded_and_a_non_opml_file_is_one_line(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret", encoding="utf-8")
    hostile = (f'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file://{secret}">]>'
               '<opml version="2.0"><body><outline text="&x;" xmlUrl="https://x.example/feed"/></body></opml>')
    config = tmp_path / "feeds.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    (tmp_path / "hostile.opml").write_text(hostile, encoding="utf-8")
    refused = monitor(["feeds", "import", "hostile.opml"], tmp_path)
    assert refused.returncode == 2 and "top secret" not in refused.stdout + refused.stderr
    assert config.read_text(encoding="utf-8") == CONFIG
    (tmp_path / "notes.opml").write_text("just some notes", encoding="utf-8")
    result = monitor(["feeds", "import", "notes.opml"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("monitor: notes.opml: not an OPML file")
    assert len(result.stderr.strip().splitlines()) == 1 and config.read_text(encoding="utf-8") == CONFIG
