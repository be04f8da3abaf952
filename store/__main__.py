"""Command line: ``python -m store init`` (apply migrations), ``python -m store seed-demo``,
``python -m store setup-token`` (print the first-run set-up token while no account exists) and
``python -m store backfill-outcomes`` (operations outcomes for attempts stored before revision 0003).

Prints one JSON object on success; on bad input or a missing package prints one line on stderr and
exits with code 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from settings import SettingsError, load_settings
from store.db import init_db, session_scope
from store.passwords import DEFAULT_COST
from store.permissions import SYSTEM


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line and exit 2, instead of usage plus message
        print(f"error: {message} (see python -m store --help)", file=sys.stderr)
        sys.exit(2)


MAX_COST = 14  # bcrypt cost 14 is ~1 s a hash here; 20 would take minutes per demo account


def _bounded(flag: str, low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not text.strip().lstrip("+-").isdigit() or len(text.strip()) > 12:
            raise argparse.ArgumentTypeError(f"{flag} must be a whole number from {low} to {high}")
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{flag} must be from {low} to {high}, got {value}")
        return value

    return parse


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m store", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="create or upgrade the database schema (idempotent)")
    sub.add_parser(
        "setup-token", help="while no account exists: issue and print the first-run set-up token (else none)"
    )
    sub.add_parser(
        "backfill-outcomes",
        help="store operations outcomes for completed attempts that have none (idempotent)",
    )
    demo = sub.add_parser("seed-demo", help="create a demo cohort with graded attempts (needs the grader)")
    demo.add_argument("--password", help="password for every demo account (default: a random one, printed)")
    demo.add_argument("--attempts-per-trainee", type=_bounded("--attempts-per-trainee", 1, 500), default=24)
    demo.add_argument("--seed", type=_bounded("--seed", 0, 2**32 - 1), default=2026)
    demo.add_argument(
        "--cost",
        type=_bounded("--cost", 4, MAX_COST),
        default=DEFAULT_COST,
        help=f"bcrypt cost 4-{MAX_COST} (default 12)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        engine = init_db(settings)
        if args.command == "init":
            out: dict[str, object] = {
                "database": engine.url.render_as_string(hide_password=True),
                "schema": "current",
            }
        elif args.command == "setup-token":
            out = _setup_token(engine, settings.data_dir)
        elif args.command == "backfill-outcomes":
            from store.backfill import backfill_outcomes

            with session_scope(engine) as session:
                out = backfill_outcomes(session, SYSTEM).model_dump()
        else:
            from store.demo import load_engines, seed_demo  # imports the case engine only when needed

            engines = load_engines()
            with session_scope(engine) as session:
                summary = seed_demo(
                    session,
                    SYSTEM,
                    engines,
                    password=args.password,
                    seed=args.seed,
                    attempts_per_trainee=args.attempts_per_trainee,
                    cost=args.cost,
                )
            out = summary.model_dump()
    except (SettingsError, ValueError, RuntimeError, LookupError, PermissionError, SQLAlchemyError) as exc:
        print(f"error: {' '.join(str(exc).split())[:500]}", file=sys.stderr)
        return 2
    print(json.dumps(out, indent=2))
    return 0


def _setup_token(engine: Engine, data_dir: Path) -> dict[str, object]:
    from store.accounts import has_any_user
    from store.setup_token import consume_setup_token, issue_setup_token

    with session_scope(engine) as session:
        exists = has_any_user(session)
    if exists:
        consume_setup_token(data_dir)  # a leftover from an interrupted first run must not linger
        return {"accounts": True, "setup_token": None}
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return {"accounts": False, "setup_token": issue_setup_token(data_dir)}


if __name__ == "__main__":
    sys.exit(main())
