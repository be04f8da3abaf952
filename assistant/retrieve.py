"""Retrieval for the assistant: the policy passages a draft may cite, found through the knowledge-base index.

Every passage a draft cites comes from here, so the citation guard can check each one against the
passages that were actually retrieved. A case query is filtered to the payer and the ordered code (so
only that payer's policy for that code can answer); each criterion of the policy that the first
ranking missed is then looked up by its id (lexical ranking only, no second embedding), so a
criterion-by-criterion letter can cite every criterion it discusses.
"""

from __future__ import annotations

from dataclasses import dataclass

from chromadb import Documents, EmbeddingFunction

from knowledge_base.embeddings import default_embedding
from knowledge_base.index import build_index, open_collection, stored_version
from knowledge_base.models import Manual, Policy
from knowledge_base.retrieval import Hit, search
from settings import Settings

CASE_K = 12
QUESTION_K = 5


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

    def _search(self, query: str, **filters: object) -> list[Passage]:
        hits = search(query, settings=self.settings, embedding=self.embedding, **filters)  # type: ignore[arg-type]
        return [Passage(hit=hit, label=label_for(hit)) for hit in hits]

    def for_policy(self, policy: Policy, manual: Manual, codes: list[str], diagnoses: list[str]) -> list[Passage]:
        """Passages of the policy the request falls under: one hybrid query, then a lexical look-up of each
        criterion's section (all its parts) and of the documentation section if the query missed it."""
        governed = next((c for c in codes if policy.code(c)), None)
        filters: dict[str, object] = {"payer": policy.payer}
        if governed:
            filters["code"] = governed
        else:
            filters["service_line"] = policy.service_line
        query = (f"{manual.name} {policy.title} {' '.join(codes)} {' '.join(diagnoses)} medical necessity "
                 "criteria required documentation")
        found = {p.chunk_id: p for p in self._search(query, k=CASE_K, **filters)}
        for crit in policy.criteria:
            # every part of every criterion's section: a letter quotes each criterion's numbers
            for p in self._search(f"{crit.id} {crit.text}", k=4, mode="bm25", **filters):
                if p.hit.criterion_id == crit.id:
                    found.setdefault(p.chunk_id, p)
        if not any(p.hit.section.lower().startswith("documentation") for p in found.values()):
            for p in self._search("Documentation required records dated within days", k=2, mode="bm25", **filters):
                if p.hit.section.lower().startswith("documentation"):
                    found.setdefault(p.chunk_id, p)
        return [p for p in found.values() if p.hit.policy_id == policy.id]

    def for_manual(self, payer: str, query: str, k: int = 4) -> list[Passage]:
        """Sections of the payer's manual (appeals, peer-to-peer) for an appeal or talking points."""
        return self._search(query, payer=payer, kind="manual", k=k)

    def for_question(self, question: str, payer: str | None = None, k: int = QUESTION_K) -> list[Passage]:
        return self._search(question, payer=payer, k=k)
