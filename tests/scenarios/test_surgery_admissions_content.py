"""Content checks for the total-knee, cervical-fusion, blepharoplasty and inpatient-admission lines and
their module (surgery_admissions): criteria numbered alike across payers, every rule fact stated by a
document the reference request sends, documents young enough for every payer, reference narratives that
cite only what is attached, and the simulator against the authors' answer keys at every payer.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache

import pytest

from knowledge_base.loader import load_library
from knowledge_base.models import Policy
from scenarios.content import ModuleSpec
from scenarios.generator import Content, generate_case, load_content
from scenarios.models import Case
from simulator import adjudicate

MODULE = "surgery_admissions"
LINES = ("total_knee", "cervical_fusion", "blepharoplasty", "inpatient_admission")
# Criterion numbers per payer. A number shared by several payers must mean the same rule; the payer's own
# extras (Lakeshore's BMI counselling, Cardinal's setting and perimetry rules, Prairie's second opinion,
# each payer's own admission rule: Cardinal's Medicare two-midnight 1, Lakeshore's 3, Prairie's state rule 4)
# take numbers no other payer uses for something else.
NUMBERS = {
    "total_knee": {"lakeshore": [1, 2, 3, 4, 5], "cardinal": [1, 2, 3, 4, 6], "prairie": [1, 2, 3, 4]},
    "cervical_fusion": {"lakeshore": [1, 2, 3, 5], "cardinal": [1, 2, 3, 5], "prairie": [1, 2, 3, 4, 5]},
    "blepharoplasty": {"lakeshore": [1, 2, 3], "cardinal": [1, 2, 3, 4], "prairie": [1, 2, 3]},
    "inpatient_admission": {"lakeshore": [2, 3], "cardinal": [1, 2], "prairie": [2, 4]},
}
# A prior request is dated up to 12 days (rounded back to a business day: 14) before the case starts, and
# the chart is dated from it, so every document must stay young enough with that much extra age.
PRIOR_MARGIN_DAYS = 14
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SEEDS = range(40)


def _policies(line: str) -> dict[str, Policy]:
    library = load_library()
    found = {payer: library.policy_for(payer, line) for payer in ("lakeshore", "cardinal", "prairie")}
    assert all(found.values()), f"{line}: a payer has no policy"
    return found  # type: ignore[return-value]


def _rule_facts(policy: Policy) -> set[str]:
    rules = [c.rule for c in policy.criteria] + [c.applies_if for c in policy.criteria]
    rules += [d.required_if for d in policy.documentation] + [policy.expedite_if]
    names = set().union(*(r.facts_used() for r in rules if r is not None))
    return {n for n in names if not n.startswith(("request.", "patient."))}


@pytest.mark.parametrize("line", LINES)
def test_criterion_numbers_mean_the_same_at_every_payer(line: str) -> None:
    by_number: dict[int, dict[str, object]] = {}
    for payer, policy in _policies(line).items():
        numbers = [int(c.id.rsplit(".", 1)[1]) for c in policy.criteria]
        assert numbers == NUMBERS[line][payer], f"{policy.id}: criteria {numbers}"
        for crit in policy.criteria:
            by_number.setdefault(int(crit.id.rsplit(".", 1)[1]), {})[payer] = (
                crit.rule.model_dump(),
                crit.applies_if and crit.applies_if.model_dump(),
            )
    for n, rules in by_number.items():
        first = next(iter(rules.values()))
        assert all(r == first for r in rules.values()), f"{line} criterion {n} differs between payers"


@pytest.mark.parametrize("line", LINES)
def test_every_rule_fact_is_stated_by_a_sent_document(line: str) -> None:
    spec = load_content().files.service_lines[line]
    relevant = [d for d in spec.documents if d.relevant]
    stated = {name for d in relevant for name in d.states}
    kinds = {d.kind for d in relevant}
    for policy in _policies(line).values():
        missing = _rule_facts(policy) - stated
        assert not missing, f"{policy.id} reads facts no relevant {line} document states: {sorted(missing)}"
        for req in policy.documentation:
            assert req.kind in kinds, (
                f"{policy.id} requires {req.kind}; {line} has no relevant document of that kind"
            )
    assert any(not d.relevant for d in spec.documents), (
        f"{line}: no irrelevant document to teach minimum necessary"
    )


@pytest.mark.parametrize("line", LINES)
def test_documents_are_young_enough_for_every_payer(line: str) -> None:
    spec = load_content().files.service_lines[line]
    for policy in _policies(line).values():
        for req in policy.documentation:
            if req.max_age_days is None:
                continue
            for doc in spec.documents:
                if doc.kind == req.kind:
                    age = doc.days_before_start + PRIOR_MARGIN_DAYS
                    assert age <= req.max_age_days, (
                        f"{policy.id}: {doc.kind} can be {age} days old (limit {req.max_age_days})"
                    )


@cache
def _case(seed: int) -> Case:
    return generate_case(MODULE, seed)


def test_reference_narrative_cites_only_dates_the_request_carries() -> None:
    for seed in SEEDS:
        case = _case(seed)
        sub = case.answer_key.reference_submission
        assert sub is not None
        sent = [d for d in case.chart if d.id in sub.document_ids]
        known = {m for d in sent for m in ISO_DATE.findall(d.text)}
        known |= {sub.date_of_service.isoformat(), case.patient.dob.isoformat()}
        unsupported = set(ISO_DATE.findall(sub.narrative)) - known
        assert not unsupported, f"{case.case_id} ({case.archetype_id}) narrative cites {sorted(unsupported)}"


def _single_payer_content(base: Content, archetype_index: int, payer: str) -> Content:
    """The module reduced to one archetype and one payer, so every (archetype, payer) pair is generated."""
    module: ModuleSpec = base.files.modules[MODULE]
    arch = module.archetypes[archetype_index].model_copy(update={"payers": [payer], "weight": 1})
    one = module.model_copy(update={"archetypes": [arch]})
    files = dataclasses.replace(base.files, modules={MODULE: one})
    return Content(files=files, library=base.library, version=base.version)


def _pairs() -> list[tuple[int, str, str]]:
    module = load_content().files.modules[MODULE]
    return [(i, a.id, p) for i, a in enumerate(module.archetypes) for p in a.payers]


def test_module_covers_the_required_situations() -> None:
    module = load_content().files.modules[MODULE]
    assert len(module.archetypes) >= 7
    lines = {a.service_line for a in module.archetypes}
    assert lines == set(LINES)
    expects = [a.expect_for(p) for a in module.archetypes for p in a.payers]
    assert {"submit", "submit_expedited", "query_provider"} <= {e.action for e in expects}
    assert {"approved", "denied", "pended"} <= {e.determination for e in expects}
    assert any(a.by_payer for a in module.archetypes), "no archetype shows a payer difference"


@pytest.mark.parametrize(("index", "archetype", "payer"), _pairs(), ids=lambda v: str(v))
def test_simulator_agrees_with_the_answer_key(index: int, archetype: str, payer: str) -> None:
    content = _single_payer_content(load_content(), index, payer)
    for seed in (0, 1):
        case = generate_case(MODULE, seed, content=content)
        key = case.answer_key
        assert case.archetype_id == archetype and case.coverage.payer_id == payer
        assert key.reference_submission is not None
        got = adjudicate(case, key.reference_submission)
        want = key.expected_determination
        where = f"{archetype}@{payer} seed {seed}"
        assert got.status == want.status, f"{where}: {got.status} != {want.status}: {got.reasons}"
        denied = sorted({r.criterion_id for r in got.reasons if r.kind == "denial" and r.criterion_id})
        assert denied == sorted(want.criterion_ids), f"{where}: {got.reasons}"
        codes = sorted({r.code for r in got.reasons if r.coded})
        assert codes == sorted(set(want.reason_codes)), f"{where}: {got.reasons}"
        assert got.expedited == (key.urgency == "expedited"), where
        if want.status == "approved":
            # an admission review approves days, not units (no procedure line: no units, None in the key)
            assert (sum(line.units for line in got.approved_lines) or None) == want.approved_units, where
            assert got.approved_days == want.approved_days, where
