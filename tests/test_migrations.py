"""The schema comes only from Alembic, and the migrations match the models."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from monitor.store.db import alembic_config, current_revision, head_revision, make_engine, open_database, upgrade
from monitor.store.tables import metadata
from monitor.settings import Settings


def test_models_and_migrations_agree(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"compare_type": True, "include_object": lambda o, n, t, r, c: not (t == "table" and n == "apscheduler_jobs")},
        )
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_every_revision_downgrades_and_upgrades_again(database_url):
    engine = make_engine(database_url)
    try:
        upgrade(engine, database_url)
        cfg = alembic_config(database_url)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
        assert upgrade(engine, database_url) is True
        assert current_revision(engine) == head_revision()
        assert upgrade(engine, database_url) is False
    finally:
        engine.dispose()


def test_sqlite_default_is_migrated_on_open(tmp_path):
    url = f"sqlite:///{tmp_path / 'nested' / 'monitor.db'}"
    engine = open_database(Settings(database_url=url))
    try:
        assert current_revision(engine) == head_revision()
        assert "article" in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()
