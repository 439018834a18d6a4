"""Where the lists live on disk: ``<data_dir>/lists/<name>.<ext>`` and ``<name>.meta.json`` beside it
(ETag, Last-Modified, source, when it was fetched, how many parties it held)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from monitor.config import Config, ListSource

EXTENSIONS = {"csl-json": "json", "ofac-sdn-xml": "xml", "eu-xml": "xml", "uk-xml": "xml"}


def lists_dir(config: Config) -> Path:
    return Path(config.data_dir) / "lists"


def data_path(config: Config, source: ListSource) -> Path:
    return lists_dir(config) / f"{source.name}.{EXTENSIONS[source.format]}"


def meta_path(config: Config, source: ListSource) -> Path:
    return lists_dir(config) / f"{source.name}.meta.json"


def read_meta(config: Config, source: ListSource) -> dict[str, Any]:
    """What the last update recorded; empty when there is none, or it is for another source or format."""
    try:
        meta = json.loads(meta_path(config, source).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    same = isinstance(meta, dict) and meta.get("source") == _source(source) and meta.get("format") == source.format
    return meta if same and data_path(config, source).exists() else {}


def write_list(config: Config, source: ListSource, body: bytes, meta: dict[str, Any]) -> None:
    """The list, then its metadata, each replaced atomically (a reader never sees half a file)."""
    _replace(data_path(config, source), body)
    record = {**meta, "source": _source(source), "format": source.format}
    _replace(meta_path(config, source), json.dumps(record, indent=2, sort_keys=True).encode("utf-8"))


def _source(source: ListSource) -> str:
    return source.url or str(source.path)


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
