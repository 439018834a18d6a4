"""Imported once in the extraction workers' fork server: loads the language model there,
so every worker forked from it starts with it loaded instead of paying ~0.8 s on its first page."""

from monitor.extract.page import detect_language

detect_language("Language models are loaded once, before the extraction workers are forked.")
