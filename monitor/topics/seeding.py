"""Analyst topics are earned: absolute evidence per article, then one label per cluster.

Cluster first, label second. An article is evidence for an analyst topic only on
absolute grounds that do not move with the corpus: its embedding's similarity to
the topic (description, keywords and examples) and how many of the analyst's
keywords it names (whole words, case-insensitive, any language; Russian case
forms and English plurals and spellings included). A topic may also list terms one
of which an article must mention (``must_mention``: "AI" for "AI alliances", so that
an alliance of drug makers is never one): an article that names none is no evidence
for that topic and does not support it, whatever else it says. With ``floor`` the
configured similarity:

- similarity >= floor and at least one keyword, or
- similarity >= floor - 0.1 and at least two different keywords, or
- similarity >= floor + 0.2 (clearly about it, whatever the wording).

A corpus with nothing about sanctions gives no evidence for "Sanctions", so that
topic stays empty: no topic is ever the least unlikely label. A cluster becomes
an analyst topic when most of its members (``MAJORITY``) are evidence for that
same topic, or when the cluster as a whole is: its members' mean vector is
closer to the topic than to any other analyst topic, and at least ``floor``
alike to it with at least half of its members naming one of the topic's
keywords, or at least ``floor`` + 0.2 alike whatever the wording (the third rule
above, for the cluster's reading: forty reports of viruses and worms are about
"Cyber" though few say "malware"). Averaging removes the noise of single
articles, so a cluster plainly about a theme is not lost because half its
articles are short. Every member then follows. Other clusters
stay discovered topics. An article no cluster holds joins an analyst topic only on
evidence that stands alone (``alone``: the first and third rules): two common
keywords near the lowered floor ("strategic" and "Beijing" in a report of a
takeover bid) are evidence among a cluster's votes, not by themselves.
Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from monitor.trends.watch import WatchMatcher, compile_watchlist
from monitor.words import keyword_forms

MAJORITY = 0.5  # more than this share of a cluster's members must be evidence for one analyst topic
STRONG = 0.2  # above the floor by this much, similarity alone is evidence
TWO_KEYWORDS = 0.1  # with two different keywords, the floor is lowered by this much


def keyword_matchers(keywords: Sequence[Sequence[str]]) -> list[WatchMatcher]:
    """One matcher per analyst topic, from that topic's keywords; spellings that differ only in case ("AI"
    and "ai") are one keyword, so that one word never counts as two, and so are a keyword's English forms
    (``words.keyword_forms``: "chip" matches "chips", "data centre" "data centers")."""
    return [compile_watchlist([(k, keyword_forms(k)) for k in {w.casefold(): w for w in words}.values()])
            for words in keywords]


_ASCII_WORD = re.compile(r"[a-z0-9]+")
_TOKEN = re.compile(r"\w+")


def keyword_hits(texts: Sequence[str], matchers: Sequence[WatchMatcher]) -> np.ndarray:
    """Distinct keywords of each analyst topic found in each text (texts x topics). Each text is
    case-folded and split into words once; a spelling of one plain word is looked up among them (a plain
    word among the text's words is where its word-boundary pattern would match), a phrase or other spelling
    searched for as a substring, and only a keyword found so alone runs its pattern, the rule that decides
    (a fit reads every stored article here)."""
    out = np.zeros((len(texts), len(matchers)), np.int64)
    spellings = {n for m in matchers for needles in m.needles for n in needles}
    words = {n for n in spellings if _ASCII_WORD.fullmatch(n)}  # found as a whole word, or not at all
    others = sorted(spellings - words)  # phrases, inflected and CJK spellings: as substrings
    for i, text in enumerate(texts):
        folded = text.casefold()
        as_words = words.intersection(_TOKEN.findall(folded))
        present = as_words | {n for n in others if n in folded}
        if present:
            for j, matcher in enumerate(matchers):
                out[i, j] = sum(1 for k in matcher.among(present)
                                if not as_words.isdisjoint(matcher.needles[k]) or matcher.patterns[k].search(folded))
    return out


def term_lists(keywords: Sequence[Sequence[str]], must: Sequence[Sequence[str]]) -> list[Sequence[str]]:
    """What ``keyword_hits`` looks for in one pass: each analyst topic's keywords, then each one's
    must-mention terms (``split_hits`` parts them again)."""
    return [*keywords, *must]


def split_hits(found: np.ndarray, must: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """``found`` (texts x twice the topics, from ``term_lists``) parted into the keywords' hits and whether
    each text may belong to each topic: it mentions one of the topic's must-mention terms, or the topic
    has none."""
    n = len(must)
    required = np.array([bool(terms) for terms in must], bool)
    return found[:, :n], (found[:, n:] >= 1) | ~required


def term_hits(texts: Sequence[str], keywords: Sequence[Sequence[str]],
              must: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """The keywords' hits and where each text may belong (``split_hits``), found in one pass."""
    return split_hits(keyword_hits(texts, keyword_matchers(term_lists(keywords, must))), must)


def gated(similarity: np.ndarray, hits: np.ndarray, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Similarity and hits as the rules read them: where a text may not belong to a topic (``split_hits``),
    no similarity (-1) and no keyword, so that it is neither evidence for the topic nor supports it."""
    return np.where(allowed, similarity, -1.0), np.where(allowed, hits, 0)


def qualifying(similarity: np.ndarray, hits: np.ndarray, floor: float, alone: bool = False) -> np.ndarray:
    """Articles x topics: whether an article is evidence for a topic by the rules above (``alone``: without
    the two-keyword allowance)."""
    qualifies = ((similarity >= floor) & (hits >= 1)) | (similarity >= floor + STRONG)
    if not alone:
        qualifies |= (similarity >= floor - TWO_KEYWORDS) & (hits >= 2)
    return qualifies


def seed_evidence(similarity: np.ndarray, hits: np.ndarray, floor: float, alone: bool = False) -> np.ndarray:
    """For each article, the analyst topic it is evidence for (highest similarity among those it
    qualifies for), or -1. ``similarity`` and ``hits`` are articles x topics. ``alone``: evidence for an
    article no cluster holds, without the two-keyword allowance."""
    if similarity.size == 0:
        return np.full(similarity.shape[0], -1, dtype=np.int64)
    qualifies = qualifying(similarity, hits, floor, alone)
    ranked = np.where(qualifies, similarity, -np.inf)
    best = ranked.argmax(axis=1)
    return np.where(qualifies.any(axis=1), best, -1).astype(np.int64)


def supports(similarity: np.ndarray, hits: np.ndarray, floor: float) -> np.ndarray:
    """Articles x topics: whether an article supports a topic it is placed in, by naming one of its
    keywords or coming within ``TWO_KEYWORDS`` of the evidence floor. Weaker than evidence: it keeps
    off-topic articles out of an analyst topic, at a fit and at every crawl alike."""
    return (hits >= 1) | (similarity >= floor - TWO_KEYWORDS)


def label_clusters(clusters: np.ndarray, evidence: np.ndarray, n_seeds: int,
                   whole: Sequence[int | None] | None = None, alone: np.ndarray | None = None) -> np.ndarray:
    """Final labels: ``0..n_seeds-1`` for the analyst topics (seed order), ``n_seeds + j``
    for the j-th discovered cluster, -1 for an outlier (a clusterer's -1 with no evidence).
    ``whole``: per cluster id, the analyst topic the cluster as a whole is evidence for
    (``cluster_evidence``), if any. ``alone``: the evidence an outlier is labelled by
    (``seed_evidence(..., alone=True)``; ``evidence`` if not given)."""
    clusters = np.asarray(clusters)
    labels = np.full(len(clusters), -1, dtype=np.int64)
    outliers = clusters < 0
    labels[outliers] = (evidence if alone is None else alone)[outliers]
    discovered = n_seeds
    for cluster in np.unique(clusters[~outliers]):
        members = clusters == cluster
        seed = _cluster_seed(evidence[members], n_seeds)
        if seed is None and whole is not None:
            seed = whole[int(cluster)]
        if seed is None:
            labels[members] = discovered
            discovered += 1
        else:
            labels[members] = seed
    return labels


def _cluster_seed(evidence: np.ndarray, n_seeds: int) -> int | None:
    if not n_seeds:
        return None
    votes = np.bincount(evidence[evidence >= 0], minlength=n_seeds)
    best = int(votes.argmax())
    return best if votes[best] > MAJORITY * len(evidence) else None


def cluster_evidence(vectors: np.ndarray, clusters: np.ndarray, seeds: np.ndarray, hits: np.ndarray,
                     floor: float, allowed: np.ndarray | None = None) -> list[int | None]:
    """Per cluster id (0..max), the analyst topic the cluster as a whole is evidence for: its
    members' mean unit vector is closer to the topic than to any other, and at least ``floor`` alike
    to it with at least half of its members naming one of the topic's keywords, or at least ``floor``
    + ``STRONG`` alike whatever they name. ``allowed`` (``split_hits``): more than ``MAJORITY`` of the
    members must be allowed in the topic, as they must be evidence for it by the members' vote."""
    clusters = np.asarray(clusters)
    out: list[int | None] = [None] * (int(clusters.max()) + 1 if len(clusters) else 0)
    if not len(seeds):
        return out
    for cluster in np.unique(clusters[clusters >= 0]):
        members = clusters == cluster
        mean = vectors[members].mean(axis=0)
        norm = float(np.linalg.norm(mean))
        if not norm:
            continue
        sims = (mean / norm) @ seeds.T
        best = int(np.argmax(sims))
        if allowed is not None and allowed[members, best].mean() <= MAJORITY:
            continue
        if sims[best] >= floor + STRONG or (sims[best] >= floor and (hits[members, best] >= 1).mean() >= 0.5):
            out[int(cluster)] = best
    return out


@dataclass(frozen=True)
class Reading:
    """How one article reads against one analyst topic, for an analyst asking why it is in or out."""

    similarity: float
    keywords: tuple[str, ...]  # the topic's keywords it names
    required: tuple[str, ...] | None  # the topic's must-mention terms it names (None: the topic requires none)
    verdict: str


def read_article(text: str, similarity: np.ndarray, keywords: Sequence[Sequence[str]],
                 must: Sequence[Sequence[str]], floor: float) -> list[Reading]:
    """One article (its text as the topic stage reads it, its similarity to each analyst topic) against
    each topic, by the rules the fit and the crawl apply (``qualifying``, ``supports``, ``split_hits``)."""
    folded = text.casefold()
    named = [sorted(m.matches(folded)) for m in keyword_matchers(term_lists(keywords, must))]
    hits = np.array([[len(n) for n in named]], np.int64)
    counts, allowed = split_hits(hits, must)
    sims, counts = gated(np.asarray(similarity, float)[None], counts, allowed)
    alone, among, kept = (qualifying(sims, counts, floor, True)[0], qualifying(sims, counts, floor)[0],
                          supports(sims, counts, floor)[0])
    out = []
    for j in range(len(keywords)):
        if not allowed[0, j]:
            verdict = "out: mentions none of the terms it requires"
        elif alone[j]:
            verdict = "evidence"
        elif among[j]:
            verdict = "evidence among its cluster's votes (two keywords near the floor)"
        elif kept[j]:
            verdict = "supports it: kept there if its cluster or nearest topic is this one"
        else:
            verdict = "out: no keyword, and not alike enough"
        required = tuple(named[len(keywords) + j]) if must[j] else None
        out.append(Reading(float(similarity[j]), tuple(named[j]), required, verdict))
    return out
