"""The assistant against a real local model (opt-in): how many LLM drafts survive the guards, and how fast.

Needs a server configured the way the app reads it (``scripts/local-llm start`` prints the settings):
``OPENAI_BASE_URL`` and ``PRECERT_LLM_MODEL``. Without them it prints why it skipped and a JSON line
with ``skipped``. Drafts narratives, provider queries and appeals for generated cases of every module
(``--drafts``, at least 20) and answers policy questions (``--answers``, at least 10), each through the
real pipeline (retrieval on the hashing index, to spare the shared CPU the MiniLM build; brief; LLM
drafter with its retry; guards; pre-check).

    nice -n 10 python bench/llm_real.py [--drafts 20] [--answers 10]

Then holds ``--calls`` peer-to-peer role-plays with the director voiced by the model (``role_play`` in
the JSON line: lines voiced or kept scripted and why, decisions equal to the scripted call's).

Prints one line per draft, then last one JSON line: accepted, fell back (by reason), invented facts
kept in accepted drafts (target 0), completeness of accepted drafts (target 1.0; checked here against
the case's own values, not by the guard's code), latency p50/p95 and the server's tokens/s.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from assistant.appeals import AssistantInputError  # noqa: E402
from assistant.director_voice import DirectorVoice  # noqa: E402
from assistant.llm import LLMDrafter  # noqa: E402
from assistant.models import Draft  # noqa: E402
from assistant.pipeline import ask, draft_case  # noqa: E402
from clinical.checker import ClaimChecker  # noqa: E402
from knowledge_base.embeddings import HashingEmbedding  # noqa: E402
from knowledge_base.index import build_index  # noqa: E402
from knowledge_base.loader import load_library  # noqa: E402
from scenarios import generate_case, module_ids  # noqa: E402
from scenarios.models import Case  # noqa: E402
from settings import Settings, load_settings  # noqa: E402
from simulator import prior_determination  # noqa: E402
from simulator.peer_to_peer import Call, decide_call  # noqa: E402

QUESTIONS = [
    ("How long does Lakeshore take to decide a level 1 appeal?", "lakeshore"),
    ("What documentation is required for a lumbar MRI?", "lakeshore"),
    ("How many weeks of conservative care does Cardinal require before a lumbar MRI?", "cardinal"),
    ("When is contrast authorized for a lumbar spine MRI?", None),
    ("How many days does an approval for a lumbar MRI stay valid?", "lakeshore"),
    ("Does Cardinal offer a peer-to-peer review after a denial?", "cardinal"),
    ("What is the filing deadline for a reconsideration?", "cardinal"),
    ("Which diagnoses support a lumbar MRI?", "lakeshore"),
    ("How old may the office note be for an imaging request?", "cardinal"),
    ("What happens when a pend is not answered?", "lakeshore"),
    ("How many units of a lumbar MRI code are authorized per request?", None),
    ("Who decides an external review?", "lakeshore"),
]
KINDS = ("narrative", "provider_query", "appeal")


def reason_class(reason: str | None) -> str:
    """A fallback reason as a short class for counting."""
    text = reason or ""
    for needle, name in (
        ("guards twice", "guards"),
        ("token cap", "token_cap"),
        ("deadline", "deadline"),
        ("Timeout", "timeout"),
        ("context", "context"),
        ("malformed JSON", "malformed_json"),
        ("ValidationError", "schema"),
        ("empty draft", "empty"),
    ):
        if needle in text:
            return name
    return text.split(":", 1)[0] or "unknown"


def guard_class(problems: list[str]) -> str:
    return problems[0].split(":", 1)[0] if problems else "none"


def completeness(case: Case, draft: Draft) -> float:
    """Share of the request's facts the text states, read from the case (independent of the guard)."""
    sub = draft.submission
    if sub is None:
        return 0.0
    text = draft.text.lower()
    d = sub.date_of_service
    wanted = [
        case.patient.last_name.lower() in text,
        sub.member_id.lower() in text,
        *(ln.code.lower() in text for ln in sub.procedures),
        d.isoformat() in text or f"{d.month}/{d.day}/{d.year}" in text or f"{d:%m/%d/%Y}" in text,
    ]
    if draft.kind in ("narrative", "appeal"):
        wanted += [
            bool(re.search(rf"\b{sub.requested_duration_days}[ -]days?\b", text)),
            case.ordering_provider.last_name.lower() in text
            and case.ordering_provider.credentials.lower() in text,
        ]
    return sum(wanted) / len(wanted)


def tokens_per_second(settings: Settings) -> float | None:
    """One direct completion of 128 tokens: the server's generation speed, prompt aside."""
    body = {
        "model": settings.llm_model,
        "messages": [{"role": "user", "content": "Describe prior authorization in detail."}],
        "max_tokens": 128,
        "temperature": 0,
    }
    request = urllib.request.Request(
        f"{settings.openai_base_url}/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as reply:
        usage = json.load(reply).get("usage") or {}
    elapsed = time.perf_counter() - started
    return round(usage.get("completion_tokens", 0) / elapsed, 1) if elapsed > 0 else None


def cases(count: int) -> list[tuple[Case, str]]:
    out: list[tuple[Case, str]] = []
    seed = 1
    while len(out) < count * 3 and seed < 40:
        for module in module_ids():
            case = generate_case(module, seed)
            out.append((case, KINDS[(seed + len(out)) % len(KINDS)]))
        seed += 1
    return out


# Pends-and-appeals cases whose earlier request was denied on a clinical criterion, with the answer a
# trainee gives from the chart (the follow-up examination's note): the role-play's calls.
ROLE_PLAY_ANSWER = "The follow-up office visit documents a re-examination after physical therapy."


def role_play(settings: Settings, calls: int, stop_at: float) -> dict[str, object]:
    """Peer-to-peer calls with the director voiced by the model: how many of its lines passed the
    guards, why the others were said as scripted, and whether each decision matched the scripted
    call's (it must: the decision is the simulator's)."""
    voice = DirectorVoice(settings)
    voiced = scripted = same = held = 0
    kept_for: Counter[str] = Counter()
    latencies: list[float] = []
    for seed in range(1, 60):
        if held >= calls or time.monotonic() > stop_at:
            break
        case = generate_case("pends_appeals", seed)
        denial = prior_determination(case)
        if (
            case.prior_submission is None
            or denial is None
            or denial.status != "denied"
            or not denial.criteria
        ):
            continue
        checker = ClaimChecker.for_case(case)
        with_voice, plain = Call(denial), Call(denial)
        for call, speak in ((with_voice, True), (plain, False)):
            while (line := call.director_turn(checker)) is not None:
                if speak:
                    started = time.perf_counter()
                    said = voice.voice(line)
                    latencies.append(time.perf_counter() - started)
                    if said.backend == "scripted":
                        scripted += 1
                        kept_for[(said.fallback_reason or "unknown").split(";")[0][:60]] += 1
                    else:
                        voiced += 1
                if line.kind == "close":
                    break
                if line.kind != "open":
                    call.answer(ROLE_PLAY_ANSWER)
        at = denial.decided_at.replace(microsecond=0)
        a = decide_call(case, case.prior_submission, with_voice, at)[1]
        b = decide_call(case, case.prior_submission, plain, at)[1]
        same += a.status == b.status
        held += 1
        print(f"{case.case_id:32} peer-to-peer    {a.status:20} voiced {voiced} scripted {scripted}")
    ordered = sorted(latencies)
    return {
        "calls": held,
        "director_lines_voiced": voiced,
        "director_lines_scripted": scripted,
        "kept_scripted_for": dict(kept_for),
        "decisions_same_as_scripted": same,
        "line_latency_p50_s": round(statistics.median(ordered), 1) if ordered else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=int, default=20)
    parser.add_argument("--answers", type=int, default=10)
    parser.add_argument("--calls", type=int, default=3, help="peer-to-peer role-play calls")
    parser.add_argument(
        "--budget-s",
        type=float,
        default=None,
        help="start nothing new after this many seconds (a shared machine)",
    )
    args = parser.parse_args()
    stop_at = time.monotonic() + args.budget_s if args.budget_s else float("inf")
    settings = load_settings()
    if not (settings.llm_model and settings.openai_base_url):
        print("skipped: no local server configured (run scripts/local-llm start and eval its settings)")
        print(json.dumps({"skipped": "no OPENAI_BASE_URL and PRECERT_LLM_MODEL"}))
        return
    settings = settings.model_copy(update={"data_dir": Path(tempfile.mkdtemp(prefix="llm-real-"))})
    embedding = HashingEmbedding()
    build_index(settings, embedding=embedding)
    library = load_library()
    drafter = LLMDrafter(settings)
    try:
        speed = tokens_per_second(settings)
    except OSError as exc:  # the server is there but too slow or gone: say so, measure the rest
        print(f"tokens/s not measured: {exc}")
        speed = None
    latencies: list[float] = []
    fell_back: Counter[str] = Counter()
    refused_for: Counter[str] = Counter()
    accepted: list[tuple[Case, Draft]] = []
    drafts = answers = 0
    for case, kind in cases(args.drafts):
        if drafts >= args.drafts or time.monotonic() > stop_at:
            break
        started = time.perf_counter()
        try:
            draft = draft_case(
                case,
                kind,  # type: ignore[arg-type]  # one of KINDS
                settings=settings,
                drafter=drafter,
                library=library,
                embedding=embedding,
            )
        except AssistantInputError:
            continue  # no appeal open against this case, or nothing to draft
        latencies.append(time.perf_counter() - started)
        drafts += 1
        if draft.backend.startswith("llm:"):
            accepted.append((case, draft))
        else:
            fell_back[reason_class(draft.fallback_reason)] += 1
            refused_for[guard_class(draft.rejected_draft_problems)] += 1
        print(
            f"{case.case_id:32} {kind:15} {draft.backend:28} {latencies[-1]:6.1f}s {draft.fallback_reason or ''}"[
                :200
            ]
        )
    for question, payer in QUESTIONS[: args.answers]:
        if time.monotonic() > stop_at:
            break
        started = time.perf_counter()
        answer = ask(question, payer, settings=settings, drafter=drafter, embedding=embedding)
        latencies.append(time.perf_counter() - started)
        answers += 1
        if answer.backend.startswith("llm:"):
            accepted.append((None, answer))  # type: ignore[arg-type]
        else:
            fell_back[reason_class(answer.fallback_reason)] += 1
            refused_for[guard_class(answer.rejected_draft_problems)] += 1
        print(f"{'answer':32} {(payer or 'any'):15} {answer.backend:28} {latencies[-1]:6.1f}s")
    calls = role_play(settings, args.calls, stop_at) if args.calls else {}
    case_drafts = [(c, d) for c, d in accepted if c is not None]
    invented = sum(len(d.unsupported_facts) + len(d.unsupported_claims) for _, d in accepted)
    complete = [completeness(c, d) for c, d in case_drafts]
    ordered = sorted(latencies)
    print(
        json.dumps(
            {
                "model": settings.llm_model,
                "drafts": drafts,
                "answers": answers,
                "accepted": len(accepted),
                "accepted_drafts": len(case_drafts),
                "accepted_answers": len(accepted) - len(case_drafts),
                "fell_back": dict(fell_back),
                "refused_for": dict(refused_for),
                "invented_facts_kept": invented,
                "completeness_of_accepted": round(statistics.mean(complete), 3) if complete else None,
                "latency_p50_s": round(statistics.median(ordered), 1) if ordered else None,
                "latency_p95_s": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1)
                if ordered
                else None,
                "tokens_per_s": speed,
                "max_tokens": settings.llm_max_tokens,
                "deadline_s": settings.llm_timeout_s,
                "budget_hit": time.monotonic() > stop_at,
                "role_play": calls,
            }
        )
    )


if __name__ == "__main__":
    main()
