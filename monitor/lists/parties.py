"""The record every list format is read into."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ListedParty:
    """One designated person, entity, vessel or aircraft on one configured list.

    ``list`` is the configured list's name (``ofac-sdn``), ``id`` the list's own identifier
    (OFAC's uid, the EU reference number, the UK unique ID); ``type`` is individual, entity,
    vessel, aircraft or empty when the list does not say.
    """

    list: str
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    listed_on: date | None = None
    type: str = ""
    weak_aliases: tuple[str, ...] = ()  # the list marks them low quality: kept, never matched

    @property
    def key(self) -> str:
        return f"{self.list}:{self.id}"
