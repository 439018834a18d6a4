"""The mention pass: every stored article (not a duplicate) read once by the scanners, chunk by chunk.

Each chunk is one transaction that writes its ``mention`` rows and the ``mention_scan`` rows of the
articles it read, so a killed pass leaves whole chunks behind and the next pass carries on.
The scanners' combined signature is kept in ``trend_state``; a different one forgets every mention
and reads all articles again. Each chunk first writes that row, which holds a write lock until it
commits, so two passes at once never read the same articles. A news medium is not cited by its own
reports: an article carried by a feed whose name is that medium's ("TASS") does not mention it for its
own credit ("/TASS/.").
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from monitor.mentions.scanners import Scanner, signature
from monitor.records import Mention as Found
from monitor.store.shared import article_texts, create_state, feed_names, holding_state
from monitor.store.tables import Article, Mention, MentionScan

log = logging.getLogger(__name__)

STATE = "mentions"
CHUNK = 500
KEY_LEN = 300


def scan_pass(engine: Engine, found: Sequence[Scanner], chunk: int = CHUNK,
              furniture: frozenset[int] = frozenset(), media: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Read every article not read yet, without its site's ``furniture``; returns how many articles were
    read and mentions stored. ``media``: the entity keys of news media (an article does not cite the
    medium its own feed is)."""
    summary = {"scanned": 0, "mentions": 0, "reset": False}
    if not found:
        return summary
    sig = signature(found) if not media else json.dumps([signature(found), "own credits", sorted(media)])
    create_state(engine, STATE, f"new:{sig}")
    started = last_log = time.monotonic()
    while True:
        with _locked(engine, sig) as (s, reset):
            summary["reset"] = summary["reset"] or reset
            texts = article_texts(s, _unscanned(s, chunk), furniture)
            if not texts:
                break
            own = _own_media(found, feed_names(s, list(texts)), media) if media else {}
            summary["mentions"] += _write(s, _scan(found, texts, own))
            summary["scanned"] += len(texts)
        if time.monotonic() - last_log >= 10:
            last_log = time.monotonic()
            log.info("mentions: %d articles read (%d mentions)", summary["scanned"], summary["mentions"])
    if summary["scanned"]:
        log.info("mentions: %d articles read, %d mentions stored in %.1f s", summary["scanned"],
                 summary["mentions"], time.monotonic() - started)
    return summary


@contextmanager
def _locked(engine: Engine, sig: str) -> Iterator[tuple[Session, bool]]:
    """One chunk's transaction, holding the ``mentions`` row; a changed signature forgets all mentions first."""
    with holding_state(engine, STATE, sig, forget=(Mention, MentionScan)) as (s, before):
        if before is not None and not before.startswith("new:"):  # not the first pass: say why it is long
            log.info("mentions: the scanners changed, every article will be read again")
        yield s, before is not None


def _unscanned(s: Session, limit: int) -> list[int]:
    query = (sa.select(Article.id).outerjoin(MentionScan, MentionScan.article_id == Article.id)
             .where(MentionScan.article_id.is_(None), Article.duplicate_of.is_(None))
             .order_by(Article.id).limit(limit))
    return list(s.execute(query).scalars())


def _scan(found: Sequence[Scanner], texts: dict[int, str],
          own: dict[int, frozenset[str]]) -> dict[int, list[Found]]:
    """Each article's mentions, but for the news media its own feeds are (``own``)."""
    return {i: [m for scanner in found for m in scanner.scan(text)
                if not (m.kind == "entity" and m.key in own.get(i, ()))] for i, text in texts.items()}


def _own_media(found: Sequence[Scanner], outlets: dict[int, list[str]],
               media: frozenset[str]) -> dict[int, frozenset[str]]:
    """Per article, the news media its own feeds are, by their names as the entity scanners read them
    ("TASS", "BBC Technology", "SCMP technology")."""
    named: dict[str, frozenset[str]] = {}
    for name in {n for names in outlets.values() for n in names}:
        keys = {m.key for scanner in found if scanner.kind == "entity" for m in scanner.scan(name)}
        named[name] = frozenset(keys & media)
    return {i: frozenset().union(*(named[n] for n in names)) for i, names in outlets.items()}


def _write(s: Session, mentions: dict[int, list[Found]]) -> int:
    rows: dict[tuple[int, str, str], Mention] = {}
    for article_id, found in mentions.items():
        for m in found:
            key = (article_id, m.kind, m.key[:KEY_LEN])
            old = rows.get(key)
            if old is None:
                rows[key] = Mention(article_id=article_id, kind=m.kind, key=key[2], label=m.label[:KEY_LEN],
                                    count=m.count, first_offset=m.first_offset, detail=dict(m.detail) or None)
            else:
                old.count += m.count
                old.first_offset = min(old.first_offset, m.first_offset)
    s.add_all(rows.values())
    s.add_all(MentionScan(article_id=i) for i in mentions)
    return len(rows)

