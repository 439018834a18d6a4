"""Photo captions kept inside stories never name a topic."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from monitor.topics.model import CAPTION_WORDS
from theme_kit import theme_docs, themes


@pytest.mark.parametrize("captions", [True, False])
def test_a_topic_whose_pages_carry_photo_captions_is_not_named_by_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, captions: bool) -> None:
    """Twelve themes; the pages of two carry a gallery's captions ("Hide Caption 3 of 8") and photo credits
    ("Enlarge this image toggle caption"). With the caption words left as they are (``captions`` False:
    the check that the corpus would name those topics by them), they are among the words those topics'
    labels draw on (their keywords and further c-TF-IDF words)."""
    import monitor.topics.model as model
    from monitor.config import Config
    from monitor.topics.embeddings import load_embedder
    from monitor.topics.model import fit_bertopic, numba_cache

    numba_cache(tmp_path)
    vectors, groups = themes(12, {}, seed=2)
    gallery = ("Photos: the scene Hide Caption 3 of 8. Photos: the scene Hide Caption 4 of 8. "
               "Enlarge this image toggle caption Jane Doe/AP")
    docs = theme_docs(groups, seed=2, extra={0: gallery, 1: gallery})
    config = Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}])
    if not captions:
        monkeypatch.setattr(model, "CAPTION_WORDS", frozenset())
    bertopic, fitted = fit_bertopic(docs, vectors, [], load_embedder(config.embedding), config.topic_model)
    words = model._label_words(bertopic, fitted.topics)  # the keywords, then the further words a label may take
    labels = np.array(fitted.labels)
    named = {w for t in set(labels[groups < 2].tolist()) for k in words[t] for w in k.split()}
    assert (named & CAPTION_WORDS == set()) is captions
