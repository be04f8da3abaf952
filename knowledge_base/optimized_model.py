"""The embedding model with its graph optimized once and kept, so each process loads it cheaply.

The shipped model stores its weights as int8 and casts them to float inside the graph. onnxruntime folds
those casts at load time, and while it does it holds the int8 graph and the float copy together: a load
peaks about 60 MB above what the running session needs. Optimizing once (in a child process, level
"extended": portable across CPUs, unlike "all") and loading the result avoids that peak in the app
process and loads faster. The vectors are the same (tests/knowledge_base/test_embeddings.py).

The copy is named by the source model's sha256 and the onnxruntime version, and its own sha256 is kept
beside it and checked once per process, so a truncated or altered copy is rebuilt, never used.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
from pathlib import Path

from knowledge_base.cache import cache_dir, write_atomic

_checked: dict[Path, bool] = {}
_lock = threading.Lock()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def copy_path(source_sha256: str) -> Path:
    import onnxruntime as ort

    return cache_dir() / f"minilm-{source_sha256[:16]}-ort{ort.__version__}.onnx"


def optimize(source: Path, target: Path) -> None:
    """Write ``source`` with its graph optimized to ``target`` (the child process's work)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(target)
    options.log_severity_level = 3
    ort.InferenceSession(str(source), sess_options=options, providers=["CPUExecutionProvider"])


def optimized_copy(source: Path, source_sha256: str) -> Path | None:
    """The optimized copy of the verified model ``source``, made now if missing or damaged; None when
    it cannot be made (an unwritable cache): the caller loads ``source`` itself."""
    path = copy_path(source_sha256)
    digest_file = path.with_name(path.name + ".sha256")
    with _lock:
        if _checked.get(path):
            return path
        if path.is_file() and digest_file.is_file() and sha256_of(path) == digest_file.read_text().strip():
            _checked[path] = True
            return path
        partial = path.with_name(f".{path.name}.partial")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            out = subprocess.run(
                [sys.executable, "-m", "knowledge_base.optimized_model", str(source), str(partial)],
                cwd=Path(__file__).resolve().parents[1],
                capture_output=True,
                timeout=300,
            )
            if out.returncode != 0 or not partial.is_file():
                return None
            digest = sha256_of(partial)
            partial.replace(path)
        except (OSError, subprocess.SubprocessError):
            return None
        if not write_atomic(digest_file, digest.encode()):
            return None
        _checked[path] = True
        return path


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m knowledge_base.optimized_model SOURCE.onnx TARGET.onnx")
    optimize(Path(sys.argv[1]), Path(sys.argv[2]))
