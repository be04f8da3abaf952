"""One typed settings object, read once at the edge (CLI entry, app start) and passed down.

Nothing here reads the environment at import time: call :func:`load_settings`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

REPO_ROOT = Path(__file__).resolve().parent


class SettingsError(ValueError):
    """A setting has a value the application cannot use; the message names the variable and the fix."""


class Settings(BaseModel):
    """Every knob of the application, with its default and what it is for (documented in docs/settings.md)."""

    data_dir: Path = Field(
        default=REPO_ROOT / "data", description="Folder for the SQLite file and the embedded Chroma index."
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; empty means SQLite in DATA_DIR/precert.db."
    )
    chroma_host: str | None = Field(
        default=None, description="Chroma server host; empty means the embedded index under DATA_DIR/chroma."
    )
    chroma_port: int = Field(default=8000, description="Chroma server port, used with CHROMA_HOST.")
    openai_api_key: str | None = Field(
        default=None,
        repr=False,  # never in a log line, an error or a traceback's locals
        description="API key for an OpenAI-compatible server; empty keeps the assistant offline.",
    )
    openai_base_url: str | None = Field(
        default=None, description="Base URL of an OpenAI-compatible server (vLLM, Ollama, hosted)."
    )
    llm_model: str | None = Field(
        default=None, description="Model name sent to the OpenAI-compatible server (PRECERT_LLM_MODEL)."
    )
    llm_timeout_s: float = Field(
        default=90.0,
        gt=0,
        description="Seconds one whole draft may take on the LLM (every attempt and the guards' retry "
        "together) before the offline drafter answers; 90 fits a 1.5B model on two CPU cores.",
    )
    llm_max_retries: int = Field(
        default=0,
        ge=0,
        description="Transport retries of a failed LLM call, within the deadline; 0 for a local server, "
        "which keeps generating after the client gives up (a retry queues behind it).",
    )
    llm_max_tokens: int = Field(
        default=700, gt=0, le=32768, description="Cap on the tokens of one LLM answer (a letter is ~500)."
    )
    llm_token_field: Literal["both", "max_tokens", "max_completion_tokens"] = Field(
        default="both",
        description="How the token cap is sent: llama.cpp and older servers read max_tokens, the OpenAI API "
        "max_completion_tokens; both by default, one for a server that refuses the other.",
    )
    llm_context_tokens: int = Field(
        default=8192,
        ge=256,
        description="The model's context window; a prompt that would not fit with the answer's cap goes "
        "to the offline draft before anything is sent.",
    )
    redact: bool = Field(
        default=True, description="Redact names, ids and birth dates before text leaves the machine."
    )
    session_timeout_min: int = Field(
        default=30, gt=0, description="Idle minutes before a signed-in user must sign in again."
    )
    session_absolute_hours: float = Field(
        default=12.0,
        gt=0,
        le=24 * 30,
        description="Hours after sign-in when a session ends however active it is (absolute lifetime).",
    )

    trust_forwarded_for: bool = Field(
        default=False,
        description="Take the client address from the last X-Forwarded-For entry (only behind your own proxy).",
    )

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'precert.db'}"

    @property
    def session_idle(self) -> timedelta:
        return timedelta(minutes=self.session_timeout_min)

    @property
    def session_absolute(self) -> timedelta:
        return timedelta(hours=self.session_absolute_hours)

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_model and (self.openai_api_key or self.openai_base_url))


# Data at rest (issue 11 item 6): DATA_DIR holds trainees' records, so it is readable by the service
# account only. Directories are created 0700 and files 0600 (os.open's mode, not a process-wide umask,
# which other threads would share); SQLite gives its -wal and -shm files the database file's mode.
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) as 0700; an existing folder is left as the deployer made it.

    >>> import tempfile; d = Path(tempfile.mkdtemp()) / "data"
    >>> oct(private_dir(d).stat().st_mode & 0o777)
    '0o700'
    """
    if not path.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:  # another process made it a moment ago
            pass
        else:
            path.chmod(PRIVATE_DIR_MODE)  # mkdir's mode is filtered by the umask; make it exact
    return path


def private_file(path: Path) -> Path:
    """Make sure ``path`` exists as a 0600 file (created so, or tightened if it was looser)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, PRIVATE_FILE_MODE)
    finally:
        os.close(fd)
    return path


# Environment variable -> field name. One table, so docs and tests can check every entry.
ENV_VARS: dict[str, str] = {
    "DATA_DIR": "data_dir",
    "DATABASE_URL": "database_url",
    "CHROMA_HOST": "chroma_host",
    "CHROMA_PORT": "chroma_port",
    "OPENAI_API_KEY": "openai_api_key",
    "OPENAI_BASE_URL": "openai_base_url",
    "PRECERT_LLM_MODEL": "llm_model",
    "PRECERT_LLM_TIMEOUT_S": "llm_timeout_s",
    "PRECERT_LLM_MAX_RETRIES": "llm_max_retries",
    "PRECERT_LLM_MAX_TOKENS": "llm_max_tokens",
    "PRECERT_LLM_TOKEN_FIELD": "llm_token_field",
    "PRECERT_LLM_CONTEXT_TOKENS": "llm_context_tokens",
    "PRECERT_REDACT": "redact",
    "PRECERT_SESSION_TIMEOUT_MIN": "session_timeout_min",
    "PRECERT_SESSION_ABSOLUTE_HOURS": "session_absolute_hours",
    "PRECERT_TRUST_FORWARDED_FOR": "trust_forwarded_for",
}


def load_settings(
    env: Mapping[str, str] | None = None, overrides: Mapping[str, object] | None = None
) -> Settings:
    """Build settings from an environment mapping (default: ``os.environ``) plus explicit overrides.

    >>> load_settings({"DATA_DIR": "/tmp/x"}).data_dir.as_posix()
    '/tmp/x'
    """
    source = os.environ if env is None else env
    values: dict[str, object] = {}
    for var, field in ENV_VARS.items():
        raw = source.get(var)
        if raw is not None and raw.strip() != "":
            values[field] = raw.strip()
    values.update(overrides or {})
    try:
        # env values are text: model_validate converts and checks each against its field's type
        return Settings.model_validate(values)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else "?"
        var = next((v for v, f in ENV_VARS.items() if f == field), field)
        raise SettingsError(
            f"{var}: {err['msg']} (got {err.get('input')!r}); fix the variable or unset it"
        ) from None
