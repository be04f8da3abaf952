"""Split policies and manuals into section chunks with stable ids and scalar metadata.

A chunk is one ``## `` section of a document (a long section is split into paragraph groups, so the
embedding model, which reads 256 tokens, sees all of it). Its id is
``f"{doc_id}:{section_slug}:{version}"`` (``-2``, ``-3`` … on the slug for later parts or repeated
titles), so an unchanged section keeps its id and a new policy version gets new ids.

The text that is embedded and BM25-indexed starts with the payer's name, the document title and the
section title, so a question naming the payer or the service ("Cardinal CPAP") matches the section
even when the section itself never repeats them.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from pydantic import BaseModel, Field

from knowledge_base.loader import CONTENT_ROOT, LoadResult, PolicyValidationError, load_all
from knowledge_base.models import Manual, Policy, PolicyDocument

MAX_WORDS = 120  # ~1.8 WordPiece tokens a word here: ~215 tokens plus the header, inside the model's 256

_WORD = re.compile(r"\S+")
_SLUG = re.compile(r"[^a-z0-9]+")


class Chunk(BaseModel):
    """One retrievable passage: a section (or part of one) of a policy or a payer manual."""

    id: str
    doc_id: str = Field(description="Policy id (e.g. CMA-CPAP-001) or manual id (the payer, e.g. cardinal).")
    kind: str = Field(description="policy | manual")
    payer: str
    payer_name: str
    title: str = Field(description="The document's title (policy title or manual name).")
    section: str
    criterion_id: str | None = None
    codes: list[str] = Field(default_factory=list, description="CPT/HCPCS codes the policy governs.")
    diagnoses: list[str] = Field(
        default_factory=list, description="ICD-10-CM codes or prefixes the policy accepts."
    )
    service_line: str = ""
    version: str
    effective: str
    path: str
    text: str = Field(description="The section text as written (what people read and the assistant cites).")

    @property
    def document(self) -> str:
        """The text embedded and BM25-indexed: a header line naming payer, document and section, then the text."""
        title = self.title if self.title.startswith(self.payer_name) else f"{self.payer_name} — {self.title}"
        head = f"{title} ({self.doc_id}) — {self.section}"
        if self.codes:
            head += f"\nCodes: {', '.join(self.codes)}"
        return f"{head}\n{self.text}"

    @property
    def content_hash(self) -> str:
        """Changes whenever anything stored for the chunk changes (its text or any metadata)."""
        payload = json.dumps(self.model_dump(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()

    def metadata(self) -> dict[str, str | int | float]:
        """Scalar metadata for Chroma (lists are comma-joined; a missing criterion id is "")."""
        return {
            "payer": self.payer,
            "payer_name": self.payer_name,
            "policy_id": self.doc_id,
            "kind": self.kind,
            "title": self.title,
            "section": self.section,
            "criterion_id": self.criterion_id or "",
            "codes": ",".join(self.codes),
            "diagnoses": ",".join(self.diagnoses),
            "service_line": self.service_line,
            "version": self.version,
            "effective": self.effective,
            "path": self.path,
            "content_hash": self.content_hash,
        }

    @classmethod
    def from_stored(cls, chunk_id: str, text: str, meta: dict[str, object]) -> Chunk:
        """Rebuild a chunk from what the index stores (the inverse of ``document``/``metadata``)."""
        head_lines = 2 if meta.get("codes") else 1
        body = text.split("\n", head_lines)[head_lines] if text.count("\n") >= head_lines else ""

        def split(key: str) -> list[str]:
            raw = str(meta.get(key) or "")
            return [c for c in raw.split(",") if c]

        return cls(
            id=chunk_id,
            doc_id=str(meta["policy_id"]),
            kind=str(meta["kind"]),
            payer=str(meta["payer"]),
            payer_name=str(meta.get("payer_name", meta["payer"])),
            title=str(meta.get("title", "")),
            section=str(meta["section"]),
            criterion_id=str(meta.get("criterion_id") or "") or None,
            codes=split("codes"),
            diagnoses=split("diagnoses"),
            service_line=str(meta.get("service_line", "")),
            version=str(meta.get("version", "")),
            effective=str(meta.get("effective", "")),
            path=str(meta.get("path", "")),
            text=body,
        )


def slugify(title: str) -> str:
    """``'Criterion CMA-CPAP-001.1 — Adherence'`` → ``'criterion-cma-cpap-001-1-adherence'``."""
    return _SLUG.sub("-", title.lower()).strip("-") or "section"


def split_long(text: str, max_words: int = MAX_WORDS) -> list[str]:
    """Group paragraphs (blank-line separated) into parts of at most ``max_words`` words.

    A single paragraph longer than the limit is split between sentences; a single sentence longer
    than the limit stays whole (the model then reads its first 256 tokens).
    """
    units: list[str] = []
    for para in re.split(r"\n\s*\n", text.strip()):
        if len(_WORD.findall(para)) <= max_words:
            units.append(para.strip())
        else:
            units.extend(s.strip() for s in re.split(r"(?<=[.;:])\s+(?=[A-Z(*\-])", para) if s.strip())
    parts: list[str] = []
    current: list[str] = []
    count = 0
    for unit in units:
        n = len(_WORD.findall(unit))
        if current and count + n > max_words:
            parts.append("\n\n".join(current))
            current, count = [], 0
        current.append(unit)
        count += n
    if current:
        parts.append("\n\n".join(current))
    return [p for p in parts if p.strip()]


def chunk_document(doc: PolicyDocument, payer_names: dict[str, str] | None = None) -> list[Chunk]:
    """The chunks of one loaded policy or manual, in document order."""
    meta = doc.meta
    names = payer_names or {}
    # what every chunk of the document carries; a manual governs no codes and no service line
    if isinstance(meta, Policy):
        doc_id, kind, payer, title = meta.id, "policy", meta.payer, meta.title
        codes, diagnoses, service_line = [c.code for c in meta.codes], list(meta.diagnoses), meta.service_line
    else:
        doc_id, kind, payer, title = meta.id, "manual", meta.id, f"{meta.name} provider manual"
        codes, diagnoses, service_line = [], [], ""
    chunks: list[Chunk] = []
    used: set[str] = set()
    for section in doc.sections:
        base = slugify(section.title)
        for part in split_long(section.text):
            slug, n = base, 1
            while slug in used:
                n += 1
                slug = f"{base}-{n}"
            used.add(slug)
            chunks.append(
                Chunk(
                    id=f"{meta.id}:{slug}:{meta.version}",
                    doc_id=doc_id,
                    kind=kind,
                    payer=payer,
                    payer_name=names.get(payer, payer.capitalize()),
                    title=title,
                    section=section.title,
                    criterion_id=section.criterion_id,
                    codes=codes,
                    diagnoses=diagnoses,
                    service_line=service_line,
                    version=meta.version,
                    effective=meta.effective.isoformat(),
                    path=doc.path,
                    text=part,
                )
            )
    return chunks


def chunk_result(result: LoadResult) -> list[Chunk]:
    """Chunks of every document of a load result (policies, then manuals, each sorted by path)."""
    names = {pid: doc.meta.name for pid, doc in result.manuals.items() if isinstance(doc.meta, Manual)}
    docs = sorted(result.policies.values(), key=lambda d: d.path) + sorted(
        result.manuals.values(), key=lambda d: d.path
    )
    return [chunk for doc in docs for chunk in chunk_document(doc, names)]


def load_chunks(root: Path = CONTENT_ROOT) -> list[Chunk]:
    """Load and validate the content under ``root`` and chunk it; invalid content raises
    :class:`PolicyValidationError` (the index must never hold text the loader rejects)."""
    result = load_all(root)
    if result.errors:
        raise PolicyValidationError(result.errors)
    return chunk_result(result)
