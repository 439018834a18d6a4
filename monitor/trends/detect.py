"""Spike, emerging-topic and first-sighting detection on daily counts. Pure functions.

A day is a spike when its count reaches ``min_count``, is at least ``ratio``
times the trailing baseline mean and its Poisson z-score
(``monitor.trends.metrics``) reaches ``z_threshold``. The baseline
is the ``baseline_days`` days before it (days without articles count as zero).
Given the day's ``totals`` (all articles), a spike must also be a jump in *share of
voice*: the day's share of all articles at least ``ratio`` times the share over the
baseline days, so more feeds (more articles about everything) is not a spike.
A spike that continues on the next day is the same episode and is reported once,
on its first day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from monitor.trends.metrics import baseline, z_score

Series = Mapping[date, int]


@dataclass(frozen=True)
class Signal:
    kind: str  # spike | emerging | first_seen
    key: str
    day: date
    count: int
    baseline: float
    score: float


@dataclass(frozen=True)
class SpikeRule:
    baseline_days: int = 14
    min_count: int = 5
    z_threshold: float = 3.0
    ratio: float = 2.0


def is_spike(series: Series, day: date, rule: SpikeRule, totals: Series | None = None) -> tuple[bool, float, float]:
    count = series.get(day, 0)
    mean = baseline(series, day, rule.baseline_days)
    score = z_score(count, mean)
    hit = count >= rule.min_count and score >= rule.z_threshold and count >= rule.ratio * max(mean, 0.5)
    if hit and totals is not None:
        hit = share_jump(series, totals, day, rule)
    return hit, mean, score


def share_jump(series: Series, totals: Series, day: date, rule: SpikeRule) -> bool:
    """The day's share of all articles is at least ``ratio`` times its share over the baseline days
    (no share before: a jump)."""
    past = [day - timedelta(days=i) for i in range(1, rule.baseline_days + 1)]
    past_total = sum(totals.get(d, 0) for d in past)
    if not totals.get(day) or not past_total:
        return True
    before = sum(series.get(d, 0) for d in past) / past_total
    return series.get(day, 0) / totals[day] >= rule.ratio * before


def enough_history(totals: Series, days: Iterable[date], least: int) -> bool:
    """Whether the store holds articles on at least ``least`` of ``days`` (never more than all of them):
    a count compared with days the monitor did not watch is compared with nothing. On a new monitor's first
    days every topic and entity would spike and every pair of names be a new pairing."""
    days = list(days)
    return days_watched(totals, days) >= days_needed(len(days), least)


def days_needed(days: int, least: int) -> int:
    """Of ``days`` days before a day, how many must hold articles for the day to be judged."""
    return min(least, days)


def days_watched(totals: Series, days: Iterable[date]) -> int:
    """How many of ``days`` the store holds articles on."""
    return sum(1 for d in days if totals.get(d, 0) > 0)


def has_history(day: date, totals: Series, baseline_days: int, least: int) -> bool:
    """``enough_history`` on the ``baseline_days`` days before ``day``."""
    return enough_history(totals, days_before(day, baseline_days), least)


def days_before(day: date, n: int) -> list[date]:
    """The ``n`` days before ``day``, nearest first."""
    return [day - timedelta(days=i) for i in range(1, n + 1)]


def spikes(series: Series, key: str, days: Iterable[date], rule: SpikeRule,
           totals: Series | None = None) -> list[Signal]:
    """Spike episodes starting on any of ``days`` (a continuing spike is not reported again).
    ``totals``: all articles per day; when given, a spike is also a jump in share (see above)."""
    out = []
    for day in sorted(days):
        hit, mean, score = is_spike(series, day, rule, totals)
        if hit and not is_spike(series, day - timedelta(days=1), rule, totals)[0]:
            out.append(Signal("spike", key, day, series.get(day, 0), mean, score))
    return out


def first_seen(series: Series, key: str, days: Iterable[date]) -> list[Signal]:
    """A first-sighting signal if the first day with a count is one of ``days``."""
    seen = sorted(d for d, n in series.items() if n > 0)
    if seen and seen[0] in set(days):
        return [Signal("first_seen", key, seen[0], series[seen[0]], 0.0, 0.0)]
    return []


def emerging(series: Series, key: str, first: date, days: Iterable[date], window: int,
             min_count: int) -> list[Signal]:
    """A topic first seen within ``window`` days whose volume in that window reaches ``min_count``
    and whose second half outgrows its first half. Reported once, on the day it qualifies."""
    out = []
    for day in sorted(days):
        if (day - first).days >= window or day < first:
            continue
        if _qualifies(series, first, day, min_count) and not _qualifies(series, first, day - timedelta(1), min_count):
            total = sum(series.get(first + timedelta(i), 0) for i in range((day - first).days + 1))
            out.append(Signal("emerging", key, day, series.get(day, 0), total / ((day - first).days + 1), 0.0))
    return out


def _qualifies(series: Series, first: date, day: date, min_count: int) -> bool:
    if day < first:
        return False
    counts = [series.get(first + timedelta(i), 0) for i in range((day - first).days + 1)]
    half = len(counts) // 2
    return sum(counts) >= min_count and sum(counts[half:]) > sum(counts[:half])
