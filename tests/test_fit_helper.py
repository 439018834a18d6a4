"""A large fit's helper processes (``monitor.topics.helper``): real child processes, the same result as
the fit alone, and a helper that dies costs the fit nothing."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from monitor.config import Config
from monitor.demo.corpus import build_corpus
from monitor.topics import helper as helpers
from monitor.topics.helper import APART_FROM, Helper, fit_helper
from monitor.topics.labels import Corpus


def _articles(seed: int = 5) -> tuple[list[str], list[str]]:
    corpus = build_corpus(seed=seed)
    return [a.title for a in corpus], [a.text for a in corpus]


@pytest.mark.parametrize("piece", [helpers.PIECE, 11], ids=["one-piece", "pieces-of-11"])
def test_the_helper_reads_the_names_the_fit_would(piece: int, monkeypatch: pytest.MonkeyPatch) -> None:
    titles, bodies = _articles()
    assert 11 < len(bodies) < helpers.PIECE and len(bodies) % 11  # one piece; or pieces ending with a shorter one
    monkeypatch.setattr(helpers, "PIECE", piece)  # the texts follow the request in pieces of this many
    helper = Helper(compile_first=False)
    try:
        helper.names(titles, bodies)
        read = helper.corpus()
    finally:
        helper.close()
    assert read == Corpus.of(titles, bodies)
    assert read is not None and any(read.names) and len(read.plain) == len(titles) and any(read.plain)


@pytest.mark.parametrize("piece", [helpers.PIECE, 11], ids=["one-piece", "pieces-of-11"])
def test_the_helper_finds_the_keyword_hits_the_fit_would(piece: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor.topics.seeding import keyword_hits, keyword_matchers

    monkeypatch.setattr(helpers, "PIECE", piece)
    titles, bodies = _articles()
    docs = [f"{t}. {b}" for t, b in zip(titles, bodies, strict=True)]
    keywords = [s.keywords for s in Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}]).topics]
    helper = Helper(compile_first=False)
    assert helper.free_at_start
    try:
        helper.find_hits(docs, keywords)
        found = helper.hits()
    finally:
        helper.close()
    expected = keyword_hits(docs, keyword_matchers(keywords))
    assert found is not None and found.shape == expected.shape and (found == expected).all()
    assert found.sum() > 0  # the demo corpus names some of the default topics' keywords


def test_nothing_to_read_gives_no_hits_and_no_names() -> None:
    helper = Helper(compile_first=False)
    try:
        helper.find_hits([], [["chips"], ["sanctions", "export controls"]])
        found = helper.hits()
        helper.names([], [])
        read = helper.corpus()
    finally:
        helper.close()
    assert found is not None and found.shape == (0, 2)
    assert read == Corpus.of([], [])


def test_only_a_large_fit_on_several_cores_takes_a_helper() -> None:
    with fit_helper(APART_FROM - 1) as small:
        assert small is None
    with fit_helper(APART_FROM) as large:
        assert (large is not None) == ((__import__("os").cpu_count() or 1) > 1)


def _fit(tmp_path: Path, helper: Helper | None) -> tuple[list[int], list[tuple[str, tuple[str, ...]]]]:
    from monitor.topics.embeddings import document, load_embedder
    from monitor.topics.model import fit_bertopic, numba_cache

    numba_cache(tmp_path)
    config = Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}])
    corpus = build_corpus(seed=11)
    embedder = load_embedder(config.embedding)
    docs = [document(a.title, a.text, config.embedding.max_words) for a in corpus]
    _, fitted = fit_bertopic(docs, embedder.embed(docs), config.topics, embedder, config.topic_model,
                             [a.title for a in corpus], [a.text for a in corpus], None, helper)
    return fitted.labels, [(t.label, t.headlines) for t in fitted.topics]


@pytest.mark.slow
def test_a_fit_with_helpers_gives_the_topics_and_labels_of_a_fit_alone(tmp_path: Path) -> None:
    alone = _fit(tmp_path, None)
    helper = Helper(compile_first=True)  # the compiling helper imports BERTopic, as on first use
    try:
        assert _fit(tmp_path, helper) == alone
    finally:
        helper.close()
    assert helper._compiler is not None and helper._compiler.returncode == 0
    warm = Helper(compile_first=False)  # nothing to compile: a helper finds the keywords' hits, another the names
    try:
        assert _fit(tmp_path, warm) == alone
    finally:
        warm.close()
    assert len(warm._asked) == 2 and all(p.returncode == 0 for p in warm._asked)


@pytest.mark.slow
def test_a_helper_that_dies_costs_the_fit_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    alone = _fit(tmp_path, None)
    monkeypatch.setattr(helpers, "COMMAND", (sys.executable, "-c", "import sys; sys.exit(3)"))
    for compile_first in (True, False):
        helper = Helper(compile_first=compile_first)
        try:
            with caplog.at_level(logging.WARNING, "monitor.topics.helper"):
                assert _fit(tmp_path, helper) == alone
        finally:
            helper.close()
    failed = [r.getMessage() for r in caplog.records if "topic fit helper failed" in r.getMessage()]
    assert any("hits" in m for m in failed) and sum("names" in m for m in failed) == 2


@pytest.mark.slow
@pytest.mark.skipif((__import__("os").cpu_count() or 1) < 2, reason="a fit takes helpers on two cores or more")
def test_a_stored_corpus_fits_the_same_when_helpers_read_its_texts_from_the_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """``monitor topics fit`` end to end: with helpers, the fit sends the names helper its texts read again
    from the store (``service.StoredTexts``) a piece at a time; the same topics, names, keywords, headlines
    and assignments as a fit that reads every text itself."""
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from monitor.store import analysis as db
    from monitor.store.db import make_engine, upgrade
    from monitor.topics.service import fit

    now = datetime(2026, 7, 1, tzinfo=UTC)

    def fitted(name: str, apart_from: int) -> tuple[list[tuple], list[tuple]]:
        url = f"sqlite:///{tmp_path / name}.db"
        engine = make_engine(url)
        upgrade(engine, url)
        config = Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}], data_dir=str(tmp_path / name))
        db.add_corpus(engine, build_corpus(seed=3, days=12), "http://127.0.0.1:9", now)
        monkeypatch.setattr(helpers, "APART_FROM", apart_from)
        fit(engine, config, now)
        topics = sorted((t.name, t.keywords, t.headlines, t.size) for t in db.list_topics(engine, active_only=False))
        with engine.connect() as conn:
            assigned = sorted(conn.execute(sa.text("SELECT article_id, topic_id FROM article_topic")).all())
        return topics, assigned

    alone = fitted("alone", 10 ** 9)
    monkeypatch.setattr(helpers, "PIECE", 40)  # several pieces, each read from the store as it is sent
    with caplog.at_level(logging.WARNING, "monitor.topics.helper"):
        helped = fitted("helped", 10)
    assert not [r for r in caplog.records if "helper failed" in r.getMessage()]
    assert helped == alone
    assert any(headlines for _, _, headlines, _ in alone[0]) and len(alone[1]) > 100


def test_the_helper_reads_the_names_of_texts_read_again_from_the_store(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, datetime

    from monitor.store import analysis as db
    from monitor.store.db import make_engine, upgrade
    from monitor.topics.service import StoredTexts

    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    engine = make_engine(url)
    upgrade(engine, url)
    articles = build_corpus(seed=3, days=5)
    ids = db.add_corpus(engine, articles, "http://127.0.0.1:9", datetime(2026, 7, 1, tzinfo=UTC))
    titles, bodies = [a.title for a in articles], [a.text for a in articles]
    monkeypatch.setattr(helpers, "PIECE", 11)  # each piece one query, as it is sent
    helper = Helper(compile_first=False)
    try:
        helper.names(titles, StoredTexts(engine, [ids[a.id] for a in articles], frozenset()))
        read = helper.corpus()
    finally:
        helper.close()
    assert read == Corpus.of(titles, bodies) and len(bodies) > 3 * 11
