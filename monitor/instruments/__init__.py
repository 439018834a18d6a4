"""Legal instruments cited in articles: US Federal Register rules, BIS and OFAC actions, executive
orders, EU regulations, decisions and sanctions packages, UK designations, MOFCOM announcements.

Pure: text in, :class:`monitor.records.Mention` out. ``instrument_scanner(config)`` builds the
scanner from the shipped patterns and the ``instruments:`` section of feeds.yaml.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor.instruments.scanner import InstrumentScanner

if TYPE_CHECKING:
    from monitor.config import Config

__all__ = ["InstrumentScanner", "instrument_scanner"]


def instrument_scanner(config: Config) -> InstrumentScanner:
    from monitor.instruments.defaults import DEFAULT_PATTERNS
    from monitor.instruments.patterns import user_pattern

    section = config.instruments
    patterns = [p for p in DEFAULT_PATTERNS if section.defaults and p.name not in section.disable]
    patterns += [user_pattern(p.name, p.regex, p.key, p.label, p.ignore_case, p.context) for p in section.patterns]
    return InstrumentScanner(patterns)
