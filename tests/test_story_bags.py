"""The story pass's counts of the bars' reference articles, kept from one crawl to the next: the same bars
as counting every reference article again, a text read otherwise counted again, older articles dropped."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
import sqlalchemy as sa

from monitor.config import Config
from monitor.demo.corpus import build_corpus
from monitor.store import analysis as db
from monitor.store.db import session_scope
from monitor.store.tables import StoryBag
from monitor.topics import features, service
from monitor.topics.embeddings import model_name
from monitor.topics.service import _furniture, process_new, story_threshold
from monitor.topics.stories import Threshold

T0 = datetime(2026, 5, 1, 8, tzinfo=UTC)


@pytest.fixture
def config(tmp_path) -> Config:
    return Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}], data_dir=str(tmp_path / "data"))


def _threshold(engine: sa.Engine, config: Config) -> Threshold:
    stats = features.from_bytes(*db.term_stats(engine))
    return story_threshold(engine, config, model_name(config.embedding), stats, _furniture(engine, config))


def _kept(engine: sa.Engine) -> dict[int, str]:
    with session_scope(engine) as s:
        return {b.article_id: b.digest for b in s.exec(sa.select(StoryBag)).scalars()}


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The titles ``bags`` counts from now on, as the calibration calls it."""
    titles: list[str] = []
    real = service.bags

    def counting(title: str, text: str, read_details: bool = True) -> features.Bags:
        titles.append(title)
        return real(title, text, read_details)

    monkeypatch.setattr(service, "bags", counting)
    return titles


def _same_bars(a: Threshold, b: Threshold) -> bool:
    assert a.known is not None and b.known is not None
    return a.level == b.level and np.array_equal(a.known.bars, b.known.bars)


def test_the_bars_from_kept_counts_are_the_bars_from_counting_again(engine: sa.Engine, config: Config,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = build_corpus(days=5)
    ids = db.add_corpus(engine, corpus, "http://127.0.0.1:9", T0)
    process_new(engine, config, T0)  # the crawl's update keeps the batch's counts as the reference reads them
    assert set(_kept(engine)) == set(ids.values())

    counted = _counting(monkeypatch)
    kept = _threshold(engine, config)
    assert counted == []  # every reference article read back
    with session_scope(engine) as s:
        s.execute(sa.delete(StoryBag))
    fresh = _threshold(engine, config)
    assert len(counted) == len(corpus)
    assert _same_bars(kept, fresh)
    assert set(_kept(engine)) == set(ids.values())  # counted, and kept again


def test_a_text_read_otherwise_is_counted_again(engine: sa.Engine, config: Config,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = build_corpus(days=5)
    ids = db.add_corpus(engine, corpus, "http://127.0.0.1:9", T0)
    process_new(engine, config, T0)
    before = _kept(engine)
    edited = ids[corpus[3].id]
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE article SET title = :t WHERE id = :a"), {"t": "A different headline", "a": edited})

    counted = _counting(monkeypatch)
    bars = _threshold(engine, config)
    assert counted == ["A different headline"]
    after = _kept(engine)
    assert {a for a in after if after[a] != before[a]} == {edited}
    with session_scope(engine) as s:
        s.execute(sa.delete(StoryBag))
    assert _same_bars(bars, _threshold(engine, config))


def test_another_way_of_reading_counts_every_article_again(engine: sa.Engine, config: Config,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = build_corpus(days=5)
    db.add_corpus(engine, corpus, "http://127.0.0.1:9", T0)
    process_new(engine, config, T0)
    monkeypatch.setattr(features, "STORY_READING", features.STORY_READING + ", changed")
    counted = _counting(monkeypatch)
    _threshold(engine, config)
    assert len(counted) == len(corpus)


def test_counts_of_articles_older_than_the_reference_are_dropped(engine: sa.Engine, config: Config,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = build_corpus(days=5)
    ids = sorted(db.add_corpus(engine, corpus, "http://127.0.0.1:9", T0).values())
    process_new(engine, config, T0)
    newest = len(ids) - 5
    monkeypatch.setattr(service, "CALIBRATION_ARTICLES", newest)
    _threshold(engine, config)
    assert set(_kept(engine)) == set(ids[-newest:])
