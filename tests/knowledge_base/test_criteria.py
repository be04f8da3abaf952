"""The criteria language, operator by operator: met / not met / not evidenced (table-driven), plus the
three-valued logic of all/any/not, validation of unknown operators, and the vocabulary export."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from knowledge_base.criteria import OPERATORS, DocumentRef, Evidence, Fact, Rule, export_vocabulary

AS_OF = date(2026, 3, 2)
RULE = TypeAdapter(Rule)


def evidence(
    *,
    facts: dict[str, Any] | None = None,
    docs: list[tuple[str, str, date]] | None = None,
    dx: list[str] | None = None,
    px: list[str] | None = None,
) -> Evidence:
    ev = Evidence(diagnosis_codes=dx or [], procedure_codes=px or [])
    for name, value in (facts or {}).items():
        ev.add(Fact(name=name, value=value, document_id="doc-1", document_date=date(2026, 2, 1)))
    for doc_id, kind, day in docs or []:
        ev.documents.append(DocumentRef(id=doc_id, kind=kind, date=day))
    return ev


# (rule, evidence, expected status); one block per operator, each with its met / not_met / not_evidenced rows
# fmt: off
CASES: list[tuple[str, dict, Evidence, str]] = [
    # gte
    ("gte met", {"op": "gte", "fact": "ahi", "value": 15}, evidence(facts={"ahi": 15}), "met"),
    ("gte not met", {"op": "gte", "fact": "ahi", "value": 15}, evidence(facts={"ahi": 14.9}), "not_met"),
    ("gte not evidenced", {"op": "gte", "fact": "ahi", "value": 15}, evidence(), "not_evidenced"),
    ("gte wrong type", {"op": "gte", "fact": "ahi", "value": 15}, evidence(facts={"ahi": "high"}), "not_met"),
    # gt
    ("gt met", {"op": "gt", "fact": "bmi", "value": 40}, evidence(facts={"bmi": 40.1}), "met"),
    ("gt not met", {"op": "gt", "fact": "bmi", "value": 40}, evidence(facts={"bmi": 40}), "not_met"),
    ("gt not evidenced", {"op": "gt", "fact": "bmi", "value": 40}, evidence(), "not_evidenced"),
    # lte
    ("lte met", {"op": "lte", "fact": "field_deg", "value": 30}, evidence(facts={"field_deg": 30}), "met"),
    ("lte not met", {"op": "lte", "fact": "field_deg", "value": 30}, evidence(facts={"field_deg": 31}), "not_met"),
    ("lte not evidenced", {"op": "lte", "fact": "field_deg", "value": 30}, evidence(), "not_evidenced"),
    # lt
    ("lt met", {"op": "lt", "fact": "ahi", "value": 15}, evidence(facts={"ahi": 14}), "met"),
    ("lt not met", {"op": "lt", "fact": "ahi", "value": 15}, evidence(facts={"ahi": 15}), "not_met"),
    ("lt not evidenced", {"op": "lt", "fact": "ahi", "value": 15}, evidence(), "not_evidenced"),
    # eq
    ("eq met", {"op": "eq", "fact": "kl_grade", "value": 4}, evidence(facts={"kl_grade": 4}), "met"),
    ("eq not met", {"op": "eq", "fact": "kl_grade", "value": 4}, evidence(facts={"kl_grade": 3}), "not_met"),
    ("eq not evidenced", {"op": "eq", "fact": "kl_grade", "value": 4}, evidence(), "not_evidenced"),
    # in
    ("in met", {"op": "in", "fact": "spec", "values": ["ortho", "neuro"]}, evidence(facts={"spec": "neuro"}), "met"),
    ("in met (list fact)", {"op": "in", "fact": "mods", "values": ["RR"]}, evidence(facts={"mods": ["KX", "RR"]}), "met"),
    ("in not met", {"op": "in", "fact": "spec", "values": ["ortho"]}, evidence(facts={"spec": "family"}), "not_met"),
    ("in not evidenced", {"op": "in", "fact": "spec", "values": ["ortho"]}, evidence(), "not_evidenced"),
    # documented
    ("documented met", {"op": "documented", "fact": "red_flag"}, evidence(facts={"red_flag": True}), "met"),
    ("documented met (text)", {"op": "documented", "fact": "kind"}, evidence(facts={"kind": "saddle"}), "met"),
    ("documented not met", {"op": "documented", "fact": "red_flag"}, evidence(facts={"red_flag": False}), "not_met"),
    ("documented not met (empty)", {"op": "documented", "fact": "kind"}, evidence(facts={"kind": ""}), "not_met"),
    ("documented not evidenced", {"op": "documented", "fact": "red_flag"}, evidence(), "not_evidenced"),
    # has_code (the request always states its codes: never not evidenced)
    ("has_code met (prefix)", {"op": "has_code", "codes": ["M54.1"]}, evidence(dx=["M54.16"]), "met"),
    ("has_code met (no dot)", {"op": "has_code", "codes": ["G47.33"]}, evidence(dx=["G4733"]), "met"),
    ("has_code not met", {"op": "has_code", "codes": ["G47.33"]}, evidence(dx=["M54.16"]), "not_met"),
    ("has_code procedure", {"op": "has_code", "on": "procedure", "codes": ["72149"]}, evidence(px=["72149"]), "met"),
    ("has_code procedure not met", {"op": "has_code", "on": "procedure", "codes": ["72149"]}, evidence(px=["72148"]), "not_met"),
    # document_within
    ("document_within met", {"op": "document_within", "kind": "sleep_study", "days": 365},
     evidence(docs=[("s1", "sleep_study", date(2025, 6, 1))]), "met"),
    ("document_within not met (old)", {"op": "document_within", "kind": "sleep_study", "days": 30},
     evidence(docs=[("s1", "sleep_study", date(2025, 6, 1))]), "not_met"),
    ("document_within not met (future)", {"op": "document_within", "kind": "sleep_study", "days": 30},
     evidence(docs=[("s1", "sleep_study", date(2026, 3, 3))]), "not_met"),
    ("document_within not evidenced", {"op": "document_within", "kind": "sleep_study", "days": 30},
     evidence(docs=[("o1", "office_note", date(2026, 3, 1))]), "not_evidenced"),
    # within_days
    ("within_days met", {"op": "within_days", "fact": "tb_date", "days": 365}, evidence(facts={"tb_date": "2025-04-01"}), "met"),
    ("within_days not met", {"op": "within_days", "fact": "tb_date", "days": 365}, evidence(facts={"tb_date": "2024-12-01"}), "not_met"),
    ("within_days bad date", {"op": "within_days", "fact": "tb_date", "days": 365}, evidence(facts={"tb_date": "soon"}), "not_met"),
    ("within_days not evidenced", {"op": "within_days", "fact": "tb_date", "days": 365}, evidence(), "not_evidenced"),
    # all
    ("all met", {"op": "all", "of": [{"op": "documented", "fact": "a"}, {"op": "documented", "fact": "b"}]},
     evidence(facts={"a": True, "b": True}), "met"),
    ("all not met beats missing", {"op": "all", "of": [{"op": "documented", "fact": "a"}, {"op": "documented", "fact": "b"}]},
     evidence(facts={"a": False}), "not_met"),
    ("all not evidenced", {"op": "all", "of": [{"op": "documented", "fact": "a"}, {"op": "documented", "fact": "b"}]},
     evidence(facts={"a": True}), "not_evidenced"),
    # any
    ("any met beats missing", {"op": "any", "of": [{"op": "documented", "fact": "a"}, {"op": "documented", "fact": "b"}]},
     evidence(facts={"b": True}), "met"),
    ("any not met", {"op": "any", "of": [{"op": "documented", "fact": "a"}, {"op": "documented", "fact": "b"}]},
     evidence(facts={"a": False, "b": False}), "not_met"),
    ("any not evidenced", {"op": "any", "of": [{"op": "documented", "fact": "a"}, {"op": "documented", "fact": "b"}]},
     evidence(facts={"a": False}), "not_evidenced"),
    # not
    ("not met", {"op": "not", "rule": {"op": "documented", "fact": "a"}}, evidence(facts={"a": False}), "met"),
    ("not not met", {"op": "not", "rule": {"op": "documented", "fact": "a"}}, evidence(facts={"a": True}), "not_met"),
    ("not not evidenced", {"op": "not", "rule": {"op": "documented", "fact": "a"}}, evidence(), "not_evidenced"),
]
# fmt: on


@pytest.mark.parametrize(("label", "rule", "ev", "expected"), CASES, ids=[c[0] for c in CASES])
def test_operator(label: str, rule: dict, ev: Evidence, expected: str) -> None:
    assert RULE.validate_python(rule).evaluate(ev, AS_OF).status == expected


def test_every_operator_has_met_not_met_and_not_evidenced_rows() -> None:
    seen: dict[str, set[str]] = {}
    for _, rule, _ev, expected in CASES:
        seen.setdefault(rule["op"], set()).add(expected)
    assert set(seen) == set(OPERATORS)
    for op, statuses in seen.items():
        wanted = {"met", "not_met"} if op == "has_code" else {"met", "not_met", "not_evidenced"}
        assert wanted <= statuses, op


def test_results_cite_documents_and_missing_facts() -> None:
    rule = RULE.validate_python(
        {
            "op": "all",
            "of": [{"op": "gte", "fact": "weeks", "value": 6}, {"op": "documented", "fact": "failed"}],
        }
    )
    out = rule.evaluate(evidence(facts={"weeks": 8}), AS_OF)
    assert out.status == "not_evidenced"
    assert out.document_ids == ["doc-1"]
    assert out.missing == ["failed"]
    assert rule.facts_used() == {"weeks", "failed"}


def test_latest_statement_wins_and_request_facts_rank_first() -> None:
    ev = Evidence()
    ev.add(Fact(name="weeks", value=3, document_id="old", document_date=date(2026, 1, 1)))
    ev.add(Fact(name="weeks", value=8, document_id="new", document_date=date(2026, 2, 1)))
    rule = RULE.validate_python({"op": "gte", "fact": "weeks", "value": 6})
    assert rule.evaluate(ev, AS_OF).document_ids == ["new"]
    ev.add(Fact(name="weeks", value=1))  # the request itself: no document
    assert rule.evaluate(ev, AS_OF).status == "not_met"


@pytest.mark.parametrize(
    "bad",
    [
        {"op": "documnted", "fact": "x"},  # unknown operator
        {"op": "gte", "fact": "x"},  # missing value
        {"op": "all", "of": []},  # empty group
        {"op": "documented", "fact": "x", "extra": 1},  # unknown key
        {"op": "document_within", "kind": "x", "days": -1},
    ],
)
def test_invalid_rules_are_rejected_when_loaded(bad: dict) -> None:
    with pytest.raises(ValidationError):
        RULE.validate_python(bad)


def test_vocabulary_lists_every_operator_with_its_yaml_form() -> None:
    vocab = export_vocabulary()
    assert [row["op"] for row in vocab] == list(OPERATORS)
    assert all("{op: " + row["op"] in row["doc"] for row in vocab)


@given(st.booleans(), st.sampled_from([None, True, False]))
def test_not_is_an_involution(a: bool, b: bool | None) -> None:
    facts: dict[str, Any] = {"a": a}
    if b is not None:
        facts["b"] = b
    inner = {"op": "any", "of": [{"op": "documented", "fact": "a"}, {"op": "documented", "fact": "b"}]}
    twice = RULE.validate_python({"op": "not", "rule": {"op": "not", "rule": inner}})
    ev = evidence(facts=facts)
    assert twice.evaluate(ev, AS_OF).status == RULE.validate_python(inner).evaluate(ev, AS_OF).status
