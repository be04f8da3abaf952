"""Migrations: idempotent, equal to the models, and safe when several processes start at once."""

from __future__ import annotations

import multiprocessing
from contextlib import nullcontext
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from store_support import pg_schema, postgres_url

from settings import Settings
from store.db import alembic_config, init_db, make_engine, migrate
from store.models import Base


def _settings(tmp_path: Path, url: str | None = None) -> Settings:
    return Settings(data_dir=tmp_path, database_url=url)


def _revision(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))]


def test_migrating_twice_changes_nothing(engine: Engine) -> None:
    before = sorted(inspect(engine).get_table_names())
    migrate(engine)
    migrate(engine)
    assert sorted(inspect(engine).get_table_names()) == before
    assert _revision(engine) == ["0005"]
    assert set(before) == {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"}


def test_migration_matches_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = init_db(_settings(tmp_path))
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
    assert (tmp_path / "precert.db").exists()


def test_downgrade_then_upgrade(tmp_path: Path) -> None:
    engine = init_db(_settings(tmp_path))
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate(engine)
    assert _revision(engine) == ["0005"]


def _start(url: str, data_dir: str) -> None:
    init_db(Settings(data_dir=Path(data_dir), database_url=url or None)).dispose()


def test_two_processes_starting_at_once(tmp_path: Path) -> None:
    url = postgres_url()
    with pg_schema(url) if url else nullcontext() as scoped:
        ctx = multiprocessing.get_context("fork")
        procs = [ctx.Process(target=_start, args=(scoped or "", str(tmp_path))) for _ in range(3)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert [p.exitcode for p in procs] == [0, 0, 0]
        engine = make_engine(scoped or _settings(tmp_path).resolved_database_url)
        assert _revision(engine) == ["0005"]
        engine.dispose()
