"""Benchmark of the Streamlit app as people use it.

Run: ``python bench/app.py [--runs 3] [--submits 200] [--attempts 100000] [--skip-pg]``. Prints each
measurement, then one JSON object on the last line:

- ``cold_start_ratio``: process start → first rendered element in headless Chromium, the app (a fresh
  DATA_DIR: the first-run screen, after creating and migrating the database) over a one-line
  Streamlit app started the same way in the same run (medians of ``--runs`` alternating starts). Target ≤ 1.5.
- ``submit_p95_ms``: the server work behind "Submit the request to the payer": the form is validated
  into a Submission, the action log is replayed on the simulated payer, the progress is saved to the
  store (SQLite, WAL) — in process, over ``--submits`` requests on generated cases. Target ≤ 300 ms.
- ``dashboard_s``: ``store.dashboard.cohort_dashboard`` over 100,000 completed attempts (the filling and
  timing of ``bench/dashboard.py``), for one cohort and for everyone, on SQLite and on PostgreSQL when
  postgresql+psycopg://postgres@127.0.0.1:5432/test answers (a temporary schema, dropped afterwards);
  the slower database's slower scope. Target ≤ 1 s.
- ``peak_rss_mb``: VmHWM of the streamlit process after the browser journey (tests/browser/journey.py)
  including its assistant step; ``peak_rss_mb_before_assistant`` is the same process before that step.
  Target ≤ 600 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests" / "browser")]

import dashboard as dashboard_bench  # noqa: E402  (bench/dashboard.py: the 100k-attempt filler and timer)
import journey  # noqa: E402  (tests/browser/journey.py: the server runner and the browser journey)

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PARTS = ("cold", "submit", "dashboard", "memory")
BARE_APP = 'import streamlit as st\nst.write("bare app ready")\n'


# ----- cold start ---------------------------------------------------------------------------------------


def first_render(browser: Any, script: Path, data_dir: Path, log: Path, marker: str) -> float:
    """Seconds from process start until ``marker`` is visible in a fresh page."""
    from playwright.sync_api import expect

    with journey.serve(script, data_dir, log, wait_health=False) as server:
        page = browser.new_page()
        try:
            deadline = time.monotonic() + 60
            while True:  # the port is not open until the server is up; keep knocking
                try:
                    page.goto(server.url, timeout=5_000)
                    break
                except Exception:
                    if time.monotonic() > deadline or server.process.poll() is not None:
                        raise
                    time.sleep(0.05)
            expect(page.get_by_text(marker).first).to_be_visible(timeout=60_000)
            return time.perf_counter() - server.started
        finally:
            page.close()


def cold_start(runs: int, work: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    bare_script = work / "bare_app.py"
    bare_script.write_text(BARE_APP)
    bare, app = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(journey.CHROMIUM), args=journey.CHROMIUM_ARGS)
        try:
            first_render(
                browser, bare_script, work / "warm", work / "warm.log", "bare app ready"
            )  # disk cache
            for i in range(runs):
                bare.append(
                    first_render(
                        browser, bare_script, work / f"bare{i}", work / f"bare{i}.log", "bare app ready"
                    )
                )
                app.append(
                    first_render(
                        browser,
                        journey.ROOT / "server.py",
                        work / f"app{i}",
                        work / f"app{i}.log",
                        "Welcome to Precert Academy",
                    )
                )
        finally:
            browser.close()
    b, a = statistics.median(bare), statistics.median(app)
    return {
        "bare_first_render_s": round(b, 3),
        "app_first_render_s": round(a, 3),
        "cold_start_ratio": round(a / b, 3),
    }


# ----- submit -------------------------------------------------------------------------------------------


def submit_times(n: int, work: Path) -> dict[str, float]:
    from knowledge_base.loader import load_library
    from scenarios import generate_case, list_modules
    from settings import Settings
    from store.accounts import create_user
    from store.db import init_db, session_scope
    from store.permissions import SYSTEM, Viewer
    from store.progress import save_progress
    from ui.widgets import workflow
    from ui.widgets.workflow import CaseSession

    lib = load_library()
    engine = init_db(Settings(data_dir=work / "submit"))
    with session_scope(engine) as session:
        user = create_user(
            session,
            SYSTEM,
            username="bench",
            display_name="Bench",
            password="bench password 1",
            role="trainee",
            cost=4,
        )
    viewer = Viewer(user_id=user.id, username="bench", role="trainee")
    cases = []
    for module in (m["id"] for m in list_modules()):
        for seed in range(1, 400):
            case = generate_case(module, seed)
            if case.answer_key.reference_submission is not None and case.prior_submission is None:
                cases.append(case)
            if len(cases) >= n:
                break
        if len(cases) >= n:
            break
    samples = []
    for i in range(n):
        case = cases[i % len(cases)]
        ref = case.answer_key.reference_submission
        assert ref is not None
        before = [a for a in case.answer_key.reference_actions if a.type in ("eligibility", "auth_lookup")]
        cs = CaseSession(module_id=case.module_id, seed=case.seed, started_at=datetime.now(UTC))
        form = workflow.RequestForm(
            member_id=ref.member_id,
            patient_last_name=ref.patient_last_name,
            patient_dob=ref.patient_dob,
            ordering_npi=ref.ordering_npi,
            servicing_npi=ref.servicing_npi,
            diagnoses=", ".join(ref.diagnoses),
            lines=[(p.code, p.units, ", ".join(p.modifiers)) for p in ref.procedures],
            date_of_service=ref.date_of_service,
            urgency=ref.urgency,
            place_of_service=ref.place_of_service,
            document_ids=ref.document_ids,
            narrative=ref.narrative or "Narrative.",
            requested_duration_days=ref.requested_duration_days,
        )
        cs.actions = list(before)
        cs.steps = workflow.run(case, cs.actions, lib)
        started = time.perf_counter()
        submission = workflow.submission(case, cs.actions, form)
        cs.actions = [*cs.actions, submission]
        cs.steps = workflow.run(case, cs.actions, lib)
        with session_scope(engine) as session:
            cs.attempt_id = save_progress(session, viewer, workflow.progress_record(case, cs))
        samples.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    samples.sort()
    return {
        "submits": n,
        "submit_p50_ms": round(statistics.median(samples), 1),
        "submit_p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 1),
        "submit_max_ms": round(samples[-1], 1),
    }


# ----- dashboard ----------------------------------------------------------------------------------------


def dashboard_on(url: str | None, attempts: int, folder: Path) -> dict[str, Any]:
    times = dashboard_bench.run_on(url, attempts, folder)
    name = times["database"]
    slowest = max(times["cohort.cohort_dashboard_s"], times["all.cohort_dashboard_s"])
    return {
        f"{name}.load_s": times["load_s"],
        f"{name}.cohort_dashboard_cohort_s": times["cohort.cohort_dashboard_s"],
        f"{name}.cohort_dashboard_all_s": times["all.cohort_dashboard_s"],
        f"{name}.dashboard_s": slowest,
    }


def pg_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", connect_timeout=3):
            return True
    except Exception:
        return False


# ----- memory -------------------------------------------------------------------------------------------


def journey_memory(work: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with (
        journey.serve(journey.ROOT / "server.py", work / "journey", work / "journey.log") as server,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=str(journey.CHROMIUM), args=journey.CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            driver = journey.Driver(page)
            out = journey.run_journey(driver, server.url, work / "journey", with_assistant=False)
            before = journey.peak_rss_mb(server.pid)
            journey.draft_with_assistant(driver, out["seed"])
            after = journey.peak_rss_mb(server.pid)
        finally:
            browser.close()
    return {
        "peak_rss_mb_before_assistant": round(before, 1),
        "peak_rss_mb": round(after, 1),
        "journey_s": round(driver.timings["journey_s"], 1),
        "first_draft_s": round(driver.timings["first_draft_s"], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="cold starts of each app (median)")
    parser.add_argument("--submits", type=int, default=200)
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--skip-pg", action="store_true", help="do not try PostgreSQL")
    parser.add_argument(
        "--only",
        choices=PARTS,
        action="append",
        help="run only these parts (repeatable); the JSON line then has only their numbers",
    )
    args = parser.parse_args()
    parts = set(args.only or PARTS)
    for name in ("runs", "submits", "attempts"):
        if getattr(args, name) < 1:
            print(f"--{name}: must be at least 1", file=sys.stderr)
            return 2
    if not journey.CHROMIUM.exists():
        print(f"{journey.CHROMIUM} is missing: install Debian's chromium package", file=sys.stderr)
        return 2
    os.environ.pop("DATABASE_URL", None)
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        if "cold" in parts:
            result.update(cold_start(args.runs, work))
            _show(result)
        if "submit" in parts:
            result.update(submit_times(args.submits, work))
            _show(result)
        if "dashboard" in parts:
            result.update(dashboard_on(None, args.attempts, work / "sqlite"))
            if not args.skip_pg and pg_reachable():
                result.update(dashboard_on(PG_URL, args.attempts, work / "pg"))
            else:
                result["postgresql"] = "not reachable (skipped)"
            result["dashboard_s"] = max(v for k, v in result.items() if k.endswith(".dashboard_s"))
            _show(result)
        if "memory" in parts:
            result.update(journey_memory(work))
    result["machine_load_1m"] = round(os.getloadavg()[0], 2)
    _show(result)
    keys = ("cold_start_ratio", "submit_p95_ms", "dashboard_s", "peak_rss_mb")
    print(json.dumps({k: result[k] for k in keys if k in result}))
    return 0


_shown: set[str] = set()


def _show(result: dict[str, Any]) -> None:
    for key, value in result.items():
        if key not in _shown:
            _shown.add(key)
            print(f"{key:34} {value}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
