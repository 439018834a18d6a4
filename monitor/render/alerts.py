"""Alert messages: one email for a batch of alerts, one webhook payload per alert (pure)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from monitor.render.env import oneline, plural, render, safe_url
from monitor.records import StoredAlert
from monitor.render.records import SiteMeta


def alert_link(alert: StoredAlert, meta: SiteMeta) -> str | None:
    if not meta.base_url:
        return None
    page = f"topics/{alert.topic_id}.html" if alert.topic_id is not None else "alerts.html"
    return f"{meta.base_url.rstrip('/')}/{page}"


def alert_subject(alerts: Sequence[StoredAlert], meta: SiteMeta) -> str:
    if len(alerts) == 1:
        return f"{oneline(meta.title, 60)} alert: {oneline(alerts[0].title, 120)}"
    return f"{oneline(meta.title, 60)}: {plural(len(alerts), 'alert')}, top: {oneline(alerts[0].title, 100)}"


def render_alert_email(alerts: Sequence[StoredAlert], meta: SiteMeta) -> tuple[str, str, str]:
    """(subject, html, text) for a batch of alerts."""
    links = {a.id: alert_link(a, meta) for a in alerts}
    context = {"alerts": alerts, "meta": meta, "links": links}
    return alert_subject(alerts, meta), render("alert_email.html", **context), render("alert_email.txt", **context)


def json_payload(alert: StoredAlert, meta: SiteMeta) -> dict[str, Any]:
    return {
        "id": alert.id, "kind": alert.kind, "subject_kind": alert.subject_kind, "subject": alert.subject,
        "title": alert.title, "day": alert.day.isoformat(), "count": alert.count, "baseline": alert.baseline,
        "score": alert.score, "reason": alert.reason, "story_ids": list(alert.story_ids),
        "sources": alert.sources, "evidence": list(alert.evidence),
        "topic_id": alert.topic_id, "created_at": alert.created_at.isoformat(), "url": alert_link(alert, meta),
        "source": meta.title,
    }


def slack_escape(text: str) -> str:
    """Slack mrkdwn control characters; untrusted text can then never form a link or a mention."""
    return oneline(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(alert: StoredAlert, meta: SiteMeta) -> dict[str, Any]:
    title = slack_escape(oneline(alert.title, 200))
    link = alert_link(alert, meta)
    heading = f"<{safe_url(link)}|{title}>" if link and safe_url(link) != "#" else f"*{title}*"
    detail = (f"{slack_escape(alert.kind.replace('_', ' '))} · {plural(alert.count, 'article')} "
              f"vs {alert.baseline:.1f} usual · {slack_escape(oneline(alert.reason, 300))}")
    return {
        "text": f"{slack_escape(meta.title)} alert: {title}",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": f"{heading}\n{detail}"}}],
    }


def webhook_body(alert: StoredAlert, meta: SiteMeta, fmt: str) -> bytes:
    payload = slack_payload(alert, meta) if fmt == "slack" else json_payload(alert, meta)
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")
