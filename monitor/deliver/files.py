"""Atomic file writes that leave unchanged files alone, and the site's build manifest."""

from __future__ import annotations

import itertools
import json
import os
import re
from pathlib import Path

from monitor.process import pid_alive

MANIFEST = ".manifest.json"
# ".index.html.1234-17.tmp": the writing process's id, then a serial number (earlier builds: a random part)
_TEMP = re.compile(r"^\..+?\.(?:(\d+)-)?[^.]*\.tmp$")


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically unless the file already holds exactly it; True if written."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    fd, tmp = _temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o644)
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return True


_serial = itertools.count()


def _temp_beside(path: Path) -> tuple[int, Path]:
    """A new temporary file next to ``path`` (its folder made if missing), named after this process.

    Cheaper than ``tempfile.mkstemp`` on a build of thousands of pages: one exclusive open, no random
    names, and the folder is made only when the open finds it missing.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        tmp = path.parent / f".{path.name}.{os.getpid()}-{next(_serial)}.tmp"
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:  # left by an earlier process that had this id
            continue


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
