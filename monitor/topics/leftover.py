"""A story that no cluster took becomes a discovered topic of its own.

The clusterer keeps a group smaller than its minimum cluster size out as noise, and a group of
reports of one event is often that small: seven reports of one attack among a thousand articles.
When no cluster is close enough to take them, they stay unassigned, and the event is missing from
every topic an analyst reads. The stories already say which articles report one event, so a story
with at least ``min_size`` unassigned members, none of them in a discovered topic, becomes a topic.
A member in an analyst topic keeps it (an article belongs to one only on its own evidence), and a
story with a member in a discovered topic is left to the rule that reads a story under one topic
(``store.analysis``). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def stories_as_topics(labels: np.ndarray, stories: Sequence[int | None] | None, first: int,
                      min_size: int) -> np.ndarray:
    """``labels`` where each story with at least ``min_size`` members labelled -1 and none labelled with a
    discovered topic (ids >= ``first``) has those members in a new discovered topic; new ids follow the
    highest id in use, in order of each story's first member."""
    labels = np.asarray(labels).copy()
    if stories is None or not len(labels):
        return labels
    unassigned: dict[int, list[int]] = {}
    claimed: set[int] = set()
    for row, (story, label) in enumerate(zip(stories, labels.tolist(), strict=True)):
        if story is None:
            continue
        if label < 0:
            unassigned.setdefault(story, []).append(row)
        elif label >= first:
            claimed.add(story)
    next_id = max(int(labels.max()) + 1, first)
    for story, rows in unassigned.items():
        if story not in claimed and len(rows) >= min_size:
            labels[rows] = next_id
            next_id += 1
    return labels
