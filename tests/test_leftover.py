"""A story no cluster took becomes a discovered topic of its own; other articles keep their topics."""

from __future__ import annotations

import numpy as np

from monitor.topics.leftover import stories_as_topics


def test_a_story_of_enough_unassigned_reports_becomes_a_new_topic() -> None:
    labels = np.array([2, 2, 3, -1, -1, -1, -1, -1])
    stories = [None, None, None, 7, 7, 7, 7, 7]
    out = stories_as_topics(labels, stories, first=2, min_size=5)
    assert out.tolist() == [2, 2, 3, 4, 4, 4, 4, 4]
    assert labels.tolist() == [2, 2, 3, -1, -1, -1, -1, -1]  # the caller's labels are left as they were


def test_a_story_smaller_than_the_bar_stays_unassigned() -> None:
    labels = np.array([2, -1, -1, -1, -1])
    assert stories_as_topics(labels, [None, 7, 7, 7, 7], first=2, min_size=5).tolist() == [2, -1, -1, -1, -1]


def test_a_story_with_a_member_in_a_discovered_topic_is_left_to_that_topic() -> None:
    labels = np.array([3, -1, -1, -1, -1, -1])
    out = stories_as_topics(labels, [7, 7, 7, 7, 7, 7], first=2, min_size=5)
    assert out.tolist() == labels.tolist()


def test_members_in_analyst_topics_keep_them_and_the_unassigned_rest_become_a_topic() -> None:
    labels = np.array([0, 1, -1, -1, -1, -1, -1, 2])  # 0 and 1: analyst topics; 2: discovered
    out = stories_as_topics(labels, [7, 7, 7, 7, 7, 7, 7, None], first=2, min_size=5)
    assert out.tolist() == [0, 1, 3, 3, 3, 3, 3, 2]


def test_new_topics_take_consecutive_ids_in_the_order_of_each_storys_first_report() -> None:
    labels = np.full(9, -1)
    stories = [9, 4, 9, 4, 9, 4, None, 4, 9]
    out = stories_as_topics(labels, stories, first=3, min_size=3)
    assert out.tolist() == [3, 4, 3, 4, 3, 4, -1, 4, 3]


def test_without_stories_nothing_changes() -> None:
    labels = np.array([-1, -1, -1, 2])
    assert stories_as_topics(labels, None, first=2, min_size=1).tolist() == labels.tolist()
    assert stories_as_topics(labels, [None] * 4, first=2, min_size=1).tolist() == labels.tolist()

