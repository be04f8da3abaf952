"""Records and accounts (layer 4): SQLAlchemy models, repository functions, Alembic migrations.

Repository functions are plain functions taking a ``Session`` and, where access matters, the
``Viewer`` asking (see ``store.permissions``). Start with ``init_db(settings)`` and ``session_scope``.
"""

from __future__ import annotations

from store.db import init_db, make_engine, migrate, session_scope
from store.permissions import SYSTEM, AccessDenied, NotFound, Viewer

__all__ = [
    "SYSTEM",
    "AccessDenied",
    "NotFound",
    "Viewer",
    "init_db",
    "make_engine",
    "migrate",
    "session_scope",
]
