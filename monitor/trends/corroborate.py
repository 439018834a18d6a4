"""Corroborated spikes and a cooldown per subject. Pure.

A spike alerts only when its articles come from at least ``min_sources``
independent outlets *and* the articles beyond its busiest outlet's exceed the
subject's usual daily count (one outlet's burst over the topic's ordinary trickle
from others is not corroborated). Syndicated copies do not count: near-duplicates
are linked to their original (``article.duplicate_of``) and never counted, and an
outlet publishing twenty articles is still one outlet. Any other spike
is kept as an ``unconfirmed_spike``: shown on the site and in the digest, never
delivered. After a spike alert, the same subject does not alert again for
``cooldown_days`` days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date

from monitor.records import Evidence
from monitor.trends.alerts import SPIKE_KINDS, AlertDraft

SPIKES = tuple(SPIKE_KINDS.values())  # spike, watch_spike, entity_spike: one list of spike kinds
UNCONFIRMED = "unconfirmed_spike"
EVIDENCE = 20  # article ids kept per alert


def independent(evidence: Iterable[Evidence]) -> list[tuple[str, int]]:
    """The distinct outlets and their articles, most articles first."""
    counts: dict[str, int] = {}
    for e in evidence:
        counts[e.outlet] = counts.get(e.outlet, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def confirmed(outlets: Sequence[tuple[str, int]], usual: float, min_sources: int) -> bool:
    """Enough outlets, and more than the usual count beyond the busiest one (see above)."""
    if len(outlets) < min_sources:
        return False
    return min_sources <= 1 or sum(n for _, n in outlets[1:]) > usual


def corroborate(draft: AlertDraft, evidence: Sequence[Evidence], min_sources: int) -> AlertDraft:
    """``draft`` with its evidence and outlet count; an unconfirmed spike when too few outlets carry it."""
    if draft.kind not in SPIKES:
        return draft
    outlets = independent(evidence)
    ids = tuple(e.article_id for e in sorted(evidence, key=lambda e: e.article_id))[:EVIDENCE]
    named = ", ".join(f"{o} ({n})" for o, n in outlets[:5]) + (f" and {len(outlets) - 5} more" if len(outlets) > 5 else "")
    if confirmed(outlets, draft.baseline, min_sources):
        return replace(draft, evidence=ids, sources=len(outlets),
                       reason=f"{draft.reason} Reported by {len(outlets)} independent outlets: {named}.")
    return replace(draft, kind=UNCONFIRMED, dedup_key=f"{UNCONFIRMED}:{draft.dedup_key}", evidence=ids,
                   sources=len(outlets), title=f"Unconfirmed spike: {draft.title.removeprefix('Spike: ')}",
                   reason=f"{draft.reason} Not corroborated (not alerted): {named or 'no identifiable outlet'}; "
                          f"a spike alerts when at least {min_sources} independent outlets carry it beyond the "
                          f"busiest one's articles.")


def cool_down(drafts: Iterable[AlertDraft], earlier: Mapping[tuple[str, str], Iterable[date]],
              days: int) -> list[AlertDraft]:
    """Drop a spike whose subject had a spike alert in the ``days`` days before it (``earlier``: past
    spike days per (subject kind, subject); spikes kept here count too)."""
    seen = {k: set(v) for k, v in earlier.items()}
    out = []
    for d in sorted(drafts, key=lambda d: (d.day, d.dedup_key)):
        if d.kind in SPIKES:
            past = seen.setdefault((d.subject_kind, d.subject), set())
            if any(0 < (d.day - p).days <= days for p in past):
                continue
            past.add(d.day)
        out.append(d)
    return out
