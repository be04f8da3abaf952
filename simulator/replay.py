"""Replay an action log against the simulated payer, keeping the current request and determination.

Used to re-create any stored attempt (the grader and the attempt review read the step results). A
case with a ``prior_submission`` starts from the payer's determination of that earlier request, so a
pend reply or an appeal in the log answers exactly what the payer said.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from knowledge_base.loader import Library, load_library
from scenarios.models import (
    Action,
    AdvanceClock,
    Appeal,
    AuthLookup,
    Case,
    CloseCase,
    EligibilityQuery,
    ExtensionRequest,
    PeerToPeer,
    PendReply,
    ProviderQuery,
    Submission,
)
from simulator import clock
from simulator.adjudication import adjudicate, answer_pend, lapse_pend, merge_documents
from simulator.appeals import decide_appeal, request_peer_to_peer
from simulator.eligibility import check_eligibility
from simulator.extensions import APPROVED, answer_extension_pend, review_extension
from simulator.models import Determination, EligibilityReply, LookupReply, ProviderReply
from simulator.notices import ADVERSE
from simulator.provider import provider_reply
from simulator.requirements import lookup_requirements
from simulator.view import SimulatorError


class StepResult(BaseModel):
    """What the payer answered to one action (``result``), or why the action made no sense then (``error``)."""

    model_config = ConfigDict(extra="forbid")
    action_index: int
    action_type: str
    result: Determination | EligibilityReply | LookupReply | ProviderReply | None = None
    error: str | None = None
    note: str | None = None

    @property
    def arrives_at(self) -> datetime | None:
        """When the answer reaches the trainee on the simulated clock: a determination when it is
        decided, the provider's reply when it is sent; None for answers given at once (eligibility,
        look-ups, errors, notes)."""
        if self.error:
            return None
        if isinstance(self.result, Determination):
            return self.result.decided_at
        if isinstance(self.result, ProviderReply):
            return self.result.replied_at
        return None

    def pending_at(self, now: datetime) -> bool:
        """True while the answer has not arrived at simulated time ``now``."""
        due = self.arrives_at
        return due is not None and clock.is_after(due, now)


class _State:
    def __init__(self) -> None:
        self.submission: Submission | None = None
        self.determination: Determination | None = None
        self.extended: Determination | None = None  # the latest approved extension of the authorization
        self.extension_pend: tuple[ExtensionRequest, Determination] | None = None  # a pended extension

    def authorization(self) -> Determination | None:
        """The authorization an extension request applies to: the latest approved extension of the
        current request's approval, else the current request's determination."""
        det = self.determination
        if (
            self.extended is not None
            and det is not None
            and det.authorization_number == self.extended.authorization_number
        ):
            return self.extended
        return det


def prior_determination(case: Case, *, library: Library | None = None) -> Determination | None:
    """The payer's answer to the case's earlier request (the pend or denial a trainee must answer)."""
    if case.prior_submission is None:
        return None
    return adjudicate(case, case.prior_submission, library=library or load_library())


def replay(case: Case, actions: list[Action], *, library: Library | None = None) -> list[StepResult]:
    """Run ``actions`` in order; one :class:`StepResult` per action.

    >>> from scenarios import generate_case
    >>> cases = (generate_case("advanced_imaging", seed) for seed in range(50))
    >>> case = next(c for c in cases if c.archetype_id == "mri_meets")
    >>> steps = replay(case, case.answer_key.reference_actions)
    >>> [step.action_type for step in steps], steps[-1].result.status
    (['eligibility', 'auth_lookup', 'submission'], 'approved')
    """
    library = library or load_library()
    state = _State()
    if case.prior_submission is not None:
        state.submission = case.prior_submission
        state.determination = adjudicate(case, case.prior_submission, library=library)
    steps = []
    previous = case.sim_start
    for i, action in enumerate(actions):
        step = StepResult(action_index=i, action_type=action.type)
        try:
            if isinstance(action, AdvanceClock) and not clock.is_after(action.at, previous):
                raise SimulatorError(
                    f"the clock moves forward only: {action.at.isoformat(sep=' ')} is not after "
                    f"{previous.isoformat(sep=' ')}"
                )
            previous = action.at if clock.is_after(action.at, previous) else previous
            _apply(case, action, state, step, library)
        except SimulatorError as exc:
            step.error = str(exc)
        steps.append(step)
    return steps


def _apply(case: Case, action: Action, state: _State, step: StepResult, library: Library) -> None:
    if isinstance(action, EligibilityQuery):
        step.result = check_eligibility(case, action, library=library)
    elif isinstance(action, AuthLookup):
        step.result = lookup_requirements(case, action, library=library)
    elif isinstance(action, Submission):
        state.submission, state.determination = action, adjudicate(case, action, library=library)
        step.result = state.determination
    elif isinstance(action, PendReply) and state.extension_pend is not None:
        # the reply answers the pended extension: reviewed again as the request it completes
        request, pended = state.extension_pend
        step.result = answer_extension_pend(
            case, state.submission, state.authorization(), request, pended, action, library=library
        )
        state.extension_pend = (request, step.result) if step.result.status == "pended" else None
        if step.result.status in APPROVED:
            state.extended = step.result
    elif isinstance(action, PendReply):
        sub, det = _current(state, "a pend reply")
        if det.status != "pended":
            raise SimulatorError(f"a pend reply needs a pended request; the current request is {det.status}")
        step.result = answer_pend(case, sub, det, action, library=library)
        state.submission, state.determination = merge_documents(sub, action.document_ids), step.result
    elif isinstance(action, Appeal | PeerToPeer):
        what = "an appeal" if isinstance(action, Appeal) else "a peer-to-peer request"
        sub, det = _current(state, what)
        if det.status not in ADVERSE:
            raise SimulatorError(
                f"{what} needs a denial or partial approval; the current request is {det.status}"
            )
        if isinstance(action, Appeal):
            result = decide_appeal(case, sub, det, action, library=library)
        else:
            result = request_peer_to_peer(case, sub, det, action, library=library)
        step.result = result
        if result.status != "rejected":  # a misdirected appeal leaves the denial (and its rights) standing
            state.determination = result
    elif isinstance(action, ExtensionRequest):
        # concurrent review: an approved extension becomes the authorization on file (a second request
        # extends it further); a denied, pended or returned one leaves the authorization as it was
        step.result = review_extension(case, state.submission, state.authorization(), action, library=library)
        state.extension_pend = (action, step.result) if step.result.status == "pended" else None
        if step.result.status in APPROVED:
            state.extended = step.result
    elif isinstance(action, ProviderQuery):
        step.note = "sent to the ordering provider, not the payer"
        step.result = provider_reply(case, action, library=library)
    elif isinstance(action, CloseCase):
        step.note = f"case closed without a request ({action.reason})"
    elif isinstance(action, AdvanceClock):
        _advance(case, action, state, step, library)
    else:  # pragma: no cover - the Action union is closed
        raise SimulatorError(f"unknown action type {getattr(action, 'type', action)!r}")


def _advance(case: Case, action: AdvanceClock, state: _State, step: StepResult, library: Library) -> None:
    """Time passes: a pend whose reply-by date is now behind the clock lapses into a denial (the
    payer's rule for information not provided); otherwise nothing changes."""
    det, sub = state.determination, state.submission
    if (
        sub is not None
        and det is not None
        and det.status == "pended"
        and det.pend_reply_by is not None
        and clock.is_after(action.at, det.pend_reply_by)
    ):
        state.determination = lapse_pend(case, sub, det, library=library)
        step.result = state.determination
        step.note = "the pend's reply window closed before any reply was sent"
        return
    step.note = f"the simulated clock moved to {action.at.isoformat(sep=' ', timespec='minutes')}"


def _current(state: _State, what: str) -> tuple[Submission, Determination]:
    if state.submission is None or state.determination is None:
        raise SimulatorError(f"{what} needs a request first; no request has been submitted on this case")
    return state.submission, state.determination
