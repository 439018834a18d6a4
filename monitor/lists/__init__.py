"""Designated-party lists (US Consolidated Screening List, OFAC SDN, EU, UK) configured under
``lists:`` in feeds.yaml, kept on disk by ``monitor lists update`` and matched in article text.

``listed_scanner(config)`` reads the lists stored on disk (nothing is fetched at analysis time);
with no list configured or stored, its ``scan`` finds nothing.
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING

from monitor.lists.parties import ListedParty
from monitor.lists.scanner import ListedScanner

if TYPE_CHECKING:
    from monitor.config import Config, ListSource

__all__ = ["ListedParty", "ListedScanner", "listed_scanner"]
log = logging.getLogger(__name__)


def listed_scanner(config: Config) -> ListedScanner:
    """The scanner of the lists on disk. Its signature comes from the files' bytes; they are parsed on its
    first scan only (a list that does not parse is then skipped with a warning)."""
    from monitor.lists.files import aliases_path, data_path

    stored: list[tuple[ListSource, bytes, bytes | None]] = []
    for source in config.lists:
        paths = [data_path(config, source), *([aliases_path(config, source)] if source.has_aliases else [])]
        bodies: list[bytes] = []
        try:
            for path in paths:
                bodies.append(path.read_bytes())
            stored.append((source, bodies[0], bodies[1] if source.has_aliases else None))
        except FileNotFoundError:
            log.warning("list %s is not on disk yet: run 'monitor lists update'", source.name)
        except OSError as exc:
            log.warning("list %s (%s) is skipped: %s", source.name, path, exc)
    parts = ["\x1f".join((s.name, s.format, *(_digest(b) for b in (body, alt) if b is not None)))
             for s, body, alt in stored]
    return ListedScanner(lambda: _parsed(config, stored), parts)


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _parsed(config: Config, stored: list[tuple[ListSource, bytes, bytes | None]]) -> list[ListedParty]:
    from monitor.lists.files import data_path
    from monitor.lists.formats import ListFormatError, parse_list

    parties: list[ListedParty] = []
    for source, body, aliases in stored:
        try:
            parties += parse_list(source.format, body, source.name, aliases)
        except ListFormatError as exc:
            log.warning("list %s (%s) is skipped: %s", source.name, data_path(config, source), exc)
    return parties
