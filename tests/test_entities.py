"""Entities: the registry (countries, shipped set, configured entries) and the matcher's answers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from monitor.config import load_config
from monitor.entities.match import EntityMatcher, entity_scanner
from monitor.entities.registry import build_registry
from monitor.errors import ConfigError

SAMPLES = Path(__file__).parent / "fixtures" / "samples"
FEED = {"name": "Example", "url": "https://example.org/feed.xml"}
REQUIRED = {
    "org:sberbank", "org:deepseek", "product:gigachat", "media:reuters", "org:nvidia", "media:tortoise-media",
    "org:stargate", "country:RU", "country:CN", "country:US", "country:IN", "country:BR", "country:GB",
    "bloc:brics", "person:vladimir-putin", "person:xi-jinping", "person:alexander-vedyakhin", "person:herman-gref",
}
# every entity each sample truly names (read by hand): nothing more may be found
SAMPLE_KEYS = {
    "000_8ec56b153a773baa.txt": REQUIRED - {"country:ZA"} | {"org:openai", "product:chatgpt", "person:donald-trump"},
    "002_f000f81559458045.txt": {
        "country:RU", "country:CN", "country:US", "country:IN", "country:BR", "country:ZA", "org:sberbank",
        "person:vladimir-putin", "person:xi-jinping", "org:huawei", "org:tencent", "org:alibaba", "bloc:brics"},
}


@pytest.fixture(scope="module")
def matcher() -> EntityMatcher:
    return EntityMatcher(build_registry())


def keys(matcher: EntityMatcher, text: str) -> set[str]:
    return {m.key for m in matcher.scan(text)}


def only(matcher: EntityMatcher, text: str, key: str):
    (mention,) = [m for m in matcher.scan(text) if m.key == key]
    return mention


def test_the_samples_name_exactly_what_they_name(matcher):
    found = {}
    for name, expected in SAMPLE_KEYS.items():
        found[name] = keys(matcher, (SAMPLES / name).read_text(encoding="utf-8"))
        assert found[name] == expected, name
    assert REQUIRED <= set().union(*found.values())


def test_a_mention_carries_label_count_first_offset_and_type(matcher):
    text = "Sberbank said on Monday. Later, Sberbank's GigaChat was updated."
    (bank, chat) = matcher.scan(text)
    assert (bank.kind, bank.key, bank.label, bank.count, bank.first_offset) == ("entity", "org:sberbank", "Sberbank", 2, 0)
    assert bank.detail == (("type", "org"),)
    assert chat.key == "product:gigachat" and chat.first_offset == text.index("GigaChat")
    assert dict(chat.detail) == {"type": "product", "parent": "org:sberbank"}


@pytest.mark.parametrize(("text", "key"), [
    ("Сбербанк запустил", "org:sberbank"), ("ГигаЧат обновили", "product:gigachat"),
    ("深度求索发布了新模型", "org:deepseek"), ("华为的芯片", "org:huawei"), ("Deepseek released", "org:deepseek"),
    ("习近平会见", "person:xi-jinping"), ("Путин заявил", "person:vladimir-putin"), ("俄罗斯和中国", "country:RU"),
])
def test_aliases_across_scripts_share_one_key(matcher, text, key):
    assert key in keys(matcher, text)


@pytest.mark.parametrize(("text", "key"), [
    ("акции Сбербанка выросли", "org:sberbank"), ("с Сбербанком", "org:sberbank"), ("у Сбера", "org:sberbank"),
    ("в России", "country:RU"), ("с Россией", "country:RU"), ("встреча с Путиным", "person:vladimir-putin"),
    ("слова Ведяхина", "person:alexander-vedyakhin"), ("визит Зеленского", "person:volodymyr-zelensky"),
    ("российского банка", "country:RU"),
])
def test_russian_case_forms_match(matcher, text, key):
    assert keys(matcher, text) == {key}


def test_an_ending_that_is_not_a_case_form_does_not_match(matcher):
    assert "org:gazprom" not in keys(matcher, "Газпромбанк и Газпромбанка")
    assert keys(matcher, "Газпромбанк") == {"org:gazprombank"}


def test_metonyms_and_demonyms_are_marked_when_nothing_else_names_the_country(matcher):
    assert dict(only(matcher, "The Kremlin said on Tuesday", "country:RU").detail)["via"] == "metonym"
    assert dict(only(matcher, "Moscow and Beijing agreed", "country:CN").detail)["via"] == "metonym"
    assert dict(only(matcher, "Chinese officials said", "country:CN").detail)["via"] == "demonym"
    named = only(matcher, "Moscow said Russia would reply", "country:RU")
    assert named.count == 2 and "via" not in dict(named.detail)


@pytest.mark.parametrize("text", [
    "Indiana voters", "a Chinatown restaurant", "let us go", "fine china plates", "a turkey dinner",
    "quad bikes", "military intel", "New Mexico and New Jersey", "Georgia's governor", "a trip to Xi'an",
    "Usain Bolt", "the intelligence community", "Sberbankomat", "XI Olympiad", "the eu rule",
    "Latin America", "George Washington University", "Hunter Biden", "South China Sea", "Indian Ocean",
])
def test_no_entity_where_none_is_named(matcher, text):
    assert keys(matcher, text) == set()


@pytest.mark.parametrize(("text", "key"), [
    ("the US and the U.S.", "country:US"), ("the EU said", "bloc:eu"), ("the Quad met", "bloc:quad"),
    ("the BIS rule", "org:bis"), ("SCO leaders", "bloc:sco"), ("NVIDIA shares", "org:nvidia"),
    ("Russia-China ties", "country:CN"), ("Nvidia’s chips", "org:nvidia"), ("'BRICS'", "bloc:brics"),
    ("Mexico and New Mexico", "country:MX"), ("Brics summit", "bloc:brics"),
])
def test_names_match_at_word_boundaries_with_their_case(matcher, text, key):
    assert key in keys(matcher, text)


@pytest.mark.parametrize(("text", "key"), [
    ("Japan adds Inspur to its list", "org:inspur"), ("Moore Threads GPUs", "org:moore-threads"),
    ("Hua Hong Semiconductor said", "org:hua-hong"), ("G42 of Abu Dhabi", "org:g42"),
    ("Cozy Bear struck again", "org:apt29"), ("Volt Typhoon intrusions", "org:volt-typhoon"),
    ("清华大学的研究人员", "org:tsinghua"), ("摩尔线程的芯片", "org:moore-threads"),
])
def test_entity_listed_chip_makers_champions_and_hacking_groups_are_known(matcher, text, key):
    assert key in keys(matcher, text)


@pytest.mark.parametrize(("text", "named"), [
    ("She wrote in a Facebook post that the family was safe.", False),
    ("The police posted on Facebook at noon.", False),
    ("Follow us on Facebook and Twitter.", False),
    ("Share this: Facebook Twitter Pinterest", False),
    ("Facebook has banned cryptocurrency adverts.", True),
    ("Regulators weigh a ban on Facebook over data transfers.", True),
    ("Former Facebook engineers launched a campaign.", True),
])
def test_facebook_where_someone_wrote_is_not_the_company(matcher, text, named):
    assert ("org:meta" in keys(matcher, text)) is named


def test_a_subsidiary_is_itself_and_not_its_parent(matcher):
    assert keys(matcher, "MTS AI released Cotype") == {"org:mts-ai"}
    assert keys(matcher, "the operator MTS said") == {"org:mts"}


def test_the_longest_overlapping_spelling_wins(matcher):
    assert only(matcher, "President Xi Jinping spoke; Xi left", "person:xi-jinping").count == 2
    assert keys(matcher, "CEO German Gref") == {"person:herman-gref"}
    assert keys(matcher, "Bank of China loans") == {"org:bank-of-china"}
    assert keys(matcher, "Gazprombank") == {"org:gazprombank"}
    assert keys(matcher, "the Washington Post reported") == {"media:washington-post"}


def test_the_signature_follows_the_registry(matcher):
    again = EntityMatcher(build_registry())
    assert again.signature == matcher.signature and matcher.kind == "entity"
    extended = EntityMatcher(build_registry([{"key": "org:sberbank", "aliases": ["Sber AI"]}]))
    assert extended.signature != matcher.signature


def test_an_empty_registry_finds_nothing():
    assert EntityMatcher(build_registry(defaults=False)).scan("Russia and China") == []


def write(tmp_path: Path, data: dict, name: str = "feeds.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_configured_entities_extend_the_shipped_set(tmp_path):
    sub = tmp_path / "conf"
    sub.mkdir()
    write(sub, {"entities": [{"key": "org:acme-ai", "name": "Acme AI", "type": "org", "aliases": ["Акме"],
                               "parent": "org:sberbank"}]}, "entities.yaml")
    path = write(sub, {"feeds": [FEED], "entities_file": "entities.yaml", "entities": [
        {"key": "org:sberbank", "aliases": ["SberTech"], "name": "Sber"},
        {"key": "person:jane-roe", "name": "Jane Roe"},
    ]})
    scanner = entity_scanner(load_config(path))
    found = {m.key: m for m in scanner.scan("Jane Roe of SberTech met Акме and Sberbank")}
    assert set(found) == {"person:jane-roe", "org:sberbank", "org:acme-ai"}
    assert found["org:sberbank"].count == 2 and found["org:sberbank"].label == "Sber"
    assert dict(found["person:jane-roe"].detail)["type"] == "person"
    assert dict(found["org:acme-ai"].detail)["parent"] == "org:sberbank"
    assert "country:RU" in {m.key for m in scanner.scan("Russia")}


def test_the_shipped_set_can_be_switched_off(tmp_path):
    path = write(tmp_path, {"feeds": [FEED], "entity_defaults": False,
                            "entities": [{"key": "org:acme", "name": "Acme", "type": "org"}]})
    assert {m.key for m in entity_scanner(load_config(path)).scan("Acme, Russia and Sberbank")} == {"org:acme"}


@pytest.mark.parametrize(("entities", "fragments"), [
    ([{"key": "org:acme", "name": "Acme", "type": "company"}], ["entities[0].type", "company"]),
    ([{"key": "Acme", "name": "Acme", "type": "org"}], ["entities[0].key", "Acme"]),
    ([{"key": "org:acme", "name": "Acme", "alias": ["A"]}], ["entities[0].alias", "unknown key"]),
    ([{"key": "org:acme", "aliases": ["Acme"]}], ["entities[0].name", "org:acme"]),
    ([{"key": "org:acme", "name": "Acme", "parent": "org:nowhere"}], ["entities[0].parent", "org:nowhere"]),
    ([{"key": "thing:acme", "name": "Acme"}], ["entities[0].type", "thing:acme"]),
    ([{"key": "org:acme", "name": "Acme", "aliases": ["A\nB"]}], ["entities[0].aliases[0]", "control"]),
])
def test_a_bad_entity_is_one_line_naming_file_field_and_value(tmp_path, entities, fragments):
    path = write(tmp_path, {"feeds": [FEED], "entities": entities})
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message


def test_a_bad_entities_file_is_named(tmp_path):
    included = write(tmp_path, {"entities": [{"key": "org:acme", "name": "Acme", "type": "bank"}]}, "entities.yaml")
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, {"feeds": [FEED], "entities_file": "entities.yaml"}))
    assert str(info.value).startswith(f"{included}: entities[0].type") and "bank" in str(info.value)
    with pytest.raises(ConfigError, match="absent.yaml: file not found"):
        load_config(write(tmp_path, {"feeds": [FEED], "entities_file": "absent.yaml"}))


def test_the_cli_exits_2_on_a_bad_entity(tmp_path):
    path = write(tmp_path, {"feeds": [FEED], "entities": [{"key": "org:acme", "name": "Acme", "type": "company"}]})
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    env["MONITOR_DATABASE_URL"] = f"sqlite:///{tmp_path / 'm.db'}"
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(path), "feeds"],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert proc.returncode == 2
    (line,) = [x for x in proc.stderr.splitlines() if x.strip()]
    assert str(path) in line and "entities[0].type" in line and "company" in line
