"""Watch terms read through the entity registry: a term that names a registered entity is watched under
every alias of that entity (other scripts, transliterations), so its counts and alerts follow the entity,
not one spelling. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from monitor.entities.registry import Entity, Registry, registry_from_config


@dataclass(frozen=True)
class WatchedEntity:
    """A watch term as counted: its name (the key of its counts and alerts) and every spelling it matches."""

    name: str
    aliases: tuple[str, ...]
    entity: str | None = None  # the registry key it resolved to


def watched(config: Any) -> tuple[WatchedEntity, ...]:
    """``config.watchlist`` as counted and shown: each term with the aliases of the entity it names (cheap once
    the shipped registry is loaded, which happens once per process)."""
    return resolve(config.watchlist, registry_from_config(config))


def resolve(watchlist: Iterable[Any], registry: Registry) -> tuple[WatchedEntity, ...]:
    """Each term (``name``, ``aliases``) with the aliases of the entity one of its spellings names.

    Only plain aliases are added (not demonyms or metonyms: a watch on Russia is not a watch on "Moscow"),
    and not the spellings the registry matches only as written (a short all-capitals alias would match
    "us" in a case-blind watch)."""
    by_spelling = _spellings(registry)
    out = []
    for term in watchlist:
        mine = (term.name, *term.aliases)
        entity = next((by_spelling[s.casefold()] for s in mine if s.casefold() in by_spelling), None)
        extra = () if entity is None else tuple(a for a in entity.aliases if _case_blind_safe(a, entity))
        aliases = tuple(dict.fromkeys(a for a in (*term.aliases, *extra) if a.casefold() != term.name.casefold()))
        out.append(WatchedEntity(term.name, aliases, entity.key if entity else None))
    return tuple(out)


def _spellings(registry: Registry) -> dict[str, Entity]:
    found: dict[str, Entity] = {}
    for entity in registry.entities:
        if entity.type == "country":
            continue  # a watch names organisations, people and products; a country is followed by its topics
        for alias in entity.aliases:
            found.setdefault(alias.casefold(), entity)
    return found


def _case_blind_safe(alias: str, entity: Entity) -> bool:
    return alias not in entity.exact and not (alias.isupper() and len(alias) <= 3)
