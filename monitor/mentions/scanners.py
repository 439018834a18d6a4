"""The mention scanners in use, assembled from the configuration in one place.

A scanner is any object with ``kind`` (entity | instrument | listed), ``signature`` (a string that
changes whenever what it finds would change) and ``scan(text) -> list[Mention]``. Every pass takes
the list as a parameter; only :func:`scanners` decides which ones run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Protocol

from monitor.config import Config
from monitor.records import Mention


class Scanner(Protocol):
    kind: str
    signature: str

    def scan(self, text: str) -> list[Mention]: ...


def scanners(config: Config) -> list[Scanner]:
    """The scanners the configuration asks for: entities, legal instruments, designated-party lists."""
    from monitor.entities.match import entity_scanner
    from monitor.instruments import instrument_scanner
    from monitor.lists import listed_scanner

    return [entity_scanner(config), instrument_scanner(config), listed_scanner(config)]


def signature(found: Sequence[Scanner]) -> str:
    """One string for the scanners together: mentions found under another one are found again."""
    return json.dumps(sorted([s.kind, s.signature] for s in found), ensure_ascii=False)
