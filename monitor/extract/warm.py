"""Imported once in the extraction workers' fork server: loads the language model there,
so every worker forked from it starts with it loaded instead of paying ~0.8 s on its first page.

The model is unpacked through a temporary file: on a full disk that fails, and then the workers
meet the same error on their first page and report it to the crawl (which stops with one line),
rather than the fork server dying with a traceback of its own."""

from monitor.extract.page import detect_language

try:
    detect_language("Language models are loaded once, before the extraction workers are forked.")
except OSError:
    pass
