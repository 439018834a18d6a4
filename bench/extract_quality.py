"""Extraction quality and CPU on real pages with ground truth: the crawl's call against cheaper candidates.

    python bench/extract_quality.py --data DIR [--repeat 3] [--limit N]

DIR holds a copy of the public article-extraction benchmark's data (not shipped with this
repository): ``html/<id>.html.gz`` pages and ``ground-truth.json`` (``{id: {"articleBody": ...,
"url": ...}}``). Scoring follows that benchmark: shingles of 4 word tokens, true/false
positives and negatives normalised per page, precision and recall averaged over pages, F1 of
the two. CPU is this process's user + system time over the same pages (median of ``--repeat``),
one candidate after another in one process.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TOKEN = re.compile(r"\w+")
Pages = list[tuple[str, bytes, str]]  # (id, html, url)

PRECISION = {"favor_precision": True, "include_comments": False, "include_tables": False}
BALANCED = {"include_comments": False, "include_tables": False}
# name -> bare_extraction keyword arguments; None: the plain trafilatura.extract(html) baseline; a string: the
# crawl's own extract_text (its page metadata on or off), which runs the fallback only for a short first pass
CANDIDATES: dict[str, dict[str, Any] | str | None] = {
    "trafilatura.extract(html) (baseline)": None,
    "before: precision, fallback, with_metadata": {**PRECISION, "with_metadata": True},
    "precision, fallback, no metadata": {**PRECISION, "with_metadata": False},
    "precision, fast (no fallback), with_metadata": {**PRECISION, "fast": True, "with_metadata": True},
    "precision, fast (no fallback), no metadata": {**PRECISION, "fast": True, "with_metadata": False},
    "balanced, fallback, no metadata": {**BALANCED, "with_metadata": False},
    "balanced, fast, no metadata (keeps a paywall teaser's navigation)": {**BALANCED, "fast": True},
    "crawl now: precision, fast, fallback below 1,000 chars, with_metadata": "metadata",
    "crawl now, no metadata (the feed has title, date and author)": "text",
}


def load(data: Path, limit: int | None) -> tuple[Pages, dict[str, str]]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages: Pages = []
    for key in sorted(truth)[:limit]:
        path = data / "html" / f"{key}.html.gz"
        if path.is_file():
            pages.append((key, gzip.decompress(path.read_bytes()), truth[key].get("url") or ""))
    return pages, {key: truth[key].get("articleBody", "") for key, _, _ in pages}


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = TOKEN.findall(text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])


def score(true: str, pred: str) -> tuple[float, float, float]:
    """(tp, fp, fn) over 4-token shingles, normalised to sum to 1 (longer pages weigh no more)."""
    t, p = _shingles(true), _shingles(pred)
    tp = sum((t & p).values())
    fp, fn = sum((p - t).values()), sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def f1(results: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    def ratio(a: float, b: float) -> float:
        return 1.0 if b == 0 and a == 0 else a / (a + b) if a + b else 0.0

    precision = statistics.mean(1.0 if fp == fn == 0 else ratio(tp, fp) for tp, fp, fn in results if tp + fp > 0)
    recall = statistics.mean(1.0 if fp == fn == 0 else ratio(tp, fn) for tp, fp, fn in results if tp + fn > 0)
    return 2 * precision * recall / (precision + recall), precision, recall


def extractor(options: dict[str, Any] | str | None) -> Callable[[bytes, str], str]:
    import trafilatura

    if options is None:
        return lambda html, _url: trafilatura.extract(html) or ""
    if isinstance(options, str):
        return lambda html, url: _crawl_text(html, url, options == "metadata")

    def run(html: bytes, url: str) -> str:
        doc = trafilatura.bare_extraction(html, url=url, **options)
        return (getattr(doc, "text", None) or "") if doc is not None else ""

    return run


def _crawl_text(html: bytes, url: str, metadata: bool) -> str:
    from monitor.errors import ExtractError
    from monitor.extract.page import extract_text

    try:
        return extract_text(html, url, metadata).text
    except ExtractError:  # under 200 characters: the crawl keeps the feed's summary instead
        return ""


def measure(pages: Pages, truth: dict[str, str], options: dict[str, Any] | str | None, repeat: int) -> dict[str, float]:
    run = extractor(options)
    cpu: list[float] = []
    texts: dict[str, str] = {}
    for _ in range(repeat):
        started = time.process_time()
        texts = {key: run(html, url) for key, html, url in pages}
        cpu.append(time.process_time() - started)
    value, precision, recall = f1([score(truth[key], texts[key]) for key, _, _ in pages])
    return {"f1": value, "precision": precision, "recall": recall, "cpu": statistics.median(cpu)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="folder with html/*.html.gz and ground-truth.json")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the pages per candidate (median CPU)")
    parser.add_argument("--limit", type=int, default=None, help="use the first N pages only")
    args = parser.parse_args()
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    pages, truth = load(args.data, args.limit)
    extractor(None)(pages[0][1], pages[0][2])  # imports and lazy loading out of the timings
    print(f"{len(pages)} pages; CPU: median of {args.repeat} passes, one process\n")
    print("| candidate | F1 | precision | recall | CPU s | CPU vs baseline |")
    print("|---|---|---|---|---|---|")
    base: float | None = None
    for name, options in CANDIDATES.items():
        got = measure(pages, truth, options, args.repeat)
        base = base or got["cpu"]
        print(f"| {name} | {got['f1']:.4f} | {got['precision']:.4f} | {got['recall']:.4f} | {got['cpu']:.2f} "
              f"| {got['cpu'] / base:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
