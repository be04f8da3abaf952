"""Shared resources for every session: settings and the database engine (``st.cache_resource``).

Settings come from the environment and ``st.secrets`` (``.streamlit/secrets.toml``, keys named like
the environment variables: ``DATABASE_URL = "…"``); an environment variable wins over a secret. Both
win over the LLM settings an administrator stored in the database (``store.app_settings``), which win
over the built-in defaults. They are parsed once per distinct configuration, and the engine (with
migrations applied) is built once per database URL. The stored values are re-read at most every
``STORED_TTL_S`` seconds, and at once in the process that saved them (:func:`stored_settings_changed`),
so a change applies without a restart.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from settings import ENV_VARS, Settings, load_settings
from store.app_settings import Source, effective_settings, stored_values
from store.db import init_db, session_scope

# Other replicas of the app (docs/deploy.md) see a stored change within this many seconds.
STORED_TTL_S = 15


def _secret_values() -> dict[str, str]:
    try:
        return {k: str(v) for k, v in st.secrets.items() if k in ENV_VARS}
    except FileNotFoundError:  # no secrets.toml (StreamlitSecretNotFoundError subclasses it)
        return {}


@st.cache_resource(show_spinner=False)
def _settings_for(config: tuple[tuple[str, str], ...]) -> Settings:
    return load_settings(dict(config))


def _deployer_config() -> dict[str, str]:
    return _secret_values() | {k: v for k, v in os.environ.items() if k in ENV_VARS}


def deployer_sources() -> dict[str, Source]:
    """Which keys the deployer set, and where: "environment" (wins) or "secrets"."""
    env = {k for k, v in os.environ.items() if k in ENV_VARS and v.strip()}
    return {k: "environment" if k in env else "secrets" for k, v in _deployer_config().items() if v.strip()}


def deployer_settings() -> Settings:
    """The settings from the environment and secrets alone (what locates the database)."""
    return _settings_for(tuple(sorted(_deployer_config().items())))


@st.cache_resource(show_spinner=False, ttl=STORED_TTL_S)
def _stored_for(url: str, _settings: Settings) -> tuple[tuple[str, str], ...]:
    with session_scope(_engine_for(url, _settings)) as session:
        return tuple(sorted(stored_values(session).items()))


@st.cache_resource(show_spinner=False)
def _merged_for(config: tuple[tuple[str, str], ...], stored: tuple[tuple[str, str], ...]) -> Settings:
    return effective_settings(dict(config), dict(stored))


def stored_settings_changed() -> None:
    """Call after saving stored settings: this process reads them again on its next ``get_settings``."""
    _stored_for.clear()


def get_settings() -> Settings:
    """The app's effective settings (raises settings.SettingsError naming the bad variable)."""
    config = tuple(sorted(_deployer_config().items()))
    base = _settings_for(config)
    stored = _stored_for(base.resolved_database_url, base)
    return _merged_for(config, stored) if stored else base


@st.cache_resource(show_spinner="Preparing the database…")
def _engine_for(url: str, _settings: Settings) -> Engine:
    return init_db(_settings)


def get_engine(settings: Settings | None = None) -> Engine:
    """The migrated engine for the configured database, shared by all sessions."""
    s = settings or deployer_settings()
    return _engine_for(s.resolved_database_url, s)


@contextmanager
def db() -> Iterator[Session]:
    """A unit of work on the app's database: commits at the end of the block, rolls back on error."""
    with session_scope(get_engine()) as session:
        yield session


# ----- content, code tables and cases (each built once per process, shared by every session) -----------
# The core packages are imported inside the functions: the sign-in page must not pay for loading the
# policy library or the ICD-10-CM table (seconds) before it first renders.


@st.cache_resource(show_spinner="Loading the policy library…")
def get_library() -> Any:
    """The validated policies and manuals (``knowledge_base.loader.Library``)."""
    from knowledge_base.loader import load_library

    return load_library()


@st.cache_resource(show_spinner=False)
def module_catalogue() -> list[dict[str, Any]]:
    """``scenarios.list_modules()``: id, title, teaches, pass mark, archetypes, service lines."""
    from scenarios import list_modules

    return list_modules()


@st.cache_resource(show_spinner="Loading the ICD-10-CM code table (once)…")
def icd10_billable() -> tuple[tuple[str, str], ...]:
    """Every billable ICD-10-CM code (a leaf of the tabular list) with its description, in code order."""
    from knowledge_base.icd10cm import billable_codes

    return tuple(billable_codes())


@st.cache_resource(show_spinner="Generating the case…", max_entries=256)
def case_for(module_id: str, seed: int) -> Any:
    """The case ``module_id:seed`` (``scenarios.models.Case``); reproducible, so safe to share read-only."""
    from scenarios import generate_case

    return generate_case(module_id, seed)


@st.cache_resource(show_spinner=False)
def service_line_ids() -> tuple[str, ...]:
    """Every service line id (``scenarios/service_lines``), sorted."""
    from scenarios.content import load_service_lines

    return tuple(sorted(load_service_lines()))
