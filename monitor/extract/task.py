"""What an extraction worker runs for one page: its text and its near-duplicate signature.

Kept apart from ``monitor.ingest.crawl`` so that a worker process imports only extraction and
fingerprinting, never the crawl's database and HTTP stack. Language identification runs in the
crawl process (``extract.article``): its model (~75 MB) is then in memory once, not once per worker.
"""

from __future__ import annotations

from monitor.dedupe import text as fingerprint
from monitor.extract.page import extract_text
from monitor.records import Extracted


def extract_and_fingerprint(
    html: bytes, url: str, shingle_words: int, min_words: int, metadata: bool = True
) -> tuple[Extracted, bytes | None]:
    """The page's text (with ``metadata``, its title, author, date and site name too) and, when it
    is long enough to compare, its MinHash signature."""
    extracted = extract_text(html, url, metadata)
    if len(extracted.text.split()) < min_words:
        return extracted, None
    return extracted, fingerprint.to_bytes(fingerprint.minhash(extracted.text, shingle_words))
