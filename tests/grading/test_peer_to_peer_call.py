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
