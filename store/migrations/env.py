"""Alembic environment: our metadata, and the connection (or URL) the caller passes in.

``store.db.migrate`` passes an open connection in ``config.attributes["connection"]``. The ``alembic``
command line (``alembic upgrade head`` with the repository's alembic.ini) passes none; then the URL
comes from ``-x url=…`` or, failing that, from the application settings (``DATABASE_URL``/``DATA_DIR``).
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from store.models import Base

config = context.config


def _run(connection: Connection) -> None:
    # render_as_batch: SQLite cannot ALTER most things; batch mode rebuilds tables for later revisions.
    context.configure(
        connection=connection, target_metadata=Base.metadata, render_as_batch=True, compare_type=True
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from settings import load_settings  # read at run time, never at import time

    return load_settings().resolved_database_url


connection = config.attributes.get("connection")
if connection is None and config.config_file_name:
    fileConfig(config.config_file_name, disable_existing_loggers=False)  # command line only
if connection is not None:
    _run(connection)
elif context.is_offline_mode():
    context.configure(url=_url(), target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    from store.db import make_engine

    engine = make_engine(_url())
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()
