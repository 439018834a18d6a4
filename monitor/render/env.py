"""The one Jinja2 environment: autoescape on for every template, undefined names are errors."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from jinja2 import (
    BytecodeCache,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    select_autoescape,
)
from markupsafe import Markup

from monitor.render.trend import arrow_label, percent
from monitor.resources import templates_dir
from monitor.words import bloc_name, day_name, plural

TEMPLATES = templates_dir()
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_HTTP = re.compile(r"https?://[^/?#\s@]*[^/?#\s@:]", re.IGNORECASE)


def safe_url(value: Any) -> str:
    """An http(s) URL with a host, or '#' for anything else (javascript:, data:, relative, malformed)."""
    text = _CONTROL.sub("", str(value or "")).strip()
    if not _HTTP.match(text):
        return "#"
    if "[" in text:  # an IPv6 literal: let the URL parser judge its brackets
        try:
            urlsplit(text)
        except ValueError:
            return "#"
    return text


def oneline(value: Any, limit: int | None = None) -> str:
    """Untrusted text on one line: control characters dropped, whitespace collapsed, optionally cut."""
    text = str(value or "")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = " ".join(_CONTROL.sub(" ", text).split())
    if limit and len(text) > limit:
        return text[: limit - 1].rstrip() + "…"
    return text


def plain(value: Any, limit: int | None = None) -> Markup:
    """For text/plain templates only: the value on one line, not HTML-escaped (the output is never markup)."""
    return Markup(oneline(value, limit))


def day_label(value: date | datetime) -> str:
    return day_name(value)


def day_span(first: date | datetime, last: date | datetime) -> str:
    """``Sun 29 Nov 2026 – Mon 30 Nov 2026``, or the one day when both fall on it."""
    start, end = day_label(first), day_label(last)
    return start if start == end else f"{start} – {end}"


def local_time(value: datetime, zone: str) -> str:
    """A moment in the site's time zone, with the zone: 'Mon 9 Mar 2026, 10:15 CET'."""
    local = value.astimezone(ZoneInfo(zone))
    return f"{day_label(local)}, {local:%H:%M} {local.tzname()}"


def isotime(value: datetime) -> str:
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


@functools.cache
def environment() -> Environment:
    return make_environment(TEMPLATES, _bytecode_cache())


def _bytecode_cache() -> BytecodeCache | None:
    """Compiled templates kept between processes (in a private folder of the system's temporary directory),
    so that a cron pass does not compile every template again; a changed template is compiled afresh."""
    try:
        return FileSystemBytecodeCache()
    except (OSError, RuntimeError):  # no usable temporary folder: compile in memory, as without a cache
        return None


def make_environment(templates: Path, cache: BytecodeCache | None = None) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        bytecode_cache=cache,
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        safe_url=safe_url, oneline=oneline, plain=plain, day=day_label, local_time=local_time, isotime=isotime, percent=percent,
        trend_word=arrow_label, bloc_name=bloc_name,
    )
    env.globals.update(plural=plural, day_span=day_span)
    return env


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


@functools.cache
def templates_digest() -> str:
    """A hash of every template: a change invalidates all cached pages."""
    sha = hashlib.sha256()
    for path in sorted(TEMPLATES.rglob("*")):
        if path.is_file():
            sha.update(path.name.encode())
            sha.update(path.read_bytes())
    return sha.hexdigest()[:16]
