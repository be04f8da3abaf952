"""Benchmark of the grader: defect detection, false flags on clean references, grades per second.

Run: ``python bench/grading.py [--per-module 70] [--min-samples 40]``. For the reference actions of
generated cases in every module, each known defect (grading/defects.py) is injected where it applies;
a defect counts as detected when its error tag is in the report AND the total is below the clean
reference's. A false flag is any error tag on a clean reference. Prints a small table; the last line is
one JSON object. Targets: detection >= 0.98 for every type, false flags <= 0.01, >= 200 grades/s.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grading import grade
from grading.defects import DEFECTS
from scenarios import generate_case, load_modules
from scenarios.models import Case

MAX_SEED = 3000


def _cases(modules: list[str], per_module: int, min_samples: int) -> list[Case]:
    """``per_module`` seeds of every module, then more seeds until every defect has ``min_samples`` cases."""
    cases = [generate_case(m, s) for m in modules for s in range(per_module)]
    applies = Counter(
        n
        for c in cases
        for n, d in DEFECTS.items()
        if d.apply(c, list(c.answer_key.reference_actions)) is not None
    )
    seed = per_module
    while any(applies[n] < min_samples for n in DEFECTS) and seed < MAX_SEED:
        for m in modules:
            c = generate_case(m, seed)
            wanted = [
                n
                for n, d in DEFECTS.items()
                if applies[n] < min_samples and d.apply(c, list(c.answer_key.reference_actions)) is not None
            ]
            if wanted:
                cases.append(c)
                applies.update(
                    n
                    for n, d in DEFECTS.items()
                    if d.apply(c, list(c.answer_key.reference_actions)) is not None
                )
        seed += 1
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-module", type=int, default=70)
    parser.add_argument("--min-samples", type=int, default=40)
    args = parser.parse_args()
    modules = sorted(load_modules())
    cases = _cases(modules, args.per_module, args.min_samples)
    warm = cases[0]
    grade(warm, warm.answer_key.reference_actions)  # first call loads ICD-10-CM tables and content

    graded = 0
    seconds = 0.0
    flagged: list[tuple[str, list[str]]] = []
    hits: Counter[str] = Counter()
    tried: Counter[str] = Counter()
    misses: dict[str, list[str]] = {}
    for case in cases:
        ref = list(case.answer_key.reference_actions)
        t0 = time.perf_counter()
        clean = grade(case, ref)
        seconds += time.perf_counter() - t0
        graded += 1
        if clean.error_tags or clean.total < 100:
            flagged.append((case.case_id, clean.error_tags))
        for name, defect in DEFECTS.items():
            actions = defect.apply(case, ref)
            if actions is None:
                continue
            t0 = time.perf_counter()
            report = grade(case, actions)
            seconds += time.perf_counter() - t0
            graded += 1
            tried[name] += 1
            if defect.tag in report.error_tags and report.total < clean.total:
                hits[name] += 1
            else:
                misses.setdefault(name, []).append(case.case_id)

    per_type = {n: round(hits[n] / tried[n], 4) for n in DEFECTS if tried[n]}
    result = {
        "detection_min": min(per_type.values()) if per_type else 0.0,
        "false_flag_rate": round(len(flagged) / len(cases), 4),
        "grades_per_s": round(graded / seconds, 1),
        "per_type": per_type,
        "cases": len(cases),
        "grades": graded,
    }
    print(f"{'defect':<26}{'expected tag':<30}{'n':>6}{'detected':>10}")
    for name, defect in DEFECTS.items():
        if tried[name]:
            print(f"{name:<26}{defect.tag:<30}{tried[name]:>6}{per_type[name]:>10.3f}")
    print(
        f"{len(cases)} clean references over {len(modules)} modules; false flags: {len(flagged)} "
        f"({result['false_flag_rate']:.3%}); {graded} grades at {result['grades_per_s']} grades/s"
    )
    for case_id, tags in flagged[:10]:
        print(f"  false flag: {case_id} {tags}")
    for name, ids in misses.items():
        print(f"  missed {name}: {', '.join(ids[:5])}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
