"""The grader: rubric-as-data scoring of a trainee's actions on a case, with criterion-cited feedback.

    from grading import grade
    report = grade(case, actions)          # GradeReport: total 0-100, passed, items, error_tags

``grade`` replays the actions on the simulated payer itself, then runs one grader per dimension
(coding, documentation, narrative, process, outcome). Deterministic: the same case and actions always
give the same report. See docs/grading.md.

The names below load on first use (PEP 562): the store imports ``grading.models`` for the dimension
names, and the app's first render should not pay for loading every grader and the claim checker.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grading.engine import grade, rubric_for
    from grading.error_tags import ERROR_TAGS
    from grading.models import GradeItem, GradeReport
    from grading.rubric import Rubric, RubricError
    from grading.scoring import GRADER_VERSION

_HOME = {
    "ERROR_TAGS": "grading.error_tags",
    "GRADER_VERSION": "grading.scoring",
    "GradeItem": "grading.models",
    "GradeReport": "grading.models",
    "Rubric": "grading.rubric",
    "RubricError": "grading.rubric",
    "grade": "grading.engine",
    "rubric_for": "grading.engine",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'grading' has no attribute {name!r}")
    return getattr(import_module(home), name)


__all__ = [
    "ERROR_TAGS",
    "GRADER_VERSION",
    "GradeItem",
    "GradeReport",
    "Rubric",
    "RubricError",
    "grade",
    "rubric_for",
]
