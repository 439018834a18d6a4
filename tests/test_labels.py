"""Discovered topics are named by what sets them apart: names first, then keywords."""

from __future__ import annotations

from monitor.topics.labels import describe


def _corpus() -> tuple[list[str], list[str], list[int], list[float]]:
    bodies = [
        "The bank said on Monday that Sberbank engineers met researchers from DeepSeek in Moscow. "
        "Sberbank wants to train models together with DeepSeek.",
        "Officials confirmed that Sberbank and DeepSeek signed a memorandum in Moscow.",
        "Analysts said Sberbank could host DeepSeek models for Russian customers.",
        "Arsenal beat Chelsea in the final. Arsenal fans celebrated in London.",
        "In London, Arsenal lifted the cup after the final against Chelsea.",
        "Elsewhere in Moscow the weather stayed cold.",
    ]
    titles = ["Sberbank meets DeepSeek", "Sberbank and DeepSeek sign", "Sberbank could host DeepSeek",
              "Arsenal win the cup", "Arsenal lift the cup", "Cold in Moscow"]
    return titles, bodies, [0, 0, 0, 1, 1, -1], [0.7, 0.9, 0.8, 0.6, 0.9, 0.1]


def test_labels_lead_with_distinctive_names_and_headlines_follow_centrality() -> None:
    titles, bodies, labels, scores = _corpus()
    about = describe(titles, bodies, labels, scores, {0: ["models", "sberbank", "memorandum"], 1: ["cup", "final"]})
    assert set(about) == {0, 1}  # the outlier describes nothing
    first = about[0].label.split(" · ")
    assert set(first[:2]) == {"Sberbank", "DeepSeek"} and first[2] == "models"  # the keyword "sberbank" is not repeated
    assert about[0].headlines == ("Sberbank and DeepSeek sign", "Sberbank could host DeepSeek", "Sberbank meets DeepSeek")
    assert about[1].label.split(" · ")[0] in {"Arsenal", "Chelsea", "London"}
    assert about[1].headlines[0] == "Arsenal lift the cup"


def test_lower_cased_text_is_named_by_keywords_and_duplicate_titles_count_once() -> None:
    titles = ["same title", "Same  title", "other"]
    about = describe(titles, ["all lower case words here"] * 3, [4, 4, 4], [0.9, 0.8, 0.1], {4: ["quake", "rescue"]})
    assert about[4].label == "quake · rescue"
    assert about[4].headlines == ("same title", "other")


def test_a_keyword_the_articles_write_as_a_name_keeps_their_spelling_and_leads_the_words() -> None:
    titles, bodies, labels, scores = _corpus()
    about = describe(titles, bodies, labels, scores, {0: ["models", "moscow"]})
    assert about[0].label.split(" · ")[2] == "Moscow"  # after the two names the topic is chosen for, before words
