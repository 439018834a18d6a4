"""The prose of a stored text: what words, names and labels are read from (pure, light).

Two things a stored text can carry that are not what the report is about:

- literal markup and addresses (a feed that escaped its HTML twice leaves
  '<A HREF="http://.../FullQuote.aspx?ticker=MSFT.O">' in the text), which would give a topic the
  keywords "href http" and "www";
- a wire's credit and dateline opening a paragraph ("Canadian Press - OTTAWA (CP) - ",
  "NEW YORK (Reuters) - ", "washingtonpost.com - ", "MOSCOW, December 1. /TASS/. ",
  "МОСКВА, 1 дек — РИА Новости. "): where and by whom a report was filed. Every
  report of one agency carries it, so it would tie them together and name their topic "york reuters".
  A headline can end with the credit ("Quake hits Peru (AP)").

The stored text keeps both; the analysis reads ``prose(text)``.
"""

from __future__ import annotations

import re

MARKUP = re.compile(r"<[^<>]{0,500}>|\b(?:https?://|www\.)\S+")
DATELINE = re.compile(
    r"(?:(?:[A-Z][\w.]*(?: [A-Z][\w.]*){0,3}|[\w-]+\.com) [-–—] (?=[A-Z]))?"  # "Reuters - ", "washingtonpost.com - "
    r"(?:(?:[A-Z][A-Z .'/]{1,40}(?:, [\w .]{1,20})?|[А-ЯЁ][А-ЯЁ .-]{1,40}, [\w .]{1,20})"  # "NEW YORK", "МОСКВА, 1 дек"
    r"(?:(?: \([^()]{0,40}\))? [-–—]+ (?:(?:РИА Новости|ТАСС|Интерфакс|ПРАЙМ)\. )?"  # " (Reuters) - ", " — РИА Новости. "
    r"|\. /[^/\n]{2,20}/\. ))?")  # ". /TASS/. "
DATELINE_REACH = 130  # a dateline's dash comes within this many characters of its line's start
DASHES = (" -", " –", " —", ". /")  # what ends a credit or dateline: " - ", " — ", ". /TASS/. "
CREDIT_AT_END = re.compile(r"\s*\([A-Z][\w.]*(?: [A-Z][\w.]*){0,2}\)\s*$")


def prose(text: str) -> str:
    """``text`` without literal markup and addresses, and without the credit and dateline a paragraph
    opens with. Cheap checks first: a fit reads every stored article through it, and most of its lines have
    no dash near their start (one scan of the text finds the lines that do)."""
    if "<" in text or "://" in text or "www." in text:
        text = MARKUP.sub(" ", text)
    kept: list[str] = []
    done = read = 0  # where the text is copied up to; where the lines read end
    for at, dash in _dashes(text):
        if at < read:
            continue  # a line already read: each line is looked at once, at its first dash
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        read = len(text) if end < 0 else end
        if at + len(dash) - start > DATELINE_REACH:
            continue  # its first dash is too far in for a dateline
        if (found := DATELINE.match(text, start, read)) and found.end() > start:
            kept.append(text[done:start])
            done = found.end()
    return "".join([*kept, text[done:]]) if kept else text


def _dashes(text: str) -> list[tuple[int, str]]:
    """Where a dateline's dash may be (``DASHES``), in order: found with ``str.find``, which scans a text
    many times faster than a regular expression with alternatives does."""
    found = []
    for dash in DASHES:
        at = text.find(dash)
        while at >= 0:
            found.append((at, dash))
            at = text.find(dash, at + 1)
    return sorted(found)


def headline_prose(title: str) -> str:
    """``title`` without the credit it may end with ("(AP)", "(Reuters)")."""
    return CREDIT_AT_END.sub("", title)
