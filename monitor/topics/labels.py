"""What a discovered topic is called and which headlines stand for it.

A label an analyst can scan leads with the names that set the topic apart (people,
organisations, places: c-TF-IDF over the names in the articles' bodies, each name
counted once per article and kept only if a fair share of the topic's articles
carry it), then the topic's leading keywords: ``Sberbank · DeepSeek · open-source
models`` rather than ``novosibirsk / visitors / hangzhou``. Its headlines are the
titles of its most central articles. A keyword that the articles write as a name
keeps their spelling (``Hangzhou``, not ``hangzhou``) and goes before plain words.
Pure: records in, records out.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.topics.features import surface_names

LABEL_PARTS = 3
NAME_PARTS = 2
MIN_SHARE = 0.2  # a name in fewer of the topic's articles does not speak for it
HEADLINES = 3
BODY_CHARS = 6000  # body read per article for names
_NOT_NAMES = frozenset("""monday tuesday wednesday thursday friday saturday sunday january february march april
may june july august september october november december today mr mrs ms dr""".split())


@dataclass(frozen=True)
class Description:
    label: str
    headlines: tuple[str, ...]


def describe(titles: Sequence[str], bodies: Sequence[str], labels: Sequence[int], scores: Sequence[float],
             keywords: dict[int, Sequence[str]]) -> dict[int, Description]:
    """Per topic id in ``labels`` (outliers -1 skipped): its label and representative headlines."""
    names = [_article_names(body) for body in bodies]
    spelled = _spellings(names)
    corpus: Counter[str] = Counter(key for doc in names for key in doc)
    members: dict[int, list[int]] = {}
    for i, topic in enumerate(labels):
        if topic >= 0:
            members.setdefault(topic, []).append(i)
    out = {}
    for topic, rows in members.items():
        chosen = _distinctive([names[i] for i in rows], corpus, len(names))
        others = sorted(_other_keywords(keywords.get(topic, ()), chosen), key=lambda w: w.casefold() not in spelled)
        parts = [spelled[key] for key in chosen] + [spelled.get(w.casefold(), w) for w in others]
        out[topic] = Description(" · ".join(parts[:LABEL_PARTS]) or "unlabelled topic",
                                 _headlines([titles[i] for i in rows], [scores[i] for i in rows]))
    return out


def _article_names(body: str) -> dict[str, str]:
    """Case-folded name -> the spelling this article uses (each name once per article)."""
    out: dict[str, str] = {}
    for name in surface_names(body[:BODY_CHARS]):
        if _label_worthy(name):
            out.setdefault(name.casefold(), name)
    return out


def _label_worthy(name: str) -> bool:
    """Not a weekday, month or title, and a one-word name has three letters or is an acronym (``EU``)."""
    if name.casefold() in _NOT_NAMES:
        return False
    return " " in name or len(name) >= 3 or (len(name) == 2 and name.isupper())


def _spellings(names: Sequence[dict[str, str]]) -> dict[str, str]:
    """The most common spelling of each name over the corpus."""
    counts: dict[str, Counter[str]] = {}
    for doc in names:
        for key, spelling in doc.items():
            counts.setdefault(key, Counter())[spelling] += 1
    return {key: c.most_common(1)[0][0] for key, c in counts.items()}


def _distinctive(docs: Sequence[dict[str, str]], corpus: Counter[str], n_docs: int) -> list[str]:
    """Up to ``NAME_PARTS`` names: share of the topic's articles naming it x rarity in the corpus;
    a name inside a chosen one (``Xi`` in ``Xi Jinping``) adds nothing."""
    inside: Counter[str] = Counter(key for doc in docs for key in doc)
    floor = max(2, math.ceil(MIN_SHARE * len(docs)))
    ranked = sorted((key for key, n in inside.items() if n >= floor),
                    key=lambda k: (-inside[k] / len(docs) * math.log(1 + n_docs / corpus[k]), k))
    chosen: list[str] = []
    for key in ranked:
        if len(chosen) == NAME_PARTS:
            break
        if not any(key in c or c in key for c in chosen):
            chosen.append(key)
    return chosen


def _other_keywords(keywords: Sequence[str], chosen: Sequence[str]) -> list[str]:
    """Keywords that do not repeat a chosen name or one another."""
    out: list[str] = []
    for word in keywords:
        folded = word.casefold()
        if any(folded in c or c in folded for c in [*chosen, *(o.casefold() for o in out)]):
            continue
        out.append(word)
    return out


def _headlines(titles: Sequence[str], scores: Sequence[float]) -> tuple[str, ...]:
    """The titles of the most central articles, each distinct title once."""
    seen: set[str] = set()
    out = []
    for _, title in sorted(zip(scores, titles, strict=True), key=lambda p: -p[0]):
        key = " ".join(title.split()).casefold()
        if key and key not in seen:
            seen.add(key)
            out.append(" ".join(title.split()))
        if len(out) == HEADLINES:
            break
    return tuple(out)
