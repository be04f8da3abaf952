"""Engines, migrations and sessions. SQLite and PostgreSQL differ only by URL.

SQLite runs in WAL mode (readers never block the writer) with a busy timeout (writers wait for each
other instead of failing) and enforced foreign keys; all three are per-connection settings, so they
are set in a ``connect`` listener.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from settings import Settings, private_dir, private_file

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
# Advisory-lock keys: any constants work, as long as every process uses the same ones.
_PG_MIGRATION_LOCK = int.from_bytes(hashlib.sha256(b"precert-academy:migrate").digest()[:4], "big")
_PG_WRITE_LOCK = int.from_bytes(hashlib.sha256(b"precert-academy:write").digest()[:4], "big")


def utcnow() -> datetime:
    """The one place the store reads the wall clock (for record timestamps only; callers may pass ``now``)."""
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    """An engine for ``url``: ``sqlite:///path`` (WAL, busy timeout, foreign keys) or ``postgresql+psycopg://…``.

    >>> make_engine("sqlite://").dialect.name
    'sqlite'
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            engine = create_engine(url)  # one private database per thread; tests and doctests only
        else:
            database = Path(parsed.database)
            private_dir(database.parent)
            # Created 0600 before SQLite opens it; SQLite then creates -wal and -shm with the same mode.
            private_file(database)
            # check_same_thread off: pooled connections move between Streamlit's script threads.
            engine = create_engine(
                url,
                connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
                pool_size=10,
                max_overflow=20,
            )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    raise ValueError(
        f"DATABASE_URL: unsupported database {parsed.get_backend_name()!r}; "
        "use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db"
    )


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL is durable across application crashes and much faster than FULL.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def alembic_config() -> Config:
    """Alembic configuration pointing at ``store/migrations`` (independent of the working directory)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision``; idempotent, and safe when several processes start at once."""
    cfg = alembic_config()
    with _migration_lock(engine), engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # Held until this transaction ends: a second process waits, then finds the schema current.
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """An exclusive file lock next to a SQLite file. pysqlite autocommits DDL, so two processes
    migrating the same new file could both try CREATE TABLE; the lock makes them take turns."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    lock_path = private_file(Path(f"{database}.migrate.lock"))
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def init_db(settings: Settings) -> Engine:
    """The application's engine with the schema migrated to the latest revision.

    >>> from settings import load_settings
    >>> init_db(load_settings({}, {"database_url": "sqlite://"})).dialect.name
    'sqlite'
    """
    engine = make_engine(settings.resolved_database_url)
    migrate(engine)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit off: pages render objects after the transaction that loaded them has ended.
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit when the block ends normally, roll back on any exception.

    >>> with session_scope(init_db(Settings(database_url="sqlite://"))) as s:
    ...     s.execute(text("select 1")).scalar()
    1
    """
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def lock_for_write(session: Session) -> None:
    """Serialise this transaction with every other writer before a check-then-insert.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: a no-op write takes the database's
    RESERVED lock now (waiting out the busy timeout), so the check that follows sees the latest data.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_WRITE_LOCK})
    else:
        session.execute(text("UPDATE users SET id = id WHERE 1 = 0"))
