"""Issue 11 item 2: whatever a user typed or a case carries renders as text, never as Markdown or HTML.

A world where every user-supplied string holds a payload (display names, a cohort name, a member id,
a patient last name, diagnoses, codes, criterion ids, notes, drafts) is walked page by page for every
role. Every string Streamlit renders as Markdown (markdown, captions, headings, alerts, toasts and the
labels of widgets, expanders, tabs and metrics) is parsed by an independent CommonMark parser
(markdown-it-py): none may yield an image, a link to the payload's addresses or raw HTML.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from pages_support import CASE, PASSWORD, World, signed_in, use_world

from settings import Settings
from store.access import assign_supervisor
from store.accounts import create_user
from store.attempts import AttemptIn, save_attempt
from store.cohorts import assign_module, create_cohort
from store.db import init_db, session_scope
from store.drafts import save_draft
from store.grades import attempt_record
from store.permissions import SYSTEM, Viewer
from store.progress import save_progress
from ui.navigation import specs_for

PAYLOAD = "![](http://127.0.0.1:8699/x.png) [x](http://evil) <img src=x> **bold** :red[red]"
MARKDOWN_TYPES = {"markdown", "caption", "title", "header", "subheader", "success", "info", "warning"}
MARKDOWN_TYPES |= {"error", "toast"}
_PARSER = MarkdownIt("commonmark")


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


def _hostile_actions(case: Any) -> list[Any]:
    from scenarios.models import (
        AuthLookup,
        CloseCase,
        EligibilityQuery,
        ProviderQuery,
        RequestedLine,
        Submission,
    )

    t = case.order.ordered_on
    at = datetime(t.year, t.month, t.day, 10, 0)
    service = case.order.date_of_service
    return [
        EligibilityQuery(at=at, member_id=PAYLOAD, date_of_service=service),
        AuthLookup(at=at + timedelta(minutes=5), codes=[PAYLOAD]),
        Submission(
            at=at + timedelta(minutes=10),
            member_id=PAYLOAD,
            patient_last_name=PAYLOAD,
            patient_dob=case.patient.dob,
            ordering_npi=PAYLOAD,
            servicing_npi=PAYLOAD,
            diagnoses=[PAYLOAD],
            procedures=[RequestedLine(code=PAYLOAD, units=1, modifiers=[PAYLOAD])],
            date_of_service=service,
            document_ids=[PAYLOAD],
            narrative=PAYLOAD,
        ),
        ProviderQuery(at=at + timedelta(minutes=20), message=PAYLOAD, criterion_ids=[PAYLOAD]),
        CloseCase(at=at + timedelta(minutes=25), reason="no_auth_needed", note=PAYLOAD),
    ]


@pytest.fixture(scope="module")
def hostile_template(tmp_path_factory: pytest.TempPathFactory) -> World:
    from grading import grade
    from scenarios import generate_case
    from simulator import replay

    folder = tmp_path_factory.mktemp("hostile")
    engine = init_db(Settings(data_dir=folder))
    now = datetime.now(UTC)
    case = generate_case(*CASE)
    actions = _hostile_actions(case)
    with session_scope(engine) as session:
        cohort = create_cohort(session, SYSTEM, f"Cohort {PAYLOAD}")
        viewers: dict[str, Viewer] = {}
        for role in ("admin", "trainee", "supervisor", "coordinator"):
            user = create_user(
                session,
                SYSTEM,
                username=f"{role}_x",
                display_name=f"{role.title()} {PAYLOAD}",
                password=PASSWORD,
                role=role,
                cohort_id=cohort.id if role == "trainee" else None,
                cost=4,
            )
            viewers[role] = Viewer(
                user_id=user.id,
                username=user.username,
                role=role,
                cohort_id=user.cohort_id,
                display_name=user.display_name,
            )
        assign_supervisor(session, SYSTEM, viewers["supervisor"].user_id or 0, cohort.id)
        assign_module(session, SYSTEM, CASE[0], cohort_id=cohort.id, due_date=now.date() + timedelta(days=3))
        results = replay(case, actions)
        record = attempt_record(
            case,
            actions,
            results,
            grade(case, actions),
            started_at=now - timedelta(minutes=30),
            completed_at=now - timedelta(minutes=10),
        )
        attempt = save_attempt(session, viewers["trainee"], record)
        save_progress(
            session,
            viewers["trainee"],
            AttemptIn(
                module_id=case.module_id,
                case_id=case.case_id,
                seed=case.seed,
                archetype_id=case.archetype_id,
                content_version=case.content_version,
                started_at=now - timedelta(minutes=5),
                status="in_progress",
                actions=actions[:4],
                results=[r.model_dump(mode="json") for r in results[:4]],
            ),
        )
        save_draft(session, viewers["coordinator"], kind="narrative", text=PAYLOAD, draft={})
    engine.dispose()
    return World(
        folder=folder, viewers=viewers, attempt_id=attempt.id, other_trainee_id=viewers["trainee"].user_id
    )


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
