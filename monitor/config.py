"""feeds.yaml -> validated, frozen pydantic models.

Every section but ``feeds`` has defaults. Errors name the file, the field path
and the offending value on one line (see :func:`load_config`).
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    IPvAnyNetwork,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from monitor.errors import ConfigError
from monitor.words import plural

DEFAULT_CONFIG = "feeds.yaml"
_TIME_OF_DAY = r"^([01]\d|2[0-3]):[0-5]\d$"  # HH:MM, 24-hour clock


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http(s) URL with a host")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise ValueError("port must be between 1 and 65535")
    return value


def _plain_name(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters (NUL, line breaks, tabs)")
    return value


def _one_address(value: str) -> str:
    """One email address, optionally with a display name; nothing that could add a header or a recipient."""
    from email.utils import getaddresses

    if _CONTROL.search(value):
        raise ValueError("must not contain control characters (line breaks, NUL)")
    found = getaddresses([value])
    if len(found) != 1 or "@" not in found[0][1]:
        raise ValueError("must be exactly one email address")
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_plain_name)]
Address = Annotated[str, AfterValidator(_one_address)]


class Section(BaseModel):
    # .inf and .nan would make a delay or a timeout endless: refused for every number
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_yes_for_a_number(cls, value: Any, info: ValidationInfo) -> Any:
        """YAML reads yes/no/on/off as true/false, and a number field would take them as 1 and 0."""
        field = cls.model_fields.get(info.field_name or "")
        if isinstance(value, bool) and field is not None and _types(field.annotation) & {int, float}:
            raise ValueError("must be a number, not yes/no")
        return value


def _types(annotation: Any) -> set[Any]:
    """Every type an annotation admits (the members of a union, recursively)."""
    args = get_args(annotation)
    return {annotation} if not args else {t for arg in args for t in _types(arg)}


Ownership = Literal["state", "public", "independent", "government", "think-tank"]


def _language_code(value: str | None) -> str | None:
    """An ISO 639-1 code (``en``, ``ru``, ``zh``), optionally with a region (``pt-BR``), as the crawl's
    language identification writes them; stored lower-case as the articles' own codes are."""
    if value is not None and not re.fullmatch(r"[A-Za-z]{2}(-[A-Za-z]{2})?", value):
        raise ValueError("must be an ISO 639-1 language code such as en, ru or zh")
    return value.lower() if value is not None else None


class FeedConfig(Section):
    name: Name
    url: HttpUrl
    tags: tuple[str, ...] = ()
    language: Annotated[str | None, AfterValidator(_language_code)] = None
    region: str | None = None
    bloc: Annotated[str | None, Field(max_length=50)] = None  # free text, e.g. west, russia, china, global-south
    ownership: Ownership | None = None
    poll_minutes: Annotated[int | None, Field(ge=1, le=7 * 24 * 60)] = None


class Timeouts(Section):
    connect: Annotated[float, Field(gt=0)] = 10.0
    read: Annotated[float, Field(gt=0)] = 20.0
    total: Annotated[float, Field(gt=0)] = 45.0


class CrawlConfig(Section):
    concurrency: Annotated[int, Field(ge=1, le=1000)] = 64
    per_host: Annotated[int, Field(ge=1, le=50)] = 2
    host_delay: Annotated[float, Field(ge=0)] = 0.5
    timeouts: Timeouts = Timeouts()
    max_redirects: Annotated[int, Field(ge=0, le=20)] = 5
    feed_max_bytes: Annotated[int, Field(gt=0)] = 5 * 1024 * 1024
    page_max_bytes: Annotated[int, Field(gt=0)] = 10 * 1024 * 1024
    user_agent: str = "tech-policy-monitor/0.1 (feed reader)"
    respect_robots: bool = True
    extract_workers: Annotated[int, Field(ge=0, le=64)] = 2
    default_poll_minutes: Annotated[int, Field(ge=1)] = 30
    # new entries fetched from one feed per crawl, the newest first; a longer backlog comes at the next crawls
    max_entries_per_feed: Annotated[int, Field(ge=1)] = 5000
    backoff_max_minutes: Annotated[int, Field(ge=1)] = 24 * 60
    max_age_days: Annotated[int | None, Field(ge=1)] = None
    lease_seconds: Annotated[int, Field(ge=1)] = 900
    worker_batch: Annotated[int, Field(ge=1)] = 5
    # Bounded work per feed: hostile or huge pages and slow hosts cannot stall the monitor.
    extract_max_bytes: Annotated[int, Field(gt=0)] = 3 * 1024 * 1024  # a longer page is cut before extraction
    extract_cpu_seconds: Annotated[float, Field(gt=0, le=3600)] = 20.0  # per page (and per feed parse)
    extract_memory_mb: Annotated[int | None, Field(ge=256)] = 2048  # address space of an extraction worker
    feed_deadline_seconds: Annotated[float | None, Field(gt=0, le=86400)] = 600.0
    cycle_deadline_seconds: Annotated[float | None, Field(gt=0, le=86400)] = 1500.0
    # links from feeds may reach these non-public networks (besides the feed's own host)
    allow_private_networks: tuple[IPvAnyNetwork, ...] = ()


class DedupeConfig(Section):
    near_threshold: Annotated[float, Field(gt=0, le=1)] = 0.8
    shingle_words: Annotated[int, Field(ge=1, le=20)] = 5
    min_words: Annotated[int, Field(ge=1)] = 30
    # a short line or title ending that this many earlier articles of the same site carried is left
    # out of a new one (the site's furniture); 0 keeps every line
    site_repeats: Annotated[int, Field(ge=0)] = 2


class EmbeddingConfig(Section):
    backend: Literal["wordllama", "sentence-transformers", "model2vec", "tfidf"] = "wordllama"
    model: str | None = None
    batch_size: Annotated[int, Field(ge=1)] = 64
    max_words: Annotated[int, Field(ge=16)] = 400


class TopicSeed(Section):
    name: Name
    description: str = ""
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()  # example texts (any language) that describe the topic
    # terms of which an article must mention one to belong to the topic ("AI" for AI alliances); none: no such term
    must_mention: tuple[Name, ...] = ()


class WatchTerm(Section):
    name: Name
    aliases: tuple[Name, ...] = ()


class TopicModelConfig(Section):
    reducer: Literal["umap", "pca"] = "umap"  # UMAP + HDBSCAN: clusters at the data's own granularity
    clusterer: Literal["hdbscan", "kmeans"] = "hdbscan"
    # what is clustered: "hybrid" (words and names by corpus IDF plus the embedding) or "embedding" alone
    features: Literal["hybrid", "embedding"] = "hybrid"
    n_neighbors: Annotated[int, Field(ge=2)] = 15
    n_components: Annotated[int, Field(ge=2)] = 5
    # HDBSCAN's smallest cluster; a story of half as many reports (at least 3) that no cluster took becomes a topic
    min_cluster_size: Annotated[int, Field(ge=2)] = 10
    # HDBSCAN's density neighbourhood (None: min_cluster_size); lower keeps fewer articles out as noise
    min_samples: Annotated[int | None, Field(ge=1)] = 5
    # discovered clusters whose centroids are this many standard deviations more alike than the mean pair
    # merge into one topic (two earthquakes: one topic, two stories); None: never
    sibling_z: Annotated[float | None, Field(gt=0)] = 4.0
    n_clusters: Annotated[int, Field(ge=2)] = 50  # k-means only: at most; about sqrt(articles / 2) on smaller corpora
    # evidence for an analyst topic: embedding similarity to it (absolute) with at least one of its keywords
    evidence_similarity: Annotated[float, Field(ge=0, le=1)] = 0.3
    fit_sample: Annotated[int, Field(ge=100)] = 20000  # clustered on a seeded sample of at most this many; the rest placed as new articles are
    match_similarity: Annotated[float, Field(ge=0, le=1)] = 0.8
    refit_weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "sun"
    # refit before the week is out once the articles stored since the last fit number this share of those
    # it was fitted on (a first fit on a few dozen articles does not serve a week of news); None: weekly only
    refit_growth: Annotated[float | None, Field(gt=0)] = 0.5
    seed: int = 42
    fit_days: Annotated[int | None, Field(ge=1)] = None  # fit on the last N days only (None: every article)


def _auto_or_share(value: Any) -> str | float:
    """``"auto"`` or a number in (0, 1]; one message for both (a union would name its members). A yes/no
    never reaches it: ``Section`` refuses a bool for any number field first."""
    if value == "auto":
        return value
    if isinstance(value, int | float) and 0 < value <= 1:
        return float(value)
    raise ValueError("must be 'auto' or a number above 0 up to 1")


class StoryConfig(Section):
    window_hours: Annotated[float, Field(gt=0)] = 72.0
    # "auto": per article, z standard deviations above its mean similarity to the newest stored articles
    similarity: Annotated[str | float, PlainValidator(_auto_or_share)] = "auto"
    z: Annotated[float, Field(gt=0)] = 3.0
    # ... plus this share of that mean again: a report of a crowded kind of news (one shooting among
    # hundreds, one export-control story among dozens) resembles every other and needs a closer match
    crowding: Annotated[float, Field(ge=0, le=5)] = 0.5
    # hybrid similarity: IDF-weighted words, names (capitalised phrases, numbers), dense embedding
    words_weight: Annotated[float, Field(ge=0, le=1)] = 0.5
    names_weight: Annotated[float, Field(ge=0, le=1)] = 0.3
    dense_weight: Annotated[float, Field(ge=0, le=1)] = 0.2
    time_decay: Annotated[float, Field(ge=0, le=1)] = 0.3  # similarity lost at the window's edge (after 24 h)
    # similarity lost by two reports that give their people's ages and share none (two shootings, two deaths)
    age_conflict: Annotated[float, Field(ge=0, le=1)] = 0.05
    # ... and by two whose clock times disagree (two shootings in one city that night): times up to half an
    # hour apart agree, times more than an hour apart never do
    clock_conflict: Annotated[float, Field(ge=0, le=1)] = 0.05

    @model_validator(mode="after")
    def _some_weight(self) -> StoryConfig:
        if self.words_weight + self.dense_weight <= 0:
            raise ValueError("words_weight and dense_weight cannot both be 0")
        return self


class TrendConfig(Section):
    baseline_days: Annotated[int, Field(ge=3)] = 14
    min_count: Annotated[int, Field(ge=1)] = 5
    z_threshold: Annotated[float, Field(gt=0)] = 3.0
    emerging_days: Annotated[int, Field(ge=1)] = 7
    ratio: Annotated[float, Field(ge=1)] = 2.0  # a spike is also at least this many times the baseline
    lookback_days: Annotated[int, Field(ge=1, le=30)] = 2  # days (today included) re-checked for alerts
    min_sources: Annotated[int, Field(ge=1, le=50)] = 2  # independent outlets a spike needs to alert
    cooldown_days: Annotated[int, Field(ge=0, le=365)] = 3  # after a spike alert, its subject stays quiet
    # no alert about a day unless articles were stored on this many of the baseline days before it: on a
    # new monitor's first days everything is a spike, a first sighting or a new pairing (0: no such wait)
    min_history_days: Annotated[int, Field(ge=0, le=365)] = 7

    pairing_days: Annotated[int, Field(ge=1, le=365)] = 7  # a new pairing: two entities first named together within
    pairing_sources: Annotated[int, Field(ge=2)] = 2  # ... by at least this many independent outlets
    pairings_per_story: Annotated[int, Field(ge=1)] = 3  # ... the strongest of one story's new pairings


class CoverageConfig(Section):
    """Coverage by bloc (see monitor.trends.coverage)."""

    single_min_outlets: Annotated[int, Field(ge=2)] = 2  # outlets, all of one bloc, that make a single-bloc story
    absent_min_outlets: Annotated[int, Field(ge=2)] = 4  # outlets a story needs before a missing bloc is noted
    min_words: Annotated[int, Field(ge=1)] = 40  # words a bloc needs in a story for distinguishing terms
    terms: Annotated[int, Field(ge=1, le=20)] = 6  # distinguishing terms shown per bloc


class DigestConfig(Section):
    time: Annotated[str, Field(pattern=_TIME_OF_DAY)] = "07:00"
    timezone: str = "UTC"
    top_stories: Annotated[int, Field(ge=1, le=50)] = 5
    send_empty: bool = False

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("unknown time zone") from exc
        return value


class EmailConfig(Section):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)

    smtp_host: str = "localhost"
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 25
    security: Literal["none", "starttls", "ssl"] = "none"
    from_: Address = Field("Monitor <monitor@localhost>", alias="from")
    to: tuple[Address, ...] = ()  # one address, or a list of them
    list_unsubscribe: str | None = None
    timeout: Annotated[float, Field(gt=0)] = 30.0

    @field_validator("to", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class AlertsConfig(Section):
    email: bool = True
    webhook_url: HttpUrl | None = None
    webhook_format: Literal["json", "slack"] = "json"
    max_per_topic_per_day: Annotated[int, Field(ge=1)] = 3
    max_age_hours: Annotated[int, Field(ge=1)] = 72
    webhook_timeout: Annotated[float, Field(gt=0)] = 15.0


class SiteConfig(Section):
    out: str = "site"  # relative to the configuration file
    title: str = "Tech-policy monitor"
    base_url: HttpUrl | None = None


class ScheduleConfig(Section):
    crawl_minutes: Annotated[int, Field(ge=1)] = 30
    site_minutes: Annotated[int, Field(ge=1)] = 60
    misfire_grace_seconds: Annotated[int, Field(ge=1)] = 3600
    refit_time: Annotated[str, Field(pattern=_TIME_OF_DAY)] = "03:00"
    stop_grace_seconds: Annotated[float, Field(ge=0, le=600)] = 5.0


class DiscoveredTopic(Section):
    """How the outputs show a topic the model discovered: another name, or muted (never in the digest)."""

    id: Annotated[int, Field(ge=0)]
    name: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    mute: bool = False


_ENTITY_KEY = r"^[a-z][a-z0-9-]*:[^\s:]+$"  # type:slug, e.g. org:sberbank, country:RU


class EntityEntry(Section):
    """One entity (see monitor.entities): a shipped key is extended (aliases added; name, type, parent replaced)."""

    key: Annotated[str, Field(pattern=_ENTITY_KEY, max_length=200)]
    name: Name | None = None  # required for a new key
    type: Literal["country", "org", "person", "bloc", "product", "media"] | None = None  # default: the key's prefix
    aliases: tuple[Name, ...] = ()
    metonyms: tuple[Name, ...] = ()  # stand for it: "Kremlin" for Russia
    demonyms: tuple[Name, ...] = ()
    exact: tuple[Name, ...] = ()  # spellings matched only as written (Quad, not quad)
    excluding: tuple[Name, ...] = ()  # longer phrases that contain a spelling but name something else
    parent: Annotated[str, Field(pattern=_ENTITY_KEY, max_length=200)] | None = None


class EntitiesFile(Section):
    """The file that ``entities_file`` names: ``entities:``, a list as in feeds.yaml."""

    entities: tuple[EntityEntry, ...] = ()


def _with_entities_file(config: Config, file: Path) -> Config:
    """``config`` with the entries of its ``entities_file`` before its own; every entry checked against the registry."""
    entries = [(file, i, e) for i, e in enumerate(config.entities)]
    if config.entities_file:
        path = Path(config.entities_file)
        path = path if path.is_absolute() else file.parent / path
        raw = _read_yaml(path, "an 'entities' list")
        try:
            included = EntitiesFile.model_validate(raw)
        except ValidationError as exc:
            raise ConfigError(f"{path}: {first_error(exc, raw)}") from None
        entries = [(path, i, e) for i, e in enumerate(included.entities)] + entries
    if entries:
        _check_entities(entries, config.entity_defaults)
    return config.model_copy(update={"entities": tuple(e for _, _, e in entries)})


def _check_entities(entries: list[tuple[Path, int, EntityEntry]], defaults: bool) -> None:
    from monitor.entities.registry import key_type, shipped_keys

    known = set(shipped_keys() if defaults else ()) | {e.key for _, _, e in entries if e.name}
    for path, i, entry in entries:
        if entry.key not in known:
            raise ConfigError(f"{path}: entities[{i}].name: required for an entity that is not shipped (key {entry.key!r})")
        if entry.name and not entry.type and not key_type(entry.key) and entry.key not in shipped_keys():
            raise ConfigError(f"{path}: entities[{i}].type: required when the key's prefix is not a type (value {entry.key!r})")
        if entry.parent and entry.parent not in known:
            raise ConfigError(f"{path}: entities[{i}].parent: unknown entity key (value {entry.parent!r})")


def _default_topics() -> tuple[TopicSeed, ...]:
    from monitor.defaults import DEFAULT_TOPICS

    return tuple(TopicSeed(**t) for t in DEFAULT_TOPICS)


def _default_watchlist() -> tuple[WatchTerm, ...]:
    from monitor.defaults import DEFAULT_WATCHLIST

    return tuple(WatchTerm(**t) for t in DEFAULT_WATCHLIST)


class InstrumentPattern(Section):
    """A user pattern for legal instruments: a regular expression and templates for the key and label.

    ``key`` and ``label`` name the regex's groups in braces (``{number}`` or ``{1}``); ``context``,
    when set, is a second regex that must also occur somewhere in the article for a match to count.
    """

    name: Name
    regex: Annotated[str, Field(min_length=1, max_length=2000)]
    key: Annotated[str, Field(min_length=1, max_length=200)]
    label: Annotated[str, Field(min_length=1, max_length=300)]
    ignore_case: bool = False
    context: Annotated[str, Field(min_length=1, max_length=2000)] | None = None

    @field_validator("regex", "context")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        from monitor.instruments.patterns import check_regex

        return None if value is None else check_regex(value)

    @model_validator(mode="after")
    def _templates_name_groups(self) -> InstrumentPattern:
        from monitor.instruments.patterns import check_template

        check_template(self.regex, "key", self.key)
        check_template(self.regex, "label", self.label)
        return self


class InstrumentsConfig(Section):
    defaults: bool = True  # the shipped patterns (US, EU, UK, China); false: only ``patterns``
    disable: tuple[str, ...] = ()  # names of shipped patterns to leave out
    patterns: tuple[InstrumentPattern, ...] = ()

    @field_validator("disable")
    @classmethod
    def _known_defaults(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from monitor.instruments.defaults import DEFAULT_NAMES

        for name in value:
            if name not in DEFAULT_NAMES:
                raise ValueError(f"no shipped pattern named {name!r} (known: {', '.join(DEFAULT_NAMES)})")
        return value


ListFormat = Literal["csl-json", "ofac-sdn-xml", "ofac-sdn-csv", "eu-xml", "uk-xml"]


class ListSource(Section):
    """A designated-party list: its official format and where ``monitor lists update`` reads it."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]  # key prefix and file name: ofac-sdn, eu
    format: ListFormat
    url: HttpUrl | None = None
    path: str | None = None  # a local file, relative to the configuration file
    aliases_url: HttpUrl | None = None  # ofac-sdn-csv only: OFAC's alt.csv, joined to sdn.csv by ent_num
    aliases_path: str | None = None
    max_mb: Annotated[int, Field(ge=1, le=2048)] = 300
    timeout_seconds: Annotated[float, Field(gt=0, le=3600)] = 600.0

    @field_validator("path", "aliases_path")
    @classmethod
    def _next_to_config(cls, value: str | None, info: ValidationInfo) -> str | None:
        base = (info.context or {}).get("config_dir")
        if value is None or base is None or os.path.isabs(value):
            return value
        return os.path.join(base, value)

    @model_validator(mode="after")
    def _one_source(self) -> ListSource:
        if (self.url is None) == (self.path is None):
            raise ValueError("give exactly one of url and path")
        if self.aliases_url is not None and self.aliases_path is not None:
            raise ValueError("give at most one of aliases_url and aliases_path")
        if self.has_aliases and self.format != "ofac-sdn-csv":
            raise ValueError(f"aliases_url and aliases_path are for format ofac-sdn-csv, not {self.format}")
        return self

    @property
    def has_aliases(self) -> bool:
        return self.aliases_url is not None or self.aliases_path is not None


class Config(Section):
    feeds: Annotated[tuple[FeedConfig, ...], Field(min_length=1)]
    data_dir: str = "data"  # relative to the configuration file
    crawl: CrawlConfig = CrawlConfig()
    dedupe: DedupeConfig = DedupeConfig()
    embedding: EmbeddingConfig = EmbeddingConfig()
    topics: tuple[TopicSeed, ...] = Field(default_factory=_default_topics)
    watchlist: tuple[WatchTerm, ...] = Field(default_factory=_default_watchlist)
    discovered_topics: tuple[DiscoveredTopic, ...] = ()
    topic_model: TopicModelConfig = TopicModelConfig()
    stories: StoryConfig = StoryConfig()
    trends: TrendConfig = TrendConfig()
    coverage: CoverageConfig = CoverageConfig()
    digest: DigestConfig = DigestConfig()
    email: EmailConfig = EmailConfig()
    alerts: AlertsConfig = AlertsConfig()
    site: SiteConfig = SiteConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    instruments: InstrumentsConfig = InstrumentsConfig()
    lists: tuple[ListSource, ...] = ()
    entities: tuple[EntityEntry, ...] = ()  # over the shipped registry (see monitor.entities)
    entities_file: str | None = None  # more entities, in a YAML file relative to this one
    entity_defaults: bool = True  # false: no shipped entities, only the configured ones

    @field_validator("watchlist", mode="before")
    @classmethod
    def _terms(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"name": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _unique_names(self) -> Config:
        _reject_duplicates("feeds", [f.name for f in self.feeds])
        _reject_duplicates("topics", [t.name for t in self.topics])
        _reject_duplicates("lists", [s.name for s in self.lists])
        return self

    def feed(self, name: str) -> FeedConfig:
        for feed in self.feeds:
            if feed.name == name:
                return feed
        raise ConfigError(f"no feed named {name!r} in the configuration")


def _reject_duplicates(section: str, names: list[str]) -> None:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            raise ValueError(f"{section}[{index}].name: duplicate name {name!r}")
        seen.add(name)


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a key given twice in one mapping is an error, not a silent override."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
            if key in seen:
                raise _DuplicateKey(key, key_node.start_mark.line + 1)
            seen.add(key)
        return super().construct_mapping(node, deep)


# YAML 1.1 reads 12:30 as the base-60 number 750; YAML 1.2 (and every reader of a time of day) as text. Integers
# are resolved as YAML 1.2 resolves them, so that "time: 12:30" is half past twelve, quoted or not.
_INT = "tag:yaml.org,2002:int"
_UniqueKeyLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _INT]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_UniqueKeyLoader.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"))


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: Any, line: int) -> None:
        super().__init__(f"line {line}: {key}: duplicate key (value {key!r}; the second would replace the first)")


def config_path(explicit: str | os.PathLike[str] | None) -> Path:
    return Path(explicit or os.environ.get("MONITOR_CONFIG") or DEFAULT_CONFIG)


def config_warnings(config: Config) -> list[str]:
    """Settings that are valid but leave something an analyst expects undone."""
    out = []
    if config.email.to and config.site.base_url is None:
        out.append("site.base_url is not set: emailed digests and alerts link each story to its source "
                   "articles but not to the site's topic and story pages")
    return out + [w for topic in config.topics if (w := _topic_warning(topic, config.topic_model.evidence_similarity))]


def _topic_warning(topic: TopicSeed, floor: float) -> str | None:
    """An analyst topic that can earn articles only by strong similarity: it has no keywords."""
    if topic.keywords:
        return None
    from monitor.topics.seeding import STRONG

    given = "only a name" if not (topic.description or topic.examples) else "no keywords"
    return (f"topics: {topic.name!r} has {given}: an article is evidence for it only when it is at least "
            f"{floor + STRONG:.2f} alike to it (with one of its keywords, {floor:.2f}); give it keywords"
            + ("" if given == "no keywords" else " and a description"))


def _beside(file: Path, value: Any) -> Any:
    """A relative path of the configuration file as seen from the working directory (other values as given,
    for validation to judge)."""
    if not isinstance(value, str) or os.path.isabs(value) or file.parent == Path():
        return value
    return os.path.join(file.parent, value)


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read and validate the YAML file; raise ConfigError with a one-line message."""
    file = config_path(path)
    raw = _read_yaml(file, "a 'feeds' list")
    raw = {**raw, "data_dir": _beside(file, raw.get("data_dir", "data"))}
    site = raw.get("site")
    if isinstance(site, dict):
        raw["site"] = {**site, "out": _beside(file, site.get("out", "site"))}
    elif "site" not in raw:
        raw["site"] = {"out": _beside(file, "site")}
    try:
        config = Config.model_validate(raw, context={"config_dir": str(file.parent)})
    except ValidationError as exc:
        raise ConfigError(f"{file}: {first_error(exc, raw)}") from None
    return _with_entities_file(config, file)


def _read_yaml(file: Path, expected: str) -> dict[str, Any]:
    try:
        raw = yaml.load(file.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 (a safe loader)
    except FileNotFoundError:
        raise ConfigError(f"{file}: file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{file}: is a directory, not a configuration file") from None
    except _DuplicateKey as exc:
        raise ConfigError(f"{file}: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" line {where.line + 1}" if where is not None else ""
        raise ConfigError(f"{file}:{line} invalid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(raw, dict):
        got = "an empty file" if raw is None else f"a {_KINDS.get(type(raw).__name__, type(raw).__name__)}"
        raise ConfigError(f"{file}: expected a mapping with {expected}, got {got}")
    return raw


def first_error(exc: ValidationError, raw: dict[str, Any]) -> str:
    errors = exc.errors(include_url=False)
    # A misspelt key also makes its intended field "missing": name the typo first.
    err = min(errors, key=lambda e: e["type"] != "extra_forbidden")
    loc = _format_loc(err["loc"])
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        return f"{loc}: unknown key{_did_you_mean(err['loc'])} (value {err['input']!r})"
    if err["type"] == "missing":
        return f"{loc}: required field is missing"
    if not err["loc"]:
        return message
    return f"{loc}: {_plain(err, message)} (value {_lookup(raw, err['loc'])!r})"


_KINDS = {"list": "list", "str": "text", "int": "number", "float": "number", "bool": "yes/no value", "dict": "mapping"}


def _plain(err: Any, message: str) -> str:
    """Pydantic's wording for the common shapes, said in the file's own terms (a list, a mapping)."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in ("tuple_type", "list_type", "set_type"):
        return "must be a list"
    if kind == "string_type":
        return "must be text (quote it: YAML reads yes, no, on and off as true or false)"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "must be a mapping of keys to values"
    if kind == "too_short" and "min_length" in ctx:
        return f"must have at least {plural(ctx['min_length'], 'item')}"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == _TIME_OF_DAY:
        return "must be a time of day as HH:MM (24-hour clock)"
    return _BOUNDS[kind].format(**ctx) if kind in _BOUNDS else _NUMBERS.get(kind, message)


_NUMBERS = {"int_parsing": "must be a whole number", "int_from_float": "must be a whole number",
            "int_type": "must be a whole number", "float_parsing": "must be a number", "float_type": "must be a number",
            "bool_parsing": "must be true or false", "bool_type": "must be true or false"}
_BOUNDS = {"greater_than_equal": "must be at least {ge}", "greater_than": "must be more than {gt}",
           "less_than_equal": "must be at most {le}", "less_than": "must be less than {lt}",
           "literal_error": "must be one of {expected}", "enum": "must be one of {expected}"}


def _did_you_mean(loc: tuple[Any, ...]) -> str:
    """``, did you mean 'digest'?`` when a key of the same section is spelt nearly the same."""
    model = _section(loc[:-1])
    if model is None or not isinstance(loc[-1], str):
        return ""
    close = difflib.get_close_matches(loc[-1], list(_keys(model)), n=1, cutoff=0.7)
    return f", did you mean {close[0]!r}?" if close else ""


def _section(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model of the mapping at ``loc`` in the configuration (a list's items: the list's own model)."""
    model: type[BaseModel] | None = Config
    for part in loc:
        if isinstance(part, int):
            continue
        fields = _keys(model)
        if part not in fields:
            return None
        model = _model_in(fields[part].annotation)
        if model is None:
            return None
    return model


def _keys(model: type[BaseModel]) -> dict[str, Any]:
    """The keys a section's mapping takes (each field's name and alias), with their fields."""
    return {n: f for name, f in model.model_fields.items() for n in (name, f.alias) if n}


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for m in map(_model_in, get_args(annotation)) if m is not None), None)


def _format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _lookup(raw: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        if isinstance(raw, str) and isinstance(part, int):
            return raw  # one string given where a list is accepted
        try:
            raw = raw[part]
        except (KeyError, IndexError, TypeError):
            return None
    return raw
