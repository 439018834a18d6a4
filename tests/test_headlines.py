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
])
def test_flaws_count_what_sets_a_headline_apart_from_plain_news_style(title: str, expected: int) -> None:
    assert flaws(title, TEXT) == expected


def test_capitals_are_not_shouting_when_the_text_does_not_say() -> None:
    assert flaws("BRICS leaders meet", "") == 0
    assert flaws("BRICS leaders meet", "The brics summit opened.") == 1


def test_a_topic_shows_the_plain_headlines_of_its_central_articles_first() -> None:
    titles = ["OIL SHOCK: China caught RED HANDED!", "China caught selling oil", "Oil transfers seen at sea",
              "Tanker seized off Korea", "Unrelated filler"]
    bodies = ["China was caught red handed selling oil, a shock to the oil market."] * 4 + ["Nothing."]
    scores = [0.95, 0.9, 0.85, 0.8, 0.1]
    (about,) = describe(titles, bodies, [3] * 5, scores, {3: ["oil"]}).values()
    assert about.headlines == ("China caught selling oil", "Oil transfers seen at sea", "OIL SHOCK: China caught RED HANDED!")
