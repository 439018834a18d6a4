"""The word and word-pair counts of BERTopic's c-TF-IDF, counted without a string per pair.

BERTopic joins each topic's articles into one document and counts its words and pairs of words
(scikit-learn's ``CountVectorizer``, ``ngram_range=(1, 2)``, English stop words), then drops the
terms too few or too many topics use. scikit-learn makes a string of every pair it meets and
looks it up in a dictionary: at 50,000 news-length articles, some millions of pairs, most of which
only one topic uses and which are dropped at once, and the longest step of a fit after UMAP.

``TopicVectorizer`` gives the same vocabulary and counts (``tests/test_vocabulary.py`` compares the
two) from integer codes: each word gets a number, a pair the two numbers, and only the pairs that are
kept become strings. A document that holds only lower-case ASCII letters, digits and spaces (what
BERTopic's English cleaning leaves, when BERTopic embeds the documents itself) is split at its spaces; any
other, such as the fit's, whose documents keep their punctuation (BERTopic only makes line breaks and tabs
spaces when it is handed the embeddings), is read with the configured token pattern. Any other
configuration, and ``transform``, are scikit-learn's own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from numbers import Integral
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import CountVectorizer

_PLAIN = re.compile(r"[a-z0-9 ]*")  # a lower-cased document of BERTopic's English cleaning
WORD_PATTERN = r"(?u)\b[^\W\d_][\w-]+\b"  # a letter, then letters, digits, underscores or hyphens
_PAIR = 1 << 32  # a pair of word numbers as one integer: first * _PAIR + second


class _Numbers(dict[str, int]):
    """Word -> its number among the kept words, or -1 for a word not kept; a new word is judged once."""

    def __init__(self, kept: dict[str, int], keep: Callable[[str], bool]) -> None:
        super().__init__()
        self.kept, self.keep = kept, keep

    def __missing__(self, word: str) -> int:
        number = self.kept.setdefault(word, len(self.kept)) if self.keep(word) else -1
        self[word] = number
        return number


class TopicVectorizer(CountVectorizer):  # type: ignore[misc]
    """``CountVectorizer`` whose fit counts words and pairs of words as integer codes (see above). Its
    vocabulary is scikit-learn's to the order of its entries (terms are numbered in the order scikit-learn
    meets them: a document's words, then its pairs, document after document), and so is its matrix once
    each row's entries are in column order.

    ``pairs_min_df`` (not a parameter of scikit-learn's, so set on the object): the fewest documents a pair
    of words must be in, beside ``min_df`` for every term. The pairs only one topic uses are most of the
    counting's memory; its words are the topic's own ("quake" in the earthquakes), and a bound on every term
    would drop them. Only this fit's own counting reads it."""

    pairs_min_df = 1

    def fit_transform(self, raw_documents: Iterable[Any], y: Any = None) -> Any:
        """scikit-learn's, with each row's entries in column order: the order scikit-learn's normalisation
        gives integer counts as it makes them floats, so that counts that are floats already (``dtype``) are
        weighted by c-TF-IDF in the same order, without a copy."""
        matrix = super().fit_transform(raw_documents, y)
        matrix.sort_indices()
        return matrix

    def _count_vocab(self, raw_documents: Iterable[Any], fixed_vocab: bool) -> tuple[dict[str, int], Any]:
        if fixed_vocab or not self._counted_here():
            return super()._count_vocab(raw_documents, fixed_vocab)
        documents = raw_documents if isinstance(raw_documents, Sequence) else list(raw_documents)
        words, firsts, numbered = self._numbered(documents)
        counts, pairs, met = _counts(numbered, len(words), self.dtype)
        ends = np.cumsum([max(len(w) - 1, 0) for w in numbered])  # where each document's pairs end
        del numbered
        kept = self._kept(counts, len(words))
        if not len(kept):  # scikit-learn's own outcome (its error when nothing is left)
            return super()._count_vocab(documents, fixed_vocab)
        is_pair = kept >= len(words)
        where = np.zeros(len(kept), np.int64)  # where a pair is first met among all pairs
        where[is_pair] = met[kept[is_pair] - len(words)]
        document = np.where(is_pair, np.searchsorted(ends, where, "right"), np.searchsorted(firsts, kept, "right") - 1)
        order = kept[np.lexsort((np.where(is_pair, where, kept), is_pair, document))]
        terms = [words[k] if k < len(words) else f"{words[pairs[k - len(words)] // _PAIR]} "
                 f"{words[pairs[k - len(words)] % _PAIR]}" for k in order.tolist()]
        return {term: i for i, term in enumerate(terms)}, counts[:, order]  # put in column order by ``fit_transform``

    def _counted_here(self) -> bool:
        """The configuration this counts as scikit-learn would: words and pairs, lower-cased, no other
        preprocessing, the word pattern above, no limit on the vocabulary's size."""
        return (self.analyzer == "word" and self.ngram_range == (1, 2) and self.lowercase and self.preprocessor is None
                and self.tokenizer is None and self.strip_accents is None and self.token_pattern == WORD_PATTERN
                and self.max_features is None and not self.binary and self.input == "content")

    def _numbered(self, documents: Iterable[Any]) -> tuple[list[str], np.ndarray, list[np.ndarray]]:
        """The kept words (by number), the first number each document brought, and each document's words
        as numbers, stop words left out."""
        stop = self.get_stop_words() or frozenset()
        preprocess, tokenize = self.build_preprocessor(), self.build_tokenizer()
        kept: dict[str, int] = {}
        # in a plain document, str.split also finds what the pattern passes over: one character, a leading digit
        plain = _Numbers(kept, lambda w: w not in stop and len(w) > 1 and not w[0].isdigit())
        other = _Numbers(kept, lambda w: w not in stop)
        firsts, numbered = [], []
        for document in documents:
            firsts.append(len(kept))
            text = preprocess(self.decode(document))
            number, split = (plain, str.split) if _PLAIN.fullmatch(text) else (other, tokenize)
            words = chain.from_iterable(map(number.__getitem__, split(piece)) for piece in _pieces(text))
            numbers = np.fromiter(words, np.int64)
            numbered.append(numbers[numbers >= 0].astype(np.int32))
        return list(kept), np.asarray(firsts, np.int64), numbered

    def _kept(self, counts: Any, n_words: int) -> np.ndarray:
        """The columns ``fit_transform`` keeps (document frequency within ``min_df`` and ``max_df``, and at
        least ``pairs_min_df`` for the pairs, the columns from ``n_words`` on)."""
        n = counts.shape[0]
        most = self.max_df if isinstance(self.max_df, Integral) else self.max_df * n
        least = self.min_df if isinstance(self.min_df, Integral) else self.min_df * n
        frequency = np.bincount(counts.indices, minlength=counts.shape[1])
        pair = np.arange(counts.shape[1]) >= n_words
        return np.flatnonzero((frequency <= most) & (frequency >= least) & (~pair | (frequency >= self.pairs_min_df)))


PIECE = 1 << 18  # characters of a document split into words at a time


def _pieces(text: str) -> Iterator[str]:
    """``text`` in pieces of about ``PIECE`` characters, each cut at a space: the words of the pieces are the
    words of the text. A topic's joined document runs to megabytes; split at once, its words held a list of
    strings some ten times its size."""
    start = 0
    while start < len(text):
        end = text.find(" ", start + PIECE)
        end = len(text) if end < 0 else end
        yield text[start:end]
        start = end


def _pairs(words: np.ndarray) -> np.ndarray:
    """The codes of a document's pairs of neighbouring words."""
    words = words.astype(np.int64)
    return words[:-1] * _PAIR + words[1:]


def _counts(numbered: list[np.ndarray], n_words: int, dtype: Any) -> tuple[Any, np.ndarray, np.ndarray]:
    """Documents x terms counts of ``dtype`` (words, then pairs by their sorted codes), the pairs' codes, and where
    each pair is first met among all documents' pairs in turn. The pairs' codes are made twice, once to
    find the distinct ones (sorted in place) and once per document, so that only one array spans them all."""
    every = np.concatenate([_pairs(w) for w in numbered]) if numbered else np.zeros(0, np.int64)
    every.sort()
    pairs = every[np.concatenate(([True], every[1:] != every[:-1]))] if len(every) else every
    del every
    met = np.zeros(len(pairs), np.int64)
    seen = np.zeros(len(pairs), bool)
    indptr, indices, data, offset = [0], [], [], 0
    for words in numbered:
        codes = _pairs(words)
        ids = np.searchsorted(pairs, codes)
        distinct, first = np.unique(ids, return_index=True)
        new = ~seen[distinct]
        met[distinct[new]], seen[distinct[new]] = offset + first[new], True
        offset += len(codes)
        terms, counts = np.unique(np.concatenate([words, n_words + ids]), return_counts=True)
        indices.append(terms.astype(np.int32))
        data.append(counts.astype(np.int32))  # made ``dtype`` as they are joined: one copy of that size, not two
        indptr.append(indptr[-1] + len(terms))
    matrix = csr_matrix((np.concatenate(data, dtype=dtype, casting="unsafe") if data else np.zeros(0, dtype),
                         np.concatenate(indices) if indices else np.zeros(0, np.int32), np.asarray(indptr)),
                        shape=(len(numbered), n_words + len(pairs)), dtype=dtype)
    return matrix, pairs, met


class Cleaned(Sequence[str]):
    """Documents cleaned one at a time, when read, by ``clean``: BERTopic cleans the joined documents of all
    its topics at once, two lists of copies beside the documents (0.1-0.2 GB at 50,000 news articles), and
    ``TopicVectorizer`` reads each of them once."""

    def __init__(self, documents: Sequence[str], clean: Callable[[str], str]) -> None:
        self.documents, self.clean = documents, clean

    def __len__(self) -> int:
        return len(self.documents)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self.clean(d) for d in self.documents[index]]
        return self.clean(self.documents[index])

    def __iter__(self) -> Iterator[str]:
        return map(self.clean, self.documents)
