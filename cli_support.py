"""What every package's command line shares: one-line input errors, JSON files read into models.

The CLIs (``python -m simulator``, ``assistant``, ``grading``, ``scenarios``) print exactly one line
on stderr and exit 2 for bad input; these helpers build that line so each names the file, the field
and what is expected in the same words.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, NoReturn, TypeVar, overload

from pydantic import BaseModel, TypeAdapter, ValidationError

from knowledge_base.content_files import error_location

T = TypeVar("T")


class InputError(Exception):
    """Bad command-line input; the message is the one line printed to stderr."""


class OneLineParser(argparse.ArgumentParser):
    """argparse that raises :class:`InputError` instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise InputError(f"{self.prog}: {message}")


def read_json(path: Path | str) -> Any:
    """Parse a JSON file, or raise InputError naming the file and what went wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the file ({exc.__class__.__name__})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None


def validation_line(where: str, exc: ValidationError, prefix: str = "") -> str:
    """The first validation error as ``where: field > path: message (got …) (+N more)``."""
    errors = exc.errors()
    err = errors[0]
    loc = error_location((*([prefix] if prefix else []), *err["loc"]))
    got = f" (got {err['input']!r})" if "input" in err and not isinstance(err["input"], dict | list) else ""
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {loc}: {err['msg']}{got}{more}"


@overload
def validate_as(data: Any, model: type[T], where: str, prefix: str = "") -> T: ...
@overload
def validate_as(data: Any, model: Any, where: str, prefix: str = "") -> Any: ...
def validate_as(data: Any, model: Any, where: str, prefix: str = "") -> Any:
    """Validate parsed JSON as ``model`` (a pydantic class or any type TypeAdapter accepts)."""
    try:
        if isinstance(model, type) and issubclass(model, BaseModel):
            return model.model_validate(data)
        return TypeAdapter(model).validate_python(data)
    except ValidationError as exc:
        raise InputError(validation_line(where, exc, prefix)) from None


@overload
def load_model(path: Path | str, model: type[T]) -> T: ...
@overload
def load_model(path: Path | str, model: Any) -> Any: ...
def load_model(path: Path | str, model: Any) -> Any:
    """Read ``path`` and validate it as ``model``; every failure is an InputError with one line."""
    return validate_as(read_json(path), model, str(path))
