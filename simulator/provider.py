"""The ordering office's reply to a provider query, simulated from the case's scenario archetype.

The office answers from what its chart really holds, as the archetype declares it (the answer key's
criteria outcome and the documents the archetype withholds): a criterion the chart does not meet is
"not done", a withheld document is "not in our file, asked for", a criterion that is met is "already
in the chart you have". It never invents a document, so the case (and its answer key) stay as they are.

The reply arrives a few hours after the query, deterministically from ``(module, seed)``: the same case
and the same query always get the same reply at the same simulated time.
"""

from __future__ import annotations

import zlib
from datetime import timedelta

from knowledge_base.loader import Library
from knowledge_base.models import Policy
from scenarios.content import load_modules
from scenarios.models import Case, ProviderQuery
from simulator.models import ProviderAnswer, ProviderReply

# The office answers within a working day: 2 to 24 hours after the query (chosen from the case id).
REPLY_HOURS = (2, 24)


def reply_delay(case_id: str) -> timedelta:
    """How long the ordering office takes to answer a query on ``case_id`` (the same for every run).

    >>> reply_delay("advanced_imaging:1") == reply_delay("advanced_imaging:1")
    True
    >>> REPLY_HOURS[0] <= reply_delay("advanced_imaging:1").total_seconds() / 3600 <= REPLY_HOURS[1]
    True
    """
    low, high = REPLY_HOURS
    return timedelta(hours=low + zlib.crc32(case_id.encode("utf-8")) % (high - low + 1))


def _withheld(case: Case) -> list[str]:
    module = load_modules().get(case.module_id)
    archetype = next((a for a in module.archetypes if a.id == case.archetype_id), None) if module else None
    return list(archetype.withhold_documents) if archetype else []


def provider_reply(case: Case, query: ProviderQuery, *, library: Library) -> ProviderReply:
    """What the ordering provider's office answers to ``query``.

    >>> from scenarios import generate_case
    >>> from knowledge_base.loader import load_library
    >>> case = generate_case("advanced_imaging", 2)  # 3 weeks of therapy where the policy asks 6
    >>> query = case.answer_key.reference_actions[-1]
    >>> reply = provider_reply(case, query, library=load_library())
    >>> [a.answer for a in reply.answers]
    ['not_done']
    """
    key = case.answer_key
    policy: Policy | None = library.policy_for(case.coverage.payer_id, case.order.service_line)
    texts = {c.id: c.text for c in policy.criteria} if policy else {}
    office = case.ordering_provider.display_name
    asked = set(query.criterion_ids)
    withheld = [req for req in (policy.documentation if policy else []) if req.kind in set(_withheld(case))]
    answers: list[ProviderAnswer] = []
    for cid, outcome in key.criteria_outcome.items():
        text = texts.get(cid, cid)
        if outcome == "not_met":
            answers.append(
                ProviderAnswer(
                    criterion_id=cid,
                    answer="not_done",
                    message=(
                        f"{text} This is not met: the chart you have is complete on this point and "
                        "nothing else in our records changes it (the care or finding it asks for has "
                        "not happened yet). We will reassess the patient before anything is sent."
                    ),
                )
            )
        elif outcome == "not_evidenced" and not withheld:
            answers.append(
                ProviderAnswer(
                    criterion_id=cid,
                    answer="not_on_file",
                    message=f"{text} Nothing in our records documents this beyond what the chart already holds.",
                )
            )
        elif outcome == "met" and cid in asked:
            answers.append(
                ProviderAnswer(
                    criterion_id=cid,
                    answer="documented",
                    message=f"{text} This is already documented in the chart you have.",
                )
            )
    for req in withheld:
        answers.append(
            ProviderAnswer(
                document_kind=req.kind,
                answer="held_elsewhere",
                message=(
                    f"{req.description}: not in our file. The care was given outside this office; we have "
                    "asked for the records, and the request should wait until they are in the chart."
                ),
            )
        )
    kinds = {a.answer for a in answers}
    if "not_done" in kinds:
        summary = "The chart is complete and a criterion is not met: do not send the request yet."
    elif "held_elsewhere" in kinds:
        summary = "A document the payer requires is not in our file yet; we have asked for it."
    elif "not_on_file" in kinds:
        summary = "Our records hold nothing more than the chart you have."
    else:
        summary = "The chart you have is complete; everything we hold on this order is in it."
    return ProviderReply(
        provider=office,
        sent_at=query.at,
        replied_at=query.at + reply_delay(case.case_id),
        answers=answers,
        summary=summary,
    )
