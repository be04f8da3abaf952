"""Core errors become messages on the page, never tracebacks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy.exc import OperationalError

from store.accounts import AlreadyInitialised
from store.demo import DemoUnavailable
from store.permissions import AccessDenied, NotFound
from ui.widgets.text import md_escape

# Errors the core raises on purpose, with messages written for the person using the page
# (ValueError covers pydantic's ValidationError and settings.SettingsError).
EXPECTED: tuple[type[BaseException], ...] = (
    ValueError,
    AccessDenied,
    NotFound,
    AlreadyInitialised,
    DemoUnavailable,
)


@contextmanager
def core_errors(doing: str = "") -> Iterator[None]:
    """Run a core call; show an expected error as ``st.error`` (prefixed with what was being done).

    Usage: ``with core_errors("Creating the user"): create_user(...)``. Code after the block runs
    either way; check what the block produced before using it.
    """
    prefix = f"{doing}: " if doing else ""
    try:
        yield
    except EXPECTED as exc:
        st.error(f"{prefix}{md_escape(str(exc))}")  # messages quote what was typed
    except OperationalError as exc:
        st.error(
            f"{prefix}the database is unavailable or busy ({md_escape(str(exc.orig))}). Try again in a moment."
        )
