"""Supervisor feedback on an attempt (issue 12 item 9): what the trainee reads (the score in force with
the grader's beside it, the override's reason, the comment thread) and the supervisor's tools (add a
comment, override or restore the score with a reason and a confirmation, message the trainee).

Every comment, reason and message is text a person typed: it is escaped before Markdown renders it,
and tables go through ``st.dataframe`` (text cells).
"""

from __future__ import annotations

import streamlit as st

from store.attempts import AttemptOut
from store.messages import MAX_MESSAGE_CHARS, MessageOut, send_message
from store.permissions import Viewer
from store.reviews import (
    MAX_COMMENT_CHARS,
    MAX_REASON_CHARS,
    AttemptReview,
    add_comment,
    override_grade,
    restore_grade,
)
from ui.feedback import core_errors
from ui.resources import db
from ui.widgets.labels import score
from ui.widgets.text import md_escape
from ui.widgets.user_zone import local_when

_DONE = "ar_review_done"  # a message to show after the rerun that follows a saved change


def as_text(text: str) -> str:
    """``text`` for Markdown: escaped, its line breaks kept.

    >>> as_text("**a**\\nb")
    '\\\\*\\\\*a\\\\*\\\\*  \\nb'
    """
    return md_escape(text).replace("\n", "  \n")


def _verdict(passed: bool | None) -> str:
    return "passed" if passed else "not passed"


def feedback(review: AttemptReview, *, for_trainee: bool) -> None:
    """The score in force and the comment thread, as the trainee and the supervisor both read them."""
    current = review.current
    if current is not None:
        st.warning(
            f"Score {score(current.score)} ({_verdict(current.passed)}), set by "
            f"{md_escape(current.author)} on {local_when(current.at)}. The grader's score was "
            f"{score(review.grader_score)} ({_verdict(review.grader_passed)})."
        )
        st.markdown("**Reason for the change:** " + as_text(current.reason))
        if for_trainee:
            st.caption(
                "The grade report below is the grader's; your supervisor's score is the one that counts."
            )
    elif review.overrides:
        st.caption(
            f"The grader's score {score(review.grader_score)} is in force again "
            f"(restored by {md_escape(review.overrides[-1].author)}: {as_text(review.overrides[-1].reason)})."
        )
    if review.comments:
        st.markdown(f"**Comments ({len(review.comments)})**")
        for c in review.comments:
            with st.container(border=True):
                st.caption(f"{md_escape(c.author)} · {local_when(c.at)}")
                st.markdown(as_text(c.text))
    elif for_trainee and current is None:
        st.caption("No comments from your supervisor on this attempt yet.")
    else:
        st.caption("No comments yet.")


def _round(name: str) -> int:
    """A per-form counter in the widget keys: bumped after a save, so the form starts empty again
    (a failed save keeps what was typed)."""
    return int(st.session_state.get(f"ar_round_{name}", 0))


def _saved(name: str, message: str) -> None:
    st.session_state[f"ar_round_{name}"] = _round(name) + 1
    st.session_state[_DONE] = message
    st.rerun()


def supervisor_tools(
    viewer: Viewer, attempt: AttemptOut, review: AttemptReview, sent: list[MessageOut]
) -> None:
    """The "Comments and grade" section and the "Message the trainee" form of the attempt review, with
    the messages already ``sent`` about the attempt."""
    done = st.session_state.pop(_DONE, None)
    if done:
        st.success(md_escape(done))
    st.subheader("Comments and grade")
    feedback(review, for_trainee=False)
    _comment_form(viewer, attempt)
    if attempt.status == "completed" and review.effective_score is not None:
        _override_form(viewer, attempt, review)
        if review.overridden:
            _restore_form(viewer, attempt, review)
    else:
        st.caption("The score can be overridden once the trainee finishes the case.")
    _history(review)
    st.subheader("Message the trainee")
    _message_form(viewer, attempt)
    if sent:
        st.markdown(f"**Sent about this attempt ({len(sent)})**")
        st.dataframe(
            [
                {
                    "sent": local_when(m.sent_at),
                    "from": m.sender,
                    "message": m.text,
                    "read": local_when(m.read_at) if m.read_at else "not yet",
                }
                for m in sent
            ],
            hide_index=True,
        )


def _comment_form(viewer: Viewer, attempt: AttemptOut) -> None:
    n = _round("comment")
    with st.form(f"ar_comment_form_{n}"):
        text = st.text_area(
            "Add a comment",
            key=f"ar_comment_{n}",
            max_chars=MAX_COMMENT_CHARS,
            help="The trainee reads it with their grade report.",
        )
        if not st.form_submit_button("Add comment"):
            return
    saved = None
    with core_errors("Adding the comment"), db() as session:
        saved = add_comment(session, viewer, attempt.id, {"text": text})
    if saved is not None:
        _saved("comment", "Comment added.")


def _override_form(viewer: Viewer, attempt: AttemptOut, review: AttemptReview) -> None:
    n = _round("override")
    with st.expander("Override the score", expanded=False), st.form(f"ar_override_form_{n}"):
        st.caption(
            f"The grader scored {score(review.grader_score)} ({_verdict(review.grader_passed)}). "
            "The new score replaces it on the dashboards and for pass/fail; the grader's score is kept "
            "and you can restore it later."
        )
        new = st.number_input(
            "New total score (0-100)",
            min_value=0.0,
            max_value=100.0,
            step=0.5,
            value=float(review.effective_score or 0.0),
            key=f"ar_override_score_{n}",
        )
        reason = st.text_area(
            "Reason (at least 10 characters; the trainee reads it)",
            key=f"ar_override_reason_{n}",
            max_chars=MAX_REASON_CHARS,
        )
        sure = st.checkbox(
            "I confirm: this score replaces the grader's for this attempt", key=f"ar_override_sure_{n}"
        )
        if not st.form_submit_button("Override the score"):
            return
    if not sure:
        st.error("Confirm: tick 'I confirm' to override the score; nothing was changed.")
        return
    saved = None
    with core_errors("Overriding the score"), db() as session:
        saved = override_grade(session, viewer, attempt.id, {"score": new, "reason": reason})
    if saved is not None:
        _saved("override", f"Score set to {score(saved.score)} ({_verdict(saved.passed)}).")


def _restore_form(viewer: Viewer, attempt: AttemptOut, review: AttemptReview) -> None:
    n = _round("restore")
    with st.expander("Restore the grader's score", expanded=False), st.form(f"ar_restore_form_{n}"):
        reason = st.text_area(
            f"Reason for going back to {score(review.grader_score)} (at least 10 characters)",
            key=f"ar_restore_reason_{n}",
            max_chars=MAX_REASON_CHARS,
        )
        if not st.form_submit_button("Restore the grader's score"):
            return
    saved = None
    with core_errors("Restoring the grader's score"), db() as session:
        saved = restore_grade(session, viewer, attempt.id, {"reason": reason})
    if saved is not None:
        _saved("restore", f"The grader's score {score(saved.score)} is in force again.")


def _history(review: AttemptReview) -> None:
    if not review.overrides:
        return
    st.markdown("**Score changes**")
    st.dataframe(
        [
            {
                "when": local_when(o.at),
                "by": o.author,
                "change": "override" if o.kind == "override" else "restored the grader's score",
                "from": score(o.previous_score),
                "to": score(o.score),
                "result": _verdict(o.passed),
                "reason": o.reason,
            }
            for o in reversed(review.overrides)
        ],
        hide_index=True,
    )


def _message_form(viewer: Viewer, attempt: AttemptOut) -> None:
    n = _round("message")
    with st.form(f"ar_message_form_{n}"):
        text = st.text_area(
            f"Message to {md_escape(attempt.username)} about attempt #{attempt.id}",
            key=f"ar_message_{n}",
            max_chars=MAX_MESSAGE_CHARS,
            help="It appears on the trainee's Home page until they mark it read.",
        )
        if not st.form_submit_button("Send message"):
            return
    sent = None
    with core_errors("Sending the message"), db() as session:
        sent = send_message(
            session, viewer, {"recipient_id": attempt.user_id, "text": text, "attempt_id": attempt.id}
        )
    if sent is not None:
        _saved("message", "Message sent.")
