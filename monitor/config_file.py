"""Changes to feeds.yaml made by commands (``monitor feeds import``): text edits that keep comments.

New feeds are inserted as YAML text at the end of the ``feeds:`` list, indented like its items; the
result is validated as a whole before it replaces the file (atomically), so a bad edit never lands.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from pydantic import ValidationError

from monitor.config import Config, FeedConfig, first_error, load_config
from monitor.errors import ConfigError
from monitor.opml import OpmlFeed


@dataclass
class Merge:
    added: list[str]
    known: list[str]  # already configured (same URL)
    invalid: list[str]  # refused by validation, with the reason


def plan_feeds(config: Config, candidates: Sequence[OpmlFeed]) -> tuple[list[OpmlFeed], Merge]:
    """The candidates to add: new URLs only, names made unique, each valid as a feed on its own."""
    urls = {f.url for f in config.feeds}
    names = {f.name for f in config.feeds}
    merge, new = Merge([], [], []), []
    for feed in candidates:
        if feed.url in urls:
            merge.known.append(feed.name)
            continue
        name = _unique(feed.name[:190], names)
        raw = {"name": name, "url": feed.url, "tags": list(feed.tags)}
        try:
            FeedConfig.model_validate(raw)
        except ValidationError as exc:
            merge.invalid.append(f"{feed.name}: {first_error(exc, raw)}")
            continue
        urls.add(feed.url)
        names.add(name)
        new.append(OpmlFeed(name, feed.url, feed.tags))
        merge.added.append(name)
    return new, merge


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name} ({n})", n + 1
    return candidate


def append_feeds(path: Path, feeds: Sequence[OpmlFeed]) -> None:
    """Insert ``feeds`` at the end of the file's ``feeds:`` list, validate, then replace the file."""
    if not feeds:
        return
    text = path.read_text(encoding="utf-8")
    index, indent = _feeds_end(text, path)
    block = "".join(_entry(feed, indent) for feed in feeds)
    if index > 0 and text[index - 1] != "\n":
        block = "\n" + block
    _replace_validated(path, text[:index] + block + text[index:])


def _feeds_end(text: str, path: Path) -> tuple[int, str]:
    """Where the block list under ``feeds:`` ends, and the indentation of its dashes."""
    root = yaml.compose(text)
    items = None
    if isinstance(root, yaml.MappingNode):
        items = next((value for key, value in root.value if key.value == "feeds"), None)
    if not isinstance(items, yaml.SequenceNode) or items.flow_style or not items.value:
        raise ConfigError(f"{path}: feeds: expected a block list ('- name: ...' lines) to add to")
    first = items.value[0].start_mark
    dash = text.rfind("-", 0, first.index)
    indent = " " * (dash - text.rfind("\n", 0, dash) - 1)
    end = _last_leaf(items).end_mark.index
    line_end = text.find("\n", end)
    return (len(text) if line_end < 0 else line_end + 1), indent


def _last_leaf(node: yaml.Node) -> yaml.Node:
    """The last node written inside a block collection (a block mapping's end is the next key's line)."""
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node


def _entry(feed: OpmlFeed, indent: str) -> str:
    lines = [f"{indent}- name: {json.dumps(feed.name, ensure_ascii=False)}",
             f"{indent}  url: {json.dumps(feed.url, ensure_ascii=False)}"]
    if feed.tags:
        lines.append(f"{indent}  tags: {json.dumps(list(feed.tags), ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def _replace_validated(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            load_config(tmp)
        except ConfigError as exc:
            raise ConfigError(str(exc).replace(tmp, str(path))) from None
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
