"""The simulated payer: eligibility, authorization look-ups, adjudication, pends, appeals and replay.

Every function takes the case and the trainee's action and returns the payer's answer; the optional
``library`` keyword injects content (default: the shipped policies and manuals). The payer only ever
sees what a real one would: see :mod:`simulator.view`.
"""

from __future__ import annotations

from knowledge_base.loader import Library, load_library
from scenarios.models import AuthLookup, Case, EligibilityQuery
from simulator.adjudication import adjudicate, answer_pend
from simulator.appeals import decide_appeal, request_peer_to_peer
from simulator.eligibility import check_eligibility as _check_eligibility
from simulator.models import Determination, EligibilityReply, LookupReply
from simulator.replay import StepResult, prior_determination, replay
from simulator.requirements import lookup_requirements as _lookup_requirements
from simulator.view import PayerView, SimulatorError, build_view


def check_eligibility(
    case: Case, query: EligibilityQuery, *, library: Library | None = None
) -> EligibilityReply:
    """A 271-style reply to ``query`` from the case's payer."""
    return _check_eligibility(case, query, library=library or load_library())


def lookup_requirements(case: Case, lookup: AuthLookup, *, library: Library | None = None) -> LookupReply:
    """A CRD-style answer: which of ``lookup.codes`` need authorization from the case's payer."""
    return _lookup_requirements(case, lookup, library=library or load_library())


__all__ = [
    "Determination",
    "EligibilityReply",
    "LookupReply",
    "PayerView",
    "SimulatorError",
    "StepResult",
    "adjudicate",
    "answer_pend",
    "build_view",
    "check_eligibility",
    "decide_appeal",
    "lookup_requirements",
    "prior_determination",
    "replay",
    "request_peer_to_peer",
]
