"""Lexical features shared by stories and topics: words and names, hashed, weighted by corpus IDF.

Two bags per article, each hashed into ``DIM`` buckets so that document
frequencies fit in one fixed array that the store keeps up to date
incrementally (``TermStats``):

- **words**: lower-cased words of the title (counted twice) and the body, stop
  words removed;
- **names**: what tells one event from another of the same kind: runs of
  capitalised words (``Sberbank``, ``Xi Jinping``, ``Bank of England``),
  numbers (``7.8``, ``2024``) and pairs of names that follow each other in the
  text. A capitalised word that opens a sentence counts only when the article
  also capitalises it elsewhere ("Police said" is not a name).

Both use sublinear term frequency and are L2-normalised after IDF weighting.
Pure: no clock, no I/O.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from monitor.words import STOP_WORDS

DIM = 1 << 18
MAX_WORDS = 1500  # body words read per article
# how ``bags`` counts: part of the digest a topic fit keeps its counts under, so counts kept by an earlier
# version are counted again. Change it whenever the tokens, buckets or weights of ``bags`` change.
COUNTING = f"bags 1, {DIM} buckets"
STORY_READING = f"{COUNTING}, title twice, {MAX_WORDS} body words"  # the same for the story pass's reading
_WORD = re.compile(r"[^\W_][\w'’.\-]*[^\W_]|[^\W_]", re.UNICODE)
_GAPPED = re.compile(rf"([\W_]*)({_WORD.pattern})")  # a word and the characters since the one before it
_SENTENCE_END = re.compile(r"[.!?:;\"“”«»()\[\]\n]\s*$")
_CONNECTORS = frozenset({"of", "de", "del", "da", "al", "bin", "van", "von", "der", "la", "le", "du", "and", "&"})
# a label names an organisation whole ("Center for Humane Technology", not "Center · Humane Technology");
# not "on" ("Google on Monday"). The story bags keep the connectors above, with which they were measured.
_LABEL_CONNECTORS = _CONNECTORS | {"for"}
_NUMBER = re.compile(r"\d")
_AGE = re.compile(  # wordings that give a person's age and nothing else: a "10-year" plan or "10 лет" do not
    r"(?=[\daâв])"  # the first character of every wording below: most places in a text are passed at once
    r"(?:\b(\d{1,3})[- ]years?[- ]old\b|\baged (\d{1,3})\b"  # English
    r"|(\d{1,3}) ?(?:周)?岁"  # Chinese: 24岁, 24周岁
    r"|в возрасте (\d{1,3}) (?:лет|года|год)\b"  # Russian: "at the age of 24"
    r"|\bâgée?s? de (\d{1,3}) ans\b"  # French
    r"|\b(\d{1,3}) (?:años de edad|anos de idade|Jahre alt)\b)",  # Spanish, Portuguese, German
    re.IGNORECASE)
MAX_AGE = 130
# the clock times a report gives its event ("at 11:30 p.m.", "about 2am", "11.30pm"), English 12-hour forms
_CLOCK = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s?([ap])\.?\s?m\b\.?", re.IGNORECASE)
CLOCK_SLOTS = 48  # half hours of a day: a time marks the slots within a quarter of an hour of it
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")  # kana and CJK ideographs


@dataclass(frozen=True)
class Bags:
    """Hashed term counts of one article."""

    words: dict[int, float]
    names: dict[int, float]
    ages: frozenset[int] = frozenset()  # the ages the text gives its people ("a 24-year-old", "aged 60")
    clocks: frozenset[int] = frozenset()  # half-hour slots of the clock times it gives ("at 11:30 p.m.")


_WEIGHT = [0.0, *(1.0 + float(np.log(c)) for c in range(1, 1 << 12))]  # 1 + ln(count), as computed below


def bucket(term: str) -> int:
    return zlib.crc32(term.encode("utf-8")) & (DIM - 1)


def _hashed(terms: Iterable[str]) -> dict[int, float]:
    """Sublinear counts per bucket: each distinct term hashed once, the logarithms looked up (both were
    a third of the bags' time on news-length articles, read at every crawl)."""
    counts: dict[int, int] = {}
    for term, n in Counter(terms).items():
        b = bucket(term)
        counts[b] = counts.get(b, 0) + n
    return {b: _WEIGHT[c] if c < len(_WEIGHT) else 1.0 + float(np.log(c)) for b, c in counts.items()}


def _tokens(text: str) -> tuple[Sequence[str], Sequence[str]]:
    """The words of ``text`` and the characters since the word before each (its gap). A word starts and
    ends with a letter or digit, so the characters that can end a sentence before it are its gap's."""
    pairs = _GAPPED.findall(text)
    if not pairs:
        return (), ()
    gaps, words = zip(*pairs, strict=True)
    return words, gaps


def _opens(n: int, gap: str) -> bool:
    """Whether the ``n``-th word, after ``gap``, opens a sentence: at the text's start, or after a full stop,
    a colon, a quote, a bracket or a new line within the gap's last three characters."""
    if gap == " ":
        return False
    return (n == 0 and not gap) or bool(_SENTENCE_END.search(gap[-3:]))


def _broken(gap: str) -> bool:
    """Whether punctuation or a new line separates a word from the one before it."""
    return gap != " " and (bool(gap.strip()) or "\n" in gap)


def _words(words: Sequence[str]) -> list[str]:
    """Lower-cased words without stop words; text written without spaces (Chinese, Japanese) as
    overlapping pairs of characters, the usual unit for matching it."""
    out: list[str] = []
    for word in words:
        w = word.lower()
        if not w.isascii() and _UNSPACED.search(w):
            out.extend(_bigrams(w))
        elif len(w) > 1 and w not in STOP_WORDS:
            out.append(w)
    return out


def _bigrams(word: str) -> list[str]:
    pieces = [p for p in _UNSPACED.findall(word) if p]
    out = [p[i:i + 2] for p in pieces for i in range(max(1, len(p) - 1))]
    rest = _UNSPACED.sub(" ", word).split()
    return out + [r for r in rest if len(r) > 1 and r not in STOP_WORDS]


def _runs(words: Sequence[str], gaps: Sequence[str],
          connectors: frozenset[str] = _CONNECTORS) -> list[tuple[str, bool]]:
    """Runs of capitalised words (``connectors`` allowed inside) and numbers, with whether the run
    is a lone sentence-opening word. Whether a word opens a sentence, or punctuation parts it from the
    one before, is read only where it matters: at a capitalised word, and inside a run."""
    runs: list[tuple[str, bool]] = []
    current: list[str] = []
    lone_opener = False
    for n, word in enumerate(words):
        if current and _broken(gaps[n]):
            _close(runs, current, lone_opener, connectors)
            current = []
        if not word.isalpha() and _NUMBER.search(word):
            if current:
                _close(runs, current, lone_opener, connectors)
                current = []
            runs.append((word.replace(",", ""), False))
        elif word[0].isupper() and not (word.lower() in STOP_WORDS and _opens(n, gaps[n])):
            if not current:
                lone_opener = _opens(n, gaps[n])
            current.append(word)
        elif current:
            lower = word.lower()
            if lower in connectors and (lower in _CONNECTORS or not (lone_opener and len(current) == 1)):
                current.append(word)  # "for" joins two names, not a sentence's first word to one ("Calls for Trump")
            else:
                _close(runs, current, lone_opener, connectors)
                current = []
    if current:
        _close(runs, current, lone_opener, connectors)
    return runs


def _close(runs: list[tuple[str, bool]], current: list[str], lone_opener: bool, connectors: frozenset[str]) -> None:
    """End a run: without the connectors it ends on, if anything is left."""
    while current and current[-1].lower() in connectors:
        current.pop()
    if current:
        runs.append((" ".join(current), lone_opener and len(current) == 1))


def surface_names(text: str) -> list[str]:
    """The names a reader would see in ``text`` (case kept; no numbers, no sentence openers that are
    not capitalised elsewhere): the vocabulary of topic labels."""
    return [name for name in _kept(_runs(*_tokens(text), _LABEL_CONNECTORS)) if not _NUMBER.search(name)]


def _kept(runs: list[tuple[str, bool]]) -> list[str]:
    """The runs that are names: a lone sentence-opening word only if the text capitalises it elsewhere."""
    elsewhere = {name.casefold() for name, lone in runs if not lone}
    return [name for name, lone in runs if not lone or name.casefold() in elsewhere]


def _names(title_runs: list[tuple[str, bool]], body_runs: list[tuple[str, bool]]) -> list[str]:
    """Names, numbers and adjacent name pairs, title counted twice, case-folded."""
    names = [name.casefold() for name in _kept(title_runs * 2 + body_runs)]
    pairs = [f"{a}|{b}" if a <= b else f"{b}|{a}" for a, b in pairwise(names) if a != b]
    return names + pairs


def ages(text: str) -> frozenset[int]:
    """The ages a text gives: who a report is about, which two reports of one kind of event (two
    shootings, two deaths) rarely share. A number is the same in every language, so a Chinese report's
    "24岁" and an English "24-year-old" agree."""
    found = (int(next(g for g in m.groups() if g)) for m in _AGE.finditer(text))
    return frozenset(a for a in found if 0 < a <= MAX_AGE)


def clocks(text: str) -> frozenset[int]:
    """The half-hour slots (0-47) within a quarter of an hour of each clock time the text gives: two
    times up to 30 minutes apart share a slot ("about 11:30 p.m." and "11:25 p.m."), times more than an
    hour apart never do. Two shootings in one city are rarely reported at one hour."""
    out: set[int] = set()
    for match in _CLOCK.finditer(text):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not (1 <= hour <= 12 and minute < 60):
            continue
        at = (hour % 12) * 60 + minute + (720 if match.group(3).lower() == "p" else 0)
        out.update({(at - 15) // 30 % CLOCK_SLOTS, (at + 15) // 30 % CLOCK_SLOTS})
    return frozenset(out)


def bags(title: str, text: str, read_details: bool = True) -> Bags:
    """Both bags of an article, and its ages and clock times unless ``read_details`` is false (the topic
    fit and the bars' reference articles, which do not use them); title and body are each tokenised once."""
    head, head_gaps = _tokens(title)
    words = " ".join((text or "").split()[:MAX_WORDS])
    body, body_gaps = _tokens(words)
    text_read = f"{title}\n{words}"
    return Bags(_hashed(_words((*head, *head, *body))), _hashed(_names(_runs(head, head_gaps), _runs(body, body_gaps))),
                ages(text_read) if read_details else frozenset(), clocks(text_read) if read_details else frozenset())


@dataclass
class TermStats:
    """Document frequencies per hashed bucket for words and names, and how many documents."""

    n_docs: int
    words: np.ndarray
    names: np.ndarray

    @classmethod
    def empty(cls) -> TermStats:
        return cls(0, np.zeros(DIM, np.int32), np.zeros(DIM, np.int32))

    def add(self, items: Sequence[Bags]) -> None:
        for item in items:
            self.words[list(item.words)] += 1
            self.names[list(item.names)] += 1
        self.n_docs += len(items)

    def idf(self, kind: str) -> np.ndarray:
        df = self.words if kind == "words" else self.names
        return (np.log((1.0 + self.n_docs) / (1.0 + df)) + 1.0).astype(np.float32)


def bag_rows(bags: Sequence[dict[int, float]], weights: np.ndarray | None = None,
         scale: Sequence[float] | None = None) -> Any:
    """CSR matrix (bags x DIM): each bag times ``weights`` per bucket (if given), then divided by
    ``scale`` (one number per bag) or else by its L2 norm (an empty bag stays zero)."""
    from scipy.sparse import csr_matrix

    indptr, indices, values = [0], [], []
    for i, bag in enumerate(bags):
        keys = np.fromiter(bag, dtype=np.int64, count=len(bag))
        v = np.fromiter(bag.values(), dtype=np.float32, count=len(bag))
        if weights is not None:
            v = v * weights[keys]
        norm = float(np.linalg.norm(v)) if scale is None else float(scale[i])
        indices.append(keys)
        values.append(v / norm if norm else v)
        indptr.append(indptr[-1] + len(keys))
    data = np.concatenate(values) if values else np.zeros(0, np.float32)
    cols = np.concatenate(indices) if indices else np.zeros(0, np.int64)
    return csr_matrix((data, cols, np.asarray(indptr)), shape=(len(bags), DIM), dtype=np.float32)


def matrix(items: Sequence[Bags], kind: str, stats: TermStats) -> Any:
    """CSR matrix (items x DIM) of IDF-weighted, L2-normalised rows (an empty bag stays zero)."""
    return bag_rows([i.words if kind == "words" else i.names for i in items], stats.idf(kind))


@dataclass(frozen=True)
class Counted:
    """Raw hashed counts of a corpus (CSR, documents x DIM, no IDF, no norm), with the corpus's
    document frequencies: the compact form of many ``Bags`` (a few bytes per term, not a dict)."""

    words: Any
    names: Any
    stats: TermStats

    @classmethod
    def of(cls, words: Any, names: Any) -> Counted:
        """Raw counts (CSR, one row per document) with their document frequencies."""
        return cls(words, names, TermStats(words.shape[0], np.bincount(words.indices, minlength=DIM).astype(np.int32),
                                           np.bincount(names.indices, minlength=DIM).astype(np.int32)))

    def weighted(self, kind: str, rows: slice | np.ndarray) -> Any:
        """Rows of ``matrix`` (IDF-weighted, L2-normalised), computed as ``bag_rows`` does."""
        from scipy.sparse import csr_matrix

        raw = (self.words if kind == "words" else self.names)[rows]
        data = raw.data * self.stats.idf(kind)[raw.indices]
        for start, end in pairwise(raw.indptr.tolist()):
            norm = float(np.linalg.norm(data[start:end]))
            if norm:
                data[start:end] /= norm
        return csr_matrix((data, raw.indices, raw.indptr), shape=raw.shape, dtype=np.float32)


def counted(texts: Sequence[str], chunk: int = 2000) -> Counted:
    """``bags("", text)`` of every text, kept as raw counts: the bags of ``chunk`` texts exist at once."""
    from scipy.sparse import vstack

    words, names = [], []
    for start in range(0, len(texts), chunk):
        items = [bags("", t, read_details=False) for t in texts[start:start + chunk]]
        ones = np.ones(len(items), np.float32)
        words.append(bag_rows([i.words for i in items], scale=ones))
        names.append(bag_rows([i.names for i in items], scale=ones))
    if not words:
        return Counted(bag_rows([]), bag_rows([]), TermStats.empty())
    return Counted.of(vstack(words, format="csr"), vstack(names, format="csr"))


def packed(bag: dict[int, float]) -> bytes:
    """A bag as bytes: its buckets (int32), then their counts (float32), in the bag's order."""
    keys = np.fromiter(bag, dtype=np.int32, count=len(bag))
    values = np.fromiter(bag.values(), dtype=np.float32, count=len(bag))
    return keys.tobytes() + values.tobytes()


def unpacked(blob: bytes) -> dict[int, float]:
    """The bag ``packed`` stored, in its order (its counts as float32, which is how they are read)."""
    arrays = np.frombuffer(blob, dtype=np.int32)
    k = len(arrays) // 2
    return dict(zip(arrays[:k].tolist(), arrays[k:].view(np.float32).tolist(), strict=True))


def from_packed(words: Sequence[bytes], names: Sequence[bytes]) -> Counted:
    """The ``Counted`` of bags stored with ``packed``: what ``counted`` gives for their texts."""
    return Counted.of(_packed_rows(words), _packed_rows(names))


def _packed_rows(blobs: Sequence[bytes]) -> Any:
    from scipy.sparse import csr_matrix

    arrays = [np.frombuffer(blob, dtype=np.int32) for blob in blobs]
    sizes = np.array([len(a) // 2 for a in arrays], dtype=np.int64)
    indptr = np.concatenate([[0], np.cumsum(sizes)])
    cols = np.concatenate([a[:k] for a, k in zip(arrays, sizes, strict=True)]) if arrays else np.zeros(0, np.int32)
    data = (np.concatenate([a[k:].view(np.float32) for a, k in zip(arrays, sizes, strict=True)]) if arrays
            else np.zeros(0, np.float32))
    return csr_matrix((data, cols, indptr), shape=(len(blobs), DIM), dtype=np.float32)


def from_bytes(n_docs: int, words: bytes | None, names: bytes | None) -> TermStats:
    empty = TermStats.empty()
    w = np.frombuffer(words, np.int32).copy() if words else empty.words
    n = np.frombuffer(names, np.int32).copy() if names else empty.names
    if len(w) != DIM or len(n) != DIM:
        return empty
    return TermStats(n_docs, w, n)


def plain_words(text: str) -> list[str]:
    """The words of ``text`` as the bags count them (lower-cased, stop words removed, CJK as pairs)."""
    return _words(_tokens(text)[0])
