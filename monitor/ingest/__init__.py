"""The ingestion stage's orchestrator: feeds -> fetch -> parse -> extract -> dedupe -> store."""
