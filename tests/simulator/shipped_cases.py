"""Generated cases of the shipped content, picked by archetype and payer (issue 10 clock tests).

Expectations in the tests that use these come from the regulations cited in docs/sources.md, never
from running the simulator.
"""

from __future__ import annotations

from functools import lru_cache

from scenarios import generate_case
from scenarios.models import Case, Submission
from simulator import adjudicate
from simulator.models import Determination


@lru_cache(maxsize=64)
def find_case(module: str, archetype: str, payer: str, *, limit: int = 400) -> Case:
    """The first ``module:seed`` whose archetype and payer are these."""
    for seed in range(limit):
        case = generate_case(module, seed)
        if case.archetype_id == archetype and case.coverage.payer_id == payer:
            return case
    raise LookupError(f"no {module} case of {archetype} at {payer} in seeds 0..{limit - 1}")


def first_decision(module: str, archetype: str, payer: str) -> tuple[Case, Submission, Determination]:
    """The case, the request the payer decided first (the prior request, else the reference one) and
    the payer's answer to it."""
    case = find_case(module, archetype, payer)
    sub = case.prior_submission or case.answer_key.reference_submission
    assert sub is not None
    return case, sub, adjudicate(case, sub)
