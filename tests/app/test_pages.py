"""The trainee, supervisor and coordinator pages through AppTest: the role × page matrix (navigation and
the service layer agree), the case workspace end to end, and bad input everywhere (a clear message,
nothing lost). The assistant and admin pages are in test_pages_assistant_admin.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pages_support import CASE, World, errors, shown, signed_in, texts, wait_for_reply

from settings import Settings
from store.accounts import create_user
from store.admin_ops import check_llm, validate_content
from store.attempts import AttemptIn, attempts_for, get_attempt
from store.audit import list_events
from store.cohorts import assign_module, assignments_for
from store.dashboard import cohort_dashboard
from store.db import init_db, session_scope
from store.drafts import save_draft
from store.kpis import operations_report
from store.permissions import SYSTEM, AccessDenied, Viewer
from store.progress import save_progress
from ui.navigation import PAGES, specs_for

ROLES = ("trainee", "supervisor", "coordinator", "admin")


def _progress(viewer: Viewer) -> AttemptIn:
    return AttemptIn(
        module_id=CASE[0],
        case_id=f"{CASE[0]}:{CASE[1]}",
        seed=CASE[1],
        archetype_id="a",
        content_version="v",
        started_at=datetime.now(UTC),
        status="in_progress",
        actions=[],
    )


# The service call behind each page: it must refuse exactly the roles the navigation hides the page from.
SERVICE: dict[str, Callable[[Any, Viewer, World], Any]] = {
    "ui/pages/home.py": lambda s, v, w: None,
    "ui/pages/trainee_modules.py": lambda s, v, w: (
        assignments_for(s, v, v.user_id, as_of=datetime.now(UTC).date()) and save_progress(s, v, _progress(v))
    ),
    "ui/pages/case_workspace.py": lambda s, v, w: save_progress(s, v, _progress(v)),
    "ui/pages/my_results.py": lambda s, v, w: attempts_for(s, v, v.user_id),
    "ui/pages/policy_library.py": lambda s, v, w: None,  # policies are for every role
    "ui/pages/supervisor_dashboard.py": lambda s, v, w: cohort_dashboard(s, v),
    "ui/pages/operations.py": lambda s, v, w: operations_report(s, v),
    "ui/pages/trainee_view.py": lambda s, v, w: attempts_for(s, v, w.other_trainee_id),
    "ui/pages/attempt_review.py": lambda s, v, w: (
        get_attempt(s, v, w.attempt_id) if v.role != "trainee" else attempts_for(s, v, w.other_trainee_id)
    ),
    "ui/pages/assignments.py": lambda s, v, w: assign_module(s, v, "dme", user_id=w.other_trainee_id),
    "ui/pages/coordinator_assistant.py": lambda s, v, w: save_draft(
        s, v, kind="narrative", text="x", draft={}
    ),
    "ui/pages/admin_users.py": lambda s, v, w: create_user(
        s,
        v,
        username=f"new_{v.role}",
        display_name="N",
        password="long enough password",
        role="trainee",
        cost=4,
    ),
    "ui/pages/admin_audit.py": lambda s, v, w: list_events(s, v),
    "ui/pages/admin_content.py": lambda s, v, w: validate_content(v) if v.role != "admin" else None,
    "ui/pages/admin_llm.py": lambda s, v, w: check_llm(v, Settings()),
    "ui/pages/account_password.py": lambda s, v, w: None,  # one's own account: every role
}


def test_every_registered_page_has_a_service_check() -> None:
    assert {p.path for p in PAGES} == set(SERVICE)


@pytest.mark.parametrize("role", ROLES)
def test_role_page_matrix(world: World, role: str) -> None:
    viewer = world.viewers[role]
    at = signed_in(viewer)
    assert not at.exception
    allowed = {p.path for p in specs_for(role)}
    engine = init_db(Settings(data_dir=world.folder))
    for spec in PAGES:
        if spec.path in allowed:
            at.switch_page(spec.path).run()
            assert not at.exception, (role, spec.path, at.exception)
            assert not at.error, (role, spec.path, errors(at))
            with session_scope(engine) as session:
                SERVICE[spec.path](session, viewer, world)  # the service agrees: no AccessDenied
                session.rollback()
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(spec.path)
            with session_scope(engine) as session, pytest.raises(AccessDenied):
                SERVICE[spec.path](session, viewer, world)
    engine.dispose()


def _open_case(at: Any, seed: str = str(CASE[1])) -> None:
    at.switch_page("ui/pages/case_workspace.py").run()
    at.selectbox(key="pick_module").set_value(CASE[0])
    at.text_input(key="pick_seed").input(seed)
    at.button(key="pick_go").click().run()


def _fill_request(at: Any, narrative: str) -> None:
    at.multiselect(key="ws_req_docs").set_value(["doc-03", "doc-04"])
    at.text_area(key="ws_req_narrative").input(narrative)


def test_trainee_works_a_case_end_to_end(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    at.switch_page("ui/pages/trainee_modules.py").run()
    assert not at.exception and "Advanced imaging" in [s.value for s in at.subheader]
    _open_case(at)
    assert not at.exception and not at.error
    assert any("Simulated time" in m.value and "09:50" in m.value for m in at.markdown)
    at.button(key="ws_elig_go").click().run()
    assert any("Coverage ACTIVE" in s.value for s in at.success)
    at.button(key="ws_lookup_go").click().run()
    narrative = "Eight weeks of failed physical therapy; follow-up exam documented. Ärztin 検査 ✓"
    _fill_request(at, narrative)
    at.button(key="ws_req_go").click().run()
    assert not at.exception and not at.error, errors(at)
    assert any("10:20" in m.value for m in at.markdown)  # 5 + 5 + 20 simulated minutes
    assert not any("Approved — action code A1" in s.value for s in at.success)  # decided tomorrow
    assert wait_for_reply(at)
    assert any("Approved — action code A1" in s.value for s in at.success)
    assert narrative in texts(at)  # the activity log shows what was sent, as plain text
    at.button(key="ws_finish").click().run()
    at.button(key="ws_finish_confirm").click().run()
    assert not at.exception and not at.error, errors(at)
    assert "Grade report" in [h.value for h in at.header]
    report = next(s.value for s in at.success if s.value.startswith("Score "))
    engine = init_db(Settings(data_dir=world.folder))
    with session_scope(engine) as session:
        mine = attempts_for(session, world.viewers["trainee"], world.viewers["trainee"].user_id)
        newest = get_attempt(session, world.viewers["trainee"], mine[0].id)
    engine.dispose()
    assert newest.status == "completed" and f"{newest.total_score:.1f}" in report
    # waiting for the decision is recorded too, so a replay or review shows it
    assert [a["type"] for a in newest.actions] == [
        "eligibility",
        "auth_lookup",
        "submission",
        "advance_clock",
    ]
    assert newest.actions[2]["narrative"] == narrative
    assert len(mine) == 2 and all(a.status == "completed" for a in mine)  # the in-progress row was replaced

    at.switch_page("ui/pages/my_results.py").run()
    assert not at.exception and not at.error
    assert next(m.value for m in at.metric) == "2"


def test_bad_request_input_is_refused_and_nothing_is_lost(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    _open_case(at)
    at.multiselect(key="ws_req_docs").set_value(["doc-03"])
    cases = [
        ("", "Narrative: empty"),
        ("x" * 100_000, "Narrative: 100,000 characters is over the limit of 20,000"),
        ("   \n\t  ", "Narrative: empty"),
    ]
    for narrative, message in cases:
        at.text_area(key="ws_req_narrative").input(narrative)
        at.button(key="ws_req_go").click().run()
        assert not at.exception
        assert any(message in e for e in errors(at)), (message, errors(at))
        assert at.text_area(key="ws_req_narrative").value == narrative  # kept as typed
        assert at.multiselect(key="ws_req_docs").value == ["doc-03"]
    assert any("Simulated time" in m.value and "09:50" in m.value for m in at.markdown)  # nothing was sent

    at.text_area(key="ws_req_narrative").input("A fine narrative.")
    for key, value, message in [
        ("ws_req_dx", "not a code!!", "Diagnoses:"),
        ("ws_req_dx", "", "Diagnoses: add at least one"),
        ("ws_req_mods_0", "ABC", "Line 1 modifiers:"),
        ("ws_req_ordering", "12345", "Ordering provider NPI:"),
        ("ws_req_pos", "home", "Place of service:"),
    ]:
        before = at.text_input(key=key).value
        at.text_input(key=key).input(value)
        at.button(key="ws_req_go").click().run()
        assert not at.exception and any(message in e for e in errors(at)), (key, errors(at))
        at.text_input(key=key).input(before)
    # number inputs cannot carry text; a fraction is rounded by the widget, never a crash
    at.number_input(key="ws_req_units_0").set_value(2.5).run()
    assert not at.exception and at.number_input(key="ws_req_units_0").value == 2
    # what was typed survives a visit to another page
    at.switch_page("ui/pages/my_results.py").run()
    at.switch_page("ui/pages/case_workspace.py").run()
    assert at.text_area(key="ws_req_narrative").value == "A fine narrative."
    assert at.multiselect(key="ws_req_docs").value == ["doc-03"]


def test_xss_narrative_renders_as_text(world: World) -> None:
    hostile = "<script>alert(1)</script> <img src=x onerror=alert(2)> **bold** [link](javascript:alert(3))"
    at = signed_in(world.viewers["trainee"])
    _open_case(at)
    _fill_request(at, hostile)
    at.button(key="ws_req_go").click().run()
    assert not at.exception and not at.error
    assert hostile in texts(at)  # st.text: no Markdown, no HTML
    assert not any(hostile in m.value for m in at.markdown)


def test_text_fields_that_hold_numbers_say_what_is_wrong(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    _open_case(at, seed="abc")
    assert any("Case number: 'abc' is not a case number" in e for e in errors(at)) and not at.exception
    _open_case(at, seed="-3")
    assert any("Case number: '-3'" in e for e in errors(at))
    at = signed_in(world.viewers["supervisor"])
    at.switch_page("ui/pages/attempt_review.py").run()
    for raw, message in [
        ("12x", "Attempt number: '12x' is not an attempt number"),
        ("\u00b2", "is not an attempt number"),
        ("9" * 12, "attempt 999999999999 does not exist"),
        ("9" * 30, "is not an attempt number"),
        ("999999", "attempt 999999 does not exist"),
    ]:
        at.text_input(key="ar_id").input(raw).run()
        assert not at.exception and any(message in e for e in errors(at)), errors(at)


def test_resume_an_unfinished_case(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    _open_case(at)
    at.button(key="ws_elig_go").click().run()
    fresh = signed_in(world.viewers["trainee"])  # a new browser session: the work was saved
    fresh.switch_page("ui/pages/trainee_modules.py").run()
    assert "Unfinished cases" in [s.value for s in fresh.subheader]
    resume = next(b for b in fresh.button if b.key and b.key.startswith("resume_"))
    resume.click().run()
    assert not fresh.exception and not fresh.error
    assert any("09:55" in m.value for m in fresh.markdown)  # the eligibility check is replayed
    fresh.switch_page("ui/pages/trainee_modules.py").run()
    next(b for b in fresh.button if b.key and b.key.startswith("discard_")).click().run()
    assert not fresh.exception and "Unfinished cases" not in [s.value for s in fresh.subheader]
    engine = init_db(Settings(data_dir=world.folder))
    with session_scope(engine) as session:
        statuses = [a.status for a in attempts_for(session, SYSTEM, world.viewers["trainee"].user_id)]
    engine.dispose()
    assert sorted(statuses) == ["abandoned", "completed"]  # kept for the record, never graded


def test_icd_search_adds_a_code_to_the_diagnoses(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    _open_case(at)
    at.text_input(key="ws_icd_query").input("radiculopathy lumbar").run()
    assert at.selectbox(key="ws_icd_pick").value == "M54.16"
    at.text_input(key="ws_req_dx").input("M54.50")
    at.button(key="ws_icd_add").click().run()
    assert not at.exception and at.text_input(key="ws_req_dx").value == "M54.50, M54.16"
    at.text_input(key="ws_icd_query").input("no such condition xyzzy").run()
    assert any("No billable ICD-10-CM code matches" in i.value for i in at.info)
    at.text_input(key="ws_req_dx").input("M54.1").run()  # a category: written right, not billable
    assert any("M54.1 is not a billable ICD-10-CM code" in shown(w.value) for w in at.warning)


def test_supervisor_dashboard_drill_down_review_and_export(world: World) -> None:
    at = signed_in(world.viewers["supervisor"])
    at.switch_page("ui/pages/supervisor_dashboard.py").run()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Completed attempts"] == "1" and metrics["Trainees"] == "2"
    at.button(key="dash_export_go").click().run()
    assert not at.exception and any("1 attempts ready" in c.value for c in at.caption)
    engine = init_db(Settings(data_dir=world.folder))
    with session_scope(engine) as session:
        exports = list_events(session, SYSTEM, event="export")
    engine.dispose()
    assert len(exports) == 1 and exports[0].username == "sam"

    at.switch_page("ui/pages/trainee_view.py").run()
    assert not at.exception and not at.error
    at.switch_page("ui/pages/attempt_review.py").run()
    at.text_input(key="ar_id").input(str(world.attempt_id)).run()
    assert not at.exception and not at.error, errors(at)
    assert any("every reply is identical" in s.value for s in at.success)
    assert "Grade report" in [s.value for s in at.subheader]


def test_trainees_below_the_pass_mark_are_flagged_and_the_drill_down_starts_at_the_weakest(
    world: World,
) -> None:
    """Tom finishes the case without doing anything (the grader gives that well under any pass mark);
    Tina's attempt is the reference one. A supervisor must see Tom first, flagged, and land on him."""
    from grading import grade
    from scenarios import generate_case
    from simulator import replay
    from store.attempts import save_attempt
    from store.grades import attempt_record

    engine = init_db(Settings(data_dir=world.folder))
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        tom = Viewer(user_id=world.other_trainee_id, username="tom", role="trainee", display_name="Tom Other")
        case = generate_case(*CASE)
        record = attempt_record(
            case,
            [],
            replay(case, []),
            grade(case, []),
            started_at=now - timedelta(minutes=9),
            completed_at=now,
        )
        save_attempt(session, tom, record)
    engine.dispose()

    at = signed_in(world.viewers["supervisor"])
    at.switch_page("ui/pages/supervisor_dashboard.py").run()
    assert not at.exception and not at.error, errors(at)
    assert any("1 trainee(s) below the pass mark" in w.value for w in at.warning), [
        w.value for w in at.warning
    ]
    rows = at.dataframe[-1].value
    assert list(rows["username"])[:2] == ["tom", "tina"]
    assert rows["status"].iloc[0] == "below the pass mark" and rows["status"].iloc[1] == ""
    assert at.selectbox(key="dash_trainee").value == world.other_trainee_id


def test_supervisor_assigns_a_module(world: World) -> None:
    at = signed_in(world.viewers["supervisor"])
    at.switch_page("ui/pages/assignments.py").run()
    at.radio(key="as_kind").set_value("One trainee")
    at.selectbox(key="as_module").set_value("dme")
    at.button(key="as_go").click().run()
    assert not at.exception and not at.error, errors(at)
    assert any("Assigned Durable medical equipment to" in s.value for s in at.success)


def test_a_past_due_date_is_refused_with_the_reason_not_saved_as_the_default(world: World) -> None:
    at = signed_in(world.viewers["supervisor"])
    at.switch_page("ui/pages/assignments.py").run()
    at.radio(key="as_kind").set_value("One trainee")
    at.selectbox(key="as_module").set_value("dme")
    at.date_input(key="as_due").set_value(date.today() - timedelta(days=3))
    at.button(key="as_go").click().run()
    assert not at.exception and not at.success
    assert any("due date:" in e.value and "is in the past" in e.value for e in at.error), errors(at)


def test_the_next_user_of_a_browser_session_sees_nothing_of_the_last(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    _open_case(at)
    at.text_area(key="ws_req_narrative").input("Tina's private draft")
    at.button(key="ws_elig_go").click().run()
    state = at.session_state["precert"]
    state.sign_out()  # what the sidebar's Sign out does
    tom = Viewer(user_id=world.other_trainee_id, username="tom", role="trainee", display_name="Tom Other")
    state.sign_in(tom, datetime.now(UTC))
    at.run()  # a sign-in after a sign-out in this tab lands on Home, not on Tina's workspace
    assert not at.exception and not any("Tina's private draft" in t.value for t in at.text_area)
    at.switch_page("ui/pages/case_workspace.py").run()
    assert not at.exception and "pick_module" in [s.key for s in at.selectbox]  # no case open for Tom
    _open_case(at)
    assert at.text_area(key="ws_req_narrative").value == ""
    assert not any("09:55" in m.value for m in at.markdown)


@pytest.mark.parametrize(
    ("seed", "form", "expected"),
    [
        (3, "pend", "Approved — action code A1"),  # a CPAP request pended for the sleep study: send it
        (1, "appeal", "Approved — action code A1"),  # a denied lumbar MRI: the level 1 appeal adds the exam
        (1, "p2p", "(stage: appeal)"),  # the same denial, answered by a peer-to-peer review instead
    ],
)
def test_follow_up_on_an_earlier_decision(world: World, seed: int, form: str, expected: str) -> None:
    at = signed_in(world.viewers["trainee"])
    at.switch_page("ui/pages/case_workspace.py").run()
    at.selectbox(key="pick_module").set_value("pends_appeals")
    at.text_input(key="pick_seed").input(str(seed))
    at.button(key="pick_go").click().run()
    assert any("Standing decision:" in m.value for m in at.markdown)
    if form == "pend":
        at.multiselect(key="ws_pend_docs").set_value(["doc-05"])
        at.button(key="ws_pend_go").click().run()
    elif form == "appeal":
        at.selectbox(key="ws_appeal_level").set_value("level1")
        at.multiselect(key="ws_appeal_docs").set_value(["doc-05"])
        at.text_area(key="ws_appeal_letter").input("We appeal: the follow-up examination is now documented.")
        at.button(key="ws_appeal_go").click().run()
    else:
        at.multiselect(key="ws_p2p_docs").set_value(["doc-05"])
        at.text_area(key="ws_p2p_points").input("Follow-up examination documented on re-examination.")
        at.button(key="ws_p2p_go").click().run()
    wait_for_reply(at)  # the payer decides on its review clock
    # the earlier decision is shown as a (red) denial banner; any other error would be a problem
    assert not at.exception and all(e.startswith(("Denied —", "Pended —")) for e in errors(at)), errors(at)
    latest = next(m.value for m in at.markdown if "Latest payer reply" in m.value)
    assert ("Pend reply" if form == "pend" else "Appeal" if form == "appeal" else "Peer-to-peer") in latest
    assert any(expected in s.value for s in [*at.success, *at.error, *at.warning]), [
        s.value for s in at.success
    ]
    at.button(key="ws_finish").click().run()
    at.button(key="ws_finish_confirm").click().run()
    assert not at.exception and "Grade report" in [h.value for h in at.header]


def test_after_a_denial_the_trainee_sees_what_each_next_step_is_worth(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    at.switch_page("ui/pages/case_workspace.py").run()
    at.selectbox(key="pick_module").set_value("pends_appeals")
    at.text_input(key="pick_seed").input("1")  # a lumbar MRI Lakeshore denied: peer-to-peer or level 1 next
    at.button(key="pick_go").click().run()
    assert not at.exception
    assert "Is an appeal worth it? Expected value of each next step" in [e.label for e in at.expander]
    table = next(t.value for t in at.table if "next step" in t.value.columns)
    assert [shown(n) for n in table["next step"]][-1] == "Accept the denial"
    assert len(table) == 3 and shown(table["likelihood"].iloc[0]) == "45% (40%–50%)"  # the brief's 40-50 %
    assert any("Highest expected value: Peer-to-peer" in shown(i.value) for i in at.info), [
        i.value for i in at.info
    ]
    at.number_input(key="av_hourly").set_value(500.0).run()  # dearer staff time lowers every step's value
    assert not at.exception
    table = next(t.value for t in at.table if "next step" in t.value.columns)
    assert shown(table["staff cost"].iloc[1]) == "$500"  # level 1: 60 minutes at $500
