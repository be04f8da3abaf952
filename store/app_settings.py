"""The LLM settings an administrator stores on the admin page (issue 12 item 9), one row per key in
``app_settings``, and the rule that merges them with the deployer's.

Precedence, highest first (docs/settings.md, "Stored LLM settings"):

1. the deployer's value: an environment variable, or ``.streamlit/secrets.toml`` in the app;
2. the value an administrator stored here;
3. the embedded default (``settings.Settings``).

Only the keys of :data:`EDITABLE` can be stored. The API key is stored (the app must send it) but never
read back out of this module except into the effective :class:`settings.Settings`: the form shows only
whether one is set, and the audit records "replaced", "cleared" or "kept". No streamlit here: the app's
cache wrapper is ``ui.resources.get_settings``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from settings import Settings, SettingsError, load_settings
from store.admin_ops import require_admin
from store.audit import log_event
from store.db import utcnow
from store.models import AppSetting
from store.permissions import Viewer

log = logging.getLogger("precert.settings")

# Environment variable -> Settings field, for every key an administrator may store, in page order.
# Redaction (PRECERT_REDACT) is a privacy control the deployer decides; it stays environment-only.
EDITABLE: dict[str, str] = {
    "PRECERT_LLM_MODEL": "llm_model",
    "OPENAI_BASE_URL": "openai_base_url",
    "OPENAI_API_KEY": "openai_api_key",
    "PRECERT_LLM_TIMEOUT_S": "llm_timeout_s",
    "PRECERT_LLM_MAX_RETRIES": "llm_max_retries",
    "PRECERT_LLM_MAX_TOKENS": "llm_max_tokens",
    "PRECERT_LLM_TOKEN_FIELD": "llm_token_field",
    "PRECERT_LLM_CONTEXT_TOKENS": "llm_context_tokens",
}
SECRET = "OPENAI_API_KEY"
# What a person calls each field; error messages name the field this way, then the variable.
LABELS: dict[str, str] = {
    "PRECERT_LLM_MODEL": "Model name",
    "OPENAI_BASE_URL": "Base URL",
    "OPENAI_API_KEY": "API key",
    "PRECERT_LLM_TIMEOUT_S": "Time-out (seconds)",
    "PRECERT_LLM_MAX_RETRIES": "Retries",
    "PRECERT_LLM_MAX_TOKENS": "Max tokens per answer",
    "PRECERT_LLM_TOKEN_FIELD": "Token cap field",
    "PRECERT_LLM_CONTEXT_TOKENS": "Context window (tokens)",
}
Source = Literal["environment", "secrets", "stored", "default"]
SOURCE_LABELS: dict[str, str] = {
    "environment": "environment variable (the deployer's; wins)",
    "secrets": "secrets.toml (the deployer's; wins)",
    "stored": "stored on this page",
    "default": "built-in default",
}
_FIELD_TO_KEY = {f: k for k, f in EDITABLE.items()}


class LLMSettingsForm(BaseModel):
    """What the admin page submits. ``new_api_key`` empty keeps the stored key; ``clear_api_key``
    removes it. Bounds are tighter than ``Settings`` where a form needs them (a typo of 6000 s)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    llm_model: str | None = Field(default=None, max_length=200)
    openai_base_url: str | None = Field(default=None, max_length=500)
    new_api_key: str | None = Field(default=None, max_length=500)
    clear_api_key: bool = False
    llm_timeout_s: float = Field(default=90.0, gt=0, le=600)
    llm_max_retries: int = Field(default=0, ge=0, le=5)
    llm_max_tokens: int = Field(default=700, ge=16, le=32768)
    llm_token_field: Literal["both", "max_tokens", "max_completion_tokens"] = "both"
    llm_context_tokens: int = Field(default=8192, ge=256, le=2_000_000)

    @field_validator("llm_model", "openai_base_url", "new_api_key", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("openai_base_url")
    @classmethod
    def _url_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if any(c.isspace() for c in value):
            raise ValueError("a URL has no spaces")
        try:
            parts = urlsplit(value)
            host = parts.hostname
            _ = parts.port  # raises on a port that is not a number
        except ValueError:
            raise ValueError("not a URL; expected e.g. http://127.0.0.1:8000/v1") from None
        if parts.scheme not in ("http", "https") or not host:
            raise ValueError("expected http:// or https:// and a host, e.g. http://127.0.0.1:8000/v1")
        if parts.username is not None or parts.password is not None or parts.query:
            # the page shows the URL back; a credential belongs in the API key field, which it never shows
            raise ValueError("no user, password or query in the URL; put a credential in the API key field")
        return value.rstrip("/")

    @field_validator("new_api_key")
    @classmethod
    def _key_shape(cls, value: str | None) -> str | None:
        if value is not None and any(c.isspace() or not c.isprintable() for c in value):
            raise ValueError("the key has spaces or invisible characters; paste it again")
        return value

    @model_validator(mode="after")
    def _model_with_url(self) -> LLMSettingsForm:
        if self.openai_base_url and not self.llm_model:
            raise ValueError("PRECERT_LLM_MODEL: a base URL is set, so name the model the server serves")
        return self


class SettingsFormError(ValueError):
    """The form has values the app cannot use; one line per field, each naming it and the fix."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _problems(exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else ""
        key = _FIELD_TO_KEY.get(field, SECRET if field == "new_api_key" else "")
        msg = str(err["msg"]).removeprefix("Value error, ")
        if not key and msg.startswith("PRECERT_LLM_MODEL: "):  # the cross-field rule names its field
            key, msg = "PRECERT_LLM_MODEL", msg.removeprefix("PRECERT_LLM_MODEL: ")
        name = f"{LABELS[key]} ({key})" if key else field or "form"
        out.append(f"{name}: {msg}")
    return out


class SettingRow(BaseModel):
    """One editable setting as the page shows it: the effective value (never the key itself), where it
    came from, and whether the deployer has fixed it (then the form cannot change it)."""

    key: str
    label: str
    value: str
    source: Source
    locked: bool


# ----- reading ----------------------------------------------------------------------------------------


def stored_values(session: Session) -> dict[str, str]:
    """Every stored row (the API key included, for building the effective settings only)."""
    return {
        row.key: row.value
        for row in session.scalars(select(AppSetting).where(AppSetting.key.in_(list(EDITABLE))))
    }


def effective_settings(deployer: Mapping[str, str], stored: Mapping[str, str]) -> Settings:
    """``Settings`` from the deployer's variables over the stored values over the defaults.

    A stored value the settings refuse (a row written by hand, a bound tightened later) is left out
    with a warning naming the variable, so a bad row never stops the app for everyone.

    >>> effective_settings({"PRECERT_LLM_MODEL": "env-model"}, {"PRECERT_LLM_MODEL": "db", "PRECERT_LLM_MAX_RETRIES": "2"}).llm_model
    'env-model'
    >>> effective_settings({}, {"PRECERT_LLM_MAX_RETRIES": "2"}).llm_max_retries
    2
    """
    usable = {k: v for k, v in stored.items() if k in EDITABLE and k not in deployer}
    for key in list(usable):
        try:
            load_settings({key: usable[key]})
        except SettingsError:
            log.warning(
                "stored setting %s is not usable; the default applies (fix it on the admin page)", key
            )
            del usable[key]
    return load_settings({**usable, **deployer})


def setting_rows(
    effective: Settings, deployer_sources: Mapping[str, Source], stored: Mapping[str, str]
) -> list[SettingRow]:
    """What the page shows per editable key. ``deployer_sources`` maps each key the deployer set to
    "environment" or "secrets". The API key's value is only "set" or "not set"."""
    rows = []
    for key, field in EDITABLE.items():
        source: Source = deployer_sources.get(key) or ("stored" if key in stored else "default")
        value = getattr(effective, field)
        if key == SECRET:
            shown = "set" if value else "not set"
        elif value is None:
            shown = ""
        else:
            shown = f"{value:g}" if isinstance(value, float) else str(value)
        rows.append(
            SettingRow(key=key, label=LABELS[key], value=shown, source=source, locked=key in deployer_sources)
        )
    return rows


# ----- writing ----------------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return f"{value:g}" if isinstance(value, float) else str(value)


def _safe_url(url: str | None) -> str | None:
    """A base URL for the audit log: no user, password or query (they may carry credentials)."""
    if not url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, f"{host}{port}", parts.path, "", ""))


def save_llm_settings(
    session: Session,
    viewer: Viewer,
    form: Mapping[str, Any],
    *,
    locked: frozenset[str] | set[str] = frozenset(),
    now: datetime | None = None,
) -> list[str]:
    """Validate the page's form and store what changed; returns the changed keys (audited as one
    ``settings_change`` with before/after values, never the API key: only "replaced" or "cleared").

    ``locked`` are the keys the deployer set: they are validated with the rest (a model name is needed
    beside a deployer's base URL) but not stored. A value equal to the built-in default removes the row,
    so the page says "built-in default" again. Raises :class:`SettingsFormError` naming each bad field.
    """
    require_admin(viewer, "change the LLM settings")
    try:
        parsed = LLMSettingsForm.model_validate(dict(form))
    except ValidationError as exc:
        raise SettingsFormError(_problems(exc)) from None
    defaults = Settings()
    rows = {
        row.key: row for row in session.scalars(select(AppSetting).where(AppSetting.key.in_(list(EDITABLE))))
    }
    at = now or utcnow()
    changes: dict[str, dict[str, str | None]] = {}
    api_key = "kept"
    for key, field in EDITABLE.items():
        if key in locked:
            continue
        if key == SECRET:
            if parsed.clear_api_key and key in rows:
                session.delete(rows[key])
                api_key = "cleared"
            elif parsed.new_api_key and (key not in rows or rows[key].value != parsed.new_api_key):
                _put(session, rows, key, parsed.new_api_key, viewer, at)
                api_key = "replaced"
            continue
        new = _text(getattr(parsed, field))
        default = _text(getattr(defaults, field))
        old = rows[key].value if key in rows else None
        if new is None or new == default:
            if key in rows:
                session.delete(rows[key])
                changes[key] = {"from": old, "to": None}
        elif new != old:
            _put(session, rows, key, new, viewer, at)
            changes[key] = {"from": old, "to": new}
    for key in ("OPENAI_BASE_URL",):  # a URL may carry credentials: the audit keeps host and path
        if key in changes:
            changes[key] = {k: _safe_url(v) for k, v in changes[key].items()}
    changed = sorted(changes) + ([SECRET] if api_key != "kept" else [])
    if changed:
        session.flush()
        log_event(
            session,
            "settings_change",
            user_id=viewer.user_id,
            at=at,
            detail={"action": "llm_settings", "changed": changes, "api_key": api_key},
        )
    return changed


def _put(
    session: Session, rows: dict[str, AppSetting], key: str, value: str, viewer: Viewer, at: datetime
) -> None:
    row = rows.get(key)
    if row is None:
        row = AppSetting(key=key, value=value, updated_at=at, updated_by=viewer.user_id)
        session.add(row)
        rows[key] = row
    else:
        row.value, row.updated_at, row.updated_by = value, at, viewer.user_id
