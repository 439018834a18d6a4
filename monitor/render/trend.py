"""Momentum as the digest and the site show it (pure); the arithmetic is ``monitor.trends.metrics``."""

from __future__ import annotations

from monitor.trends.metrics import change_ratio, mean, poisson_below, poisson_tail, z_score

__all__ = ["RISE", "RISING_P", "arrow", "arrow_label", "change_ratio", "mean", "momentum", "percent", "rose"]

RISE = 0.2  # a change within +-20 % of the baseline is steady, however unlikely by chance
# a count rises (or falls) when its usual rate would bring as many (or as few) on fewer than one day in a
# hundred: 4 articles against 2 (+100 %, 14 days in 100) is a topic's ordinary variation, and so is 3
# against a usual 1 (8 in 100: two Poisson deviations, the bar this replaced, which put three unrelated
# filler reports at the top of a digest); 23 against 9.5 is not
RISING_P = 0.01


def arrow(count: float, baseline: float) -> str:
    """▲ rising, ▼ falling, ▶ steady: up or down by more than a fifth and by more than chance. The arrow
    is the judgement the summary's "rising" makes, so a green arrow never marks one article against a
    usual 0.6."""
    change = change_ratio(count, baseline)
    if change > RISE and poisson_tail(round(count), baseline) < RISING_P:
        return "▲"
    if change < -RISE and poisson_below(round(count), baseline) < RISING_P:
        return "▼"
    return "▶"


def arrow_label(symbol: str) -> str:
    return {"▲": "rising", "▼": "falling"}.get(symbol, "steady")


def momentum(count: float, baseline: float) -> float:
    """How many 'standard deviations' above the baseline: the score spike detection uses."""
    return z_score(count, baseline)


def rose(count: float, baseline: float) -> bool:
    """Up by more than a fifth on the baseline and by more than chance."""
    return arrow(count, baseline) == "▲"


def percent(change: float) -> str:
    """+35 %, -12 %, ±0 %; huge jumps stay readable."""
    value = round(change * 100)
    if value == 0:
        return "±0 %"
    if value >= 1000:
        return f"×{change + 1:.0f}"
    return f"{value:+d} %"
