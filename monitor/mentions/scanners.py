"""The mention scanners in use, assembled from the configuration in one place.

A scanner is any object with ``kind`` (entity | instrument | listed), ``signature`` (a string that
changes whenever what it finds would change) and ``scan(text) -> list[Mention]``. Every pass takes
the list as a parameter; only :func:`scanners` decides which ones run.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from monitor.config import Config
from monitor.records import Mention

_PACKAGE = Path(__file__).resolve().parents[1]


class Scanner(Protocol):
    kind: str
    signature: str

    def scan(self, text: str) -> list[Mention]: ...


# (module, factory): each factory takes the Config and returns a scanner, or None when it has nothing to find.
FACTORIES = (
    ("monitor.entities.match", "entity_scanner"),
    ("monitor.instruments", "instrument_scanner"),
    ("monitor.lists", "listed_scanner"),
)


def scanners(config: Config) -> list[Scanner]:
    """The scanners the configuration asks for."""
    found: list[Scanner] = []
    for module, factory in FACTORIES:
        make = _factory(module, factory)
        scanner = make(config) if make is not None else None
        if scanner is not None:
            found.append(scanner)
    return found


def _factory(module: str, name: str) -> Any:
    # PROVISIONAL until the entity, instrument and list modules are in the tree: a module that is not
    # there yet (or that an older install of the package provides from elsewhere) is skipped.
    # Once they all exist this becomes a plain import of each factory.
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is None or not module.startswith(exc.name):
            raise
        return None
    if not Path(found.__file__ or "").resolve().is_relative_to(_PACKAGE):
        return None
    return getattr(found, name)


def signature(found: Sequence[Scanner]) -> str:
    """One string for the scanners together: mentions found under another one are found again."""
    return json.dumps(sorted([s.kind, s.signature] for s in found), ensure_ascii=False)
