"""Alert delivery: email and/or webhook, each alert once per channel, rate-limited per subject per day.

Deliveries are recorded per (alert, channel, recipient): ``sending`` (written
just before the email or POST leaves; see :mod:`monitor.store.delivery`),
``sent``, ``failed`` (retried on the next run) or ``limited`` (over
``alerts.max_per_topic_per_day``; never sent). Every webhook POST carries an
idempotency key and every email a Message-ID that stay the same on a retry. Only alerts created in the last ``alerts.max_age_hours`` are
considered, so enabling a channel does not replay the whole history.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from monitor.config import Config
from monitor.deliver.digests import site_meta
from monitor.errors import DeliveryError
from monitor.render.alerts import render_alert_email, webhook_body
from monitor.records import StoredAlert
from monitor.render.records import SiteMeta
from monitor.settings import Settings
from monitor.store import alerts as alert_db
from monitor.store import outputs
from monitor.store.delivery import in_flight, mark_sending
from monitor.trends.corroborate import UNCONFIRMED
from monitor.views.shared import unmuted

log = logging.getLogger(__name__)

DONE = ("sent", "limited")


@dataclass(frozen=True)
class Plan:
    send: tuple[StoredAlert, ...]
    limited: tuple[StoredAlert, ...]


def _bucket(alert: StoredAlert) -> tuple[str, str, date]:
    return alert.subject_kind, alert.subject, alert.day


def plan(pending: Sequence[StoredAlert], already: Counter[tuple[str, str, date]], limit: int) -> Plan:
    """Pick what to send now: per subject and day at most ``limit`` in all, highest score first (pure)."""
    used = Counter(already)
    send, limited = [], []
    for alert in sorted(pending, key=lambda a: (-a.score, a.id)):
        if used[_bucket(alert)] < limit:
            used[_bucket(alert)] += 1
            send.append(alert)
        else:
            limited.append(alert)
    return Plan(tuple(sorted(send, key=lambda a: (-a.score, a.id))), tuple(limited))


def _channels(config: Config) -> list[tuple[str, str]]:
    out = [("email", rcpt) for rcpt in config.email.to] if config.alerts.email else []
    if config.alerts.webhook_url:
        out.append(("webhook", config.alerts.webhook_url))
    return out


def send_pending(engine: Engine, config: Config, settings: Settings, now: datetime) -> dict[str, Any]:
    """Deliver every recent alert not yet delivered on each configured channel."""
    summary: dict[str, Any] = {"alerts": 0, "sent": 0, "failed": 0, "limited": 0, "errors": []}
    channels = _channels(config)
    # an analyst who muted a topic hears nothing of it; unconfirmed spikes are shown, not sent
    alerts = [a for a in unmuted(alert_db.recent_alerts(engine, now - timedelta(hours=config.alerts.max_age_hours)),
                                 config) if a.kind != UNCONFIRMED]
    summary["alerts"] = len(alerts)
    if not alerts or not channels:
        return summary
    rows = {(d.item_key, d.channel, d.recipient): d for d in outputs.deliveries(engine, "alert", [str(a.id) for a in alerts])}
    meta = site_meta(config)
    for channel, recipient in channels:
        state = {a.id: _state(rows.get((str(a.id), channel, recipient)), now) for a in alerts}
        already = Counter(_bucket(a) for a in alerts if state[a.id] == "sent")
        pending = [a for a in alerts if state[a.id] not in DONE]
        todo = plan(pending, already, config.alerts.max_per_topic_per_day)
        for alert in todo.limited:
            outputs.record_delivery(engine, "alert", str(alert.id), channel, recipient, "limited", now)
        summary["limited"] += len(todo.limited)
        if todo.send:
            deliver = _email if channel == "email" else _webhook
            deliver(engine, config, settings, meta, recipient, todo.send, now, summary)
    return summary


def _state(row: Any, now: datetime) -> str | None:
    """A delivery's status; one another process is sending right now counts as settled."""
    if row is None:
        return None
    if in_flight(row, now):
        return "sent"
    if row.status == "sending":
        log.warning("alert %s to %s may have gone out in an interrupted run: sending again with the same key",
                    row.item_key, row.recipient)
    return str(row.status)


def _mark(engine: Engine, alerts: Sequence[StoredAlert], channel: str, recipient: str, now: datetime) -> None:
    for alert in alerts:
        mark_sending(engine, "alert", str(alert.id), channel, recipient, now)


def idempotency_key(alert: StoredAlert, channel: str, recipient: str) -> str:
    from monitor.deliver.mail import stable_key

    return stable_key("alert", str(alert.id), alert.kind, alert.subject_kind, alert.subject,
                      alert.day.isoformat(), channel, recipient)


def _record(engine: Engine, alerts: Sequence[StoredAlert], channel: str, recipient: str, now: datetime,
            summary: dict[str, Any], error: str | None = None, message_id: str | None = None) -> None:
    state = "failed" if error else "sent"
    for alert in alerts:
        outputs.record_delivery(engine, "alert", str(alert.id), channel, recipient, state, now,
                                message_id=message_id, error=error)
    summary[state] += len(alerts)
    if error:
        summary["errors"].append(f"{channel} {recipient}: {error}")
        log.error("%d alert(s) not delivered by %s to %s: %s (will retry)", len(alerts), channel, recipient, error)


def _email(engine: Engine, config: Config, settings: Settings, meta: SiteMeta, recipient: str,
           alerts: Sequence[StoredAlert], now: datetime, summary: dict[str, Any]) -> None:
    """One message listing every alert due for this recipient."""
    from monitor.deliver.mail import build_message, send, smtp_session
    from monitor.render.digest import email_html

    subject, html, text = render_alert_email(alerts, meta)
    identity = "alert-email\x1f" + recipient + "\x1f" + ",".join(str(a.id) for a in sorted(alerts, key=lambda a: a.id))
    msg = build_message(config.email, recipient, subject, text, email_html(html), now, identity=identity)
    _mark(engine, alerts, "email", recipient, now)
    try:
        with smtp_session(config.email, settings) as client:
            message_id = send(client, msg)
    except DeliveryError as exc:
        _record(engine, alerts, "email", recipient, now, summary, error=str(exc))
        return
    _record(engine, alerts, "email", recipient, now, summary, message_id=message_id)


def _webhook(engine: Engine, config: Config, _settings: Settings, meta: SiteMeta, url: str,
             alerts: Sequence[StoredAlert], now: datetime, summary: dict[str, Any]) -> None:
    """One POST per alert; a failure stops this run's posts (the endpoint is likely down) and they retry later."""
    from monitor.deliver.webhook import post_json

    for index, alert in enumerate(alerts):
        body = webhook_body(alert, meta, config.alerts.webhook_format)
        _mark(engine, [alert], "webhook", url, now)
        try:
            post_json(url, body, config.alerts.webhook_timeout, idempotency_key(alert, "webhook", url))
        except DeliveryError as exc:
            _record(engine, alerts[index:], "webhook", url, now, summary, error=str(exc))
            return
        _record(engine, [alert], "webhook", url, now, summary)
