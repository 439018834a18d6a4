"""Delivery across faults: a failed send fails the command, a send cut short is marked and retried with
the same idempotency key or Message-ID, and one in flight elsewhere is not duplicated."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from outputs_kit import smtp_server, webhook_server

from monitor.config import Config
from monitor.deliver.alerts import send_pending
from monitor.settings import Settings
from monitor.store.db import session_scope
from monitor.store.delivery import mark_sending
from monitor.store.tables import Alert, Delivery


def add_alert(engine: Any, created: datetime) -> int:
    with session_scope(engine) as s:
        alert = Alert(dedup_key=f"spike:7:{created.date()}", kind="spike", subject_kind="topic", subject="7",
                      title="Export controls spike", day=created.date(), count=12, baseline=2.0, score=5.0,
                      reason="12 vs 2", story_ids=[], created_at=created)
        s.add(alert)
        s.flush()
        return int(alert.id)


@pytest.fixture
def db(engine: Any, database_url: str) -> Any:
    """The migrated database (SQLite, then PostgreSQL) and its URL for the command line."""
    return engine, database_url


def write_config(tmp_path: Path, alerts: dict[str, Any]) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(json.dumps({"feeds": [{"name": "A", "url": "http://127.0.0.1:9/feed.xml"}],
                                "alerts": {"email": False, **alerts},
                                "site": {"out": str(tmp_path / "site")}}), encoding="utf-8")
    return path


def monitor(args: list[str], tmp_path: Path, url: str, **kwargs: Any) -> Any:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    env["MONITOR_DATABASE_URL"] = url
    popen = kwargs.pop("popen", False)
    command = [sys.executable, "-m", "monitor", *args]
    if popen:
        return subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_alerts_send_exits_1_when_a_delivery_failed(tmp_path, db):
    engine, url = db
    add_alert(engine, datetime.now(UTC))
    with webhook_server() as hook:
        hook.status = 503
        config = write_config(tmp_path, {"webhook_url": hook.url})
        result = monitor(["--config", str(config), "alerts", "--send"], tmp_path, url)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "failed 1" in result.stdout and "HTTP 503" in result.stderr


def test_a_webhook_post_cut_short_by_a_kill_is_sent_again_with_the_same_key(tmp_path, db):
    engine, url = db
    now = datetime.now(UTC)
    alert_id = add_alert(engine, now)
    received: list[tuple[dict[str, str], dict[str, Any]]] = []
    arrived, release = threading.Event(), threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append((dict(self.headers), body))
            if len(received) == 1:  # the receiver processes the first POST, then the sender dies
                arrived.set()
                release.wait(30)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook_url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        config_path = write_config(tmp_path, {"webhook_url": hook_url})
        proc = monitor(["--config", str(config_path), "alerts", "--send"], tmp_path, url, popen=True)
        assert arrived.wait(60), proc.communicate(timeout=60)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        release.set()
        with session_scope(engine) as s:
            row = s.query(Delivery).filter(Delivery.item_key == str(alert_id)).one()
            assert (row.status, row.attempts) == ("sending", 0)
        config = Config.model_validate(json.loads(config_path.read_text(encoding="utf-8")))
        soon = send_pending(engine, config, Settings(), now + timedelta(minutes=1))  # maybe still in flight
        assert soon["sent"] == 0 and len(received) == 1
        later = send_pending(engine, config, Settings(), now + timedelta(minutes=30))
    finally:
        release.set()
        server.shutdown()
        server.server_close()
    assert later["sent"] == 1 and len(received) == 2
    (first_headers, first), (second_headers, second) = received
    assert first["idempotency_key"] == second["idempotency_key"] == first_headers["Idempotency-Key"]
    assert second_headers["Idempotency-Key"] == first_headers["Idempotency-Key"]
    with session_scope(engine) as s:
        assert s.query(Delivery).filter(Delivery.item_key == str(alert_id)).one().status == "sent"


def test_slack_payloads_carry_the_key_too_and_each_alert_its_own(tmp_path, db):
    engine, _url = db
    now = datetime.now(UTC)
    add_alert(engine, now)
    with session_scope(engine) as s:
        s.add(Alert(dedup_key="first_seen:8", kind="first_seen", subject_kind="topic", subject="8", title="New",
                    day=now.date(), count=3, baseline=0.0, score=1.0, reason="new", story_ids=[], created_at=now))
    with webhook_server() as hook:
        config = Config.model_validate(json.loads(write_config(
            tmp_path, {"webhook_url": hook.url, "webhook_format": "slack"}).read_text(encoding="utf-8")))
        assert send_pending(engine, config, Settings(), now)["sent"] == 2
    keys = [body["idempotency_key"] for body in hook.bodies]
    assert len(set(keys)) == 2 and all(len(k) == 32 for k in keys)
    assert [h["Idempotency-Key"] for h in hook.headers] == keys
    assert "blocks" in hook.bodies[0]


def test_a_digest_cut_short_is_resent_with_the_same_message_id(tmp_path, db):
    from monitor.deliver.digests import process_day

    engine, _url = db
    now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    day = now.date()
    with smtp_server() as (box, port):
        config = Config.model_validate({
            "feeds": [{"name": "A", "url": "http://127.0.0.1:9/feed.xml"}],
            "email": {"smtp_host": "127.0.0.1", "smtp_port": port, "to": "a@example.org"},
            "digest": {"send_empty": True}, "site": {"out": str(tmp_path / "site")}})
        mark_sending(engine, "digest", day.isoformat(), "email", "a@example.org", now)
        busy = process_day(engine, config, Settings(), day, now + timedelta(minutes=2))
        assert busy.sent == [] and box.messages == []  # another process may be sending it right now
        first = process_day(engine, config, Settings(), day, now + timedelta(minutes=30))
        with session_scope(engine) as s:  # as if that send was cut short after the server accepted it
            s.query(Delivery).filter(Delivery.item_kind == "digest").update({"status": "sending"})
        again = process_day(engine, config, Settings(), day, now + timedelta(hours=1))
        done = process_day(engine, config, Settings(), day, now + timedelta(hours=2))
    assert first.sent == again.sent == ["a@example.org"] and done.sent == []
    ids = [msg["Message-ID"] for _sender, _rcpts, msg in box.messages]
    assert len(ids) == 2 and ids[0] == ids[1]
