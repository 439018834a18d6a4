"""Where the lists live on disk: ``<data_dir>/lists/<name>.<ext>``, an ``ofac-sdn-csv`` list's aliases in
``<name>.alt.csv``, and ``<name>.meta.json`` beside them (ETag, Last-Modified, source, when it was
fetched, how many parties it held; the aliases file's own under ``aliases``)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from monitor.config import Config, ListSource

EXTENSIONS = {"csl-json": "json", "ofac-sdn-xml": "xml", "ofac-sdn-csv": "csv", "eu-xml": "xml", "uk-xml": "xml"}


def lists_dir(config: Config) -> Path:
    return Path(config.data_dir) / "lists"


def data_path(config: Config, source: ListSource) -> Path:
    return lists_dir(config) / f"{source.name}.{EXTENSIONS[source.format]}"


def aliases_path(config: Config, source: ListSource) -> Path:
    return lists_dir(config) / f"{source.name}.alt.csv"


def meta_path(config: Config, source: ListSource) -> Path:
    return lists_dir(config) / f"{source.name}.meta.json"


def read_meta(config: Config, source: ListSource) -> dict[str, Any]:
    """What the last update recorded; empty when there is none, or it is for another source or format."""
    try:
        meta = json.loads(meta_path(config, source).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(meta, dict) or meta.get("source") != _source(source) or meta.get("format") != source.format:
        return {}
    aliases = meta.get("aliases") if isinstance(meta.get("aliases"), dict) else {}
    if aliases.get("source") != _aliases_source(source) or not data_path(config, source).exists():
        return {}
    return meta if not source.has_aliases or aliases_path(config, source).exists() else {}


def write_list(config: Config, source: ListSource, body: bytes, meta: dict[str, Any],
               aliases: tuple[bytes, dict[str, Any]] | None = None) -> None:
    """The list (and its aliases file), then its metadata, each replaced atomically (a reader never sees
    half a file)."""
    _replace(data_path(config, source), body)
    record = {**meta, "source": _source(source), "format": source.format}
    if aliases is not None:
        _replace(aliases_path(config, source), aliases[0])
        record["aliases"] = {**aliases[1], "source": _aliases_source(source)}
    _replace(meta_path(config, source), json.dumps(record, indent=2, sort_keys=True).encode("utf-8"))


def _source(source: ListSource) -> str:
    return source.url or str(source.path)


def _aliases_source(source: ListSource) -> str | None:
    return str(source.aliases_url or source.aliases_path) if source.has_aliases else None


def _replace(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
