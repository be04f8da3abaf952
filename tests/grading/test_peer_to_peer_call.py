"""A peer-to-peer held as a call is graded on what the trainee said (issue 16 item 4). The transcripts
are written by hand in the stored format; the expectations come from the chart of pends_appeals seed 1
(a lumbar MRI denied for LKS-MRI-001.2; doc-05, the 2026-03-04 office visit, is the follow-up
examination after physical therapy), not from the call code."""

from __future__ import annotations

from datetime import timedelta

import pytest

from grading import grade
from scenarios import generate_case
from scenarios.models import Case, PeerToPeer

# the director reads the unmet criterion back: that is the payer's wording, not the trainee's evidence
ASK = (
    "director: This is the medical director reviewing the denial under policy LKS-MRI-001. The criteria not "
    "met were: LKS-MRI-001.2. Walk me through the evidence.\n"
    "director: On LKS-MRI-001.2 -- Without a red flag, a follow-up examination after the conservative care "
    "is documented -- what in the chart shows it is met? Name the document and date.\n"
)
CLOSE = "director: Thank you. I will make the determination on what you have cited; the notice follows."


@pytest.fixture(scope="module")
def case() -> Case:
    return generate_case("pends_appeals", 1)


def _items(case: Case, answer: str, document_ids: list[str]) -> dict[str, tuple[float, float, str]]:
    call = PeerToPeer(
        at=case.sim_start + timedelta(hours=1),
        talking_points=f"{ASK}trainee: {answer}\n{CLOSE}",
        document_ids=document_ids,
    )
    report = grade(case, [call])
    assert report.path == "peer_to_peer"
    return {i.item_id: (i.points, i.max_points, i.feedback) for i in report.items}


def test_the_directors_question_earns_the_trainee_nothing(case: Case) -> None:
    items = _items(case, "She has really tried everything, doctor.", [])
    points, most, feedback = items["criterion:LKS-MRI-001.2"]
    assert (points, most) == (0, 4) and "does not show how LKS-MRI-001.2 is met" in feedback


def test_an_answer_with_the_chart_fact_is_credited(case: Case) -> None:
    answer = "The follow-up office visit on 2026-03-04 documents a re-examination after physical therapy."
    items = _items(case, answer, ["doc-03", "doc-05"])
    points, most, _ = items["criterion:LKS-MRI-001.2"]
    assert points == most
    assert not [k for k, (p, _, _) in items.items() if k.startswith("claim:") and p == 0]


def test_a_made_up_figure_is_an_unsupported_claim_quoted_without_the_speaker(case: Case) -> None:
    items = _items(case, "The patient completed 12 weeks of physical therapy.", [])
    claims = [fb for k, (p, _, fb) in items.items() if k.startswith("claim:") and p == 0]
    assert claims and "12 weeks" in claims[0]
    assert "trainee:" not in claims[0] and "director" not in claims[0]
    assert items["criterion:LKS-MRI-001.2"][0] == 0


# Conduct on the call (rubric peer_to_peer_call: courtesy, and answers of at most 80 words), judged on
# hand-written answers; the evidence in each is the same chart fact, so only conduct differs.
FACT = "The follow-up office visit on 2026-03-04 documents a re-examination after physical therapy."


def _conduct(case: Case, answer: str) -> dict[str, tuple[float, list[str]]]:
    call = PeerToPeer(
        at=case.sim_start + timedelta(hours=1),
        talking_points=f"{ASK}trainee: {answer}\n{CLOSE}",
        document_ids=["doc-05"],
    )
    report = grade(case, [call])
    return {i.item_id: (i.points, i.error_tags) for i in report.items if i.item_id.startswith("call_")}


def test_a_courteous_short_answer_earns_both_conduct_points(case: Case) -> None:
    conduct = _conduct(case, f"Good morning, doctor. {FACT} Thank you for your time.")
    assert conduct == {"call_courtesy": (1, []), "call_brevity": (1, [])}


@pytest.mark.parametrize(
    "answer",
    [
        f"This denial is ridiculous. {FACT}",  # a slight
        f"{FACT} YOU NEVER READ THE CHART properly.",  # shouting
        FACT,  # no greeting, no thanks: correct but curt
    ],
)
def test_a_slight_shouting_or_no_courtesy_at_all_loses_the_courtesy_point(case: Case, answer: str) -> None:
    conduct = _conduct(case, answer)
    assert conduct["call_courtesy"] == (0, ["discourteous_call"])


def test_codes_and_acronyms_are_not_shouting(case: Case) -> None:
    conduct = _conduct(case, f"Thank you, doctor. {FACT} The MRI CPT code is unchanged.")
    assert conduct["call_courtesy"] == (1, [])


def test_an_answer_over_80_words_loses_the_brevity_point(case: Case) -> None:
    rambling = (
        "Thank you, doctor. Let me start from the beginning, because there is a lot of background here that "
        "I think matters, and I want to be sure you have the whole picture before we get to the point of "
        "the call, which is about the examination, and about the therapy before it, and about how the "
        "patient has been doing over all these weeks since the first visit, which was quite a while ago "
        f"now, and honestly everyone has been very worried about her. {FACT}"
    )
    assert len(rambling.split()) > 80
    assert _conduct(case, rambling)["call_brevity"] == (0, ["long_call_answer"])


def test_notes_written_for_a_peer_to_peer_held_elsewhere_have_no_conduct_items(case: Case) -> None:
    notes = PeerToPeer(at=case.sim_start + timedelta(hours=1), talking_points=FACT, document_ids=["doc-05"])
    assert not [i for i in grade(case, [notes]).items if i.item_id.startswith("call_")]
