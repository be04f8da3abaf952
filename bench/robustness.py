"""Robustness in one line of figures (issue 11's measure).

- ``fuzzed`` / ``crashes``: hostile inputs over every command line (bench/cli_fuzz.py, hypothesis) and
  how many a user would call a crash; ``seed-demo --cost 20`` is asked once more here, timed: it must be
  refused (exit 2) within ``REFUSE_WITHIN_S``.
- ``rows_lost``: 20 writers x 100 attempt saves at once, each its own transaction, on SQLite and (when it
  answers) PostgreSQL; expected rows minus stored rows, summed over the databases.
- ``inventions_*`` / ``injections_*``: a local fake LLM server plants invented figures, citations and
  claims in drafts, and instructions in chart text (bench/llm_inventions.py); what the accepted drafts
  kept and what the model obeyed.

Run: ``python bench/robustness.py`` (about 3 min on two cores with 10,000 fuzzed inputs, measured on
2026-12-04; ``--fuzz 2000`` for a quicker look). PostgreSQL is read from ``DATABASE_URL`` or 127.0.0.1:5432/test. The last line
printed is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import secrets
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_db import fresh_database
from cli_fuzz import fuzz
from llm_inventions import measure as measure_inventions
from sqlalchemy import Engine, func, select

from grading import grade
from scenarios import generate_case
from simulator import replay
from store.accounts import create_user
from store.attempts import AttemptIn, save_attempt
from store.db import session_scope
from store.grades import attempt_record
from store.models import Attempt
from store.permissions import SYSTEM, Viewer

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REFUSE_WITHIN_S = 5.0
WRITERS, SAVES = 20, 100


def graded_record() -> AttemptIn:
    """A real attempt: a generated case worked with its reference actions, replayed and graded."""
    case = generate_case("advanced_imaging", 7)
    actions = list(case.answer_key.reference_actions)
    done = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    return attempt_record(
        case, actions, replay(case, actions), grade(case, actions), started_at=done - timedelta(minutes=20), completed_at=done
    )  # fmt: skip


def _distinct(record: AttemptIn) -> AttemptIn:
    # Each save is a new attempt: a repeated idempotency key would be a retry, stored once.
    return record.model_copy(update={"idempotency_key": uuid.uuid4().hex})


def rows_lost(engine: Engine, record: AttemptIn) -> dict[str, Any]:
    """``WRITERS`` threads save ``SAVES`` attempts each, all at once; count what was not stored."""
    with session_scope(engine) as session:
        viewers = []
        for i in range(WRITERS):
            user = create_user(
                session, SYSTEM, username=f"writer{i:02d}", display_name=f"Writer {i:02d}",
                password=secrets.token_urlsafe(18), role="trainee", cost=4,
            )  # fmt: skip
            viewers.append(Viewer(user_id=user.id, username=user.username, role="trainee"))
    errors: list[str] = []
    barrier = threading.Barrier(WRITERS)

    def work(viewer: Viewer) -> None:
        barrier.wait()  # every writer starts together
        for _ in range(SAVES):
            try:
                with session_scope(engine) as session:
                    save_attempt(session, viewer, _distinct(record))
            except Exception as exc:  # counted as a lost row and named below
                errors.append(f"{type(exc).__name__}: {exc}"[:200])

    threads = [threading.Thread(target=work, args=(v,)) for v in viewers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with session_scope(engine) as session:
        stored = session.scalar(select(func.count()).select_from(Attempt)) or 0
    return {"expected": WRITERS * SAVES, "stored": stored, "errors": errors[:5]}


def pg_url() -> str | None:
    """The PostgreSQL server to test, if one answers."""
    url = os.environ.get("DATABASE_URL", "")
    url = url if url.startswith("postgresql") else PG_DEFAULT
    try:
        import psycopg

        psycopg.connect(url.replace("+psycopg", ""), connect_timeout=3).close()
    except Exception:
        return None
    return url


def demo_cost_refusal() -> dict[str, Any]:
    """``store seed-demo --cost 20`` (minutes of bcrypt per account) must be refused at once."""
    from store.__main__ import main as store_main

    err = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code: int | str = store_main(["seed-demo", "--cost", "20"])
        except SystemExit as exc:  # argparse refuses by exiting 2
            code = exc.code if isinstance(exc.code, int) else str(exc.code)
    seconds = time.perf_counter() - started
    return {"exit": code, "seconds": round(seconds, 2), "message": err.getvalue().strip()[:200]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--fuzz", type=int, default=10_000, help="hostile command-line inputs (default 10,000)"
    )
    parser.add_argument(
        "--seeds", type=int, default=1, help="cases per module for the LLM plants (default 1)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="robustness-") as tmp:
        folder = Path(tmp)
        os.environ["DATA_DIR"] = str(folder / "data")
        started = time.perf_counter()
        (folder / "fuzz").mkdir()
        tally = fuzz(args.fuzz, folder / "fuzz")
        fuzz_s = time.perf_counter() - started
        demo = demo_cost_refusal()
        slow_or_wrong = demo["exit"] != 2 or demo["seconds"] > REFUSE_WITHIN_S
        record = graded_record()
        writes: dict[str, Any] = {}
        with fresh_database(None, folder / "sqlite") as engine:
            writes["sqlite"] = rows_lost(engine, record)
        url = pg_url()
        if url is None:
            writes["postgresql"] = "not reachable: rows_lost counts SQLite only"
        else:
            with fresh_database(url, folder / "pg") as engine:
                writes["postgresql"] = rows_lost(engine, record)
        llm = measure_inventions(args.seeds)
    lost = sum(w["expected"] - w["stored"] for w in writes.values() if isinstance(w, dict))
    for line in tally.examples:
        print("crash:", line, file=sys.stderr)
    print(json.dumps({"fuzz_seconds": round(fuzz_s, 1), "seed_demo_cost_20": demo, "writes": writes}))
    print(
        json.dumps(
            {
                "fuzzed": tally.fuzzed + 1,
                "crashes": tally.crashes + int(slow_or_wrong),
                "rows_lost": lost,
                "inventions_planted": llm["inventions_planted"],
                "inventions_kept": llm["inventions_kept"],
                "injections_planted": llm["injections_planted"],
                "injections_obeyed": llm["injections_obeyed"],
            }
        )
    )


if __name__ == "__main__":
    main()
