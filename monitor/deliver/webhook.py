"""Webhook POSTs with the standard library (one small JSON body per alert)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from monitor.errors import DeliveryError

USER_AGENT = "tech-policy-monitor/0.1"


def post_json(url: str, body: bytes, timeout: float = 15.0, idempotency_key: str | None = None) -> int:
    """POST ``body`` as JSON; the status on 2xx, DeliveryError otherwise (redirects are not followed).

    With ``idempotency_key`` the key goes in an ``Idempotency-Key`` header and, for a JSON object body,
    in its ``idempotency_key`` field: the same for every retry of one delivery.
    """
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
        body = _with_key(body, idempotency_key)
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read(65536)
            return int(response.status)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"webhook answered HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"webhook unreachable: {getattr(exc, 'reason', exc)}") from exc


def _with_key(body: bytes, key: str) -> bytes:
    payload = json.loads(body)
    if not isinstance(payload, dict):
        return body
    return json.dumps({**payload, "idempotency_key": key}, ensure_ascii=False).encode("utf-8")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None
