"""One analysis of new articles at a time per database: each crawl worker, `monitor run` and a refit analyse,
and two at once would embed, count and place the same articles twice (on PostgreSQL the second one failed on
a duplicate key). A second analysis waits its turn; one that waits too long leaves the articles to the next."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from monitor import lock
from monitor.cli.ops import collect_status
from monitor.config import Config
from monitor.demo.corpus import build_corpus
from monitor.errors import LockedError, MonitorError
from monitor.lock import ANALYSIS_BUSY, analysis_lock, run_lock
from monitor.store import analysis as db
from monitor.topics.service import fit, process_new

T0 = datetime(2026, 5, 1, 8, tzinfo=UTC)


@pytest.fixture
def config(tmp_path) -> Config:
    return Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}], data_dir=str(tmp_path / "data"))


def _held(engine: sa.Engine, seconds: float) -> tuple[threading.Thread, threading.Event, list[float]]:
    """A thread holding the analysis lock for ``seconds`` once ``taken`` is set; ``released`` gets the time."""
    taken, released = threading.Event(), []

    def hold() -> None:
        with analysis_lock(engine, T0, wait=0):
            taken.set()
            time.sleep(seconds)
            released.append(time.monotonic())

    thread = threading.Thread(target=hold)
    thread.start()
    assert taken.wait(10)
    return thread, taken, released


def test_a_waiting_holder_gets_the_lock_once_the_other_lets_go(engine: sa.Engine) -> None:
    thread, _, released = _held(engine, 0.6)
    with run_lock(engine, T0, "analysis", wait=10, busy=ANALYSIS_BUSY):
        got = time.monotonic()
    thread.join()
    assert released and got >= released[0]


def test_a_holder_that_waits_too_long_is_told_who_holds_it(engine: sa.Engine) -> None:
    thread, _, _ = _held(engine, 1.5)
    started = time.monotonic()
    with pytest.raises(LockedError) as refused, analysis_lock(engine, T0, wait=0.3):
        pytest.fail("two analyses at once")
    waited = time.monotonic() - started
    thread.join()
    assert str(refused.value).startswith(ANALYSIS_BUSY) and 0.3 <= waited < 1.5
    with run_lock(engine, T0):  # the run lock is another lock
        pass


def test_two_analyses_at_once_take_turns_and_place_every_article_once(engine: sa.Engine, config: Config) -> None:
    corpus = build_corpus(days=5)
    ids = db.add_corpus(engine, corpus, "http://127.0.0.1:9", T0)
    results: list[dict] = []
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def analyse() -> None:
        start.wait()
        try:
            results.append(process_new(engine, config, T0))
        except BaseException as exc:  # noqa: BLE001 (reported below)
            failures.append(exc)

    threads = [threading.Thread(target=analyse) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert sorted(r["embedded"] for r in results) == [0, len(corpus)]  # the second found nothing left to do
    assert not any("skipped" in r for r in results)
    with engine.connect() as conn:
        members = conn.execute(sa.text("SELECT article_id, count(*) FROM story_member GROUP BY article_id")).all()
        n_docs = conn.execute(sa.text("SELECT n_docs FROM term_stats")).scalar_one()
    assert sorted(a for a, _ in members) == sorted(ids.values()) and {n for _, n in members} == {1}
    assert n_docs == len(corpus)  # each article counted once in the words' document frequencies


def test_an_analysis_that_waits_too_long_leaves_the_articles_to_the_next_pass(
        engine: sa.Engine, config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = build_corpus(days=5)
    ids = db.add_corpus(engine, corpus, "http://127.0.0.1:9", T0)
    monkeypatch.setattr(lock, "ANALYSIS_WAIT", 0.2)
    thread, _, _ = _held(engine, 1.5)
    skipped = process_new(engine, config, T0)
    with pytest.raises(MonitorError) as refit:
        fit(engine, config, T0)
    assert refit.value.exit_code == 1 and ANALYSIS_BUSY in str(refit.value)  # not done: not an overlapping run
    thread.join()
    assert skipped["skipped"].startswith(ANALYSIS_BUSY) and skipped["embedded"] == 0
    assert db.story_of(engine, ids.values()) == {}
    assert collect_status(engine, config, T0)["articles_awaiting_analysis"] == len(corpus)  # `monitor status` says so
    done = process_new(engine, config, T0)
    assert done["embedded"] == len(corpus) and "skipped" not in done
    assert set(db.story_of(engine, ids.values())) == set(ids.values())
    assert collect_status(engine, config, T0)["articles_awaiting_analysis"] == 0
