"""Hybrid retrieval on the real index: fixed questions, filters, modes, the LangChain retriever, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.documents import Document

from knowledge_base.__main__ import main
from knowledge_base.embeddings import HashingEmbedding
from knowledge_base.index import BuildSummary, build_index
from knowledge_base.retrieval import Hit, PolicyRetriever, get_index, search, tokenize
from settings import Settings, load_settings


@pytest.fixture(scope="module")
def ready(kb_settings: Settings, kb_built: BuildSummary) -> Settings:
    return kb_settings


def _top(hits: list[Hit]) -> list[str]:
    return [h.policy_id for h in hits]


@pytest.mark.parametrize(
    ("question", "payer", "expected"),
    [
        ("What does Cardinal need for CPAP?", None, "CMA-CPAP-001"),
        ("72148 Prairie orthopedics", None, "PSM-MRI-001"),
        ("Lakeshore lumbar MRI conservative care weeks", None, "LKS-MRI-001"),
        ("Cardinal reconsideration filing window", None, "cardinal"),
        ("How long does Prairie take to decide an appeal?", None, "prairie"),
        ("sleep study AHI threshold", "lakeshore", "LKS-CPAP-001"),
        ("power wheelchair face-to-face examination", "cardinal", "CMA-PWC-001"),
        ("tuberculosis test before biologic", "prairie", "PSM-BIO-001"),
    ],
)
def test_fixed_questions_find_their_policy_in_top_3(
    ready: Settings, question: str, payer: str | None, expected: str
) -> None:
    hits = search(question, payer=payer, k=3, settings=ready)
    assert expected in _top(hits), [(h.policy_id, h.section) for h in hits]


def test_criterion_question_finds_the_criterion_section(ready: Settings) -> None:
    hits = search("CMA-CPAP-001.1", k=3, settings=ready)
    assert hits[0].criterion_id == "CMA-CPAP-001.1"


def test_named_code_is_decisive_even_with_a_filter(ready: Settings) -> None:
    hits = search("27447 Prairie failed injection and physical therapy", payer="prairie", k=3, settings=ready)
    assert hits[0].policy_id == "PSM-TKA-001", [(h.policy_id, h.section) for h in hits]


def test_identifier_ranking_needs_a_real_identifier(ready: Settings) -> None:
    index = get_index(ready)
    everything = list(range(len(index.chunks)))
    assert index.identifier_ranking("when do we admit the patient", everything, []) == []
    named = index.identifier_ranking("E0601 and LKS-MRI-001.2", everything, [])
    assert named[0][0].startswith("LKS-MRI-001:criterion-lks-mri-001-2")
    assert {index.by_id[cid].service_line for cid, _ in named[1:]} == {"cpap"}


def test_hits_are_complete_and_ordered(ready: Settings) -> None:
    hits = search("appeal deadlines", k=5, settings=ready)
    assert len(hits) == 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for h in hits:
        assert h.text and h.section and h.metadata["policy_id"] == h.policy_id
        assert h.metadata["payer"] == h.payer
        assert h.chunk_id.startswith(h.policy_id + ":")


@pytest.mark.parametrize("payer", ["lakeshore", "cardinal", "prairie"])
def test_payer_filter(ready: Settings, payer: str) -> None:
    hits = search("What documents are required for the request?", payer=payer, k=8, settings=ready)
    assert hits and {h.payer for h in hits} == {payer}


@pytest.mark.parametrize(("code", "line"), [("72148", "lumbar_mri"), ("E0601", "cpap"), ("G47.33", "cpap")])
def test_code_filter_keeps_only_policies_that_list_the_code(ready: Settings, code: str, line: str) -> None:
    hits = search("what is needed for approval", code=code, k=10, settings=ready)
    assert hits
    for h in hits:
        assert h.metadata["kind"] == "policy" and h.metadata["service_line"] == line
        listed = str(h.metadata["codes"]).split(",") + str(h.metadata["diagnoses"]).split(",")
        assert any(code.replace(".", "").startswith(c.replace(".", "")) for c in listed if c)


def test_kind_and_service_line_filters(ready: Settings) -> None:
    manuals = search("peer-to-peer conversation", kind="manual", k=5, settings=ready)
    assert manuals and {h.metadata["kind"] for h in manuals} == {"manual"}
    knee = search("BMI requirement", service_line="total_knee", k=5, settings=ready)
    assert knee and {h.metadata["service_line"] for h in knee} == {"total_knee"}


def test_filter_matching_nothing_returns_no_hits(ready: Settings) -> None:
    assert search("anything", code="99999", settings=ready) == []


@pytest.mark.parametrize("mode", ["bm25", "dense"])
def test_single_rankers(ready: Settings, mode: str) -> None:
    hits = search("What does Cardinal need for CPAP?", k=5, mode=mode, settings=ready)  # type: ignore[arg-type]
    assert "CMA-CPAP-001" in _top(hits)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("MRI 72148 for M54.16", ["mri", "72148", "m54.16", "m54"]),
        ("CPAP E0601 rental", ["cpap", "e0601", "rental"]),
        ("What does the plan need?", ["plan", "need"]),
        ("CMA-CPAP-001.1", ["cma-cpap-001.1", "cma", "cpap"]),
        ("Appeals within 180 days", ["appeal", "within", "180", "day"]),
        ("therapies", ["therapy"]),
    ],
)
def test_tokenize_keeps_codes_whole(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"query": "  "}, "query"),
        ({"query": "x", "k": 0}, "k"),
        ({"query": "x", "payer": "acme"}, "payer"),
        ({"query": "x", "kind": "memo"}, "kind"),
        ({"query": "x", "mode": "magic"}, "mode"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field}:"):
        search(**kwargs)  # type: ignore[arg-type]


def test_index_is_cached_per_version(ready: Settings) -> None:
    assert get_index(ready) is get_index(ready)


def test_cache_follows_a_rebuild(tmp_path: Path, content_copy: Path) -> None:
    settings = load_settings(env={"DATA_DIR": str(tmp_path / "data")})
    ef = HashingEmbedding()
    build_index(settings, root=content_copy, embedding=ef)
    first = get_index(settings, ef)
    path = sorted((content_copy / "policies").rglob("*.md"))[0]
    path.write_text(
        path.read_text(encoding="utf-8") + "\n## Zebra note\nA unique zebra passage.\n", encoding="utf-8"
    )
    build_index(settings, root=content_copy, embedding=ef)
    second = get_index(settings, ef)
    assert second is not first and second.version != first.version
    hits = search("zebra", k=1, settings=settings, embedding=ef)
    assert hits[0].section == "Zebra note"


def test_missing_index_is_built_on_first_search(tmp_path: Path, content_copy: Path) -> None:
    settings = load_settings(env={"DATA_DIR": str(tmp_path / "data")})
    ef = HashingEmbedding()
    with pytest.raises(LookupError, match="knowledge_base build"):
        get_index(settings, ef, root=content_copy, build_if_missing=False)
    assert search("Cardinal CPAP", settings=settings, embedding=ef, root=content_copy)


def test_langchain_retriever(ready: Settings) -> None:
    retriever = PolicyRetriever(settings=ready, payer="cardinal", k=3)
    docs = retriever.invoke("What does Cardinal need for CPAP?")
    assert len(docs) == 3 and all(isinstance(d, Document) for d in docs)
    for d in docs:
        assert d.metadata["payer"] == "cardinal"
        assert {"policy_id", "chunk_id", "section", "criterion_id", "score"} <= set(d.metadata)
        assert d.page_content and d.id == d.metadata["chunk_id"]
    assert "CMA-CPAP-001" in [d.metadata["policy_id"] for d in docs]


def test_cli_search(
    ready: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATA_DIR", str(ready.data_dir))
    monkeypatch.delenv("CHROMA_HOST", raising=False)
    assert main(["search", "Cardinal CPAP adherence", "--payer", "cardinal", "-k", "2"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert len(hits) == 2 and all(h["policy_id"] in ("CMA-CPAP-001", "cardinal") for h in hits)
    assert {"policy_id", "section", "score", "text"} <= set(hits[0])


@pytest.mark.parametrize(
    ("argv", "start"),
    [
        (["search", "x", "-k", "0"], "-k:"),
        (["search", "x", "--payer", "acme"], "--payer:"),
        (["search", " "], "query:"),
        (["search", "x", "-k", "many"], "python -m knowledge_base search: argument -k"),
    ],
)
def test_cli_bad_input(argv: list[str], start: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(start), err
