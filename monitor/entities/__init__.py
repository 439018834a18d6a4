"""Entities: a registry of named things (countries, organisations, people, blocs, products, media)
with their aliases in every script, and a fast matcher that finds them in article text.

Pure: no database, no network. ``monitor.entities.match.entity_scanner(config)`` builds the scanner.
"""
