"""Alert delivery to a loopback webhook receiver and a real SMTP server: once each, rate-limited, retried."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from outputs_data import NOW, XSS_TITLE, config_dict, populate
from outputs_kit import audit, smtp_server, webhook_server

from monitor.config import Config
from monitor.deliver.alerts import plan, send_pending
from monitor.records import StoredAlert
from monitor.settings import Settings
from monitor.store.db import session_scope
from monitor.store.tables import Alert, Delivery


def _config(tmp_path: Path, **alerts: Any) -> Config:
    return Config.model_validate(config_dict(tmp_path, alerts={"email": False, **alerts},
                                             site={"out": str(tmp_path / "site"),
                                                   "base_url": "https://monitor.example.org"}))


def _spikes(engine: Any, subject: str, n: int, day: date, tag: str = "a") -> list[int]:
    with session_scope(engine) as s:
        rows = [Alert(dedup_key=f"spike:{subject}:{tag}{i}:{day}", kind="spike", subject_kind="topic", subject=subject,
                      title=f"spike {i}", day=day, count=10 + i, baseline=2.0, score=float(i), reason="r",
                      story_ids=[], created_at=NOW - timedelta(hours=1)) for i in range(n)]
        s.add_all(rows)
        s.flush()
        return [r.id for r in rows]


def test_json_webhook_gets_each_alert_once(engine: Any, tmp_path: Path) -> None:
    fx = populate(engine)
    with webhook_server() as hook:
        config = _config(tmp_path, webhook_url=hook.url)
        first = send_pending(engine, config, Settings(), NOW)
        second = send_pending(engine, config, Settings(), NOW + timedelta(minutes=30))
    assert first["sent"] == 2 and second["sent"] == 0
    assert [b["id"] for b in hook.bodies] == [fx.alerts["first_seen"], fx.alerts["spike"]]  # highest score first
    body = hook.bodies[0]
    assert body["title"] == f"New topic {XSS_TITLE}" and body["topic_id"] == 3
    assert body["url"] == "https://monitor.example.org/topics/3.html"
    assert hook.headers[0]["Content-Type"].startswith("application/json")


def test_slack_payload_escapes_markup(engine: Any, tmp_path: Path) -> None:
    populate(engine)
    with webhook_server() as hook:
        send_pending(engine, _config(tmp_path, webhook_url=hook.url, webhook_format="slack"), Settings(), NOW)
    text = hook.bodies[0]["blocks"][0]["text"]["text"]
    assert hook.bodies[0]["blocks"][0]["text"]["type"] == "mrkdwn"
    assert "&lt;script&gt;" in text and "<script>" not in text
    assert text.startswith("<https://monitor.example.org/topics/3.html|New topic &lt;script&gt;")


def test_failed_webhook_is_retried_on_the_next_run(engine: Any, tmp_path: Path) -> None:
    populate(engine)
    with webhook_server() as hook:
        config = _config(tmp_path, webhook_url=hook.url)
        hook.status = 503
        down = send_pending(engine, config, Settings(), NOW)
        hook.status = 200
        up = send_pending(engine, config, Settings(), NOW + timedelta(minutes=30))
    assert down["failed"] == 2 and down["sent"] == 0 and "HTTP 503" in down["errors"][0]
    assert up["sent"] == 2 and len(hook.bodies) == 2
    with session_scope(engine) as s:
        rows = s.query(Delivery).filter(Delivery.item_kind == "alert").all()
    assert {(r.status, r.attempts) for r in rows} == {("sent", 2)}


def test_rate_limit_per_topic_per_day(engine: Any, tmp_path: Path) -> None:
    day = NOW.date()
    ids = _spikes(engine, "7", 5, day)
    other = _spikes(engine, "8", 1, day)
    with webhook_server() as hook:
        config = _config(tmp_path, webhook_url=hook.url, max_per_topic_per_day=2)
        result = send_pending(engine, config, Settings(), NOW)
        later = _spikes(engine, "7", 1, day, tag="b")  # a new spike the same day: the topic already had its two
        again = send_pending(engine, config, Settings(), NOW + timedelta(hours=1))
    sent = [b["id"] for b in hook.bodies]
    assert sent == [ids[4], ids[3], other[0]]  # the two strongest of topic 7, and topic 8's
    assert result["limited"] == 3 and again["limited"] == 1 and again["sent"] == 0
    assert later[0] not in sent


def test_old_alerts_are_not_replayed(engine: Any, tmp_path: Path) -> None:
    populate(engine)
    with webhook_server() as hook:
        result = send_pending(engine, _config(tmp_path, webhook_url=hook.url), Settings(), NOW + timedelta(days=5))
    assert result["alerts"] == 0 and hook.bodies == []


def test_alert_email_batches_alerts_per_recipient(engine: Any, tmp_path: Path) -> None:
    populate(engine)
    with smtp_server() as (box, port):
        config = Config.model_validate(config_dict(
            tmp_path, alerts={"email": True},
            email={"smtp_host": "127.0.0.1", "smtp_port": port, "to": ["ana@example.org", "bo@example.org"]}))
        first = send_pending(engine, config, Settings(), NOW)
        second = send_pending(engine, config, Settings(), NOW)
    assert first["sent"] == 4 and second["sent"] == 0  # 2 alerts x 2 recipients
    assert len(box.messages) == 2
    msg = box.messages[0][2]
    assert msg["Subject"].startswith("Tech-policy monitor: 2 alerts, top: New topic <script>")
    html = msg.get_body(("html",)).get_content()
    assert audit(html) == [] and "&lt;script&gt;" in html
    assert XSS_TITLE in msg.get_body(("plain",)).get_content()


def test_nothing_configured_delivers_nothing(engine: Any, tmp_path: Path) -> None:
    populate(engine)
    result = send_pending(engine, _config(tmp_path), Settings(), NOW)
    assert result["sent"] == 0 and result["alerts"] == 2


@pytest.mark.parametrize(("already", "expected"), [(0, [3, 2]), (1, [3]), (2, [])])
def test_plan_keeps_the_strongest_within_the_limit(already: int, expected: list[int]) -> None:
    alerts = [StoredAlert(i, "spike", "topic", "1", "t", NOW.date(), 1, 0.0, float(i), "r", NOW) for i in (1, 2, 3)]
    bucket = ("topic", "1", NOW.date())
    result = plan(alerts, Counter({bucket: already}), 2)
    assert [a.id for a in result.send] == expected
    assert len(result.limited) == 3 - len(expected)


def test_a_muted_topic_sends_no_alerts_and_leaves_the_alerts_page(engine: Any, tmp_path: Path) -> None:
    from monitor.deliver.site import build_site

    fx = populate(engine)
    with webhook_server() as hook:
        loud = _config(tmp_path, webhook_url=hook.url)
        muted = Config.model_validate({**loud.model_dump(by_alias=True), "discovered_topics": [{"id": 3, "mute": True}]})
        summary = send_pending(engine, muted, Settings(), NOW)
    assert summary["sent"] >= 1 and all(b["topic_id"] != 3 for b in hook.bodies)
    assert fx.alerts["first_seen"] not in [b["id"] for b in hook.bodies]  # the new-topic alert of topic 3
    build_site(engine, muted, NOW)
    assert "topics/3.html" not in (tmp_path / "site" / "alerts.html").read_text(encoding="utf-8")
