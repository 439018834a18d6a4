"""The prose of a stored text: markup, addresses and wire credits are not what a report is about."""

from __future__ import annotations

import pytest

from monitor.extract.prose import headline_prose, prose


@pytest.mark.parametrize(("text", "expected"), [
    ('NEW YORK (Reuters) - Pfizer Inc. <A HREF="http://www.example.com/FullQuote.aspx?ticker=PFE.N">PFE.N</A> '
     "said on Thursday", "Pfizer Inc.  PFE.N  said on Thursday"),
    ("Canadian Press - OTTAWA (CP) - The budget passed.", "The budget passed."),
    ("washingtonpost.com - Microsoft said on Monday", "Microsoft said on Monday"),
    ("AP - President Bush spoke.\nLONDON, England (AP) -- Talks resumed.", "President Bush spoke.\nTalks resumed."),
    ("See www.example.org/report for the report.", "See   for the report."),
    ("MOSCOW, December 1. /TASS/. Russia and China signed an AI accord.", "Russia and China signed an AI accord."),
    ("МОСКВА, 1 дек — РИА Новости. Сбербанк подписал соглашение.", "Сбербанк подписал соглашение."),
    ("МОСКВА, 1 декабря. /ТАСС/. Сбербанк подписал соглашение.", "Сбербанк подписал соглашение."),
    ("BEIJING, Dec. 1 (Xinhua) -- China's chip output rose.", "China's chip output rose."),
    ("Talks - the third - went on.\nPARIS (AP) - Talks ended.\nLONDON (Reuters) - Markets rose - a little.",
     "Talks - the third - went on.\nTalks ended.\nMarkets rose - a little."),  # several paragraphs
    ("A" * 130 + " - then more.\nROME (AP) - Done.", "A" * 130 + " - then more.\nDone."),  # a dash too far in
])
def test_markup_addresses_and_datelines_are_left_out(text: str, expected: str) -> None:
    assert prose(text) == expected


@pytest.mark.parametrize("text", [
    "Amazon.com Inc. said on Monday its sales rose.",  # a company's name, not a credit
    "The minister said - and repeated - that talks would go on.",
    "Prices rose 3 percent in New York - the most in a year.",  # a dash inside the sentence
    "США — крупнейший партнёр Китая.",  # a Cyrillic capital word and a dash: a sentence, not a dateline
    "Москва и Пекин — партнёры в области ИИ.",
])
def test_prose_keeps_the_story_words(text: str) -> None:
    assert prose(text) == text


@pytest.mark.parametrize(("title", "expected"), [
    ("Earthquakes at Mount St. Helens intensify (AP)", "Earthquakes at Mount St. Helens intensify"),
    ("Pfizer says Celebrex is safe (Reuters)", "Pfizer says Celebrex is safe"),
    ("Sales rise at Acme (Update 2)", "Sales rise at Acme (Update 2)"),
    ("Talks on the (AP) wire resume", "Talks on the (AP) wire resume"),
])
def test_a_headline_loses_the_credit_it_ends_with(title: str, expected: str) -> None:
    assert headline_prose(title) == expected
