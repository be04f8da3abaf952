"""Command line: ``python -m scenarios list | generate --module M --seed N [--count K] | validate``.

Output is JSON on stdout (``generate --count K`` prints JSON lines). Bad input exits with code 2 and
one line on stderr naming the field and the fix; content errors are listed one per line.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import NoReturn

from scenarios.content import ScenarioContentError

MAX_COUNT = 10000


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage block
        self.exit(2, f"scenarios: {message}; see python -m scenarios --help\n")


def _non_negative(field: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{field} must be a non-negative integer, got {text!r}"
            ) from None
        if value < 0:
            raise argparse.ArgumentTypeError(
                f"{field} must be a non-negative integer, got {value}; use 0 or more"
            )
        return value

    return parse


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--count must be an integer from 1 to {MAX_COUNT}, got {text!r}"
        ) from None
    if not 1 <= value <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"--count must be an integer from 1 to {MAX_COUNT}, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m scenarios", description="Scenario modules and the seeded case generator."
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("list", help="modules with titles and archetype counts (JSON)")
    gen = sub.add_parser("generate", help="generate case JSON for a module and seed")
    gen.add_argument("--module", required=True, help="module id (see `list`)")
    gen.add_argument("--seed", required=True, type=_non_negative("--seed"), help="non-negative integer seed")
    gen.add_argument(
        "--count", type=_count, default=None, help="generate seeds N..N+K-1 as JSON lines instead of one case"
    )
    sub.add_parser("validate", help="check every service line and module; exit 2 when anything is wrong")
    return parser


def _fail(message: str, code: int = 2) -> int:
    print(f"scenarios: {message}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except ScenarioContentError as exc:
        more = (
            f" (and {len(exc.errors) - 1} more; run python -m scenarios validate)"
            if len(exc.errors) > 1
            else ""
        )
        return _fail(f"content error: {exc.errors[0]}{more}")
    except Exception as exc:  # the CLI promises one line, never a traceback
        return _fail(f"{exc.__class__.__name__}: {exc}", code=1)


def _run(args: argparse.Namespace) -> int:
    from scenarios.generator import UnknownModuleError, case_to_json, generate_case, list_modules

    if args.command == "list":
        print(json.dumps(list_modules(), indent=2, sort_keys=True))
        return 0
    if args.command == "validate":
        from scenarios.content import load_files
        from scenarios.validation import validate_content

        errors = validate_content()
        if errors:
            print("\n".join(errors))
            return _fail(f"{len(errors)} content error(s)")
        files = load_files()
        archetypes = sum(len(m.archetypes) for m in files.modules.values())
        print(
            json.dumps(
                {
                    "ok": True,
                    "service_lines": len(files.service_lines),
                    "modules": len(files.modules),
                    "archetypes": archetypes,
                },
                sort_keys=True,
            )
        )
        return 0
    seeds = [args.seed] if args.count is None else range(args.seed, args.seed + args.count)
    try:
        for seed in seeds:
            print(case_to_json(generate_case(args.module, seed)))
    except UnknownModuleError as exc:
        return _fail(f"--module: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
