"""File names for pages about things named by any key: ASCII, no separators, unique per key (pure)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_UNSAFE = re.compile(r"[^a-z0-9]+")


def slug(key: str, limit: int = 60) -> str:
    """``org:sberbank`` -> ``org-sberbank-1a2b3c4d``; Cyrillic, CJK or ``2024/1745`` stay safe.

    The readable part keeps what folds to ASCII letters and digits; the hash keeps keys that fold
    alike (or to nothing) apart.
    """
    folded = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode("ascii").lower()
    readable = _UNSAFE.sub("-", folded).strip("-")[:limit].strip("-")
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
    return f"{readable}-{digest}" if readable else digest
