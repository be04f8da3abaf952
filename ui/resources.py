"""Shared resources for every session: settings and the database engine (``st.cache_resource``).

Settings come from the environment and ``st.secrets`` (``.streamlit/secrets.toml``, keys named like
the environment variables: ``DATABASE_URL = "…"``); an environment variable wins over a secret. They
are parsed once per distinct configuration, and the engine (with migrations applied) is built once
per database URL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from settings import ENV_VARS, Settings, load_settings
from store.db import init_db, session_scope


def _secret_values() -> dict[str, str]:
    try:
        return {k: str(v) for k, v in st.secrets.items() if k in ENV_VARS}
    except FileNotFoundError:  # no secrets.toml (StreamlitSecretNotFoundError subclasses it)
        return {}


@st.cache_resource(show_spinner=False)
def _settings_for(config: tuple[tuple[str, str], ...]) -> Settings:
    return load_settings(dict(config))


def get_settings() -> Settings:
    """The app's settings (raises settings.SettingsError naming the bad variable)."""
    config = _secret_values() | {k: v for k, v in os.environ.items() if k in ENV_VARS}
    return _settings_for(tuple(sorted(config.items())))


@st.cache_resource(show_spinner="Preparing the database…")
def _engine_for(url: str, _settings: Settings) -> Engine:
    return init_db(_settings)


def get_engine(settings: Settings | None = None) -> Engine:
    """The migrated engine for the configured database, shared by all sessions."""
    s = settings or get_settings()
    return _engine_for(s.resolved_database_url, s)


@contextmanager
def db() -> Iterator[Session]:
    """A unit of work on the app's database: commits at the end of the block, rolls back on error."""
    with session_scope(get_engine()) as session:
        yield session
