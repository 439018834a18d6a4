"""Importing BERTopic without the packages it would pull in for models this project never uses."""

from __future__ import annotations

import importlib
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from monitor.topics import imports
from monitor.topics.imports import without


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    name = f"refused_{tmp_path.name.replace('-', '_')}"
    (tmp_path / name).mkdir()
    (tmp_path / name / "__init__.py").write_text("VALUE = 7\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield name
    for module in [m for m in sys.modules if m.partition(".")[0] == name]:
        del sys.modules[module]


def test_refused_in_the_block_and_importable_after(package: str) -> None:
    with without(package), pytest.raises(ModuleNotFoundError, match=package):
        importlib.import_module(package)
    assert package not in sys.modules
    assert importlib.import_module(package).VALUE == 7


def test_other_threads_import_while_the_block_runs(package: str) -> None:
    seen: list[int] = []
    with without(package):
        thread = threading.Thread(target=lambda: seen.append(importlib.import_module(package).VALUE))
        thread.start()
        thread.join()
        assert seen == [7]
        assert sys.modules[package].VALUE == 7  # imported already: the block leaves it alone
        assert importlib.import_module(package).VALUE == 7


def test_the_finder_is_removed_when_the_block_fails(package: str) -> None:
    before = list(sys.meta_path)
    with pytest.raises(RuntimeError), without(package):
        raise RuntimeError("inside")
    assert sys.meta_path == before


def test_bertopic_imports_without_torch_and_still_saves_and_loads(tmp_path: Path) -> None:
    script = """
import sys
import numpy as np
from monitor.topics.model import bertopic
Model, version = bertopic()
from bertopic.cluster import BaseCluster
from bertopic.dimensionality import BaseDimensionalityReduction
words = ["chips export rules", "rain storm flood", "court trial verdict"]
docs = [f"{words[i % 3]} {i}" for i in range(30)]
vectors = np.random.default_rng(0).normal(size=(30, 8)).astype(np.float32)
model = Model(umap_model=BaseDimensionalityReduction(), hdbscan_model=BaseCluster())
model.fit(docs, vectors, y=[i % 3 for i in range(30)])
model.save("saved", serialization="safetensors", save_ctfidf=True, save_embedding_model=False)
assert "torch" not in sys.modules and "transformers" not in sys.modules, "imported"
from bertopic.representation import TextGeneration
print(type(TextGeneration).__name__)
import torch  # importable after the block: nothing was cached
print(torch.__version__)
assert list(Model.load("saved").transform(docs[:3], vectors[:3])[0]) == [0, 1, 2]
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    placeholder, torch_version = done.stdout.split()
    assert placeholder == "NotInstalled"  # BERTopic's own stand-in for a model whose package is missing
    assert torch_version.startswith("2.")


def test_bertopic_is_imported_as_it_is_where_it_cannot_import_without_them(tmp_path: Path) -> None:
    script = """
import contextlib, sys
from importlib.abc import MetaPathFinder
import numpy as np
from monitor.topics import imports, model

class Late(MetaPathFinder):  # the last module BERTopic imports fails, after the others loaded without torch
    def find_spec(self, fullname, path=None, target=None):
        if fullname == "bertopic._save_utils":
            raise ImportError("needs torch")

@contextlib.contextmanager
def failing(*names):
    with imports.without(*names):
        sys.meta_path.insert(0, late := Late())
        try:
            yield
        finally:
            sys.meta_path.remove(late)

model.without = failing
Model, version = model.bertopic()
from bertopic import _save_utils
from bertopic.representation import TextGeneration
assert _save_utils._has_torch and "torch" in sys.modules and "transformers" in sys.modules
from bertopic.cluster import BaseCluster
from bertopic.dimensionality import BaseDimensionalityReduction
docs = [f"{['chips export rules', 'rain storm flood'][i % 2]} {i}" for i in range(20)]
vectors = np.random.default_rng(0).normal(size=(20, 8)).astype(np.float32)
fitted = Model(umap_model=BaseDimensionalityReduction(), hdbscan_model=BaseCluster()).fit(docs, vectors, y=[i % 2 for i in range(20)])
print(version, type(TextGeneration).__name__, sorted(set(fitted.topics_)))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    version, kind, topics = done.stdout.strip().split(" ", 2)
    assert version[0].isdigit()
    assert kind != "NotInstalled"  # its representation models loaded again, with transformers this time
    assert topics == "[0, 1]"


def test_forget_drops_the_package_modules_loaded_since(package: str) -> None:
    before = list(sys.modules)
    importlib.import_module(package)
    imports.forget(package, before)
    assert package not in sys.modules
    assert importlib.import_module(package).VALUE == 7
    imports.forget(package, list(sys.modules))
    assert package in sys.modules  # loaded before: kept
