"""The trainee's current case in the browser session, and the three things that change it: start (or
resume) a case, perform an action on the simulated payer, finish and grade.

Every action is saved to the store as progress right away, so nothing is lost when the tab closes; if
the save fails the work stays in the session and the next action saves it all again.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import streamlit as st

from operations.staff_time import add_moment
from scenarios.models import Action, Case
from simulator import StepResult
from store.attempts import AttemptOut, get_attempt
from store.grades import attempt_record
from store.permissions import Viewer
from store.progress import abandon_attempt, complete_attempt, progress_version, save_progress
from ui.feedback import EXPECTED, core_errors
from ui.resources import case_for, db, get_library, get_settings
from ui.widgets.workflow import CaseSession, progress_record, run

CASE_KEY = "precert_case"
WIDGET_PREFIX = "ws_"  # every workspace widget key starts with this; cleared when a new case starts


def current() -> CaseSession | None:
    value = st.session_state.get(CASE_KEY)
    return value if isinstance(value, CaseSession) else None


def _clear_widgets() -> None:
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(WIDGET_PREFIX)]:
        del st.session_state[key]


def random_seed() -> int:
    # A fresh case for the trainee; the case itself is then fully determined by (module, seed).
    return secrets.randbelow(1_000_000)


def start(viewer: Viewer, module_id: str, seed: int | None = None) -> CaseSession | None:
    """Open a new case; None if it cannot be generated. An unfinished case stays saved and is listed
    under "Unfinished cases" on the Modules page, to resume or discard."""
    chosen = random_seed() if seed is None else seed
    with core_errors("Generating the case"):
        case_for(module_id, chosen)  # fail here, with the reason, rather than on the workspace
        _clear_widgets()
        session_obj = CaseSession(module_id=module_id, seed=chosen, started_at=datetime.now(UTC))
        st.session_state[CASE_KEY] = session_obj
        return session_obj
    return None


def discard(viewer: Viewer, attempt_id: int) -> None:
    """Mark a saved unfinished attempt abandoned (kept for the record, never graded)."""
    with core_errors("Discarding the case"), db() as session:
        abandon_attempt(session, viewer, attempt_id)
    cs = current()
    if cs is not None and cs.attempt_id == attempt_id:
        del st.session_state[CASE_KEY]


def resume(attempt: AttemptOut, *, keep_widgets: bool = False) -> CaseSession | None:
    """Continue a saved in-progress attempt: regenerate its case and replay its actions
    (``keep_widgets``: what the forms hold stays, for a reload after another tab's change)."""
    with core_errors("Resuming the case"):
        case = case_for(attempt.module_id, attempt.seed)
        actions = attempt.action_models()
        if not keep_widgets:
            _clear_widgets()
        session_obj = CaseSession(
            module_id=attempt.module_id,
            seed=attempt.seed,
            started_at=attempt.started_at,
            actions=actions,
            steps=run(case, actions, get_library()),
            attempt_id=attempt.id,
            activity=list(attempt.activity),
        )
        st.session_state[CASE_KEY] = session_obj
        return session_obj
    return None


def seen(cs: CaseSession) -> None:
    """Record that the trainee is active on the case now (every run of the case page is an
    interaction; operations.staff_time keeps at most one moment per heartbeat)."""
    if not cs.finished:
        add_moment(cs.activity, datetime.now(UTC))


def changed_elsewhere(viewer: Viewer, cs: CaseSession) -> str | None:
    """Why this session no longer holds what the store holds of the case (another tab or window acted
    on it, finished or discarded it), or None. A store that cannot be read blocks nothing: the save
    after the action reports it."""
    try:
        with db() as session:
            found, status, count = progress_version(session, viewer, cs.case_id, cs.attempt_id)
    except Exception:  # the database is down or busy: the save reports it
        return None
    here = len(cs.actions)
    if cs.attempt_id is None:
        if found is None:
            return None
        return (
            f"This case is open in another tab or window, which has saved {count} action(s) on it "
            f"(this tab has {here})."
        )
    if found is None:
        return "This case was finished or discarded in another tab or window."
    if status != "in_progress":
        return f"This case was {status} in another tab or window."
    if count != here:
        return (
            f"This case changed in another tab or window: {count} action(s) are saved there, this tab "
            f"has {here}."
        )
    return None


def reload(viewer: Viewer, cs: CaseSession) -> CaseSession | None:
    """Take the saved state of the case (after another tab changed it), keeping what the forms hold.
    A case finished or discarded elsewhere closes here (its result is on My results)."""
    with core_errors("Reloading the case"), db() as session:
        found, status, _ = progress_version(session, viewer, cs.case_id, cs.attempt_id)
        if found is None or status != "in_progress":
            del st.session_state[CASE_KEY]
            return None
        attempt = get_attempt(session, viewer, found)
        return resume(attempt, keep_widgets=True)
    return None


def perform(viewer: Viewer, case: Case, cs: CaseSession, action: Action) -> StepResult | None:
    """Send ``action`` to the simulated payer (replaying the log) and save the progress; None (and
    ``cs.conflict`` set) when another tab or window changed the case since this one read it."""
    cs.conflict = changed_elsewhere(viewer, cs)
    if cs.conflict:
        return None
    steps: list[StepResult] | None = None
    with core_errors("The simulated payer"):
        steps = run(case, [*cs.actions, action], get_library())
    if steps is None:
        return None
    cs.actions, cs.steps = [*cs.actions, action], steps
    add_moment(cs.activity, datetime.now(UTC), every=0)  # an action always counts as a moment
    save(viewer, case, cs)
    return steps[-1]


def save(viewer: Viewer, case: Case, cs: CaseSession) -> None:
    try:
        with db() as session:
            cs.attempt_id = save_progress(
                session, viewer, progress_record(case, cs), attempt_id=cs.attempt_id
            )
        cs.unsaved = None
    except EXPECTED as exc:
        cs.unsaved = str(exc)
    except Exception as exc:  # the database is down or busy: keep the work in the session, say so
        cs.unsaved = f"{type(exc).__name__}: {exc}"


def finish(viewer: Viewer, case: Case, cs: CaseSession) -> bool:
    """Grade the actions, store the completed attempt; True when both worked."""
    from grading import grade  # deferred: the grader loads the ICD-10-CM table

    cs.conflict = changed_elsewhere(viewer, cs)
    if cs.conflict:  # grading now would replace the other tab's saved work with this tab's
        return False
    report = None
    with core_errors("Grading"), st.spinner("Grading your work…"):
        report = grade(case, cs.actions, library=get_library(), settings=get_settings())
    if report is None:
        return False
    cs.report = report
    return store_result(viewer, case, cs)


def store_result(viewer: Viewer, case: Case, cs: CaseSession) -> bool:
    """Save the graded attempt (again, after a failed save); True when it is stored."""
    with core_errors("Saving your result"), db() as session:
        record = attempt_record(
            case,
            cs.actions,
            cs.steps,
            cs.report,
            started_at=cs.started_at,
            completed_at=datetime.now(UTC),
            idempotency_key=cs.idempotency_key,
            activity=cs.activity,
        )
        saved = complete_attempt(session, viewer, record, attempt_id=cs.attempt_id)
        cs.saved_attempt_id, cs.attempt_id = saved.id, None
        return True
    return False
