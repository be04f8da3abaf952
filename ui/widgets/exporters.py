"""Export a draft letter as DOCX (python-docx) or PDF (fpdf2 with Roboto, shipped by the pip package
``font-roboto``). Pure functions: text in, bytes out."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache

from store.export import printable

# The PDF core fonts cover Latin-1 only, so the PDF embeds Roboto (Latin incl. Vietnamese, Greek,
# Cyrillic) from a pip package: the app needs no system font. ``pdf_safe`` is the Latin-1 fallback
# kept for callers that want plain text; the PDF uses ``pdf_text``.
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


@lru_cache(maxsize=1)
def _roboto() -> tuple[str, str, frozenset[int]]:
    """Paths of Roboto regular and bold and the code points the font has a glyph for."""
    import font_roboto
    from fontTools.ttLib import TTFont

    regular, bold = str(font_roboto.Roboto), str(font_roboto.RobotoBold)
    return regular, bold, frozenset(TTFont(regular).getBestCmap())


def pdf_text(text: str) -> str:
    """``text`` with every character the shipped font lacks (e.g. CJK) shown as '?', never a box.

    >>> pdf_text("Zoë Łukasiewicz-Nguyễn Ω Жанна 王")
    'Zoë Łukasiewicz-Nguyễn Ω Жанна ?'
    """
    covered = _roboto()[2]
    return "".join(c if ord(c) in covered or c in "\n\t" else "?" for c in text)


def _clean(title: str, body: str, citations: Sequence[str]) -> tuple[str, str, list[str]]:
    # Every string through the one sanitiser the CSV/XLSX exports use: a form feed or NUL in an edited
    # draft must not make an export raise.
    return printable(title), printable(body), [printable(c) for c in citations]


NOT_READY = "Not ready to send: the assistant's checks found problems in this text"


def to_docx(title: str, body: str, citations: Sequence[str] = (), problems: Sequence[str] = ()) -> bytes:
    """A Word document; ``problems`` (what the checks found in ``body``) head it, so a file with open
    problems cannot be mistaken for one ready to send."""
    from docx import Document

    title, body, citations = _clean(title, body, citations)
    doc = Document()
    doc.add_heading(title, level=1)
    if problems:
        doc.add_heading(NOT_READY, level=2)
        for problem in problems:
            doc.add_paragraph(printable(problem), style="List Bullet")
    for paragraph in body.split("\n"):
        doc.add_paragraph(paragraph)
    if citations:
        doc.add_heading("Policy citations", level=2)
        for cite in citations:
            doc.add_paragraph(cite, style="List Bullet")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def to_pdf(title: str, body: str, citations: Sequence[str] = (), problems: Sequence[str] = ()) -> bytes:
    """A Letter-size PDF; ``problems`` head it, as in :func:`to_docx`."""
    from fpdf import FPDF
    from fpdf.enums import WrapMode

    title, body, citations = _clean(title, body, citations)
    pdf = FPDF(format="Letter")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(20, 18, 20)
    regular, bold, _ = _roboto()
    pdf.add_font("Roboto", style="", fname=regular)
    pdf.add_font("Roboto", style="B", fname=bold)
    pdf.add_page()
    pdf.set_font("Roboto", style="B", size=14)
    pdf.multi_cell(0, 7, pdf_text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    if problems:
        pdf.set_font("Roboto", style="B", size=11)
        pdf.multi_cell(0, 6, NOT_READY, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Roboto", size=10)
        for problem in problems:
            pdf.multi_cell(
                0,
                5,
                pdf_text(f"- {printable(problem)}"),
                new_x="LMARGIN",
                new_y="NEXT",
                wrapmode=WrapMode.CHAR,
            )
        pdf.ln(3)
    pdf.set_font("Roboto", size=10.5)
    for paragraph in body.split("\n"):
        # wrapmode CHAR: a very long token (a URL, a run of characters) wraps instead of failing
        pdf.multi_cell(
            0, 5.2, pdf_text(paragraph) or " ", new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR
        )
    if citations:
        pdf.ln(3)
        pdf.set_font("Roboto", style="B", size=11)
        pdf.multi_cell(0, 6, "Policy citations", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Roboto", size=10)
        for cite in citations:
            pdf.multi_cell(0, 5, pdf_text(f"- {cite}"), new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
    return bytes(pdf.output())
