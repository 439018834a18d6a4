"""How plainly a headline reads: what a story's title and a topic's headlines are chosen by."""

from __future__ import annotations

import pytest

from monitor.extract.headline import flaws
from monitor.topics.labels import describe

TEXT = ("China was caught red handed selling oil, officials said. NASA and the DPRK were not involved. "
        "The bill came to $284 billion. Watch the video below.")


@pytest.mark.parametrize(("title", "expected"), [
    ("China caught selling oil, officials say", 0),
    ("NASA says the DPRK was not involved", 0),  # capitals the text writes in capitals: acronyms
    ("Panama Papers: Here's What You Need To Know (So Far)", 0),  # a colon and brackets in plain words
    ("Woman receives $284 BILLION electric bill", 1),  # the text writes "billion"
    ("BREAKING NEWS: China caught selling oil", 1),
    ("China caught selling oil (VIDEO)", 2),  # a tag, and a word the text writes in lower case
    ("'Caught RED HANDED!' Trump says", 2),  # a shouted word (three-letter "RED" is too short to tell) and "!"
    ("China caught selling oil | Example News", 1),
    ("ABC News", 1),  # a site's name for a title
    ("Trump fires Comey", 0),
])
def test_flaws_count_what_sets_a_headline_apart_from_plain_news_style(title: str, expected: int) -> None:
    assert flaws(title, TEXT) == expected


def test_capitals_are_not_shouting_when_the_text_does_not_say() -> None:
    assert flaws("BRICS leaders meet", "") == 0
    assert flaws("BRICS leaders meet", "The brics summit opened.") == 1


def test_a_topic_shows_its_plain_headlines_first() -> None:
    titles = ["OIL SHOCK: China caught RED HANDED!", "China caught selling oil", "Oil transfers seen at sea",
              "Tanker seized off Korea", "Unrelated filler"]
    bodies = ["China was caught red handed selling oil, a shock to the oil market."] * 4 + ["Nothing."]
    scores = [0.95, 0.9, 0.85, 0.8, 0.1]
    (about,) = describe(titles, bodies, [3] * 5, scores, {3: ["oil"]}).values()
    assert about.headlines == ("China caught selling oil", "Oil transfers seen at sea", "Tanker seized off Korea")
    (few,) = describe(titles[:3], bodies[:3], [3] * 3, scores[:3], {3: ["oil"]}).values()
    assert few.headlines == ("China caught selling oil", "Oil transfers seen at sea",
                             "OIL SHOCK: China caught RED HANDED!")  # shown when no plain title is left


def test_a_topic_shows_one_headline_per_reported_story_while_it_has_more_stories() -> None:
    titles = ["Pixel Visual Core opens to all apps", "Pixel Visual Core comes to Instagram",
              "Pixel Visual Core enhances Snapchat photos", "PS4 update 5.50 detailed", "Sony details PS4 update",
              "Galaxy S9 leaks", "Galaxy S9 pictured early", "Astronauts find microbes"]
    bodies = ["Google opened the Pixel Visual Core."] * 3 + ["Sony released an update."] * 2 + ["Samsung leaked."] * 3
    scores = [0.95, 0.9, 0.88, 0.7, 0.65, 0.6, 0.55, 0.2]
    stories = [1, 1, 1, 2, 2, 3, 3, 4]
    (about,) = describe(titles, bodies, [0] * 8, scores, {0: ["pixel"]}, stories).values()
    assert about.headlines == ("Pixel Visual Core opens to all apps", "PS4 update 5.50 detailed", "Galaxy S9 leaks")
    (one_story,) = describe(titles[:3], bodies[:3], [0] * 3, scores[:3], {0: ["pixel"]}, stories[:3]).values()
    assert one_story.headlines == tuple(titles[:3])  # a topic of one story still shows three of its headlines
    (unknown,) = describe(titles, bodies, [0] * 8, scores, {0: ["pixel"]}).values()
    assert unknown.headlines == tuple(titles[:3])  # without stories: the most central titles
    outlier = [1, 1, 1, 1, 1, 1, 2, 3]  # two single reports, further out than the median article
    (lone,) = describe(titles, bodies, [0] * 8, scores, {0: ["pixel"]}, outlier).values()
    assert lone.headlines == tuple(titles[:3])
