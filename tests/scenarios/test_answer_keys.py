"""The key independent-oracle test: the simulated payer agrees with every case's answer key.

The answer key is written from the archetype (scenarios/answer_key.py never calls the simulator), so
a disagreement here means either the policy, the service-line material, the module's ``expect`` or
the simulator is wrong — each message says which case and what each side said.
"""

from __future__ import annotations

from functools import cache

import pytest

from knowledge_base.loader import load_library
from scenarios.generator import archetype_content, generate_case, load_content
from scenarios.models import Case
from simulator import adjudicate, replay

SEEDS = range(50)
MODULES = sorted(load_content().files.modules)
# Better outcomes rank higher. A pend and a denial rank the same here: taking away the document that
# shows a failing fact turns a denial into a pend asking for that fact (three-valued criteria), which
# is not an improvement for the requester, who is still without an authorization.
RANK = {
    "no_auth_required": 6,
    "approved": 5,
    "partially_approved": 4,
    "pended": 2,
    "denied": 2,
    "rejected": 1,
}


@cache
def _case(module_id: str, seed: int) -> Case:
    return generate_case(module_id, seed)


def _pairs() -> list[tuple[str, str, str]]:
    return [
        (m, a.id, p) for m in MODULES for a in load_content().files.modules[m].archetypes for p in a.payers
    ]


@pytest.mark.parametrize("module_id", MODULES)
def test_every_archetype_at_every_payer_gets_its_reason_codes(module_id: str) -> None:
    """Status, failed criteria and reason codes (the ones that decide, not info) of the reference request for
    every archetype at every payer it names. The weighted draw above may miss a rare pair; this does not, and
    it holds authors to the simulator's documented X12 reasons: AAA03 reject reasons and HCR03 decision
    reasons (a pend's request for information is free text and carries no code)."""
    library = load_library()
    problems = []
    for mid, archetype, payer in _pairs():
        if mid != module_id:
            continue
        content = archetype_content(module_id, archetype, payer)
        for seed in (0, 1):
            case = generate_case(module_id, seed, content=content)
            key = case.answer_key
            assert key.reference_submission is not None
            got = adjudicate(case, key.reference_submission, library=library)
            want = key.expected_determination
            codes = sorted({r.code for r in got.reasons if r.coded})
            denied = sorted({r.criterion_id for r in got.reasons if r.kind == "denial" and r.criterion_id})
            if (got.status, codes, denied) != (
                want.status,
                sorted(set(want.reason_codes)),
                sorted(want.criterion_ids),
            ):
                problems.append(
                    f"{archetype}@{payer} seed {seed}: simulator {got.status} {codes} {denied}, "
                    f"answer key {want.status} {sorted(want.reason_codes)} {sorted(want.criterion_ids)}"
                )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("module_id", MODULES)
def test_simulator_agrees_with_the_answer_key(module_id: str) -> None:
    library = load_library()
    problems = []
    for seed in SEEDS:
        case = _case(module_id, seed)
        key = case.answer_key
        assert key.reference_submission is not None
        got = adjudicate(case, key.reference_submission, library=library)
        want = key.expected_determination
        ids = sorted(r.criterion_id for r in got.reasons if r.criterion_id)
        if got.status in ("denied", "partially_approved"):
            want_ids = sorted(want.criterion_ids)
        elif got.status == "pended":  # pends name the criteria the records could not evidence
            want_ids = sorted(c for c, s in key.criteria_outcome.items() if s == "not_evidenced")
        else:
            want_ids = ids
        if got.status != want.status or ids != want_ids:
            reasons = "; ".join(
                f"{r.code} {r.criterion_id or r.edit or ''}: {r.message[:120]}" for r in got.reasons
            )
            problems.append(
                f"{case.case_id} ({case.archetype_id}, {case.coverage.payer_id}): simulator "
                f"{got.status} {ids} [{reasons}], answer key {want.status} {want_ids}"
            )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("module_id", MODULES)
def test_reference_actions_reach_the_expected_outcome(module_id: str) -> None:
    """Replaying the reference actions gives the key's final answer (the appeal or pend-reply decision)."""
    library = load_library()
    problems = []
    for seed in SEEDS:
        case = _case(module_id, seed)
        key = case.answer_key
        steps = replay(case, key.reference_actions, library=library)
        errors = [f"{s.action_type}: {s.error}" for s in steps if s.error]
        last = steps[-1].result
        final = getattr(last, "status", None)
        if key.correct_action in ("appeal", "reply_to_pend"):
            wanted = key.expected_appeal_status
        elif key.correct_action in ("submit", "submit_expedited"):
            wanted = key.expected_determination.status
        else:
            wanted = None  # a provider query or a closed case gets no payer decision
        if errors or (wanted is not None and final != wanted):
            problems.append(
                f"{case.case_id} ({case.archetype_id}, {case.coverage.payer_id}): final {final}, "
                f"want {wanted}; {errors}"
            )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("module_id", MODULES)
def test_removing_a_required_document_never_improves_the_outcome(module_id: str) -> None:
    library = load_library()
    problems = []
    for seed in range(0, 50, 5):
        case = _case(module_id, seed)
        ref = case.answer_key.reference_submission
        assert ref is not None
        base = RANK[adjudicate(case, ref, library=library).status]
        for doc_id in ref.document_ids:
            fewer = ref.model_copy(update={"document_ids": [d for d in ref.document_ids if d != doc_id]})
            status = adjudicate(case, fewer, library=library).status
            if RANK[status] > base:
                problems.append(f"{case.case_id}: without {doc_id} the request got {status}")
    assert not problems, "\n".join(problems)
