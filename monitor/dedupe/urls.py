"""Canonical article URLs: one spelling per article however feeds decorate its link."""

from __future__ import annotations

import posixpath
import re
import string
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from courlan import normalize_url

TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
        "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "cmpid", "ocid",
        "ref_src", "ref_url", "spm", "sr_share", "xtor", "at_medium", "at_campaign", "s_cid",
        "rss", "rssfeed", "feed", "from_rss", "ito", "ncid", "taid",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "itm_", "_hs", "vero_", "oly_")
DEFAULT_PORTS = {"http": 80, "https": 443}
SAFE_SCHEMES = ("http", "https")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")


def is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def resolve_link(link: str | None, base: str) -> str | None:
    """An absolute http(s) URL for a feed link, or None when it is missing or unsafe."""
    if not link or not link.strip():
        return None
    try:
        absolute = urljoin(base, link.strip())
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES or not parts.hostname:
        return None
    return without_userinfo(absolute)


def without_userinfo(url: str) -> str:
    """The URL without ``user:password@``: credentials in a link are never sent."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def canonical_url(url: str) -> str:
    """One spelling per article: courlan's normalisation (case, IDN, default port, percent-encoding),
    then dot segments resolved, unreserved characters decoded, no ``www.``, userinfo, fragment,
    tracking parameters or trailing slash.

    Query parameters that are not tracking are kept and sorted, since many news
    sites identify articles by them (``?id=123``). Never raises for a link that
    :func:`resolve_link` accepted (an out-of-range port is kept as written).
    """
    parts = urlsplit(url.strip())
    norm = urlsplit(normalize_url(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), strict=True))
    return urlunsplit((norm.scheme, _netloc(norm), _path(norm.path), _query(parts.query), ""))


def _netloc(parts: SplitResult) -> str:
    host = (parts.hostname or "").rstrip(".")
    host = host.removeprefix("www.")
    if ":" in host:
        host = f"[{host}]"  # IPv6
    hostport = parts.netloc.rsplit("@", 1)[-1]
    port = hostport.rsplit(":", 1)[1] if hostport.rfind(":") > hostport.rfind("]") else ""
    return f"{host}:{port}" if port and port != str(DEFAULT_PORTS.get(parts.scheme)) else host


def _path(path: str) -> str:
    path = _ESCAPE.sub(_unescape_unreserved, path)
    path = posixpath.normpath(path) if path else "/"
    while "//" in path:
        path = path.replace("//", "/")
    return path if path in ("/", "") else path.rstrip("/") or "/"


def _unescape_unreserved(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else match.group(0).upper()


def _query(query: str) -> str:
    return urlencode(sorted((k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not is_tracking(k)))
