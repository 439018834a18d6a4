"""Atomic file writes that leave unchanged files alone, and the site's build manifest."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

from monitor.process import pid_alive

MANIFEST = ".manifest.json"
# ".index.html.1234-k2j3h4.tmp": the writing process's id, then mkstemp's random part
_TEMP = re.compile(r"^\..+?\.(?:(\d+)-)?[^.]*\.tmp$")


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically unless the file already holds exactly it; True if written."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def remove_leftover_temps(out: Path) -> int:
    """Delete temporary files that a killed build left behind (not those of a build running now)."""
    removed = 0
    if not out.is_dir():
        return 0
    for path in out.rglob(".*.tmp"):
        match = _TEMP.match(path.name)
        if match is None or not path.is_file():
            continue
        pid = int(match[1]) if match[1] else None
        if pid is not None and pid != os.getpid() and pid_alive(pid):
            continue
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def read_manifest(out: Path) -> dict[str, str]:
    """Page path -> the stamp of the data it was rendered from; empty if missing or unreadable."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_manifest(out: Path, manifest: dict[str, str]) -> None:
    write_if_changed(out / MANIFEST, json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode())


def remove_stale(out: Path, old: dict[str, str], current: dict[str, str]) -> int:
    """Delete pages the previous build wrote that this build no longer has (only those)."""
    removed = 0
    for rel in set(old) - set(current):
        target = (out / rel).resolve()
        if out.resolve() in target.parents:
            target.unlink(missing_ok=True)
            removed += 1
    return removed
