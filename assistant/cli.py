"""``python -m assistant``: grounded drafts and policy answers from the command line (JSON out).

Examples::

    python -m assistant draft --case case.json --kind narrative
    python -m assistant draft --case case.json --kind appeal [--submission s.json] [--determination d.json]
    python -m assistant draft --case case.json --kind p2p --backend llm
    python -m assistant draft --case case.json --kind narrative --draft-anyway   # even if no auth is needed
    python -m assistant ask "How long does Cardinal take to decide a reconsideration?" --payer cardinal

Settings come from the environment (read once, here). The policy index is built on first use. Bad input
exits with status 2 and one line on stderr naming the file or flag and what is expected.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from assistant.appeals import AssistantInputError
from assistant.drafters import Drafter, OfflineDrafter, make_drafter
from assistant.models import Draft
from assistant.retrieve import Retriever
from cli_support import InputError, OneLineParser, load_model
from knowledge_base.embeddings import EmbeddingModelError
from knowledge_base.index import IndexUnavailableError
from knowledge_base.loader import PolicyValidationError
from scenarios.models import Case, Submission
from settings import Settings, SettingsError, load_settings
from simulator.models import Determination
from simulator.view import SimulatorError

M = TypeVar("M", bound=BaseModel)
CASE_KINDS = ("narrative", "appeal", "p2p", "provider_query")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="python -m assistant", description="Grounded drafting assistant (JSON out).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    draft = sub.add_parser("draft", help="draft a narrative, appeal, peer-to-peer points or provider query")
    draft.add_argument("--case", required=True, type=Path, help="case JSON file")
    draft.add_argument("--kind", required=True, choices=CASE_KINDS, help="what to draft")
    draft.add_argument(
        "--submission", type=Path, help="submission JSON (the request to draft for, or the denied one)"
    )
    draft.add_argument("--determination", type=Path, help="determination JSON (the denial an appeal answers)")
    draft.add_argument(
        "--backend", choices=("offline", "llm"), help="default: llm when configured, else offline"
    )
    draft.add_argument(
        "--draft-anyway",
        action="store_true",
        help="draft even when the payer needs no authorization for the request (refused otherwise)",
    )
    ask = sub.add_parser("ask", help="answer a policy question with citations")
    ask.add_argument("question", help="the question, in quotes")
    ask.add_argument(
        "--payer", help="only this payer's policies and manual (a payer id: lakeshore, cardinal ...)"
    )
    ask.add_argument(
        "--backend", choices=("offline", "llm"), help="default: llm when configured, else offline"
    )
    return parser


def pick_drafter(settings: Settings, backend: str | None) -> Drafter:
    if backend == "offline":
        return OfflineDrafter()
    if backend == "llm" and not settings.llm_configured:
        raise InputError(
            "--backend llm: no LLM configured; set PRECERT_LLM_MODEL and OPENAI_BASE_URL or "
            "OPENAI_API_KEY, or use --backend offline"
        )
    return make_drafter(settings)


def run(args: argparse.Namespace, settings: Settings) -> Draft:
    from assistant.pipeline import ask, draft_case

    drafter = pick_drafter(settings, args.backend)
    if args.command == "draft":  # read every input before the (possibly slow) first index build
        case = load_model(args.case, Case)
        submission = load_model(args.submission, Submission) if args.submission else None
        determination = load_model(args.determination, Determination) if args.determination else None
    elif not args.question.strip():
        raise InputError(
            'ask: the question is empty; e.g. python -m assistant ask "What does Cardinal need for CPAP?"'
        )
    if Retriever(settings).ensure_index():
        print(f"built the policy index in {settings.chroma_dir}", file=sys.stderr)
    if args.command == "ask":
        return ask(args.question, args.payer, settings=settings, drafter=drafter)
    return draft_case(
        case,
        args.kind,
        settings=settings,
        submission=submission,
        determination=determination,
        drafter=drafter,
        draft_anyway=args.draft_anyway,
    )


def main(argv: list[str] | None = None, env: dict[str, str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        result = run(args, load_settings(env))
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    except (InputError, AssistantInputError, SettingsError, SimulatorError) as exc:
        print(str(exc).splitlines()[0], file=sys.stderr)
        return 2
    except (PolicyValidationError, IndexUnavailableError, EmbeddingModelError) as exc:
        print(f"content or index problem: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    except Exception as exc:  # the CLI never shows a traceback; the line says what broke
        print(
            f"assistant failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
            file=sys.stderr,
        )
        return 1
    try:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    return 0
