"""The digest by email through a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from outputs_data import DAY, NOW, XSS_TITLE, config_dict, populate
import pytest
from outputs_kit import Logins, audit, free_port, links, self_signed, smtp_server

from monitor.cli import cli
from monitor.config import Config
from monitor.deliver.digests import run_due
from monitor.settings import Settings
from monitor.store.db import session_scope
from monitor.store.tables import Delivery

SENDER = "Монитор техполитики <monitor@example.org>"


def _config(tmp_path: Path, port: int, to: list[str], **extra: Any) -> Config:
    email = {"smtp_host": "127.0.0.1", "smtp_port": port, "from": SENDER, "to": to,
             "list_unsubscribe": "mailto:unsubscribe@example.org", **extra}
    return Config.model_validate(config_dict(tmp_path, email=email,
                                             site={"out": str(tmp_path / "site"), "title": "Монитор",
                                                   "base_url": "https://monitor.example.org/"}))


def _parts(msg: EmailMessage) -> tuple[str, str]:
    assert msg.get_content_type() == "multipart/alternative"
    plain, html = (part for part in msg.iter_parts())
    assert plain.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert plain.get_content_charset() == "utf-8" and html.get_content_charset() == "utf-8"
    return plain.get_content(), html.get_content()


def test_digest_email_parts_headers_and_links(engine: Any, tmp_path: Path) -> None:
    populate(engine)
    with smtp_server() as (box, port):
        result = run_due(engine, _config(tmp_path, port, ["ana@example.org", "Борис <boris@example.org>"]),
                         Settings(), NOW)
    assert result["sent"] == 2 and result["failed"] == 0
    assert [rcpts for _, rcpts, _ in box.messages] == [["ana@example.org"], ["boris@example.org"]]
    _, _, msg = box.messages[0]
    assert msg["Subject"].startswith("Монитор digest, Tue 10 Mar 2026: 9 articles")
    assert parseaddr(str(msg["From"])) == ("Монитор техполитики", "monitor@example.org")
    assert parsedate_to_datetime(msg["Date"]) == NOW
    assert msg["Message-ID"].endswith("@example.org>")
    assert msg["List-Unsubscribe"] == "<mailto:unsubscribe@example.org>"
    assert box.messages[0][2]["Message-ID"] != box.messages[1][2]["Message-ID"]
    plain, html = _parts(msg)
    assert "AI alliances and partnerships" in plain and XSS_TITLE in plain
    assert audit(html) == [] and "<style" not in html and 'style="' in html  # CSS inlined
    assert "<svg" not in html and 'class="spark-text"' in html  # no images at all
    hrefs = links(html)
    assert "https://reuters.example.org/sber-deepseek" in hrefs
    assert "https://monitor.example.org/topics/1.html" in hrefs
    assert not any(h.startswith("../") for h in hrefs)  # no relative links in an email


def test_second_send_the_same_day_sends_nothing(engine: Any, tmp_path: Path) -> None:
    populate(engine)
    with smtp_server() as (box, port):
        config = _config(tmp_path, port, ["ana@example.org"])
        run_due(engine, config, Settings(), NOW)
        again = run_due(engine, config, Settings(), NOW + timedelta(hours=1))
    assert len(box.messages) == 1
    assert again["sent"] == 0 and again["digests"][0]["already_sent"] == ["ana@example.org"]


def test_refused_connection_keeps_the_digest_and_the_next_run_retries(engine: Any, tmp_path: Path) -> None:
    populate(engine)
    port = free_port()  # nothing listens there yet
    config = _config(tmp_path, port, ["ana@example.org"])
    failed = run_due(engine, config, Settings(), NOW)
    assert failed["sent"] == 0 and failed["failed"] == 1
    assert Path(failed["digests"][0]["html"]).is_file()
    with session_scope(engine) as s:
        (row,) = s.query(Delivery).all()
        assert (row.status, row.attempts, row.recipient) == ("failed", 1, "ana@example.org") and row.error
    with smtp_server(port) as (box, _):
        retried = run_due(engine, config, Settings(), NOW + timedelta(minutes=30))
    assert retried["sent"] == 1 and len(box.messages) == 1
    with session_scope(engine) as s:
        (row,) = s.query(Delivery).all()
        assert (row.status, row.attempts, row.message_id) == ("sent", 2, box.messages[0][2]["Message-ID"])


def test_empty_window_sends_nothing_unless_configured(engine: Any, tmp_path: Path) -> None:
    with smtp_server() as (box, port):
        quiet = run_due(engine, _config(tmp_path, port, ["ana@example.org"]), Settings(), NOW)
        assert quiet["sent"] == 0 and box.messages == []
        assert "no articles" in quiet["digests"][0]["skipped"]
        config = Config.model_validate({**_config(tmp_path, port, ["ana@example.org"]).model_dump(by_alias=True),
                                        "digest": {"send_empty": True}})
        loud = run_due(engine, config, Settings(), NOW)
    assert loud["sent"] == 1
    plain, _ = _parts(box.messages[0][2])
    assert "No new articles in this period." in plain


def test_cli_send_twice_says_already_sent_and_exits_0(engine: Any, database_url: str, tmp_path: Path,
                                                       write_config: Any) -> None:
    populate(engine)
    runner = CliRunner()
    with smtp_server() as (box, port):
        email = {"smtp_host": "127.0.0.1", "smtp_port": port, "to": ["ana@example.org"]}
        path = write_config(config_dict(tmp_path, email=email))
        args = ["--config", str(path), "digest", "--date", DAY.isoformat(), "--send"]
        env = {"MONITOR_DATABASE_URL": database_url}
        first = runner.invoke(cli, args, env=env, catch_exceptions=False)
        second = runner.invoke(cli, args, env=env, catch_exceptions=False)
        other = runner.invoke(cli, [*args, "--to", "boris@example.org"], env=env, catch_exceptions=False)
    assert first.exit_code == 0 and "sent to ana@example.org" in first.output
    assert second.exit_code == 0 and "already sent to ana@example.org" in second.output
    assert other.exit_code == 0 and "sent to boris@example.org" in other.output
    assert [r for _, r, _ in box.messages] == [["ana@example.org"], ["boris@example.org"]]


def test_cli_send_failure_exits_1(engine: Any, database_url: str, tmp_path: Path, write_config: Any) -> None:
    populate(engine)
    email = {"smtp_host": "127.0.0.1", "smtp_port": free_port(), "to": ["ana@example.org"]}
    path = write_config(config_dict(tmp_path, email=email))
    result = CliRunner().invoke(cli, ["--config", str(path), "digest", "--date", DAY.isoformat(), "--send"],
                                env={"MONITOR_DATABASE_URL": database_url}, catch_exceptions=False)
    assert result.exit_code == 1
    assert "FAILED ana@example.org" in result.output and "retries" in result.output


def test_credentials_come_from_the_environment_settings(engine: Any, tmp_path: Path) -> None:
    populate(engine)
    logins = Logins("monitor", "s3cret-p4ss")
    with smtp_server(logins=logins) as (box, port):
        config = _config(tmp_path, port, ["ana@example.org"])
        refused = run_due(engine, config, Settings(smtp_user="monitor", smtp_password="wrong"), NOW)
        accepted = run_due(engine, config, Settings.from_env({"MONITOR_SMTP_USER": "monitor",
                                                              "MONITOR_SMTP_PASSWORD": "s3cret-p4ss"}), NOW)
    assert refused["failed"] == 1 and "login refused" in refused["digests"][0]["failed"]["ana@example.org"]
    assert accepted["sent"] == 1 and len(box.messages) == 1
    assert set(logins.attempts[:-1]) == {("monitor", "wrong")}  # smtplib tries each mechanism
    assert logins.attempts[-1] == ("monitor", "s3cret-p4ss")


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_to_a_server_whose_certificate_is_trusted(engine: Any, tmp_path: Path, security: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    populate(engine)
    cert = self_signed(tmp_path)
    with smtp_server(tls=security, cert=cert) as (box, port):
        config = _config(tmp_path, port, ["ana@example.org"], security=security, smtp_host="localhost")
        untrusted = run_due(engine, config, Settings(), NOW)
        monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))  # a private CA, as a user would trust it
        trusted = run_due(engine, config, Settings(), NOW + timedelta(minutes=5))
    assert untrusted["failed"] == 1 and "certificate verify failed" in untrusted["digests"][0]["failed"][
        "ana@example.org"]
    assert trusted["sent"] == 1 and len(box.messages) == 1  # the kept digest went out on the retry
