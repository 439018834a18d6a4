"""Momentum as the digest and the site show it (pure); the arithmetic is ``monitor.trends.metrics``."""

from __future__ import annotations

from monitor.trends.metrics import change_ratio, mean, z_score

__all__ = ["RISE", "arrow", "arrow_label", "change_ratio", "mean", "momentum", "percent"]

RISE = 0.2  # a change beyond +-20 % of the baseline gets an up or down arrow


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
    """How many 'standard deviations' above the baseline: the score spike detection uses."""
    return z_score(count, baseline)


def percent(change: float) -> str:
    """+35 %, -12 %, ±0 %; huge jumps stay readable."""
    value = round(change * 100)
    if value == 0:
        return "±0 %"
    if value >= 1000:
        return f"×{change + 1:.0f}"
    return f"{value:+d} %"
