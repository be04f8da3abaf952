"""The claim checker against hand-written charts: every expectation below is read off the chart text."""

from __future__ import annotations

import pytest

from clinical import ClaimChecker, Source

CHART = Source(
    id="doc-03",
    kind="chart",
    title="the office note (doc-03)",
    text=(
        "Progress note, 2026-09-18 - J. Smith, DO\n"
        "Ms. Doe, age 52, is seen for left-sided sciatica. Symptoms began 10 weeks ago; pain is rated 7 out of 10.\n"
        "Screening: no red flags (denies saddle numbness, urinary retention or incontinence, fever). "
        "No signs of myelopathy. Prior lumbar surgery: none.\n"
        "Treatment so far: 8 weeks of physical therapy (14 visits), naproxen 500 mg twice daily, and one "
        "interlaminar epidural steroid injection; conservative care failed.\n"
        "Exam: positive straight-leg raise at 30 degrees on the left."
    ),
)
PATHOLOGY = Source(
    id="doc-04",
    kind="chart",
    title="the pathology report (doc-04)",
    text="SURGICAL PATHOLOGY - 2026-09-07. Right hilar lymph node measuring 2.1 cm. Clinical stage IIB.",
)


@pytest.fixture(scope="module")
def checker() -> ClaimChecker:
    return ClaimChecker([CHART, PATHOLOGY], "lumbar_mri")


def verdicts(checker: ClaimChecker, text: str) -> dict[str, str]:
    return {f.claim.surface.lower(): f.verdict for f in checker.check(text)}


def test_a_claim_the_chart_denies_is_contradicted_with_the_chart_passage_quoted(
    checker: ClaimChecker,
) -> None:
    (finding,) = [f for f in checker.check("Exam shows myelopathy.") if f.claim.concept == "myelopathy"]
    assert finding.verdict == "contradicted"
    assert finding.evidence is not None and finding.evidence.source_id == "doc-03"
    assert "No signs of myelopathy" in finding.message and "Exam shows myelopathy." in finding.message


def test_a_negation_the_chart_also_states_is_supported(checker: ClaimChecker) -> None:
    v = verdicts(checker, "No red flags. She denies bowel or bladder change. No prior lumbar surgery.")
    assert v["red flags"] == "supported"
    assert v["bowel or bladder"] == "supported"
    assert v["prior lumbar surgery"] == "supported"


def test_a_red_flag_the_chart_screened_negative_is_contradicted(checker: ClaimChecker) -> None:
    v = verdicts(checker, "The patient reports saddle anesthesia and fever.")
    assert v["saddle anesthesia"] == "contradicted"
    assert v["fever"] == "contradicted"


def test_durations_compare_by_value_after_number_words_and_abbreviations(checker: ClaimChecker) -> None:
    assert verdicts(checker, "Completed PT x8 wks.")["8 weeks"] == "supported"
    assert verdicts(checker, "She completed eight weeks of physical therapy.")["8 weeks"] == "supported"
    assert verdicts(checker, "She completed 56 days of physical therapy.")["56 days"] == "supported"
    assert verdicts(checker, "She completed 12 weeks of physical therapy.")["12 weeks"] == "contradicted"


def test_scores_sizes_stages_and_doses(checker: ClaimChecker) -> None:
    assert verdicts(checker, "Pain 7/10.")["7/10"] == "supported"
    assert verdicts(checker, "Pain is seven out of ten.")["7/10"] == "supported"
    assert verdicts(checker, "Pain 9/10.")["9/10"] == "contradicted"
    assert verdicts(checker, "Oswestry 42.")["42"] == "unsupported"
    assert verdicts(checker, "The node measures 2.3 cm.")["2.3 cm"] == "contradicted"
    assert verdicts(checker, "The node measures 2.1 cm.")["2.1 cm"] == "supported"
    assert verdicts(checker, "Clinical stage IIIA.")["stage iiia"] == "contradicted"
    assert verdicts(checker, "Clinical stage IIB.")["stage iib"] == "supported"
    assert verdicts(checker, "Naproxen 500 mg twice daily.")["500 mg"] == "supported"
    assert verdicts(checker, "Naproxen 750 mg twice daily.")["750 mg"] == "contradicted"
    assert verdicts(checker, "Gabapentin 300 mg three times daily.")["300 mg"] == "unsupported"


def test_therapies_the_chart_never_mentions_are_unsupported(checker: ClaimChecker) -> None:
    v = verdicts(checker, "She also had a steroid taper, acupuncture and an EMG.")
    assert v == {"steroid taper": "unsupported", "acupuncture": "unsupported", "emg": "unsupported"}
    v = verdicts(checker, "She had an ESI and took an NSAID.")
    assert v["epidural steroid injection"] == "supported"
    assert v["nsaid"] == "supported"  # naproxen is an NSAID


def test_partial_dates_match_the_full_chart_date(checker: ClaimChecker) -> None:
    assert verdicts(checker, "Seen on 09/18.")["09/18"] == "supported"
    assert verdicts(checker, "Seen on Sept 18.")["september 18"] == "supported"
    assert verdicts(checker, "Seen on 9/18/2026.")["9/18/2026"] == "supported"
    assert verdicts(checker, "Seen on 09/19.")["09/19"] == "unsupported"


def test_thresholds_and_plans_are_not_claims(checker: ClaimChecker) -> None:
    text = (
        "The policy requires at least 6 weeks of conservative care. "
        "Plan: EMG in 2 weeks; she will start acupuncture if pain persists."
    )
    assert checker.check(text) == []


def test_regulations_and_references_in_any_format_need_a_source(checker: ClaimChecker) -> None:
    text = "Per 42 CFR 422.568 and [NCD-220.2.1], see [AETNA-CPB-0236] and LKS-MRI-001.2."
    found = {f.claim.kind: f.verdict for f in checker.check(text)}
    assert found == {"regulation": "unsupported", "reference": "unsupported"}
    assert len([f for f in checker.check(text) if f.claim.kind == "reference"]) == 3
    policy = Source(
        id="LKS-MRI-001.2",
        kind="policy",
        text="Criterion 2. Appeals follow 42 CFR 422.568 timeframes.",
    )
    with_policy = checker.with_sources([policy])
    assert verdicts(with_policy, "Per 42 CFR 422.568 [LKS-MRI-001.2].") == {
        "42 cfr 422.568": "supported",
        "lks-mri-001.2": "supported",
    }


def test_pasted_policy_text_is_reported_as_policy_text(checker: ClaimChecker) -> None:
    wording = (
        "Conservative care of at least six weeks, including physical therapy and anti-inflammatory "
        "medication, must have been tried and failed before advanced imaging is covered."
    )
    policy = Source(id="LKS-MRI-001.1", kind="policy", text=wording)
    pasted = checker.with_sources([policy]).check(wording)
    assert pasted and all(f.verdict == "policy_text" for f in pasted)
    assert checker.policy_text_share(wording, [wording]) == 1.0
    own_words = "She finished eight weeks of physical therapy and naproxen without relief."
    assert checker.policy_text_share(own_words, [wording]) == 0.0
    assert all(f.verdict == "supported" for f in checker.with_sources([policy]).check(own_words))


def test_partial_dates_two_digit_years_and_short_units_are_read_as_written(checker: ClaimChecker) -> None:
    """Found by the grader on hand-written attempts: "9/18" read as a score, "04/11/54" as 2054, "deg"."""
    v = verdicts(checker, "Seen 9/18 for sciatica. SLR positive at 30 deg on the left.")
    assert v["9/18"] == "supported"
    assert v["30 deg"] == "supported"
    assert verdicts(checker, "Seen 9/19 for sciatica.")["9/19"] != "supported"
    dob = ClaimChecker([Source(id="case", kind="case", text="Patient DOB 1954-04-11.")], "lumbar_mri")
    assert verdicts(dob, "DOB 04/11/54.")["04/11/54"] == "supported"


def test_a_dose_written_without_its_unit_is_the_charts_dose(checker: ClaimChecker) -> None:
    assert verdicts(checker, "Naproxen 500 BID failed.")["500"] == "supported"
    assert verdicts(checker, "Naproxen 750 BID failed.")["750"] != "supported"


def test_a_limit_in_a_code_descriptor_is_not_a_value_the_record_states() -> None:
    # the H0015 descriptor's "at least 3 hours a day, 3 days a week" is a floor, so the plan's own
    # "4 days/week" is the one rate in the record and a different rate contradicts it
    plan = Source(
        id="doc-04",
        kind="chart",
        title="the treatment plan (doc-04)",
        text="Planned intensity: 4 days/week x 3 hours/day = 12 hours/week; expected length 8 weeks.",
    )
    record = Source(
        id="case",
        kind="case",
        title="the case record",
        text="Procedure H0015 (intensive outpatient (at least 3 hours a day, 3 days a week)) x 32 units.",
    )
    (finding,) = [
        f for f in ClaimChecker([plan, record], "sud_iop").check("IOP 10 days a week.") if f.claim.unit
    ]
    assert finding.verdict == "contradicted"
    assert finding.evidence is not None and finding.evidence.source_id == "doc-04"


# Hand-written sentences against the hand-written CHART above (2026-09-18 visit, pain 7/10, 8 weeks PT,
# no acupuncture or EMG anywhere in it).
def test_a_visit_verb_makes_a_partial_date_a_date_not_a_score(checker: ClaimChecker) -> None:
    v = verdicts(checker, "Seen 9/18: pain 7/10.")
    assert v["9/18"] == "supported"  # the visit day, not a 9-of-18 score against "7 out of 10"
    assert v["7/10"] == "supported"
    assert verdicts(checker, "Seen 9/19: pain 7/10.")["9/19"] == "unsupported"  # no visit that day


def test_a_therapy_said_not_to_have_happened_needs_no_source_but_is_read_against_the_chart(
    checker: ClaimChecker,
) -> None:
    assert verdicts(checker, "No acupuncture course was done.")["acupuncture"] == "supported"
    assert verdicts(checker, "She never had any EMG.")["emg"] == "supported"
    # the chart records 8 weeks of physical therapy: denying it is a contradiction
    assert verdicts(checker, "No physical therapy was done.")["physical therapy"] == "contradicted"


def test_a_deferral_followed_by_a_modal_is_a_hypothetical_not_a_claim(checker: ClaimChecker) -> None:
    assert checker.check("Waiting 5 days could cost her the recovery of the leg.") == []
    assert checker.check("Delaying the scan 3 weeks might let the deficit progress.") == []
    # without a modal it is a fact about the past: 5 days has no source in the chart
    v = verdicts(checker, "After waiting 5 days, the pain persisted.")
    assert v["5 days"] == "unsupported"


def test_the_order_is_what_is_asked_for_not_a_therapy_given() -> None:
    chart = Source(
        id="doc-01", kind="chart", title="the office note (doc-01)", text="Crohn disease, flaring."
    )
    order = Source(id="case", kind="case", title="the case record", text="Order: infliximab 5 mg/kg IV.")
    checker = ClaimChecker([chart, order], "infliximab")
    assert verdicts(checker, "She has never had any infliximab.")["infliximab"] == "supported"
    # a chart that records a dose given still contradicts the denial
    given = Source(
        id="doc-02", kind="chart", title="the infusion log (doc-02)", text="Infliximab given 2026-01-05."
    )
    checker = ClaimChecker([chart, order, given], "infliximab")
    assert verdicts(checker, "She has never had any infliximab.")["infliximab"] == "contradicted"


def test_a_payer_need_and_an_ask_are_not_claims(checker: ClaimChecker) -> None:
    assert checker.check("The plan needs 6 weeks of conservative care.") == []
    assert checker.check("Asking for the first 30-day block only.") == []


def test_a_plan_in_the_case_record_is_no_evidence_the_therapy_happened() -> None:
    chart = Source(id="doc-01", kind="chart", title="the office note (doc-01)", text="Sciatica for 5 weeks.")
    record = Source(
        id="case", kind="case", title="the case record", text="Plan: decide on epidural steroid injection."
    )
    checker = ClaimChecker([chart, record], "lumbar_mri")
    assert (
        verdicts(checker, "She failed an epidural steroid injection.")["epidural steroid injection"]
        == "unsupported"
    )


def test_a_therapy_after_a_negated_finding_is_not_negated(checker: ClaimChecker) -> None:
    """ "No red flags, leg pain unchanged after PT": the chart documents the therapy; the negation covers
    the red flags, not the statement that follows (issue 9, development set)."""
    v = verdicts(checker, "No red flags, leg pain unchanged after physical therapy and naproxen.")
    assert v["red flags"] == "supported"
    assert v.get("physical therapy") != "contradicted"
    assert v.get("naproxen") != "contradicted"
    v = verdicts(checker, "No relief despite physical therapy.")
    assert v.get("physical therapy") != "contradicted"


def test_a_negated_list_still_negates_each_item(checker: ClaimChecker) -> None:
    v = verdicts(checker, "She denies saddle numbness, urinary retention or fever.")
    assert "contradicted" not in v.values()
