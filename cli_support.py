"""What every package's command line shares: one-line input errors, JSON files read into models.

The CLIs (``python -m simulator``, ``assistant``, ``grading``, ``scenarios``) print exactly one line
on stderr and exit 2 for bad input; these helpers build that line so each names the file, the field
and what is expected in the same words.
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar, overload

from pydantic import BaseModel, TypeAdapter, ValidationError

from knowledge_base.content_files import error_location

T = TypeVar("T")

# Limits at the edge, far above any real case file (a generated case is ~20 KB, nests < 10 deep) and
# far below what breaks the parser or the date arithmetic behind it.
MAX_INPUT_BYTES = 5_000_000
MAX_DEPTH = 64
MAX_INT_DIGITS = 19  # fits a 64-bit column; a longer number is a typo or an attack, never a count
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)  # adding a year to 9999-12-31 overflows


class InputError(Exception):
    """Bad command-line input; the message is the one line printed to stderr."""


class OneLineParser(argparse.ArgumentParser):
    """argparse that raises :class:`InputError` instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise InputError(f"{self.prog}: {message}")


class _Refused(ValueError):
    """Raised from inside the JSON parser's hooks; turned into InputError with the file name."""


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _Refused(f"a number with {len(text)} digits; numbers have at most {MAX_INT_DIGITS}")
    return int(text)


def _constant(text: str) -> Any:
    raise _Refused(f"{text} is not a JSON number; write a finite number or null")


def _walk(value: Any, where: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH and text with lone surrogates (not encodable as UTF-8)."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        node, depth, loc = stack.pop()
        if depth > MAX_DEPTH:
            raise InputError(f"{where}: nested more than {MAX_DEPTH} levels deep at {loc or '(top level)'}")
        items: Any = ()
        if isinstance(node, dict):
            items = node.items()
        elif isinstance(node, list):
            items = enumerate(node)
        elif isinstance(node, str):
            check_text(node, f"{where}: {loc or '(top level)'}")
        for key, child in items:
            if isinstance(key, str):
                check_text(key, f"{where}: {loc or '(top level)'} (a key)")
            stack.append((child, depth + 1, f"{loc} > {key}" if loc else str(key)))


def check_text(text: str, where: str) -> str:
    """``text`` if it is valid Unicode; a lone surrogate (e.g. JSON ``"\\ud800"``) is refused."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"{where}: text holds an unpaired surrogate {text[exc.start]!r} at character {exc.start}; "
            "send valid UTF-8 text"
        ) from None
    return text


def parse_json(text: str, where: str) -> Any:
    """Parse JSON text within the limits above, or raise InputError naming ``where`` and the problem."""
    if len(text) > MAX_INPUT_BYTES:
        raise InputError(f"{where}: {len(text):,} characters; input files are at most {MAX_INPUT_BYTES:,}")
    try:
        value = json.loads(text, parse_int=_int, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{where}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except _Refused as exc:
        raise InputError(f"{where}: {exc}") from None
    except RecursionError:
        raise InputError(f"{where}: nested more than {MAX_DEPTH} levels deep") from None
    _walk(value, where)
    return value


def read_json(path: Path | str) -> Any:
    """Parse a JSON file, or raise InputError naming the file and what went wrong."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_INPUT_BYTES:
            raise InputError(
                f"{path}: {path.stat().st_size:,} bytes; input files are at most {MAX_INPUT_BYTES:,}"
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the file ({exc.__class__.__name__})") from None
    return parse_json(text, str(path))


def check_dates(value: Any, where: str, loc: str = "") -> None:
    """Refuse any date or datetime inside a validated model outside EARLIEST..LATEST."""
    if isinstance(value, date):  # datetime is a date too
        day = value.date() if isinstance(value, datetime) else value
        if not EARLIEST <= day <= LATEST:
            raise InputError(
                f"{where}: {loc or '(top level)'}: {value.isoformat()} is out of range; "
                f"use a date from {EARLIEST} to {LATEST}"
            )
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            check_dates(getattr(value, name), where, f"{loc} > {name}" if loc else name)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            check_dates(item, where, f"{loc} > {i}" if loc else str(i))
    elif isinstance(value, dict):
        for key, item in value.items():
            check_dates(item, where, f"{loc} > {key}" if loc else str(key))


def parse_date(value: str, kind: type[date] | type[datetime], flag: str) -> Any:
    """A ``--dos``/``--at`` flag as a date or datetime within range, or InputError naming the flag."""
    check_text(value, flag)
    try:
        parsed = kind.fromisoformat(value)
    except ValueError:
        form = "YYYY-MM-DD" if kind is date else "YYYY-MM-DDTHH:MM"
        raise InputError(f"{flag}: {value[:40]!r} is not a valid {kind.__name__} ({form})") from None
    check_dates(parsed, flag)
    return parsed


def printable(text: str) -> str:
    r"""``text`` with every character a terminal would act on (newlines, escapes, NUL) written as an
    escape, so a message that quotes input back stays one harmless line.

    >>> printable("tag '\x1b[31m\r\n' é")
    "tag '\\x1b[31m\\r\\n' é"
    """
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def validation_line(where: str, exc: ValidationError, prefix: str = "") -> str:
    """The first validation error as ``where: field > path: message (got …) (+N more)``."""
    errors = exc.errors()
    err = errors[0]
    loc = error_location((*([prefix] if prefix else []), *err["loc"]))
    shown = err.get("input")
    got = f" (got {repr(shown)[:60]})" if "input" in err and not isinstance(shown, dict | list) else ""
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return printable(f"{where}: {loc}: {err['msg']}{got}{more}")


@overload
def validate_as(data: Any, model: type[T], where: str, prefix: str = "") -> T: ...
@overload
def validate_as(data: Any, model: Any, where: str, prefix: str = "") -> Any: ...
def validate_as(data: Any, model: Any, where: str, prefix: str = "") -> Any:
    """Validate parsed JSON as ``model`` (a pydantic class or any type TypeAdapter accepts)."""
    try:
        if isinstance(model, type) and issubclass(model, BaseModel):
            result = model.model_validate(data)
        else:
            result = TypeAdapter(model).validate_python(data)
    except ValidationError as exc:
        raise InputError(validation_line(where, exc, prefix)) from None
    check_dates(result, where, prefix)
    return result


@overload
def load_model(path: Path | str, model: type[T]) -> T: ...
@overload
def load_model(path: Path | str, model: Any) -> Any: ...
def load_model(path: Path | str, model: Any) -> Any:
    """Read ``path`` and validate it as ``model``; every failure is an InputError with one line."""
    return validate_as(read_json(path), model, str(path))
