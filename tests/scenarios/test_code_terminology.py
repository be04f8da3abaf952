"""Issue 10 item 12: the content names ICD-10-CM levels as the tabular list does.

The category is the 3-character code (M54); M54.5, M17.1, F10.2 and C34.1 are subcategories; the
laterality of C34.11 is its 5th character. The oracle is the code's own shape, not the simulator.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTENT = [
    *sorted((ROOT / "scenarios" / "modules").glob("*.yaml")),
    *sorted((ROOT / "scenarios" / "service_lines").glob("*.yaml")),
    *sorted((ROOT / "knowledge_base").rglob("*.md")),
]
# "<code> ... is a category" within one clause, where the code has more than 3 characters
CALLED_CATEGORY = re.compile(r"\b([A-TV-Z]\d{2}\.\w+)\b[^.;:]{0,60}?\bis a category\b")
CHARACTER_ORDINAL = re.compile(r"\b([A-TV-Z]\d{2}\.\d+)\b[^.]{0,80}?\b(fourth|fifth|sixth|seventh) character")


def test_no_subcategory_is_called_a_category() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}: {m.group(0)!r}"
        for path in CONTENT
        for m in CALLED_CATEGORY.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not wrong, "a code longer than 3 characters is a subcategory:\n" + "\n".join(wrong)


def test_the_character_that_is_added_is_counted_right() -> None:
    # "C34.1 ... needs a sixth character" is wrong: C34.1 has 4 characters, so the next is the 5th
    ordinals = {"fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7}
    wrong = []
    for path in CONTENT:
        for m in CHARACTER_ORDINAL.finditer(path.read_text(encoding="utf-8")):
            length = len(m.group(1).replace(".", ""))
            if ordinals[m.group(2)] != length + 1:
                wrong.append(
                    f"{path.relative_to(ROOT)}: {m.group(0)!r} ({m.group(1)} has {length} characters)"
                )
    assert not wrong, "\n".join(wrong)
