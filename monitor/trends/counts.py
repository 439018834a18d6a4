"""Daily counts per topic, story, watchlist term and in total, with share of the day's volume. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from monitor.trends.watch import WatchMatcher


@dataclass(frozen=True)
class DayArticle:
    day: date
    text: str
    topic_id: int | None
    story_id: int | None


@dataclass(frozen=True)
class CountRow:
    day: date
    kind: str  # topic | story | watch | total
    key: str
    count: int
    share: float


@dataclass(frozen=True)
class Counts:
    rows: list[CountRow]
    stories: dict[tuple[str, str, date], Counter]  # (kind, key, day) -> articles per story

    def series(self, kind: str) -> dict[str, dict[date, int]]:
        out: dict[str, dict[date, int]] = {}
        for row in self.rows:
            if row.kind == kind:
                out.setdefault(row.key, {})[row.day] = row.count
        return out

    def top_stories(self, kind: str, key: str, day: date, n: int = 5) -> list[int]:
        counter = self.stories.get((kind, key, day), Counter())
        return [sid for sid, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def daily_counts(articles: Iterable[DayArticle], matcher: WatchMatcher) -> Counts:
    counts: Counter = Counter()
    stories: dict[tuple[str, str, date], Counter] = {}
    for article in articles:
        keys = [("total", "all")]
        if article.topic_id is not None:
            keys.append(("topic", str(article.topic_id)))
        if article.story_id is not None:
            keys.append(("story", str(article.story_id)))
        keys += [("watch", name) for name in sorted(matcher.matches(article.text))]
        for kind, key in keys:
            counts[(kind, key, article.day)] += 1
            if article.story_id is not None:
                stories.setdefault((kind, key, article.day), Counter())[article.story_id] += 1
    totals = {day: n for (kind, _, day), n in counts.items() if kind == "total"}
    rows = [CountRow(day, kind, key, n, n / totals[day]) for (kind, key, day), n in sorted(counts.items(),
                                                                                            key=_order)]
    return Counts(rows, stories)


def _order(item: tuple[tuple[str, str, date], int]) -> tuple[date, str, str]:
    (kind, key, day), _ = item
    return day, kind, key
