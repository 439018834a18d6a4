"""Conflict cues for same-event stories: does a cue fire on close reports of different events more often
than on reports of one event?

    python bench/story_cues.py jsonl:newscluster.jsonl jsonl:basil.jsonl [--size 3000] [--near 5]

Each ``FORMAT:PATH`` is read by ``bench/real_sets.py`` (the data is not shipped). A conflict cue takes
similarity away from a pair of reports (``stories.age_conflict`` and ``clock_conflict`` do), so it is worth
its place only where it fires on the pairs a story pass could wrongly join, two events of one kind, far
more often than on the pairs it must join. For each set this counts, for each cue, the share of same-event
pairs it fires on and the share of close pairs of different events (each article's ``--near`` nearest
reports of other events by TF-IDF cosine, the naive baseline's notion of alike) it fires on. The ratio of
the two is the cue's lift: 1 is a coin that penalises both kinds alike; the shipped age cue is the yardstick.

Cues: the two shipped (people's ages, clock times) and three candidates, the years a report names (both name
some, they share none), the years of the dates it gives ("March 4, 2013", "4 March 2013", "March 2013") and the names in the headline (both headlines name someone, they share no name).
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from real_sets import LabelledArticle, read_labelled
from sklearn.feature_extraction.text import TfidfVectorizer

from monitor.topics.features import MAX_WORDS, Bags, bags, surface_names

YEAR = re.compile(r"\b(?:19[5-9]\d|20[0-4]\d)\b")
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
DATED = re.compile(rf"\b{_MONTH}\s+(?:\d{{1,2}},?\s+)?((?:19[5-9]|20[0-4])\d)\b|\b\d{{1,2}}\s+{_MONTH}\s+((?:19[5-9]|20[0-4])\d)\b")

Marks = Callable[[LabelledArticle], frozenset[object]]


def _read(a: LabelledArticle) -> str:
    """The text the shipped cues read (``features.bags``): the title and the body's first words."""
    return f"{a.title}\n{' '.join((a.text or '').split()[:MAX_WORDS])}"


@functools.cache
def _details(a: LabelledArticle) -> Bags:
    """An article's bags as the story pass reads them, once for both shipped cues."""
    return bags(a.title, a.text)


def _years(a: LabelledArticle) -> frozenset[object]:
    return frozenset(YEAR.findall(_read(a)))


def _dated_years(a: LabelledArticle) -> frozenset[object]:
    return frozenset(m.group(1) or m.group(2) for m in DATED.finditer(_read(a)))


def _headline_names(a: LabelledArticle) -> frozenset[object]:
    return frozenset(name.casefold() for name in surface_names(a.title or ""))


CUES: dict[str, Marks] = {
    "ages (shipped)": lambda a: frozenset(_details(a).ages),
    "clock times (shipped)": lambda a: frozenset(_details(a).clocks),
    "years named": _years,
    "years of dates given": _dated_years,
    "headline names": _headline_names,
}


def pairs(articles: Sequence[LabelledArticle], near: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Every same-event pair, and each article's ``near`` most alike reports of other events."""
    stories = np.array([a.story for a in articles], dtype=object)
    tfidf = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(
        [f"{a.title}\n{a.text}" for a in articles])
    same: list[tuple[int, int]] = []
    close: set[tuple[int, int]] = set()
    for i in range(len(articles)):
        sims = (tfidf[i] @ tfidf.T).toarray()[0]
        mates = np.flatnonzero(stories == stories[i])
        same += [(i, int(j)) for j in mates if j > i]
        sims[mates] = -1.0
        close.update((min(i, int(j)), max(i, int(j))) for j in np.argsort(-sims)[:near] if sims[j] > 0)
    return same, sorted(close)


def fires(marks: list[frozenset[object]], pair_list: list[tuple[int, int]]) -> float:
    """The share of the pairs whose two reports both give marks and share none."""
    if not pair_list:
        return float("nan")
    return float(np.mean([bool(marks[i]) and bool(marks[j]) and not marks[i] & marks[j] for i, j in pair_list]))


def _lift(on_same: float, on_close: float) -> float:
    """How many times as often the cue fires on close pairs of other events; undefined where it never fires."""
    if on_same:
        return on_close / on_same
    return float("inf") if on_close else float("nan")


def measure(articles: list[LabelledArticle], near: int) -> dict[str, dict[str, float]]:
    same, close = pairs(articles, near)
    out: dict[str, dict[str, float]] = {}
    for name, read in CUES.items():
        marks = [read(a) for a in articles]
        on_same, on_close = fires(marks, same), fires(marks, close)
        out[name] = {"given": float(np.mean([bool(m) for m in marks])), "same_event": on_same,
                     "close_other": on_close, "lift": _lift(on_same, on_close),
                     "same_pairs": len(same), "close_pairs": len(close)}
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sets", nargs="+", help="FORMAT:PATH, read by bench/real_sets.py")
    ap.add_argument("--size", type=int, default=3000, help="a seeded sample of at most this many articles per set")
    ap.add_argument("--near", type=int, default=5, help="nearest reports of other events per article")
    ap.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = ap.parse_args(argv)
    results: dict[str, dict[str, dict[str, float]]] = {}
    for spec in args.sets:
        name, articles = read_labelled(spec, args.size)
        articles = [a for a in articles if a.story]
        results[name] = measure(articles, args.near)
        print(f"\n{name}: {len(articles)} articles")
        print(f"{'cue':24} {'given':>6} {'same-event':>11} {'close other':>12} {'lift':>6}")
        for cue, r in results[name].items():
            print(f"{cue:24} {r['given']:6.2f} {r['same_event']:11.3f} {r['close_other']:12.3f} {r['lift']:6.2f}")
    if args.out:
        args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
