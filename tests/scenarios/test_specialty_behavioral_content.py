"""Content checks for the RA-biologic and SUD-IOP service lines and their modules (specialty_drugs,
behavioral_health): fixed dates that must fit every case start, criteria numbered alike across payers,
reference narratives that cite only what is attached, and the simulator against the authors' answer keys.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import cache

import pytest

from knowledge_base.loader import load_library
from scenarios.content import load_files_cached
from scenarios.generator import generate_case
from scenarios.models import Case
from scenarios.timeline import START_WINDOW
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


def test_baseline_tb_test_is_recent_at_every_case_start() -> None:
    line = load_files_cached().service_lines["ra_biologic"]
    tested = _date(line.facts["tb_test_date"])
    first, last = START_WINDOW
    lab = next(d for d in line.documents if d.kind == "lab_report")
    assert tested <= first - timedelta(days=lab.days_before_start), "the lab summary would predate its own TB test"
    assert (last + timedelta(days=LATER_REVIEW_DAYS) - tested).days <= TB_WINDOW_DAYS


def test_expired_tb_test_is_stale_at_every_case_start() -> None:
    line = load_files_cached().service_lines["ra_biologic"]
    stale = _date(line.profiles["tb_expired"]["tb_test_date"])
    assert (START_WINDOW[0] - stale).days > TB_WINDOW_DAYS


@pytest.mark.parametrize(("service_line", "numbers"), [
    ("ra_biologic", {"lakeshore": 7, "cardinal": 6, "prairie": 7}),
    ("sud_iop", {"lakeshore": 4, "cardinal": 5, "prairie": 4}),
])
def test_criterion_numbers_mean_the_same_at_every_payer(service_line: str, numbers: dict[str, int]) -> None:
    library = load_library()
    rules: dict[int, dict[str, object]] = {}
    for payer, count in numbers.items():
        policy = library.policy_for(payer, service_line)
        assert policy is not None
        assert [c.id.rsplit(".", 1)[1] for c in policy.criteria] == [str(n) for n in range(1, count + 1)]
        for crit in policy.criteria:
            n = int(crit.id.rsplit(".", 1)[1])
            dumped = {"rule": crit.rule.model_dump(), "applies_if": crit.applies_if and crit.applies_if.model_dump()}
            rules.setdefault(n, {})[payer] = dumped
    for n, by_payer in rules.items():
        first = next(iter(by_payer.values()))
        assert all(r == first for r in by_payer.values()), f"{service_line} criterion {n} differs between payers"


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
        codes = sorted({r.code for r in got.reasons if r.kind != "info"})
        assert codes == sorted(set(want.reason_codes)), where
        assert got.expedited == (key.urgency == "expedited"), where
