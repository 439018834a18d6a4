"""Texts held packed while a fit runs: the same texts back, by index, slice and iteration, and through pickle."""

from __future__ import annotations

import pickle
import sys

from monitor.demo.corpus import build_corpus
from monitor.topics.packed import Packed

TEXTS = ["", "plain ascii", "“Quoted” — with a dash", "МОСКВА, 1 дек — РИА Новости.\nСбербанк", "🙂 emoji\n\n", "a lone \ud83d surrogate"]


def test_each_text_comes_back_as_it_was() -> None:
    packed = Packed.of(TEXTS)
    assert len(packed) == len(TEXTS)
    assert list(packed) == TEXTS
    assert [packed[i] for i in range(-len(TEXTS), 0)] == TEXTS
    assert list(packed[1:4]) == TEXTS[1:4] and list(packed[::-2]) == TEXTS[::-2]
    assert "plain ascii" in packed and packed.index("plain ascii") == 1


def test_it_pickles_packed_and_holds_less_than_the_texts() -> None:
    plain = [a.text for a in build_corpus(seed=3)]
    typeset = [text.replace("'", "\u2019") + " \u2014 Reuters" for text in plain]  # a quote or dash: 2 bytes a character
    for texts in (plain, typeset):
        packed = Packed.of(texts)
        again = pickle.loads(pickle.dumps(packed))
        assert isinstance(again, Packed) and list(again) == texts
    assert _held(Packed.of(typeset)) < 0.6 * _held(typeset)


def _held(texts: Packed | list[str]) -> int:
    return sum(map(sys.getsizeof, texts.packed if isinstance(texts, Packed) else texts))
