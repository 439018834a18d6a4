"""``monitor lists update`` against a loopback server: conditional GET, files kept on disk, a failing
list reported while the others update; the listed scanner reads what is on disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from monitor.config import load_config
from monitor.lists import listed_scanner
from monitor.lists.update import update_lists

LISTS = Path(__file__).resolve().parent / "fixtures" / "lists"
FEED = {"name": "Example", "url": "http://127.0.0.1:9/feed.xml"}
NOW = datetime(2026, 10, 2, 8, 0, tzinfo=UTC)


def run_cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    return subprocess.run([sys.executable, "-m", "monitor", "lists", "update", "--config", str(config), *args],
                          capture_output=True, text=True, cwd=config.parent, env=env, timeout=120)


def test_update_fetches_then_gets_304_and_keeps_the_files(site, write_config, tmp_path):
    site.add("/sdn.xml", (LISTS / "sdn.xml").read_bytes(), etag='"v1"', headers={"Content-Type": "application/xml"})
    site.add("/eu.xml", (LISTS / "eu.xml").read_bytes(), headers={"Last-Modified": "Wed, 01 Oct 2026 10:00:00 GMT"})
    config = load_config(write_config({"feeds": [FEED], "lists": [
        {"name": "ofac-sdn", "format": "ofac-sdn-xml", "url": site.url("/sdn.xml")},
        {"name": "eu", "format": "eu-xml", "url": site.url("/eu.xml")}]}))
    sources = list(config.lists)
    first = update_lists(config, sources, NOW)
    assert [(r.name, r.status, r.parties) for r in first] == [("ofac-sdn", "updated", 3), ("eu", "updated", 2)]
    stored = tmp_path / "data" / "lists"
    assert (stored / "ofac-sdn.xml").read_bytes() == (LISTS / "sdn.xml").read_bytes()
    assert json.loads((stored / "ofac-sdn.meta.json").read_text(encoding="utf-8"))["etag"] == '"v1"'

    second = update_lists(config, sources, NOW)  # sdn: 304; eu: the same bytes again
    assert [(r.name, r.status, r.parties) for r in second] == [("ofac-sdn", "unchanged", 3), ("eu", "unchanged", 2)]
    conditional = [headers for _, path, headers in site.requests if path == "/sdn.xml"][-1]
    assert conditional.get("If-None-Match") == '"v1"'
    eu_headers = [headers for _, path, headers in site.requests if path == "/eu.xml"][-1]
    assert eu_headers.get("If-Modified-Since") == "Wed, 01 Oct 2026 10:00:00 GMT"


def test_a_failing_list_is_reported_and_the_others_still_update(site, write_config, tmp_path):
    site.add("/csl.json", (LISTS / "csl.json").read_bytes(), headers={"Content-Type": "application/json"})
    site.add("/broken.xml", b"<html><body>Service unavailable</body></html>")
    local = tmp_path / "uk-copy.xml"
    local.write_bytes((LISTS / "uk.xml").read_bytes())
    path = write_config({"feeds": [FEED], "lists": [
        {"name": "csl", "format": "csl-json", "url": site.url("/csl.json")},
        {"name": "gone", "format": "ofac-sdn-xml", "url": site.url("/missing.xml")},
        {"name": "broken", "format": "eu-xml", "url": site.url("/broken.xml")},
        {"name": "uk", "format": "uk-xml", "path": "uk-copy.xml"}]})  # relative to the config file
    proc = run_cli(path)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["csl", "updated", "3", "parties"]
    assert lines[1].startswith("gone") and "failed: HTTP 404" in lines[1]
    assert lines[2].startswith("broken") and "failed: no entries found" in lines[2]
    assert lines[3].split() == ["uk", "updated", "2", "parties"]
    stored = tmp_path / "data" / "lists"
    assert sorted(p.name for p in stored.iterdir()) == ["csl.json", "csl.meta.json", "uk.meta.json", "uk.xml"]

    scanner = listed_scanner(load_config(path))
    assert [m.key for m in scanner.scan("Sberbank and Alexander Vedyakhin")] == ["csl:36", "uk:RUS0263", "uk:RUS0999"]
    assert run_cli(path, "--list", "uk").returncode == 0  # only the local list: it did not change


def test_a_failed_update_keeps_the_previous_copy(site, write_config, tmp_path):
    site.add("/sdn.xml", (LISTS / "sdn.xml").read_bytes())
    path = write_config({"feeds": [FEED], "lists": [
        {"name": "ofac-sdn", "format": "ofac-sdn-xml", "url": site.url("/sdn.xml")}]})
    config = load_config(path)
    assert update_lists(config, list(config.lists), NOW)[0].status == "updated"
    before = listed_scanner(config)
    site.add("/sdn.xml", b"<sdnList><sdnEntry>")  # the publisher serves half a file
    [result] = update_lists(config, list(config.lists), NOW)
    assert result.status == "failed" and "not a valid ofac-sdn-xml file" in (result.error or "")
    after = listed_scanner(config)
    assert after.signature == before.signature and len(after.parties) == 3


def test_nothing_configured_nothing_fetched(write_config, tmp_path):
    path = write_config({"feeds": [FEED]})
    proc = run_cli(path)
    assert proc.returncode == 0 and "no lists configured" in proc.stdout
    scanner = listed_scanner(load_config(path))
    assert scanner.scan("Sberbank") == [] and scanner.parties == ()
    assert not (tmp_path / "data" / "lists").exists()


def test_a_configured_list_not_yet_downloaded_is_skipped(write_config, site):
    path = write_config({"feeds": [FEED], "lists": [
        {"name": "eu", "format": "eu-xml", "url": site.url("/eu.xml")}]})
    assert listed_scanner(load_config(path)).scan("Sberbank of Russia") == []
    assert site.requests == []  # the scanner never fetches


def test_bad_list_config_is_a_one_line_error(write_config, tmp_path):
    for lists, fragment in [
        ([{"name": "x", "format": "eu-xml"}], "give exactly one of url and path"),
        ([{"name": "x", "format": "pdf", "path": "a.pdf"}], "lists[0].format"),
        ([{"name": "Bad Name", "format": "eu-xml", "path": "a"}], "lists[0].name"),
        ([{"name": "x", "format": "eu-xml", "path": "a"}, {"name": "x", "format": "uk-xml", "path": "b"}], "duplicate"),
    ]:
        path = write_config({"feeds": [FEED], "lists": lists})
        proc = run_cli(path)
        assert proc.returncode == 2, proc.stdout
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and fragment in lines[0] and str(path) in lines[0]


def test_help():
    proc = subprocess.run([sys.executable, "-m", "monitor", "lists", "update", "--help"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0 and "--config" in proc.stdout and "conditional GET" in proc.stdout


def test_the_sdn_csv_and_its_aliases_file_are_fetched_with_conditional_gets(site, write_config, tmp_path):
    site.add("/sdn.csv", (LISTS / "sdn.csv").read_bytes(), etag='"s1"', headers={"Content-Type": "text/csv"})
    site.add("/alt.csv", (LISTS / "alt.csv").read_bytes(), etag='"a1"', headers={"Content-Type": "text/csv"})
    path = write_config({"feeds": [FEED], "lists": [{"name": "ofac-sdn", "format": "ofac-sdn-csv",
                                                     "url": site.url("/sdn.csv"), "aliases_url": site.url("/alt.csv")}]})
    config = load_config(path)
    assert [(r.status, r.parties) for r in update_lists(config, list(config.lists), NOW)] == [("updated", 3)]
    stored = tmp_path / "data" / "lists"
    assert (stored / "ofac-sdn.csv").read_bytes() == (LISTS / "sdn.csv").read_bytes()
    assert (stored / "ofac-sdn.alt.csv").read_bytes() == (LISTS / "alt.csv").read_bytes()
    [mention] = listed_scanner(config).scan("Сбербанк России reported a profit.")
    assert (mention.key, mention.detail[:2]) == ("ofac-sdn:36", (("list", "ofac-sdn"), ("programme", "RUSSIA-EO14024")))

    assert update_lists(config, list(config.lists), NOW)[0].status == "unchanged"  # both 304
    last = {p: headers for _, p, headers in site.requests}
    assert (last["/sdn.csv"].get("If-None-Match"), last["/alt.csv"].get("If-None-Match")) == ('"s1"', '"a1"')

    added = b'36,105,"aka","SBERBANK FIXTURE HOLDING",-0- \r\n\x1a'
    site.add("/alt.csv", (LISTS / "alt.csv").read_bytes().replace(b"\x1a", added), etag='"a2"')  # only alt.csv changes
    assert update_lists(config, list(config.lists), NOW)[0].status == "updated"
    meta = json.loads((stored / "ofac-sdn.meta.json").read_text(encoding="utf-8"))
    assert (meta["etag"], meta["aliases"]["etag"]) == ('"s1"', '"a2"')
    assert [m.key for m in listed_scanner(config).scan("Sberbank Fixture Holding")] == ["ofac-sdn:36"]


def test_a_broken_aliases_file_fails_the_list_naming_it_and_keeps_the_copy(site, write_config, tmp_path):
    (tmp_path / "sdn.csv").write_bytes((LISTS / "sdn.csv").read_bytes())
    (tmp_path / "alt.csv").write_bytes((LISTS / "alt.csv").read_bytes())
    path = write_config({"feeds": [FEED], "lists": [
        {"name": "ofac-sdn", "format": "ofac-sdn-csv", "path": "sdn.csv", "aliases_path": "alt.csv"}]})
    assert run_cli(path).stdout.split()[:3] == ["ofac-sdn", "updated", "3"]
    (tmp_path / "alt.csv").write_bytes(b"<html><body>Service unavailable</body></html>")
    proc = run_cli(path)
    assert proc.returncode == 1
    [line] = proc.stdout.splitlines()
    assert line.startswith("ofac-sdn") and "failed: not a valid ofac-sdn-csv file: alt.csv line 1" in line
    stored = tmp_path / "data" / "lists" / "ofac-sdn.alt.csv"
    assert stored.read_bytes() == (LISTS / "alt.csv").read_bytes()
    assert [m.key for m in listed_scanner(load_config(path)).scan("German Gref")] == ["ofac-sdn:7001"]


def test_aliases_are_only_for_the_sdn_csv(write_config):
    for entry, fragment in [
        ({"format": "eu-xml", "path": "eu.xml", "aliases_path": "alt.csv"}, "are for format ofac-sdn-csv, not eu-xml"),
        ({"format": "ofac-sdn-csv", "path": "sdn.csv", "aliases_path": "alt.csv",
          "aliases_url": "http://127.0.0.1:9/alt.csv"}, "at most one of aliases_url and aliases_path"),
    ]:
        path = write_config({"feeds": [FEED], "lists": [{"name": "x", **entry}]})
        proc = run_cli(path)
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert proc.returncode == 2 and len(lines) == 1 and fragment in lines[0] and str(path) in lines[0]
