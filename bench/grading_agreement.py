"""Agreement of the grader with an educator's hand-written judgements (tests/data/graded_by_hand/).

Run: ``python bench/grading_agreement.py [--root DIR] [--verbose]``. Each attempt file holds a frozen ``case``, the
trainee's ``actions`` and the ``expected`` judgement (pass/fail, score range, required and acceptable
tags, critical errors), written by hand before the grader ran on it. Every attempt is graded on its own
frozen case. Per band and overall:

- ``pass_fail_agreement``: the grader's pass/fail equals the educator's;
- ``score_in_range_rate``: the total lies in [score_min, score_max];
- ``tag_recall``: required tags the grader reported / required tags;
- ``spurious_tag_rate``: reported tags neither required nor acceptable / reported tags;
- ``critical_recall``: expected critical errors the grader reported / expected critical errors.

A table of disagreements (id, expected vs got, tags) goes to stderr; the last line on stdout is one JSON
object. Targets (issue 9): pass/fail agreement >= 0.95 on every band, tag recall >= 0.90, spurious
<= 0.05.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pydantic import TypeAdapter, ValidationError

from grading import grade
from scenarios.models import Action, Case

ROOT = Path(__file__).resolve().parents[1] / "tests" / "data" / "graded_by_hand"
BANDS = ("excellent", "one_mistake", "poor", "adversarial")
_ACTIONS = TypeAdapter(list[Action])


@dataclass
class Tally:
    n: int = 0
    pass_fail: int = 0
    in_range: int = 0
    required: int = 0
    recalled: int = 0
    reported: int = 0
    spurious: int = 0
    critical_expected: int = 0
    critical_found: int = 0
    errors: int = 0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def summary(self) -> dict[str, Any]:
        def rate(num: int, den: int, empty: float) -> float:
            return round(num / den, 4) if den else empty

        return {
            "n": self.n,
            "pass_fail_agreement": rate(self.pass_fail, self.n, 1.0),
            "score_in_range_rate": rate(self.in_range, self.n, 1.0),
            "tag_recall": rate(self.recalled, self.required, 1.0),
            "spurious_tag_rate": rate(self.spurious, self.reported, 0.0),
            "critical_recall": rate(self.critical_found, self.critical_expected, 1.0),
            "errors": self.errors,
        }


@dataclass
class Outcome:
    attempt_id: str
    band: str
    tally: Tally
    line: str = ""
    missing: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)
    # with --verbose: the items behind each spurious or lost-point finding, to see why they disagree
    details: list[str] = field(default_factory=list)


def _load(path: Path) -> tuple[dict[str, Any], Case, list[Action]]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return raw, Case.model_validate(raw["case"]), _ACTIONS.validate_python(raw["actions"])


def _details(report: Any, spurious: set[str]) -> list[str]:
    """One line per item that carries a spurious tag or lost points: item id, points, tags, feedback."""
    lines = []
    for item in report.items:
        if spurious & set(item.error_tags) or item.points < item.max_points:
            mark = "SPURIOUS " if spurious & set(item.error_tags) else ""
            lines.append(
                f"{mark}{item.item_id} {item.points:g}/{item.max_points:g} {item.error_tags}: {item.feedback[:220]}"
            )
    lines += [f"CRITICAL {c.id} ({c.item_id}): {c.message[:200]}" for c in report.critical_errors]
    return lines


def judge(path: Path, verbose: bool = False) -> Outcome:
    """Grade one attempt and compare it with the educator's judgement."""
    tally = Tally(n=1)
    try:
        raw, case, actions = _load(path)
    except (OSError, ValueError, KeyError, ValidationError) as exc:
        tally.errors = 1
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return Outcome(path.stem, "?", tally, f"{path.stem}: cannot be read ({first})")
    exp = raw["expected"]
    band = raw.get("band", "?")
    report = grade(case, actions)
    got_tags = set(report.error_tags)
    required = set(exp.get("tags", []))
    allowed = required | set(exp.get("acceptable_tags", []))
    critical_want = set(exp.get("critical_errors", []))
    critical_got = {c.id for c in report.critical_errors}
    tally.pass_fail = int(report.passed == exp["passed"])
    tally.in_range = int(exp["score_min"] <= report.total <= exp["score_max"])
    tally.required = len(required)
    tally.recalled = len(required & got_tags)
    tally.reported = len(got_tags)
    tally.spurious = len(got_tags - allowed)
    tally.critical_expected = len(critical_want)
    tally.critical_found = len(critical_want & critical_got)
    out = Outcome(
        raw.get("id", path.stem),
        band,
        tally,
        missing=sorted(required - got_tags),
        spurious=sorted(got_tags - allowed),
    )
    bad = (
        not tally.pass_fail
        or not tally.in_range
        or out.missing
        or out.spurious
        or critical_want - critical_got
    )
    if bad:
        verdict = f"{'pass' if exp['passed'] else 'fail'} {exp['score_min']}-{exp['score_max']}"
        got = f"{'pass' if report.passed else 'fail'} {report.total:g}"
        crit = ""
        if critical_want != critical_got:
            crit = f" critical want {sorted(critical_want)} got {sorted(critical_got)}"
        out.line = f"{out.attempt_id}: expected {verdict}, got {got}; missing {out.missing}; spurious {out.spurious}{crit}"
        if verbose:
            out.details = _details(report, set(out.spurious))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument(
        "--verbose", action="store_true", help="under each disagreement, the items behind it (stderr)"
    )
    args = parser.parse_args()
    paths = sorted(args.root.glob("*/*.json"))
    if not paths:
        print(f"error: no attempt files under {args.root}", file=sys.stderr)
        raise SystemExit(2)
    by_band: dict[str, Tally] = defaultdict(Tally)
    overall = Tally()
    lines: list[str] = []
    disagreeing = 0
    for path in paths:
        outcome = judge(path, args.verbose)
        by_band[outcome.band].add(outcome.tally)
        overall.add(outcome.tally)
        if outcome.line:
            disagreeing += 1
            lines.append(outcome.line)
            lines += ["    " + d for d in outcome.details]
    print(f"{disagreeing} of {overall.n} attempts disagree somewhere:", file=sys.stderr)
    for line in lines:
        print("  " + line, file=sys.stderr)
    bands = {b: by_band[b].summary() for b in (*BANDS, *sorted(set(by_band) - set(BANDS))) if b in by_band}
    print(
        f"{'band':<14}{'n':>4}{'pass/fail':>11}{'in range':>10}{'recall':>8}{'spurious':>10}{'critical':>10}"
    )
    for name, s in [*bands.items(), ("overall", overall.summary())]:
        print(
            f"{name:<14}{s['n']:>4}{s['pass_fail_agreement']:>11.3f}{s['score_in_range_rate']:>10.3f}"
            f"{s['tag_recall']:>8.3f}{s['spurious_tag_rate']:>10.3f}{s['critical_recall']:>10.3f}"
        )
    print(json.dumps({**overall.summary(), "by_band": bands}))


if __name__ == "__main__":
    main()
