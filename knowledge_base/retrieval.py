"""Hybrid retrieval over the policy index: BM25 (rank-bm25, in process) fused with Chroma's dense results.

Local Chroma has no lexical search, so BM25 runs here over the same chunks the collection holds (read
back from the collection, so both rankers always see one set), and the two rankings are merged by
reciprocal-rank fusion (``sum 1 / (60 + rank)``); identifiers written in the question (a criterion id such
as ``CMA-CPAP-001.1``, a CPT/HCPCS code a policy governs) add a third ranking of the chunks they name. The chunk list and the BM25 model are cached per
index version (a fingerprint the build stores on the collection), so they are built once per process
and rebuilt only after the index changes. Filters (payer, code, kind, service line) apply to both.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from chromadb import Documents, EmbeddingFunction
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import BaseModel, ConfigDict, Field
from rank_bm25 import BM25Okapi

from knowledge_base.chunks import Chunk
from knowledge_base.embeddings import MiniLMEmbedding, default_embedding
from knowledge_base.index import build_index, location, open_collection, stored_version
from knowledge_base.loader import CONTENT_ROOT, load_library
from settings import Settings

RRF_K = 60
CANDIDATES = 50  # depth of each ranking that goes into the fusion
Mode = Literal["hybrid", "bm25", "dense"]

# Codes stay whole: 72148, E0601, M54.16, CMA-CPAP-001.1 are single tokens (their parts are added too).
_TOKEN = re.compile(r"[a-z0-9]+(?:[.\-/][a-z0-9]+)*")
_ICD = re.compile(r"[a-z]\d{2}\.[a-z0-9]+")
_CRITERION_ID = re.compile(r"\b([A-Z]{3}-[A-Z0-9]+-\d{3}\.\d+)\b", re.IGNORECASE)
_STOP = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "being",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "should",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "am",
        "any",
        "about",
        "also",
        "per",
        "via",
    }
)


class Hit(BaseModel):
    """One retrieved passage with where it comes from; ``score`` is the fused RRF score in hybrid mode."""

    chunk_id: str
    policy_id: str
    payer: str
    section: str
    criterion_id: str | None = None
    score: float
    text: str
    metadata: dict[str, str | int | float] = Field(default_factory=dict)


def _stem(token: str) -> str:
    """Fold plurals so 'appeals'/'appeal' and 'therapies'/'therapy' match; codes are left alone."""
    if not token.isalpha() or len(token) <= 3:
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def tokenize(text: str) -> list[str]:
    """Lowercase BM25 tokens. A compound token (``m54.16``, ``cma-cpap-001``, ``peer-to-peer``) is kept
    whole and its word parts are added, so a query can match either the code or its words; an ICD-10
    code also adds its category (``m54``)."""
    out: list[str] = []
    for raw in _TOKEN.findall(text.lower()):
        if raw in _STOP:
            continue
        out.append(_stem(raw))
        if _ICD.fullmatch(raw):
            out.append(raw.split(".", 1)[0])
        elif "-" in raw or "/" in raw:
            out.extend(_stem(p) for p in re.split(r"[.\-/]", raw) if p and p not in _STOP and not p.isdigit())
    return out


def _norm_code(code: str) -> str:
    return code.strip().upper().replace(".", "")


def code_matches(chunk: Chunk, code: str) -> bool:
    """A chunk matches a code when its policy lists it: a governed CPT/HCPCS code, or an ICD-10-CM code
    that starts with one of the policy's supporting diagnosis codes or prefixes (dots ignored)."""
    want = _norm_code(code)
    if want in (_norm_code(c) for c in chunk.codes):
        return True
    return any(want.startswith(_norm_code(d)) for d in chunk.diagnoses)


class Filters(BaseModel):
    model_config = ConfigDict(frozen=True)
    payer: str | None = None
    code: str | None = None
    kind: str | None = None
    service_line: str | None = None

    def accepts(self, chunk: Chunk) -> bool:
        return (
            (self.payer is None or chunk.payer == self.payer)
            and (self.kind is None or chunk.kind == self.kind)
            and (self.service_line is None or chunk.service_line == self.service_line)
            and (self.code is None or code_matches(chunk, self.code))
        )


class HybridIndex:
    """The chunks of one index version, their BM25 model, and the collection for dense queries."""

    def __init__(self, settings: Settings, embedding: EmbeddingFunction[Documents], version: str):
        self.embedding = embedding
        self.collection = open_collection(settings, embedding)
        self.version = version
        got = self.collection.get(include=["documents", "metadatas"])
        rows = sorted(zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True))
        self.chunks = [Chunk.from_stored(cid, doc, dict(meta or {})) for cid, doc, meta in rows]
        self.documents = {c.id: doc for c, (_, doc, _) in zip(self.chunks, rows, strict=True)}
        self.by_id = {c.id: c for c in self.chunks}
        self.position = {c.id: i for i, c in enumerate(self.chunks)}
        if not self.chunks:
            raise LookupError("the index is empty: run `python -m knowledge_base build`")
        self.bm25 = BM25Okapi([tokenize(self.documents[c.id]) for c in self.chunks])

    def bm25_ranking(self, query: str, allowed: list[int], depth: int) -> list[tuple[str, float]]:
        tokens = tokenize(query)
        if not tokens or not allowed:
            return []
        scores = self.bm25.get_batch_scores(tokens, allowed)
        ranked = sorted(zip(allowed, scores, strict=True), key=lambda p: (-p[1], p[0]))
        return [(self.chunks[i].id, float(s)) for i, s in ranked[:depth] if s > 0]

    def dense_ranking(
        self, query: str, allowed: list[int], filters: Filters, depth: int
    ) -> list[tuple[str, float]]:
        if not allowed:
            return []
        where = _where(filters, [self.chunks[i] for i in allowed])
        vector = self.embedding([query])
        got = self.collection.query(
            query_embeddings=vector,
            n_results=min(depth, len(allowed)),
            # chromadb's Where is a recursive TypedDict of operator dicts; _where builds the same shape
            # as plain dicts, which the stub cannot match (tests/knowledge_base/test_retrieval.py runs it)
            where=where,  # type: ignore[arg-type]
            include=["distances"],
        )
        ids, dists = got["ids"][0], (got["distances"] or [[]])[0]
        # cosine distance → similarity; ids the cache does not know (a concurrent rebuild) are skipped
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, dists, strict=True) if cid in self.by_id]

    def identifier_ranking(
        self, query: str, allowed: list[int], lexical: list[tuple[str, float]]
    ) -> list[tuple[str, float]]:
        """Chunks the question names by identifier: first the sections of a criterion id it quotes (as a
        denial letter does), then the chunks of the policies that govern a CPT/HCPCS code it names, in
        BM25 order.

        The sentence encoder cannot tell ``CMA-CPAP-001.1`` from ``.4`` or read ``27447`` as a knee, so
        in a two-way fusion its ranking can cancel BM25's exact match; this third ranking keeps the
        exact identifier decisive without filtering anything out.
        """
        # only tokens with a digit: CPT/HCPCS codes all carry one, and a plain word must never match a code
        tokens = {t.upper() for t in _TOKEN.findall(query.lower()) if any(ch.isdigit() for ch in t)}
        named = {m.upper() for m in _CRITERION_ID.findall(query)}
        first = [self.chunks[i].id for i in allowed if self.chunks[i].criterion_id in named]
        coded = {i for i in allowed if tokens & set(self.chunks[i].codes)}
        order = {cid: r for r, (cid, _) in enumerate(lexical)}
        rest = sorted(
            (self.chunks[i].id for i in coded),
            key=lambda cid: (order.get(cid, len(order)), self.position[cid]),
        )
        seen = set(first)
        return [(cid, 1.0) for cid in first + [c for c in rest if c not in seen]]

    def search(
        self, query: str, filters: Filters, k: int = 5, mode: Mode = "hybrid", depth: int = CANDIDATES
    ) -> list[Hit]:
        if filters == Filters():
            allowed = list(range(len(self.chunks)))
        else:
            allowed = [i for i, c in enumerate(self.chunks) if filters.accepts(c)]
        rankings: list[list[tuple[str, float]]] = []
        if mode in ("hybrid", "bm25"):
            rankings.append(self.bm25_ranking(query, allowed, depth))
        if mode in ("hybrid", "dense"):
            rankings.append(self.dense_ranking(query, allowed, filters, depth))
        if mode == "hybrid":
            rankings.append(self.identifier_ranking(query, allowed, rankings[0])[:depth])
            fused: dict[str, float] = {}
            for ranking in rankings:
                for rank, (cid, _) in enumerate(ranking, start=1):
                    fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + rank)
            scored = sorted(fused.items(), key=lambda p: (-p[1], self.position[p[0]]))
        else:
            scored = rankings[0]
        return [self._hit(cid, score) for cid, score in scored[:k]]

    def _hit(self, chunk_id: str, score: float) -> Hit:
        c = self.by_id[chunk_id]
        return Hit(
            chunk_id=c.id,
            policy_id=c.doc_id,
            payer=c.payer,
            section=c.section,
            criterion_id=c.criterion_id,
            score=score,
            text=c.text,
            metadata=c.metadata(),
        )


def _where(filters: Filters, allowed: list[Chunk]) -> dict[str, object] | None:
    """The Chroma ``where`` for the filters; a code filter becomes the list of policies that list it."""
    clauses: list[dict[str, object]] = []
    if filters.payer:
        clauses.append({"payer": filters.payer})
    if filters.kind:
        clauses.append({"kind": filters.kind})
    if filters.service_line:
        clauses.append({"service_line": filters.service_line})
    if filters.code:
        clauses.append({"policy_id": {"$in": sorted({c.doc_id for c in allowed})}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


_cache: dict[tuple[str, str], HybridIndex] = {}


def get_index(
    settings: Settings,
    embedding: EmbeddingFunction[Documents] | None = None,
    root: Path = CONTENT_ROOT,
    build_if_missing: bool = True,
) -> HybridIndex:
    """The cached hybrid index for these settings, rebuilt when the stored index version changes.

    An index that was never built is built first from ``root`` (the index is a cache of the content);
    pass ``build_if_missing=False`` to get a LookupError instead.
    """
    ef = embedding or default_embedding()
    key = (location(settings), ef.name())
    version = stored_version(open_collection(settings, ef))
    if version is None:
        if not build_if_missing:
            raise LookupError(f"no index at {key[0]}: run `python -m knowledge_base build`")
        if isinstance(ef, MiniLMEmbedding):  # the shipped model: build in a child (build_job.py says why)
            from knowledge_base.build_job import build_in_child

            version = build_in_child(settings, root=root).index_version
        else:
            version = build_index(settings, root=root, embedding=ef).index_version
    cached = _cache.get(key)
    if cached is None or cached.version != version:
        cached = _cache[key] = HybridIndex(settings, ef, version)
    return cached


def search(
    query: str,
    payer: str | None = None,
    code: str | None = None,
    k: int = 5,
    *,
    kind: str | None = None,
    service_line: str | None = None,
    mode: Mode = "hybrid",
    settings: Settings | None = None,
    embedding: EmbeddingFunction[Documents] | None = None,
    root: Path = CONTENT_ROOT,
) -> list[Hit]:
    """The ``k`` best passages for ``query``, optionally only of one payer, one code's policies, one kind
    (``policy``/``manual``) or one service line. ``settings`` defaults to ``Settings()`` (no environment)."""
    if not query or not query.strip():
        raise ValueError("query: empty; ask a question, e.g. 'What does Cardinal need for CPAP?'")
    if k < 1:
        raise ValueError(f"k: {k} must be at least 1")
    load_library(root).check_payer(payer)
    if kind is not None and kind not in ("policy", "manual"):
        raise ValueError(f"kind: {kind!r} must be 'policy' or 'manual'")
    if mode not in ("hybrid", "bm25", "dense"):
        raise ValueError(f"mode: {mode!r} must be hybrid, bm25 or dense")
    index = get_index(settings or Settings(), embedding, root)
    filters = Filters(payer=payer, code=code.strip() if code else None, kind=kind, service_line=service_line)
    return index.search(query, filters, k=k, mode=mode)


class PolicyRetriever(BaseRetriever):
    """LangChain retriever over the policy index; each Document's metadata carries the chunk's metadata
    plus ``chunk_id``, ``section``, ``criterion_id`` and ``score`` so chains can cite what they used."""

    settings: Settings = Field(default_factory=Settings)
    payer: str | None = None
    code: str | None = None
    kind: str | None = None
    service_line: str | None = None
    k: int = 5
    mode: Mode = "hybrid"
    embedding: EmbeddingFunction[Documents] | None = None
    model_config = ConfigDict(arbitrary_types_allowed=True)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hits = search(
            query,
            payer=self.payer,
            code=self.code,
            k=self.k,
            kind=self.kind,
            service_line=self.service_line,
            mode=self.mode,
            settings=self.settings,
            embedding=self.embedding,
        )
        return [
            Document(
                page_content=h.text,
                id=h.chunk_id,
                metadata={
                    **h.metadata,
                    "chunk_id": h.chunk_id,
                    "section": h.section,
                    "criterion_id": h.criterion_id or "",
                    "score": h.score,
                },
            )
            for h in hits
        ]
