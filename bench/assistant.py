"""Assistant benchmark: does an assistant-prepared request get certified first time, and does the assistant
stop the requests that would fail?

Over generated cases whose answer key says submit (or submit expedited), the assistant prepares the
request (its codes, its recommended attachments, its narrative) and the simulated payer adjudicates it;
a case counts when the payer's status is the key's expected status (approved, or partially approved where
a payer limit cuts the request). Over cases whose key says query the provider, a case counts when the
assistant flags it (a provider query instead of a narrative). Appeal cases are drafted too (letters, and
whether the payer's appeal decision matches the key). Unsupported facts are counted across all drafts,
and offline draft latency is measured (retrieval + checklist + draft + guards + pre-check).

    python bench/assistant.py [--submit 320] [--data-dir DIR]

Prints a table; the last line is one JSON object. The answer keys come from the scenario archetypes;
the assistant never reads them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make the packages importable
    sys.path.insert(0, str(REPO))

from assistant.drafters import OfflineDrafter  # noqa: E402
from assistant.models import Draft  # noqa: E402
from assistant.pipeline import draft_case  # noqa: E402
from assistant.retrieve import Retriever  # noqa: E402
from knowledge_base.loader import load_library  # noqa: E402
from scenarios import generate_case, module_ids  # noqa: E402
from scenarios.models import Case  # noqa: E402
from settings import Settings, load_settings  # noqa: E402
from simulator import adjudicate  # noqa: E402

MODULES = module_ids()
APPEALS = "pends_appeals"
SUBMIT = ("submit", "submit_expedited")


def collect(submit_target: int, max_seed: int = 2000) -> tuple[list[Case], list[Case], list[Case]]:
    """Submit cases (until ``submit_target``), query-provider cases and appeal cases from the same seeds."""
    submit, query, appeal = [], [], []
    for seed in range(max_seed):
        for module in MODULES:
            case = generate_case(module, seed)
            action = case.answer_key.correct_action
            if action in SUBMIT:
                submit.append(case)
            elif action == "query_provider":
                query.append(case)
        case = generate_case(APPEALS, seed)
        if case.answer_key.correct_action == "appeal":
            appeal.append(case)
        if len(submit) >= submit_target:
            break
    return submit, query, appeal


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(settings: Settings, submit_target: int) -> dict[str, object]:
    library, drafter = load_library(), OfflineDrafter()
    submit, query, appeal = collect(submit_target)
    # warm-up: the first draft loads the embedding model and the BM25 cache; not a user-facing latency
    draft_case(submit[0], "narrative", settings=settings, library=library, drafter=drafter)
    latencies: list[float] = []
    unsupported = irrelevant = checklist_ok = 0
    rows: dict[str, list[int]] = defaultdict(
        lambda: [0, 0, 0, 0]
    )  # line -> submit, certified, query, flagged
    failures: list[str] = []

    def timed(case: Case, kind: str) -> Draft:
        nonlocal unsupported, irrelevant, checklist_ok
        started = time.perf_counter()
        draft = draft_case(case, kind, settings=settings, library=library, drafter=drafter)  # type: ignore[arg-type]
        latencies.append((time.perf_counter() - started) * 1000)
        unsupported += len(draft.unsupported_facts)
        irrelevant += len(set(draft.recommended_document_ids) & set(case.answer_key.irrelevant_document_ids))
        if kind == "narrative":
            checklist_ok += {
                c.criterion_id: c.status for c in draft.criteria
            } == case.answer_key.criteria_outcome
        return draft

    for case in submit:
        draft = timed(case, "narrative")
        row = rows[case.order.service_line]
        row[0] += 1
        status = None
        if draft.kind == "narrative" and draft.submission is not None:
            status = adjudicate(
                case, draft.submission.model_copy(update={"narrative": draft.text}), library=library
            ).status
        if status == case.answer_key.expected_determination.status:
            row[1] += 1
        else:
            failures.append(f"{case.case_id} ({case.archetype_id}): {draft.kind}, payer says {status}")
    for case in query:
        draft = timed(case, "narrative")
        row = rows[case.order.service_line]
        row[2] += 1
        row[3] += draft.kind == "provider_query"
        if draft.kind != "provider_query":
            failures.append(f"{case.case_id} ({case.archetype_id}): not flagged")
    appeal_ok = 0
    for case in appeal:
        draft = timed(case, "appeal")
        appeal_ok += (
            draft.precheck is not None and draft.precheck.status == case.answer_key.expected_appeal_status
        )

    print(f"{'service line':22} {'submit':>7} {'certified':>10} {'query':>6} {'flagged':>8}")
    for line in sorted(rows):
        s, c, q, f = rows[line]
        print(f"{line:22} {s:7d} {c:10d} {q:6d} {f:8d}")
    n_submit, n_query = len(submit), len(query)
    certified = sum(r[1] for r in rows.values())
    flagged = sum(r[3] for r in rows.values())
    print(f"{'total':22} {n_submit:7d} {certified:10d} {n_query:6d} {flagged:8d}")
    print(f"appeal cases: {len(appeal)}, appeal decision as the key expects: {appeal_ok}")
    print(
        f"checklist equal to the key's criteria outcome: {checklist_ok} of {n_submit + n_query}; "
        f"irrelevant documents recommended: {irrelevant}"
    )
    print(
        f"drafts: {len(latencies)}, unsupported facts: {unsupported}, latency p50 "
        f"{statistics.median(latencies):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms"
    )
    for line in failures[:20]:
        print("  miss:", line)
    return {
        "first_pass_approval": round(certified / n_submit, 4),
        "flagged_not_met": round(flagged / n_query, 4) if n_query else None,
        "unsupported_facts": unsupported,
        "draft_p95_ms": round(percentile(latencies, 0.95), 1),
        "draft_p50_ms": round(statistics.median(latencies), 1),
        "submit_cases": n_submit,
        "query_cases": n_query,
        "appeal_cases": len(appeal),
        "appeal_as_expected": round(appeal_ok / len(appeal), 4) if appeal else None,
        "checklist_as_key": round(checklist_ok / (n_submit + n_query), 4),
        "irrelevant_documents_recommended": irrelevant,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submit", type=int, default=320, help="submit-type cases to draft (at least 300)")
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="DATA_DIR holding the index (default: env)"
    )
    args = parser.parse_args(argv)
    if args.submit < 1:
        print(f"--submit: {args.submit} must be at least 1", file=sys.stderr)
        return 2
    settings = load_settings(overrides={"data_dir": args.data_dir} if args.data_dir else None)
    started = time.perf_counter()
    if Retriever(settings).ensure_index():
        print(f"index built in {settings.chroma_dir} ({time.perf_counter() - started:.1f} s)")
    print(json.dumps(run(settings, args.submit)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
