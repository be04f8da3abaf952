"""The DME content (CPAP and power wheelchair): the payer agrees with the authors' answer keys, chart text
says the facts it states, and the power-wheelchair dates hang together.

The answer keys in scenarios/modules/dme.yaml were written from the policy text; these tests run the
simulated payer on each case's reference submission and compare, so a wrong key or a wrong rule fails.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import pytest

from scenarios.content import load_files_cached
from scenarios.generator import archetype_content, generate_case
from scenarios.models import Case, ChartDocument
from simulator.adjudication import adjudicate

MODULE = "dme"
# Every archetype at every one of its payers, a few seeds each (the module narrowed to that pair, so the
# coverage does not depend on the weighted draw).
SEEDS_PER_PAIR = range(4)


def _pairs() -> list[tuple[str, str]]:
    return [(a.id, p) for a in load_files_cached().modules[MODULE].archetypes for p in a.payers]


@cache
def _cases() -> list[Case]:
    return [
        generate_case(MODULE, seed, content=archetype_content(MODULE, archetype, payer))
        for archetype, payer in _pairs()
        for seed in SEEDS_PER_PAIR
    ]


def test_every_archetype_and_payer_is_generated() -> None:
    drawn = {(c.archetype_id, c.coverage.payer_id) for c in _cases()}
    assert drawn == set(_pairs())


def test_payer_decides_as_the_answer_key_says() -> None:
    wrong = []
    for case in _cases():
        key = case.answer_key
        expected = key.expected_determination
        assert key.reference_submission is not None
        got = adjudicate(case, key.reference_submission)
        denied = sorted(r.criterion_id for r in got.reasons if r.kind == "denial" and r.criterion_id)
        codes = sorted({r.code for r in got.reasons if r.coded})
        if (got.status, denied, codes) != (
            expected.status,
            sorted(expected.criterion_ids),
            sorted(expected.reason_codes),
        ):
            wrong.append(
                f"{case.case_id} {case.archetype_id}@{case.coverage.payer_id}: expected "
                f"{expected.status} {expected.criterion_ids} {expected.reason_codes}, got {got.status} "
                f"{denied} {codes}"
            )
    assert not wrong, "\n".join(wrong)


# Coded values the templates print in words (any one of the phrases).
CODED_VALUES: dict[str, tuple[str, ...]] = {
    "hsat": ("home sleep apnea test",),
    "attended_psg": ("attended polysomnography", "attended in-laboratory polysomnogram"),
}


def _fact_phrases(value: object) -> list[tuple[str, ...]]:
    """How a template prints a fact, as alternatives per phrase: floats with one decimal, ints without
    sign, list items and snake_case values in words, coded values as in CODED_VALUES; booleans and empty
    values print as prose, so they are not checked."""
    if isinstance(value, bool) or value in ("", []):
        return []
    if isinstance(value, str) and value in CODED_VALUES:
        return [CODED_VALUES[value]]
    if isinstance(value, float):
        return [(f"{value:.1f}",)]
    if isinstance(value, int):
        return [(str(abs(value)),)]
    if isinstance(value, list):
        return [(str(v).replace("_", " "),) for v in value]
    return [(" ".join(str(value).split()),)]


def _check_text(doc: ChartDocument, where: str) -> list[str]:
    text = " ".join(doc.text.replace("_", " ").split()).lower()
    return [
        f"{where} {doc.id} ({doc.kind}): {name}={value!r} is not in the text"
        for name, value in doc.facts.items()
        for options in _fact_phrases(value)
        if not any(option.lower() in text for option in options)
    ]


def test_chart_text_says_the_facts_each_document_states() -> None:
    missing = [m for case in _cases() for doc in case.chart for m in _check_text(doc, case.case_id)]
    assert not missing, "\n".join(missing[:20])


def _pwc_spec() -> tuple[int, dict[str, dict[str, object]]]:
    """The day gap between the face-to-face note and the written order, and the facts of every variant."""
    line = load_files_cached().service_lines["power_wheelchair"]
    days = {d.kind: d.days_before_start for d in line.documents}
    variants = {"baseline": dict(line.facts)}
    variants.update({name: {**line.facts, **over} for name, over in line.profiles.items()})
    return days["mobility_exam"] - days["written_order"], variants


@pytest.mark.parametrize("variant", sorted(_pwc_spec()[1]))
def test_power_wheelchair_date_facts_agree_with_document_dates(variant: str) -> None:
    gap, variants = _pwc_spec()
    facts = variants[variant]
    days = gap + int(facts["f2f_visit_offset_days"]) - int(facts["order_signed_offset_days"])  # type: ignore[call-overload]
    assert facts["f2f_days_before_order"] == days, variant
    assert facts["f2f_before_order"] == (days >= 0), variant


def test_power_wheelchair_order_prints_the_visit_date_of_the_examination() -> None:
    checked = 0
    for case in _cases():
        if case.order.service_line != "power_wheelchair":
            continue
        docs = {d.kind: d for d in case.chart}
        if "mobility_exam" not in docs:
            continue  # the archetype withholds the examination note
        line = load_files_cached().service_lines["power_wheelchair"]
        module = load_files_cached().modules[MODULE]
        archetype = next(a for a in module.archetypes if a.id == case.archetype_id)
        facts = {
            **line.facts,
            **(line.profiles[archetype.profile] if archetype.profile else {}),
            **archetype.facts,
        }
        exam, order = docs["mobility_exam"], docs["written_order"]
        visit: date = exam.date - timedelta(days=int(facts["f2f_visit_offset_days"]))  # type: ignore[arg-type]
        signed: date = order.date - timedelta(days=int(facts["order_signed_offset_days"]))  # type: ignore[arg-type]
        assert (signed - visit).days == order.facts["f2f_days_before_order"], case.case_id
        assert visit.isoformat() in exam.text and visit.isoformat() in order.text, case.case_id
        assert signed.isoformat() in order.text, case.case_id
        checked += 1
    assert checked
