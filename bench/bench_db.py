"""What several benches share: a fresh, migrated database that is gone afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from settings import Settings
from store.db import init_db


@contextmanager
def fresh_database(url: str | None, folder: Path) -> Iterator[Engine]:
    """A migrated, empty database: SQLite under ``folder`` when ``url`` is None, else a temporary schema
    on that PostgreSQL server, dropped when the block ends (a bench never touches existing rows)."""
    admin, schema = None, ""
    if url is not None:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)
    engine = init_db(Settings(data_dir=folder, database_url=url))
    try:
        yield engine
    finally:
        engine.dispose()
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
