"""Content checks for the RA-biologic and SUD-IOP service lines and their modules (specialty_drugs,
behavioral_health): TB test dates stated relative to the case start that fit every request, criteria
numbered alike across payers, reference narratives that cite only what is attached, and the simulator
against the authors' answer keys.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

import pytest

from knowledge_base.loader import load_library
from scenarios.content import RelativeDate, load_files_cached
from scenarios.generator import generate_case
from scenarios.models import Case
from scenarios.timeline import PRIOR_MAX_DAYS_BACK
from simulator import adjudicate

MODULES = ("specialty_drugs", "behavioral_health")
SEEDS = range(60)
TB_WINDOW_DAYS = 365  # criterion 4 of every ra_biologic policy
# A re-sent or appealed request is judged up to about a month after the case starts; keep that margin.
LATER_REVIEW_DAYS = 30
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@cache
def _case(module_id: str, seed: int) -> Case:
    # Both case-level tests read the same cases; generate each once per run.
    return generate_case(module_id, seed)


def _date(value: object) -> date:
    return date.fromisoformat(str(value))


def _tb_days(facts: dict[str, object]) -> int:
    """How many days before the case start the TB test was collected; the content must state it relative to
    the start (a fixed date would be recent for early case starts and stale for late ones)."""
    spec = facts["tb_test_date"]
    assert isinstance(spec, RelativeDate), f"tb_test_date must be {{days_before_start: N}}, got {spec!r}"
    return spec.days_before_start


def test_baseline_tb_test_is_recent_for_every_decision() -> None:
    line = load_files_cached().service_lines["ra_biologic"]
    days = _tb_days(line.fact_specs)
    lab = next(d for d in line.documents if d.kind == "lab_report")
    # the lab summary (dated from a prior request when there is one) never predates the test it reports
    assert lab.days_before_start + PRIOR_MAX_DAYS_BACK <= days
    assert days + LATER_REVIEW_DAYS <= TB_WINDOW_DAYS


def test_expired_tb_test_is_stale_for_every_decision() -> None:
    line = load_files_cached().service_lines["ra_biologic"]
    # stale even for a request sent before the case starts (a prior request, up to PRIOR_MAX_DAYS_BACK earlier)
    assert _tb_days(line.profile_specs["tb_expired"]) - PRIOR_MAX_DAYS_BACK > TB_WINDOW_DAYS


def test_generated_tb_dates_fit_every_request() -> None:
    """The dates the cases carry, whatever their start: before the lab summary that reports them, recent
    at the reference request, stale for the expired-test archetype."""
    checked, expired = 0, 0
    for seed in SEEDS:
        case = _case("specialty_drugs", seed)
        sub = case.answer_key.reference_submission
        lab = next((d for d in case.chart if d.kind == "lab_report"), None)
        if lab is None or sub is None:
            continue
        tested = _date(lab.facts["tb_test_date"])
        assert tested <= lab.date, case.case_id
        age = (sub.at.date() - tested).days
        assert (age > TB_WINDOW_DAYS) == (case.archetype_id == "bio_tb_expired"), (
            f"{case.case_id}: {age} days"
        )
        checked += 1
        expired += case.archetype_id == "bio_tb_expired"
    assert checked > len(SEEDS) // 2 and expired > 0


@pytest.mark.parametrize(
    ("service_line", "numbers"),
    [
        ("ra_biologic", {"lakeshore": 7, "cardinal": 6, "prairie": 7}),
        ("sud_iop", {"lakeshore": 4, "cardinal": 5, "prairie": 4}),
    ],
)
def test_criterion_numbers_mean_the_same_at_every_payer(service_line: str, numbers: dict[str, int]) -> None:
    library = load_library()
    rules: dict[int, dict[str, object]] = {}
    for payer, count in numbers.items():
        policy = library.policy_for(payer, service_line)
        assert policy is not None
        assert [c.id.rsplit(".", 1)[1] for c in policy.criteria] == [str(n) for n in range(1, count + 1)]
        for crit in policy.criteria:
            n = int(crit.id.rsplit(".", 1)[1])
            dumped = {
                "rule": crit.rule.model_dump(),
                "applies_if": crit.applies_if and crit.applies_if.model_dump(),
            }
            rules.setdefault(n, {})[payer] = dumped
    for n, by_payer in rules.items():
        first = next(iter(by_payer.values()))
        assert all(r == first for r in by_payer.values()), (
            f"{service_line} criterion {n} differs between payers"
        )


@pytest.mark.parametrize("module_id", MODULES)
def test_reference_narrative_cites_only_dates_the_request_carries(module_id: str) -> None:
    for seed in SEEDS:
        case = _case(module_id, seed)
        sub = case.answer_key.reference_submission
        assert sub is not None
        sent = [d for d in case.chart if d.id in sub.document_ids]
        known = {m for d in sent for m in ISO_DATE.findall(d.text)}
        known |= {sub.date_of_service.isoformat(), case.patient.dob.isoformat()}
        unsupported = set(ISO_DATE.findall(sub.narrative)) - known
        assert not unsupported, f"{case.case_id} ({case.archetype_id}) narrative cites {sorted(unsupported)}"


@pytest.mark.parametrize("module_id", MODULES)
def test_simulator_agrees_with_the_answer_keys(module_id: str) -> None:
    for seed in SEEDS:
        case = _case(module_id, seed)
        key = case.answer_key
        assert key.reference_submission is not None
        got = adjudicate(case, key.reference_submission)
        want = key.expected_determination
        where = f"{case.case_id} ({case.archetype_id}, {case.coverage.payer_id})"
        assert got.status == want.status, f"{where}: {got.status} != {want.status}: {got.reasons}"
        denied = sorted({r.criterion_id for r in got.reasons if r.kind == "denial" and r.criterion_id})
        assert denied == sorted(want.criterion_ids), where
        codes = sorted({r.code for r in got.reasons if r.coded})
        assert codes == sorted(set(want.reason_codes)), where
        assert got.expedited == (key.urgency == "expedited"), where
