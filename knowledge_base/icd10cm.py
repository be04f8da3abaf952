"""The ICD-10-CM code table, kept compact.

The source of truth is the ``simple-icd-10-cm`` package (CMS's April 2026 tabular list, installed from
PyPI). Importing that package builds an object per code and costs about 180 MB of memory, which the app
process cannot afford next to Streamlit and the embedding model. So the table is read from the package
once, in a child process (``python -m knowledge_base.icd10cm dump``), cached on disk keyed by the package
version, and held here as plain lists: about 25 MB, the same answers.

The functions mirror the package's (``is_valid_item``, ``is_leaf``, ``get_children`` …) so callers read the
same; tests compare them with the package itself on every code.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import threading
from array import array
from collections import Counter
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from knowledge_base.cache import cache_dir, write_atomic

PACKAGE = "simple_icd_10_cm"
DISTRIBUTION = "simple-icd-10-cm"
# Field and record separators: descriptions hold tabs and commas but never these control characters.
FIELD, RECORD = "\x1f", "\x1e"


class IcdTableError(RuntimeError):
    """The code table could not be read from the simple-icd-10-cm package."""


@dataclass(frozen=True)
class _Table:
    codes: list[str]  # dotted, in the tabular list's order (each code before its descendants)
    descriptions: list[str]
    parents: array[int]  # index of the parent, -1 for a chapter
    ends: array[int]  # the descendants of i are i+1 … ends[i]-1 (pre-order)
    leaves: bytearray
    kinds: bytearray  # b"c" chapter, b"b" block, b"k" category or subcategory
    index: dict[str, int]  # undotted code → position
    twin_blocks: frozenset[str]  # codes that name a block as well as the category it holds


_lock = threading.Lock()
_table: _Table | None = None


def _cache_file() -> Path:
    version = metadata.version(DISTRIBUTION)
    return cache_dir() / f"icd10cm-{version}-v2.txt.gz"


def dump_records() -> str:
    """Every entry of the package's list as records ``code FIELD kind FIELD leaf FIELD parent FIELD
    description`` (run in the child process: this is the import that costs 180 MB).

    39 codes name both a block and its only category (``B10`` the block, then ``B10`` the category): the
    first of the pair is the block, and its answers are the package's ``prioritize_blocks=True`` ones.
    """
    import simple_icd_10_cm as icd

    codes = icd.get_all_codes(with_dots=True)
    twins = {c for c, n in Counter(codes).items() if n > 1}
    seen: set[str] = set()
    records = []
    for code in codes:
        as_block = code in twins and code not in seen
        seen.add(code)
        if icd.is_chapter(code):
            kind = "c"
        elif as_block or (icd.is_block(code) and code not in twins):
            kind = "b"
        else:
            kind = "k"
        parent = "" if kind == "c" else icd.get_parent(code, prioritize_blocks=as_block)
        leaf = "1" if icd.is_leaf(code, prioritize_blocks=as_block) else "0"
        description = icd.get_description(code, prioritize_blocks=as_block)
        records.append(FIELD.join((code, kind, leaf, parent, description)))
    return RECORD.join(records)


def _read_package() -> str:
    out = subprocess.run(
        [sys.executable, "-m", "knowledge_base.icd10cm", "dump"],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        timeout=300,
    )
    if out.returncode != 0:
        raise IcdTableError(
            f"reading the ICD-10-CM table from {DISTRIBUTION} failed: "
            f"{out.stderr.decode(errors='replace').strip().splitlines()[-1:]}"
        )
    return out.stdout.decode("utf-8")


def _load_text() -> str:
    path = _cache_file()
    try:
        return gzip.decompress(path.read_bytes()).decode("utf-8")
    except (OSError, EOFError):
        pass
    text = _read_package()
    write_atomic(path, gzip.compress(text.encode("utf-8"), compresslevel=6))
    return text


def _parse(text: str) -> _Table:
    codes: list[str] = []
    descriptions: list[str] = []
    kinds = bytearray()
    leaves = bytearray()
    parent_codes: list[str] = []
    for record in text.split(RECORD):
        code, kind, leaf, parent, description = record.split(FIELD)
        codes.append(code)
        kinds.append(ord(kind))
        leaves.append(leaf == "1")
        parent_codes.append(parent)
        descriptions.append(description)
    # Pre-order: a parent is the nearest earlier entry with the parent's code (for ``B10.0`` that is the
    # category ``B10``, for the category ``B10`` the block ``B10`` just before it).
    latest: dict[str, int] = {}
    parents = array("i", [-1] * len(codes))
    for i, (code, parent) in enumerate(zip(codes, parent_codes, strict=True)):
        parents[i] = latest[parent] if parent else -1
        latest[code] = i
    # A bare code means the category when it also names a block (the package's default).
    index = {c.replace(".", ""): i for i, c in enumerate(codes)}
    twin_blocks = frozenset(c for i, c in enumerate(codes) if index[c.replace(".", "")] != i)
    ends = array("i", range(1, len(codes) + 1))
    for i in range(len(codes) - 1, -1, -1):  # children come after their parent: fold ends upward
        p = parents[i]
        if p >= 0 and ends[i] > ends[p]:
            ends[p] = ends[i]
    return _Table(codes, descriptions, parents, ends, leaves, kinds, index, twin_blocks)


def table() -> _Table:
    global _table
    if _table is None:
        with _lock:
            if _table is None:
                _table = _parse(_load_text())
    return _table


def _position(code: str) -> int | None:
    """The code's position, accepting the package's spellings: with or without the dot (in its place)."""
    t = table()
    key = code.replace(".", "", 1)
    i = t.index.get(key)
    if i is None or ("." in code and t.codes[i] != code):
        return None
    return i


def _require(code: str) -> int:
    i = _position(code)
    if i is None:
        raise ValueError(f"{code!r} is not an ICD-10-CM code")
    return i


def is_valid_item(code: str) -> bool:
    return _position(code) is not None


def is_chapter_or_block(code: str) -> bool:
    i = _position(code)
    return i is not None and (table().kinds[i] in b"cb" or table().codes[i] in table().twin_blocks)


def is_category_or_subcategory(code: str) -> bool:
    i = _position(code)
    return i is not None and table().kinds[i] == ord("k")


def is_leaf(code: str) -> bool:
    return bool(table().leaves[_require(code)])


def add_dot(code: str) -> str:
    return table().codes[_require(code)]


def get_description(code: str) -> str:
    return table().descriptions[_require(code)]


def get_parent(code: str) -> str:
    p = table().parents[_require(code)]
    return "" if p < 0 else table().codes[p]


def get_children(code: str) -> list[str]:
    t = table()
    i = _require(code)
    return [t.codes[j] for j in range(i + 1, t.ends[i]) if t.parents[j] == i]


def get_descendants(code: str) -> list[str]:
    t = table()
    i = _require(code)
    return t.codes[i + 1 : t.ends[i]]


def billable_codes() -> list[tuple[str, str]]:
    """Every billable code (a category or subcategory with no children) with its description."""
    t = table()
    return [(c, t.descriptions[i]) for i, c in enumerate(t.codes) if t.leaves[i] and t.kinds[i] == ord("k")]


if __name__ == "__main__":
    if sys.argv[1:] != ["dump"]:
        sys.exit("usage: python -m knowledge_base.icd10cm dump")
    sys.stdout.buffer.write(dump_records().encode("utf-8"))
