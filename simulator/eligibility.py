"""Stage 2, eligibility: is this the payer's member, covered on the date of service, with a referral?

Also answers 270/271-style eligibility queries. The payer reads only its member file (``coverage``) and
the patient's demographics; it never reveals a member id the requester did not send.
"""

from __future__ import annotations

from datetime import date

from knowledge_base.loader import Library
from knowledge_base.models import Manual
from scenarios.models import Case, Coverage, EligibilityQuery, Facility, Provider
from simulator.codes import member_id_ok, policy_index
from simulator.models import EligibilityReply, Reason
from simulator.view import PayerView, manual_for

# Specialties that are primary care: a PCP sees the member without a referral.
PRIMARY_CARE = frozenset(
    {
        "family_medicine",
        "internal_medicine",
        "general_practice",
        "pediatrics",
        "geriatric_medicine",
        "primary_care",
        "nurse_practitioner",
    }
)
# Providers who carry out a PCP's order rather than see the member as a specialist: a PCP's imaging,
# laboratory or equipment order needs no referral (docs/sources.md#benefits-and-plan-rules).
ORDER_FULFILMENT = frozenset({"radiology", "laboratory", "pathology", "dme_supplier"})


def _norm(member_id: str) -> str:
    return member_id.strip().upper().replace("-", "").replace(" ", "")


def member_matches(coverage: Coverage, member_id: str) -> bool:
    """The id is the member file's plan member id (or, for Medicare Advantage, the member's MBI)."""
    given = _norm(member_id)
    return given == _norm(coverage.member_id) or (coverage.mbi is not None and given == _norm(coverage.mbi))


def coverage_active(coverage: Coverage, day: date) -> bool:
    return coverage.effective_from <= day and (coverage.effective_to is None or day <= coverage.effective_to)


def _span(coverage: Coverage) -> str:
    end = coverage.effective_to.isoformat() if coverage.effective_to else "open"
    return f"{coverage.effective_from.isoformat()} to {end}"


def check_eligibility(case: Case, query: EligibilityQuery, *, library: Library) -> EligibilityReply:
    """A 271-style reply: is ``query.member_id`` covered on ``query.date_of_service``?"""
    coverage = case.coverage
    manual = manual_for(library, coverage.payer_id)
    if not member_id_ok(manual.member_id_pattern, query.member_id.strip()):
        return EligibilityReply(
            active=False,
            member_id=query.member_id,
            payer_id=coverage.payer_id,
            messages=[
                Reason(
                    code="72",
                    kind="reject",
                    follow_up="C",
                    edit="member_id_format",
                    message=f"{query.member_id!r} is not a {manual.name} member id (format like {manual.member_id_example}).",
                )
            ],
        )
    if not member_matches(coverage, query.member_id):
        return EligibilityReply(
            active=False,
            member_id=query.member_id,
            payer_id=coverage.payer_id,
            messages=[
                Reason(
                    code="75",
                    kind="reject",
                    follow_up="C",
                    edit="member_not_found",
                    message=f"No {manual.name} member has id {query.member_id}; check the id on the member's card.",
                )
            ],
        )
    active = coverage_active(coverage, query.date_of_service)
    messages = []
    in_network = _in_network(case.servicing_provider, case.facility)
    auth_required = _service_needs_auth(case, library) if active else None
    if not active:
        # the subscriber is found, so the 271 answers with a benefit line (EB01 6), never an AAA reject
        messages.append(
            Reason(
                code="MSG",
                kind="info",
                edit="coverage_inactive",
                message=(
                    f"EB01 6 (inactive): coverage is not active on {query.date_of_service.isoformat()} "
                    f"(covered {_span(coverage)})."
                ),
            )
        )
    else:
        messages.append(_network_message(manual, case.servicing_provider, in_network))
        if auth_required is not None:
            messages.append(
                Reason(
                    code="MSG",
                    kind="info",
                    edit="authorization",
                    message=(
                        f"EB11 {'Y' if auth_required else 'N'}: the ordered service "
                        f"({_service_words(case)}) "
                        + ("needs prior authorization." if auth_required else "needs no prior authorization.")
                    ),
                )
            )
    if active and manual.referral_required_for_specialists:
        state = "a PCP referral is on file" if coverage.referral_on_file else "no PCP referral is on file"
        messages.append(
            Reason(
                code="MSG",
                kind="info",
                edit="referral",
                message=f"Specialist services need a referral from the member's primary care provider; {state}.",
            )
        )
    return EligibilityReply(
        active=active,
        eligibility_code="1" if active else "6",
        in_network=in_network if active else None,
        authorization_required=auth_required,
        member_id=coverage.member_id,
        payer_id=coverage.payer_id,
        plan_type=coverage.plan_type,
        plan_name=coverage.plan_name,
        coverage_from=coverage.effective_from,
        coverage_to=coverage.effective_to,
        referral_required=manual.referral_required_for_specialists,
        referral_on_file=coverage.referral_on_file if manual.referral_required_for_specialists else None,
        messages=messages,
    )


def _in_network(provider: Provider, facility: Facility) -> bool:
    """EB12 for the order: the servicing provider (and the facility where the service is given)."""
    return provider.in_network and facility.in_network


def _network_message(manual: Manual, provider: Provider, in_network: bool) -> Reason:
    if in_network:
        text = f"EB12 Y: {provider.display_name} (NPI {provider.npi}) is in {manual.name}'s network."
    elif manual.out_of_network == "reject":
        text = (
            f"EB12 N: {provider.display_name} (NPI {provider.npi}) is not in {manual.name}'s network, and the "
            "plan covers no non-emergency care outside it: choose an in-network provider."
        )
    else:
        text = (
            f"EB12 N: {provider.display_name} (NPI {provider.npi}) is not in {manual.name}'s network; "
            "out-of-network benefits apply (higher member cost share)."
        )
    return Reason(code="MSG", kind="info", edit="network", message=text)


def _service_words(case: Case) -> str:
    """The ordered service as the EB11 line names it: its codes, or the inpatient admission."""
    if case.order.review == "admission":
        return f"{case.order.admission_type or 'elective'} inpatient admission"
    return ", ".join(line.code.code for line in case.order.procedures)


def _service_needs_auth(case: Case, library: Library) -> bool:
    """EB11 for the ordered service: does any ordered code need authorization at this payer?"""
    index = policy_index(library)
    if case.order.review == "admission":
        admission = index.admission.get(case.coverage.payer_id)
        rule = admission.admission_review if admission else None
        return rule is not None and (case.order.admission_type or "elective") in rule.admission_types
    found = [index.lookup(case.coverage.payer_id, line.code.code) for line in case.order.procedures]
    return any(pc.auth_required for _, pc in filter(None, found))


def eligibility_rejects(view: PayerView) -> list[Reason]:
    """AAA rejects: subscriber not found (75), name (73) or birth date (71) not matching the member file,
    date of service outside the coverage (52); each with AAA04 ``C`` (correct and resubmit)."""
    sub, coverage = view.submission, view.coverage
    if not member_matches(coverage, sub.member_id):
        return [
            Reason(
                code="75",
                kind="reject",
                follow_up="C",
                edit="member_not_found",
                message=(
                    f"Member id {sub.member_id} is not in {view.manual.name}'s member file; verify eligibility and "
                    "use the id from the member's card (registration data may be wrong)."
                ),
            )
        ]
    reasons = []
    if sub.patient_last_name.strip().lower() != view.patient.last_name.strip().lower():
        reasons.append(
            Reason(
                code="73",
                kind="reject",
                follow_up="C",
                edit="patient_last_name",
                message=(
                    f"The last name {sub.patient_last_name!r} does not match the member file for {sub.member_id}."
                ),
            )
        )
    if sub.patient_dob != view.patient.dob:
        reasons.append(
            Reason(
                code="71",
                kind="reject",
                follow_up="C",
                edit="patient_dob",
                message=(
                    f"The date of birth {sub.patient_dob.isoformat()} does not match the member file for {sub.member_id}."
                ),
            )
        )
    if reasons:
        return reasons
    if not coverage_active(coverage, sub.date_of_service):
        return [
            Reason(
                code="52",
                kind="reject",
                follow_up="C",
                edit="coverage_inactive",
                message=(
                    f"Coverage is not active on the date of service {sub.date_of_service.isoformat()} "
                    f"(covered {_span(coverage)}); resolve coverage before requesting authorization."
                ),
            )
        ]
    return []


def network_reasons(view: PayerView) -> list[Reason]:
    """The servicing provider outside the network: an AAA03 35 reject where the manual says the plan
    covers no care outside its network, else a note that out-of-network benefits apply."""
    found = view.provider(view.submission.servicing_npi)
    if found is None or found.in_network:
        return []
    name = found.display_name if isinstance(found, Provider) else found.name
    where = f"{name} (NPI {view.submission.servicing_npi})"
    if view.manual.out_of_network == "reject":
        return [
            Reason(
                code="35",
                kind="reject",
                follow_up="C",
                edit="out_of_network",
                message=(
                    f"{where} is not in {view.manual.name}'s network and the plan covers no non-emergency care "
                    "outside it; send the request for an in-network provider."
                ),
            )
        ]
    return [
        Reason(
            code="MSG",
            kind="info",
            edit="out_of_network",
            message=f"{where} is out of network: the request is reviewed with out-of-network benefits.",
        )
    ]


def referral_missing(view: PayerView) -> Reason | None:
    """HMO rule: a specialist service needs the PCP's referral on file (or a referral document sent).

    A service the PCP orders from a radiology facility, laboratory or DME supplier is not a specialist
    visit; a specialist's order (an oncologist's PET/CT, a sleep physician's CPAP) needs the referral.
    """
    if not view.manual.referral_required_for_specialists or view.coverage.referral_on_file:
        return None
    specialty = view.specialty(view.submission.servicing_npi)
    if specialty in PRIMARY_CARE:
        return None
    if specialty in ORDER_FULFILMENT:
        # the facility fulfils an order: the referral question is whether the orderer is a specialist
        specialty = view.specialty(view.submission.ordering_npi)
        if specialty in PRIMARY_CARE:
            return None
    if any(doc.kind == "referral" for doc in view.documents):
        return None
    return Reason(
        code="MSG",
        kind="pend",
        edit="referral",
        message=(
            f"{view.manual.name} needs a referral from the member's primary care provider for specialist services "
            f"({specialty or 'facility'}) and none is on file; send the PCP referral."
        ),
    )
