"""Benchmark of the cohort dashboard: 100,000 completed attempts aggregated by the database.

Run: ``python bench/dashboard.py [--attempts 100000]`` (SQLite in a temporary folder) or with
``DATABASE_URL=postgresql+psycopg://…`` (a temporary schema on that server, dropped afterwards).
Prints the wall time of each aggregate (median of 3 runs, warm) for one cohort and for everyone, and
the machine's load average (the numbers are only comparable on an otherwise idle machine); the last
line is one JSON object. Target: the whole dashboard in <= 1 s on either database.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_db import fresh_database
from sqlalchemy import Engine, insert, text

from scenarios import module_ids
from store.dashboard import (
    Filters,
    cohort_dashboard,
    dimension_means,
    module_stats,
    top_error_tags,
    trainee_summaries,
    weekly_trend,
)
from store.db import session_scope
from store.models import DIMENSIONS, Attempt, AttemptErrorTag, Cohort, User
from store.permissions import SYSTEM

MODULES = module_ids()
TAGS = [
    "missing_required_document",
    "wrong_code_specificity",
    "missed_deadline",
    "unsupported_claim",
    "skipped_eligibility_check",
    "wrong_appeal_level",
    "irrelevant_document_sent",
    "wrong_units",
]
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def fill(engine: Engine, attempts: int, cohorts: int = 5, per_cohort: int = 40, seed: int = 1) -> None:
    """Bulk-insert users and completed attempts with random (seeded) scores, dates and tags."""
    rng = random.Random(seed)
    with engine.begin() as conn:
        conn.execute(
            insert(Cohort),
            [{"id": c + 1, "name": f"Cohort {c + 1}", "created_at": NOW} for c in range(cohorts)],
        )
        users = [
            {
                "id": u + 1,
                "username": f"trainee{u:04d}",
                "display_name": f"Trainee {u}",
                "role": "trainee",
                "cohort_id": u % cohorts + 1,
                "password_hash": "x",
                "failed_logins": 0,
                "created_at": NOW,
                "active": True,
            }
            for u in range(cohorts * per_cohort)
        ]
        conn.execute(insert(User), users)
        batch: list[dict[str, Any]] = []
        tags: list[dict[str, Any]] = []
        for i in range(1, attempts + 1):
            score = round(rng.uniform(30, 100), 1)
            done = NOW - timedelta(minutes=rng.randint(0, 26 * 7 * 24 * 60))
            batch.append(
                {
                    "id": i,
                    "user_id": rng.randint(1, len(users)),
                    "module_id": rng.choice(MODULES),
                    "case_id": f"m:{i}",
                    "seed": i,
                    "archetype_id": "a",
                    "content_version": "v",
                    "started_at": done,
                    "completed_at": done,
                    "status": "completed",
                    "total_score": score,
                    "passed": score >= 80,
                    "actions_json": [],
                    "results_json": [],
                    "grade_json": None,
                    **{d: round(rng.uniform(0, 100), 1) for d in DIMENSIONS},
                }
            )
            tags.extend({"attempt_id": i, "tag": t} for t in rng.sample(TAGS, rng.choice((0, 1, 1, 2, 3))))
            if len(batch) == 10_000:
                conn.execute(insert(Attempt), batch)
                conn.execute(insert(AttemptErrorTag), tags)
                batch, tags = [], []
        if batch:
            conn.execute(insert(Attempt), batch)
            conn.execute(insert(AttemptErrorTag), tags)
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))


def timed(fn: Callable[[], Any], runs: int = 3) -> float:
    fn()  # warm: the first run pays for page cache and statement compilation
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def measure(engine: Engine) -> dict[str, float]:
    out: dict[str, float] = {}
    calls = {
        "module_stats": module_stats,
        "weekly_trend": weekly_trend,
        "dimension_means": dimension_means,
        "top_error_tags": top_error_tags,
        "trainee_summaries": trainee_summaries,
        "cohort_dashboard": cohort_dashboard,
    }
    for scope, filters in (("cohort", Filters(cohort_id=1)), ("all", Filters())):
        for name, fn in calls.items():

            def run(fn: Callable[..., Any] = fn, filters: Filters = filters) -> Any:
                with session_scope(engine) as session:
                    return fn(session, SYSTEM, filters)

            out[f"{scope}.{name}_s"] = round(timed(run), 4)
    return out


def run_on(url: str | None, attempts: int, folder: Path) -> dict[str, Any]:
    """Fill a fresh database with ``attempts`` and time the dashboard: SQLite under ``folder`` when ``url``
    is None, else a temporary schema on that PostgreSQL server (dropped afterwards)."""
    with fresh_database(url, folder) as engine:
        start = time.perf_counter()
        fill(engine, attempts)
        load_s = time.perf_counter() - start
        return {
            "database": engine.dialect.name,
            "attempts": attempts,
            "load_s": round(load_s, 1),
            **measure(engine),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=100_000)
    args = parser.parse_args()
    pg = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as folder:
        result = run_on(pg if pg.startswith("postgresql") else None, args.attempts, Path(folder))
    result |= {"machine_load_1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count()}
    for key, value in result.items():
        print(f"{key:32} {value}")
    result["target_met"] = max(result["cohort.cohort_dashboard_s"], result["all.cohort_dashboard_s"]) <= 1.0
    print(json.dumps(result))


if __name__ == "__main__":
    main()
