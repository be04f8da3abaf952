"""Retrieval for the assistant: the policy passages a draft may cite, found through the knowledge-base index.

Every passage a draft cites comes from here, so the citation guard can check each one against the
passages that were actually retrieved. A case query is filtered to the payer and the ordered code (so
only that payer's policy for that code can answer); each criterion of the policy that the first
ranking missed is then looked up by its id (lexical ranking only, no second embedding), so a
criterion-by-criterion letter can cite every criterion it discusses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chromadb import Documents, EmbeddingFunction

from knowledge_base.embeddings import default_embedding
from knowledge_base.index import build_index, open_collection, stored_version
from knowledge_base.models import Manual, Policy
from knowledge_base.retrieval import Filters, Hit, Mode, search
from settings import Settings

CASE_K = 12
QUESTION_K = 5
# a CPT (72148) or HCPCS (E0601, H0015) code named in a question
_PROCEDURE_CODE = re.compile(r"\b(?:\d{5}|[A-Va-v]\d{4})\b")
_REQUIREMENTS = re.compile(
    r"\b(needs?|needed|requires?|required|requirements?|criteria|criterion|qualify|qualifies|"
    r"covers?|covered|coverage|documentation)\b",
    re.I,
)


def asks_requirements(question: str) -> bool:
    """'What does Cardinal need for CPAP?', 'Does Lakeshore require prior authorization for 72148?'."""
    return bool(_REQUIREMENTS.search(question))


def merge(*groups: list[Passage]) -> list[Passage]:
    """The passages of all groups in order, each chunk once (its first place wins)."""
    out: dict[str, Passage] = {}
    for group in groups:
        for p in group:
            out.setdefault(p.chunk_id, p)
    return list(out.values())


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk and the label drafts cite it by (``[LKS-MRI-001.1]``, ``[LKS-MRI-001: Timeframes]``)."""

    hit: Hit
    label: str

    @property
    def chunk_id(self) -> str:
        return self.hit.chunk_id


def label_for(hit: Hit) -> str:
    if hit.criterion_id:
        return hit.criterion_id
    if str(hit.metadata.get("kind", "policy")) == "manual":
        return f"{hit.metadata.get('payer_name', hit.payer)} manual: {hit.section}"
    return f"{hit.policy_id}: {hit.section}"


@dataclass
class Retriever:
    """Searches the index for these settings (``embedding`` defaults to the index's model)."""

    settings: Settings
    embedding: EmbeddingFunction[Documents] | None = None

    def __post_init__(self) -> None:
        self.embedding = self.embedding or default_embedding()

    def ensure_index(self) -> bool:
        """Build the index when its collection is empty; True when a build ran."""
        if stored_version(open_collection(self.settings, self.embedding)) is not None:
            return False
        build_index(self.settings, embedding=self.embedding)
        return True

    def _search(self, query: str, where: Filters, *, k: int, mode: Mode = "hybrid") -> list[Passage]:
        hits = search(
            query,
            payer=where.payer,
            code=where.code,
            k=k,
            kind=where.kind,
            service_line=where.service_line,
            mode=mode,
            settings=self.settings,
            embedding=self.embedding,
        )
        return [Passage(hit=hit, label=label_for(hit)) for hit in hits]

    def for_policy(
        self, policy: Policy, manual: Manual, codes: list[str], diagnoses: list[str]
    ) -> list[Passage]:
        """Passages of the policy the request falls under: one hybrid query, then a lexical look-up of each
        criterion's section (all its parts) and of the documentation section if the query missed it."""
        governed = next((c for c in codes if policy.code(c)), None)
        filters = (
            Filters(payer=policy.payer, code=governed)
            if governed
            else Filters(payer=policy.payer, service_line=policy.service_line)
        )
        query = (
            f"{manual.name} {policy.title} {' '.join(codes)} {' '.join(diagnoses)} medical necessity "
            "criteria required documentation"
        )
        found = {p.chunk_id: p for p in self._search(query, filters, k=CASE_K)}
        for crit in policy.criteria:
            # every part of every criterion's section: a letter quotes each criterion's numbers
            for p in self._search(f"{crit.id} {crit.text}", filters, k=4, mode="bm25"):
                if p.hit.criterion_id == crit.id:
                    found.setdefault(p.chunk_id, p)
        if not any(p.hit.section.lower().startswith("documentation") for p in found.values()):
            for p in self._search(
                "Documentation required records dated within days", filters, k=2, mode="bm25"
            ):
                if p.hit.section.lower().startswith("documentation"):
                    found.setdefault(p.chunk_id, p)
        return [p for p in found.values() if p.hit.policy_id == policy.id]

    def for_manual(self, payer: str, query: str, k: int = 4) -> list[Passage]:
        """Sections of the payer's manual (appeals, peer-to-peer) for an appeal or talking points."""
        return self._search(query, Filters(payer=payer, kind="manual"), k=k)

    def for_question(self, question: str, payer: str | None = None, k: int = QUESTION_K) -> list[Passage]:
        """The hybrid ranking for the question; when it names a procedure code, the passages of the
        policies governing that code rank first (a code is the most specific thing a question can say, and
        a policy of another service line that merely shares its words must not answer it)."""
        found = self._search(question, Filters(payer=payer), k=k)
        coded = [
            p
            for code in dict.fromkeys(_PROCEDURE_CODE.findall(question))
            for p in self._search(question, Filters(payer=payer, code=code.upper()), k=k)
        ]
        return merge(coded, found)

    def for_requirements(self, policy: Policy) -> list[Passage]:
        """What a request under ``policy`` needs: its 'Codes that need authorization' section and the first
        passage of each criterion (lexical look-ups, as for a case)."""
        filters = Filters(payer=policy.payer, service_line=policy.service_line)
        found = [
            p
            for p in self._search("Codes that need authorization", filters, k=3, mode="bm25")
            if p.hit.policy_id == policy.id and p.hit.section.lower().startswith("codes")
        ]
        for crit in policy.criteria:
            hit = next(
                (
                    p
                    for p in self._search(f"{crit.id} {crit.text}", filters, k=4, mode="bm25")
                    if p.hit.criterion_id == crit.id
                ),
                None,
            )
            if hit is not None:
                found.append(hit)
        return found
