"""A trainee's progress per module, from their attempt summaries (pure; used by the module catalogue)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel


class ModuleProgress(BaseModel):
    module_id: str
    attempts: int = 0
    best_score: float | None = None
    passed: bool = False
    last_completed: Any = None


def module_progress(attempts: Iterable[Any]) -> dict[str, ModuleProgress]:
    """Completed attempts per module: count, best score, passed at least once, last completion.

    >>> from types import SimpleNamespace as A
    >>> p = module_progress([A(module_id="dme", status="completed", total_score=72.0, passed=False,
    ...                        completed_at=1), A(module_id="dme", status="completed", total_score=90.0,
    ...                        passed=True, completed_at=2), A(module_id="dme", status="in_progress",
    ...                        total_score=None, passed=None, completed_at=None)])
    >>> p["dme"].attempts, p["dme"].best_score, p["dme"].passed
    (2, 90.0, True)
    """
    out: dict[str, ModuleProgress] = {}
    for a in attempts:
        if a.status != "completed":
            continue
        row = out.setdefault(a.module_id, ModuleProgress(module_id=a.module_id))
        row.attempts += 1
        if a.total_score is not None and (row.best_score is None or a.total_score > row.best_score):
            row.best_score = a.total_score
        row.passed = row.passed or bool(a.passed)
        if a.completed_at is not None and (row.last_completed is None or a.completed_at > row.last_completed):
            row.last_completed = a.completed_at
    return out
