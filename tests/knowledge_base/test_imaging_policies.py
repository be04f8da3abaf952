"""The lumbar-MRI and oncology-PET policies decide the way their text says, on the service-line facts.

Evidence is built straight from ``scenarios/service_lines/<line>.yaml`` (each fact stated by the document
kinds whose ``states`` name it, dated ``days_before_start`` before the as-of date), so these tests need
neither the generator nor the simulator. Every expected outcome below was written by reading the policy
text, not by running the rules.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge_base.criteria import DocumentRef, Evidence, Fact
from knowledge_base.loader import load_library
from knowledge_base.models import Policy

SERVICE_LINES = Path(__file__).resolve().parents[2] / "scenarios" / "service_lines"
AS_OF = date(2026, 3, 2)
PREFIX = {"lakeshore": "LKS", "cardinal": "CMA", "prairie": "PSM"}
LINE_CODE = {"lumbar_mri": "MRI", "oncology_pet": "PET"}


@lru_cache(maxsize=4)
def _line(service_line: str) -> dict[str, Any]:
    return yaml.safe_load((SERVICE_LINES / f"{service_line}.yaml").read_text(encoding="utf-8"))


def _policy(payer: str, service_line: str) -> Policy:
    policy = load_library().policy_for(payer, service_line)
    assert policy is not None, f"no {service_line} policy for {payer}"
    return policy


def evidence(
    service_line: str,
    *,
    profile: str | None = None,
    facts: dict[str, Any] | None = None,
    withhold: tuple[str, ...] = (),
    age_days: dict[str, int] | None = None,
    procedures: tuple[str, ...] = (),
    request: dict[str, Any] | None = None,
) -> Evidence:
    """The evidence a payer would get from the chart: baseline ⊕ profile ⊕ facts, per document."""
    line = _line(service_line)
    values = {**line["facts"], **(line["profiles"][profile] if profile else {}), **(facts or {})}
    ev = Evidence(
        procedure_codes=list(procedures or [p["code"] for p in line["order"]["procedures"]]),
        diagnosis_codes=[d["code"] for d in line["order"]["diagnoses"]],
    )
    for n, doc in enumerate(line["documents"]):
        if doc["kind"] in withhold or not doc.get("relevant", True):
            continue
        day = AS_OF - timedelta(days=(age_days or {}).get(doc["kind"], doc["days_before_start"]))
        doc_id = f"doc-{n:02d}"
        ev.documents.append(DocumentRef(id=doc_id, kind=doc["kind"], date=day))
        for name in doc.get("states", []):
            ev.add(Fact(name=name, value=values[name], document_id=doc_id, document_date=day))
    for name, value in (request or {}).items():
        ev.add(Fact(name=name, value=value))
    return ev


def outcomes(policy: Policy, ev: Evidence) -> dict[int, str]:
    """Criterion number -> status; a criterion whose ``applies_if`` is not met counts as met."""
    out: dict[int, str] = {}
    for crit in policy.criteria:
        number = int(crit.id.rsplit(".", 1)[1])
        if crit.applies_if is not None and crit.applies_if.evaluate(ev, AS_OF).status != "met":
            out[number] = "met"
            continue
        out[number] = crit.rule.evaluate(ev, AS_OF).status
    return out


ALL_MET_MRI = {1: "met", 2: "met", 3: "met"}

# (payer, scenario kwargs, expected statuses) — written from the policy text.
MRI_ROWS: list[tuple[str, dict[str, Any], dict[int, str]]] = [
    *[(p, {}, ALL_MET_MRI) for p in PREFIX],
    *[(p, {"profile": "red_flag", "withhold": ("therapy_note",)}, ALL_MET_MRI) for p in PREFIX],
    *[(p, {"profile": "too_early"}, {1: "not_met", 2: "met", 3: "met"}) for p in PREFIX],
    ("lakeshore", {"profile": "five_weeks"}, {1: "not_met", 2: "met", 3: "met"}),
    ("cardinal", {"profile": "five_weeks"}, {1: "not_met", 2: "met", 3: "met"}),
    ("prairie", {"profile": "five_weeks"}, ALL_MET_MRI),
    # exactly at the thresholds: 6 weeks everywhere; 4 weeks only at Prairie
    *[(p, {"facts": {"conservative_care_weeks": 6}}, ALL_MET_MRI) for p in PREFIX],
    ("lakeshore", {"facts": {"conservative_care_weeks": 4}}, {1: "not_met", 2: "met", 3: "met"}),
    ("prairie", {"facts": {"conservative_care_weeks": 4}}, ALL_MET_MRI),
    *[(p, {"profile": "no_followup_exam"}, {1: "met", 2: "not_met", 3: "met"}) for p in PREFIX],
    # therapy notes missing: the weeks are stated nowhere
    *[(p, {"withhold": ("therapy_note",)}, {1: "not_evidenced", 2: "met", 3: "met"}) for p in PREFIX],
    # therapy older than the 3-month window
    *[(p, {"age_days": {"therapy_note": 120}}, {1: "not_met", 2: "met", 3: "met"}) for p in PREFIX],
    # contrast without infection, tumour or prior surgery fails criterion 3; with one of them it is met
    *[(p, {"procedures": ("72158",)}, {1: "met", 2: "met", 3: "not_met"}) for p in PREFIX],
    *[(p, {"procedures": ("72149",)}, {1: "met", 2: "met", 3: "not_met"}) for p in PREFIX],
    *[(p, {"procedures": ("72158",), "facts": {"prior_lumbar_surgery": True}}, ALL_MET_MRI) for p in PREFIX],
    *[(p, {"procedures": ("72149",), "facts": {"tumor_suspected": True}}, ALL_MET_MRI) for p in PREFIX],
    *[(p, {"procedures": ("72158",), "facts": {"infection_suspected": True}}, ALL_MET_MRI) for p in PREFIX],
]


@pytest.mark.parametrize(
    ("payer", "scenario", "expected"),
    MRI_ROWS,
    ids=[f"{r[0]}-{'-'.join(f'{k}={v}' for k, v in r[1].items()) or 'baseline'}" for r in MRI_ROWS],
)
def test_lumbar_mri_criteria(payer: str, scenario: dict[str, Any], expected: dict[int, str]) -> None:
    assert outcomes(_policy(payer, "lumbar_mri"), evidence("lumbar_mri", **scenario)) == expected


ALL_MET_PET = {
    "lakeshore": {1: "met", 2: "met", 3: "met"},
    "cardinal": {1: "met", 2: "met"},
    "prairie": {1: "met", 2: "met"},
}

PET_ROWS: list[tuple[str, dict[str, Any], dict[int, str]]] = [
    *[(p, {}, ALL_MET_PET[p]) for p in PREFIX],
    *[(p, {"profile": "subsequent"}, ALL_MET_PET[p]) for p in PREFIX],
    ("lakeshore", {"profile": "subsequent_recent"}, {1: "met", 2: "met", 3: "not_met"}),
    ("cardinal", {"profile": "subsequent_recent"}, ALL_MET_PET["cardinal"]),
    ("prairie", {"profile": "subsequent_recent"}, ALL_MET_PET["prairie"]),
    ("lakeshore", {"profile": "fourth_subsequent"}, {1: "met", 2: "not_met", 3: "met"}),
    ("cardinal", {"profile": "fourth_subsequent"}, {1: "met", 2: "not_met"}),
    ("prairie", {"profile": "fourth_subsequent"}, {1: "met", 2: "not_met"}),
    # the 3rd subsequent scan is still within the limit
    *[
        (p, {"profile": "subsequent", "facts": {"subsequent_pet_scans_done": 2}}, ALL_MET_PET[p])
        for p in PREFIX
    ],
    # a second "initial" scan, or a subsequent scan before initial treatment is completed
    ("cardinal", {"facts": {"initial_pet_done": True}}, {1: "met", 2: "not_met"}),
    (
        "prairie",
        {"profile": "subsequent", "facts": {"initial_treatment_completed": False}},
        {1: "met", 2: "not_met"},
    ),
    # strongly suspected but not proven still meets criterion 1; neither fails it
    (
        "cardinal",
        {
            "facts": {"biopsy_proven_cancer": False, "cancer_strongly_suspected": True},
            "withhold": ("pathology_report",),
        },
        ALL_MET_PET["cardinal"],
    ),
    ("prairie", {"facts": {"biopsy_proven_cancer": False}}, {1: "not_met", 2: "met"}),
]


@pytest.mark.parametrize(
    ("payer", "scenario", "expected"),
    PET_ROWS,
    ids=[f"{r[0]}-{'-'.join(f'{k}={v}' for k, v in r[1].items()) or 'baseline'}" for r in PET_ROWS],
)
def test_oncology_pet_criteria(payer: str, scenario: dict[str, Any], expected: dict[int, str]) -> None:
    assert outcomes(_policy(payer, "oncology_pet"), evidence("oncology_pet", **scenario)) == expected


@pytest.mark.parametrize(
    ("payer", "specialty", "code", "exempt"),
    [
        ("prairie", "orthopedic_surgery", "72148", True),
        ("prairie", "neurosurgery", "72148", True),
        ("prairie", "family_medicine", "72148", False),
        ("prairie", "orthopedic_surgery", "72158", False),
        ("lakeshore", "orthopedic_surgery", "72148", False),
        ("cardinal", "neurosurgery", "72148", False),
    ],
)
def test_prairie_waives_auth_for_spine_surgeons_non_contrast_mri(
    payer: str, specialty: str, code: str, exempt: bool
) -> None:
    entry = _policy(payer, "lumbar_mri").code(code)
    assert entry is not None and entry.auth_required
    ev = evidence("lumbar_mri", request={"request.ordering_specialty": specialty})
    waived = entry.no_auth_if is not None and entry.no_auth_if.evaluate(ev, AS_OF).status == "met"
    assert waived is exempt


@pytest.mark.parametrize("payer", list(PREFIX))
def test_mri_red_flag_expedites_and_waives_therapy_notes(payer: str) -> None:
    policy = _policy(payer, "lumbar_mri")
    therapy = next(d for d in policy.documentation if d.kind == "therapy_note")
    assert policy.expedite_if is not None and therapy.required_if is not None
    flagged = evidence("lumbar_mri", profile="red_flag", withhold=("therapy_note",))
    plain = evidence("lumbar_mri")
    assert policy.expedite_if.evaluate(flagged, AS_OF).status == "met"
    assert policy.expedite_if.evaluate(plain, AS_OF).status == "not_met"
    assert therapy.required_if.evaluate(flagged, AS_OF).status == "not_met"
    assert therapy.required_if.evaluate(plain, AS_OF).status == "met"


@pytest.mark.parametrize("payer", list(PREFIX))
def test_pet_pathology_required_only_when_the_note_cites_a_biopsy(payer: str) -> None:
    pathology = next(d for d in _policy(payer, "oncology_pet").documentation if d.kind == "pathology_report")
    assert pathology.required_if is not None
    proven = evidence("oncology_pet", withhold=("pathology_report",))
    suspected = evidence(
        "oncology_pet",
        withhold=("pathology_report",),
        facts={"biopsy_proven_cancer": False, "cancer_strongly_suspected": True},
    )
    assert pathology.required_if.evaluate(proven, AS_OF).status == "met"
    assert pathology.required_if.evaluate(suspected, AS_OF).status == "not_met"


@pytest.mark.parametrize("service_line", list(LINE_CODE))
def test_baseline_chart_meets_recency_and_lead_time_of_every_payer(service_line: str) -> None:
    """The baseline documents are recent enough for every payer and the order leaves the lead time."""
    line = _line(service_line)
    ages = {d["kind"]: d["days_before_start"] for d in line["documents"]}
    for payer in PREFIX:
        policy = _policy(payer, service_line)
        assert policy.id == f"{PREFIX[payer]}-{LINE_CODE[service_line]}-001"
        for req in policy.documentation:
            if req.max_age_days is not None and req.kind in ages:
                assert ages[req.kind] <= req.max_age_days, f"{policy.id}: {req.kind} too old in the baseline"
        assert line["order"]["lead_business_days"] >= policy.timeframes.submit_lead_business_days
        diagnoses = [d["code"].replace(".", "") for d in line["order"]["diagnoses"]]
        assert any(dx.startswith(p.replace(".", "")) for dx in diagnoses for p in policy.diagnoses)


@pytest.mark.parametrize("service_line", list(LINE_CODE))
def test_criterion_numbers_mean_the_same_across_payers(service_line: str) -> None:
    """Criterion .n of every payer reads the same facts (thresholds may differ), so archetypes can name
    failed criteria by number once for all payers."""
    by_payer = {
        p: {int(c.id.rsplit(".", 1)[1]): c.rule.facts_used() for c in _policy(p, service_line).criteria}
        for p in PREFIX
    }
    shared = set.intersection(*(set(v) for v in by_payer.values()))
    assert shared, "no criterion number is shared by all payers"
    for number in shared:
        facts = {p: by_payer[p][number] for p in PREFIX}
        assert len({frozenset(f) for f in facts.values()}) == 1, f"criterion .{number} differs: {facts}"
