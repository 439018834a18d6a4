"""Momentum as the digest and the site show it (pure); the arithmetic is ``monitor.trends.metrics``."""

from __future__ import annotations

from monitor.trends.metrics import change_ratio, mean, z_score

__all__ = ["RISE", "RISING_Z", "arrow", "arrow_label", "change_ratio", "mean", "momentum", "percent", "rose"]

RISE = 0.2  # a change beyond +-20 % of the baseline gets an up or down arrow
# a count rises when it is also this many Poisson deviations above its baseline (the momentum): 4
# articles against 2 (+100 %) is a topic's ordinary variation, 23 against 9.5 is not
RISING_Z = 2.0


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


def rose(count: float, baseline: float) -> bool:
    """Up by more than a fifth on the baseline and by more than chance."""
    return arrow(count, baseline) == "▲" and momentum(count, baseline) >= RISING_Z


def percent(change: float) -> str:
    """+35 %, -12 %, ±0 %; huge jumps stay readable."""
    value = round(change * 100)
    if value == 0:
        return "±0 %"
    if value >= 1000:
        return f"×{change + 1:.0f}"
    return f"{value:+d} %"
