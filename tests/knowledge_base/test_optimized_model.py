"""The optimized copy of the embedding model: same vectors as the shipped model, rebuilt when damaged,
and not needed at all when the cache cannot be written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from knowledge_base.embeddings import MODEL_SHA256, model_file
from knowledge_base.optimized_model import copy_path, optimized_copy

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [
    "Lumbar MRI 72148 after six weeks of physical therapy",
    "CPAP adherence 4 hours on 70% of nights",
    "x",
]


def _embed(model: Path) -> np.ndarray:
    """Mean-pooled unit vectors straight from onnxruntime: an oracle independent of MiniLMEmbedding."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    from knowledge_base.embeddings import tokenizer_file

    session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(tokenizer_file()))
    out = []
    for text in TEXTS:
        e = tokenizer.encode(text)
        ids = np.array([e.ids], dtype=np.int64)
        mask = np.array([e.attention_mask], dtype=np.int64)
        hidden = session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )[0]
        v = (hidden * mask[..., None]).sum(axis=1)[0] / mask.sum()
        out.append(v / np.linalg.norm(v))
    return np.array(out)


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "precert-academy"


def test_the_copy_gives_the_shipped_models_vectors(cache: Path) -> None:
    copy = optimized_copy(model_file(), MODEL_SHA256)
    assert copy is not None and copy.parent == cache
    np.testing.assert_allclose(_embed(copy), _embed(model_file()), atol=1e-5)


def test_a_damaged_copy_is_rebuilt(cache: Path) -> None:
    first = optimized_copy(model_file(), MODEL_SHA256)
    assert first is not None
    size = first.stat().st_size
    first.write_bytes(first.read_bytes()[: size // 2])  # truncated, as by a full disk
    # A new process (the check is once per process) finds the damage and makes the copy again.
    script = (
        "from knowledge_base.optimized_model import optimized_copy; from knowledge_base.embeddings import "
        "model_file, MODEL_SHA256; print(optimized_copy(model_file(), MODEL_SHA256))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"XDG_CACHE_HOME": str(cache.parent), "PATH": "/usr/bin:/bin", "HOME": str(cache)},
    )
    assert out.returncode == 0, out.stderr[-1500:]
    assert out.stdout.strip() == str(copy_path(MODEL_SHA256))
    assert first.stat().st_size == size


def test_without_a_writable_cache_the_model_still_embeds(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    script = (
        "from knowledge_base.embeddings import MiniLMEmbedding; v = MiniLMEmbedding()(['knee replacement']); "
        "print(len(v[0]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"XDG_CACHE_HOME": str(blocker), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert out.returncode == 0, out.stderr[-1500:]
    assert out.stdout.strip() == "384"
