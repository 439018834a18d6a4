"""Scan article text for legal instruments with the shipped and configured patterns."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from monitor.instruments.patterns import Pattern
from monitor.records import Mention


class InstrumentScanner:
    """``scan(text)`` gives one Mention (kind ``instrument``) per instrument key the text cites."""

    kind = "instrument"

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        self.patterns = tuple(patterns)
        digest = hashlib.sha256("\x1e".join(p.fingerprint() for p in self.patterns).encode("utf-8"))
        self.signature = f"instrument:{digest.hexdigest()[:16]}"

    def scan(self, text: str) -> list[Mention]:
        found: dict[str, list[Any]] = {}  # key -> [label, count, first offset]
        for pattern in self.patterns:
            matches = list(pattern.regex.finditer(text))
            if not matches or (pattern.context is not None and not pattern.context.search(text)):
                continue
            for match in matches:
                built = pattern.build(match)
                if built is None:
                    continue
                key, label = built
                entry = found.get(key)
                if entry is None:
                    found[key] = [label, 1, match.start()]
                else:
                    entry[1] += 1
                    entry[2] = min(entry[2], match.start())
        mentions = [Mention(self.kind, key, label, count, first) for key, (label, count, first) in found.items()]
        return sorted(mentions, key=lambda m: (m.first_offset, m.key))
