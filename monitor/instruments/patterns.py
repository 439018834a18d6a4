"""One pattern for legal instruments: a regex, a key and label built from its match, an optional context.

The shipped patterns build their key and label in Python (ordinals, year/number order); a user
pattern fills ``{group}`` templates. Both scan the same way (:mod:`monitor.instruments.scanner`).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass

Build = Callable[[re.Match[str]], tuple[str, str] | None]
_SPACES = re.compile(r"\s+")
_FIELD = re.compile(r"^\w+$")


@dataclass(frozen=True)
class Pattern:
    name: str
    regex: re.Pattern[str]
    build: Build  # (key, label) for a match, or None when the match is not an instrument after all
    context: re.Pattern[str] | None = None  # must also occur in the text
    source: str = ""  # what the signature hashes: changes when the pattern does

    def fingerprint(self) -> str:
        context = self.context.pattern if self.context is not None else ""
        return f"{self.name}\x1f{self.regex.pattern}\x1f{self.regex.flags}\x1f{context}\x1f{self.source}"


def check_regex(value: str) -> str:
    """The regex compiles (config validation); the message says why not."""
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"invalid regular expression: {exc}") from None
    return value


def template_fields(template: str) -> list[str]:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"invalid template: {exc}") from None
    fields = []
    for _text, field, spec, conversion in parsed:
        if field is None:
            continue
        if not _FIELD.match(field) or spec or conversion:
            raise ValueError(f"template fields are group names or numbers in braces, got {{{field}}}")
        fields.append(field)
    return fields


def check_template(regex: str, what: str, template: str) -> None:
    compiled = re.compile(regex)
    for field in template_fields(template):
        known = int(field) <= compiled.groups if field.isdigit() else field in compiled.groupindex
        if not known:
            raise ValueError(f"{what} template names {{{field}}}, which is not a group of the regex")


def fill(template: str, match: re.Match[str]) -> str:
    """The template with ``{n}`` (group n, ``{0}`` the whole match) and ``{name}`` filled, spaces collapsed."""
    positional = [_clean(match.group(0)), *(_clean(g) for g in match.groups())]
    return template.format(*positional, **{k: _clean(v) for k, v in match.groupdict().items()})


def _clean(value: str | None) -> str:
    return _SPACES.sub(" ", value or "").strip()


def user_pattern(name: str, regex: str, key: str, label: str, ignore_case: bool = False,
                 context: str | None = None) -> Pattern:
    """A configured pattern: key and label are its templates filled with the match's groups."""
    flags = re.IGNORECASE if ignore_case else 0

    def build(match: re.Match[str]) -> tuple[str, str] | None:
        built_key = fill(key, match)
        return (built_key, fill(label, match)) if built_key.strip() else None

    return Pattern(name, re.compile(regex, flags), build,
                   None if context is None else re.compile(context, flags), f"{key}\x1f{label}")
