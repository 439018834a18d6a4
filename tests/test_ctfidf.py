"""The fit counts c-TF-IDF's words as float64, so that BERTopic's transformer normalises them in place instead
of in a copy: the same weights, entry for entry and in the same order, as from integer counts."""

from __future__ import annotations

import numpy as np
import pytest

from monitor.topics.model import _vectorizer, bertopic
from tests.test_vocabulary import _texts
from tests.test_vocabulary import _topics as _joined


def _topics() -> list[str]:
    return _joined(_texts(), 9)  # the samples and the demo's articles, joined as BERTopic joins a topic's


@pytest.mark.parametrize("settings", [{}, {"reduce_frequent_words": True}, {"bm25_weighting": True}])
def test_the_weights_are_those_of_integer_counts_entry_for_entry(settings: dict) -> None:
    bertopic()  # imported as the fit imports it (umap warns on a plain import)
    from bertopic.vectorizers import ClassTfidfTransformer

    ours = _vectorizer(bounded=True)
    plain = _vectorizer(bounded=True).set_params(dtype=np.int64)
    counts, integers = ours.fit_transform(_topics()), plain.fit_transform(_topics())
    assert counts.dtype == np.float64 and integers.dtype == np.int64
    expected = ClassTfidfTransformer(**settings).fit(integers).transform(integers)
    got = ClassTfidfTransformer(**settings).fit(counts).transform(counts)
    assert got.dtype == expected.dtype == np.float64 and got.shape == expected.shape and got.nnz > 1000
    for part in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(got, part), getattr(expected, part)), part


@pytest.mark.parametrize(("handed", "last"), [(False, "Dj vu the cooperation of 2024 ends"),
                                              (True, "Déjà vu: the co-operation of 2024 ends.")])
def test_the_documents_are_cleaned_as_bertopic_cleans_them_when_read(handed: bool, last: str) -> None:
    model_class, _ = bertopic()
    documents = np.array(_topics() + ["", "\n\t", "Déjà vu: the co-operation\tof 2024\nends."], dtype=object)
    # handed the embeddings, as in the fit, BERTopic only makes line breaks and tabs spaces; else it keeps
    # ASCII letters, digits and spaces alone
    model = model_class(embedding_model="a model named" if handed else None)
    cleaned = model._preprocess_text(documents)
    assert not isinstance(cleaned, list)  # a view that cleans each document when it is read
    expected = model_class.__mro__[1]._preprocess_text(model, documents)  # BERTopic's own, all at once
    assert len(cleaned) == len(expected) and list(cleaned) == expected
    assert cleaned[-1] == expected[-1] == last and cleaned[-3] == "emptydoc"
    assert cleaned[1:3] == expected[1:3]
