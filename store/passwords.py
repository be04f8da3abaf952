"""Account input rules and password hashing: names, display names, roles, and passwords of at least
12 characters that a strength estimator (zxcvbn, Dropbox's; see docs/sources.md) does not rate as
guessable. bcrypt's cost is a parameter (12 in production, 4 in tests)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import bcrypt
from zxcvbn import zxcvbn

from store.models import ROLES

DEFAULT_COST = 12
MIN_PASSWORD = 12  # OWASP ASVS 2.1.1 asks for at least 12 characters
MIN_STRENGTH = 3  # zxcvbn score 0-4; 3 is "safely unguessable: moderate protection from offline attack"
MAX_PASSWORD_BYTES = 72  # bcrypt ignores (bcrypt 5 rejects) anything longer
USERNAME_RE = re.compile(r"[a-z0-9_.-]{3,40}")
MAX_DISPLAY_NAME = 100


def _text(field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{field}: expected text, got {type(value).__name__}")
    return value


def validate_username(value: Any) -> str:
    """Normalise (trim, lower-case) and check a username.

    >>> validate_username("  Dana.Lee ")
    'dana.lee'
    """
    name = _text("username", value).strip().lower()
    if not USERNAME_RE.fullmatch(name):
        raise ValueError(
            f"username: {name[:50]!r} is not allowed; use 3-40 characters from a-z, 0-9, '_', '.' and '-'"
        )
    return name


def validate_display_name(value: Any) -> str:
    """Trim and check a display name: any script is fine, control characters are not."""
    name = " ".join(_text("display name", value).split())
    if not name:
        raise ValueError("display name: must not be empty; enter the person's name")
    if len(name) > MAX_DISPLAY_NAME:
        raise ValueError(f"display name: {len(name)} characters is too long; use at most {MAX_DISPLAY_NAME}")
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in name):
        raise ValueError("display name: contains control characters; type the name as plain text")
    return name


def validate_password(value: Any, *, user_inputs: Iterable[str] = ()) -> str:
    """Check a new password: 12+ characters, at most 72 bytes, no NUL, and not guessable (zxcvbn score
    3 or more, counting the account's own name and username as known words).

    >>> validate_password("password1234")
    Traceback (most recent call last):
    ...
    ValueError: password: too easy to guess (This is a very common password.); add another word or two. Uncommon words are better.
    """
    password = _text("password", value)
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password: must be at least {MIN_PASSWORD} characters; choose a longer one")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise ValueError(
            f"password: must be at most {MAX_PASSWORD_BYTES} bytes (UTF-8); choose a shorter one"
        )
    if "\x00" in password:
        raise ValueError("password: must not contain NUL characters")
    verdict = zxcvbn(password, user_inputs=[u for u in user_inputs if u])
    if verdict["score"] < MIN_STRENGTH:
        feedback = verdict["feedback"]
        why = f" ({feedback['warning']})" if feedback.get("warning") else ""
        hint = (feedback.get("suggestions") or ["use a few uncommon words"])[0]
        raise ValueError(f"password: too easy to guess{why}; {hint[0].lower()}{hint[1:]}")
    return password


def validate_role(value: Any) -> str:
    if value not in ROLES:
        raise ValueError(f"role: {value!r} is not a role; expected one of {list(ROLES)}")
    return str(value)


def hash_password(password: str, cost: int = DEFAULT_COST) -> str:
    """A salted bcrypt hash of ``password`` at ``cost`` (4-31).

    >>> hash_password("correct horse battery", cost=4).startswith("$2b$04$")
    True
    """
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=cost)).decode("ascii")


def check_password(password: Any, password_hash: str | None, cost: int = DEFAULT_COST) -> bool:
    """Whether ``password`` matches ``password_hash``; with no hash (an unknown name) one bcrypt check is
    spent all the same, so the time taken does not tell real names from others."""
    secret = password.encode("utf-8") if isinstance(password, str) else b""
    if password_hash is None or len(secret) > MAX_PASSWORD_BYTES:
        bcrypt.checkpw(secret[:MAX_PASSWORD_BYTES], _dummy_hash(cost))
        return False
    return bcrypt.checkpw(secret, password_hash.encode("ascii"))


@lru_cache(maxsize=8)
def _dummy_hash(cost: int) -> bytes:
    return bcrypt.hashpw(b"not-a-real-password", bcrypt.gensalt(rounds=cost))
