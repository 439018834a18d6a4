"""Content fingerprints: an exact hash and MinHash signatures with LSH band keys.

Band keys are stored in the database (``article_band``), so finding near-duplicate
candidates for a new article is an indexed lookup, not a scan, and works the same
for every crawl worker.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

import numpy as np

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
_MERSENNE = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20261123)
_A = _rng.integers(1, (1 << 61) - 1, NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, (1 << 61) - 1, NUM_PERM, dtype=np.uint64)
_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    normal = unicodedata.normalize("NFKC", text).casefold()
    return _WORD.findall(normal)


def content_hash(text: str) -> str:
    """SHA-256 of the normalised words: whitespace, case and punctuation do not matter."""
    return hashlib.sha256(" ".join(words(text)).encode("utf-8")).hexdigest()


def _shingle_hashes(tokens: list[str], size: int) -> np.ndarray:
    if len(tokens) < size:
        grams = [" ".join(tokens)]
    else:
        grams = [" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]
    unique = {int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=8).digest(), "little") for g in grams}
    return np.fromiter(unique, dtype=np.uint64, count=len(unique))


def minhash(text: str, shingle_words: int = 5) -> np.ndarray:
    """A 64-value MinHash signature of the text's word shingles."""
    hashes = _shingle_hashes(words(text), shingle_words) & _MERSENNE
    with np.errstate(over="ignore"):
        # Universal hashing modulo a Mersenne prime; uint64 wrap-around is intended.
        products = (hashes[:, None] * _A[None, :] + _B[None, :]) % _MERSENNE
    return products.min(axis=0)


def band_keys(signature: np.ndarray) -> list[int]:
    """One signed 63-bit key per LSH band (fits a BIGINT column)."""
    keys = []
    for band in range(BANDS):
        chunk = signature[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True) >> 1)
    return keys


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def to_bytes(signature: np.ndarray) -> bytes:
    return signature.astype("<u8").tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u8").astype(np.uint64)


def original_of(exact: tuple[int, int | None] | None, candidates: Iterable[tuple[int, bytes | None]],
                signature: bytes, threshold: float) -> tuple[int | None, str | None]:
    """Which stored article a new one copies: ``exact`` is the earliest article with the same content hash
    (id, its own original), ``candidates`` the (id, signature) pairs sharing an LSH band with ``signature``.

    An exact copy points at the first original; else the most similar candidate at or above ``threshold``
    (the earliest on ties); else it is an original itself.
    """
    if exact is not None:
        return exact[1] or exact[0], "exact"
    mine = from_bytes(signature)
    best = max(((similarity(mine, from_bytes(blob)), -aid, aid) for aid, blob in candidates if blob), default=None)
    if best is not None and best[0] >= threshold:
        return best[2], "near"
    return None, None
