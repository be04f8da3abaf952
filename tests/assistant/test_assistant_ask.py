"""Policy questions: answers composed from retrieved passages, every sentence cited."""

from __future__ import annotations

import re

import pytest

from assistant.appeals import AssistantInputError
from assistant.pipeline import ask

PREFIX = {"lakeshore": "LKS-", "cardinal": "CMA-", "prairie": "PSM-"}


@pytest.mark.parametrize(
    ("question", "payer", "expect_words"),
    [
        ("How many days does Lakeshore allow to file a level 1 appeal?", "lakeshore", ["180 days"]),
        ("Cardinal reconsideration filing window", "cardinal", ["60"]),
        ("When can a Prairie member ask for a state fair hearing?", "prairie", ["fair hearing"]),
        ("Prairie conservative care weeks lumbar MRI", "prairie", ["4 weeks"]),
    ],
)
def test_answers_quote_and_cite_the_retrieved_passages(
    question, payer, expect_words, asst_settings, embedding
) -> None:
    draft = ask(question, payer, settings=asst_settings, embedding=embedding)
    assert draft.kind == "answer" and draft.backend == "offline" and draft.citations
    for word in expect_words:
        assert word in draft.text
    # the payer filter holds: every source is that payer's manual or one of its policies
    assert all(c.policy_id == payer or c.policy_id.startswith(PREFIX[payer]) for c in draft.citations)
    labels = {c.label for c in draft.citations}
    bullets = [line for line in draft.text.splitlines() if line.startswith("- ")]
    assert bullets and all(re.search(r"\[([^\]]+)\]$", b).group(1) in labels for b in bullets)  # type: ignore[union-attr]
    assert draft.unsupported_facts == []


def test_a_question_the_policies_do_not_answer(asst_settings, embedding) -> None:
    draft = ask("What is the capital of France?", settings=asst_settings, embedding=embedding)
    assert draft.citations == [] and "No retrieved policy passage answers" in draft.text
    assert any("unverified" in w for w in draft.warnings)


@pytest.mark.parametrize(
    ("question", "payer", "message"),
    [
        ("", None, "question: empty"),
        ("appeals?", "acme", "payer: unknown payer"),
    ],
)
def test_bad_questions(question, payer, message, asst_settings, embedding) -> None:
    with pytest.raises(AssistantInputError, match=message):
        ask(question, payer, settings=asst_settings, embedding=embedding)
