"""The case workspace in a real browser (issue 12 item 10): the primary action ("Check eligibility")
is a few Tab presses from the top of the page, and at a phone's width (390 x 844) the sidebar starts
collapsed, nothing is wider than the screen, and the grade report's score columns stay on screen.

Run: ``python -m pytest tests/browser/test_workspace_layout.py -q`` (needs Debian's /usr/bin/chromium).
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from journey import CHROMIUM, CHROMIUM_ARGS, ROOT, WAIT_MS, Driver, serve

sys.path.insert(0, str(ROOT / "tests" / "app"))  # the app tests' world: accounts and a graded attempt
from pages_support import PASSWORD, build_world

from ui.download_gate import COOKIE

pytestmark = pytest.mark.browser
TRAIL: list[str] = []
# Tab presses from a fresh load to "Check eligibility" (issue 12 measured 36-40): in all (the sidebar's
# skip link and page links come first) and from the main content on.
TAB_BOUND, TAB_BOUND_MAIN = 22, 10


@pytest.fixture(autouse=True)
def _chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)")


def _sign_in_and_open(d: Driver, url: str) -> None:
    d.page.goto(url)
    d.fill("Username", "tina")
    d.fill("Password", PASSWORD)
    d.click("Sign in")
    d.see(re.compile(r"^Welcome, "), timeout=WAIT_MS)
    deadline = time.monotonic() + WAIT_MS / 1000
    while not any(c["name"] == COOKIE for c in d.page.context.cookies()):  # the session cookie lands
        if time.monotonic() > deadline:
            raise AssertionError("the sign-in never wrote the session cookie")
        d.page.wait_for_timeout(200)
    d.page.goto(f"{url}/case_workspace?case=advanced_imaging:4")  # fills the picker, or resumes the case
    opener = d.page.get_by_role("button", name="Open the case", exact=True)
    opener.or_(d.page.get_by_text("Simulated time")).first.wait_for(timeout=WAIT_MS)
    d.settle()
    if opener.count():
        d.click("Open the case")
    d.see("Simulated time")
    d.settle()


def tabs_to(page: Any, name: str, limit: int = 80) -> tuple[int | None, int | None]:
    """Tab presses from a fresh load of the page to the button ``name``: in all, and from the first
    stop inside the main content (what "Skip to main content" leaves); (None, None) if not reached."""
    page.reload()
    page.get_by_role("button", name=name, exact=True).first.wait_for(timeout=WAIT_MS)
    page.wait_for_timeout(500)
    first_main: int | None = None
    for n in range(1, limit + 1):
        page.keyboard.press("Tab")
        label, in_main = page.evaluate(
            "() => { const e = document.activeElement; if (!e) return ['', false];"
            " return [(e.innerText || e.getAttribute('aria-label') || '').trim(),"
            " !!e.closest('[data-testid=\"stMain\"]') && !e.closest('[data-testid=\"stSidebar\"]')] }"
        )
        TRAIL.append(f"{'main' if in_main else 'side'}:{label[:30]}")
        if in_main and first_main is None:
            first_main = n
        if label == name:
            return n, (n - first_main + 1 if first_main is not None else None)
    return None, None


def covered_by(page: Any, element: Any) -> str:
    """The text of the button at the centre of ``element`` as the user would tap it (what covers it)."""
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    return str(
        page.evaluate(
            "([x, y]) => { const e = document.elementFromPoint(x, y); const b = e && e.closest('button');"
            " return b ? b.innerText.trim() : (e ? e.tagName : '') }",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
        )
    )


def overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the window (0: nothing falls off the side)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_primary_action_near_the_top_and_phone_layout(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    data = tmp_path / "data"
    build_world(data)
    measured: dict[str, Any] = {}
    with serve(ROOT / "app.py", data, tmp_path / "streamlit.log") as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            desk = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            d = Driver(desk)
            _sign_in_and_open(d, server.url)
            d.click("Check eligibility")  # saved: a reload reopens the case where it was
            d.see("Coverage ACTIVE")
            d.settle()
            measured["tabs"], measured["tabs_in_main"] = tabs_to(desk, "Check eligibility")

            phone_ctx = browser.new_context(
                viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
            )
            phone = phone_ctx.new_page()
            p = Driver(phone, shots=tmp_path / "screenshots")
            _sign_in_and_open(p, server.url)
            sidebar = phone.get_by_test_id("stSidebar")
            side = sidebar.bounding_box() if sidebar.count() else None
            measured["sidebar_right"] = (
                0 if side is None or not sidebar.is_visible() else side["x"] + side["width"]
            )
            button = phone.get_by_role("button", name="Check eligibility", exact=True).first
            box = button.bounding_box()
            measured["button_x"] = None if box is None else (box["x"], box["x"] + box["width"])
            measured["workspace_overflow"] = overflow(phone)
            measured["button_uncovered"] = covered_by(phone, button) == "Check eligibility"
            p.shot("phone-workspace")
            p.click("Finish and grade…")
            p.click("Yes, finish and grade")
            p.see_heading("Grade report")
            phone.get_by_test_id("stMetricValue").first.wait_for(timeout=WAIT_MS)
            p.settle()
            measured["report_overflow"] = overflow(phone)
            metrics = phone.locator("[data-testid^=stMetric]").filter(
                has=phone.locator("[data-testid=stMetricValue]")
            )
            boxes = [metrics.nth(i).bounding_box() for i in range(metrics.count())]
            measured["metrics"] = len(boxes)
            measured["metrics_off_screen"] = [
                b for b in boxes if b is None or b["x"] < 0 or b["x"] + b["width"] > 391
            ]
            p.shot("phone-grade-report", anchor="Grade report")
            phone.goto(f"{server.url}/my_results")
            p.see_heading("My results")
            p.settle()
            measured["results_overflow"] = overflow(phone)
            p.shot("phone-results")
        except Exception:
            print(server.log.read_text(errors="replace")[-4000:])
            raise
        finally:
            browser.close()

    print("trail:", TRAIL)
    print("measured:", measured)  # shown with -s: the before/after figures in the report
    assert measured["tabs"] is not None and measured["tabs"] <= TAB_BOUND, measured
    assert measured["tabs_in_main"] is not None and measured["tabs_in_main"] <= TAB_BOUND_MAIN, measured
    assert measured["sidebar_right"] <= 1, "the sidebar is open over the content at 390 px"
    assert (
        measured["button_x"] is not None and measured["button_x"][0] >= 0 and measured["button_x"][1] <= 390
    )
    assert measured["button_uncovered"], "something covers the primary action at 390 px"
    assert measured["workspace_overflow"] <= 1 and measured["results_overflow"] <= 1, measured
    assert measured["report_overflow"] <= 1 and measured["metrics"] >= 1, measured
    assert measured["metrics_off_screen"] == [], "score columns fall off the screen at 390 px"
