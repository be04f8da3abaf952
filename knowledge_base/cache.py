"""Files derived once from installed packages and kept between runs (the ICD-10-CM table, the embedding
model with its graph already optimized).

They live in ``$XDG_CACHE_HOME/precert-academy`` (default ``~/.cache/precert-academy``), named by what
they were derived from, so a package upgrade makes a new file instead of reusing a stale one. Every use
works without the cache: an unwritable directory costs time, never an error.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "precert-academy"


def write_atomic(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` so readers see the old file or the whole new one; False when the
    directory cannot be written (the caller goes on without its cache)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as tmp:
            tmp.write(data)
        os.replace(tmp.name, path)
    except OSError:
        return False
    return True
