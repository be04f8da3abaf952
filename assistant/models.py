"""The assistant's output contract: a :class:`Draft` (docs/formats.md, "Draft") and the parts it is made of.

Every backend returns the same Draft. The parts that are computed (criteria, recommended documents,
code fixes, the prepared request and the simulator's pre-check) never depend on the backend; only
``text`` and ``citations`` do, and both pass the guards (:mod:`assistant.guards`) before they get here.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, get_args

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from knowledge_base.criteria import FactValue
from scenarios.models import Action, DeterminationStatus, Submission
from simulator.models import Reason

DraftKind = Literal["narrative", "appeal", "p2p", "provider_query", "answer"]
CriterionStatus = Literal["met", "not_met", "not_evidenced"]
DRAFT_KINDS: tuple[str, ...] = get_args(DraftKind)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Citation(_Model):
    """A passage the draft cites; ``label`` is what the text shows in brackets, e.g. ``[LKS-MRI-001.1]``."""

    label: str
    policy_id: str = Field(description="Policy id, or the payer id for a manual section.")
    section: str
    criterion_id: str | None = None
    chunk_id: str = Field(description="The retrieved chunk; every citation names one that was retrieved.")


class EvidenceItem(_Model):
    """One fact a criterion reads, with where the chart (or the request itself) states it."""

    fact: str
    value: FactValue
    document_id: str | None = None
    title: str | None = None
    date: dt.date | None = None
    says: str = Field(default="", description="The chart sentence that states the fact, when one does.")


class ChecklistItem(_Model):
    criterion_id: str
    text: str
    status: CriterionStatus
    evidence: list[EvidenceItem] = Field(default_factory=list)
    document_ids: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    applies: bool = True
    note: str = ""


class CodeFix(_Model):
    """A change the assistant made to the order's codes before building the request, and why."""

    field: Literal["diagnosis", "procedure", "units", "member_id"]
    original: str | None
    proposed: str | None
    reason: str


# what the prepared action sent to the simulated payer was
PrecheckAction = Literal["submission", "appeal", "peer_to_peer"]


class Precheck(_Model):
    """What the simulated payer answers to the prepared request (or appeal / peer-to-peer)."""

    action: PrecheckAction
    status: DeterminationStatus
    action_code: str | None  # HCR01; None for a rejection (AAA segments) or a dismissed appeal
    stage: str
    reasons: list[Reason] = Field(default_factory=list)
    failed_criteria: list[str] = Field(
        default_factory=list, description="Criterion ids of denial reasons only."
    )
    missing: list[str] = Field(
        default_factory=list, description="What the payer asks for (pends) or says is lacking."
    )
    summary: str


class AppealTarget(_Model):
    """The level an appeal (or peer-to-peer) goes to and its deadline, from the denial and the manual."""

    level: str
    name: str
    file_by: dt.date | None
    file_within: str
    decision_time: str
    next_level: str | None = None


class Draft(_Model):
    kind: DraftKind
    requested_kind: DraftKind
    case_id: str | None = None
    policy_id: str | None = None
    text: str
    citations: list[Citation] = Field(default_factory=list)
    # docs/formats.md calls it ``criteria``; drafts saved before the rename hold ``checklist`` and must still load
    criteria: list[ChecklistItem] = Field(
        default_factory=list,
        validation_alias=AliasChoices("criteria", "checklist"),
        description="Each criterion of the policy: status, evidence, documents, missing facts.",
    )
    recommended_document_ids: list[str] = Field(default_factory=list)
    code_fixes: list[CodeFix] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    unsupported_facts: list[str] = Field(default_factory=list)
    unsupported_claims: list[str] = Field(
        default_factory=list,
        description="Clinical claims of the text that the case and cited passages do not support "
        "(each quotes the sentence and, when contradicted, the chart passage).",
    )
    problems: list[str] = Field(
        default_factory=list,
        description="What the guards found wrong with the text itself (citations of nothing retrieved, "
        "claims or figures not in the record, verdicts, missing elements); empty when it passed them all.",
    )
    rejected_draft_problems: list[str] = Field(
        default_factory=list,
        description="Why an LLM draft was refused (after one retry) and the offline draft kept instead.",
    )
    submission: Submission | None = Field(default=None, description="The request the assistant prepared.")
    action: Action | None = Field(
        default=None,
        description="The action this draft prepares (submission, appeal, "
        "peer-to-peer or provider query), ready to hand to the simulator.",
    )
    appeal: AppealTarget | None = None
    precheck: Precheck | None = None
    backend: str = Field(description="'offline' or 'llm:<model>'")
    fallback_reason: str | None = None

    @property
    def ready_to_submit(self) -> bool:
        """Every criterion met and the pre-check certifies (approved or partially approved)."""
        return (
            self.kind in ("narrative", "appeal")
            and all(c.status == "met" for c in self.criteria)
            and self.precheck is not None
            and self.precheck.status in ("approved", "partially_approved")
        )
