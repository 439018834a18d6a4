"""The daily digest at the edges: render it to the site folder, record it, email it once per recipient."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from monitor.clock import utc_day
from monitor.config import Config
from monitor.deliver.files import write_if_changed
from monitor.errors import DeliveryError
from monitor.render.digest import (
    RenderedDigest,
    digest_window,
    due_day,
    email_html,
    render_digest,
)
from monitor.records import PairingView, RenderedDigestFile
from monitor.render.records import DigestData, SiteMeta
from monitor.settings import Settings
from monitor.deliver.coverage import one_sided
from monitor.store import named, outputs
from monitor.store.delivery import in_flight, mark_sending
from monitor.trends.service import reportable
from monitor.views.digest import build_digest, described_day, history_days

log = logging.getLogger(__name__)

GAPS = 10  # coverage gaps listed in a digest


@dataclass
class DigestOutcome:
    day: date
    articles: int = 0
    subject: str = ""
    html_path: str = ""
    text_path: str = ""
    written: bool = False
    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(), "articles": self.articles, "subject": self.subject,
            "html": self.html_path, "text": self.text_path, "written": self.written, "sent": self.sent,
            "already_sent": self.already_sent, "failed": self.failed, "skipped": self.skipped,
        }


def site_meta(config: Config) -> SiteMeta:
    return SiteMeta(config.site.title, config.site.base_url, config.digest.timezone)


def site_dir(config: Config, out: str | Path | None = None) -> Path:
    """The site folder; a relative path resolves against the working directory."""
    return Path(out if out is not None else config.site.out).resolve()


def digest_data(engine: Engine, config: Config, day: date) -> DigestData:
    start, end = digest_window(day, config.digest.time, config.digest.timezone)
    history = history_days(start, end, config.trends.baseline_days)
    trends = config.trends  # counts from early enough for the history of the emerging topics' first days
    first = min(history[0], utc_day(end - timedelta(days=trends.emerging_days)) - timedelta(days=trends.baseline_days))
    rows = outputs.digest_rows(engine, start, end, first, max(history[-1], utc_day(end)), described_day(start, end),
                               config.dedupe.site_repeats)
    data = build_digest(rows, config, day, start, end)
    return replace(data, gaps=tuple(one_sided(engine, config, start, end, limit=GAPS)),
                   listed=tuple(named.listed_in(engine, start, end)),
                   pairings=tuple(_pairings(engine, config, start, end)))


def _pairings(engine: Engine, config: Config, start: datetime, end: datetime) -> list[PairingView]:
    """The new pairings (first named together within ``trends.pairing_days`` before ``end``) that became
    corroborated in [start, end), each in one digest, of those the alerts would tell (``reportable``)."""
    trends = config.trends
    since = end - timedelta(days=trends.pairing_days)
    found = [p for p in named.find_pairings(engine, since, end, trends.pairing_sources) if p.corroborated >= start]
    return named.pairing_views(engine, reportable(engine, config, found, utc_day(since)))


def render_for_site(data: DigestData, config: Config) -> RenderedDigest:
    return render_digest(data, site_meta(config), site_root="../", site_nav=True)


def render_for_email(data: DigestData, config: Config) -> RenderedDigest:
    base = config.site.base_url
    rendered = render_digest(data, site_meta(config), site_root=f"{base.rstrip('/')}/" if base else None,
                             unsubscribe=config.email.list_unsubscribe, email=True)
    return RenderedDigest(rendered.subject, email_html(rendered.html), rendered.text)


def write_digest(
    engine: Engine, config: Config, data: DigestData, now: datetime, out: str | Path | None = None
) -> DigestOutcome:
    """Write digests/DAY.html and .txt under the site folder and record the Digest row."""
    rendered = render_for_site(data, config)
    folder = site_dir(config, out) / "digests"
    html, text = folder / f"{data.day.isoformat()}.html", folder / f"{data.day.isoformat()}.txt"
    written = write_if_changed(html, rendered.html.encode("utf-8"))
    written = write_if_changed(text, rendered.text.encode("utf-8")) or written
    previous = outputs.get_digest(engine, data.day)
    rendered_at = now if written or previous is None or previous.rendered_at is None else previous.rendered_at
    outputs.save_digest(engine, RenderedDigestFile(
        day=data.day, window_start=data.start, window_end=data.end, articles=data.total, html_path=str(html),
        text_path=str(text), subject=rendered.subject, rendered_at=rendered_at,
    ))
    return DigestOutcome(data.day, data.total, rendered.subject, str(html), str(text), written)


def sent_to(engine: Engine, day: date, now: datetime | None = None) -> set[str]:
    """Recipients sent this day's digest (with ``now``: also those another process is sending it to)."""
    rows = outputs.deliveries(engine, "digest", [day.isoformat()])
    return {r.recipient for r in rows
            if r.channel == "email" and (r.status == "sent" or (now is not None and in_flight(r, now)))}


def send_digest(
    engine: Engine, config: Config, settings: Settings, data: DigestData, recipients: list[str], now: datetime,
    outcome: DigestOutcome,
) -> DigestOutcome:
    """Email the digest to each recipient not yet sent it; failures are recorded for the next run."""
    from monitor.deliver.mail import build_message, send, smtp_session

    done = sent_to(engine, data.day, now)
    outcome.already_sent = [r for r in recipients if r in done]
    todo = [r for r in recipients if r not in done]
    if not todo:
        return outcome
    if data.empty and not config.digest.send_empty:
        outcome.skipped = "no articles in the window (digest.send_empty is false)"
        return outcome
    email = render_for_email(data, config)
    key = data.day.isoformat()
    try:
        with smtp_session(config.email, settings) as client:
            for rcpt in todo:
                _send_one(engine, client, config, email, rcpt, key, now, outcome, build_message, send)
    except DeliveryError as exc:
        for rcpt in todo:
            if rcpt not in outcome.sent and rcpt not in outcome.failed:
                outcome.failed[rcpt] = str(exc)
                outputs.record_delivery(engine, "digest", key, "email", rcpt, "failed", now, error=str(exc))
    for rcpt, error in outcome.failed.items():
        log.error("digest %s not sent to %s: %s (will retry on the next run)", key, rcpt, error)
    return outcome


def _send_one(engine: Engine, client: Any, config: Config, email: RenderedDigest, rcpt: str, key: str,
              now: datetime, outcome: DigestOutcome, build: Any, send: Any) -> None:
    msg = build(config.email, rcpt, email.subject, email.text, email.html, now, identity=f"digest\x1f{key}\x1f{rcpt}")
    mark_sending(engine, "digest", key, "email", rcpt, now)
    try:
        message_id = send(client, msg)
    except DeliveryError as exc:
        outcome.failed[rcpt] = str(exc)
        outputs.record_delivery(engine, "digest", key, "email", rcpt, "failed", now, error=str(exc))
        return
    outputs.record_delivery(engine, "digest", key, "email", rcpt, "sent", now, message_id=message_id)
    outcome.sent.append(rcpt)
    log.info("digest %s sent to %s", key, rcpt)


def process_day(
    engine: Engine, config: Config, settings: Settings, day: date, now: datetime,
    send: bool = True, recipients: list[str] | None = None, out: str | Path | None = None,
) -> DigestOutcome:
    """Render the digest for ``day`` (unless already sent to everyone) and send it where still due."""
    recipients = list(config.email.to) if recipients is None else recipients
    existing = outputs.get_digest(engine, day)
    if existing is not None and recipients and sent_to(engine, day) >= set(recipients):
        outcome = DigestOutcome(day, existing.articles, existing.subject, existing.html_path, existing.text_path)
        outcome.already_sent = list(recipients)
        return outcome
    data = digest_data(engine, config, day)
    outcome = write_digest(engine, config, data, now, out)
    if send and recipients:
        send_digest(engine, config, settings, data, recipients, now, outcome)
    return outcome


def run_due(engine: Engine, config: Config, settings: Settings, now: datetime, send: bool = True) -> dict[str, Any]:
    """Render and send the most recent due digest; also finish yesterday's if it was missed or failed.

    Yesterday's is caught up only once the monitor has a digest history (a
    first run sends one digest, not two). Idempotent: nothing is sent twice.
    """
    day = due_day(now, config.digest.time, config.digest.timezone)
    days = [day]
    previous = day - timedelta(days=1)
    if outputs.get_digest(engine, previous) is not None or outputs.get_digest(engine, previous - timedelta(days=1)):
        days.insert(0, previous)
    results = [process_day(engine, config, settings, d, now, send=send) for d in days]
    return {
        "digests": [r.as_dict() for r in results],
        "sent": sum(len(r.sent) for r in results),
        "failed": sum(len(r.failed) for r in results),
    }
