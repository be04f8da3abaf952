"""The whole product in a real browser: first run, accounts, a trainee's lumbar-MRI case with a hostile
narrative (the reply in view after submit, a duplicate warned, F5 and a second tab still signed in on
the same case, "Finish and grade" asking first), the policy library answering a look-up, the graded
report, and the supervisor finding the attempt; the assistant listing an invented line in an edited
draft and refusing a case that needs no authorization; no Deploy button anywhere; neither the browser
nor the server (a socket audit hook) reaches outside the machine, the index build and the assistant
included. Screenshots go to the
test's temporary folder; ``scripts/screenshots`` refreshes docs/screenshots/ for the README.

Run: ``python -m pytest tests/browser -m browser`` (about a minute; needs Debian's /usr/bin/chromium).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from journey import CHROMIUM, CHROMIUM_ARGS, XSS, Driver, outside, run_journey, serve_audited

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium) "
            "to run the browser journey"
        )


def test_journey(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    data = tmp_path / "data"
    requests: list[str] = []
    with serve_audited(data, tmp_path) as (server, sockets), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.on("request", lambda r: requests.append(r.url))
        driver = Driver(page, shots=tmp_path / "screenshots")
        try:
            out = run_journey(driver, server.url, data)
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"))
            print(server.log.read_text(errors="replace")[-4000:])  # shown by pytest on failure
            raise
        finally:
            browser.close()

    # the narrative rendered as text: both tags visible literally, nothing executed, no <img src=x> element
    assert XSS in out["literal"]
    assert driver.dialogs == [], f"a JavaScript dialog fired: {driver.dialogs}"
    assert out["img_x"] == 0
    assert out["score"].startswith("Score ")
    assert out["reply_in_view"], "the payer's reply was not in the viewport after submitting"
    assert out["second_tab_signed_in"], "a second tab on the case's address was not signed in"
    assert out["deploy_buttons"] == 0, "Streamlit's Deploy button is visible"
    # offline: building the index, drafting, searching the policies and grading reach nothing outside
    assert outside(requests, server) == [], (
        f"the browser reached outside the app: {outside(requests, server)}"
    )
    assert sockets.read_text(encoding="utf-8") == "", f"the server reached outside:\n{sockets.read_text()}"
    shots = ("first-run", "workspace", "grade-report", "policy-library", "dashboard", "assistant")
    for name in (*shots, "assistant-edit-checked", "assistant-no-auth", "peer-to-peer", "operations"):
        assert (tmp_path / "screenshots" / f"{name}.png").stat().st_size > 10_000, name

    # what the supervisor saw is what was stored: one completed attempt, the narrative byte for byte
    from settings import Settings
    from store.attempts import attempts_for, get_attempt
    from store.db import init_db, session_scope
    from store.permissions import SYSTEM

    engine = init_db(Settings(data_dir=data))
    with session_scope(engine) as session:
        from store.accounts import list_users

        tina = next(u for u in list_users(session, SYSTEM) if u.username == "tina")
        summaries = {a.case_id: a for a in attempts_for(session, SYSTEM, tina.id)}
        stored = get_attempt(session, SYSTEM, summaries[f"advanced_imaging:{out['seed']}"].id)
        held = get_attempt(session, SYSTEM, summaries["pends_appeals:1"].id)
    engine.dispose()
    assert stored.status == "completed" and stored.case_id == f"advanced_imaging:{out['seed']}"
    submission = next(a for a in stored.actions if a["type"] == "submission")
    assert XSS in submission["narrative"]
    assert f"{stored.total_score:.1f}" in out["score"]
    # the peer-to-peer call held in the browser: the whole conversation stored, the chart fact cited,
    # the attempt graded (the decision and the score are the simulator's and the grader's)
    call = next(a for a in held.actions if a["type"] == "peer_to_peer")
    assert "director: " in call["talking_points"] and "2026-03-04" in call["talking_points"]
    assert "doc-05" in call["document_ids"] and held.status == "completed"
    assert f"{held.total_score:.1f}" in out["p2p_score"]
