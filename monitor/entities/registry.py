"""The entity registry: what can be named, under which spellings, and how the spellings relate.

Built from three layers, each extending the one before (same key: more aliases, a new name, type or
parent): every ISO 3166 country (pycountry), the shipped tables in ``data/`` (countries' short
names, demonyms, capitals and seats of power; the default set of labs, chip makers, banks,
regulators, blocs, people, media), then the user's entries from the configuration.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

import yaml

ENTITY_TYPES = ("country", "org", "person", "bloc", "product", "media")
LISTS = ("aliases", "metonyms", "demonyms", "exact", "excluding")


@dataclass(frozen=True)
class Entity:
    """One named thing. ``key`` (``org:sberbank``, ``country:RU``) is the same in every language.

    ``aliases`` name it (a new entity's name is one; an ISO name too ambiguous alone is not); ``demonyms`` (Russian) and ``metonyms`` (the Kremlin, Moscow) stand for it
    and are marked so in mentions. ``exact`` spellings match only as written (Quad, not quad);
    ``excluding`` lists longer phrases that contain a spelling but name something else (New Mexico).
    ``parent`` is what it belongs to: a product's maker, an agency's department or state. A pairing of an
    entity with what it belongs to is never news.
    """

    key: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    metonyms: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    excluding: tuple[str, ...] = ()
    parent: str | None = None

    def spellings(self) -> list[tuple[str, str]]:
        """(spelling, via): the aliases as "alias", then demonyms and metonyms (the name counts if it is an alias)."""
        return [*((s, "alias") for s in self.aliases), *((s, "demonym") for s in self.demonyms),
                *((s, "metonym") for s in self.metonyms)]


@dataclass(frozen=True)
class Registry:
    entities: tuple[Entity, ...]

    def __len__(self) -> int:
        return len(self.entities)

    def get(self, key: str) -> Entity | None:
        return self._by_key.get(key)

    @cached_property
    def _by_key(self) -> dict[str, Entity]:
        return {e.key: e for e in self.entities}

    def lineage(self, key: str) -> tuple[str, ...]:
        """What ``key`` belongs to, nearest first: BIS -> US Department of Commerce -> United States.
        A loop in the parents ends the walk where it comes back."""
        found: list[str] = []
        entity = self.get(key)
        while entity is not None and entity.parent and entity.parent != key and entity.parent not in found:
            found.append(entity.parent)
            entity = self.get(entity.parent)
        return tuple(found)

    @cached_property
    def lineages(self) -> dict[str, tuple[str, ...]]:
        """Every entity with a parent, with its ``lineage``."""
        return {e.key: self.lineage(e.key) for e in self.entities if e.parent}

    @cached_property
    def signature(self) -> str:
        """Changes whenever an entity, alias or link changes: stored mentions made before are stale."""
        canonical = json.dumps([asdict(e) for e in self.entities], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def key_type(key: str) -> str | None:
    """The type a key's prefix names (``org:x`` -> ``org``), if it is one."""
    prefix = key.partition(":")[0]
    return prefix if prefix in ENTITY_TYPES else None


def merged(base: Entity | None, entry: Mapping[str, Any]) -> Entity:
    """``base`` extended by ``entry`` (a mapping in the configuration's schema); a new entity if no base."""
    key = entry["key"]
    lists = {f: tuple(dict.fromkeys((*(getattr(base, f) if base else ()), *(entry.get(f) or ())))) for f in LISTS}
    name = entry.get("name") or (base.name if base else None)
    kind = entry.get("type") or (base.type if base else key_type(key))
    if not name or not kind:
        raise ValueError(f"{key}: a new entity needs a name and a type")
    parent = entry.get("parent") or (base.parent if base else None)
    if base is None and name not in lists["aliases"]:
        lists["aliases"] = (name, *lists["aliases"])  # a new entity is found by its name
    return Entity(key=key, name=name, type=kind, parent=parent, **lists)


def _data(name: str) -> Any:
    """A shipped data file. libyaml's loader when PyYAML has it: the pure-Python one took 0.19 s, on every pass."""
    text = resources.files("monitor.entities").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (a safe loader)


def _iso_countries(ambiguous: set[str]) -> list[Entity]:
    import pycountry

    out = []
    for country in pycountry.countries:
        names = [getattr(country, f, None) for f in ("common_name", "name", "official_name")]
        usable = [n.removeprefix("the ") for n in names if n and "," not in n and "(" not in n]
        aliases = tuple(dict.fromkeys(n for n in usable if n not in ambiguous))
        label = usable[0] if usable else country.name
        out.append(Entity(key=f"country:{country.alpha_2}", name=label, type="country", aliases=aliases))
    return out


@lru_cache(maxsize=1)
def shipped() -> tuple[Entity, ...]:
    """Every ISO country with the shipped alias table, then the default set."""
    countries = _data("countries.yaml")
    by_key: dict[str, Entity] = {e.key: e for e in _iso_countries(set(countries.get("ambiguous", ())))}
    for entry in (*countries["entities"], *_data("default.yaml")["entities"]):
        by_key[entry["key"]] = merged(by_key.get(entry["key"]), entry)
    return tuple(by_key.values())


def shipped_keys() -> frozenset[str]:
    return frozenset(e.key for e in shipped())


def build_registry(entries: Iterable[Mapping[str, Any]] = (), defaults: bool = True) -> Registry:
    """The shipped entities (unless ``defaults`` is false) extended and overridden by ``entries``."""
    by_key: dict[str, Entity] = {e.key: e for e in shipped()} if defaults else {}
    for entry in entries:
        by_key[entry["key"]] = merged(by_key.get(entry["key"]), entry)
    return Registry(tuple(by_key.values()))


def registry_from_config(config: Any) -> Registry:
    """The registry of ``config``: its ``entities`` (with ``entities_file``'s) over the shipped set."""
    entries = [e.model_dump(exclude_none=True) for e in config.entities]
    return build_registry(entries, defaults=config.entity_defaults)


def messengers(config: Any) -> frozenset[str]:
    """The keys of the entities of type ``media``. A news agency or paper is named by the articles that
    credit it ("(AP) -", "Reuters reported"), so it was in a third of the new pairings of a first crawl of
    real news ("United States + Associated Press") and spiked with every busy news day. Its mentions and
    its page stay; it takes no part in entity spikes or new pairings, and the site shows it apart from the
    actors a story names."""
    return frozenset(e.key for e in registry_from_config(config).entities if e.type == "media")
