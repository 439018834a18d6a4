"""The shipped instrument patterns: US, EU, UK and Chinese sanctions and export-control instruments.

Precision first: a pattern needs the instrument's own wording ("General License 8L", "Regulation
(EU) 2024/1745", "14th package of sanctions"), never a bare number or abbreviation, and the
abbreviated forms ("GL 13", a numbered package) also need their context in the article (OFAC, the EU).
Keys are stable across spellings and languages: ``us-fr:89 FR 12345``, ``eu-reg:2014/833``.
Bump ``VERSION`` when a build function changes: stored mentions are then scanned again.
"""

from __future__ import annotations

import re

from monitor.instruments.patterns import Build, Pattern

VERSION = "1"

_ORDINALS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
             "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth").split()
_TENS = {"twenty": 20, "thirty": 30}
_UNITS = dict(zip(_ORDINALS[:9], range(1, 10), strict=True))
_ORDINAL_WORD = (r"(?:(?:twenty|thirty)[-\s]?(?:" + "|".join(_ORDINALS[:9]) + r")|"
                 + "|".join(reversed(_ORDINALS)) + r"|thirtieth)")


def _ordinal(text: str) -> int | None:
    word = text.lower().replace(" ", "-")
    if word[:1].isdigit():
        return int(re.match(r"\d+", word)[0])  # type: ignore[index]
    if word in _ORDINALS:
        return _ORDINALS.index(word) + 1
    if word == "thirtieth":
        return 30
    tens, _, unit = word.partition("-")
    if tens in _TENS and unit in _UNITS:
        return _TENS[tens] + _UNITS[unit]
    return None


def _suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _fixed(key: str, label: str) -> Build:
    return lambda _match: (key, label)


def _federal_register(m: re.Match[str]) -> tuple[str, str]:
    page = m["page"].replace(",", "")
    return f"us-fr:{m['volume']} FR {page}", f"{m['volume']} FR {page} (Federal Register)"


def _cfr(m: re.Match[str]) -> tuple[str, str]:
    return f"us-cfr:{m['title']} CFR {m['part']}", f"{m['title']} CFR part {m['part']}"


def _general_license(m: re.Match[str]) -> tuple[str, str]:
    number = m["number"].upper()
    return f"us-ofac:gl-{number}", f"OFAC General License {number}"


def _executive_order(m: re.Match[str]) -> tuple[str, str]:
    return f"us-eo:{m['number']}", f"Executive Order {m['number']}"


def _is_year(text: str) -> bool:
    return len(text) == 4 and text[:2] in ("19", "20")


def _eu_regulation(m: re.Match[str]) -> tuple[str, str] | None:
    a, b = m["a"], m["b"]
    if m["no"] or (_is_year(b) and not _is_year(a)):
        number, year = a, b  # before 2015: No 833/2014
    elif _is_year(a):
        year, number = a, b  # since 2015: 2024/1745
    else:
        return None
    if int(year) >= 2015:
        return f"eu-reg:{year}/{number}", f"Regulation (EU) {year}/{number}"
    body = "EC" if int(year) <= 2009 else "EU"
    return f"eu-reg:{year}/{number}", f"Regulation ({body}) No {number}/{year}"


def _cfsp_decision(m: re.Match[str]) -> tuple[str, str]:
    year = m["year"] or m["year_old"]
    number = m["number"] or m["number_old"]
    if int(year) >= 2015:
        return f"eu-cfsp:{year}/{number}", f"Council Decision (CFSP) {year}/{number}"
    return f"eu-cfsp:{year}/{number}", f"Council Decision {year}/{number}/CFSP"


def _eu_package(m: re.Match[str]) -> tuple[str, str] | None:
    n = _ordinal(m["ordinal"])
    if n is None or not 1 <= n <= 40:
        return None
    return f"eu-package:{n}", f"EU {n}{_suffix(n)} sanctions package"


def _uk_regulations(m: re.Match[str]) -> tuple[str, str]:
    regime = re.sub(r"^(?:the)\s+", "", " ".join(m["regime"].split()), flags=re.IGNORECASE)
    slug = re.sub(r"[^a-z0-9]+", "-", regime.lower()).strip("-")
    return (f"uk-si:{slug}-{m['year']}",
            f"The {regime} (Sanctions) (EU Exit) Regulations {m['year']}")


def _mofcom(m: re.Match[str]) -> tuple[str, str]:
    year = int(m["year"] or m["year2"] or m["year3"])
    number = int(m["number"] or m["number2"] or m["number3"])
    return f"cn-mofcom:{year}-{number}", f"MOFCOM Announcement No. {number} of {year}"


def _uel_decision(m: re.Match[str]) -> tuple[str, str]:
    year, number = int(m["year"]), int(m["number"])
    return f"cn-uel:{year}-{number}", f"Unreliable Entity List announcement No. {number} of {year}"


_OFAC = re.compile(r"\bOFAC\b|Office of Foreign Assets Control|\bGeneral Licen[sc]es?\b", re.IGNORECASE)
_EU = re.compile(r"\bEU\b|\bEuropean\b|\bBrussels\b")
_APOS = r"(?:'s|’s)?"
_I = re.IGNORECASE


def _p(name: str, regex: str, build: Build, flags: int = 0, context: re.Pattern[str] | None = None) -> Pattern:
    return Pattern(name, re.compile(regex, flags), build, context, VERSION)


DEFAULT_PATTERNS: tuple[Pattern, ...] = (
    # "89 FR 12345", "89 Fed. Reg. 12,345": the volume and page, never "FR" alone
    _p("us-federal-register",
       r"\b(?P<volume>\d{2})\s+(?:FR|Fed\.\s?Reg\.)\s+(?P<page>\d{1,3}(?:,\d{3})+|\d{3,6})\b", _federal_register),
    # "15 CFR 744", "15 C.F.R. § 744.11", "15 CFR part 744"
    _p("us-cfr", r"\b(?P<title>\d{1,2})\s+C\.?F\.?R\.?\s+(?:[Pp]arts?\s+|§§?\s*)?(?P<part>\d{1,4})\b", _cfr),
    # the Commerce Department's Entity List (not China's Unreliable Entity List)
    _p("us-bis-entity-list",
       r"\b(?:the|[Cc]ommerce(?:\s+Department)?" + _APOS + r"|BIS" + _APOS + r"|U\.S\.|US|American|trade|"
       r"export)\s+(?:(?:U\.S\.|US|Commerce|Department" + _APOS + r"|trade|export|blacklist,?)\s+){0,3}"
       r"Entity\s+List\b", _fixed("us-bis:entity-list", "BIS Entity List")),
    _p("us-ofac-general-license",
       r"\b(?i:general\s+licen[sc]e)\s+(?:(?i:no)\.?\s*)?(?P<number>\d{1,3}[A-Z]{0,2})\b", _general_license),
    _p("us-ofac-gl-short", r"\bGL\s?(?P<number>\d{1,3}[A-Z]?)\b", _general_license, context=_OFAC),
    _p("us-ofac-sdn",
       r"\bSpecially\s+Designated\s+Nationals?\b|\bSDN\s+[Ll]ist\b|"
       r"\bOFAC\b[^.;\n]{0,60}?\bdesignat(?:ed|es|ing|ions?)\b|"
       r"\bdesignat(?:ed|ions?)\b[^.;\n]{0,40}?\bby\s+(?:the\s+)?(?:OFAC|Office\s+of\s+Foreign\s+Assets\s+Control)\b",
       _fixed("us-ofac:sdn", "OFAC SDN designations")),
    # "Executive Order 14024", "E.O. 14117", "EO 13846": five digits
    _p("us-executive-order",
       r"(?:\b(?i:executive\s+order)|\bE\.\s?O\.|\bEO)\s*(?:(?i:no)\.?\s*)?(?P<number>1[0-9]{4})\b", _executive_order),
    # "Regulation (EU) 2024/1745", "Council Regulation (EU) No 833/2014", "Regulation (EC) No 428/2009"
    _p("eu-regulation",
       r"\bRegulation\s+\((?:EU|EC)\)\s+(?P<no>No\.?\s*)?(?P<a>\d{1,4})/(?P<b>\d{1,4})\b", _eu_regulation),
    # "Decision (CFSP) 2024/1744", "Council Decision 2014/512/CFSP"
    _p("eu-cfsp-decision",
       r"\bDecision\s+(?:\(CFSP\)\s+(?P<year>(?:19|20)\d{2})/(?P<number>\d{1,4})\b|"
       r"(?P<year_old>(?:19|20)\d{2})/(?P<number_old>\d{1,4})/CFSP\b)",
       _cfsp_decision),
    # "14th package of sanctions", "fourteenth sanctions package" (an EU article only)
    _p("eu-sanctions-package",
       r"\b(?P<ordinal>\d{1,2}(?:st|nd|rd|th)|" + _ORDINAL_WORD + r")\s+(?:(?:EU|new|round|of)\s+){0,2}"
       r"(?:sanctions?\s+package|package\s+of\s+(?:EU\s+)?(?:sanctions|restrictive\s+measures))\b",
       _eu_package, _I, _EU),
    # OFSI, the UK Sanctions List
    _p("uk-sanctions-list",
       r"\bOFSI\b|\bOffice\s+of\s+Financial\s+Sanctions\s+Implementation\b|\bUK\s+[Ss]anctions\s+[Ll]ist\b|"
       r"\bConsolidated\s+List\s+of\s+Financial\s+Sanctions\s+Targets\b",
       _fixed("uk:sanctions-list", "UK sanctions list (OFSI)")),
    # "the Russia (Sanctions) (EU Exit) Regulations 2019"
    _p("uk-regulations",
       r"\b(?P<regime>(?:[A-Z][\w'’-]*\s+(?:of\s+)?){1,4})\(Sanctions\)\s+\(EU\s+Exit\)\s+Regulations\s+"
       r"(?P<year>20\d{2})\b", _uk_regulations),
    # "MOFCOM Announcement No. 46 of 2024", "MOFCOM Announcement [2024] No. 46", "商务部公告2024年第46号"
    _p("cn-mofcom-announcement",
       r"\b(?:MOFCOM|Ministry\s+of\s+Commerce)" + _APOS + r"\s+(?:\w+\s+){0,3}?Announcement\s+"
       r"(?:No\.?\s*(?P<number>\d{1,3})\s*(?:of\s+|\[|\()(?P<year>(?:19|20)\d{2})|"
       r"[\[(](?P<year2>(?:19|20)\d{2})[\])]\s*No\.?\s*(?P<number2>\d{1,3}))|"
       r"商务部(?:[\s、]*[\u4e00-\u9fff]{2,6}?)?公告\s*(?P<year3>(?:19|20)\d{2})\s*年\s*第\s*(?P<number3>\d{1,3})\s*号",
       _mofcom),
    # a numbered decision of the Unreliable Entity List working mechanism
    _p("cn-unreliable-entity-decision",
       r"不可靠实体清单工作机制公告\s*[〔\[(（]?\s*(?P<year>(?:19|20)\d{2})\s*[〕\])）]?\s*年?\s*第?\s*"
       r"(?P<number>\d{1,3})\s*号", _uel_decision),
    _p("cn-unreliable-entity-list", r"\b(?i:unreliable\s+entit(?:y|ies)\s+list)\b|不可靠实体清单",
       _fixed("cn-uel:list", "China's Unreliable Entity List")),
)


DEFAULT_NAMES: tuple[str, ...] = tuple(p.name for p in DEFAULT_PATTERNS)
