"""The text in the assistant's editor, checked: the guards (claim checker, citations, figures, verdicts,
the letter's elements) and the payer's pre-check run on what the coordinator edited, not on the draft
as it was written, and the exports carry that checked text with the problems still open.

A check runs once per distinct text (kept in the session), so reruns that do not change the text cost
nothing; the draft as the assistant wrote it was checked when it was drafted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import streamlit as st

from ui.feedback import core_errors
from ui.widgets import exporters
from ui.widgets.audit_hooks import record_download
from ui.widgets.text import md_escape

CHECK_KEY = "co_checked"  # {"text": str, "draft": the Draft the text belongs to, "checked": Draft}


def checked_for(draft: Any, text: str, check: Callable[[str], Any] | None) -> Any:
    """The Draft of ``text`` after every guard and the pre-check (``draft`` itself when unedited).
    ``check`` runs them (``assistant.check_text`` for a case, ``check_typed`` for a typed request)."""
    if text == draft.text or check is None:
        return draft
    kept = st.session_state.get(CHECK_KEY)
    if kept and kept["text"] == text and kept["draft"] is draft:
        return kept["checked"]
    checked = None
    with core_errors("Checking the edited text"):
        checked = check(text)
    if checked is None:
        return draft
    st.session_state[CHECK_KEY] = {"text": text, "draft": draft, "checked": checked}
    return checked


def open_problems(checked: Any) -> list[str]:
    """What still stands between this text and sending it: the guards' findings, then the payer's answer
    when it does not approve."""
    out = list(checked.problems)
    pc = checked.precheck
    # a query goes to the provider: the payer's answer to the chart as it stands is why it is sent
    if (
        checked.kind != "provider_query"
        and pc is not None
        and pc.status not in ("approved", "partially_approved")
    ):
        out.append(f"The simulated payer's pre-check: {pc.summary}")
    return out


def show(checked: Any) -> None:
    """The guards' verdict on the edited text, each problem on its own line (they quote the text)."""
    problems = list(checked.problems)
    if not problems:
        st.success(
            "Your text passed every check: each citation names a retrieved policy passage, and every "
            "clinical claim, figure and date is in the chart or the cited policy text."
        )
        return
    st.warning(
        f"**{len(problems)} problem{'s' if len(problems) != 1 else ''} in your text**\n\n"
        + "\n".join(f"- {md_escape(p)}" for p in problems)
    )


def citation_labels(draft: Any) -> list[str]:
    """One line per cited passage label: a criterion split into two passages is cited once."""
    return list(dict.fromkeys(f"[{x.label}] {x.policy_id} § {x.section}" for x in draft.citations))


def export_buttons(docx_col: Any, pdf_col: Any, title: str, checked: Any, viewer: Any) -> None:
    """DOCX and PDF of the checked text; the file is built when the button is clicked (``data`` is a
    callable), and it opens with the problems that remain."""
    problems = open_problems(checked)
    labels = citation_labels(checked)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    audit = {"on_click": record_download, "kwargs": {"case_id": checked.case_id, "kind": checked.kind}}
    docx_col.download_button(
        "Export DOCX",
        data=partial(exporters.to_docx, title, checked.text, labels, problems),
        file_name=f"precert-{checked.kind}-{stamp}.docx",
        key="co_docx",
        args=(viewer, "draft", "docx"),
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        **audit,
    )
    pdf_col.download_button(
        "Export PDF",
        data=partial(exporters.to_pdf, title, checked.text, labels, problems),
        mime="application/pdf",
        file_name=f"precert-{checked.kind}-{stamp}.pdf",
        key="co_pdf",
        args=(viewer, "draft", "pdf"),
        **audit,
    )
    if problems:
        st.caption(
            f"The exports open with the {len(problems)} problem{'s' if len(problems) != 1 else ''} the "
            "checks found, so a file that is not ready cannot pass for one that is."
        )
