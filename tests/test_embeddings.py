"""Embedding backends: offline WordLlama, the stateless tfidf backend, clear load errors, stored once."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from datetime import UTC, datetime

import numpy as np
import pytest
import sqlalchemy as sa

from monitor.config import Config, EmbeddingConfig
from monitor.errors import ConfigError
from monitor.store import analysis as db
from monitor.topics.embeddings import document, load_embedder, model_name

NOW = datetime(2026, 5, 1, tzinfo=UTC)
TEXTS = ["Sberbank signs an AI partnership with Chinese researchers.",
         "The Commerce Department adds SMIC to the entity list over chipmaking tools.",
         "Heavy rain is expected in the capital this weekend."]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_wordllama_loads_and_embeds_with_the_network_refused() -> None:
    """In a fresh process whose sockets refuse every non-loopback address and whose proxies
    point at a closed port, the default backend loads and embeds."""
    code = textwrap.dedent("""
        import json, socket
        attempts = []
        real = socket.socket.connect
        def guarded(self, address):
            attempts.append(str(address))
            if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1", "localhost"):
                raise OSError("network disabled in this test")
            return real(self, address)
        socket.socket.connect = guarded
        from monitor.config import EmbeddingConfig
        from monitor.topics.embeddings import load_embedder
        vectors = load_embedder(EmbeddingConfig()).embed(["DeepSeek and GigaChat", "rain"])
        print(json.dumps({"shape": list(vectors.shape), "attempts": attempts}))
    """)
    proxy = f"http://127.0.0.1:{_closed_port()}"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HTTP_PROXY": proxy,
           "HTTPS_PROXY": proxy, "http_proxy": proxy, "https_proxy": proxy, "HOME": "/nonexistent-home"}
    out = subprocess.run([sys.executable, "-c", code], check=False, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"shape": [2, 256], "attempts": []}


def test_wordllama_vectors_are_unit_length_and_order_independent() -> None:
    embedder = load_embedder(EmbeddingConfig())
    forward = embedder.embed(TEXTS)
    backward = embedder.embed(TEXTS[::-1])[::-1]
    assert np.allclose(np.linalg.norm(forward, axis=1), 1.0, atol=1e-5)
    assert np.allclose(forward, backward, atol=1e-5)
    assert forward[0] @ forward[1] > forward[0] @ forward[2]


def test_tfidf_backend_is_stateless_and_lexical() -> None:
    a = load_embedder(EmbeddingConfig(backend="tfidf")).embed(TEXTS)
    b = load_embedder(EmbeddingConfig(backend="tfidf")).embed([TEXTS[1]])
    assert a.shape == (3, 1024) and np.allclose(a[1], b[0])
    near = load_embedder(EmbeddingConfig(backend="tfidf")).embed(["SMIC added to entity list by Commerce"])[0]
    assert near @ a[1] > 0.3 > near @ a[2]


def test_empty_text_gives_a_zero_vector_not_nan() -> None:
    vectors = load_embedder(EmbeddingConfig()).embed(["", "the"])
    assert np.isfinite(vectors).all()


def test_unknown_models_fail_with_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="WordLlama model 'nope_64' is not installed"):
        load_embedder(EmbeddingConfig(model="nope_64"))
    with pytest.raises(ConfigError, match="tfidf expects hashed-N"):
        load_embedder(EmbeddingConfig(backend="tfidf", model="bag"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    with pytest.raises(ConfigError) as info:
        load_embedder(EmbeddingConfig(backend="sentence-transformers", model="example-org/missing-model"))
    message = str(info.value)
    assert "example-org/missing-model" in message and "\n" not in message


def test_document_truncates_to_max_words() -> None:
    text = " ".join(f"w{i}" for i in range(1000))
    assert document("Title", text, 16) == "Title. " + " ".join(f"w{i}" for i in range(16))


def test_embeddings_stored_once_and_recomputed_when_the_model_changes(engine: sa.Engine) -> None:
    from monitor.demo.corpus import build_corpus
    from monitor.topics.service import process_new

    corpus = build_corpus(days=3)
    db.add_corpus(engine, corpus, "http://127.0.0.1:9", NOW)
    tfidf = Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}], embedding={"backend": "tfidf"})
    first = process_new(engine, tfidf, NOW)
    assert first["embedded"] == len(corpus)
    assert process_new(engine, tfidf, NOW)["embedded"] == 0
    wordllama = tfidf.model_copy(update={"embedding": EmbeddingConfig()})
    assert process_new(engine, wordllama, NOW)["embedded"] == len(corpus)
    with engine.connect() as conn:
        models = conn.execute(sa.text("SELECT model, count(*) FROM embedding GROUP BY model")).all()
    assert models == [(model_name(EmbeddingConfig()), len(corpus))]
