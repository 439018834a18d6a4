"""Who covers a story: blocs and regions, who reported first, each bloc's delay, the terms that set a bloc's
coverage apart, and coverage gaps. Pure: the members come in, nothing is read or written.

- **Blocs** are the feeds' free-text ``bloc``; outlets without one are "unknown" and
  never make a story single-bloc.
- **Single-bloc**: every one of at least ``single_min_outlets`` outlets belongs to the
  same bloc ("only russia media report this"; "only russia state media" when they
  also share their ownership).
- **Absent bloc**: a story carried by at least ``absent_min_outlets`` outlets from two
  or more blocs, none of them from a bloc the configuration has feeds for ("no china
  source covers this").
- **Share of voice per bloc**: a bloc's articles per week as a share of a total: of all articles
  (how loud each bloc is), or of the bloc's own articles (how much of its attention a topic gets).
- **Distinguishing terms**: c-TF-IDF inside the story, each bloc's articles one class:
  a word's frequency in the bloc times ``log(1 + A / f)`` (A: mean words per class,
  f: the word's count over all classes), kept only where the bloc uses it at least ``APART`` times as often
  as the other blocs together do: a name three blocs of four write ("G42", "Sarvam-2") sets none of them
  apart. A possessive is read as its word ("Korea's": korea). Blocs with fewer than ``min_words`` words are
  left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from math import log
from typing import TYPE_CHECKING

from monitor.records import UNKNOWN_BLOC, CoverageMember
from monitor.words import bloc_name

if TYPE_CHECKING:
    from monitor.config import Config

UNKNOWN = UNKNOWN_BLOC


@dataclass(frozen=True)
class CoverageRule:
    single_min_outlets: int = 2
    absent_min_outlets: int = 4
    min_words: int = 40
    terms: int = 6


@dataclass(frozen=True)
class BlocCoverage:
    bloc: str  # UNKNOWN for outlets without one
    outlets: tuple[str, ...]
    regions: tuple[str, ...]
    ownership: tuple[str, ...]
    articles: int
    first: datetime | None
    first_outlet: str
    delay: timedelta | None  # after the story's first report
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoryCoverage:
    blocs: tuple[BlocCoverage, ...]  # first to report first; unknown last
    regions: tuple[str, ...]
    outlets: int
    first: datetime | None
    first_outlet: str
    single_bloc: str | None = None
    single_ownership: str | None = None
    absent: tuple[str, ...] = ()

    @property
    def gap(self) -> bool:
        return self.single_bloc is not None or bool(self.absent)

    @property
    def notes(self) -> list[str]:
        """Sentences for the reader: what is one-sided about this story's coverage."""
        out = []
        if self.single_bloc is not None:
            owner = f"/{self.single_ownership}" if self.single_ownership else ""
            out.append(f"Only {bloc_name(self.single_bloc)}{owner} media report this ({self.outlets} outlets).")
        out += [f"No {bloc_name(bloc)} source covers this." for bloc in self.absent]
        return out


def rule(config: Config) -> CoverageRule:
    c = config.coverage
    return CoverageRule(c.single_min_outlets, c.absent_min_outlets, c.min_words, c.terms)


def configured_blocs(config: Config) -> list[str]:
    return sorted({f.bloc for f in config.feeds if f.bloc})


@dataclass(frozen=True)
class Gap:
    """A story whose coverage is one-sided, for the digest and the site's list."""

    story_id: int
    title: str
    first_seen: datetime
    coverage: StoryCoverage


def gaps(stories: Sequence[tuple[int, str, datetime]], members: Mapping[int, Sequence[CoverageMember]],
         configured: Iterable[str], how: CoverageRule, limit: int) -> list[Gap]:
    """The stories (id, title, first seen; in the order given) whose coverage is one-sided."""
    blocs = tuple(configured)
    found = ((sid, title, first, coverage(members.get(sid, ()), blocs, how)) for sid, title, first in stories)
    return [Gap(sid, title, first, cov) for sid, title, first, cov in found if cov.gap][:limit]


def coverage(members: Sequence[CoverageMember], configured: Iterable[str] = (), rule: CoverageRule = CoverageRule()
             ) -> StoryCoverage:
    """The coverage of one story from its articles; ``configured``: the blocs the feeds name."""
    dated = [m for m in members if m.published is not None]
    first = min(dated, key=lambda m: (m.published, m.outlet)) if dated else None
    groups: dict[str, list[CoverageMember]] = {}
    for m in members:
        groups.setdefault(m.bloc or UNKNOWN, []).append(m)
    terms = distinguishing_terms({b: [m.text for m in ms] for b, ms in groups.items() if b != UNKNOWN},
                                 rule.min_words, rule.terms)
    blocs = [_bloc(b, ms, first.published if first else None, terms.get(b, ())) for b, ms in groups.items()]
    blocs.sort(key=lambda c: (c.bloc == UNKNOWN, c.first is None, c.first or datetime.max, c.bloc))
    outlets = len({m.outlet for m in members})
    known = [c.bloc for c in blocs if c.bloc != UNKNOWN]
    single = known[0] if len(known) == 1 and len(blocs) == 1 and outlets >= rule.single_min_outlets else None
    owners = {m.ownership for m in members}
    absent = () if single or len(known) < 2 or outlets < rule.absent_min_outlets else \
        tuple(sorted(set(configured) - set(known)))
    return StoryCoverage(
        tuple(blocs), _distinct(m.region for m in members), outlets, first.published if first else None,
        first.outlet if first else "", single, next(iter(owners)) if single and len(owners) == 1 else None, absent,
    )


def _bloc(bloc: str, members: list[CoverageMember], start: datetime | None, terms: tuple[str, ...]) -> BlocCoverage:
    dated = [m for m in members if m.published is not None]
    first = min(dated, key=lambda m: (m.published, m.outlet)) if dated else None
    when = first.published if first else None
    return BlocCoverage(
        bloc, _distinct(m.outlet for m in members), _distinct(m.region for m in members),
        _distinct(m.ownership for m in members), len(members), when, first.outlet if first else "",
        when - start if when is not None and start is not None else None, terms,
    )


def _distinct(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


APART = 2.0  # a bloc's rate of a word against the other blocs' rate, for the word to set the bloc apart


def distinguishing_terms(texts: Mapping[str, Sequence[str]], min_words: int, n: int) -> dict[str, tuple[str, ...]]:
    """Per class (bloc), its ``n`` highest c-TF-IDF words that it uses ``APART`` times as often as the other
    classes (see the module's notes); classes with fewer than ``min_words`` words are skipped."""
    from monitor.topics.features import plain_words

    bags = {k: Counter(_word(w) for t in ts for w in plain_words(t) if not w.replace(".", "").isdigit())
            for k, ts in texts.items()}
    bags = {k: c for k, c in bags.items() if sum(c.values()) >= min_words}
    if len(bags) < 2:
        return {}
    sizes = {k: sum(c.values()) for k, c in bags.items()}
    total: Counter[str] = Counter()
    for c in bags.values():
        total.update(c)
    average = sum(sizes.values()) / len(sizes)
    out = {}
    for k, c in bags.items():
        rest = sum(sizes.values()) - sizes[k]
        scored = [(count / sizes[k] * log(1 + average / total[w]), w) for w, count in c.items()
                  if count / sizes[k] >= APART * (total[w] - count) / rest]
        out[k] = tuple(w for _, w in sorted(scored, key=lambda sw: (-sw[0], sw[1]))[:n])
    return out


def _word(word: str) -> str:
    """A word without its possessive ending: "korea's" is korea."""
    return word[:-2] if word.endswith(("'s", "’s")) and len(word) > 3 else word


@dataclass(frozen=True)
class BlocShare:
    """One bloc's articles per period and the total each is a share of."""

    bloc: str  # UNKNOWN for outlets without one
    articles: tuple[int, ...]
    totals: tuple[int, ...]

    @property
    def shares(self) -> tuple[float | None, ...]:
        """Per period, articles / total (None where the total is zero)."""
        return tuple(a / t if t else None for a, t in zip(self.articles, self.totals, strict=True))

    @property
    def overall(self) -> float | None:
        total = sum(self.totals)
        return sum(self.articles) / total if total else None


def weekly(days: Mapping[date, int], starts: Sequence[date]) -> tuple[int, ...]:
    """Daily counts summed per week; ``starts``: each week's first day, oldest first, 7 days apart."""
    out = [0] * len(starts)
    for day, n in days.items():
        i = (day - starts[0]).days // 7 if starts else -1
        if 0 <= i < len(starts):
            out[i] += n
    return tuple(out)


def bloc_shares(articles: Mapping[str, Mapping[date, int]], totals: Mapping[str, Mapping[date, int]],
                starts: Sequence[date]) -> list[BlocShare]:
    """Each bloc's weekly articles as a share of its weekly total (``totals[bloc]``), every bloc with articles
    or a total in the weeks (a bloc that published and said nothing of a topic is its 0 %): most articles
    first, outlets without a bloc last."""
    out = [BlocShare(bloc, weekly(articles.get(bloc, {}), starts), weekly(totals.get(bloc, {}), starts))
           for bloc in dict.fromkeys([*articles, *totals])]
    out = [b for b in out if sum(b.articles) or sum(b.totals)]
    return sorted(out, key=lambda b: (b.bloc == UNKNOWN, -sum(b.articles), b.bloc))
