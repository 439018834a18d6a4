"""Entity precision on real articles labelled by hand (bench/entity_labels.json; the texts are not in the repository).

    python bench/entity_eval.py --data giveme5w1h_newscluster.jsonl [--labels bench/entity_labels.json] [--show]

--data is the JSON-lines file of the Giveme5W1H news cluster (one article a line with ``id`` and ``text``).
For each labelled article the matcher (shipped registry) runs on its text; a found entity is right if
its key is among the article's labelled ``keys``. Precision: right / found. Recall: labelled keys found /
labelled keys (the labels were made from the matcher's answers and a case-insensitive search for every
spelling, so recall measures what the case and boundary rules lose, not unknown names). A found key that
was never judged counts as wrong and is listed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.entities.match import EntityMatcher  # noqa: E402
from monitor.entities.registry import build_registry  # noqa: E402

LABELS = Path(__file__).resolve().parent / "entity_labels.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--labels", default=LABELS, type=Path)
    parser.add_argument("--show", action="store_true", help="list every wrong and missed key")
    args = parser.parse_args()
    labels = json.loads(args.labels.read_text(encoding="utf-8"))
    texts = {}
    with args.data.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            texts[row["id"]] = row["text"]
    matcher = EntityMatcher(build_registry())
    found = right = labelled = recalled = 0
    unjudged = []
    for article in labels["articles"]:
        truth = set(article["keys"])
        judged_wrong = {n["key"] for n in article.get("not", ())}
        predicted = {m.key for m in matcher.scan(texts[article["id"]])}
        found, right = found + len(predicted), right + len(predicted & truth)
        labelled, recalled = labelled + len(truth), recalled + len(truth & predicted)
        unjudged += [(article["id"][:16], k) for k in predicted - truth - judged_wrong]
        if args.show:
            for key in sorted(predicted - truth):
                print(f"wrong  {article['id'][:16]} {key}")
            for key in sorted(truth - predicted):
                print(f"missed {article['id'][:16]} {key}")
    print(f"{len(labels['articles'])} articles; {found} entities found, {right} right: "
          f"precision {right / found:.3f}; recall {recalled / labelled:.3f} of {labelled} labelled")
    if unjudged:
        print(f"{len(unjudged)} found keys were never judged (counted wrong): {unjudged[:10]}")


if __name__ == "__main__":
    main()
