"""Data at rest (issue 11 item 6): a fresh DATA_DIR is 0700 and the SQLite database with its WAL and
SHM files are 0600 — whatever the process umask — and so is the migration lock file."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from settings import Settings
from store.db import init_db


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    old = os.umask(0o022)  # the common default, which makes 0755 folders and 0644 files
    try:
        yield
    finally:
        os.umask(old)


def test_fresh_data_dir_and_database_files_are_private(tmp_path: Path, loose_umask: None) -> None:
    data = tmp_path / "new" / "data"
    engine = init_db(Settings(data_dir=data))
    with engine.begin() as conn:  # a write, so the WAL and shared-memory files exist
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
        files = sorted(p.name for p in data.iterdir())
        assert {"precert.db", "precert.db-wal", "precert.db-shm"} <= set(files)
        assert _mode(data) == 0o700
        assert {name: _mode(data / name) for name in files} == {name: 0o600 for name in files}
    engine.dispose()


def test_an_existing_loose_database_file_is_tightened(tmp_path: Path, loose_umask: None) -> None:
    db = tmp_path / "precert.db"
    db.touch(mode=0o644)
    db.chmod(0o644)
    init_db(Settings(data_dir=tmp_path)).dispose()
    assert _mode(db) == 0o600
