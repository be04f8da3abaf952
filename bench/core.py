"""Benchmark of the core engine: cases generated per second, adjudications per second, peak memory (RSS).

Run: ``python bench/core.py [--cases 1500] [--adjudications 15000]``. Prints a small table; the last
line is one JSON object. Targets on the 2-core reference machine: >= 300 cases/s, >= 3,000
adjudications/s, in one process.
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scenarios import generate_case, load_modules
from simulator import adjudicate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1500)
    parser.add_argument("--adjudications", type=int, default=15000)
    args = parser.parse_args()

    modules = sorted(load_modules())
    generate_case(modules[0], 0)  # warm caches: content, templates, Faker

    pairs = list(itertools.islice(itertools.cycle(modules), args.cases))
    t0 = time.perf_counter()
    cases = [generate_case(module, seed) for seed, module in enumerate(pairs)]
    gen_s = time.perf_counter() - t0

    requests = [(c, c.answer_key.reference_submission) for c in cases if c.answer_key.reference_submission]
    adjudicate(*requests[0])
    t0 = time.perf_counter()
    statuses: dict[str, int] = {}
    for case, submission in itertools.islice(itertools.cycle(requests), args.adjudications):
        status = adjudicate(case, submission).status
        statuses[status] = statuses.get(status, 0) + 1
    adj_s = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # Linux reports KiB

    result = {
        "cases_per_s": round(len(cases) / gen_s, 1),
        "adjudications_per_s": round(args.adjudications / adj_s, 1),
        "peak_mb": round(peak_kb / 1024, 1),
    }
    print(f"{'measure':<28}{'value':>12}{'target':>12}")
    print(f"{'cases generated / s':<28}{result['cases_per_s']:>12}{'>= 300':>12}")
    print(f"{'adjudications / s':<28}{result['adjudications_per_s']:>12}{'>= 3000':>12}")
    print(f"{'peak RSS of the process (MB)':<28}{result['peak_mb']:>12}{'':>12}")
    print(
        f"{len(cases)} cases over {len(modules)} modules; determinations: {json.dumps(statuses, sort_keys=True)}"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
