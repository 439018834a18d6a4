"""The daily digest: its time window, headline, subject and rendering (pure; ``now`` is a parameter)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from monitor.mentions.pairs import pair_key
from monitor.records import StoredAlert
from monitor.render.charts import spark_text, sparkline
from monitor.render.env import oneline, plural, render
from monitor.render.records import DigestData, SiteMeta
from monitor.render.trend import percent


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    html: str
    text: str


def _at(day: date, clock: str, tz: ZoneInfo) -> datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime.combine(day, time(hour, minute), tz)


def digest_window(day: date, clock: str, zone: str) -> tuple[datetime, datetime]:
    """The 24 hours before ``day`` at ``clock`` in ``zone``, as aware datetimes (end exclusive)."""
    end = _at(day, clock, ZoneInfo(zone))
    return end - timedelta(hours=24), end


def due_day(now: datetime, clock: str, zone: str) -> date:
    """The most recent day whose digest time has passed at ``now``."""
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    return today if _at(today, clock, tz) <= now else today - timedelta(days=1)


def headline(d: DigestData) -> str:
    """One sentence: volume against the usual, the topics that rose beyond chance, alerts and watch hits."""
    parts = [f"{plural(d.total, 'article')} in the last 24 hours"]
    if d.baseline_total:
        parts[0] += f" ({percent((d.total - d.baseline_total) / d.baseline_total)} vs usual)"
    movers = [t for t in d.topics if t.rising][:3]
    if movers:
        parts.append("rising: " + ", ".join(f"{oneline(t.name, 60)} {t.arrow}" for t in movers))
    elif d.topics and not d.judged:
        parts.append("too little history yet to tell which topics rose")
    elif d.topics:
        parts.append("no topic beyond its usual range")
    if d.alerts:
        parts.append(plural(len(d.alerts), "alert"))
    if d.emerging:
        parts.append(plural(len(d.emerging), "new topic"))
    if d.watch:
        parts.append(plural(len(d.watch), "watchlist term") + " mentioned")
    return "; ".join(parts) + "."


def subject(d: DigestData, title: str) -> str:
    label = f"{oneline(title, 80)} digest, {d.day:%a} {d.day.day} {d.day:%b %Y}"
    if d.empty:
        return f"{label}: no new articles"
    top = next((t for t in d.topics if t.count), None)
    lead = f", top: {oneline(top.name, 60)}" if top else ""
    alerts = f", {plural(len(d.alerts), 'alert')}" if d.alerts else ""
    return f"{label}: {plural(d.total, 'article')}{lead}{alerts}"


def render_digest(
    d: DigestData,
    meta: SiteMeta,
    site_root: str | None = None,
    site_nav: bool = False,
    unsubscribe: str | None = None,
    email: bool = False,
) -> RenderedDigest:
    """HTML and text of one digest. ``site_root`` prefixes links to the site's pages (None: no such links).

    ``email``: sparklines as Unicode blocks instead of inline SVG, which most mail clients drop.
    """
    sparks = {t.id: sparkline(t.series, f"{oneline(t.name, 60)}: daily articles, last {len(t.series)} days")
              for t in d.topics}
    context = {
        "d": d, "meta": meta, "headline": headline(d), "subject": subject(d, meta.title), "sparklines": sparks,
        "alerts": listed_alerts(d),
        "spark_text": {t.id: spark_text(t.series) for t in d.topics}, "email": email,
        "site_root": site_root, "site_nav": site_nav, "unsubscribe": unsubscribe,
        "site_url": f"{meta.base_url.rstrip('/')}/index.html" if meta.base_url else None,
    }
    return RenderedDigest(context["subject"], render("digest.html", **context), render("digest.txt", **context))


def listed_alerts(d: DigestData) -> list[StoredAlert]:
    """The alerts the digest lists under "Alerts": a new pairing that its own section shows, with the articles
    that name both, is not listed twice."""
    shown = {pair_key(p.a.key, p.b.key) for p in d.pairings}
    return [a for a in d.alerts if not (a.kind == "new_pairing" and a.subject in shown)]


def email_html(html: str) -> str:
    """The digest page with its stylesheet inlined into style attributes, for mail clients."""
    import css_inline

    return css_inline.inline(html)
