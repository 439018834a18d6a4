"""A labelled synthetic news corpus (see monitor.demo.corpus)."""
