"""Issue 11 item 9: the PDF export renders any Latin/Greek/Cyrillic/Vietnamese name with its shipped
font. The oracle is an independent parser (pdfminer.six) reading the text back out of the bytes."""

from __future__ import annotations

import io

import pytest
from pdfminer.high_level import extract_text

from ui.widgets.exporters import to_pdf

NAMES = ["Zoë Łukasiewicz-Nguyễn", "Ω Ψ Σοφία", "Жанна Михайлова", "Trần Thị Hồng Nhung", "Øyvind Ærø"]


def _text(pdf: bytes) -> str:
    # pdfminer may emit ligatures or different whitespace; compare on words, not layout
    return " ".join(extract_text(io.BytesIO(pdf)).split())


@pytest.mark.parametrize("name", NAMES)
def test_pdf_keeps_every_letter_of_a_unicode_name(name: str) -> None:
    pdf = to_pdf(f"Appeal for {name}", f"Member: {name}\nDear reviewer,", [f"cite for {name}"])
    text = _text(pdf)
    assert f"Appeal for {name}" in text
    assert f"Member: {name}" in text
    assert "?" not in text


def test_pdf_shows_a_question_mark_not_a_box_for_a_script_the_font_lacks() -> None:
    text = _text(to_pdf("Wang", "王芳 Ω", []))
    assert "?? Ω" in text
