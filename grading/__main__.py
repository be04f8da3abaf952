"""CLI of the grader (JSON in, JSON out).

    python -m grading grade --case case.json --actions actions.json [--second-opinion]
    python -m grading validate          # check every rubric file
    python -m grading tags              # the error-tag vocabulary as Markdown (docs/error_tags.md)

``actions.json`` is either a list of actions or ``{"case_id": ..., "actions": [...]}``. Bad input exits
with code 2 and one line on stderr naming the file, the field and the problem; never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn

from pydantic import TypeAdapter, ValidationError

from cli_support import InputError, check_dates, printable, read_json


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        _fail(f"usage: {message} (see python -m grading --help)")


def _fail(message: str) -> NoReturn:
    print(f"error: {printable(message)}", file=sys.stderr)
    raise SystemExit(2)


def _read_json(path: str, what: str) -> Any:
    try:
        return read_json(path)
    except InputError as exc:
        _fail(f"--{what} {exc}")


def _first_error(path: str, exc: ValidationError, prefix: str = "") -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in (*([prefix] if prefix else []), *err["loc"])) or "(top level)"
    more = f" (+{len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return f"{path}: {loc}: {err['msg']}{more}"


def _grade(args: argparse.Namespace) -> int:
    from scenarios.models import Action, Case

    raw_case = _read_json(args.case, "case")
    try:
        case = Case.model_validate(raw_case)
        check_dates(case, args.case)
    except ValidationError as exc:
        _fail(_first_error(args.case, exc))
    except InputError as exc:
        _fail(str(exc))
    raw = _read_json(args.actions, "actions")
    if isinstance(raw, dict):
        if "actions" not in raw:
            _fail(f"{args.actions}: expected a list of actions or an object with 'case_id' and 'actions'")
        if raw.get("case_id") not in (None, case.case_id):
            _fail(f"{args.actions}: case_id {raw['case_id']!r} does not match the case's {case.case_id!r}")
        raw = raw["actions"]
    if not isinstance(raw, list):
        _fail(f"{args.actions}: expected a list of actions, got {type(raw).__name__}")
    try:
        actions = TypeAdapter(list[Action]).validate_python(raw)
        check_dates(actions, args.actions, "actions")
    except ValidationError as exc:
        _fail(_first_error(args.actions, exc, "actions"))
    except InputError as exc:
        _fail(str(exc))
    settings = None
    if args.second_opinion:
        from settings import SettingsError, load_settings

        try:
            settings = load_settings()
        except SettingsError as exc:
            _fail(str(exc))
    from grading import grade

    try:
        report = grade(case, actions, settings=settings)
    except (ValueError, KeyError) as exc:
        _fail(
            f"{args.case}: cannot grade this case ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
        )
    print(report.model_dump_json(indent=2))
    return 0


def _validate(_: argparse.Namespace) -> int:
    from grading.rubric import validate_rubrics

    errors = validate_rubrics()
    for line in errors:
        print(line)
    print(f"{len(errors)} rubric error(s)" if errors else "rubrics OK")
    return 1 if errors else 0


def _tags(_: argparse.Namespace) -> int:
    from grading.error_tags import render_markdown

    sys.stdout.write(render_markdown())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m grading", description="Grade a trainee's actions on a case.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    g = sub.add_parser("grade", help="grade actions on a case; prints the GradeReport as JSON")
    g.add_argument("--case", required=True, help="case JSON (as written by python -m scenarios generate)")
    g.add_argument("--actions", required=True, help="actions JSON: a list, or {case_id, actions}")
    g.add_argument(
        "--second-opinion",
        action="store_true",
        help="also ask the LLM configured in the environment (OPENAI_BASE_URL, PRECERT_LLM_MODEL)",
    )
    g.set_defaults(run=_grade)
    sub.add_parser("validate", help="validate the rubric files").set_defaults(run=_validate)
    sub.add_parser("tags", help="print the error-tag vocabulary as Markdown").set_defaults(run=_tags)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
