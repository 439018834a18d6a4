"""Discovered topics are named by what sets them apart: names first, then keywords."""

from __future__ import annotations

from monitor.topics.labels import _article_names, describe


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


def _market_corpus() -> tuple[list[str], list[str], list[int], list[float]]:
    """Seven reports of markets opening in seven cities, and a topic of other news."""
    cities = ["Brussels", "Bengaluru", "Riyadh", "Wuhan", "Kazan", "Hangzhou", "New Delhi"]
    titles = [f"Street food market opens in {city}" for city in cities] + ["Recipe: a simple autumn soup"]
    bodies = [f"Visitors queued in {city} as the street food market opened its stalls." for city in cities]
    bodies += ["Simmer the vegetables for twenty minutes."]
    others = [f"Parliament in {city} debates the budget" for city in cities[:4]]
    return (titles + others, bodies + [f"Members in {t.split()[2]} argued over taxes." for t in others],
            [3] * 8 + [5] * 4, [0.9] * 12)


def test_a_phrase_most_headlines_share_leads_the_label_before_rotating_names() -> None:
    titles, bodies, labels, scores = _market_corpus()
    about = describe(titles, bodies, labels, scores, {3: ["bengaluru", "stalls", "brussels"]})
    label = about[3].label.split(" · ")
    assert label[0] == "Street food market opens"
    assert label[1:] == ["stalls"]  # a city one article in eight names does not speak for the topic
    assert "Parliament" not in about[5].label and about[5].label.split(" · ")[0] != "Street food market opens"


def test_no_phrase_leads_when_too_few_headlines_share_it() -> None:
    titles = ["Heavy rain in Geneva", "Jazz week returns to Moscow", "Heavy rain in Hangzhou", "Museum unveils paintings",
              "Snow disrupts traffic", "Film festival opens"]
    about = describe(titles, ["Text."] * 6, [2] * 6, [0.5] * 6, {2: ["visitors", "weather"]})
    assert about[2].label == "visitors · weather"  # "Heavy rain" is in two titles of six, under the share


def test_a_phrase_from_the_middle_of_headlines_opens_with_a_capital() -> None:
    titles = [f"{team} win the cup final" for team in ("City Rovers", "Harbour United", "Northern Stars")]
    about = describe(titles, ["Text."] * 3, [1] * 3, [0.5] * 3, {1: ["final"]})
    assert about[1].label == "Win the cup final"


def test_a_mixed_topic_is_named_by_its_kinds_of_report_never_by_the_cities_each_names() -> None:
    """A mixed topic of weather and culture reports whose ten keywords are mostly the cities each report
    names: its label lists the phrases its kinds of report share; never those cities."""
    cities = ["Novosibirsk", "Hangzhou", "Geneva", "Moscow", "Bengaluru", "Shanghai", "Kazan", "Riyadh", "Wuhan"]
    kinds = ["Jazz week returns to {}", "Heavy rain expected around {}", "Museum in {} unveils paintings"]
    titles = [kinds[i % 3].format(c) for i, c in enumerate(cities)]  # no phrase in 40 % of them
    titles[-1] = "Heavy rain expected around Abu Dhabi"
    titles[-2] = "Abu Dhabi museum unveils paintings"
    bodies = [f"Organisers in {c} expect visitors all week; critics praised the opening night." for c in cities]
    bodies[-1] = "Visitors in Abu Dhabi were many."  # one report of nine: not a name the topic is about
    keywords = ["visitors", *(c.casefold() for c in cities), "week", "critics"]
    label = describe(titles, bodies, [0] * 9, [0.5] * 9, {0: keywords})[0].label
    assert sorted(label.split(" · ")) == ["Heavy rain expected", "Jazz week returns", "Unveils paintings"]


def test_plain_words_further_down_come_before_names_few_of_the_topic_s_articles_carry() -> None:
    """Titles that share no phrase at all: the label is made of the words further down that the reports
    share, never of the cities that two of them each name."""
    cities = ["Novosibirsk", "Hangzhou", "Geneva", "Moscow", "Bengaluru", "Shanghai", "Kazan", "Riyadh", "Wuhan"]
    kinds = ["Jazz returns", "Heavy rain", "Museum reopens", "Snow falls", "Film festival", "Heatwave warning",
             "Book fair", "Street parade", "Opera premiere"]
    titles = [f"{kind} in {city}" for kind, city in zip(kinds, cities, strict=True)]
    bodies = [f"Organisers in {c} expect visitors all week; critics praised the opening night." for c in cities]
    keywords = ["visitors", *(c.casefold() for c in cities)]
    about = describe(titles, bodies, [0] * 9, [0.5] * 9, {0: [*keywords, "week", "critics"]})
    assert about[0].label == "visitors · week · critics"
    assert describe(titles, bodies, [0] * 9, [0.5] * 9, {0: keywords})[0].label == "visitors · Novosibirsk · Hangzhou"


def test_a_phrase_does_not_close_on_a_preposition() -> None:
    titles = [f"Snow disrupts traffic around {city}" for city in ("Kazan", "Wuhan", "Oslo")]
    assert describe(titles, ["Text."] * 3, [0] * 3, [0.5] * 3, {0: ["snow"]})[0].label == "Snow disrupts traffic"


def test_after_a_headline_phrase_only_the_ten_keywords_may_follow() -> None:
    titles, bodies, labels, scores = _market_corpus()
    cities = ["brussels", "bengaluru", "riyadh", "wuhan", "kazan", "hangzhou", "new delhi"]
    ten = [*cities, "bengaluru", "riyadh", "wuhan"]  # names each carried by one report: nothing after a phrase
    assert describe(titles, bodies, labels, scores, {3: [*ten, "queued"]})[3].label == "Street food market opens"
    assert describe(titles, bodies, labels, scores, {3: [*ten[:9], "queued"]})[3].label == \
        "Street food market opens · queued"


def test_keywords_are_shown_with_names_whole_and_once() -> None:
    bodies = ["Many visitors in Abu Dhabi and Kuala Lumpur.", "Abu Dhabi hosts visitors.", "Kuala Lumpur too."]
    about = describe(["a", "b", "c"], bodies, [0, 0, 0], [0.5] * 3,
                     {0: ["dhabi", "abu dhabi", "visitors", "kuala", "kuala lumpur", "lumpur"]})
    assert about[0].keywords == ("abu dhabi", "visitors", "kuala lumpur")


def test_an_organisation_named_with_for_is_one_label_part_and_a_sentence_opener_is_not_joined() -> None:
    """"Center for Humane Technology" is one name, not "Center · Humane Technology"; "Calls for Google" at
    a sentence's start is not a name (its first word is capitalised only because it opens the sentence)."""
    bodies = ["Former engineers founded the Center for Humane Technology. Calls for Google to act grew.",
              "The Center for Humane Technology wants Google to change. Calls for Google to act grew.",
              "Critics of Google joined the Center for Humane Technology on Monday."]
    about = describe(["a", "b", "c"], bodies, [0, 0, 0], [0.5] * 3, {0: ["engineers"]})
    parts = about[0].label.split(" · ")
    assert parts[:2] == ["Center for Humane Technology", "Google"] and "Calls for Google" not in parts


def test_names_come_from_prose_not_from_a_headline_in_title_case_the_page_printed_again() -> None:
    """"Israel Indicts" is a headline's two capitalised words, not a name; a sentence listing names is
    prose and keeps them."""
    headline = "Israel Indicts Palestinian Teenage Girl Who Slapped Soldier"
    bodies = [f"{headline}\nThe Israeli army indicted Ahed Tamimi in the West Bank on Monday.",
              f"{headline}\nAhed Tamimi appeared before a military court in the West Bank.",
              f"{headline}\nSupporters of Ahed Tamimi, Amnesty International and B'Tselem protested in Ramallah."]
    about = describe([headline.lower()] * 3, bodies, [0, 0, 0], [0.5] * 3, {0: ["court"]})
    parts = about[0].label.split(" · ")
    assert "Ahed Tamimi" in parts and "West Bank" in parts
    assert not any(part.startswith("Israel Indicts") for part in parts)


def test_a_shared_headline_phrase_is_spelled_as_a_sentence_case_headline_writes_it() -> None:
    titles = ["Israel Indicts Teenage Girl Who Slapped Soldiers", "Israel indicts teenage girl over slap",
              "Israel indicts girl, 16, filmed slapping troops"]
    bodies = ["A military court indicted the girl on Monday."] * 3
    about = describe(titles, bodies, [0, 0, 0], [0.5] * 3, {0: ["court"]})
    assert about[0].label.split(" · ")[0] == "Israel indicts"


def test_markup_and_addresses_carried_as_text_give_no_names() -> None:
    bodies = [f'NEW YORK - Company {c} Inc. <A HREF="http://www.example.com/FullQuote.aspx?ticker={c}">{c}</A> '
              f"posted higher quarterly profit on Thursday, see www.example.com/{c}.html for more." for c in "ABCD"]
    titles = [f"Company {c} profit rises" for c in "ABCD"]
    (about,) = describe(titles, bodies, [0] * 4, [0.9, 0.8, 0.7, 0.6], {0: ["profit", "quarterly"]}).values()
    assert not any(part in about.label for part in ("HREF", "FullQuote", "aspx", "www"))
    assert "profit" in about.label.casefold()


def test_a_wire_credit_and_dateline_are_not_what_a_topic_is_about() -> None:
    bodies = [f"Canadian Press - OTTAWA (CP) - Paul Martin announced a budget plan for {w}." for w in ("ports", "rail")]
    bodies += [f"NEW YORK (Reuters) - Paul Martin met investors about the {w} plan." for w in ("budget", "tax")]
    titles = ["Martin budget plan", "Martin rail plan", "Martin meets investors", "Martin tax plan"]
    (about,) = describe(titles, bodies, [0] * 4, [0.9, 0.8, 0.7, 0.6], {0: ["budget", "plan"]}).values()
    assert about.label.startswith("Paul Martin")
    assert not any(part in about.label for part in ("Canadian Press", "OTTAWA", "YORK", "Reuters"))


def _one_topic(titles: list[str], bodies: list[str], keywords: list[str]) -> str:
    """The label of one topic made of these articles, each equally central."""
    return describe(titles, bodies, [0] * len(titles), [0.5] * len(titles), {0: keywords})[0].label


def test_a_platform_named_only_as_where_reports_were_posted_is_not_in_the_label() -> None:
    """Reports of a plane crash quote the airline's and officials' posts: "Facebook" is where they wrote,
    not what the topic is about. A report about Facebook itself keeps it."""
    titles = [f"Plane crash in Costa Rica kills {n}" for n in (10, 12, 12, 12)]
    bodies = [
        "Nature Air said on its official Facebook page that the plane crashed near Punta Islita.",
        "The sister of one victim wrote on Facebook that the family was travelling with Nature Air.",
        "Nature Air posted images of the wreckage on its Facebook page. Officials in Guanacaste confirmed it.",
        "Nature Air said its pilots were experienced, in a statement posted on the temple's Facebook page.",
    ]
    label = _one_topic(titles, bodies, ["plane", "crash"])
    assert "Facebook" not in label and "Nature Air" in label
    regulator = ["EU fines Facebook over data transfers", "Facebook to appeal EU fine", "Regulators fine Facebook",
                 "Facebook fined again"]
    bodies = ["Regulators fined Facebook for moving data of Europeans. Facebook said on its page it would appeal."] * 4
    assert "Facebook" in _one_topic(regulator, bodies, ["fine", "data"])


def test_a_newspaper_named_only_as_the_source_of_reports_is_not_in_the_label() -> None:
    """Reports on North Korea's oil cite a Korean daily and a news agency: who reported is not what the topic
    is about. A report about the newspaper itself names it otherwise too, and keeps it."""
    titles = [f"North Korea took oil at sea, {n} ships seen" for n in (3, 4, 5, 6)]
    bodies = [
        "North Korea received oil from tankers at sea, according to the Chosun Ilbo. China denied it.",
        "The Chosun Ilbo reported that North Korea took oil near China, South Korea's Yonhap news agency said.",
        "Ships met North Korean tankers, officials told the Chosun Ilbo. China said it keeps to the sanctions.",
        "North Korea got oil in ship-to-ship transfers, the Chosun Ilbo reported, citing officials in China.",
    ]
    label = _one_topic(titles, bodies, ["oil", "ships"])
    assert "Chosun Ilbo" not in label and "Yonhap" not in label and "China" in label
    names = _article_names("Mary Horomanski got a bill for $284 billion in Erie. The Erie Times-News reported it. "
                           "According to Penelec, the meter was misread. Penelec said so on Monday.")
    assert {"Mary Horomanski", "Erie", "Penelec"} <= set(names.values()) and "Erie Times-News" not in names.values()
    titles = [f"Chosun Ilbo {what}" for what in ("fires its editor", "sold", "sued", "moves offices")]
    bodies = ["The Chosun Ilbo fired its editor, according to the Chosun Ilbo. Its owners met in Seoul."] * 4
    assert "Chosun Ilbo" in _one_topic(titles, bodies, ["editor", "owners"])


def test_a_name_that_extends_the_headline_phrase_is_not_repeated() -> None:
    """"Costa Rica" leads from the headlines; its demonym "Costa Rican" says it again."""
    titles = [f"Costa Rica: {what}" for what in ("plane down", "tourists among dead", "airline grounds fleet",
                                                 "inquiry opens")]
    bodies = ["The Costa Rican authorities and Nature Air confirmed the deaths of the tourists."] * 4
    parts = _one_topic(titles, bodies, ["tourists", "deaths"]).split(" · ")
    assert parts[0] == "Costa Rica" and "Costa Rican" not in parts and "Nature Air" in parts


def test_a_keyword_is_dropped_for_repeating_a_name_only_when_its_words_are_the_names() -> None:
    """"Sberbank" repeats the name Sberbank, but "bank" inside it is another word, as "ai" is not "Dubai"."""
    titles, bodies, labels, scores = _corpus()
    about = describe(titles, bodies, labels, scores, {0: ["sberbank", "bank", "models"]})
    assert about[0].label.split(" · ")[2:] == ["bank"]  # after the names DeepSeek and Sberbank
