"""Conduct on a peer-to-peer call held in the workspace: courtesy to the medical director and answers
short enough for the call (rubric ``peer_to_peer_call``; docs/grading.md § Peer-to-peer calls).

Only a call transcript is judged ("director: … / trainee: …" lines, ``simulator.peer_to_peer``): notes a
trainee wrote for a peer-to-peer held elsewhere have no turns to judge. The evidence of the answers is
graded with the narrative's criteria and claims, as for any peer-to-peer notes.
"""

from __future__ import annotations

import re
from functools import partial

from grading.context import Attempt
from grading.models import GradeItem, grade_item
from grading.rubric import CallConduct
from simulator.peer_to_peer import trainee_answers

_item = partial(grade_item, "narrative")
CITE = "Grading rubric: peer-to-peer call conduct (docs/grading.md § Peer-to-peer calls)"


def _words(text: str) -> int:
    return len(re.findall(r"\S+", text))


def _marker(text: str, markers: tuple[str, ...]) -> str | None:
    """The first marker found in ``text`` as a whole word or phrase (case-insensitive)."""
    for marker in markers:
        if re.search(rf"(?<!\w){re.escape(marker)}(?!\w)", text, re.IGNORECASE):
            return marker
    return None


def _shouting(text: str, run: int) -> str | None:
    """``run`` capitalised words of four or more letters in a row (codes such as CPT or MRI are shorter)."""
    match = re.search(rf"(?:\b[A-Z]{{4,}}\b[\s,.!?]+){{{run - 1}}}\b[A-Z]{{4,}}\b", text)
    return match.group(0) if match else None


def call_conduct_items(att: Attempt, talking_points: str) -> list[GradeItem]:
    """The courtesy and brevity items of a call transcript ([] for talking points that are not a call)."""
    rules: CallConduct | None = att.rubric.peer_to_peer_call
    answers = trainee_answers(talking_points)
    if rules is None or not answers:
        return []
    pts = att.rubric.points
    said = "\n".join(answers)
    items: list[GradeItem] = []
    slight = _marker(said, rules.discourteous) or _shouting(said, rules.shouting_words)
    polite = _marker(said, rules.courteous)
    if slight is not None:
        quote = next((a for a in answers if slight in a or slight.lower() in a.lower()), slight)
        items.append(
            _item(
                "call_courtesy",
                0,
                pts["call_courtesy"],
                f'"{slight}" on a call with the payer\'s medical director costs the goodwill the next call '
                "depends on; state the chart fact and let it carry the argument.",
                correct="Courteous and factual: thank the director, answer each question with the chart fact.",
                citation=CITE,
                tags=["discourteous_call"],
                quote=quote[:300],
            )
        )
    elif polite is None:
        items.append(
            _item(
                "call_courtesy",
                0,
                pts["call_courtesy"],
                "The call never greets or thanks the medical director; a peer-to-peer is a professional "
                "courtesy the payer grants, and a greeting and a thank-you are part of it.",
                correct='Open with a greeting or close with thanks (e.g. "Thank you for your time, doctor.").',
                citation=CITE,
                tags=["discourteous_call"],
            )
        )
    else:
        items.append(
            _item("call_courtesy", pts["call_courtesy"], pts["call_courtesy"], "Courteous to the director.")
        )
    longest = max(answers, key=_words)
    if _words(longest) > rules.max_words_per_answer:
        items.append(
            _item(
                "call_brevity",
                0,
                pts["call_brevity"],
                f"An answer ran {_words(longest)} words (the limit is {rules.max_words_per_answer}): on a call "
                "the director hears the first sentence; lead with the document, its date and the figure.",
                correct="One or two sentences per question: which document, dated when, and what it records.",
                citation=CITE,
                tags=["long_call_answer"],
                quote=" ".join(longest.split()[:30]) + " …",
            )
        )
    else:
        items.append(
            _item("call_brevity", pts["call_brevity"], pts["call_brevity"], "Answers short and to the point.")
        )
    return items
