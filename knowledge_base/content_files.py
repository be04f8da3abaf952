"""Content files in one wording: YAML read into a mapping, pydantic errors as ``file > path: message``.

Policies, manuals, service lines, modules and rubrics are all YAML validated by pydantic models, and
authors fix them from the error lines. One reader and one formatter keep those lines alike whichever
file is wrong: the file, the path of keys to the problem, and what to do about it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

# pydantic's own wording for the two mistakes authors make most, replaced by what to do about them
_MISSING = "required key is missing"
_UNKNOWN = "unknown key; remove it or check its spelling against {guide}"


def error_location(loc: Iterable[Any], empty: str = "(top level)") -> str:
    """``criteria > 0 > rule``: the keys to the problem, without pydantic's internal validator names."""
    return " > ".join(str(p) for p in loc if not str(p).startswith("function-")) or empty


def error_message(err: Mapping[str, Any], guide: str = "docs/authoring.md") -> str:
    """pydantic's message, or what to do about it for the mistakes authors make most."""
    if err["type"] == "union_tag_invalid":  # the criteria language's operators are a tagged union
        ctx = err.get("ctx", {})
        return f"unknown op {ctx.get('tag')!r}; expected one of {ctx.get('expected_tags')}"
    if err["type"] == "missing":
        return _MISSING
    if err["type"] == "extra_forbidden":
        return _UNKNOWN.format(guide=guide)
    return str(err["msg"])


def format_error(
    file: str, err: Mapping[str, Any], empty: str = "(top level)", guide: str = "docs/authoring.md"
) -> str:
    """One pydantic error as ``file > path: message``; ``guide`` is the document that describes the format.

    >>> format_error("x.yaml", {"type": "missing", "loc": ("order", "function-after[_f()]", "units"), "msg": ""})
    'x.yaml > order > units: required key is missing'
    """
    return f"{file} > {error_location(err['loc'], empty)}: {error_message(err, guide)}"


# libyaml's parser when PyYAML was built with it (the wheels are): the same documents and errors, about
# ten times faster, which every process that loads the content (app start, CLIs, tests) feels.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` with the fastest safe loader available."""
    return yaml.load(text, Loader=SAFE_LOADER)


def parse_yaml_mapping(
    text: str, rel: str, what: str = "the file"
) -> tuple[dict[str, Any] | None, list[str]]:
    """``text`` parsed as a YAML mapping, or the one error line saying why it is not one."""
    try:
        raw = load_yaml(text)
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        return None, [f"{rel}: {what} is not valid YAML{where} ({first})"]
    if not isinstance(raw, dict):
        return None, [f"{rel}: {what} must be a mapping of keys to values"]
    return raw, []


def read_yaml_mapping(path: Path, rel: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The file at ``path`` (named ``rel`` in errors) as a YAML mapping, or why it is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [f"{rel}: cannot be read ({getattr(exc, 'strerror', None) or exc})"]
    return parse_yaml_mapping(text, rel)


def validate_mapping(
    raw: Mapping[str, Any],
    model: type[M],
    rel: str,
    empty: str = "(top level)",
    guide: str = "docs/authoring.md",
) -> tuple[M | None, list[str]]:
    """``raw`` validated as ``model``, or every error, each naming ``rel`` and the path."""
    try:
        return model.model_validate(raw), []
    except ValidationError as exc:
        return None, [format_error(rel, e, empty, guide) for e in exc.errors()]
