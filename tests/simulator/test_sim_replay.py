"""Replaying an action log: state carries from action to action; impossible actions give an error step."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sim_builders import DOS, START, build_case, build_submission

from scenarios.models import (
    Appeal,
    AuthLookup,
    CloseCase,
    EligibilityQuery,
    PeerToPeer,
    PendReply,
    ProviderQuery,
)
from simulator import replay
from simulator.models import Determination, EligibilityReply, LookupReply, ProviderReply
from simulator.replay import StepResult


def test_full_log_eligibility_lookup_pend_reply_approval(library: Any) -> None:
    case = build_case()
    actions = [
        EligibilityQuery(at=START, member_id=case.coverage.member_id, date_of_service=DOS),
        AuthLookup(at=START, codes=["72148", "72100"]),
        build_submission(case, document_ids=["d-office"]),
        PendReply(at=START + timedelta(days=2), document_ids=["d-pt"]),
        Appeal(at=START + timedelta(days=5), level="level1"),
    ]
    steps = replay(case, actions, library=library)
    assert [s.action_type for s in steps] == [
        "eligibility",
        "auth_lookup",
        "submission",
        "pend_reply",
        "appeal",
    ]
    assert isinstance(steps[0].result, EligibilityReply) and steps[0].result.active
    assert isinstance(steps[1].result, LookupReply)
    assert [(r.code, r.required) for r in steps[1].result.results] == [("72148", True), ("72100", False)]
    assert isinstance(steps[2].result, Determination) and steps[2].result.status == "pended"
    assert isinstance(steps[3].result, Determination) and steps[3].result.status == "approved"
    assert steps[4].result is None and steps[4].error and "approved" in steps[4].error


def test_actions_that_make_no_sense_yet_are_errors_not_exceptions(library: Any) -> None:
    case = build_case()
    steps = replay(
        case,
        [
            Appeal(at=START, level="level1"),
            PendReply(at=START, document_ids=["d-pt"]),
            PeerToPeer(at=START),
        ],
        library=library,
    )
    assert all(s.result is None and s.error for s in steps)
    assert "no request" in (steps[0].error or "")


def test_denial_then_misdirected_appeal_then_right_appeal(library: Any) -> None:
    case = build_case()
    steps = replay(
        case,
        [
            build_submission(case, document_ids=["d-office", "d-pt-short"]),
            Appeal(at=START + timedelta(days=10), level="level2"),
            Appeal(at=START + timedelta(days=11), level="level1", document_ids=["d-pt-p2p"]),
        ],
        library=library,
    )
    statuses = [s.result.status for s in steps if isinstance(s.result, Determination)]
    assert statuses == ["denied", "rejected", "approved"]


def test_provider_query_and_close_are_noted_not_sent(library: Any) -> None:
    case = build_case()
    steps = replay(
        case,
        [
            ProviderQuery(at=START, message="Please send PT notes"),
            CloseCase(at=START, reason="no_auth_needed"),
        ],
        library=library,
    )
    assert [s.note is not None and s.error is None for s in steps] == [True, True]
    # nothing goes to the payer: the query gets the ordering office's reply, the close nothing
    assert not any(isinstance(s.result, Determination) for s in steps)
    assert isinstance(steps[0].result, ProviderReply) and steps[1].result is None


def test_prior_submission_starts_the_log(library: Any) -> None:
    base = build_case()
    prior = build_submission(base, at=START - timedelta(days=10), document_ids=["d-office"])
    case = base.model_copy(update={"prior_submission": prior})
    steps = replay(case, [PendReply(at=START, document_ids=["d-pt"])], library=library)
    assert isinstance(steps[0].result, Determination) and steps[0].result.status == "approved"


def test_step_results_round_trip_as_json(library: Any) -> None:
    case = build_case()
    steps = replay(case, [build_submission(case), AuthLookup(at=START, codes=["72148"])], library=library)
    again = [StepResult.model_validate_json(s.model_dump_json()) for s in steps]
    assert again == steps


def test_replay_is_deterministic(library: Any) -> None:
    case = build_case()
    actions = [
        build_submission(case, document_ids=["d-office"]),
        PendReply(at=START + timedelta(days=1), document_ids=["d-pt"]),
    ]
    assert replay(case, actions, library=library) == replay(case, actions, library=library)
