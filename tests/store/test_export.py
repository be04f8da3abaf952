"""Exports: the bytes open as CSV and XLSX, hold the filtered rows, and cannot smuggle formulas."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
from sqlalchemy.orm import Session
from store_support import NOW, attempt_in, make_user

from store.attempts import save_attempt
from store.audit import list_events
from store.cohorts import create_cohort
from store.dashboard import Filters
from store.export import COLUMNS, attempt_rows, to_csv, to_xlsx
from store.permissions import SYSTEM


def _setup(session: Session) -> int:
    cohort = create_cohort(session, SYSTEM, "Spring")
    ana = make_user(session, "ana", cohort_id=cohort.id, display_name='=HYPERLINK("http://x")')
    ben = make_user(session, "ben", display_name="Benoît Ødegård")  # no cohort
    save_attempt(session, ana, attempt_in(score=90, tags=("missed_deadline", "missing_required_document")))
    save_attempt(session, ben, attempt_in(score=55.5, passed=False, completed_at=NOW + timedelta(hours=1)))
    return cohort.id


def test_rows_follow_the_filters_and_are_audited(db_session: Session) -> None:
    cohort_id = _setup(db_session)
    everyone = attempt_rows(db_session, SYSTEM)
    assert [r["username"] for r in everyone] == ["ana", "ben"]
    assert everyone[0]["error_tags"] == "missed_deadline;missing_required_document"
    assert everyone[0]["cohort"] == "Spring" and everyone[1]["cohort"] is None
    assert everyone[0]["completed_at_utc"] == NOW.replace(tzinfo=None)
    assert [r["username"] for r in attempt_rows(db_session, SYSTEM, Filters(cohort_id=cohort_id))] == ["ana"]
    events = list_events(db_session, SYSTEM, event="export")
    assert [e.detail["rows"] for e in events] == [1, 2]  # newest first


def test_xlsx_opens_with_openpyxl(db_session: Session) -> None:
    _setup(db_session)
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(attempt_rows(db_session, SYSTEM))))
    sheet = book["attempts"]
    values = list(sheet.values)
    assert values[0] == COLUMNS
    assert len(values) == 3
    ana = dict(zip(COLUMNS, values[1], strict=True))
    assert ana["total_score"] == 90 and ana["passed"] is True
    assert ana["display_name"] == '\'=HYPERLINK("http://x")'  # text, not a formula
    assert sheet.cell(row=2, column=COLUMNS.index("display_name") + 1).data_type == "s"
    ben = dict(zip(COLUMNS, values[2], strict=True))
    assert ben["display_name"] == "Benoît Ødegård" and ben["passed"] is False
    assert ben["completed_at_utc"] == (NOW + timedelta(hours=1)).replace(tzinfo=None)


def test_csv_parses_back(db_session: Session) -> None:
    _setup(db_session)
    data = to_csv(attempt_rows(db_session, SYSTEM))
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read it as UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["username"] for r in rows] == ["ana", "ben"]
    assert rows[0]["display_name"].startswith("'=")
    assert rows[1]["total_score"] == "55.5" and rows[1]["cohort"] == ""
    assert rows[1]["completed_at_utc"] == "2026-03-02 10:00:00"


def test_empty_export_still_has_a_header() -> None:
    assert to_csv([]).decode("utf-8-sig").strip() == ",".join(COLUMNS)
    assert list(openpyxl.load_workbook(io.BytesIO(to_xlsx([])))["attempts"].values) == [COLUMNS]
