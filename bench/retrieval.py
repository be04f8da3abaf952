"""Retrieval benchmark: recall@1, recall@5 and MRR@10 of BM25, dense and hybrid search on a labelled set.

Builds the index from the shipped content in a temporary DATA_DIR (reports ``build_s``), asks every
question of ``bench/data/retrieval_questions.yaml`` in each mode, without filters and with the payer
filter a coordinator's screen would pass when the question names the payer, and measures hybrid query
latency. Prints a table; the last line is one JSON object.

    python bench/retrieval.py [--questions FILE] [--data-dir DIR] [--misses]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make the packages importable
    sys.path.insert(0, str(REPO))

import yaml  # noqa: E402
from pydantic import BaseModel, Field, field_validator  # noqa: E402

from knowledge_base.index import build_index  # noqa: E402
from knowledge_base.retrieval import Hit, search  # noqa: E402
from settings import Settings, load_settings  # noqa: E402

QUESTIONS = REPO / "bench" / "data" / "retrieval_questions.yaml"
MODES = ("bm25", "dense", "hybrid")
DEPTH = 10
LATENCY_PASSES = 3
_PAYER = re.compile(r"\b(lakeshore|cardinal|prairie)\b", re.IGNORECASE)


class Question(BaseModel):
    q: str = Field(min_length=3)
    expect: list[str]
    section: list[str] = Field(default_factory=list)

    @field_validator("expect", "section", mode="before")
    @classmethod
    def _listify(cls, v: object) -> object:
        return [v] if isinstance(v, str) else ([] if v is None else v)

    def matches(self, hit: Hit) -> bool:
        return hit.policy_id in self.expect and (
            not self.section or any(s.lower() in hit.section.lower() for s in self.section)
        )

    @property
    def payer(self) -> str | None:
        """The payer the question names (what the coordinator's screen would filter by), if exactly one."""
        named = {m.lower() for m in _PAYER.findall(self.q)}
        return named.pop() if len(named) == 1 else None


def load_questions(path: Path) -> list[Question]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Question.model_validate(item) for item in data["questions"]]


def first_rank(question: Question, hits: list[Hit]) -> int | None:
    return next((i for i, h in enumerate(hits, start=1) if question.matches(h)), None)


def score(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks)
    return {
        "r@1": sum(1 for r in ranks if r == 1) / n,
        "r@5": sum(1 for r in ranks if r is not None and r <= 5) / n,
        "mrr": sum(1 / r for r in ranks if r is not None) / n,
    }


def run(settings: Settings, questions: list[Question], show_misses: bool) -> dict[str, object]:
    results: dict[tuple[str, bool], dict[str, float]] = {}
    misses: list[str] = []
    for filtered in (False, True):
        for mode in MODES:
            ranks = []
            for q in questions:
                hits = search(q.q, payer=q.payer if filtered else None, k=DEPTH, mode=mode, settings=settings)  # type: ignore[arg-type]
                rank = first_rank(q, hits)
                ranks.append(rank)
                if show_misses and (rank is None or rank > 5):
                    top = "; ".join(f"{h.policy_id}/{h.section[:40]}" for h in hits[:3])
                    misses.append(
                        f"  {mode}{'+payer' if filtered else ''} miss (rank {rank}): {q.q!r} want "
                        f"{q.expect} {q.section} -> {top}"
                    )
            results[(mode, filtered)] = score(ranks)

    timings = []
    for _ in range(LATENCY_PASSES):  # every sample counts: a busy machine shows in p95, as it would live
        for q in questions:
            started = time.perf_counter()
            search(q.q, k=5, settings=settings)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]

    print(f"{len(questions)} questions ({sum(1 for q in questions if q.payer)} name a payer)")
    print(f"{'mode':<8} {'filter':<7} {'recall@1':>9} {'recall@5':>9} {'MRR@10':>7}")
    for (mode, filtered), m in results.items():
        print(
            f"{mode:<8} {'payer' if filtered else 'none':<7} {m['r@1']:>9.3f} {m['r@5']:>9.3f} {m['mrr']:>7.3f}"
        )
    print(
        f"hybrid latency: p50 {p50:.1f} ms, p95 {p95:.1f} ms ({len(timings)} queries, k=5, no filter, "
        f"index cached; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    for line in misses:
        print(line)
    return {
        "recall_at_5": round(results[("hybrid", False)]["r@5"], 4),
        "recall_at_5_bm25": round(results[("bm25", False)]["r@5"], 4),
        "recall_at_5_dense": round(results[("dense", False)]["r@5"], 4),
        "mrr": round(results[("hybrid", False)]["mrr"], 4),
        "recall_at_1": round(results[("hybrid", False)]["r@1"], 4),
        "recall_at_5_payer_filter": round(results[("hybrid", True)]["r@5"], 4),
        "mrr_payer_filter": round(results[("hybrid", True)]["mrr"], 4),
        "p50_ms": round(p50, 2),
        "p95_ms": round(p95, 2),
    }


REBUILD_NO_CHANGE_S = 2.0  # a no-change rebuild (every app start runs one) must be quick


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="reuse (and incrementally update) an index here instead of a fresh temporary one",
    )
    parser.add_argument("--misses", action="store_true", help="list the questions hybrid misses at 5")
    args = parser.parse_args(argv)
    try:
        questions = load_questions(args.questions)
    except (OSError, yaml.YAMLError, KeyError, ValueError) as exc:
        print(f"--questions {args.questions}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="precert-bench-") as tmp:
        settings = load_settings(env={"DATA_DIR": str(args.data_dir or tmp)})
        summary = build_index(settings)
        print(
            f"index: {summary.chunks} chunks, {summary.added + summary.updated} embedded in {summary.seconds:.1f} s"
        )
        again = build_index(settings)  # nothing changed: every chunk is recognised, none embedded again
        out = run(settings, questions, args.misses)
    out["build_s"] = summary.seconds
    out["rebuild_no_change_s"] = again.seconds
    out["rebuild_no_change_target_met"] = again.seconds <= REBUILD_NO_CHANGE_S and again.added == 0
    out["questions"] = len(questions)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
