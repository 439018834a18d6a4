"""Legal instruments found in article text: each shipped pattern on sentences that cite it and on
sentences that only look alike; user patterns from feeds.yaml; bad patterns are config errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from monitor.config import load_config
from monitor.errors import ConfigError
from monitor.instruments import instrument_scanner
from monitor.instruments.defaults import DEFAULT_PATTERNS
from monitor.instruments.scanner import InstrumentScanner

FEED = {"name": "Example", "url": "https://example.org/feed.xml"}
SHIPPED = InstrumentScanner(DEFAULT_PATTERNS)


def keys(text: str, scanner: InstrumentScanner = SHIPPED) -> list[str]:
    return [m.key for m in scanner.scan(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("The interim final rule was published at 89 FR 12345 on Monday.", ["us-fr:89 FR 12345"]),
    ("See 89 Fed. Reg. 12,345 (March 1, 2024).", ["us-fr:89 FR 12345"]),
    ("Commerce added 11 Chinese firms to the Entity List on Tuesday.", ["us-bis:entity-list"]),
    ("The companies join the U.S. trade blacklist, Entity List, from today.", ["us-bis:entity-list"]),
    ("Licences are required under 15 CFR 744 and 15 C.F.R. § 744.21.", ["us-cfr:15 CFR 744"]),
    ("OFAC issued General License 8L, allowing energy payments.", ["us-ofac:gl-8L"]),
    ("The Treasury's OFAC extended GL 13 for another month.", ["us-ofac:gl-13"]),
    ("OFAC designated 50 entities under Executive Order 14024.", ["us-ofac:sdn", "us-eo:14024"]),
    ("They were designated by the Office of Foreign Assets Control.", ["us-ofac:sdn"]),
    ("E.O. 14117 restricts bulk data transfers.", ["us-eo:14117"]),
    ("Council Regulation (EU) No 833/2014 was amended by Regulation (EU) 2024/1745.",
     ["eu-reg:2014/833", "eu-reg:2024/1745"]),
    ("Council Decision (CFSP) 2024/1744 amends Decision 2014/512/CFSP.", ["eu-cfsp:2024/1744", "eu-cfsp:2014/512"]),
    ("The EU adopted its 14th package of sanctions against Russia.", ["eu-package:14"]),
    ("EU ministers agreed the fourteenth sanctions package.", ["eu-package:14"]),
    ("Brussels is drafting the twenty-first sanctions package.", ["eu-package:21"]),
    ("OFSI said the bank is on the UK sanctions list.", ["uk:sanctions-list"]),
    ("It was designated under the Russia (Sanctions) (EU Exit) Regulations 2019.", ["uk-si:russia-2019"]),
    ("MOFCOM Announcement No. 46 of 2024 bans gallium exports to the US.", ["cn-mofcom:2024-46"]),
    ("MOFCOM Announcement [2023] No. 23 covers germanium.", ["cn-mofcom:2023-23"]),
    ("根据商务部公告2024年第46号，相关物项禁止出口。", ["cn-mofcom:2024-46"]),
    ("商务部 海关总署公告2023年第23号", ["cn-mofcom:2023-23"]),
    ("Beijing put Skydio on its unreliable entity list.", ["cn-uel:list"]),
    ("将其列入不可靠实体清单。", ["cn-uel:list"]),
    ("不可靠实体清单工作机制公告〔2025〕1号", ["cn-uel:2025-1", "cn-uel:list"]),
])
def test_each_shipped_pattern_finds_its_instrument(text, expected):
    assert keys(text) == expected


@pytest.mark.parametrize("text", [
    "He finished 14th in the race and took the package home.",
    "The 14th package arrived by mail.",
    "A package of sanctions is being discussed.",  # no number
    "The Mercedes GL 450 is a luxury car.",
    "GL 13 was a fine model.",  # "GL" without OFAC in the article
    "Export the entity list from the app.",
    "In 2024 FR 12 cars were sold.",
    "FR 12345 is a postcode.",
    "Order 14024 items online.",
    "The new EO is out.",
    "Regulation 2024/1745 of the club.",
    "Chapter 15, 744 pages, no CFR 744.",
    "The UK designated nothing this week.",
    "Sanctions restrict Russia's access to chips.",
])
def test_look_alikes_are_not_instruments(text):
    assert keys(text) == []


def test_chinas_unreliable_entity_list_is_not_the_us_entity_list():
    assert keys("Beijing's Unreliable Entity List now has 30 names.") == ["cn-uel:list"]
    assert keys("China added the firm to the Unreliable Entity List.") == ["cn-uel:list"]


def test_a_numbered_package_needs_the_eu_in_the_article():
    assert keys("Japan adopted its 14th sanctions package.") == []
    assert keys("Japan adopted its 14th sanctions package, as the EU did.") == ["eu-package:14"]


def test_one_instrument_spelt_two_ways_is_one_mention_with_its_count_and_first_offset():
    text = "Under 89 Fed. Reg. 12,345 ... later 89 FR 12345 again."
    [mention] = SHIPPED.scan(text)
    assert (mention.kind, mention.key, mention.count, mention.first_offset) == ("instrument", "us-fr:89 FR 12345", 2, 6)
    assert mention.label == "89 FR 12345 (Federal Register)"


def test_the_real_samples_cite_no_instrument(samples):
    assert samples
    for text in samples:
        assert SHIPPED.scan(text) == []


def test_user_patterns_defaults_off_and_disabled(write_config):
    path = write_config({"feeds": [FEED], "instruments": {"disable": ["us-executive-order"], "patterns": [
        {"name": "Japan METI", "regex": r"METI (?:Notice|Ordinance) No\. (?P<n>\d+)", "key": "jp-meti:{n}",
         "label": "METI notice {n}"}]}})
    scanner = instrument_scanner(load_config(path))
    found = scanner.scan("Under METI Notice No. 12 and Executive Order 14024, Regulation (EU) 2024/1745.")
    assert [(m.key, m.label) for m in found] == [("jp-meti:12", "METI notice 12"),
                                                 ("eu-reg:2024/1745", "Regulation (EU) 2024/1745")]
    only_mine = write_config({"feeds": [FEED], "instruments": {"defaults": False, "patterns": [
        {"name": "x", "regex": r"Law (\d+)", "key": "law:{1}", "label": "Law {1}", "context": "parliament"}]}})
    scanner2 = instrument_scanner(load_config(only_mine))
    assert keys("Law 5 and Executive Order 14024", scanner2) == []  # no context, defaults off
    assert keys("The parliament passed Law 5.", scanner2) == ["law:5"]
    assert scanner2.signature != scanner.signature != SHIPPED.signature
    assert instrument_scanner(load_config(write_config({"feeds": [FEED]}))).signature == SHIPPED.signature


@pytest.mark.parametrize(("instruments", "fragments"), [
    ({"patterns": [{"name": "x", "regex": "(ab", "key": "k", "label": "l"}]},
     ["instruments.patterns[0].regex", "invalid regular expression", "'(ab'"]),
    ({"patterns": [{"name": "x", "regex": "(?P<n>a)", "key": "k:{m}", "label": "l"}]},
     ["instruments.patterns[0]", "{m}", "not a group"]),
    ({"patterns": [{"name": "x", "regex": "a", "key": "k:{0.__class__}", "label": "l"}]},
     ["instruments.patterns[0]", "group names or numbers"]),
    ({"disable": ["no-such-pattern"]}, ["instruments.disable", "no-such-pattern"]),
])
def test_bad_patterns_are_one_line_config_errors(write_config, instruments, fragments):
    path = write_config({"feeds": [FEED], "instruments": instruments})
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message


def test_a_bad_regex_exits_2_from_the_command_line(write_config, tmp_path):
    path = write_config({"feeds": [FEED], "instruments": {"patterns": [
        {"name": "x", "regex": "[unclosed", "key": "k", "label": "l"}]}})
    proc = subprocess.run([sys.executable, "-m", "monitor", "config", "--check", "--config", str(path)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "instruments.patterns[0].regex" in lines[0] and "[unclosed" in lines[0]
