"""Coverage by bloc on the site and in the digest: the story page's bloc timeline, the list of
single-bloc stories (pure; records from monitor.trends.coverage)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from monitor.render.env import render
from monitor.render.records import SiteData
from monitor.render.weekly import VoiceChart
from monitor.trends.coverage import StoryCoverage

GAP_DAYS = 30


def delay(value: timedelta | None) -> str:
    """How long after the first report: "first", "+40 min", "+3 h 20 min", "+2 d 4 h"."""
    if value is None:
        return "undated"
    minutes = int(value.total_seconds() // 60)
    if minutes <= 0:
        return "first"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"+{days} d {hours} h"
    return f"+{hours} h {mins} min" if hours else f"+{mins} min"


def timeline(cov: StoryCoverage | None) -> list[dict[str, Any]]:
    """One row per bloc, first to report first, for the story page."""
    if cov is None:
        return []
    return [{"bloc": b.bloc or "unknown", "outlets": b.outlets, "regions": b.regions, "ownership": b.ownership,
             "articles": b.articles, "first": b.first, "first_outlet": b.first_outlet, "delay": delay(b.delay),
             "terms": b.terms} for b in cov.blocs]


def single_bloc_groups(gaps: Sequence[Any]) -> list[tuple[str, list[Any]]]:
    """Single-bloc stories grouped by their bloc (most stories first), for the list's anchors."""
    groups: dict[str, list[Any]] = {}
    for g in gaps:
        if g.coverage.single_bloc is not None:
            groups.setdefault(g.coverage.single_bloc, []).append(g)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def render_gaps_page(data: SiteData, gaps: Sequence[Any], voice: VoiceChart | None = None) -> str:
    """``coverage.html``: each bloc's share of voice per week (``voice``), then the recent stories whose coverage
    is one-sided, by bloc, then those missing a bloc."""
    return render("coverage.html", meta=data.meta, root="", days=GAP_DAYS, groups=single_bloc_groups(gaps),
                  absent=[g for g in gaps if g.coverage.single_bloc is None], voice=voice)
