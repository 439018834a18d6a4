"""Daily counts per topic, story, watchlist term and in total, with share of the day's volume. Pure.

Counts are kept article by article: each article is *placed* once (its day, topic,
story and the watch terms it mentions) and adds one to each of its keys. When its
topic or story changes (a refit, a story merge) it is placed again, and the days it
left or joined are tallied afresh from their placements; other days are not touched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from monitor.records import CountRow, Key, Placement
from monitor.trends.watch import WatchMatcher


@dataclass(frozen=True)
class DayArticle:
    day: date
    text: str
    topic_id: int | None
    story_id: int | None


@dataclass(frozen=True)
class Counts:
    rows: list[CountRow]
    stories: dict[Key, Counter]  # (kind, key, day) -> articles per story

    def series(self, kind: str) -> dict[str, dict[date, int]]:
        out: dict[str, dict[date, int]] = {}
        for row in self.rows:
            if row.kind == kind:
                out.setdefault(row.key, {})[row.day] = row.count
        return out

    def top_stories(self, kind: str, key: str, day: date, n: int = 5) -> list[int]:
        counter = self.stories.get((kind, key, day), Counter())
        return [sid for sid, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def place(article_id: int, article: DayArticle, matcher: WatchMatcher) -> Placement:
    return Placement(article_id, article.day, article.topic_id, article.story_id,
                     tuple(sorted(matcher.matches(article.text))))


def tally(placements: Iterable[Placement]) -> Counter[Key]:
    """Articles per (kind, key, day)."""
    counts: Counter[Key] = Counter()
    for p in placements:
        counts.update(p.keys())
    return counts


def with_shares(counts: Mapping[Key, int]) -> list[CountRow]:
    """Rows (positive counts only) with each count's share of its day's total."""
    totals = {day: n for (kind, _, day), n in counts.items() if kind == "total"}
    return [CountRow(day, kind, key, n, n / totals[day] if totals.get(day) else 0.0)
            for (kind, key, day), n in sorted(counts.items(), key=_order) if n > 0]


def story_tally(placements: Iterable[Placement]) -> dict[Key, Counter]:
    """Per (kind, key, day), articles per story: which stories made a count."""
    stories: dict[Key, Counter] = {}
    for p in placements:
        if p.story_id is not None:
            for key in p.keys():
                stories.setdefault(key, Counter())[p.story_id] += 1
    return stories


def daily_counts(articles: Iterable[DayArticle], matcher: WatchMatcher) -> Counts:
    """Counts of ``articles`` from scratch."""
    placed = [place(i, a, matcher) for i, a in enumerate(articles)]
    return Counts(with_shares(tally(placed)), story_tally(placed))


def _order(item: tuple[Key, int]) -> tuple[date, str, str]:
    (kind, key, day), _ = item
    return day, kind, key
