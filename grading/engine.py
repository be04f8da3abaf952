"""Grade one attempt: replay the actions on the simulated payer, run the dimension graders, build the report.

``grading.grade`` and ``grading.rubric_for`` are these functions (``grading/__init__.py`` re-exports them
lazily, so that importing a leaf such as ``grading.models`` does not load every grader).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from grading.coding import grade_coding
from grading.context import Attempt, as_written, case_data
from grading.documentation import grade_documentation
from grading.models import GradeItem, GradeReport
from grading.narrative import grade_narrative
from grading.outcome import grade_outcome
from grading.process import grade_process
from grading.rubric import Rubric, item_type, load_rubric
from grading.scoring import build_report
from knowledge_base.loader import Library, load_library
from scenarios import load_modules
from scenarios.models import Action, ActionLog, Case
from simulator import replay

if TYPE_CHECKING:
    from settings import Settings


def _module_pass_mark(module_id: str) -> float | None:
    module = load_modules().get(module_id)
    return float(module.pass_mark) if module is not None else None


@lru_cache(maxsize=128)
def rubric_for(module_id: str) -> Rubric:
    """The effective rubric of a module (cached: content files do not change while a process runs)."""
    return load_rubric(module_id, _module_pass_mark(module_id))


def grade(
    case: Case,
    actions: list[Action] | ActionLog,
    *,
    library: Library | None = None,
    settings: Settings | None = None,
) -> GradeReport:
    """Grade ``actions`` on ``case``. With ``settings`` that configure an LLM, a second opinion on the
    narrative is added beside the deterministic score (never replacing it)."""
    if isinstance(actions, ActionLog):
        if actions.case_id != case.case_id:
            raise ValueError(f"actions.case_id: {actions.case_id!r} does not match the case {case.case_id!r}")
        actions = list(actions.actions)
    library = as_written(case, library or load_library())
    rubric = rubric_for(case.module_id)
    steps = replay(case, list(actions), library=library)
    att = Attempt(case_data(case, library), rubric, list(actions), steps)
    items: list[GradeItem] = []
    for grader in (grade_coding, grade_documentation, grade_narrative, grade_process, grade_outcome):
        items += grader(att) or []
    if rubric.skip:
        items = [i for i in items if item_type(i.item_id) not in rubric.skip]
    report = build_report(att, items, rubric.pass_mark)
    if settings is not None and settings.llm_configured:
        from grading.second_opinion import add_second_opinion

        report = add_second_opinion(report, att, settings)
    return report
