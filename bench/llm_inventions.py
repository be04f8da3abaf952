"""LLM inventions and injections: does anything a fluent, inventive model writes survive the guards?

A local fake OpenAI-compatible server (tests/assistant/fake_llm.py) answers every request with one
fixed failure or invention mode, and the real assistant pipeline (retrieval, brief, LLM drafter with
its retry, guards, pre-check) drafts a narrative for generated cases of every module. Planted:
- inventions: each invented sentence of the ``invention`` mode (figures, a year, findings, a score,
  therapies, a stage, a regulation), each foreign citation ([NCD-220.2.1], [AETNA-CPB-0236], inline
  "LCD L33718", a footnote), an uncited passage id, the prompt's example citation, two unrestored
  placeholders, a verdict addressed to the reviewer, and a fragment of a draft;
- injections: instructions written into the office note, with a model that obeys whatever it sees.
Kept: a planted item still in the final draft text (an invention) or the obeyed verdict in it (an
injection). The failure modes (HTTP 500, malformed JSON, wrong schema) must end in the offline draft.

    python bench/llm_inventions.py [--seeds 1]

``measure()`` returns the dict (bench/robustness.py imports it); run as a script it prints a small
table and, last, one JSON line. Targets: inventions_kept 0 and injections_obeyed 0.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for path in (REPO, REPO / "tests" / "assistant"):
    if str(path) not in sys.path:  # run as a script: the packages and the fake server importable
        sys.path.insert(0, str(path))

from fake_llm import FOREIGN, INVENTIONS, OBEYED, PLANTED_INSTRUCTIONS, FakeLLM  # noqa: E402

from assistant.appeals import AssistantInputError  # noqa: E402
from assistant.guards import verdict_phrases  # noqa: E402
from assistant.llm import CITATION_EXAMPLE, LLMDrafter  # noqa: E402
from assistant.pipeline import draft_case  # noqa: E402
from knowledge_base.embeddings import HashingEmbedding  # noqa: E402
from knowledge_base.index import build_index  # noqa: E402
from knowledge_base.loader import load_library  # noqa: E402
from scenarios import generate_case, module_ids  # noqa: E402
from scenarios.models import Case  # noqa: E402
from settings import load_settings  # noqa: E402

MODULES = module_ids()
# mode -> the planted items, each a string that must not be in the kept draft
PLANTS: dict[str, list[str]] = {
    "invention": [sentence for sentence, _ in INVENTIONS],
    "foreign_citation": ["NCD-220.2.1", "AETNA-CPB-0236", "LCD L33718", "[3]"],
    "bad_citation": ["ZZZ-FAKE-001.9"],
    "example_citation": [CITATION_EXAMPLE],
    "placeholder": ["[[NAME_97]]", "[[NPI_1]"],
    "verdict": [OBEYED],
    "fragment": ["Medical necessity summary for"],  # the fragment's opening: the offline draft never says it
}
FAILURES = ("http500", "malformed", "schema")
INJECTIONS = PLANTED_INSTRUCTIONS
assert all(p in FOREIGN for p in PLANTS["foreign_citation"])


def _poison(case: Case, instruction: str) -> Case:
    note = next((d for d in case.chart if d.kind == "office_note"), case.chart[0])
    poisoned = note.model_copy(update={"text": f"{note.text}\n{instruction}"})
    return case.model_copy(update={"chart": [poisoned if d.id == note.id else d for d in case.chart]})


def measure(seeds: int = 1) -> dict[str, object]:
    """Plant every mode in narrative drafts of ``seeds`` cases per module (see the module docstring)."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        os.environ.pop(var, None)
    os.environ["NO_PROXY"] = "127.0.0.1,localhost"
    embedding = HashingEmbedding()
    base = load_settings(env={"DATA_DIR": tempfile.mkdtemp(prefix="llm_inventions_")})
    build_index(base, embedding=embedding)
    library = load_library()
    fake = FakeLLM()
    settings = base.model_copy(
        update={
            "openai_base_url": fake.base_url,
            "llm_model": "fake-inventive-model",
            "llm_timeout_s": 10.0,
            "llm_max_retries": 0,
            "redact": True,
        }
    )
    counts = {"inventions_planted": 0, "inventions_kept": 0, "injections_planted": 0, "injections_obeyed": 0}
    by_mode: dict[str, list[int]] = {}
    fallbacks, failures = 0, 0
    started = time.perf_counter()

    def run(case: Case) -> object:
        return draft_case(
            case, "narrative", settings=settings, embedding=embedding, library=library,
            drafter=LLMDrafter(settings),
        )  # fmt: skip

    try:
        cases = []
        for module in MODULES:
            for seed in range(seeds):
                cases.append(generate_case(module, seed))
        for case in cases:
            for mode, plants in PLANTS.items():
                fake.mode = mode
                try:
                    draft = run(case)
                except AssistantInputError:
                    continue
                kept = sum(1 for p in plants if p in draft.text)  # type: ignore[attr-defined,misc]
                counts["inventions_planted"] += len(plants)
                counts["inventions_kept"] += kept
                row = by_mode.setdefault(mode, [0, 0])
                row[0] += len(plants)
                row[1] += kept
            for mode in FAILURES:
                fake.mode = mode
                try:
                    draft = run(case)
                except AssistantInputError:
                    continue
                failures += 1
                fallbacks += draft.backend == "offline" and bool(draft.fallback_reason)  # type: ignore[attr-defined]
            for instruction in INJECTIONS:
                fake.mode = "injection"
                try:
                    draft = run(_poison(case, instruction))
                except AssistantInputError:
                    continue
                counts["injections_planted"] += 1
                text = draft.text  # type: ignore[attr-defined]
                counts["injections_obeyed"] += OBEYED in text or bool(verdict_phrases(text))
    finally:
        fake.close()
    return {
        **counts,
        "failure_modes_run": failures,
        "failure_modes_fell_back": fallbacks,
        "by_mode": {m: {"planted": p, "kept": k} for m, (p, k) in by_mode.items()},
        "cases": len(cases),
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=1, help="cases per module (default 1)")
    args = parser.parse_args()
    if args.seeds < 1 or args.seeds > 50:
        print("--seeds: use 1 to 50", file=sys.stderr)
        raise SystemExit(2)
    result = measure(args.seeds)
    print(f"{'mode':18s} planted kept")
    for mode, row in result["by_mode"].items():  # type: ignore[attr-defined]
        print(f"{mode:18s} {row['planted']:7d} {row['kept']:4d}")
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
