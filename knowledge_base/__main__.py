"""Command line: ``python -m knowledge_base validate | build | search``.

Output is JSON on stdout (``validate`` prints a short human summary); bad input or invalid content
exits with code 2 and one line per problem on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from knowledge_base.loader import CONTENT_ROOT, PolicyValidationError, load_all, load_library
from knowledge_base.models import Manual, Policy

if TYPE_CHECKING:
    from settings import Settings


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exit code 2 (not the usage block)."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message}", file=sys.stderr)
        raise SystemExit(2)


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def _root_problem(root: Path) -> str | None:
    """A root without policy and manual files: validating it proves nothing, building it empties the index."""
    for folder in ("policies", "manuals"):
        try:
            found = (root / folder).is_dir() and next((root / folder).rglob("*.md"), None) is not None
        except OSError as exc:
            return f"--root {root}: cannot read {folder}/ ({exc.strerror or type(exc).__name__})"
        if not found:
            return f"--root {root}: no {folder}/*.md files there; point --root at the content folder"
    return None


def cmd_validate(root: Path) -> int:
    """Load and validate every file under ``root``; print each error, or a summary of the content."""
    if problem := _root_problem(root):
        return _fail(problem)
    result = load_all(root)
    if result.errors:
        for err in result.errors:
            print(err, file=sys.stderr)
        print(f"{len(result.errors)} error(s)", file=sys.stderr)
        return 2
    policies = [d.meta for d in result.policies.values() if isinstance(d.meta, Policy)]
    criteria = sum(len(p.criteria) for p in policies)
    cells = Counter((p.payer, p.service_line) for p in policies)
    print(f"policies: {len(policies)}  manuals: {len(result.manuals)}  criteria: {criteria}")
    # payers in their manuals' order, service lines as the policies name them: both are content
    manuals = [d.meta for d in result.manuals.values() if isinstance(d.meta, Manual)]
    payers = [m.id for m in sorted(manuals, key=lambda m: (m.order, m.id))]
    service_lines = sorted({p.service_line for p in policies})
    width = max((len(s) for s in service_lines), default=12)
    print((f"{'service line':<{width}}  " + "  ".join(f"{p:<13}" for p in payers)).rstrip())
    for line in service_lines:
        row = "  ".join(
            f"{(next((q.id for q in policies if q.payer == p and q.service_line == line), '-')):<13}"
            for p in payers
        )
        print(f"{line:<{width}}  {row}".rstrip())
    covered = sum(1 for v in cells.values() if v)
    print(f"payers x service lines covered: {covered}/{len(payers) * len(service_lines)}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from knowledge_base.index import build_index  # deferred: pulls in chromadb and onnxruntime

    if problem := _root_problem(args.root):  # an empty build would silently empty the index
        return _fail(problem)
    settings = _settings()

    printed: set[int] = set()

    def progress(done: int, total: int) -> None:
        # one line per 10 % step (the first call has done == 0), so a big build stays readable
        if total == 0:
            return
        step = done * 10 // total
        if step not in printed:
            printed.add(step)
            print(f"embedding: {done}/{total} chunks ({step * 10} %)", file=sys.stderr, flush=True)

    summary = build_index(settings, root=args.root, progress=progress)
    print(json.dumps(summary.model_dump(), indent=None))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from knowledge_base.retrieval import search  # deferred: pulls in chromadb and onnxruntime

    if not args.query.strip():
        return _fail('query: empty; pass the question in quotes, e.g. "What does Cardinal need for CPAP?"')
    if args.k < 1 or args.k > 50:
        return _fail(f"-k: {args.k} is out of range; use 1..50")
    try:
        payers = load_library(args.root).payers
    except PolicyValidationError as exc:
        return _fail(
            f"--root {args.root}: the content has {len(exc.errors)} error(s); run python -m knowledge_base validate"
        )
    if args.payer is not None and args.payer not in payers:
        return _fail(f"--payer: unknown payer {args.payer!r}; use one of {', '.join(payers)}")
    hits = search(
        args.query, payer=args.payer, code=args.code, k=args.k, settings=_settings(), root=args.root
    )
    out = [
        {
            "policy_id": h.policy_id,
            "section": h.section,
            "criterion_id": h.criterion_id,
            "score": round(h.score, 5),
            "chunk_id": h.chunk_id,
            "text": h.text,
        }
        for h in hits
    ]
    print(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


def _settings() -> Settings:  # imported lazily so `validate` stays light
    from settings import load_settings

    return load_settings()


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m knowledge_base", description=__doc__)
    parser.add_argument(
        "--root",
        type=Path,
        default=CONTENT_ROOT,
        help="content folder holding policies/ and manuals/ (default: the shipped content)",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("validate", help="load and validate every policy and manual")
    sub.add_parser("build", help="build or incrementally update the Chroma index")
    s = sub.add_parser("search", help="hybrid (BM25 + dense) search of the index")
    s.add_argument("query")
    s.add_argument("--payer", default=None)
    s.add_argument("--code", default=None)
    s.add_argument("-k", type=int, default=5)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage error (already printed as one line) or --help
        return exc.code if isinstance(exc.code, int) else 2
    try:
        if args.command == "validate":
            return cmd_validate(args.root)
        if args.command == "build":
            return cmd_build(args)
        return cmd_search(args)
    except Exception as exc:  # a CLI reports one line, never a traceback
        first = str(exc).splitlines()[0] if str(exc) else ""
        return _fail(f"{args.command}: {type(exc).__name__}: {first}")


if __name__ == "__main__":
    raise SystemExit(main())
