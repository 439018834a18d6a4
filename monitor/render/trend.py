"""Momentum as the digest and the site show it (pure); the arithmetic is ``monitor.trends.metrics``."""

from __future__ import annotations

from monitor.trends.metrics import change_ratio, mean, poisson_tail, z_score

__all__ = ["RISE", "RISING_P", "arrow", "arrow_label", "change_ratio", "mean", "momentum", "percent", "rose"]

RISE = 0.2  # a change beyond +-20 % of the baseline gets an up or down arrow
# a count rises when its usual rate would bring as many on fewer than one day in a hundred: 4 articles
# against 2 (+100 %, 14 days in 100) is a topic's ordinary variation, and so is 3 against a usual 1 (8 in
# 100: two Poisson deviations, the bar this replaced, which put three unrelated filler reports at the top of
# a digest); 23 against 9.5 is not
RISING_P = 0.01


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
    return arrow(count, baseline) == "▲" and poisson_tail(round(count), baseline) < RISING_P


def percent(change: float) -> str:
    """+35 %, -12 %, ±0 %; huge jumps stay readable."""
    value = round(change * 100)
    if value == 0:
        return "±0 %"
    if value >= 1000:
        return f"×{change + 1:.0f}"
    return f"{value:+d} %"
