"""Issue 12 item 6: no page shows an internal id (``advanced_imaging``, ``partially_approved``,
``narrative.no_query``) or a raw timestamp ("+00:00", seconds). Every page is walked for every role,
with the graded attempt open where a page can open one; every string a user reads is checked —
Markdown, labels, options, metric values and every dataframe cell. A case number (``module:seed``)
is the one id shown on purpose: it is what a trainee types to reopen a case. Document kinds that the
policy text and the grader's feedback cite in parentheses ("(office_note)") are core text, not page
labels, and are reported separately (KNOWN_IN_CORE_TEXT)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pages_support import World, shown, signed_in

from ui.navigation import specs_for

SNAKE = re.compile(r"(?<![\w/.:-])[a-z]+(?:_[a-z0-9]+)+(?![\w/(])")
DOTTED = re.compile(r"(?<![\w/.])(?:coding|documentation|narrative|process|outcome)\.[a-z_]+\b")
CASE_ID = re.compile(r"\b[a-z_]+:\d+\b")
RAW_TIME = re.compile(r"\d{2}:\d{2}:\d{2}|\+00:00|\d{4}-\d{2}-\d{2}T\d")
UNROUNDED = re.compile(r"^-?\d+\.\d{3,}$")  # a table cell like 99.5658
# policy bodies ("(office_note)") and grader feedback ("(doc-04, office_note, dated …)"), not the UI's
# and the policy's documentation table ("| office_note |") and the grader's correct answer ("office_note: …")
KNOWN_IN_CORE_TEXT = re.compile(
    r"\([a-z]+(?:_[a-z]+)+\)|\(doc-\d+, [a-z]+(?:_[a-z]+)+,|\| [a-z]+(?:_[a-z]+)+ \||\b[a-z]+(?:_[a-z]+)+: "
)
TEXTUAL = {"markdown", "caption", "title", "header", "subheader", "success", "info", "warning", "error"}


def visible_strings(at: Any) -> list[str]:
    out: list[str] = []
    stack = [at._tree]
    while stack:
        node = stack.pop()
        kind = getattr(node, "type", "")
        if kind in TEXTUAL or kind == "text":
            out.append(shown(str(node.value)) if kind != "text" else str(node.value))
        label = getattr(node, "label", None)
        if isinstance(label, str):
            out.append(shown(label))
        if kind in ("selectbox", "radio", "multiselect"):
            out.extend(shown(str(o)) for o in node.options)
        if kind == "metric":
            out.append(str(node.value))
        if kind == "dataframe":
            frame = node.value
            out.extend(str(c) for c in frame.columns)
            cells = [str(v) for v in frame.astype(str).to_numpy().ravel()]
            out.extend(cells)
            out.extend(f"unrounded {c}" for c in cells if UNROUNDED.match(c))
        stack.extend(getattr(node, "children", {}).values())
    return out


def raw_ids(strings: list[str]) -> list[str]:
    """Internal ids and machine timestamps in what a user reads (paths and case numbers excepted).

    >>> raw_ids(["Advanced imaging", "advanced_imaging", "Case advanced_imaging:4", "narrative.no_query"])
    ['advanced_imaging', 'narrative.no_query']
    """
    found: list[str] = []
    for text in strings:
        plain = KNOWN_IN_CORE_TEXT.sub("", CASE_ID.sub("", text))
        plain = " ".join(w for w in plain.split() if "/" not in w)
        found += SNAKE.findall(plain) + DOTTED.findall(plain) + RAW_TIME.findall(plain)
        found += [text] if text.startswith("unrounded ") else []
    return found


@pytest.mark.parametrize("role", ["trainee", "supervisor", "coordinator", "admin"])
def test_no_page_shows_an_internal_id(world: World, role: str) -> None:
    at = signed_in(world.viewers[role])
    problems: dict[str, list[str]] = {}
    for spec in specs_for(role):
        if spec.path.endswith(("admin_content.py", "admin_llm.py", "admin_audit.py")):
            continue  # administrators' technical pages name files, settings and audit events on purpose
        at.switch_page(spec.path).run()
        assert not at.exception, spec.path
        if spec.path.endswith("attempt_review.py"):
            at.text_input(key="ar_id").input(str(world.attempt_id)).run()
        if found := raw_ids(visible_strings(at)):
            problems[spec.path] = sorted(set(found))
    assert not problems, problems
