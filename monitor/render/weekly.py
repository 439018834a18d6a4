"""Week-by-week views for the topic and coverage pages (pure): the entities a topic's articles name
together, and each bloc's share of voice. Records come from monitor.store.named (monitor.records.PairSeries) and
monitor.store.coverage (articles per bloc and day); the arithmetic is monitor.trends.coverage's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from monitor.render.charts import OTHER, PALETTE, Bars, LineChart, bars, share_chart
from monitor.records import Named, PairSeries
from monitor.trends.coverage import UNKNOWN, BlocShare, bloc_shares, weekly
from monitor.words import bloc_name, plural

WEEKS = 12
NO_BLOC = "no bloc"
BlocDays = Mapping[str, Mapping[date, int]]


@dataclass(frozen=True)
class PairRow:
    a: Named
    b: Named
    weeks: tuple[int, ...]
    chart: Bars

    @property
    def articles(self) -> int:
        return sum(self.weeks)


def percent(share: float | None) -> str:
    return "–" if share is None else f"{100 * share:.1f}%"


@dataclass(frozen=True)
class ShareRow:
    share: BlocShare
    chart: Bars
    color: str = ""

    @property
    def label(self) -> str:
        return _bloc_label(self.share.bloc)

    @property
    def overall(self) -> str:
        return percent(self.share.overall)

    @property
    def last(self) -> str:
        return percent(self.share.shares[-1] if self.share.shares else None)


@dataclass(frozen=True)
class TopicWeekly:
    """A topic page's weekly sections: its strongest co-mentions and each bloc's share going to it."""

    starts: tuple[date, ...]
    pairs: tuple[PairRow, ...] = ()
    blocs: tuple[ShareRow, ...] = ()

    @property
    def through(self) -> date:
        return last_day(self.starts)


@dataclass(frozen=True)
class VoiceChart:
    """The coverage page's share of voice: each bloc's share of all articles per week."""

    starts: tuple[date, ...]
    rows: tuple[ShareRow, ...]
    chart: LineChart
    narrow: LineChart

    @property
    def through(self) -> date:
        return last_day(self.starts)


@dataclass(frozen=True)
class Weekly:
    topics: dict[int, TopicWeekly] = field(default_factory=dict)
    voice: VoiceChart | None = None


def week_starts(through: date, weeks: int = WEEKS) -> tuple[date, ...]:
    """The first day of each of the ``weeks`` weeks ending with ``through``, oldest first."""
    return tuple(through - timedelta(days=7 * (weeks - i) - 1) for i in range(weeks))


def last_day(starts: Sequence[date]) -> date:
    return starts[-1] + timedelta(days=6)


def _week(start: date) -> str:
    return f"week of {start:%d %b}"


def pair_rows(pairs: Sequence[PairSeries], starts: Sequence[date]) -> tuple[PairRow, ...]:
    """Each pair's articles per week (pairs with none in the weeks left out), bars on one scale."""
    counted = [(p, weekly(dict(p.days), starts)) for p in pairs]
    counted = [(p, w) for p, w in counted if sum(w)]
    high = max((max(w) for _, w in counted), default=0)
    return tuple(PairRow(p.a, p.b, w, bars(w, _counts(w, starts),
                                           f"{p.a.label} and {p.b.label}: articles naming both per week", high))
                 for p, w in counted)


def _counts(week_counts: Sequence[int], starts: Sequence[date]) -> list[str]:
    """Each week's bar title: "week of 29 Oct: 1 article"."""
    return [f"{_week(d)}: {plural(n, 'article')}" for d, n in zip(starts, week_counts, strict=True)]


def _bloc_label(bloc: str) -> str:
    return bloc_name(bloc) if bloc != UNKNOWN else NO_BLOC


def share_rows(shares: Sequence[BlocShare], starts: Sequence[date], what: str, colors: bool = False
               ) -> tuple[ShareRow, ...]:
    """A row per bloc with its weekly shares as bars on one scale; ``what``: what the share is of."""
    high = max((v for s in shares for v in s.shares if v is not None), default=0.0)
    rows = []
    for i, s in enumerate(shares):
        label = _bloc_label(s.bloc)
        titles = [f"{_week(d)}: {percent(v)} ({a} of {plural(t, 'article')})"
                  for d, v, a, t in zip(starts, s.shares, s.articles, s.totals, strict=True)]
        color = (PALETTE[i] if i < len(PALETTE) else OTHER) if colors else ""
        rows.append(ShareRow(s, bars([v or 0.0 for v in s.shares], titles, f"{label}: {what} per week", high), color))
    return tuple(rows)


def topic_weekly(starts: Sequence[date], pairs: Sequence[PairSeries], articles: BlocDays, totals: BlocDays
                 ) -> TopicWeekly:
    """``articles``: the topic's articles per bloc and day; ``totals``: every article per bloc and day."""
    shares = bloc_shares(articles, totals, starts)
    return TopicWeekly(tuple(starts), pair_rows(pairs, starts),
                       share_rows(shares, starts, "share of the bloc's articles about this topic"))


def voice(starts: Sequence[date], totals: BlocDays) -> VoiceChart | None:
    """Each bloc's share of all articles per week; None without articles in the weeks."""
    everything: dict[date, int] = {}
    for days in totals.values():
        for day, n in days.items():
            everything[day] = everything.get(day, 0) + n
    shares = bloc_shares(totals, {bloc: everything for bloc in totals}, starts)
    if not shares:
        return None
    rows = share_rows(shares, starts, "share of all articles", colors=True)
    series = [(row.label, row.share.shares) for row in rows]
    label = f"Each bloc's share of all articles per week, last {len(starts)} weeks"
    desc = " ".join(f"{row.label}: {row.overall} over the period, {row.last} in the last week." for row in rows)
    return VoiceChart(tuple(starts), rows, share_chart(series, starts, label, desc),
                      share_chart(series, starts, label, desc, width=360, height=220, font=14))


def weekly_views(through: date, pairs: Mapping[int, Sequence[PairSeries]], totals: BlocDays,
                 by_topic: Mapping[int, BlocDays], topic_ids: Sequence[int]) -> Weekly:
    """Everything the site's weekly sections show, for the weeks ending with ``through``."""
    starts = week_starts(through)
    topics = {t: topic_weekly(starts, pairs.get(t, ()), by_topic.get(t, {}), totals) for t in topic_ids}
    return Weekly(topics, voice(starts, totals))
