"""Chunking: stable ids, scalar metadata, criterion ids, prefixes, and lossless splitting."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge_base.chunks import MAX_WORDS, Chunk, chunk_document, chunk_result, slugify, split_long
from knowledge_base.loader import load_all, split_sections
from knowledge_base.models import Policy, PolicyDocument


@pytest.fixture(scope="module")
def shipped() -> list[Chunk]:
    result = load_all()
    assert not result.errors, result.errors
    return chunk_result(result)


def test_ids_are_unique_and_well_formed(shipped: list[Chunk]) -> None:
    ids = [c.id for c in shipped]
    assert len(ids) == len(set(ids))
    for c in shipped:
        assert re.fullmatch(rf"{re.escape(c.doc_id)}:[a-z0-9-]+:{re.escape(c.version)}", c.id), c.id


def test_ids_are_stable_across_runs(shipped: list[Chunk]) -> None:
    again = chunk_result(load_all())
    assert [(c.id, c.content_hash) for c in again] == [(c.id, c.content_hash) for c in shipped]


def test_metadata_is_scalar_and_complete(shipped: list[Chunk]) -> None:
    keys = {
        "payer",
        "policy_id",
        "kind",
        "section",
        "criterion_id",
        "codes",
        "service_line",
        "version",
        "effective",
        "content_hash",
    }
    # policies that govern admission reviews (278 UM01 AR) name no code: the stay is not a code
    admission = {
        d.meta.id
        for d in load_all().policies.values()
        if isinstance(d.meta, Policy) and d.meta.admission_review
    }
    for c in shipped:
        meta = c.metadata()
        assert keys <= set(meta)
        assert all(isinstance(v, str | int | float | bool) for v in meta.values()), c.id
        assert meta["kind"] in ("policy", "manual")
        if c.kind == "policy":
            assert (meta["codes"] or meta["policy_id"] in admission) and meta["service_line"]


def test_every_criterion_has_a_chunk(shipped: list[Chunk]) -> None:
    result = load_all()
    chunked = {c.criterion_id for c in shipped if c.criterion_id}
    for doc in result.policies.values():
        assert isinstance(doc.meta, Policy)
        for crit in doc.meta.criteria:
            assert crit.id in chunked, crit.id
    for c in shipped:
        if c.criterion_id:
            assert c.criterion_id in c.section and c.criterion_id.startswith(c.doc_id + ".")


def test_indexed_text_names_payer_document_and_section(shipped: list[Chunk]) -> None:
    for c in shipped:
        head = c.document.split("\n", 1)[0]
        assert c.payer_name in head and c.section in head and c.doc_id in head
        assert c.document.endswith(c.text)


def test_round_trip_through_stored_form(shipped: list[Chunk]) -> None:
    for c in shipped:
        back = Chunk.from_stored(c.id, c.document, c.metadata())
        assert back == c


def test_hash_changes_with_text_and_metadata(shipped: list[Chunk]) -> None:
    c = shipped[0]
    assert c.model_copy(update={"text": c.text + " More."}).content_hash != c.content_hash
    assert c.model_copy(update={"codes": [*c.codes, "99999"]}).content_hash != c.content_hash
    assert c.model_copy().content_hash == c.content_hash


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Overview", "overview"),
        ("Criterion CMA-CPAP-001.1 — Adherence", "criterion-cma-cpap-001-1-adherence"),
        ("Pends and requests for information", "pends-and-requests-for-information"),
        ("——", "section"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_repeated_titles_and_long_sections_get_distinct_ids() -> None:
    long_para = " ".join(f"word{i}." for i in range(MAX_WORDS)) + "\n\n" + "Second paragraph here."
    body = f"## Notes\nfirst\n## Notes\nsecond\n## Long\n{long_para}\n"
    shipped = next(iter(load_all().policies.values()))
    doc = PolicyDocument(
        path="x.md", meta=shipped.meta, body=body, sections=split_sections(body), content_hash="h"
    )
    ids = [c.id.split(":")[1] for c in chunk_document(doc)]
    assert ids == ["notes", "notes-2", "long", "long-2"]


@given(
    st.lists(
        st.lists(st.text(alphabet="abcdefgh .", min_size=1, max_size=12), min_size=1, max_size=40),
        min_size=1,
        max_size=12,
    )
)
def test_split_long_keeps_every_word_in_order(paragraphs: list[list[str]]) -> None:
    text = "\n\n".join(" ".join(words) for words in paragraphs)
    parts = split_long(text, max_words=25)
    assert " ".join(" ".join(p.split()) for p in parts).split() == text.split()
    for part in parts:
        units = re.split(r"\n\s*\n", part)
        assert len(part.split()) <= 25 or len(units) == 1
