"""extract_claims and normalize on hand-written sentences: expectations read off each sentence."""

from __future__ import annotations

import pytest

from clinical import extract_claims, normalize


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("PT x8 wks", "physical therapy for 8 weeks"),
        ("x8wk of PT", "for 8 weeks of physical therapy"),
        ("eight weeks", "8 weeks"),
        ("nine months", "9 months"),
        ("twenty-one days", "21 days"),
        ("8/52", "8 weeks"),
        ("3 mo", "3 months"),
        ("CPAP 6.5 h/night", "CPAP 6.5 hours per night"),
        ("pain eight out of ten", "pain 8/10"),
        ("Epworth 13 of 24", "Epworth 13/24"),
        ("positive SLR, ESI x1", "positive straight-leg raise, epidural steroid injection x1"),
        ("s/p TKA, w/o contrast", "status post total knee arthroplasty, without contrast"),
        ("LKS-TKA-001.1", "LKS-TKA-001.1"),  # never inside an id
    ],
)
def test_normalize(written: str, normal: str) -> None:
    assert normalize(written) == normal


def kinds(text: str) -> list[tuple[str, str, str | None, str | None, bool]]:
    return [(c.kind, c.concept, c.value, c.unit, c.negated) for c in extract_claims(text)]


def test_every_claim_kind_is_extracted() -> None:
    found = kinds(
        "She reports saddle anesthesia. No myelopathy. Completed 8 weeks of PT (14 visits). Pain 8/10. "
        "Naproxen 500 mg; infliximab 5 mg/kg. Node 2.3 cm. Clinical stage IIIA. Seen on 09/18. "
        "Per 42 CFR 422.568 [NCD-220.2.1]. Creatinine clearance 78 mL/min."
    )
    assert ("finding", "red flag: saddle anesthesia", None, None, False) in found
    assert ("negated_finding", "myelopathy", None, None, True) in found
    assert ("therapy", "physical therapy", None, None, False) in found
    assert ("duration", "physical therapy", "8", "week", False) in found
    assert ("count", "physical therapy", "14", "visit", False) in found
    assert ("score", "pain", "8", "/10", False) in found
    assert ("dose", "naproxen", "500", "mg", False) in found
    assert ("dose", "infliximab", "5", "mg/kg", False) in found
    assert ("size", "lesion", "2.3", "cm", False) in found
    assert ("stage", "", "stage 3A", None, False) in [(k, "", v, u, n) for k, _, v, u, n in found]
    assert ("date", "", "????-09-18", None, False) in found
    assert ("regulation", "", "42 cfr 422.568", None, False) in found
    assert ("reference", "", "NCD-220.2.1", None, False) in found
    assert ("lab", "", "78", "ml/min", False) in [(k, "", v, u, n) for k, _, v, u, n in found]


def test_claims_quote_their_sentence_and_span() -> None:
    text = "Intro line. She had an EMG in 2024."
    claims = extract_claims(text)
    assert {c.sentence for c in claims} == {"She had an EMG in 2024."}
    assert all(text[c.span[0] : c.span[1]] == c.sentence for c in claims)
    assert [(c.kind, c.value) for c in claims] == [("therapy", None), ("date", "2024-??-??")]


@pytest.mark.parametrize(
    "text",
    [
        "The policy requires at least 6 weeks of conservative care.",
        "Coverage needs an AHI of 15 or more events per hour.",
        "Plan: EMG in 2 weeks and acupuncture.",
        "She will start a steroid taper if pain persists.",
        "A red flag such as saddle anesthesia bypasses the conservative-care requirement.",
        "Requested: CPT 72148 x 1, date of service 2026-10-21 is not a claim about the patient",
    ],
)
def test_thresholds_plans_and_rules_are_not_claims(text: str) -> None:
    assert [c for c in extract_claims(text) if c.kind != "date"] == []


def test_negation_scope() -> None:
    claims = extract_claims("Denies saddle numbness, urinary retention or incontinence, fever.")
    assert claims and all(c.negated for c in claims)
    claims = extract_claims("No myelopathy, but positive Spurling test.")
    assert [(c.concept, c.negated) for c in claims] == [
        ("myelopathy", True),
        ("positive spurling test", False),
    ]
    claims = extract_claims("Physical therapy with no improvement.")
    assert [(c.concept, c.negated) for c in claims] == [("physical therapy", False)]
    claims = extract_claims("Prior lumbar surgery: none.")
    assert [(c.concept, c.negated) for c in claims] == [("prior spine surgery", True)]


def test_a_rule_named_in_an_aside_leaves_the_patients_figures_claims() -> None:
    text = "Knee pain for 14 months (more than the 3 months the policy requires), rated 8/10 with walking."
    surfaces = [c.surface for c in extract_claims(text)]
    assert "8/10" in surfaces and "14 months" in surfaces
    assert "3 months" not in surfaces  # the aside's threshold is still no claim
    assert extract_claims("The policy requires at least 3 months of knee pain.") == []
