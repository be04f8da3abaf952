"""Which denial an appeal answers, which level it goes to, and by when — from the denial and the manual.

The level and deadline come from the denial notice's appeal rights (the simulator writes them from the
payer's manual) and the manual's appeal ladder, never from a table here: Lakeshore (ERISA employer
plan) opens its Level 1 internal appeal for 180 days, Cardinal (Medicare Advantage) a reconsideration
for 60 days with the IRE after it automatically, Prairie (Medicaid managed care) a plan appeal for 60
days and then the state fair hearing.
"""

from __future__ import annotations

from datetime import datetime

from assistant.models import AppealTarget
from knowledge_base.loader import Library
from knowledge_base.models import AppealLevel, Manual
from scenarios.models import Case, Submission
from simulator import adjudicate
from simulator.appeals import open_rights
from simulator.models import AppealRight, Determination
from simulator.notices import ADVERSE

P2P = "peer_to_peer"
# How each plan type's appeal is described; the words name the plan's legal frame, so a Medicare
# Advantage letter never speaks of ERISA and a commercial letter never of a fair hearing.
PLAN_FRAME = {
    "commercial_erisa_ppo": "an employer-sponsored group health plan governed by ERISA",
    "medicare_advantage_hmo": "a Medicare Advantage plan; a denied pre-service request is reconsidered by the plan",
    "medicaid_managed_care": "a Medicaid managed-care plan; the plan appeal comes before a state fair hearing",
}


class AssistantInputError(ValueError):
    """The request to the assistant cannot be served as given; the message says what to change."""


class NoAuthorizationNeeded(AssistantInputError):
    """The payer's own pre-check says the service needs no authorization: there is nothing to send.

    A letter for such a case teaches the wrong action (the answer key closes it as no authorization
    needed), so the assistant refuses unless the caller overrides (``draft_anyway``)."""


class NoDenial(AssistantInputError):
    """An appeal or peer-to-peer was asked for where no request was denied: nothing to answer, and the
    assistant never states a denial (its date or reason) that the case does not hold."""


def resolve_denial(
    case: Case,
    library: Library,
    *,
    submission: Submission | None = None,
    determination: Determination | None = None,
    prepared: Submission | None = None,
) -> tuple[Submission, Determination]:
    """(the denied request, its denial). The request is the given one, else the case's earlier request,
    else the one the assistant prepared; the denial is the given determination, else that request
    adjudicated by the simulated payer."""
    denied = submission or case.prior_submission
    if denied is None and determination is None:
        # adjudicating the assistant's own request would invent a denial the plan never sent
        raise NoDenial(
            f"No denial to appeal: case {case.case_id} has no earlier request, and no denial was given. "
            "Draft the narrative for the request first; appeal once the plan has denied it, with the "
            "denied request and the plan's denial notice (CLI: --submission and --determination)."
        )
    denied = denied or prepared
    if denied is None:
        raise AssistantInputError("--submission: the case has no earlier request; give the denied one")
    if determination is None:
        determination = adjudicate(case, denied, library=library)
    if determination.status not in ADVERSE:
        raise NoDenial(
            f"determination: the request was {determination.status.replace('_', ' ')}, not denied; there is "
            "no denial to answer "
            "(pass --determination with a denial, or draft a narrative instead)"
        )
    return denied, determination


def appeal_time(case: Case, denial: Determination) -> datetime:
    """When the assistant's appeal is sent: when the case is worked, never before the denial."""
    return max(case.sim_start, denial.decided_at)


def _kind_text(level: AppealLevel, after: str = "the denial notice") -> str:
    unit = "months" if level.file_within_kind == "months" else "days"
    return f"file within {level.file_within_days} {unit} of {after}"


def appeal_target(
    manual: Manual, denial: Determination, *, peer_to_peer: bool = False
) -> AppealTarget | None:
    """The level to use against ``denial`` (the first open filed level, or the peer-to-peer) and its deadline."""
    rights = open_rights(manual, denial)
    right: AppealRight | None
    if peer_to_peer:
        right = next((r for r in rights if r.level == P2P), None)
    else:
        right = next((r for r in rights if r.level != P2P and not r.automatic), None)
    level = manual.appeal_level(right.level) if right else None
    if right is None or level is None:
        return None
    follows = next((lv for lv in manual.appeal_levels if lv.after == level.level), None)
    return AppealTarget(
        level=level.level,
        name=level.name,
        file_by=right.file_by,
        file_within=_kind_text(level),
        decision_time=right.decision_time,
        next_level=follows.name if follows else None,
    )


def next_step_text(manual: Manual, target: AppealTarget) -> str:
    """What follows if this level upholds the denial, in the manual's own terms."""
    level = manual.appeal_level(target.level)
    follows = next((lv for lv in manual.appeal_levels if level and lv.after == level.level), None)
    if follows is None:
        return ""
    if follows.automatic:
        return f"If the {target.name} upholds the denial, {manual.name} forwards the case to the {follows.name}; nothing needs to be filed."
    return (
        f"If the {target.name} upholds the denial, the next level is the {follows.name} "
        f"({_kind_text(follows, f'the {target.name} decision')})."
    )


def plan_frame(manual: Manual) -> str:
    return f"{manual.name} is {PLAN_FRAME.get(manual.plan_type, 'the member plan')}."
