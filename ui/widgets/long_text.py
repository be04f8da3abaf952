"""Tables whose long cells are read in full (issue 12 item 5): required documents, denial reasons,
criterion text, diagnoses and providers wrap instead of being cut at the column width, as they are in
``st.dataframe`` (where the full text needs a double-click).

``st.table`` wraps, but renders each cell as Markdown, so every cell is escaped first: a member id or
a chart phrase stays text (issue 11 item 2).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui.widgets.text import md_escape


def literal(value: Any) -> str:
    """A cell's text, escaped so ``st.table`` shows it literally; "" for None.

    >>> literal(None), literal(3), literal("**not bold** [x](y)")
    ('', '3', '\\\\*\\\\*not bold\\\\*\\\\* \\\\[x\\\\]\\\\(y\\\\)')
    """
    return "" if value is None else md_escape(str(value))


def wrapped_table(rows: list[dict[str, Any]]) -> None:
    """``rows`` as a static table whose cells wrap, every cell shown as text."""
    st.table([{name: literal(value) for name, value in row.items()} for row in rows], hide_index=True)
