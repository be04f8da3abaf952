"""Export a draft letter as DOCX (python-docx) or PDF (fpdf2, built-in Helvetica). Pure functions:
text in, bytes out."""

from __future__ import annotations

import io
from collections.abc import Sequence

from store.export import printable

# The PDF core fonts cover Latin-1 only; typographic characters get their plain equivalents and
# anything else still outside Latin-1 becomes '?', so a letter always renders.
_PLAIN = str.maketrans(
    {
        "—": "-",
        "–": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "•": "*",
        "…": "...",
        "≥": ">=",
        "≤": "<=",
        "→": "->",
        "←": "<-",
        "×": "x",
        "·": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "✓": "[x]",
    }
)


def pdf_safe(text: str) -> str:
    """``text`` with only characters the PDF core fonts can encode.

    >>> pdf_safe("≥ 6 weeks — “PT” ✓ 漢")
    '>= 6 weeks - "PT" [x] ?'
    """
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def _clean(title: str, body: str, citations: Sequence[str]) -> tuple[str, str, list[str]]:
    # Every string through the one sanitiser the CSV/XLSX exports use: a form feed or NUL in an edited
    # draft must not make an export raise.
    return printable(title), printable(body), [printable(c) for c in citations]


def to_docx(title: str, body: str, citations: Sequence[str] = ()) -> bytes:
    from docx import Document

    title, body, citations = _clean(title, body, citations)
    doc = Document()
    doc.add_heading(title, level=1)
    for paragraph in body.split("\n"):
        doc.add_paragraph(paragraph)
    if citations:
        doc.add_heading("Policy citations", level=2)
        for cite in citations:
            doc.add_paragraph(cite, style="List Bullet")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def to_pdf(title: str, body: str, citations: Sequence[str] = ()) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import WrapMode

    title, body, citations = _clean(title, body, citations)
    pdf = FPDF(format="Letter")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(20, 18, 20)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=14)
    pdf.multi_cell(0, 7, pdf_safe(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", size=10.5)
    for paragraph in body.split("\n"):
        # wrapmode CHAR: a very long token (a URL, a run of characters) wraps instead of failing
        pdf.multi_cell(
            0, 5.2, pdf_safe(paragraph) or " ", new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR
        )
    if citations:
        pdf.ln(3)
        pdf.set_font("Helvetica", style="B", size=11)
        pdf.multi_cell(0, 6, "Policy citations", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        for cite in citations:
            pdf.multi_cell(0, 5, pdf_safe(f"- {cite}"), new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
    return bytes(pdf.output())
