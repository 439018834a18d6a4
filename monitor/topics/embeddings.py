"""Embedding backends: wordllama (default, offline), sentence-transformers, model2vec, tfidf.

Every backend returns L2-normalised float32 rows. Heavy libraries are imported
only when a backend is loaded. ``model_name`` is cheap and identifies the
vectors stored in the database, so a changed backend or model is noticed.
"""

from __future__ import annotations

import logging
import re
import zlib
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from monitor.config import EmbeddingConfig
from monitor.errors import ConfigError
from monitor.words import STOP_WORDS

log = logging.getLogger(__name__)

DEFAULT_MODELS = {
    "wordllama": "l2_supercat_256",
    "sentence-transformers": "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2",
    "model2vec": "minishlab/potion-multilingual-128M",
    "tfidf": "hashed-1024",
}


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def model_name(cfg: EmbeddingConfig) -> str:
    """``backend:model`` as stored in Embedding.model (no import of the backend)."""
    return f"{cfg.backend}:{cfg.model or DEFAULT_MODELS[cfg.backend]}"


def document(title: str, text: str | None, max_words: int) -> str:
    """The text that is embedded: title, then the body cut to ``max_words`` words."""
    words = (text or "").split(maxsplit=max_words)  # the rest, past max_words words, is not split
    body = " ".join(words[:max_words])
    return f"{title.strip()}. {body}".strip()


def load_embedder(cfg: EmbeddingConfig) -> Embedder:
    model = cfg.model or DEFAULT_MODELS[cfg.backend]
    loaders = {"wordllama": WordLlamaEmbedder, "sentence-transformers": SentenceTransformerEmbedder,
               "model2vec": Model2VecEmbedder, "tfidf": HashedTfidfEmbedder}
    return loaders[cfg.backend](model, cfg.batch_size)


def normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32)


def _by_length(texts: Sequence[str], batch: int, encode: Any) -> np.ndarray:
    """Encode in batches of similar length (padding costs less), return rows in input order."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    rows: list[np.ndarray] = []
    for start in range(0, len(order), batch):
        rows.append(np.asarray(encode([texts[i] for i in order[start:start + batch]]), dtype=np.float32))
    if not rows:
        return np.zeros((0, 0), dtype=np.float32)
    out = np.empty((len(texts), rows[0].shape[1]), dtype=np.float32)
    out[order] = np.vstack(rows)
    return normalise(out)


class WordLlamaEmbedder:
    """WordLlama with the weights and tokenizer config shipped inside its wheel; never downloads."""

    def __init__(self, model: str, batch_size: int) -> None:
        match = re.fullmatch(r"(.+)_(\d+)", model)
        if not match:
            raise ConfigError(f"embedding.model: expected CONFIG_DIM such as l2_supercat_256 (value {model!r})")
        import wordllama
        from wordllama import WordLlama

        try:
            self._model = WordLlama.load(config=match[1], dim=int(match[2]),
                                         cache_dir=Path(wordllama.__file__).parent, disable_download=True)
        except (FileNotFoundError, ValueError, AttributeError) as exc:
            raise ConfigError(f"embedding.model: WordLlama model {model!r} is not installed: {exc}") from None
        self.name, self.batch_size = f"wordllama:{model}", batch_size

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return _by_length(texts, self.batch_size,
                          lambda chunk: self._model.embed(chunk, norm=False, batch_size=len(chunk)))


class SentenceTransformerEmbedder:
    def __init__(self, model: str, batch_size: int) -> None:
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(model)
        except Exception as exc:  # noqa: BLE001 - any load failure becomes one clear line
            raise ConfigError(
                f"embedding.model: cannot load sentence-transformers model {model!r} ({type(exc).__name__}); "
                "download it once with network access or point embedding.model at a local folder"
            ) from None
        self.name, self.batch_size = f"sentence-transformers:{model}", batch_size

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return _by_length(texts, self.batch_size, lambda chunk: self._model.encode(list(chunk), batch_size=len(chunk)))


class Model2VecEmbedder:
    def __init__(self, model: str, batch_size: int) -> None:
        try:
            from model2vec import StaticModel

            self._model = StaticModel.from_pretrained(model)
        except Exception as exc:  # noqa: BLE001
            raise ConfigError(
                f"embedding.model: cannot load model2vec model {model!r} ({type(exc).__name__}); install "
                "model2vec and download the model once with network access, or use a local folder"
            ) from None
        self.name, self.batch_size = f"model2vec:{model}", batch_size

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return _by_length(texts, self.batch_size, lambda chunk: self._model.encode(list(chunk)))


class HashedTfidfEmbedder:
    """Stateless lexical vectors: signed feature hashing of words and word pairs, sublinear tf.

    No fitting and no dependency, so vectors stored today stay comparable with
    vectors computed next month, and the crawl path imports nothing heavy.
    Model name ``hashed-N`` sets the dimension.
    """

    def __init__(self, model: str, batch_size: int) -> None:
        match = re.fullmatch(r"hashed-(\d+)", model)
        if not match:
            raise ConfigError(f"embedding.model: tfidf expects hashed-N such as hashed-1024 (value {model!r})")
        self.dim = int(match[1])
        self.name, self.batch_size = f"tfidf:{model}", batch_size

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature, count in _features(text).items():
                code = zlib.crc32(feature.encode("utf-8"))
                out[row, code % self.dim] += (1.0 if code & 0x80000000 else -1.0) * (1.0 + np.log(count))
        return normalise(out)


_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def _features(text: str) -> Counter:
    words = [w for w in _TOKEN.findall(text.lower()) if w not in STOP_WORDS]
    return Counter(words) + Counter(f"{a} {b}" for a, b in pairwise(words))
