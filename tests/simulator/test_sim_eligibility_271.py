"""Issue 10 item 18: the 271 reply and network status.

Expectations come from the X12 271 (005010X279A1) conventions
(docs/sources.md#x12-transactions-and-reason-codes), not from the simulator: inactive coverage is an EB01 = 6 benefit line, not an AAA
reject; AAA appears only when the subscriber cannot be found (75) or the id is malformed (72); the
reply says whether the servicing provider is in the plan's network (EB12) and whether the ordered
service needs authorization (EB11). The manuals say how each payer handles an out-of-network provider:
Lakeshore (PPO) reviews the request with out-of-network benefits; Cardinal (MA HMO) does not cover
non-emergency care from a provider outside its network.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sim_builders import DOS, SERVICING_NPI, build_case, build_submission

from scenarios.models import EligibilityQuery, RequestedLine
from simulator import adjudicate, check_eligibility

AT = datetime(2026, 3, 2, 9, 0)


def query(case: Any, member_id: str | None = None) -> EligibilityQuery:
    return EligibilityQuery(at=AT, member_id=member_id or case.coverage.member_id, date_of_service=DOS)


def out_of_network(case: Any) -> Any:
    provider = case.servicing_provider.model_copy(update={"in_network": False})
    return case.model_copy(update={"servicing_provider": provider})


def test_active_coverage_is_eb01_1_with_network_and_authorization(library: Any) -> None:
    case = build_case()
    reply = check_eligibility(case, query(case), library=library)
    assert (reply.active, reply.eligibility_code) == (True, "1")
    assert reply.in_network is True  # EB12 for the order's servicing provider
    assert reply.authorization_required is True  # EB11: the fixture policy governs 72148 at Lakeshore
    assert not [m for m in reply.messages if m.kind == "reject"]


def test_inactive_coverage_is_eb01_6_not_an_aaa_reject(library: Any) -> None:
    case = build_case(effective_to=date(2026, 3, 1))
    reply = check_eligibility(case, query(case), library=library)
    assert (reply.active, reply.eligibility_code) == (False, "6")
    assert not [m for m in reply.messages if m.kind == "reject"]
    assert reply.coverage_to == date(2026, 3, 1)


def test_subscriber_not_found_is_aaa_75(library: Any) -> None:
    case = build_case()
    reply = check_eligibility(case, query(case, "LKS999999999"), library=library)
    assert reply.eligibility_code is None
    assert [(m.code, m.follow_up) for m in reply.messages if m.kind == "reject"] == [("75", "C")]


def test_service_no_policy_governs_needs_no_authorization(library: Any) -> None:
    case = build_case()
    line = case.order.procedures[0].model_copy(
        update={"code": case.order.procedures[0].code.model_copy(update={"code": "72100"})}
    )
    case = case.model_copy(update={"order": case.order.model_copy(update={"procedures": [line]})})
    assert check_eligibility(case, query(case), library=library).authorization_required is False


def test_out_of_network_provider_is_reported(library: Any) -> None:
    case = out_of_network(build_case())
    reply = check_eligibility(case, query(case), library=library)
    assert reply.in_network is False
    assert any(m.edit == "network" for m in reply.messages)


def test_ppo_reviews_an_out_of_network_request_and_says_so(library: Any) -> None:
    case = out_of_network(build_case("lakeshore"))
    det = adjudicate(case, build_submission(case), library=library)
    assert det.status == "approved"
    assert any(r.edit == "out_of_network" for r in det.reasons)


def test_hmo_rejects_an_out_of_network_request_with_aaa_35(library: Any) -> None:
    case = out_of_network(build_case("cardinal"))
    det = adjudicate(
        case, build_submission(case, procedures=[RequestedLine(code="72148", units=1)]), library=library
    )
    assert (det.status, det.action_code) == ("rejected", None)
    assert [(r.code, r.edit) for r in det.reasons if r.kind == "reject"] == [("35", "out_of_network")]
    assert SERVICING_NPI in det.reasons[0].message
