"""The c-TF-IDF's word and pair counts: the topic fit's vectorizer gives scikit-learn's vocabulary, to the
order of its entries, and its matrix, each row's entries in column order, on the documents BERTopic hands it
and on any others."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from monitor.demo.corpus import build_corpus
from monitor.topics.model import _vectorizer
from monitor.topics import vocabulary
from monitor.topics.vocabulary import TopicVectorizer

SAMPLES = Path(__file__).parent / "fixtures" / "samples"


def _topics(texts: list[str], n: int) -> list[str]:
    """Texts joined into ``n`` documents, as BERTopic joins a topic's articles."""
    return [" ".join(texts[i::n]) for i in range(n)]


def _cleaned(documents: list[str]) -> list[str]:
    """BERTopic's English cleaning: letters, digits and spaces."""
    return [re.sub(r"[^A-Za-z0-9 ]+", "", d.replace("\n", " ").replace("\t", " ")) for d in documents]


def _texts() -> list[str]:
    samples = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    return samples + [f"{a.title}. {a.text}" for a in build_corpus(days=10)]


def _both(documents: list[str], **settings: object) -> tuple[CountVectorizer, object, TopicVectorizer, object]:
    plain = CountVectorizer(**{**_vectorizer(bounded=True).get_params(), **settings})
    ours = TopicVectorizer(**plain.get_params())
    return plain, plain.fit_transform(documents), ours, ours.fit_transform(documents)


def _assert_same(plain: CountVectorizer, expected: object, ours: TopicVectorizer, got: object) -> None:
    assert list(ours.vocabulary_.items()) == list(plain.vocabulary_.items())
    assert got.shape == expected.shape and got.dtype == expected.dtype and got.has_sorted_indices
    expected.sort_indices()  # each row's entries in column order, as the fit's vectorizer gives them
    for part in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(got, part), getattr(expected, part)), part


@pytest.mark.parametrize("clean", [True, False])
@pytest.mark.parametrize("settings", [{}, {"min_df": 1, "max_df": 1.0}, {"min_df": 3, "max_df": 0.5}])
def test_the_counts_are_scikit_learns_to_the_order_of_their_entries(clean: bool, settings: dict) -> None:
    documents = _topics(_texts(), 12)
    documents = _cleaned(documents) if clean else documents  # raw: hyphens, accents, digits, capitals
    plain, expected, ours, got = _both(documents, **settings)
    assert got.shape[1] > 100 and any(" " in term for term in ours.vocabulary_)  # words and pairs were counted
    _assert_same(plain, expected, ours, got)
    new = _texts()[:3]
    assert np.array_equal(ours.transform(new).toarray(), plain.transform(new).toarray())


@pytest.mark.parametrize("clean", [True, False])
def test_documents_read_in_pieces_count_as_whole_ones(clean: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    documents = _topics(_texts(), 5)
    documents = _cleaned(documents) if clean else documents
    monkeypatch.setattr(vocabulary, "PIECE", 7)  # a piece of a few words: every document is cut many times
    assert len(list(vocabulary._pieces(documents[0]))) > 100
    _assert_same(*_both(documents))


def test_short_empty_and_stop_word_documents_count_as_scikit_learn_counts_them() -> None:
    documents = ["", "the and of it", "a b c 1 2 3 4th x", "Sberbank DeepSeek Sberbank", "sberbank deepseek model",
                 "co-operation café naïve 2024 3d", "deepseek model release"]
    _assert_same(*_both(documents, min_df=1, max_df=1.0))
    _assert_same(*_both(documents, min_df=2, max_df=1.0))
    _assert_same(*_both(["sberbank", "the deepseek", "sberbank of", "deepseek"], min_df=1, max_df=1.0))  # no pair


def test_nothing_to_count_fails_as_scikit_learn_fails() -> None:
    for documents in (["the and of", "it is", ""], ["alpha beta", "gamma delta"]):
        settings = {"min_df": 2, "max_df": 1.0}
        with pytest.raises(ValueError) as expected:
            CountVectorizer(**{**_vectorizer(bounded=True).get_params(), **settings}).fit_transform(documents)
        with pytest.raises(ValueError) as got:
            TopicVectorizer(**{**_vectorizer(bounded=True).get_params(), **settings}).fit_transform(documents)
        assert str(got.value) == str(expected.value)


def test_another_configuration_is_left_to_scikit_learn() -> None:
    documents = _cleaned(_topics(_texts(), 6))
    _assert_same(*_both(documents, ngram_range=(1, 1)))
    _assert_same(*_both(documents, max_features=50))


def test_the_pairs_bound_drops_pairs_one_document_uses_and_keeps_its_words() -> None:
    documents = _topics(_texts(), 12)
    plain = CountVectorizer(**{**_vectorizer(bounded=True).get_params(), "min_df": 1})
    every = plain.fit_transform(documents).tocsc()
    used_by = np.diff((every > 0).astype(np.int32).indptr)
    terms = list(plain.vocabulary_)  # in the order scikit-learn met them
    kept = [t for t in terms if " " not in t or used_by[plain.vocabulary_[t]] >= 2]
    ours = TopicVectorizer(**plain.get_params())
    ours.pairs_min_df = 2
    got = ours.fit_transform(documents)
    assert list(ours.vocabulary_) == kept
    assert any(" " not in t and used_by[plain.vocabulary_[t]] == 1 for t in kept), "a word of one document is kept"
    assert len(kept) < len(terms), "pairs of one document were there to drop"
    assert np.array_equal(got.toarray(), every[:, [plain.vocabulary_[t] for t in sorted(kept)]].toarray())


def test_the_fits_vectorizer_keeps_a_topics_own_words() -> None:
    documents = ["quake struck the coast quake rescue teams", "election vote count coast", "match goal coast vote"]
    vectorizer = _vectorizer(bounded=True)
    vectorizer.fit(documents)
    assert {"quake", "rescue", "election", "goal"} <= set(vectorizer.vocabulary_)
    assert "coast" not in vectorizer.vocabulary_, "a word every topic uses is not one of anyone's keywords"
    assert "quake struck" not in vectorizer.vocabulary_ and "vote" in vectorizer.vocabulary_
