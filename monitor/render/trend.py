"""Momentum arithmetic shared by the digest and the site (pure)."""

from __future__ import annotations

import math
from collections.abc import Sequence

RISE = 0.2  # a change beyond +-20 % of the baseline gets an up or down arrow


def change_ratio(count: float, baseline: float) -> float:
    """Relative change against the baseline; a topic out of nowhere counts as +count."""
    return (count - baseline) / max(baseline, 1.0)


def arrow(count: float, baseline: float) -> str:
    change = change_ratio(count, baseline)
    if change > RISE:
        return "▲"
    if change < -RISE:
        return "▼"
    return "▶"


def arrow_label(symbol: str) -> str:
    return {"▲": "rising", "▼": "falling"}.get(symbol, "steady")


def momentum(count: float, baseline: float) -> float:
    """A Poisson-style score: how many 'standard deviations' above the baseline today is."""
    return (count - baseline) / math.sqrt(baseline + 1.0)


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def percent(change: float) -> str:
    """+35 %, -12 %, ±0 %; huge jumps stay readable."""
    value = round(change * 100)
    if value == 0:
        return "±0 %"
    if value >= 1000:
        return f"×{change + 1:.0f}"
    return f"{value:+d} %"
