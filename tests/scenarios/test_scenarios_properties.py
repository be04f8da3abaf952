"""Property tests: identifiers have valid formats and check digits; answer-key codes are billable."""

from __future__ import annotations

import random
import re
from datetime import date
from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge_base.loader import load_library
from knowledge_base.procedure_codes import KNOWN_CODES
from scenarios.generator import derive_seed, generate_case, load_content
from scenarios.identity import (
    MBI_PATTERN,
    is_valid_npi,
    make_mbi,
    make_member_id,
    make_npi,
    member_id_typo,
    npi_check_digit,
)
from scenarios.timeline import add_business_days, business_days_between, is_business_day

MODULES = sorted(load_content().files.modules)
seeds = st.integers(min_value=0, max_value=2**63 - 1)


@pytest.mark.parametrize(
    ("npi", "valid"),
    [
        ("1234567893", True),
        ("1558598797", True),  # the CMS and a published example
        ("1234567890", False),
        ("3234567893", False),
        ("123456789", False),
        ("12345678a3", False),
    ],
)
def test_npi_examples(npi: str, valid: bool) -> None:
    assert is_valid_npi(npi) is valid


@given(seeds)
def test_generated_npis_pass_the_luhn_check_with_the_80840_prefix(seed: int) -> None:
    npi = make_npi(random.Random(seed))
    assert is_valid_npi(npi)
    # independent check: plain Luhn over "80840" + the 10 digits
    digits = [int(c) for c in "80840" + npi]
    total = sum(
        d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(reversed(digits))
    )
    assert total % 10 == 0


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_a_wrong_check_digit_is_always_caught(base: str) -> None:
    good = npi_check_digit(base)
    for d in range(10):
        assert is_valid_npi("1" + base[1:] + str(d)) == (d == npi_check_digit("1" + base[1:]))
    assert 0 <= good <= 9


@given(seeds)
def test_mbis_match_the_cms_pattern(seed: int) -> None:
    mbi = make_mbi(random.Random(seed))
    assert MBI_PATTERN.match(mbi) and not set(mbi) & set("SLOIBZ")


@settings(deadline=None)  # the first example loads the policy library
@given(seeds, st.sampled_from(sorted(load_library().payers)))
def test_member_ids_match_the_payer_manual(seed: int, payer: str) -> None:
    manual = load_library().manual(payer)
    rng = random.Random(seed)
    member_id = make_member_id(manual.member_id_format, rng)
    assert re.fullmatch(manual.member_id_pattern, member_id)
    typo = member_id_typo(member_id, rng)
    assert re.fullmatch(manual.member_id_pattern, typo), (
        "a typo must keep the format so only eligibility catches it"
    )
    assert sum(a != b for a, b in zip(member_id, typo, strict=True)) == 1


@given(st.dates(max_value=date(9000, 1, 1)), st.integers(min_value=0, max_value=30))  # stay clear of date.max
def test_business_days_round_trip(day, n) -> None:  # type: ignore[no-untyped-def]
    later = add_business_days(day, n)
    assert business_days_between(day, later) == n
    assert n == 0 or is_business_day(later)


def test_seed_derivation_is_stable() -> None:
    # a frozen value: changing the derivation would silently change every published case
    assert derive_seed("coding", 7) == int.from_bytes(
        __import__("hashlib").sha256(b"coding:7").digest()[:8], "big"
    )


@lru_cache(maxsize=1)
def _icd():  # type: ignore[no-untyped-def]
    import simple_icd_10_cm

    return simple_icd_10_cm


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(MODULES), st.integers(min_value=0, max_value=10**6))
def test_answer_key_codes_are_valid_and_billable(module_id: str, seed: int) -> None:
    case = generate_case(module_id, seed)
    icd = _icd()
    for code in case.answer_key.correct_diagnoses:
        assert icd.is_valid_item(code.code) and icd.is_leaf(code.code), f"{case.case_id}: {code.code}"
    assert case.answer_key.reference_submission is not None
    for code in case.answer_key.reference_submission.diagnoses:
        assert icd.is_valid_item(code) and icd.is_leaf(code)
    policy = load_library().policies[case.answer_key.policy_id or ""]
    for line in case.answer_key.correct_procedures:  # governed by the policy, or a code the payer knows
        assert policy.code(line.code.code) is not None or line.code.code in KNOWN_CODES, line.code.code
    if case.order.review == "admission":  # an admission review governed by the admission policy, no code
        assert policy.admission_review is not None
        assert case.answer_key.reference_submission.category == "admission"
    else:
        assert any(policy.code(line.code.code) for line in case.answer_key.correct_procedures)
    for npi in (case.ordering_provider.npi, case.servicing_provider.npi, case.facility.npi):
        assert is_valid_npi(npi)
    manual = load_library().manual(case.coverage.payer_id)
    assert re.fullmatch(manual.member_id_pattern, case.coverage.member_id)
    if case.coverage.mbi is not None:
        assert MBI_PATTERN.match(case.coverage.mbi)
