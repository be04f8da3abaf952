"""``python -m simulator``: ask the simulated payer from the command line; JSON in, JSON out.

Examples::

    python -m simulator adjudicate --case case.json --submission submission.json
    python -m simulator eligibility --case case.json --member-id LKS204817733 --dos 2026-03-16
    python -m simulator appeal --case case.json --submission s.json --appeal appeal.json
    python -m simulator replay --case case.json --actions actions.json
    python -m simulator vocabulary

Bad input (missing file, malformed JSON, a field that fails the schema, an impossible date) exits with
status 2 and one line on stderr naming the file, the field and what is expected.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from cli_support import InputError, OneLineParser, check_text, load_model, parse_date, read_json
from knowledge_base.criteria import export_vocabulary
from knowledge_base.loader import CONTENT_ROOT, Library, PolicyValidationError, load_library
from scenarios.models import (
    Action,
    ActionLog,
    Appeal,
    AuthLookup,
    Case,
    EligibilityQuery,
    PeerToPeer,
    Submission,
)
from simulator.adjudication import adjudicate
from simulator.appeals import decide_appeal, request_peer_to_peer
from simulator.eligibility import check_eligibility
from simulator.realism import Realism
from simulator.replay import replay
from simulator.requirements import lookup_requirements
from simulator.view import SimulatorError

T = TypeVar("T")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="python -m simulator", description="The simulated payer (JSON in, JSON out).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for name, text in (
        (
            "eligibility",
            "271-style eligibility reply (member id and date from --submission or --member-id/--dos)",
        ),
        ("lookup", "authorization-requirement look-up for the submission's codes or --codes"),
        ("adjudicate", "the payer's determination of a submission"),
        ("appeal", "adjudicate the submission, then decide the appeal (or peer-to-peer) against its denial"),
        ("replay", "run an action log (a JSON list of actions or an ActionLog) in order"),
        ("vocabulary", "the criteria language's operators"),
    ):
        cmd = sub.add_parser(name, help=text, description=text)
        if name == "vocabulary":
            continue
        cmd.add_argument("--case", required=True, type=Path, help="case JSON file")
        cmd.add_argument(
            "--content",
            type=Path,
            default=CONTENT_ROOT,
            help="content folder with policies/ and manuals/ (default: the shipped content)",
        )
        cmd.add_argument("--submission", type=Path, help="submission JSON file")
        if name == "eligibility":
            cmd.add_argument("--member-id", help="member id to check (default: the submission's)")
            cmd.add_argument("--dos", help="date of service, YYYY-MM-DD (default: the submission's)")
            cmd.add_argument("--at", help="query time, ISO datetime (default: the case's start time)")
        if name == "lookup":
            cmd.add_argument("--codes", help="comma-separated CPT/HCPCS codes (default: the submission's)")
        if name == "appeal":
            cmd.add_argument("--appeal", type=Path, required=True, help="appeal or peer-to-peer JSON file")
        if name in ("adjudicate", "appeal"):
            cmd.add_argument(
                "--realism-seed",
                type=int,
                default=None,
                help="turn realism mode on with this seed (reviewer variability and decision times; never "
                "for graded work); off by default",
            )
        if name == "replay":
            cmd.add_argument("--actions", type=Path, required=True, help="actions JSON file")
    return parser


def _realism(args: argparse.Namespace) -> Realism | None:
    seed = getattr(args, "realism_seed", None)
    if seed is None:
        return None
    if seed < 0:
        raise InputError(f"--realism-seed: must be 0 or more, got {seed}; e.g. --realism-seed 7")
    return Realism(enabled=True, seed=seed)


def _need_submission(args: argparse.Namespace) -> Submission:
    if args.submission is None:
        raise InputError(f"{args.command}: --submission is required")
    return load_model(args.submission, Submission)


def run(args: argparse.Namespace) -> Any:
    if args.command == "vocabulary":
        return export_vocabulary()
    case = load_model(args.case, Case)
    if not (args.content / "manuals").is_dir():
        raise InputError(
            f"--content: {args.content} has no manuals/ folder; give the folder holding policies/ and manuals/"
        )
    library: Library = load_library(args.content.resolve())
    if args.command == "eligibility":
        sub = load_model(args.submission, Submission) if args.submission else None
        member_id = check_text(args.member_id, "--member-id") if args.member_id else None
        member_id = member_id or (sub.member_id if sub else None)
        dos = parse_date(args.dos, date, "--dos") if args.dos else (sub.date_of_service if sub else None)
        if member_id is None or dos is None:
            raise InputError("eligibility: give --submission, or --member-id and --dos")
        at = parse_date(args.at, datetime, "--at") if args.at else (sub.at if sub else case.sim_start)
        return check_eligibility(
            case, EligibilityQuery(at=at, member_id=member_id, date_of_service=dos), library=library
        )
    if args.command == "lookup":
        if args.codes:
            check_text(args.codes, "--codes")
            codes, at = [c.strip() for c in args.codes.split(",") if c.strip()], case.sim_start
        else:
            sub = _need_submission(args)
            codes, at = [line.code for line in sub.procedures], sub.at
            if sub.admission:  # an admission review asks about the admission itself
                return lookup_requirements(
                    case, AuthLookup(at=at, codes=codes, admission=True), library=library
                )
        if not codes:
            raise InputError("lookup: no codes to look up; give --codes or a submission with procedures")
        return lookup_requirements(case, AuthLookup(at=at, codes=codes), library=library)
    realism = _realism(args)
    if args.command == "adjudicate":
        return adjudicate(case, _need_submission(args), library=library, realism=realism)
    if args.command == "appeal":
        sub = _need_submission(args)
        action = load_model(args.appeal, Appeal | PeerToPeer)
        denial = adjudicate(case, sub, library=library, realism=realism)
        if isinstance(action, PeerToPeer):
            return request_peer_to_peer(case, sub, denial, action, library=library)
        return decide_appeal(case, sub, denial, action, library=library, realism=realism)
    data = read_json(args.actions)
    if isinstance(data, dict):
        log = load_model(args.actions, ActionLog)
        actions = log.actions
    else:
        actions = load_model(args.actions, list[Action])
    return replay(case, actions, library=library)


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        result = run(args)
    except InputError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (SimulatorError, PolicyValidationError) as exc:
        print(str(exc).splitlines()[0], file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    try:
        sys.stdout.write(json.dumps(_jsonable(result), indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`: the reader left, nothing more to say
        sys.stderr.close()
    return 0
