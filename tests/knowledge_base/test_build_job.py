"""The index built in a child process is the index an in-process build makes, with progress reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge_base.build_job import build_in_child
from knowledge_base.index import IndexUnavailableError, build_index
from knowledge_base.loader import CONTENT_ROOT
from settings import load_settings


@pytest.fixture
def small_root(tmp_path: Path) -> Path:
    """One payer's CPAP policy and its manual: a real build in a few seconds."""
    root = tmp_path / "content"
    (root / "policies" / "cardinal").mkdir(parents=True)
    (root / "manuals").mkdir()
    shutil.copy(CONTENT_ROOT / "policies" / "cardinal" / "cpap.md", root / "policies" / "cardinal")
    shutil.copy(CONTENT_ROOT / "manuals" / "cardinal.md", root / "manuals")
    return root


def test_child_build_matches_an_in_process_build(small_root: Path, tmp_path: Path) -> None:
    settings = load_settings(env={"DATA_DIR": str(tmp_path / "data")})
    seen: list[tuple[int, int]] = []
    summary = build_in_child(
        settings, root=small_root, progress=lambda done, total: seen.append((done, total))
    )
    assert summary.added == summary.chunks > 5 and summary.deleted == 0
    assert seen[0] == (0, summary.chunks) and seen[-1] == (summary.chunks, summary.chunks)
    again = build_index(settings, root=small_root)  # same store, same hashes, same model: nothing to do
    assert (again.added, again.updated, again.unchanged) == (0, 0, summary.chunks)
    assert again.index_version == summary.index_version


def test_a_failed_child_build_says_why(tmp_path: Path) -> None:
    settings = load_settings(env={"DATA_DIR": str(tmp_path / "data")})
    with pytest.raises(
        IndexUnavailableError,
        match=r"building the policy index failed: --root .*nowhere: no policies/\*\.md files there; point --root",
    ):
        build_in_child(settings, root=tmp_path / "nowhere")
