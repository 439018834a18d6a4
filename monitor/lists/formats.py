"""Parsers for the official list formats, bytes in, ListedParty records out.

- ``csl-json``: the US Consolidated Screening List (``results``: ``id``, ``name``, ``alt_names``,
  ``programs``, ``source``, ``type``, ``start_date``).
- ``ofac-sdn-xml``: OFAC's SDN list (``sdnEntry``: ``uid``, ``firstName``, ``lastName``,
  ``sdnType``, ``programList/program``, ``akaList/aka`` with ``category`` strong or weak).
- ``ofac-sdn-csv``: the same list in OFAC's headerless CSV files: ``sdn.csv`` (ent_num, SDN_Name,
  SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks) and,
  optionally, ``alt.csv`` (ent_num, alt_num, alt_type, alt_name, alt_remarks) for the aliases; ``-0-``
  is an empty field, a person is written ``LAST, Given``, weak aliases are quoted in the Remarks.
- ``eu-xml``: the EU consolidated financial sanctions list (``sanctionEntity`` with
  ``euReferenceNumber`` and ``designationDate``; ``nameAlias/@wholeName`` and ``@strong``;
  ``regulation/@programme`` and ``@publicationDate``; ``subjectType/@code``).
- ``uk-xml``: the UK Sanctions List (``Designation``: ``UniqueID``, ``Names/Name`` with
  ``Name1``..``Name6`` and ``NameType``, ``NonLatinNames``, ``RegimeName``,
  ``IndividualEntityShip``, ``DateDesignated`` as dd/mm/yyyy).

XML is read incrementally, namespaces ignored (the publishers have changed them before).
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import date, datetime

from monitor.errors import MonitorError
from monitor.lists.parties import ListedParty


class ListFormatError(MonitorError):
    """A list file is not in the format its configuration names."""


def parse_list(fmt: str, data: bytes, list_name: str, aliases: bytes | None = None) -> list[ListedParty]:
    """Every party in ``data`` (with ``aliases``, the second file of a format that has one);
    ListFormatError when it is not a ``fmt`` file or holds no party."""
    parser = PARSERS.get(fmt)
    if parser is None:
        raise ListFormatError(f"unknown list format {fmt!r}")
    try:
        if aliases is None:
            parties = list(parser(data, list_name))
        elif fmt == "ofac-sdn-csv":
            parties = list(_ofac_sdn_csv(data, list_name, aliases))
        else:
            raise ListFormatError(f"{fmt} has no aliases file")
    except (ET.ParseError, csv.Error, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ListFormatError(f"not a valid {fmt} file: {exc}") from None
    if not parties:
        raise ListFormatError(f"no entries found: is this a {fmt} file?")
    return parties


def _text(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _iso(value: str | None) -> date | None:
    if not value:
        return None
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value.strip()[:10], form).date()
        except ValueError:
            continue
    return None


_TYPES = {"individual": "individual", "person": "individual", "entity": "entity", "enterprise": "entity",
          "vessel": "vessel", "ship": "vessel", "aircraft": "aircraft"}


def _type(value: str | None) -> str:
    return _TYPES.get((value or "").strip().lower(), "")


# --- csl-json ----------------------------------------------------------------------------------


def _csl_json(data: bytes, list_name: str) -> Iterator[ListedParty]:
    doc = json.loads(data)
    records = doc.get("results") if isinstance(doc, dict) else doc
    if not isinstance(records, list):
        raise ValueError("expected an object with a 'results' list")
    for record in records:
        ident = _text(record.get("id") or record.get("entity_number"))
        name = _text(record.get("name"))
        if not ident or not name:
            continue
        alt = record.get("alt_names") or []
        if isinstance(alt, str):
            alt = alt.split(";")
        programmes = [_text(p) for p in record.get("programs") or []] or [_text(record.get("source"))]
        yield ListedParty(list_name, ident, name, _unique([_text(a) for a in alt]), _unique(programmes),
                          _iso(record.get("start_date")), _type(record.get("type")))


# --- XML helpers -------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _elements(data: bytes, name: str) -> Iterator[ET.Element]:
    """Each complete ``name`` element (any namespace), freed once handed over."""
    for _event, element in ET.iterparse(io.BytesIO(data), events=("end",)):
        if _local(element.tag) == name:
            yield element
            element.clear()


def _child(element: ET.Element, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return _text(child.text)
    return ""


def _all(element: ET.Element, name: str) -> Iterator[ET.Element]:
    return (e for e in element.iter() if _local(e.tag) == name)


# --- ofac-sdn-xml ------------------------------------------------------------------------------


def _ofac_sdn_xml(data: bytes, list_name: str) -> Iterator[ListedParty]:
    for entry in _elements(data, "sdnEntry"):
        uid = _child(entry, "uid")
        name = _joined(entry)
        if not uid or not name:
            continue
        strong, weak = [_short(entry)], []
        for aka in _all(entry, "aka"):
            (weak if _child(aka, "category").lower() == "weak" else strong).extend((_joined(aka), _short(aka)))
        programmes = [_text(p.text) for p in _all(entry, "program")]
        yield ListedParty(list_name, uid, name, tuple(a for a in _unique(strong) if a != name), _unique(programmes),
                          None, _type(_child(entry, "sdnType")), _unique(weak))


def _joined(element: ET.Element) -> str:
    return " ".join(p for p in (_child(element, "firstName"), _child(element, "lastName")) if p)


def _short(element: ET.Element) -> str:
    """A person's first given name and surname, as news reports write it."""
    return given_and_surname(_child(element, "firstName"), _child(element, "lastName"))


def given_and_surname(given: str | None, surname: str | None) -> str:
    """``Herman Oskarovich`` + ``GREF`` -> ``Herman GREF``; empty without both parts."""
    first = (given or "").split()
    return f"{first[0]} {surname.strip()}" if first and surname and surname.strip() else ""


# --- ofac-sdn-csv ------------------------------------------------------------------------------

_WEAK_AKA = re.compile(r"a\.k\.a\.,?\s+'([^']+)'")


def _ofac_sdn_csv(data: bytes, list_name: str, aliases: bytes = b"") -> Iterator[ListedParty]:
    alt_names: dict[str, list[str]] = {}
    for ent_num, _alt_num, _alt_type, alt_name, _remarks in _csv_rows(aliases, 5, "alt.csv"):
        alt_names.setdefault(ent_num, []).append(alt_name)
    for row in _csv_rows(data, 12, "sdn.csv"):
        ent_num, sdn_name, sdn_type, program, remarks = row[0], row[1], row[2], row[3], row[11]
        kind = _type(sdn_type) or "entity"  # OFAC leaves the type of an entity empty
        name, short = _csv_name(sdn_name, kind)
        if not name:
            continue
        strong = [short]
        for alt in alt_names.get(ent_num, []):
            strong.extend(_csv_name(alt, kind))
        yield ListedParty(list_name, ent_num, name, tuple(a for a in _unique(strong) if a != name),
                          _unique([_text(p) for p in re.split(r"[\[\]]", program)]), None, kind,
                          _unique([_text(w) for w in _WEAK_AKA.findall(remarks)]))


def _csv_name(value: str, kind: str) -> tuple[str, str]:
    """The full name and, for a person, the first given name and surname: ``GREF, Herman Oskarovich`` ->
    (``Herman Oskarovich GREF``, ``Herman GREF``), as the XML's firstName and lastName give them."""
    if kind != "individual":
        return _text(value), ""
    surname, _, given = value.partition(",")
    return " ".join(p for p in (_text(given), _text(surname)) if p), given_and_surname(given, surname)


def _csv_rows(data: bytes, width: int, file: str) -> Iterator[list[str]]:
    """The rows of one of OFAC's headerless CSV files, ``-0-`` read as empty; ValueError naming the file
    and line of a row that is not ``width`` fields with a numeric ent_num."""
    reader = csv.reader(io.StringIO(_decoded(data), newline=""), strict=True)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValueError(f"{file} line {reader.line_num}: {exc}") from None
        if not row or (len(row) == 1 and row[0].strip(" \x1a") == ""):  # blank, or the closing Ctrl-Z
            continue
        fields = ["" if f.strip() == "-0-" else f.strip() for f in row]
        if len(fields) != width or not fields[0].isdigit():
            raise ValueError(f"{file} line {reader.line_num}: expected {width} fields starting with an ent_num, "
                             f"found {len(fields)}")
        yield fields


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # the older files


# --- eu-xml ------------------------------------------------------------------------------------


def _eu_xml(data: bytes, list_name: str) -> Iterator[ListedParty]:
    for entity in _elements(data, "sanctionEntity"):
        ident = entity.get("euReferenceNumber") or entity.get("logicalId") or ""
        strong, weak = [], []
        for alias in (e for e in entity if _local(e.tag) == "nameAlias"):
            names = (_text(alias.get("wholeName")), given_and_surname(alias.get("firstName"), alias.get("lastName")))
            (strong if alias.get("strong", "true").lower() != "false" else weak).extend(names)
        names = _unique(strong) or _unique(weak)
        if not ident or not names:
            continue
        regulations = [e for e in entity if _local(e.tag) == "regulation"]
        dates = [d for d in (_iso(r.get("publicationDate")) for r in regulations) if d]
        listed_on = _iso(entity.get("designationDate")) or (min(dates) if dates else None)
        subject = next((e for e in entity if _local(e.tag) == "subjectType"), None)
        yield ListedParty(list_name, ident, names[0], names[1:],
                          _unique([_text(r.get("programme")) for r in regulations]), listed_on,
                          _type(subject.get("code") if subject is not None else None),
                          tuple(w for w in _unique(weak) if w not in names))


# --- uk-xml ------------------------------------------------------------------------------------


def _uk_xml(data: bytes, list_name: str) -> Iterator[ListedParty]:
    for designation in _elements(data, "Designation"):
        ident = _child(designation, "UniqueID")
        primary, strong, weak = [], [], []
        for name in _all(designation, "Name"):
            full = " ".join(p for p in (_child(name, f"Name{i}") for i in range(1, 7)) if p)
            short = given_and_surname(_child(name, "Name1"), _child(name, "Name6"))
            if _child(name, "AliasStrength").lower() == "weak":
                weak.append(full)
            elif _child(name, "NameType").lower() == "primary name":
                primary.append(full)
                strong.append(short)
            else:
                strong.extend((full, short))
        strong += [_text(n.text) for n in _all(designation, "NameNonLatinScript")]
        names = _unique(primary + strong)
        if not ident or not names:
            continue
        yield ListedParty(list_name, ident, names[0], names[1:],
                          _unique([_text(r.text) for r in _all(designation, "RegimeName")]),
                          _iso(_child(designation, "DateDesignated")),
                          _type(_child(designation, "IndividualEntityShip")), _unique(weak))


PARSERS: dict[str, Callable[[bytes, str], Iterator[ListedParty]]] = {
    "csl-json": _csl_json,
    "ofac-sdn-xml": _ofac_sdn_xml,
    "ofac-sdn-csv": _ofac_sdn_csv,
    "eu-xml": _eu_xml,
    "uk-xml": _uk_xml,
}
