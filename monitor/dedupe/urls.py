"""Canonical article URLs: one spelling per article however feeds decorate its link."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
        "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "cmpid", "ocid",
        "ref_src", "ref_url", "spm", "sr_share", "xtor", "at_medium", "at_campaign", "s_cid",
        "rss", "rssfeed", "feed", "from_rss", "cid", "ito", "ncid", "taid",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "itm_", "_hs", "vero_", "oly_")
DEFAULT_PORTS = {"http": 80, "https": 443}
SAFE_SCHEMES = ("http", "https")


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
    """Lower-case scheme and host, no default port, fragment, tracking parameters or trailing slash.

    Query parameters that are not tracking are kept and sorted, since many news
    sites identify articles by them (``?id=123``).
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    port = parts.port
    netloc = host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    path = parts.path or "/"
    while "//" in path:
        path = path.replace("//", "/")
    if len(path) > 1:
        path = path.rstrip("/")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)))
    return urlunsplit((scheme, netloc, path, query, ""))
