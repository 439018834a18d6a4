"""Entity matching benchmark: articles per second on one core, the registry padded to 10,000 spellings.

    python bench/entity_bench.py [--runs 5] [--aliases 10000] [--articles 2000] [--naive-articles 40]

The shipped registry (countries, aliases, demonyms, metonyms, the default set) is padded with generated
organisations until it has ``--aliases`` spellings. Articles (~3,000 characters) are shuffled sentences
of the two sample articles in tests/fixtures/samples plus sentences naming generated organisations, so
every article has real mentions. Compared in the same run: ``EntityMatcher.scan`` (one Aho-Corasick pass)
against the naive way, one compiled word-boundary regex per spelling run over every article. One process,
one thread: the figure is per core. Prints medians of ``--runs`` runs as Markdown.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.entities.match import EntityMatcher  # noqa: E402
from monitor.entities.registry import Registry, build_registry  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "samples"
SYLLABLES = "ka lo mi ra ten vor zu bel dri sha nov ix pel qua rom sti vek lan dor fi gra hul".split()


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def padded_registry(aliases: int, rng: random.Random) -> tuple[Registry, list[str]]:
    entries, names = [], []
    have = sum(len(e.spellings()) for e in build_registry().entities)
    i = 0
    while have < aliases:
        name = f"{_word(rng)} {_word(rng)}"
        entries.append({"key": f"org:generated-{i}", "name": name, "type": "org", "aliases": [f"{name} Group"]})
        names.append(name)
        have, i = have + 2, i + 1
    return build_registry(entries), names


def articles(count: int, names: list[str], rng: random.Random) -> list[str]:
    sentences = [s for f in sorted(SAMPLES.glob("*.txt")) for s in f.read_text(encoding="utf-8").split("\n") if s]
    out = []
    for _ in range(count):
        body, size = [], 0
        while size < 3000:
            pick = rng.choice(sentences) if rng.random() < 0.8 else f"Shares of {rng.choice(names)} rose on Monday."
            body.append(pick)
            size += len(pick) + 1
        out.append("\n".join(body))
    return out


def naive(registry: Registry) -> Callable[[str], set[str]]:
    patterns = [(re.compile(rf"(?<!\w){re.escape(s)}(?!\w)", re.IGNORECASE), e.key)
                for e in registry.entities for s, _via in e.spellings()]

    def scan(text: str) -> set[str]:
        return {key for pattern, key in patterns if pattern.search(text)}

    return scan


def rate(scan: Callable[[str], object], texts: list[str]) -> float:
    start = time.perf_counter()
    for text in texts:
        scan(text)
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--aliases", type=int, default=10000)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--naive-articles", type=int, default=40)
    args = parser.parse_args()
    rng = random.Random(7)
    registry, names = padded_registry(args.aliases, rng)
    texts = articles(args.articles, names, rng)
    spellings = sum(len(e.spellings()) for e in registry.entities)
    start = time.perf_counter()
    matcher = EntityMatcher(registry)
    build = time.perf_counter() - start
    slow = naive(registry)
    fast_rates, naive_rates = [], []
    for _ in range(args.runs):
        fast_rates.append(rate(matcher.scan, texts))
        naive_rates.append(rate(slow, texts[:args.naive_articles]))
    mentions = sum(len(matcher.scan(t)) for t in texts) / len(texts)
    fast, slow_rate = statistics.median(fast_rates), statistics.median(naive_rates)
    print(f"{len(registry)} entities, {spellings} spellings; {len(texts)} articles of "
          f"~{sum(map(len, texts)) // len(texts)} characters, {mentions:.1f} entities found per article; "
          f"matcher built in {build:.2f} s; medians of {args.runs} runs\n")
    print("| way | articles/s (one core) |\n|---|---:|")
    print(f"| naive: one regex per spelling | {slow_rate:,.0f} |")
    print(f"| `EntityMatcher.scan` (Aho-Corasick) | {fast:,.0f} ({fast / slow_rate:,.0f}×); target ≥ 5,000 "
          f"{'✓' if fast >= 5000 else '✗'} |")


if __name__ == "__main__":
    main()
