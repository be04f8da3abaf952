"""The one-time set-up token: whoever first reaches the first-run page must also be able to read the
server log (issue 11 item 7), so a stranger who finds a fresh install cannot make themselves admin.

While no account exists the app issues a random token, keeps it in ``DATA_DIR/setup-token`` (0600,
so every server process and restart agrees on it) and prints it in the server log; the first-run form
asks for it. Creating the administrator deletes the file, so the token works once.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from pathlib import Path

from settings import PRIVATE_FILE_MODE, private_dir

FILE_NAME = "setup-token"
_log = logging.getLogger("precert.setup")


def token_path(data_dir: Path) -> Path:
    return data_dir / FILE_NAME


def issue_setup_token(data_dir: Path) -> str:
    """The current set-up token (created if there is none yet), written to the server log each time:
    call it once per process (the app caches it; ``scripts/run`` calls it before the server starts)."""
    path = token_path(private_dir(data_dir))
    try:
        fd = _create_exclusively(path)
    except FileExistsError:
        token = path.read_text(encoding="ascii").strip()
    else:
        token = secrets.token_urlsafe(18)
        with open(fd, "w", encoding="ascii") as handle:
            handle.write(token + "\n")
    _announce(token, path)
    return token


def _create_exclusively(path: Path) -> int:
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)


def _announce(token: str, path: Path) -> None:
    """Print the token where only the operator sees it: the server log (stderr)."""
    _log.warning(
        "First run: no account exists yet. To create the administrator, enter this one-time set-up "
        "token on the first-run page: %s (also in %s)",
        token,
        path,
    )


def check_setup_token(data_dir: Path, given: object) -> None:
    """Raise ValueError unless ``given`` is the current set-up token (compared in constant time)."""
    path = token_path(data_dir)
    expected = path.read_text(encoding="ascii").strip() if path.exists() else ""
    typed = given.strip() if isinstance(given, str) else ""
    if not expected or not hmac.compare_digest(typed.encode(), expected.encode()):
        raise ValueError(
            "set-up token: not the token printed in the server log at start-up; copy it from the log "
            f"(or from {path} on the server)"
        )


def consume_setup_token(data_dir: Path) -> None:
    """The administrator exists: the token must never work again."""
    token_path(data_dir).unlink(missing_ok=True)
