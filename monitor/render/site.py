"""Static site pages from view records (pure). Paths are relative to the site root."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from monitor.render.charts import PALETTE, LineChart, line_charts, sparkline
from monitor.render.env import oneline, render
from monitor.render.coverage import timeline
from monitor.records import StoredAlert
from monitor.render.records import SiteData, StoryView, TopicTrend, reading_order
from monitor.render.weekly import TopicWeekly
from monitor.trends.alerts import SPIKE_KINDS
from monitor.trends.coverage import StoryCoverage

RISING = 10
LATEST_ALERTS = 10
ENTITY_SPIKE = SPIKE_KINDS["entity"]
JSON_ENTITIES = 100  # entities with their daily counts in trends.json, most named first
LEAST_DAYS = 14  # a topic's chart starts at its first article, but never shows fewer days than this


def _ranked(topics: Iterable[TopicTrend]) -> list[TopicTrend]:
    """Active topics not muted in the digest's order (``reading_order``): those that rose beyond chance first,
    then the analyst's topics before discovered ones."""
    return sorted((t for t in topics if t.active and not t.muted), key=reading_order)


def rising(data: SiteData) -> list[TopicTrend]:
    """Topics up by more than a fifth on their usual week and by more than chance, most momentum first."""
    return [t for t in _ranked(data.topics) if t.rising][:RISING]


def trends_charts(data: SiteData, days: int, label: str) -> tuple[LineChart, LineChart]:
    """The first len(PALETTE) topics of the index table (same order, same colours) with articles in the
    period, the other topics with articles in grey behind them; for a wide screen and for a phone."""
    lines = [(oneline(t.name, 50), t.series[-days:]) for t in _charted(data, days)]
    return line_charts(lines[: len(PALETTE)], data.days[-days:], label, lines[len(PALETTE):])


def chart_colors(data: SiteData, days: int = 30) -> dict[int, str]:
    """Topic id -> its colour in the index chart, for the table's swatches."""
    return {t.id: color for t, color in zip(_charted(data, days), PALETTE, strict=False)}


def _charted(data: SiteData, days: int) -> list[TopicTrend]:
    """The index's topics with articles in the last ``days``, in its order: the chart's lines and colours."""
    return [t for t in _ranked(data.topics) if sum(t.series[-days:])]


def render_stylesheet() -> str:
    """The site's one stylesheet (the digest pages carry their own copy inline, for email)."""
    return render("_style.css")


def render_index(data: SiteData) -> str:
    sparks = {t.id: sparkline(t.series[-30:], f"{oneline(t.name, 60)}: daily articles, last 30 days")
              for t in data.topics}
    return render(
        "index.html", meta=data.meta, root="", through=data.through, rising=rising(data), judged=data.judged,
        chart30=trends_charts(data, 30, "Daily articles per topic, last 30 days"),
        chart90=trends_charts(data, 90, "Daily articles per topic, last 90 days"), colors=chart_colors(data),
        alerts=data.alerts[:LATEST_ALERTS], alert_pages=alert_pages(data),
        latest_digest=data.digests[0] if data.digests else None,
        topics=_ranked(data.topics), sparklines=sparks, total_week=sum(data.totals[-7:]), top_stories=data.top_stories,
        single_bloc={g.story_id: g.coverage.single_bloc for g in data.gaps if g.coverage.single_bloc},
    )


def render_topic(data: SiteData, topic: TopicTrend, weekly: TopicWeekly | None = None) -> str:
    """A topic's page; ``weekly``: its strongest co-mentions and bloc shares per week (monitor.render.weekly)."""
    series, days = since_first(topic.series, data.days)
    chart = line_charts([(oneline(topic.name, 50), series)], days,
                        f"Daily articles about {oneline(topic.name, 80)}, last {len(days)} days")
    alerts = [a for a in data.alerts if a.topic_id == topic.id][:LATEST_ALERTS]
    return render("topic.html", meta=data.meta, root="../", topic=topic, chart=chart, alerts=alerts, weekly=weekly,
                  paged={p.named.key for p in data.entities}, alert_pages={})


def since_first(series: tuple[int, ...], days: tuple[date, ...],
                least: int = LEAST_DAYS) -> tuple[tuple[int, ...], tuple[date, ...]]:
    """The days from the first with an article (at least the last ``least``): a topic first seen a
    month ago is not drawn as two flat months before it."""
    first = next((i for i, n in enumerate(series) if n), len(series))
    start = max(0, min(first, len(series) - least))
    return tuple(series[start:]), tuple(days[start:])


def render_story(data: SiteData, story: StoryView, coverage: StoryCoverage | None = None) -> str:
    """A story's page; ``coverage``: its bloc timeline (monitor.trends.coverage), if known."""
    outlets = Counter(link.outlet or "unknown" for link in story.sources).most_common()
    return render("story.html", meta=data.meta, root="../", story=story, outlets=outlets,
                  regions=outlets_by(story, "region"), languages=outlets_by(story, "language"),
                  coverage=coverage, blocs=timeline(coverage), media=data.media)


def outlets_by(story: StoryView, field: str) -> list[tuple[str, list[str]]]:
    """(region or language, its outlets) with the most outlets first; unknown last."""
    groups: dict[str, list[str]] = {}
    for link in story.sources:
        names = groups.setdefault(getattr(link, field) or "", [])
        if (link.outlet or "unknown") not in names:
            names.append(link.outlet or "unknown")
    return sorted(groups.items(), key=lambda kv: (kv[0] == "", -len(kv[1]), kv[0]))


def render_alerts(data: SiteData) -> str:
    groups = [(day, list(items)) for day, items in groupby(data.alerts, key=lambda a: a.day)]
    return render("alerts.html", meta=data.meta, root="", groups=groups, alert_pages=alert_pages(data))


def alert_pages(data: SiteData) -> dict[int, str]:
    """Alert id -> the page about its subject, relative to the site root: a topic's page, or for an
    entity's spike the entity's page (when the site has one); other alerts have none."""
    entities = {p.named.key: p.named.page for p in data.entities}
    pages = {a.id: f"topics/{a.topic_id}.html" if a.topic_id is not None
             else entities.get(a.subject) if a.kind == ENTITY_SPIKE else None for a in data.alerts}
    return {i: page for i, page in pages.items() if page}


def render_digest_archive(data: SiteData) -> str:
    return render("digests.html", meta=data.meta, root="../", digests=data.digests)


def _link(data: SiteData, path: str) -> str:
    base = data.meta.base_url
    return f"{base.rstrip('/')}/{path}" if base else f"../{path}"


def _tag(data: SiteData, what: str, day: date) -> str:
    base = data.meta.base_url
    if base:
        return f"{base.rstrip('/')}/#{what}-{day.isoformat()}"
    return f"tag:tech-policy-monitor,{day.year}:{what}"


def _day_time(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0, 0), ZoneInfo(zone))


def render_digest_feed(data: SiteData) -> str:
    entries = [
        {"title": d.subject, "id": _tag(data, f"digest/{d.day.isoformat()}", d.day), "updated": d.rendered_at,
         "link": _link(data, f"digests/{d.day.isoformat()}.html"), "summary": d.subject}
        for d in data.digests[:60]
    ]
    updated = max((d.rendered_at for d in data.digests), default=_day_time(data.through, data.meta.timezone))
    return _feed(data, "digests", f"{data.meta.title}: daily digests", "digests/index.html", updated, entries)


def render_alert_feed(data: SiteData) -> str:
    pages = alert_pages(data)
    entries = [
        {"title": a.title, "id": _tag(data, f"alert/{a.id}", a.day), "updated": a.created_at,
         "link": _link(data, pages.get(a.id, "alerts.html")),
         "summary": a.reason}
        for a in data.alerts[:100]
    ]
    updated = max((a.created_at for a in data.alerts), default=_day_time(data.through, data.meta.timezone))
    return _feed(data, "alerts", f"{data.meta.title}: alerts", "alerts.html", updated, entries)


def _feed(data: SiteData, name: str, title: str, page: str, updated: datetime, entries: list[dict[str, Any]]) -> str:
    base = data.meta.base_url
    feed = {
        "title": title, "id": _tag(data, f"feed/{name}", data.through), "updated": updated,
        "alternate": _link(data, page), "self_url": f"{base.rstrip('/')}/feeds/{name}.atom" if base else None,
        "author": data.meta.title,
    }
    return render("atom.xml", feed=feed, entries=entries)


def topics_json(data: SiteData) -> str:
    topics = [
        {"id": t.id, "name": t.name, "keywords": list(t.keywords), "seeded": t.seeded, "size": t.size,
         "active": t.active,
         "first_seen": t.first_seen.isoformat() if t.first_seen else None, "last_7_days": t.count,
         "baseline_7_days": round(t.baseline, 2), "page": f"topics/{t.id}.html",
         "top_stories": [{"id": s.id, "title": s.title, "outlets": s.outlets, "page": f"stories/{s.id}.html"}
                         for s in t.stories],
         "entities": [{"key": n.key, "label": n.label, "articles": n.articles, "page": n.page} for n in t.entities]}
        for t in sorted(data.topics, key=lambda t: (not t.active, -t.momentum, -t.count, t.name))
    ]
    return _dump({"through": data.through.isoformat(), "topics": topics})


def trends_json(data: SiteData) -> str:
    return _dump({
        "through": data.through.isoformat(),
        "days": [d.isoformat() for d in data.days],
        "total": list(data.totals),
        "topics": {str(t.id): {"name": t.name, "counts": list(t.series)} for t in data.topics},
        "alerts": [_alert_json(a) for a in data.alerts[:200]],
        "entities": {p.named.key: {"label": p.named.label, "counts": list(p.series), "page": p.named.page}
                     for p in data.entities[:JSON_ENTITIES]},
    })


def _alert_json(a: StoredAlert) -> dict[str, Any]:
    return {"id": a.id, "kind": a.kind, "subject_kind": a.subject_kind, "subject": a.subject, "title": a.title,
            "day": a.day.isoformat(), "count": a.count, "baseline": a.baseline, "score": a.score,
            "reason": a.reason, "topic_id": a.topic_id}


def _dump(value: Any) -> str:
    """JSON with <, > and & as \\u escapes, so the file stays inert even if pasted into a page."""
    text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"
