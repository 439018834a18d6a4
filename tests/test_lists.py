"""Designated-party lists: each official format parsed from a fixture file, names normalised and
matched in article text (the real samples included), no match on generic or weak aliases."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from monitor.lists.formats import ListFormatError, parse_list
from monitor.lists.names import alias_tokens, fold, matchable, tokens
from monitor.lists.parties import ListedParty
from monitor.lists.scanner import ListedScanner

LISTS = Path(__file__).resolve().parent / "fixtures" / "lists"
FILES = {"csl-json": "csl.json", "ofac-sdn-xml": "sdn.xml", "eu-xml": "eu.xml", "uk-xml": "uk.xml"}
NAMES = {"csl-json": "csl", "ofac-sdn-xml": "ofac-sdn", "eu-xml": "eu", "uk-xml": "uk"}


def parsed(fmt: str) -> list[ListedParty]:
    return parse_list(fmt, (LISTS / FILES[fmt]).read_bytes(), NAMES[fmt])


def every_fixture() -> ListedScanner:
    return ListedScanner([p for fmt in FILES for p in parsed(fmt)])


def test_csl_json():
    first, sber, person = parsed("csl-json")
    assert (first.key, first.name, first.type, first.listed_on) == (
        "csl:a1f3c9e2", "Hangzhou Fixture Semiconductor Co., Ltd.", "entity", date(2024, 3, 1))
    assert first.aliases == ("HFS Semi", "杭州夹具半导体")
    assert first.programmes == ("Entity List (EL) - Bureau of Industry and Security",)  # no programme: the source
    assert (sber.key, sber.programmes, sber.aliases) == ("csl:36", ("RUSSIA-EO14024",), ("SBERBANK", "SBERBANK ROSSII"))
    assert (person.name, person.type) == ("Ivan Fixturov", "")


def test_ofac_sdn_xml():
    sber, gref, vessel = parsed("ofac-sdn-xml")
    assert (sber.key, sber.name, sber.type, sber.programmes) == (
        "ofac-sdn:36", "PUBLIC JOINT STOCK COMPANY SBERBANK OF RUSSIA", "entity", ("RUSSIA-EO14024",))
    assert sber.aliases == ("SBERBANK", "Сбербанк России") and sber.weak_aliases == ("SBER",)
    assert (gref.name, gref.type) == ("Herman Oskarovich GREF", "individual")
    assert gref.aliases == ("Herman GREF", "German GREF")  # given name and surname, as the news writes them
    assert (vessel.name, vessel.type, vessel.listed_on) == ("ATLANTIC", "vessel", None)


def sdn_csv(aliases: bool = True) -> list[ListedParty]:
    alt = (LISTS / "alt.csv").read_bytes() if aliases else None
    return parse_list("ofac-sdn-csv", (LISTS / "sdn.csv").read_bytes(), "sdn-csv", alt)


def test_ofac_sdn_csv_reads_as_the_xml_does():
    sber, gref, vessel = sdn_csv()
    assert (sber.key, sber.name, sber.type, sber.programmes, sber.listed_on) == (
        "sdn-csv:36", "PUBLIC JOINT STOCK COMPANY SBERBANK OF RUSSIA", "entity", ("RUSSIA-EO14024",), None)
    assert sber.aliases == ("SBERBANK", "Сбербанк России", "SBERBANK OF RUSSIA, PJSC")  # alt.csv, by ent_num
    assert sber.weak_aliases == ("SBER",)  # quoted in the Remarks
    assert (gref.name, gref.type, gref.programmes) == ("Herman Oskarovich GREF", "individual", ("RUSSIA-EO14024", "SDGT"))
    assert gref.aliases == ("Herman GREF", "German GREF")  # "LAST, Given", as the XML's firstName and lastName
    assert (vessel.key, vessel.name, vessel.type, vessel.aliases, vessel.programmes) == (
        "sdn-csv:9001", "ATLANTIC", "vessel", (), ("IRAN",))
    xml = {p.id: (p.name, p.aliases, p.programmes[:1], p.type, p.weak_aliases) for p in parsed("ofac-sdn-xml")}
    assert {p.id: (p.name, p.aliases[:2], p.programmes[:1], p.type, p.weak_aliases) for p in sdn_csv()} == xml


def test_ofac_sdn_csv_without_its_aliases_file():
    sber, gref, _ = sdn_csv(aliases=False)
    assert (sber.aliases, gref.aliases) == ((), ("Herman GREF",))


def test_ofac_sdn_csv_programmes_in_brackets():
    row = b'5,"FIXTURE TRADING FZE",-0- ,"[RUSSIA-EO14024] [SDGT]",' + b"-0- ," * 7 + b"-0- \r\n"
    [party] = parse_list("ofac-sdn-csv", row, "x")
    assert (party.programmes, party.type) == (("RUSSIA-EO14024", "SDGT"), "entity")


def test_an_article_naming_a_csv_alias_carries_list_programme_and_party():
    [mention] = ListedScanner(sdn_csv()).scan("Analysts at Сбербанк России said the chips never arrived.")
    assert (mention.key, mention.label) == ("sdn-csv:36", "PUBLIC JOINT STOCK COMPANY SBERBANK OF RUSSIA")
    assert mention.detail == (("list", "sdn-csv"), ("programme", "RUSSIA-EO14024"), ("listed_on", ""))  # not in the CSV
    assert [m.key for m in ListedScanner(sdn_csv()).scan("German Gref spoke; SBER fell.")] == ["sdn-csv:7001"]


def test_eu_xml():
    sber, person = parsed("eu-xml")
    assert (sber.key, sber.name, sber.aliases, sber.weak_aliases) == (
        "eu:EU.1234.56", "Sberbank of Russia", ("ПАО Сбербанк",), ("SB",))
    assert (sber.programmes, sber.listed_on, sber.type) == (("UKR",), date(2022, 2, 25), "entity")
    # no designationDate: the regulation's publication date
    assert (person.key, person.type, person.listed_on) == ("eu:EU.7777.01", "individual", date(2024, 6, 25))


def test_uk_xml():
    sber, person = parsed("uk-xml")
    assert (sber.key, sber.name, sber.programmes, sber.listed_on) == (
        "uk:RUS0263", "PUBLIC JOINT STOCK COMPANY SBERBANK", ("Russia",), date(2022, 2, 24))
    assert sber.aliases == ("SBERBANK OF RUSSIA", "ПУБЛИЧНОЕ АКЦИОНЕРНОЕ ОБЩЕСТВО СБЕРБАНК РОССИИ")
    assert sber.weak_aliases == ("SBER",)
    assert (person.name, person.aliases, person.type) == (
        "Alexander Vadimovich VEDYAKHIN", ("Alexander VEDYAKHIN",), "individual")


@pytest.mark.parametrize(("fmt", "body", "fragment"), [
    ("eu-xml", (LISTS / "sdn.xml").read_bytes(), "no entries found"),  # the wrong format
    ("ofac-sdn-xml", b"<sdnList><sdnEntry><uid>1</uid>", "not a valid ofac-sdn-xml file"),  # cut short
    ("csl-json", b"{\"results\": 5}", "not a valid csl-json file"),
    ("csl-json", b"<html>maintenance</html>", "not a valid csl-json file"),
    ("uk-xml", b"", "not a valid uk-xml file"),
    ("ofac-sdn-csv", b"<html><body>maintenance</body></html>", "not a valid ofac-sdn-csv file: sdn.csv line 1"),
    ("ofac-sdn-csv", (LISTS / "sdn.csv").read_bytes()[:150], "not a valid ofac-sdn-csv file: sdn.csv line 1: unexpected end"),
    ("ofac-sdn-csv", b'1,"A",-0- ,"IRAN"' + b",-0- " * 8 + b'\r\n2,"B",-0- ,"IRAN"', "sdn.csv line 2: expected 12"),
    ("ofac-sdn-csv", b"", "no entries found"),
])
def test_a_file_that_is_not_its_format_is_refused(fmt, body, fragment):
    with pytest.raises(ListFormatError, match=fragment) as raised:
        parse_list(fmt, body, "x")
    assert "\n" not in str(raised.value)


def test_a_broken_aliases_file_is_refused_naming_it():
    sdn = (LISTS / "sdn.csv").read_bytes()
    with pytest.raises(ListFormatError, match="not a valid ofac-sdn-csv file: alt.csv line 1: expected 5 fields"):
        parse_list("ofac-sdn-csv", sdn, "x", sdn)  # sdn.csv given as alt.csv
    with pytest.raises(ListFormatError, match="eu-xml has no aliases file"):
        parse_list("eu-xml", (LISTS / "eu.xml").read_bytes(), "x", b"")


def test_names_are_folded_and_lose_their_legal_forms():
    assert fold("Straße") == ("strasse",) and fold("Société") == ("societe",)
    assert [t for t, _ in tokens("Huawei (华为) Co.")] == ["huawei", "华", "为", "co"]
    assert tokens("  Sber-Bank")[1] == ("bank", 7)
    assert alias_tokens("PUBLIC JOINT STOCK COMPANY SBERBANK OF RUSSIA") == ("sberbank", "of", "russia")
    assert alias_tokens("OOO Fixture Trading Ltd.") == ("fixture", "trading")
    assert alias_tokens("ПАО «Сбербанк»") == ("сбербанк",)
    assert alias_tokens("Huawei Technologies Co., Ltd.") == ("huawei", "technologies")


@pytest.mark.parametrize(("alias", "kind", "ok"), [
    (("sberbank",), "entity", True),
    (("华", "为"), "entity", True),
    (("华",), "entity", False),
    (("bank",), "entity", False),  # one common word
    (("global", "trading"), "entity", False),  # only common words
    (("sb",), "entity", False),  # too short
    (("atlantic",), "vessel", False),  # a ship's one-word name
    (("gref",), "individual", False),  # a surname alone
    (("german", "gref"), "individual", True),
])
def test_only_specific_aliases_are_matched(alias, kind, ok):
    assert matchable(alias, kind) is ok


def test_the_real_samples_name_sberbank_gref_and_vedyakhin(samples):
    scanner = every_fixture()
    first, second = (scanner.scan(text) for text in samples)
    assert [(m.key, m.count) for m in first] == [
        ("csl:36", 8), ("ofac-sdn:36", 8), ("uk:RUS0263", 8), ("uk:RUS0999", 1), ("ofac-sdn:7001", 1)]
    assert [(m.key, m.count) for m in second] == [("csl:36", 10), ("ofac-sdn:36", 10), ("uk:RUS0263", 10)]
    sber = first[0]
    assert samples[0][sber.first_offset:].startswith("Sberbank")
    assert samples[0][first[3].first_offset:].startswith("Alexander Vedyakhin")


def test_a_mention_carries_list_programme_and_listing_date():
    [mention] = every_fixture().scan("A court in Moscow fined ПАО Сбербанк on Monday.")
    assert (mention.kind, mention.key, mention.label, mention.count) == ("listed", "eu:EU.1234.56", "Sberbank of Russia", 1)
    assert mention.detail == (("list", "eu"), ("programme", "UKR"), ("listed_on", "2022-02-25"))
    assert mention.first_offset == len("A court in Moscow fined ПАО ")  # the legal form is not part of the name


@pytest.mark.parametrize("text", [
    "The Atlantic Council said SB and Sber would report.",  # a vessel's name, weak aliases
    "Sberbanking is not a word; nor is unsberbank.",  # word boundaries
    "Global trading volumes fell.",
    "Gref is a surname; Herman said nothing.",
])
def test_no_match_on_generic_weak_or_partial_names(text):
    assert every_fixture().scan(text) == []


def test_inflected_or_spelled_differently():
    found = every_fixture().scan("Herman Gref of SBERBANK, and 杭州夹具半导体 and HFS Semi.")
    assert {m.key: m.count for m in found} == {"ofac-sdn:7001": 1, "csl:36": 1, "ofac-sdn:36": 1, "uk:RUS0263": 1,
                                               "csl:a1f3c9e2": 2}


def test_an_empty_scanner_finds_nothing_and_the_signature_follows_the_lists():
    empty = ListedScanner([])
    assert empty.scan("Sberbank") == [] and empty.kind == "listed"
    assert ListedScanner([], ["a"]).signature != ListedScanner([], ["b"]).signature == ListedScanner([], ["b"]).signature


def cyrillic_fixture() -> ListedScanner:
    return ListedScanner(parse_list("uk-xml", (LISTS / "uk-cyrillic.xml").read_bytes(), "uk"))


@pytest.mark.parametrize(("text", "found"), [
    ("Яндекс объявил о сотрудничестве со Сбербанком.", {"uk:RUS0263": 1}),  # instrumental
    ("Новые санкции против Сбербанка и Ростеха вступили в силу.", {"uk:RUS0263": 1, "uk:RUS1441": 1}),  # genitive
    ("Сбербанку и Сбербанке, СБЕРБАНК и Сбербанк.", {"uk:RUS0263": 4}),  # dative, prepositional, as written
    ("Контракт с Объединённой приборостроительной корпорацией.", {}),  # only the last word is inflected
    ("Поставки для Объединенной приборостроительной корпорации.", {}),
    ("Объединённая приборостроительная корпорация и Объединенная приборостроительная корпорацией.",
     {"uk:RUS1441": 2}),  # as written, and with the last word's case ending
])
def test_russian_names_match_their_case_forms(text, found):
    assert {m.key: m.count for m in cyrillic_fixture().scan(text)} == found


@pytest.mark.parametrize("text", [
    "Ростехнадзор проверил завод.",  # another agency whose name starts with the listed one's
    "Сбербанковский кредит и сбербанкиры.",  # derived words, not case forms
    "Ростехнологии и неростех.",
])
def test_a_word_that_only_starts_or_ends_with_a_russian_name_does_not_match(text):
    assert cyrillic_fixture().scan(text) == []


def test_a_case_form_keeps_its_offset_and_the_eu_list_matches_too():
    text = "Санкции против Сбербанка."
    [mention] = cyrillic_fixture().scan(text)
    assert text[mention.first_offset:].startswith("Сбербанка")
    assert [m.key for m in every_fixture().scan("Сотрудничество со Сбербанком.")] == ["eu:EU.1234.56"]
