"""Store fixtures: a freshly migrated database per test.

SQLite (a copy of a migrated file under tmp_path, WAL) by default. With
``DATABASE_URL=postgresql+psycopg://…`` the run gets its own schema on that server (created, migrated,
dropped at the end) and every test starts from truncated tables, so tests never see each other's rows.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from store_support import pg_schema, postgres_url

from settings import Settings
from store.db import init_db, session_factory
from store.models import Base


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Migrate once, copy the file per test: a fresh schema for a file copy instead of a migration run.
    folder = tmp_path_factory.mktemp("template")
    engine = init_db(Settings(data_dir=folder))
    engine.dispose()
    return folder / "precert.db"


@pytest.fixture(scope="session")
def _pg_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    # One migrated schema for the whole run; each test starts from empty tables (see ``engine``).
    url = postgres_url()
    assert url is not None  # requested only when DATABASE_URL names PostgreSQL
    with pg_schema(url) as scoped:
        eng = init_db(Settings(data_dir=tmp_path_factory.mktemp("pg"), database_url=scoped))
        yield eng
        eng.dispose()


@pytest.fixture
def engine(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Engine]:
    if postgres_url() is None:
        shutil.copy(request.getfixturevalue("_sqlite_template"), tmp_path / "precert.db")
        eng = init_db(Settings(data_dir=tmp_path))
        yield eng
        eng.dispose()
        return
    eng = request.getfixturevalue("_pg_engine")
    with eng.begin() as conn:  # DELETE, not TRUNCATE: far quicker on a handful of rows
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    yield eng


@pytest.fixture
def db_session(engine: Engine) -> Iterator[Session]:
    session = session_factory(engine)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()
