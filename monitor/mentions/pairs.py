"""Co-mentions and new pairings, from rows already read (pure).

A pairing is two entities named in the same article. It is *new* when it was never seen before the
period and, inside it, at least ``min_sources`` independent sources carried it: distinct outlets,
each article counted once (near-duplicate copies are not read at all, so a syndicated copy never
makes a second source).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

Pair = tuple[str, str]


@dataclass(frozen=True)
class Sighting:
    """One article naming both entities of a pair (``a`` < ``b``)."""

    a: str
    b: str
    article_id: int
    outlet: str
    time: datetime
    story_id: int | None = None


@dataclass(frozen=True)
class Pairing:
    a: str
    b: str
    first_seen: datetime  # the first article naming both
    corroborated: datetime  # the first article from the ``min_sources``-th outlet
    outlets: tuple[str, ...]  # in the order they reported it
    articles: tuple[int, ...]
    story_ids: tuple[int, ...]

    @property
    def key(self) -> str:
        return pair_key(self.a, self.b)

    @property
    def story(self) -> int | None:
        """The story it was first seen in, if any."""
        return self.story_ids[0] if self.story_ids else None


def pair_key(a: str, b: str) -> str:
    return f"{a}|{b}"


def pairs(keys: Iterable[str]) -> list[Pair]:
    """Every unordered pair of the distinct keys, each as (smaller, larger)."""
    return list(combinations(sorted(set(keys)), 2))


def new_pairings(sightings: Iterable[Sighting], seen_before: set[Pair], min_sources: int = 2) -> list[Pairing]:
    """Pairs not in ``seen_before`` that ``min_sources`` distinct outlets named; most outlets first."""
    by_pair: dict[Pair, list[Sighting]] = defaultdict(list)
    for s in sightings:
        if (s.a, s.b) not in seen_before:
            by_pair[(s.a, s.b)].append(s)
    out = [p for p in (_pairing(pair, rows, min_sources) for pair, rows in by_pair.items()) if p is not None]
    return sorted(out, key=lambda p: (-len(p.outlets), p.corroborated, p.a, p.b))


def _pairing(pair: Pair, rows: list[Sighting], min_sources: int) -> Pairing | None:
    rows = sorted(rows, key=lambda s: (s.time, s.article_id))
    firsts: dict[str, Sighting] = {}
    for s in rows:
        firsts.setdefault(s.outlet, s)
    if len(firsts) < min_sources:
        return None
    corroborated = sorted(firsts.values(), key=lambda s: (s.time, s.article_id))[min_sources - 1].time
    stories = tuple(dict.fromkeys(s.story_id for s in rows if s.story_id is not None))
    return Pairing(pair[0], pair[1], rows[0].time, corroborated, tuple(firsts),
                   tuple(dict.fromkeys(s.article_id for s in rows)), stories)


BROAD = ("country:", "bloc:")  # entities most reports name in passing: a pairing of two of them tells least


def without_belonging(found: Iterable[Pairing], lineages: Mapping[str, tuple[str, ...]]) -> list[Pairing]:
    """The pairings that say something: not an entity with what it belongs to (BIS + US Department of
    Commerce), and not one side with what the other's more precise partner belongs to when that partner
    is in the same story (Hong Kong + United States beside Hong Kong + US Department of Commerce).
    ``lineages``: each key's parents, nearest first (``Registry.lineages``). Order is kept."""
    found = [p for p in found if p.a not in lineages.get(p.b, ()) and p.b not in lineages.get(p.a, ())]
    sides: dict[tuple[int | None, str], set[str]] = defaultdict(set)
    for p in found:
        sides[(p.story, p.a)].add(p.b)
        sides[(p.story, p.b)].add(p.a)

    def broader(p: Pairing) -> bool:
        return any(kept in lineages.get(other, ())
                   for side, kept in ((p.a, p.b), (p.b, p.a)) for other in sides[(p.story, side)])

    return [p for p in found if not broader(p)]


def fewest_per_story(found: Iterable[Pairing], per_story: int) -> list[Pairing]:
    """At most ``per_story`` new pairings from each story (the one a pairing was first seen in), the
    strongest first: most outlets, most articles, then fewer countries and blocs among its two sides. Two
    reports of a summit that name ten actors make 45 pairs "named together for the first time"; an analyst
    reads the few that say most. Pairings outside any story are all kept. Order is kept."""
    found = list(found)
    ranked = sorted(found, key=lambda p: (-len(p.outlets), -len(p.articles),
                                          sum(k.startswith(BROAD) for k in (p.a, p.b)), p.corroborated, p.a, p.b))
    taken: Counter[int] = Counter()
    kept: set[Pair] = set()
    for p in ranked:
        if p.story is None or taken[p.story] < per_story:
            kept.add((p.a, p.b))
            if p.story is not None:
                taken[p.story] += 1
    return [p for p in found if (p.a, p.b) in kept]


def strongest(counts: dict[Pair, int], key: str, limit: int = 10) -> list[tuple[str, int]]:
    """The entities most often named with ``key``: (other key, articles naming both), most first."""
    found = [(b if a == key else a, n) for (a, b), n in counts.items() if key in (a, b)]
    return sorted(found, key=lambda kv: (-kv[1], kv[0]))[:limit]
