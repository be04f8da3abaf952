"""The false-flag check of the claim checker: the offline drafter writes only what the case states, so
every draft it writes, of every kind, for every module, must check clean (no unsupported or
contradicted claim). A flag here is a checker bug or a drafter that invents; both are worth knowing."""

from __future__ import annotations

import pytest

from assistant.appeals import AssistantInputError
from assistant.drafters import OfflineDrafter
from assistant.pipeline import draft_case
from scenarios import generate_case, module_ids

MODULES = module_ids()


@pytest.mark.parametrize("module", MODULES)
def test_offline_drafts_check_clean(module, asst_settings, embedding, library) -> None:
    drafted = 0
    for seed in range(3):
        case = generate_case(module, seed)
        for kind in ("narrative", "appeal", "p2p", "provider_query"):
            try:
                draft = draft_case(
                    case, kind, settings=asst_settings, embedding=embedding, library=library,
                    drafter=OfflineDrafter(), draft_anyway=True,  # a no-auth case's override draft too
                )  # fmt: skip
            except AssistantInputError:
                continue  # e.g. an appeal where nothing was denied
            drafted += 1
            assert draft.unsupported_claims == [], (case.case_id, kind, draft.unsupported_claims)
            assert draft.unsupported_facts == [], (case.case_id, kind)
            flagged = [
                w for w in draft.warnings if w.startswith(("Claim ", "Verdict", "Placeholder", "Incomplete"))
            ]
            assert flagged == [], (case.case_id, kind, flagged)
    assert drafted >= 3
