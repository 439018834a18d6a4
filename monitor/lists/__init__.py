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
    from monitor.config import Config

__all__ = ["ListedParty", "ListedScanner", "listed_scanner"]
log = logging.getLogger(__name__)


def listed_scanner(config: Config) -> ListedScanner:
    from monitor.lists.files import data_path
    from monitor.lists.formats import ListFormatError, parse_list

    parties: list[ListedParty] = []
    parts: list[str] = []
    for source in config.lists:
        path = data_path(config, source)
        try:
            body = path.read_bytes()
            parties += parse_list(source.format, body, source.name)
        except FileNotFoundError:
            log.warning("list %s is not on disk yet: run 'monitor lists update'", source.name)
            continue
        except (ListFormatError, OSError) as exc:
            log.warning("list %s (%s) is skipped: %s", source.name, path, exc)
            continue
        parts.append(f"{source.name}\x1f{source.format}\x1f{hashlib.sha256(body).hexdigest()}")
    return ListedScanner(parties, parts)
