"""`monitor demo`: the bundled corpus served on loopback, the whole pipeline, outputs under --out."""

from __future__ import annotations

import html
import os
import sqlite3
import subprocess
import sys
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from monitor.demo.corpus import CorpusArticle, planted_spike
from monitor.demo.run import MARKER, demo_corpus, prepare
from monitor.demo.server import DemoServer, article_page, build_routes, feed_path
from monitor.errors import ConfigError

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def hostile() -> CorpusArticle:
    return CorpusArticle("d9999", "Evil <Outlet>", 'Ban on "chips" <script>alert(1)</script> & more',
                         "First sentence <b>bold</b>. Second one & more.", "/evil/d9999.html", NOW, "noise", None)


def test_feeds_and_pages_are_served_and_parse(tmp_path):
    corpus = demo_corpus(NOW, seed=7, days=5)
    with DemoServer() as server:
        server.publish(build_routes(corpus, server.base_url))
        outlet = corpus[0].outlet
        body = urllib.request.urlopen(server.base_url + feed_path(outlet), timeout=5).read()
        page = urllib.request.urlopen(server.base_url + corpus[0].url_path, timeout=5).read().decode()
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(server.base_url + "/nope", timeout=5)
    parsed = feedparser.parse(body)
    assert not parsed.bozo
    assert {e.link for e in parsed.entries} == {server.base_url + a.url_path for a in corpus if a.outlet == outlet}
    assert corpus[0].title in html.unescape(page) and "article:published_time" in page
    assert missing.value.code == 404
    with pytest.raises(OSError):  # stopped: nothing listens any more
        urllib.request.urlopen(server.base_url + "/robots.txt", timeout=2)


def test_untrusted_text_is_escaped_in_feed_and_page():
    article = hostile()
    page = article_page(article)
    assert "<script>" not in page and "&lt;script&gt;" in page and "<b>" not in page
    routes = build_routes([article], "http://127.0.0.1:1")
    feed = routes[feed_path(article.outlet)][1].decode()
    assert "<script>" not in feed and "Evil &lt;Outlet&gt;" in feed
    entry = feedparser.parse(feed).entries[0]
    assert entry.title == article.title


def test_demo_corpus_ends_yesterday_with_the_spike_yesterday():
    corpus = demo_corpus(NOW, seed=7, days=30)
    yesterday = datetime(2026, 11, 19).date()
    assert max(a.published for a in corpus).date() == yesterday
    assert all(a.published < datetime(2026, 11, 20, tzinfo=UTC) for a in corpus)
    topic, _ = planted_spike()
    per_day: dict = {}
    for a in corpus:
        if a.topic == topic:
            per_day[a.published.date()] = per_day.get(a.published.date(), 0) + 1
    assert max(per_day, key=per_day.get) == yesterday


def test_demo_headlines_open_with_a_capital_as_news_headlines_do():
    titles = [a.title for a in demo_corpus(NOW, seed=7, days=30)]
    assert [t for t in titles if t[:1].islower()] == []


def test_prepare_refuses_a_foreign_directory_and_clears_a_previous_demo(tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="not empty"):
        prepare(foreign)
    assert (foreign / "thesis.txt").read_text() == "keep me"
    demo = tmp_path / "demo"
    prepare(demo)
    (demo / "site").mkdir()
    (demo / "site" / "old.html").write_text("old")
    (demo / "notes.txt").write_text("user's own file")
    (demo / "data" / "numba_cache").mkdir(parents=True)
    (demo / "data" / "monitor.db").write_text("old database")
    prepare(demo)
    assert (demo / MARKER).exists() and not (demo / "site").exists()
    assert not (demo / "data" / "monitor.db").exists() and (demo / "data" / "numba_cache").is_dir()
    assert (demo / "notes.txt").exists()


def _survivors(tag: str) -> list[int]:
    """Processes still carrying the demo run's unique environment tag."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if tag.encode() in (proc / "environ").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc to look for leftover processes")
def test_demo_end_to_end_offline(tmp_path):
    tag = f"MONITOR_DEMO_TEST_{uuid.uuid4().hex}"
    out = tmp_path / "demo"
    env = {**os.environ, tag: "1", "MONITOR_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "NO_PROXY": "*"}
    before = datetime.now(UTC)
    done = subprocess.run([sys.executable, "-m", "monitor", "demo", "--out", str(out)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    after = datetime.now(UTC)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert _survivors(tag) == []
    site, digest = out / "site" / "index.html", None
    for line in done.stdout.splitlines():
        if line.startswith("digest:"):
            digest = Path(line.split(":", 1)[1].strip())
    assert f"site:     {site}" in done.stdout
    assert site.exists() and digest is not None and digest.exists()
    assert out in digest.parents
    db = sqlite3.connect(out / "data" / "monitor.db")
    try:
        articles = db.execute("SELECT count(*) FROM article").fetchone()[0]
        alerts = db.execute("SELECT subject_kind, count, day FROM alert WHERE kind = 'spike'").fetchall()
        run = db.execute("SELECT command, status FROM run").fetchall()
    finally:
        db.close()
    assert articles in {len(demo_corpus(before, 7, 30)), len(demo_corpus(after, 7, 30))}
    assert run == [("demo", "ok")]
    spike_days = {(t - timedelta(days=1)).date().isoformat() for t in (before, after)}
    assert any(day in spike_days and count >= 10 for _, count, day in alerts), alerts  # the planted spike
    assert 'id="bloc-' in (out / "site" / "coverage.html").read_text()  # at least one single-bloc story
