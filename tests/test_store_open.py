"""Several processes opening one new SQLite database at the same moment."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from monitor.store.db import make_engine


def _open_together(url: str, openers: int) -> list[str]:
    """Connect `openers` fresh engines to one new file at the same moment; each reports its mode or error."""
    start = threading.Barrier(openers)
    results: list[str] = []

    def connect() -> None:
        engine = make_engine(url)
        start.wait()
        try:
            with engine.connect() as conn:
                results.append(conn.execute(sa.text("PRAGMA journal_mode")).scalar())
        except sa.exc.OperationalError as exc:
            results.append(str(exc.orig))
        finally:
            engine.dispose()

    threads = [threading.Thread(target=connect) for _ in range(openers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_openers_racing_to_create_a_database_all_get_it_in_wal(tmp_path) -> None:
    for attempt in range(40):
        results = _open_together(f"sqlite:///{tmp_path / f'monitor{attempt}.db'}", openers=4)
        assert results == ["wal"] * 4, f"attempt {attempt}: {results}"
