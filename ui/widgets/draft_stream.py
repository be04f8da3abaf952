"""A draft streamed into the page as the model writes it: the text so far, a progress bar, a Cancel button.

Cancel is an ordinary button: clicking it makes Streamlit stop this run at its next call and start
another; the ``finally`` closes the stream, which closes the HTTP response (a server that keeps
generating is then stopped by the next request, see docs/local-llm.md). The next run sees the button
pressed and says that nothing was kept. Streamed text is shown with ``st.text``: never Markdown.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

CANCEL_KEY = "co_cancel"
CHARS_PER_TOKEN = 4  # for the progress bar only: the answer's cap in tokens, as characters of English


def cancelled() -> bool:
    """True in the run that follows a click on Cancel."""
    return bool(st.session_state.get(CANCEL_KEY))


def stream_into_page(stream: Any, max_tokens: int) -> Any:
    """Show ``stream``'s chunks as they come; the finished Draft, or None when it ended without one."""
    expected = max(1, max_tokens * CHARS_PER_TOKEN)
    cancel = st.empty()
    cancel.button("Cancel", key=CANCEL_KEY, help="Stop the model now; nothing is kept.")
    bar = st.progress(0.0, text="Waiting for the model (the prompt is read first)…")
    box = st.empty()
    chunks = iter(stream)
    received = 0
    parts: list[str] = []
    try:
        for piece in chunks:
            parts.append(piece)
            received += len(piece)
            bar.progress(min(received / expected, 0.99), text=f"{received:,} characters received")
            box.text("".join(parts))
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    for slot in (cancel, bar, box):
        slot.empty()
    return stream.draft
