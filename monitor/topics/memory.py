"""Handing memory the fit has freed back to the system, between its steps.

Reading 50,000 news articles leaves the C library's heap holding some hundreds of megabytes of freed strings
(rows, texts as read, their copies) that a process keeps in its resident size until it exits: the large
arrays of the steps that follow (UMAP's, the c-TF-IDF's) are mapped apart from the heap and never reuse them.
``give_back`` asks glibc to return the heap's free pages (``malloc_trim``); elsewhere it does nothing.
"""

from __future__ import annotations

import ctypes
import functools
import sys
from collections.abc import Callable


@functools.cache
def _trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim  # type: ignore[no-any-return]  # the process's own C library
    except (OSError, AttributeError):  # a C library without it (musl)
        return None


def give_back() -> bool:
    """Return the heap's free pages to the system, if the C library can; whether it could."""
    trim = _trim()
    if trim is None:
        return False
    trim(0)
    return True
