"""Export attempts as CSV or XLSX for supervisors (every export is audited).

Cells that begin with ``= + - @`` (or a tab/carriage return) are prefixed with an apostrophe, so a
display name like ``=HYPERLINK(...)`` cannot run as a formula when the file is opened in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from typing import Any

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from store.audit import AuditRow, check, log_event
from store.dashboard import Filters, apply_filters, scoped
from store.models import DIMENSIONS, Attempt, AttemptErrorTag, Cohort, GradeOverride, User
from store.permissions import Viewer

COLUMNS: tuple[str, ...] = (
    "attempt_id",
    "username",
    "display_name",
    "cohort",
    "module_id",
    "case_id",
    "archetype_id",
    "status",
    "started_at_utc",
    "completed_at_utc",
    "total_score",
    "passed",
    # issue 12 item 9: total_score/passed are the effective ones (a supervisor's override where one is
    # in force); the grader's own score stays beside them, and the override's reason.
    "grader_score",
    "overridden",
    "override_reason",
    *DIMENSIONS,
    "error_tags",
    "content_version",
)
_RISKY = ("=", "+", "-", "@", "\t", "\r")
# Characters no export format can carry: C0 controls but tab and newline, DEL, C1 controls, lone
# surrogates and the non-characters U+FFFE/U+FFFF (XML 1.0 forbids them, so DOCX and XLSX writers raise).
_UNPRINTABLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BREAKS = re.compile("\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` safe for every export: line and page breaks of any kind become ``\\n``, other control
    characters are dropped (issue 11 item 8: a form feed once made the DOCX export raise).

    >>> printable("a\\x0cb\\r\\nc\\x00d\\te")
    'a\\nb\\ncd\\te'
    """
    return _UNPRINTABLE.sub("", _BREAKS.sub("\n", text))


def attempt_rows(session: Session, viewer: Viewer, filters: Filters | None = None) -> list[dict[str, Any]]:
    """Completed attempts matching ``filters`` as flat rows (keys: COLUMNS), oldest first; audited as 'export'."""
    f = scoped(session, viewer, filters, "export")
    tags = (
        select(AttemptErrorTag.attempt_id, func.aggregate_strings(AttemptErrorTag.tag, ";").label("tags"))
        .group_by(AttemptErrorTag.attempt_id)
        .subquery()
    )
    owner = User.__table__.alias("owner")
    changes = (
        select(GradeOverride.attempt_id, func.max(GradeOverride.id).label("last_id"))
        .group_by(GradeOverride.attempt_id)
        .subquery()
    )
    last = aliased(GradeOverride)
    stmt = apply_filters(
        select(
            Attempt,
            owner.c.username,
            owner.c.display_name,
            Cohort.name,
            tags.c.tags,
            last.grader_score,
            last.kind,
            last.reason,
        )
        .join(owner, owner.c.id == Attempt.user_id)
        .outerjoin(Cohort, Cohort.id == owner.c.cohort_id)
        .outerjoin(tags, tags.c.attempt_id == Attempt.id)
        .outerjoin(changes, changes.c.attempt_id == Attempt.id)
        .outerjoin(last, last.id == changes.c.last_id),
        f,
    ).order_by(Attempt.completed_at, Attempt.id)
    rows = [
        {
            "attempt_id": a.id,
            "username": username,
            "display_name": display,
            "cohort": cohort,
            "module_id": a.module_id,
            "case_id": a.case_id,
            "archetype_id": a.archetype_id,
            "status": a.status,
            "started_at_utc": _naive(a.started_at),
            "completed_at_utc": _naive(a.completed_at),
            "total_score": a.total_score,
            "passed": a.passed,
            "grader_score": a.total_score if grader is None else grader,
            "overridden": kind == "override",
            "override_reason": reason if kind == "override" else "",
            **{d: getattr(a, d) for d in DIMENSIONS},
            "error_tags": ";".join(sorted(t.split(";"))) if t else "",
            "content_version": a.content_version,
        }
        for a, username, display, cohort, t, grader, kind, reason in session.execute(stmt)
    ]
    log_event(
        session,
        "export",
        user_id=viewer.user_id,
        detail={"rows": len(rows), "filters": f.model_dump(mode="json")},
    )
    return rows


AUDIT_COLUMNS: tuple[str, ...] = ("id", "at_utc", "username", "event", "detail")


def audit_csv(session: Session, viewer: Viewer, rows: list[AuditRow]) -> bytes:
    """The audit rows an administrator is looking at as CSV (the export itself is audited)."""
    check(session, viewer, "audit.read")
    flat = [
        {
            "id": r.id,
            "at_utc": _naive(r.at),
            "username": r.username or "",
            "event": r.event,
            "detail": json.dumps(r.detail, ensure_ascii=False, sort_keys=True),
        }
        for r in rows
    ]
    log_event(session, "export", user_id=viewer.user_id, detail={"what": "audit_log", "rows": len(rows)})
    return to_csv(flat, AUDIT_COLUMNS)


def _naive(value: datetime | None) -> datetime | None:
    # Spreadsheets have no time zones; the column names say the times are UTC.
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None)


def _safe(value: Any) -> Any:
    if isinstance(value, str):
        value = printable(value)
        if value.startswith(_RISKY):
            return "'" + value
    return value


def to_csv(rows: list[dict[str, Any]], columns: tuple[str, ...] = COLUMNS) -> bytes:
    """UTF-8 CSV (with a BOM, so spreadsheet programs detect the encoding) of ``rows``.

    >>> to_csv([{"a": 1, "b": "=x"}], ("a", "b")).decode("utf-8-sig").splitlines()
    ['a,b', "1,'=x"]
    """
    buffer = io.StringIO()
    # RFC 4180 line ends; csv then quotes any value holding a \r or \n, so neither can split a row.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell_text(_safe(row.get(c))) for c in columns])
    return buffer.getvalue().encode("utf-8-sig")


def _cell_text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return "" if value is None else value


def to_xlsx(
    rows: list[dict[str, Any]], columns: tuple[str, ...] = COLUMNS, *, sheet: str = "attempts"
) -> bytes:
    """An XLSX workbook with one sheet: a header row, then ``rows``."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(title=sheet[:31])
    ws.append(list(columns))
    for row in rows:
        ws.append([_safe(row.get(c)) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
