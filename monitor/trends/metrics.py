"""Trend arithmetic, one definition for detection (alerts) and rendering (site, digest). Pure.

A count is compared with the mean of the days before it; the score is a Poisson
z-score ``(count - mean) / sqrt(max(mean, 1))``, so a quiet series (mean below
one a day) is measured against a floor of one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from math import exp, lgamma, log, sqrt


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def baseline(series: Mapping[date, int], day: date, days: int) -> float:
    """Mean count of the ``days`` days before ``day`` (days without articles count as zero)."""
    return sum(series.get(day - timedelta(days=i), 0) for i in range(1, days + 1)) / days


def z_score(count: float, mean: float) -> float:
    return (count - mean) / sqrt(max(mean, 1.0))


def poisson_tail(count: int, mean: float) -> float:
    """How often a day brings ``count`` or more at a usual ``mean`` a day (Poisson): 3 against a usual 1
    comes on 8 days in 100, 23 against 9.5 on under 2 in 10,000. A mean under half a day is taken as half
    (a topic silent for two weeks is not certain to stay silent). Only the terms on the far side of the mean
    are summed, so a count in the thousands costs what a count of ten does."""
    count = max(int(count), 0)
    return 1.0 if count == 0 else _poisson_side(count, max(mean, 0.5), up=True)


def poisson_below(count: int, mean: float) -> float:
    """How often a day brings ``count`` or fewer at a usual ``mean`` a day (Poisson; a mean under half a
    day is taken as half, as in ``poisson_tail``): none against a usual 3 comes on 5 days in 100, none
    against 10 on under 1 in 10,000."""
    count = int(count)
    return 0.0 if count < 0 else _poisson_side(count, max(mean, 0.5), up=False)


def _poisson_side(start: int, rate: float, up: bool) -> float:
    """The probability of ``start`` or more (``up``) or fewer: summed directly when ``start`` lies beyond
    the mean on that side, else one less the other side, so only the terms on the far side of the mean are
    ever summed."""
    if (start > rate) if up else (start < rate):
        return _poisson_run(start, rate, up)
    return max(0.0, 1.0 - _poisson_run(start - 1 if up else start + 1, rate, not up))


def _poisson_run(start: int, rate: float, up: bool) -> float:
    """The Poisson probabilities from ``start`` away from the mean (up, or down to 0), summed until the
    terms no longer change the sum."""
    term, total, k = exp(start * log(rate) - rate - lgamma(start + 1)), 0.0, start
    while term > total * 1e-17 and k >= 0:
        total += term
        term *= rate / (k + 1) if up else k / rate
        k += 1 if up else -1
    return total


def change_ratio(count: float, baseline: float) -> float:
    """Relative change against the baseline; a topic out of nowhere counts as +count."""
    return (count - baseline) / max(baseline, 1.0)
