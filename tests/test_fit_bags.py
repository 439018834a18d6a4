"""The topic fit's hashed counts, kept per article for the next fit: the counts of the texts, read again
only for an article whose words read otherwise."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from monitor.store import analysis as db
from monitor.store.db import session_scope
from monitor.store.tables import FitBag
from monitor.topics import features
from monitor.topics.features import Counted, counted
from monitor.topics.service import fit_counts
from mention_kit import add_article, add_feeds, at

TEXTS = ["Sberbank and DeepSeek sign a memorandum in Moscow on open-source models.",
         "The Commerce Department adds Moore Threads to the Entity List over design software.",
         "Arsenal beat Chelsea in the cup final at Wembley.",
         ""]


def _same(a: Counted, b: Counted) -> bool:
    return ((a.words != b.words).nnz == 0 and (a.names != b.names).nnz == 0 and a.stats.n_docs == b.stats.n_docs
            and (a.stats.words == b.stats.words).all() and (a.stats.names == b.stats.names).all())


def _stored(engine: sa.Engine) -> dict[int, tuple[str, bytes]]:
    with session_scope(engine) as s:
        return {b.article_id: (b.digest, bytes(b.words)) for b in s.exec(sa.select(FitBag)).scalars()}


def test_kept_counts_are_the_texts_counts_and_a_text_read_otherwise_is_counted_again(engine: sa.Engine) -> None:
    feed = add_feeds(engine, ["Wire"])["Wire"]
    ids = [add_article(engine, f"a{i}", f"Title {i}", text, feed, at(9, i)) for i, text in enumerate(TEXTS)]
    first = fit_counts(engine, ids, TEXTS)
    assert _same(first, counted(TEXTS))
    kept = _stored(engine)
    assert set(kept) == set(ids)

    assert _same(fit_counts(engine, ids, TEXTS), first)
    assert _stored(engine) == kept
    with session_scope(engine) as s:  # a kept row whose digest still matches is read back, not counted again
        s.execute(sa.update(FitBag).where(FitBag.article_id == ids[0]).values(words=kept[ids[1]][1]))
    read = fit_counts(engine, ids, TEXTS)
    assert (read.words[0] != first.words[1]).nnz == 0 and (read.words[0] != first.words[0]).nnz > 0
    with session_scope(engine) as s:
        s.execute(sa.update(FitBag).where(FitBag.article_id == ids[0]).values(words=kept[ids[0]][1]))

    edited = [*TEXTS[:2], "Arsenal lost to Chelsea in the cup final at Wembley.", TEXTS[3]]
    again = fit_counts(engine, ids, edited)
    assert _same(again, counted(edited)) and not _same(again, first)
    now = _stored(engine)
    assert {i for i in ids if now[i] != kept[i]} == {ids[2]}


def test_counts_kept_by_another_way_of_counting_are_counted_again(engine: sa.Engine,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A new version that counts otherwise (``features.COUNTING``) does not read the old counts back."""
    feed = add_feeds(engine, ["Wire"])["Wire"]
    ids = [add_article(engine, f"a{i}", f"Title {i}", text, feed, at(9, i)) for i, text in enumerate(TEXTS)]
    fit_counts(engine, ids, TEXTS)
    kept = _stored(engine)
    monkeypatch.setattr(features, "COUNTING", features.COUNTING + ", changed")
    assert _same(fit_counts(engine, ids, TEXTS), counted(TEXTS))
    assert all(_stored(engine)[i][0] != kept[i][0] for i in ids)


def test_the_crawls_update_keeps_the_counts_the_first_fit_reads(engine: sa.Engine,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """New articles are counted when they are embedded, as the fit reads them; the first fit then reads
    those counts back and counts nothing. With ``features: embedding`` the fit counts nothing, so neither
    does the update."""
    from monitor.config import Config
    from monitor.demo.corpus import build_corpus
    from monitor.topics import service
    from monitor.topics.embeddings import model_name

    corpus = build_corpus(days=2)
    db.add_corpus(engine, corpus, "http://127.0.0.1:9", at(9, 0))
    config = Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}], embedding={"backend": "tfidf"})
    plain = config.model_copy(update={"topic_model": config.topic_model.model_copy(update={"features": "embedding"})})
    service.process_new(engine, plain, at(9, 1))
    assert _stored(engine) == {}

    with session_scope(engine) as s:
        s.execute(sa.text("DELETE FROM embedding"))
    service.process_new(engine, config, at(9, 1))
    rows = db.fit_corpus(engine, model_name(config.embedding), None)
    docs = [service.words_read(r.title, r.text, config.embedding.max_words) for r in rows]
    kept = _stored(engine)
    assert set(kept) == {r.id for r in rows} and len(rows) == len(corpus)

    def no_count(digest: str, doc: str) -> None:
        raise AssertionError(f"counted again: {doc[:60]}")

    monkeypatch.setattr(service, "_count", no_count)
    assert _same(service.fit_counts(engine, [r.id for r in rows], docs), counted(docs))
    assert _stored(engine) == kept
