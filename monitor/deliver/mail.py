"""Email: build multipart/alternative messages and send them over SMTP (smtplib)."""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from monitor.config import EmailConfig
from monitor.errors import DeliveryError
from monitor.settings import Settings


def build_message(
    email: EmailConfig, recipient: str, subject: str, text: str, html: str, now: datetime,
    extra_headers: dict[str, str] | None = None, identity: str | None = None,
) -> EmailMessage:
    """A UTF-8 multipart/alternative message: plain text first, HTML second.

    With ``identity`` (what is sent, to whom) the Message-ID is derived from it, so a copy sent again
    after an interrupted run carries the same Message-ID and receivers can drop it.
    """
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = email.from_
    msg["To"] = recipient
    msg["Date"] = format_datetime(now)
    domain = _domain(email.from_)
    msg["Message-ID"] = f"<{stable_key(identity)}@{domain}>" if identity else make_msgid(domain=domain)
    msg["Auto-Submitted"] = "auto-generated"
    if email.list_unsubscribe:
        msg["List-Unsubscribe"] = _angle(email.list_unsubscribe)
        if email.list_unsubscribe.startswith("http"):
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for key, value in (extra_headers or {}).items():
        msg[key] = value
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    return msg


def stable_key(*parts: str) -> str:
    """A short, stable identifier of what is delivered where (the same for every retry)."""
    return hashlib.sha256("\x1f".join(("tech-policy-monitor", *parts)).encode()).hexdigest()[:32]


def _angle(value: str) -> str:
    return ", ".join(f"<{part.strip().strip('<>')}>" for part in value.split(",") if part.strip())


def _domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "localhost"


@contextmanager
def smtp_session(email: EmailConfig, settings: Settings) -> Iterator[smtplib.SMTP]:
    """A connected, authenticated SMTP session; DeliveryError on any connection or login failure."""
    try:
        client = _connect(email)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP {email.smtp_host}:{email.smtp_port}: {exc}") from exc
    try:
        if settings.smtp_user:
            client.login(settings.smtp_user, settings.smtp_password or "")
        yield client
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"SMTP login refused: {exc.smtp_code} {exc.smtp_error!r}") from exc
    except UnicodeEncodeError as exc:
        raise DeliveryError("SMTP login: MONITOR_SMTP_USER and MONITOR_SMTP_PASSWORD must be ASCII") from exc
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()


def _connect(email: EmailConfig) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if email.security == "ssl":
        return smtplib.SMTP_SSL(email.smtp_host, email.smtp_port, timeout=email.timeout, context=context)
    client = smtplib.SMTP(email.smtp_host, email.smtp_port, timeout=email.timeout)
    if email.security == "starttls":
        client.starttls(context=context)
    return client


def send(client: smtplib.SMTP, msg: EmailMessage) -> str:
    """Send one message to its To address; returns the Message-ID. DeliveryError when refused."""
    try:
        refused = client.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP send to {msg['To']}: {exc}") from exc
    if refused:
        raise DeliveryError(f"SMTP refused {', '.join(refused)}")
    return str(msg["Message-ID"])
