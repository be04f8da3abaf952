"""Every export survives any text (issue 11 item 8): DOCX, PDF, CSV and XLSX are written for arbitrary
Unicode — control characters, form feeds, lone surrogates, NUL — and read back as one clean record."""

from __future__ import annotations

import csv
import io
import re

from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from store.export import to_csv, to_xlsx
from ui.widgets.exporters import to_docx, to_pdf

# Every code point, surrogates included, with the troublesome ones made frequent.
ANY_CHAR = st.one_of(
    st.characters(exclude_categories=()),
    st.sampled_from(
        ["\x00", "\x0c", "\x0b", "\r", "\r\n", "\x1b", "\x7f", "\x85", "\ud800", "\ufffe", "\u2028"]
    ),
)
TEXT = st.lists(ANY_CHAR, max_size=60).map("".join)
# What no file may contain once written (besides tab and newline, which every format keeps).
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(title=TEXT, body=TEXT, cite=TEXT)
def test_docx_is_written_and_reads_back_clean(title: str, body: str, cite: str) -> None:
    doc = Document(io.BytesIO(to_docx(title, body, [cite])))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert not FORBIDDEN.search(text)
    visible = [w for w in re.split(r"[\W_]+", body) if w and not FORBIDDEN.search(w)]
    assert all(w in text for w in visible)  # the words survive; only the control characters go


@FUZZ
@given(title=TEXT, body=TEXT, cite=TEXT)
def test_pdf_is_written(title: str, body: str, cite: str) -> None:
    assert to_pdf(title, body, [cite]).startswith(b"%PDF-")


@FUZZ
@given(value=TEXT, other=TEXT)
def test_csv_keeps_one_row_per_record(value: str, other: str) -> None:
    data = to_csv([{"a": value, "b": other}], ("a", "b")).decode("utf-8-sig", errors="strict")
    rows = list(csv.reader(io.StringIO(data, newline="")))
    assert len(rows) == 2 and len(rows[1]) == 2  # header and the one record, never split by a \r
    assert not any(FORBIDDEN.search(cell) for cell in rows[1])


def test_a_carriage_return_is_quoted_not_a_row_break() -> None:
    data = to_csv([{"a": "x\ry", "b": "z"}], ("a", "b")).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(data, newline="")))[1] == ["x\ny", "z"]


@FUZZ
@given(value=TEXT)
def test_xlsx_is_written_and_reads_back_clean(value: str) -> None:
    book = load_workbook(io.BytesIO(to_xlsx([{"a": value}], ("a",))))
    cell = book.active.cell(row=2, column=1).value
    assert cell is None or not FORBIDDEN.search(str(cell))
