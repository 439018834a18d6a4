"""Importing a library without the optional packages it would pull in but this project never calls.

BERTopic imports ``transformers`` (and through it ``torch``) when it is imported, for its text-generation and
zero-shot representation models, and ``torch`` for a save format; this project uses none of them (its
representation is c-TF-IDF with MMR, its saves are safetensors). Each import tries those packages and keeps a
placeholder when they are missing, so refusing them while it imports costs it nothing: 2.0 s and 0.31 GB
instead of 5.7 s and 0.58 GB. Only the importing thread is refused, and only for the duration; a package
already imported is used as it is.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from typing import Any


class _Refuse(MetaPathFinder):
    """Answers "not installed" for the named top-level packages, in one thread."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = frozenset(names)
        self.thread = threading.get_ident()

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if fullname.partition(".")[0] in self.names and threading.get_ident() == self.thread:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


@contextmanager
def without(*names: str) -> Iterator[None]:
    """Within the block, this thread's imports of ``names`` (top-level packages not imported yet) fail with
    ``ModuleNotFoundError``, as if they were not installed. Nothing is cached: after the block they import."""
    finder = _Refuse([n for n in names if n not in sys.modules])
    # a new list, never the list changed in place: another thread may be going through it meanwhile
    sys.meta_path = [finder, *sys.meta_path]
    try:
        yield
    finally:
        sys.meta_path = [f for f in sys.meta_path if f is not finder]


def forget(package: str, kept: Iterable[str]) -> None:
    """Drop the modules of ``package`` that are not in ``kept`` (the names of the modules loaded before) from
    ``sys.modules``, so that the next import loads them again: those an import refused something to keep
    what they found missing."""
    kept = set(kept)
    for name in [m for m in sys.modules if m.partition(".")[0] == package and m not in kept]:
        del sys.modules[name]
