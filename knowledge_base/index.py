"""The Chroma index of policy and manual chunks: open it, and build or update it incrementally.

Embedded Chroma under ``settings.chroma_dir`` by default; a Chroma server when ``settings.chroma_host``
is set. Our embedding function is passed every time a collection is opened: without it Chroma falls
back to its default model, which tries to download one. Each chunk's content hash is stored in its
metadata, so a rebuild embeds only the chunks whose text or metadata changed and deletes the chunks
that no longer exist; a rebuild with no change embeds nothing.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from chromadb import Documents, EmbeddingFunction
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings
from pydantic import BaseModel

from knowledge_base.chunks import Chunk, load_chunks
from knowledge_base.embeddings import default_embedding
from knowledge_base.loader import CONTENT_ROOT, PolicyValidationError
from settings import Settings, private_dir

COLLECTION_PREFIX = "precert_kb"
UPSERT_BATCH = 32
Progress = Callable[[int, int], None]


class IndexUnavailableError(RuntimeError):
    """The index cannot be opened or used; the message says what to do."""


class BuildSummary(BaseModel):
    """What a build did. ``index_version`` fingerprints the indexed chunks (ids and content hashes)."""

    added: int
    updated: int
    deleted: int
    unchanged: int
    seconds: float
    chunks: int
    collection: str
    location: str
    index_version: str


def location(settings: Settings) -> str:
    """Where the index lives, for messages and cache keys: ``http://host:port`` or the folder."""
    if settings.chroma_host:
        return f"http://{settings.chroma_host}:{settings.chroma_port}"
    return str(settings.chroma_dir)


@lru_cache(maxsize=8)
def _client(host: str | None, port: int, path: str) -> ClientAPI:
    import chromadb

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if host:
        return chromadb.HttpClient(host=host, port=port, settings=chroma_settings)
    private_dir(Path(path).parent)  # DATA_DIR: 0700 when this creates it (settings.private_dir)
    private_dir(Path(path))
    return chromadb.PersistentClient(path=path, settings=chroma_settings)


def client_for(settings: Settings) -> ClientAPI:
    """A Chroma client for these settings (one per location per process)."""
    try:
        return _client(settings.chroma_host, settings.chroma_port, str(settings.chroma_dir))
    except Exception as exc:  # chromadb raises plain ValueError/ConnectionError; say which setting to check
        hint = (
            "check CHROMA_HOST/CHROMA_PORT and that the server runs"
            if settings.chroma_host
            else "check DATA_DIR"
        )
        raise IndexUnavailableError(
            f"cannot open the Chroma index at {location(settings)}: {exc}; {hint}"
        ) from exc


def collection_name(embedding: EmbeddingFunction[Documents]) -> str:
    """One collection per embedding function: vectors of different models never share a collection."""
    return f"{COLLECTION_PREFIX}-{embedding.name()}"


def open_collection(settings: Settings, embedding: EmbeddingFunction[Documents] | None = None) -> Collection:
    """Open (creating if needed) the chunk collection, always with our embedding function."""
    ef = embedding or default_embedding()
    client = client_for(settings)
    return client.get_or_create_collection(
        name=collection_name(ef),
        # chromadb types the parameter as EmbeddingFunction[Documents | Images], and the generic is
        # invariant, so a text-only function (what this index uses) is rejected by the stub alone
        embedding_function=ef,  # type: ignore[arg-type]
        configuration={"hnsw": {"space": "cosine"}},
    )


def index_version(pairs: list[tuple[str, str]]) -> str:
    """A short fingerprint of a set of (chunk id, content hash) pairs."""
    digest = hashlib.sha256()
    for chunk_id, content_hash in sorted(pairs):
        digest.update(f"{chunk_id}\0{content_hash}\n".encode())
    return digest.hexdigest()[:16]


def stored_hashes(collection: Collection) -> dict[str, str]:
    """Chunk id → content hash of every chunk in the collection (metadata only, no vectors)."""
    got = collection.get(include=["metadatas"])
    metas = got.get("metadatas") or []
    return {
        cid: str((meta or {}).get("content_hash", "")) for cid, meta in zip(got["ids"], metas, strict=True)
    }


def stored_version(collection: Collection) -> str | None:
    meta: dict[str, Any] = collection.metadata or {}
    value = meta.get("index_version")
    return str(value) if value else None


def build_index(
    settings: Settings,
    root: Path = CONTENT_ROOT,
    progress: Progress | None = None,
    embedding: EmbeddingFunction[Documents] | None = None,
    chunks: list[Chunk] | None = None,
) -> BuildSummary:
    """Bring the index in line with the content under ``root``: embed and upsert new or changed chunks,
    delete chunks that are gone. ``progress(done, total)`` is called after each batch (and once at the
    start with ``done == 0``). Invalid content raises PolicyValidationError listing every error."""
    started = time.perf_counter()
    ef = embedding or default_embedding()
    wanted = chunks if chunks is not None else load_chunks(root)
    if not any(c.kind == "policy" for c in wanted) or not any(c.kind == "manual" for c in wanted):
        # a build mirrors the content, so an empty folder would delete every passage the assistant cites
        raise PolicyValidationError(
            [
                f"{root}: no policies or no manuals found; refusing to build an index without them (nothing changed)"
            ]
        )
    ids = [c.id for c in wanted]
    if len(set(ids)) != len(ids):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"chunk ids must be unique; repeated: {', '.join(dupes[:5])}")
    collection = open_collection(settings, ef)
    existing = stored_hashes(collection)

    added = [c for c in wanted if c.id not in existing]
    updated = [c for c in wanted if c.id in existing and existing[c.id] != c.content_hash]
    stale = sorted(set(existing) - set(ids))
    todo = added + updated
    if progress:
        progress(0, len(todo))
    for start in range(0, len(todo), UPSERT_BATCH):
        batch = todo[start : start + UPSERT_BATCH]
        documents = [c.document for c in batch]
        collection.upsert(
            ids=[c.id for c in batch],
            documents=documents,
            embeddings=ef(documents),
            metadatas=[c.metadata() for c in batch],
        )
        if progress:
            progress(min(start + UPSERT_BATCH, len(todo)), len(todo))
    if stale:
        collection.delete(ids=stale)

    version = index_version([(c.id, c.content_hash) for c in wanted])
    if todo or stale or stored_version(collection) != version:
        # The retriever caches its BM25 model per index version; a new version makes it rebuild.
        collection.modify(metadata={"index_version": version, "embedding": ef.name()})
    return BuildSummary(
        added=len(added),
        updated=len(updated),
        deleted=len(stale),
        unchanged=len(wanted) - len(todo),
        seconds=round(time.perf_counter() - started, 3),
        chunks=len(wanted),
        collection=collection.name,
        location=location(settings),
        index_version=version,
    )
