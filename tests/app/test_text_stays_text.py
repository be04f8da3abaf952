"""Issue 11 item 2: whatever a user typed or a case carries renders as text, never as Markdown or HTML.

A world where every user-supplied string holds a payload (display names, a cohort name, a member id,
a patient last name, diagnoses, codes, criterion ids, notes, drafts) is walked page by page for every
role. Every string Streamlit renders as Markdown (markdown, captions, headings, alerts, toasts and the
labels of widgets, expanders, tabs and metrics) is parsed by an independent CommonMark parser
(markdown-it-py): none may yield an image, a link to the payload's addresses or raw HTML.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hostile_world import build_hostile_world
from markdown_it import MarkdownIt
from pages_support import World, signed_in, use_world

from ui.navigation import specs_for

MARKDOWN_TYPES = {"markdown", "caption", "title", "header", "subheader", "success", "info", "warning"}
MARKDOWN_TYPES |= {"error", "toast"}
_PARSER = MarkdownIt("commonmark")
_AUTOLINK = re.compile(r"(?i)\b(?:https?://|www\.)\S{0,20}|[-.\w+]+@[-\w]+(?:\.[-\w]+)+")


def active_markup(markdown: str) -> list[str]:
    """The markup a CommonMark renderer would make live in ``markdown``: images, links to the payload's
    hosts, raw HTML and bold text carrying the payload's word.

    >>> active_markup("![](http://127.0.0.1:8699/x.png)"), active_markup(r"\\!\\[\\]\\(x\\)")
    (['image'], [])
    """
    found: list[str] = []
    stack = list(_PARSER.parse(markdown))
    while stack:
        token = stack.pop()
        stack.extend(token.children or [])
        href = str(token.attrGet("href") or "")
        if token.type == "image":
            found.append("image")
        elif token.type == "link_open" and ("evil" in href or "8699" in href):
            found.append(f"link to {href}")
        elif token.type in ("html_inline", "html_block") and "img" in token.content:
            found.append(f"html {token.content.strip()}")
    # GitHub-flavoured autolink literals (what Streamlit renders, unlike plain CommonMark): a bare
    # "http://", "https://", "www." or "name@host.tld" becomes a live link (GitHub's autolink
    # literals, found after escapes are read, so a backslash does not stop them)
    plain = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)
    found.extend(f"autolink {m.group(0)}" for m in _AUTOLINK.finditer(plain))
    if "<strong>bold</strong>" in _PARSER.render(markdown):
        found.append("bold")
    return found


def rendered_markdown(at: Any) -> list[tuple[str, str]]:
    """(element type, text) for every string on the page that Streamlit renders as Markdown."""
    out: list[tuple[str, str]] = []
    stack = [at._tree]
    while stack:
        node = stack.pop()
        kind = getattr(node, "type", "")
        if kind in MARKDOWN_TYPES:
            out.append((kind, str(node.value)))
        label = getattr(node, "label", None)
        if isinstance(label, str):
            out.append((f"{kind} label", label))
        if kind == "radio":
            out.extend(("radio option", str(o)) for o in node.options)
        stack.extend(getattr(node, "children", {}).values())
    return out


@pytest.fixture(scope="module")
def hostile_template(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_hostile_world(tmp_path_factory.mktemp("hostile"))


@pytest.fixture
def hostile(hostile_template: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    return use_world(hostile_template, tmp_path, monkeypatch)


def _live(at: Any, where: str) -> list[str]:
    return [
        f"{where}: {kind} {text[:90]!r} -> {found}"
        for kind, text in rendered_markdown(at)
        if (found := active_markup(text))
    ]


@pytest.mark.parametrize("role", ["trainee", "supervisor", "coordinator", "admin"])
def test_every_page_renders_user_and_case_text_as_text(hostile: World, role: str) -> None:
    at = signed_in(hostile.viewers[role])
    problems = _live(at, "home")
    for spec in specs_for(role):
        at.switch_page(spec.path).run()
        assert not at.exception, (spec.path, at.exception)
        problems += _live(at, spec.path)
    if role in ("supervisor", "admin"):
        at.switch_page("ui/pages/attempt_review.py").run()
        at.text_input(key="ar_id").input(str(hostile.attempt_id)).run()
        assert not at.exception
        problems += _live(at, "attempt review")
        assert sum("8699" in text for _, text in rendered_markdown(at)) >= 5  # the payloads were shown
    if role == "trainee":
        at.switch_page("ui/pages/trainee_modules.py").run()
        next(b for b in at.button if b.key and b.key.startswith("resume_")).click().run()
        assert not at.exception
        problems += _live(at, "resumed workspace")
        assert sum("8699" in text for _, text in rendered_markdown(at)) >= 5
    assert not problems, "\n".join(problems)
