"""The supervisor's Operations page (issue 14 item 3) through AppTest: it renders the cohort's figures
for a supervisor, shows only the cohorts they supervise (a trainee of another cohort never appears),
offers the CSV and XLSX export, and the trainee's My results shows their own figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pages_support import World, errors, signed_in

from operations.outcome import CaseOutcome
from operations.revenue import RevenueOutcome
from settings import Settings
from store.accounts import create_user
from store.attempts import save_attempt
from store.cohorts import create_cohort
from store.db import init_db, session_scope
from store.grades import attempt_record
from store.permissions import SYSTEM, Viewer


def _outsider(world: World) -> None:
    """A second cohort the supervisor does not supervise, with one trainee and one attempt."""
    from grading import grade
    from scenarios import generate_case
    from simulator import replay

    engine = init_db(Settings(data_dir=world.folder))
    with session_scope(engine) as session:
        other = create_cohort(session, SYSTEM, "Night cohort")
        olga = create_user(
            session,
            SYSTEM,
            username="olga",
            display_name="Olga Outside",
            password="a long test password",
            role="trainee",
            cohort_id=other.id,
            cost=4,
            must_change_password=False,  # signs in through the shell: not the forced change form
        )
        case = generate_case("advanced_imaging", 4)
        actions = case.answer_key.reference_actions
        now = datetime.now(UTC)
        record = attempt_record(
            case,
            actions,
            replay(case, actions),
            grade(case, actions),
            started_at=now - timedelta(minutes=9),
            completed_at=now,
        )
        lost = CaseOutcome(
            service_line="lumbar_mri",
            submitted=True,
            first_pass=False,
            decided=True,
            processing_hours=30.0,
            denied=True,
            denial_reason="medical_necessity",
            active_seconds=60,
            standing="denied",
            revenue=RevenueOutcome(expected=4321, at_risk=0, lost=4321, recovered=0, cash_delay_days=0),
        )
        viewer = Viewer(user_id=olga.id, username="olga", role="trainee", cohort_id=other.id)
        save_attempt(session, viewer, record.model_copy(update={"outcome": lost}))
    engine.dispose()


def _trainees(at: object) -> list[str]:
    names: list[str] = []
    for frame in at.dataframe:  # type: ignore[attr-defined]
        if "Trainee" in frame.value.columns:
            names += list(frame.value["Trainee"])
    return names


def test_the_supervisor_sees_their_cohorts_figures_only_and_can_export(world: World) -> None:
    _outsider(world)
    at = signed_in(world.viewers["supervisor"])
    at.switch_page("ui/pages/operations.py").run()
    assert not at.exception and not at.error, errors(at)
    metrics = {m.label: m.value for m in at.metric}
    # Tina's one attempt: the reference request for a lumbar MRI, approved on its first reply
    assert metrics["First-pass approval"] == "100%"
    assert metrics["Denial rate"] == "0%" and metrics["Revenue lost"] == "$0"
    assert _trainees(at) == ["Tina Trainee"]  # Olga's cohort is not the supervisor's
    assert "Night cohort" not in at.selectbox(key="ops_cohort").options
    assert {"ops_csv", "ops_xlsx"} <= {b.key for b in at.get("download_button")}


def test_an_administrator_sees_every_cohort(world: World) -> None:
    _outsider(world)
    at = signed_in(world.viewers["admin"])
    at.switch_page("ui/pages/operations.py").run()
    assert not at.exception and not at.error, errors(at)
    assert sorted(_trainees(at)) == ["Olga Outside", "Tina Trainee"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["First-pass approval"] == "50%" and metrics["Revenue lost"] == "$4,321"  # 1 of 2; Olga's


def test_the_trainee_sees_their_own_figures_on_my_results(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    at.switch_page("ui/pages/my_results.py").run()
    assert not at.exception and not at.error, errors(at)
    assert "Operations figures" in [s.value for s in at.subheader]
    assert {m.label: m.value for m in at.metric}["First-pass approval"] == "100%"
