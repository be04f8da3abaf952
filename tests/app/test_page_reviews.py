"""Issue 12 item 9 on the pages: a supervisor comments on an attempt, overrides its score with a reason
(after confirming) and messages the trainee; the trainee reads the comment and the override on My
results and the message on Home, and marks it read. A hostile comment and message render as text."""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt
from pages_support import World, errors, shown, signed_in
from streamlit.testing.v1 import AppTest

from settings import Settings
from store.attempts import get_attempt
from store.db import init_db, session_scope
from store.messages import my_messages, send_message
from store.reviews import add_comment, override_grade

HOSTILE = "**bold** <script>x</script> [a](http://x)"
REASON = "The therapy note was attached; the grader missed it."


def _open_review(world: World) -> AppTest:
    at = signed_in(world.viewers["supervisor"])
    at.switch_page("ui/pages/attempt_review.py").run()
    at.text_input(key="ar_id").input(str(world.attempt_id)).run()
    assert not at.exception
    return at


def _press(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception


def _markdown(at: AppTest) -> list[str]:
    """Every string on the page that Streamlit renders as Markdown."""
    kinds = {"markdown", "caption", "success", "info", "warning", "error", "subheader"}
    out: list[str] = []
    stack = [at._tree]
    while stack:
        node: Any = stack.pop()
        if getattr(node, "type", "") in kinds:
            out.append(str(node.value))
        label = getattr(node, "label", None)
        if isinstance(label, str):
            out.append(label)
        stack.extend(getattr(node, "children", {}).values())
    return out


def _live_markup(markdown: str) -> list[str]:
    """What an independent CommonMark renderer would make live: bold, raw HTML, links; and a bare
    http:// that GitHub-flavoured Markdown (Streamlit's) would autolink."""
    html = MarkdownIt("commonmark").render(markdown)
    found = [tag for tag in ("<strong>bold</strong>", "<script>", "<a href") if tag in html]
    if "http://x" in shown(markdown):
        found.append("autolink")
    return found


def _grader_score(world: World) -> float:
    engine = init_db(Settings(data_dir=world.folder))
    with session_scope(engine) as session:
        attempt = get_attempt(session, world.viewers["trainee"], world.attempt_id)
    engine.dispose()
    assert attempt.total_score is not None
    return attempt.total_score


def test_supervisor_comments_overrides_and_messages(world: World) -> None:
    grader = _grader_score(world)
    at = _open_review(world)
    assert any(s.value == "Comments and grade" for s in at.subheader)
    assert any(s.value == "Message the trainee" for s in at.subheader)

    at.text_area(key="ar_comment_0").input(
        "Good call to query the provider first."
    )  # a form: sent with the click
    _press(at, "Add comment")
    assert any(shown(s.value) == "Comment added." for s in at.success)
    assert any("Good call to query the provider first" in shown(m.value) for m in at.markdown)

    # Without the confirmation nothing changes, and what was typed stays in the form.
    at.number_input(key="ar_override_score_0").set_value(42.5)
    at.text_area(key="ar_override_reason_0").input(REASON)
    _press(at, "Override the score")
    assert any("tick 'I confirm'" in e for e in errors(at))
    assert at.text_area(key="ar_override_reason_0").value == REASON
    at.checkbox(key="ar_override_sure_0").check()
    _press(at, "Override the score")
    assert any("Score set to 42.5 (not passed)" in shown(s.value) for s in at.success)
    notice = " ".join(shown(w.value) for w in at.warning)
    assert "Score 42.5 (not passed), set by Sam Supervisor" in notice
    assert f"The grader's score was {grader:.1f}" in notice
    assert any(
        f"score 42.5 (not passed), set by a supervisor; the grader's {grader:.1f}" in shown(c.value)
        for c in at.caption
    )
    history = at.dataframe[-1].value
    assert list(history["to"]) == ["42.5"] and list(history["from"]) == [f"{grader:.1f}"]
    assert list(history["reason"]) == [REASON]

    at.text_area(key="ar_message_0").input("Please re-read the imaging policy before the next case.")
    _press(at, "Send message")
    assert any(shown(s.value) == "Message sent." for s in at.success)
    sent = at.dataframe[-1].value
    assert list(sent["message"]) == ["Please re-read the imaging policy before the next case."]
    assert list(sent["read"]) == ["not yet"]


def test_bad_input_is_a_clear_error_and_keeps_the_text(world: World) -> None:
    at = _open_review(world)
    at.checkbox(key="ar_override_sure_0").check()
    at.text_area(key="ar_override_reason_0").input("short")
    _press(at, "Override the score")
    assert any("reason: needs at least 10 characters" in e for e in errors(at)), errors(at)
    assert at.text_area(key="ar_override_reason_0").value == "short"
    _press(at, "Add comment")
    assert any("comment: must not be empty" in e for e in errors(at)), errors(at)


def _review_as_supervisor(world: World, text: str) -> None:
    engine = init_db(Settings(data_dir=world.folder))
    sup, trainee = world.viewers["supervisor"], world.viewers["trainee"]
    assert trainee.user_id is not None
    with session_scope(engine) as session:
        add_comment(session, sup, world.attempt_id, {"text": text})
        override_grade(session, sup, world.attempt_id, {"score": 91, "reason": REASON + " " + text})
        send_message(
            session, sup, {"recipient_id": trainee.user_id, "text": text, "attempt_id": world.attempt_id}
        )
    engine.dispose()


def test_the_trainee_reads_the_feedback_and_marks_the_message_read(world: World) -> None:
    grader = _grader_score(world)
    _review_as_supervisor(world, "Nice work on the narrative.")
    at = signed_in(world.viewers["trainee"])
    assert any(s.value == "Messages from your supervisor (1 unread)" for s in at.subheader)
    assert any("Nice work on the narrative" in shown(m.value) for m in at.markdown)
    assert any(f"about attempt #{world.attempt_id}" in shown(c.value) for c in at.caption)

    at.switch_page("ui/pages/my_results.py").run()
    assert not at.exception
    notice = " ".join(shown(w.value) for w in at.warning)
    assert (
        "Score 91.0 (passed), set by Sam Supervisor" in notice
        and f"grader's score was {grader:.1f}" in notice
    )
    assert any(REASON in shown(m.value) for m in at.markdown)
    assert any("Nice work on the narrative" in shown(m.value) for m in at.markdown)
    table = at.dataframe[-1].value  # the attempts table counts the override and says so
    assert list(table["score"]) == [91.0] and list(table["set by supervisor"]) == [
        f"yes (grader {grader:.1f})"
    ]

    at.switch_page("ui/pages/home.py").run()
    _press(at, "Mark as read")
    assert not any("Messages from your supervisor" in s.value for s in at.subheader)
    engine = init_db(Settings(data_dir=world.folder))
    with session_scope(engine) as session:
        assert my_messages(session, world.viewers["trainee"]) == []
    engine.dispose()


def test_a_hostile_comment_and_message_render_as_text(world: World) -> None:
    _review_as_supervisor(world, HOSTILE)
    pages = []
    trainee = signed_in(world.viewers["trainee"])
    pages.append(("home", _markdown(trainee)))
    trainee.switch_page("ui/pages/my_results.py").run()
    pages.append(("my results", _markdown(trainee)))
    pages.append(("attempt review", _markdown(_open_review(world))))
    for where, strings in pages:
        carrying = [s for s in strings if "script" in s]
        assert carrying, f"{where}: the hostile text is not shown"
        live = [(s[:80], found) for s in carrying if (found := _live_markup(s))]
        assert not live, f"{where}: {live}"
