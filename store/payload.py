"""JSON payloads (actions, step results, grade reports, drafts): make them plain and keep them bounded."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

MAX_JSON_CHARS = 2_000_000  # per JSON column; a real attempt is a few hundred kilobytes at most


def plain(value: Any) -> Any:
    """Pydantic models (simulator step results, grade reports, drafts) become JSON-ready dicts.

    >>> plain([1, "a"])
    [1, 'a']
    """
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def check_size(field: str, value: Any, limit: int = MAX_JSON_CHARS) -> None:
    """Raise ValueError naming ``field`` if ``value`` is not JSON or its JSON is longer than ``limit``."""
    try:
        size = len(json.dumps(value))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{field}: must be JSON-serialisable ({exc})") from None
    if size > limit:
        raise ValueError(f"{field}: {size} characters of JSON is too large (at most {limit})")
