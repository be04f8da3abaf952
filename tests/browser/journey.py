"""The browser journey, shared by ``tests/browser/test_journey.py`` and ``bench/app.py``: start the real
app (``streamlit run server.py``, the entry ``scripts/run`` starts) on a free port with a fresh DATA_DIR, then drive Debian's Chromium through
Playwright like a person would.

Streamlit specifics this relies on: text inputs and text areas carry their label as ``aria-label``;
selectboxes and multiselects are ``combobox`` elements named by their label, with ``option`` children;
a text input commits on Enter or blur, a text area on Ctrl+Enter or blur; a page reload starts a new
Streamlit session, which the session cookie signs in again (the journey reloads and opens a second tab
on purpose).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
XSS = "<script>alert(1)</script> <img src=x onerror=alert(2)>"
WAIT_MS = 60_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    started: float  # perf_counter when the process was started
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid


def streamlit_command(script: Path, port: int, launcher: Path | None = None) -> list[str]:
    """``streamlit run script`` on ``port``; through ``launcher`` (a script taking streamlit's arguments,
    e.g. ``audited_server.py``) when one is given."""
    start = [sys.executable, str(launcher)] if launcher is not None else [sys.executable, "-m", "streamlit"]
    return [
        *start,
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]


@contextmanager
def serve(
    script: Path,
    data_dir: Path,
    log: Path,
    env: dict[str, str] | None = None,
    wait_health: bool = True,
    launcher: Path | None = None,
) -> Iterator[Server]:
    """Run ``streamlit run script`` until the block ends (stopped by its own pid, never by name)."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CHROMA_HOST")}
    environ.update({"DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT), **(env or {})})
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            streamlit_command(script, port, launcher),
            cwd=ROOT,
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        server = Server(proc, f"http://127.0.0.1:{port}", started, log)
        try:
            if wait_health:
                wait_healthy(server)
            yield server
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


@contextmanager
def serve_audited(data_dir: Path, folder: Path) -> Iterator[tuple[Server, Path]]:
    """The real server entry (``server.py``) under ``audited_server.py``: yields the server and the file
    where every connection to, or name lookup of, another machine is written (empty when offline)."""
    sockets = folder / "sockets.log"
    sockets.touch()
    launcher = ROOT / "tests" / "browser" / "audited_server.py"
    env = {"PRECERT_SOCKET_LOG": str(sockets)}
    with serve(ROOT / "server.py", data_dir, folder / "streamlit.log", env=env, launcher=launcher) as server:
        yield server, sockets


def outside(urls: list[str], server: Server) -> list[str]:
    """The browser requests that left the app's own address (data:, blob: and about: stay in the page)."""
    return sorted({u for u in urls if not u.startswith((server.url, "data:", "blob:", "about:"))})


def wait_healthy(server: Server, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{server.log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as reply:
                if reply.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"streamlit did not become healthy in {timeout_s} s")


def peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set) of a live process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for pid {pid}")


def pick_case() -> tuple[int, list[str]]:
    """A lumbar-MRI case of the advanced imaging module that should be submitted (as its archetype
    declares), and the labels of the documents its answer key requires, as the attachment picker shows
    them. The answer key only chooses the test input; the app never sees it."""
    from scenarios import generate_case

    for seed in range(1, 500):
        case = generate_case("advanced_imaging", seed)
        key = case.answer_key
        if (
            case.order.service_line == "lumbar_mri"
            and key.correct_action == "submit"
            and case.coverage.member_id == case.coverage.member_id_on_registration
        ):
            docs = [case.document(i) for i in key.required_document_ids]
            return seed, [f"{d.id} · {d.date.isoformat()} · {d.title}" for d in docs if d is not None]
    raise LookupError("no submit-able lumbar MRI case in advanced_imaging seeds 1-499")


@dataclass
class Driver:
    """A page with the few gestures a Streamlit app needs."""

    page: Any
    shots: Path | None = None
    dialogs: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def field(self, label: str) -> Any:
        return self.page.locator(f'input[aria-label="{label}"], textarea[aria-label="{label}"]').first

    def type(self, label: str, value: str) -> None:
        box = self.field(label)
        box.fill(value)
        box.press("Control+Enter" if box.evaluate("e => e.tagName") == "TEXTAREA" else "Enter")

    def fill(self, label: str, value: str) -> None:
        """Fill a field inside a form (committed by the form's submit button)."""
        self.field(label).fill(value)

    def choose(self, label: str, option: str) -> None:
        self.page.get_by_role("combobox", name=label).first.click()
        self.page.get_by_role("option", name=re.compile(re.escape(option))).first.click()

    def choose_many(self, label: str, options: list[str]) -> None:
        """Type each option's full label into the multiselect's filter and take it with Enter."""
        box = self.page.get_by_role("combobox", name=label).first
        for option in options:
            self.settle()
            box.click()
            box.fill(option)
            self.page.keyboard.press("Enter")
        self.page.keyboard.press("Escape")

    def click(self, name: str) -> None:
        self.settle()
        self.page.get_by_role("button", name=name, exact=True).first.click()

    def finish_and_grade(self) -> None:
        """Confirm the finish dialog and wait for the grade report. A click that lands while the
        dialog is still being re-rendered by a rerun is lost (seen once in CI: the dialog stayed
        open for the whole wait), so the confirmation is clicked again while it is still shown."""
        from playwright.sync_api import expect

        report = self.page.get_by_role("heading", name="Grade report").first
        for _ in range(3):
            self.click("Yes, finish and grade")
            try:
                expect(report).to_be_visible(timeout=WAIT_MS // 3)
                return
            except AssertionError:
                yes = self.page.get_by_role("button", name="Yes, finish and grade", exact=True)
                if yes.count() == 0:
                    break  # the dialog is gone: the report is still on its way
        expect(report).to_be_visible(timeout=WAIT_MS)

    def tab(self, name: str) -> None:
        self.page.get_by_role("tab", name=name, exact=True).first.click()

    def nav(self, title: str) -> None:
        self.settle()  # a click during a rerun can be lost: the page stays where it was
        self.page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
        self.see_heading(TITLES.get(title, title))

    def see(self, text: str | re.Pattern[str], timeout: int = WAIT_MS) -> Any:
        from playwright.sync_api import expect

        found = self.page.get_by_text(text).first
        expect(found).to_be_visible(timeout=timeout)
        return found

    def see_heading(self, text: str, timeout: int = WAIT_MS) -> None:
        from playwright.sync_api import expect

        expect(self.page.get_by_role("heading", name=text).first).to_be_visible(timeout=timeout)

    def settle(self) -> None:
        """Wait until the app has finished its rerun (the 'running' indicator is gone)."""
        from playwright.sync_api import expect

        self.page.wait_for_timeout(300)
        expect(self.page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT_MS)

    def shot(self, name: str, anchor: str | None = None) -> None:
        """Save a screenshot (only when a folder was given), optionally scrolled to ``anchor``'s text."""
        if self.shots is not None:
            self.settle()
            if anchor is not None:
                self.page.get_by_text(anchor).first.scroll_into_view_if_needed()
                self.page.mouse.wheel(0, -120)  # a little context above the anchor
                self.page.wait_for_timeout(300)
            self.shots.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(self.shots / f"{name}.png"))

    def sign_in(self, username: str, password: str, display: str) -> None:
        self.fill("Username", username)
        self.fill("Password", password)
        self.click("Sign in")
        self.see_heading(f"Welcome, {display}")

    def first_sign_in(self, username: str, given: str, own: str, display: str) -> None:
        """An account an administrator created: signing in opens only the change form; the person
        replaces the password they were given with their own, then lands on Home."""
        self.fill("Username", username)
        self.fill("Password", given)
        self.click("Sign in")
        self.see_heading("Choose your own password")
        self.fill("Password you were given", given)
        self.fill("New password", own)
        self.fill("New password again", own)
        self.click("Set my password")
        self.see_heading(f"Welcome, {display}")

    def sign_out(self) -> None:
        self.page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
        self.see_heading("Sign in to Precert Academy")


TITLES = {"Assistant": "Drafting assistant"}  # sidebar title -> page heading, where they differ
ADMIN = ("admin", "Ada Admin", "admin password 1")
TRAINEE = ("tina", "Tina Trainee", "trainee password 1")  # chosen by the administrator
TRAINEE_OWN = "tina chose this one 7"  # what Tina replaces it with at her first sign-in
SUPERVISOR = ("sam", "Sam Supervisor", "supervisor password 1")


COHORT = "Spring intake"


def create_user(
    d: Driver, username: str, display: str, password: str, role: str, cohort: str | None = None
) -> None:
    d.fill("Username", username)
    d.fill("Display name", display)
    d.choose("Role", role)
    if cohort is not None:
        d.choose("Cohort", cohort)
    d.fill("Initial password", password)
    d.fill("Password again", password)
    d.click("Create user")
    d.see(f"Created {username} ({role})")


def run_journey(d: Driver, url: str, data_dir: Path, *, with_assistant: bool = True) -> dict[str, Any]:
    """The whole journey; returns what the test asserts on (timings, the attempt's score text)."""
    from playwright.sync_api import expect

    page = d.page
    page.on("dialog", lambda dialog: (d.dialogs.append(dialog.message), dialog.dismiss()))
    t0 = time.perf_counter()
    page.goto(url)
    d.see_heading("Welcome to Precert Academy")
    d.shot("first-run")

    # first run: the administrator, then a trainee and a supervisor
    username, display, password = ADMIN
    # The one-time set-up token the server printed in its log (and keeps in DATA_DIR/setup-token).
    d.fill("Set-up token", (data_dir / "setup-token").read_text(encoding="ascii").strip())
    d.fill("Username", username)
    d.fill("Display name", display)
    d.fill("Password", password)
    d.fill("Password again", password)
    d.click("Create administrator")
    d.see_heading(f"Welcome, {display}")
    d.nav("Users and cohorts")
    d.tab("Cohorts")
    d.fill("New cohort name", COHORT)
    d.click("Create cohort")
    d.see(f"Created cohort {COHORT}")
    d.nav("Users and cohorts")  # a fresh run lists the new cohort
    d.tab("Create user")
    create_user(d, *TRAINEE[:2], TRAINEE[2], "trainee", cohort=COHORT)
    create_user(d, *SUPERVISOR[:2], SUPERVISOR[2], "supervisor")
    # supervisors see only the cohorts an administrator assigns them
    d.nav("Users and cohorts")  # a fresh run lists the new supervisor
    d.tab("Cohorts")
    d.choose("Supervisor", SUPERVISOR[0])
    d.choose_many("Cohorts", [COHORT])
    d.click("Save")
    d.see(f"{SUPERVISOR[0]} now sees 1 cohort(s).")
    d.sign_out()

    # the trainee works a lumbar MRI case
    seed, documents = pick_case()
    d.first_sign_in(TRAINEE[0], TRAINEE[2], TRAINEE_OWN, TRAINEE[1])
    d.nav("Case workspace")
    d.choose("Module", "Advanced imaging")
    d.type("Case number (optional)", str(seed))
    d.click("Open the case")
    d.see("Simulated time")
    d.see(re.compile(r"Lumbar spine MRI"))
    d.click("Check eligibility")
    d.see("Latest payer reply")
    d.see(re.compile(r"Coverage ACTIVE"))
    d.click("Look up authorization requirement")
    d.see(re.compile(r"Authorization look-up at"))
    d.tab("Request")
    d.choose_many("Attachments (chart documents to send)", documents)
    narrative = (
        "Lumbar MRI requested after failed provider-directed physical therapy; the follow-up "
        f"examination is documented in the office note. {XSS}"
    )
    d.type("Medical-necessity narrative", narrative)
    d.settle()
    started = time.perf_counter()
    d.click("Submit the request to the payer")
    d.see(re.compile(r"Request submitted at"))
    d.timings["submit_s"] = time.perf_counter() - started
    d.settle()
    reply = page.get_by_text("Latest payer reply").first
    box, height = reply.bounding_box(), page.viewport_size["height"]
    in_view = box is not None and 0 <= box["y"] < height  # seen without scrolling after the click
    # the payer decides on its review clock: pending until the trainee advances the clock to it
    d.see("Pending. The payer's decision is due")
    d.settle()
    page.get_by_role("button", name=re.compile(r"^Advance the clock to ")).first.click()
    d.see(re.compile(r"action code A\d"))
    d.shot("workspace", anchor=None)
    d.see("already sent on this case")  # the same request again is warned before it is sent
    case_url = page.url
    page.reload()  # F5: still signed in, on the same case, with its four actions (the wait included)
    d.see(re.compile(r"4 action\(s\)"))
    second = page.context.new_page()  # a second tab on the same address
    second.goto(case_url)
    expect(second.get_by_text(re.compile(r"4 action\(s\)")).first).to_be_visible(timeout=WAIT_MS)
    second_tab_signed_in = second.get_by_role("heading", name="Sign in to Precert Academy").count() == 0
    second.close()
    deploy_buttons = page.get_by_role("button", name="Deploy").count() + page.get_by_text("Deploy").count()
    d.click("Finish and grade…")
    d.see("Finish this case and grade it?")  # asked first
    d.finish_and_grade()
    score = d.see(re.compile(r"Score \d+\.\d / 100")).inner_text()
    d.shot("grade-report")
    d.tab("Activity log")
    # the narrative as rendered (st.text), not the text area it was typed in
    shown = page.get_by_test_id("stText").filter(has_text=XSS).first
    expect(shown).to_be_visible(timeout=WAIT_MS)
    literal = shown.inner_text()
    d.sign_out()
    page.goto(url)  # the next person opens the app at its address (sign-out leaves the last page's)

    # the administrator finds the attempt (every cohort is theirs; the supervisor set up above sees only
    # the cohort assigned to them, which the store's cohort-scope tests cover)
    d.sign_in(ADMIN[0], ADMIN[2], ADMIN[1])
    d.nav("Cohort dashboard")
    d.see("Completed attempts")
    # the drill-down picker names the trainee (the table's cells are drawn on a canvas)
    expect(page.get_by_role("combobox", name="Drill down to a trainee")).to_have_value(
        f"{TRAINEE[1]} ({TRAINEE[0]})", timeout=WAIT_MS
    )
    d.shot("dashboard")
    d.nav("Operations")  # the department KPIs and revenue of the attempt just graded (issue 14)
    d.see("Denial rate")
    d.see("Revenue lost")
    d.shot("operations")
    d.nav("Cohort dashboard")
    d.see("Completed attempts")
    d.click("Open trainee view")
    d.see_heading("Trainee view")
    expect(page.get_by_role("combobox", name="Review an attempt")).to_have_value(
        re.compile(rf"advanced_imaging:{seed} · completed"), timeout=WAIT_MS
    )
    d.click("Open attempt review")
    d.see_heading("Attempt review")
    d.see("every reply is identical to what the trainee saw")
    d.see(score)
    if with_assistant:
        draft_with_assistant(d, seed)
        look_up_a_policy(d)
    p2p_score = hold_a_peer_to_peer(d, url)
    # the journey ends with the administrator signed in, as before the call (bench/app.py drafts next)
    d.sign_out()
    page.goto(url)
    d.sign_in(ADMIN[0], ADMIN[2], ADMIN[1])
    d.timings["journey_s"] = time.perf_counter() - t0
    return {
        "p2p_score": p2p_score,
        "score": score,
        "literal": literal,
        "seed": seed,
        "img_x": page.locator("img[src='x']").count(),
        "reply_in_view": in_view,
        "second_tab_signed_in": second_tab_signed_in,
        "deploy_buttons": deploy_buttons,
    }


def draft_with_assistant(d: Driver, seed: int) -> None:
    """Draft a narrative for the same case on the assistant page (the first draft builds the index)."""
    started = time.perf_counter()
    d.nav("Assistant")
    d.type("Case number", str(seed))
    d.click("Draft")
    d.see("Criteria checklist", timeout=180_000)
    d.timings["first_draft_s"] = time.perf_counter() - started
    d.shot("assistant")
    check_an_edit(d)
    refuse_a_no_auth_case(d)


EDITOR = "Draft text (edit freely)"
INVENTED = "The patient completed 12 weeks of physical therapy, acupuncture and chiropractic care."


def no_auth_seed() -> int:
    """An advanced-imaging case its archetype closes with no authorization needed (chooses input only)."""
    from scenarios import generate_case

    return next(
        s
        for s in range(1, 500)
        if generate_case("advanced_imaging", s).answer_key.expected_determination.status == "no_auth_required"
    )


def check_an_edit(d: Driver) -> None:
    """An invented line typed into the draft is listed by "Pre-check my edited text" (the guards read
    the editor, not the draft as written)."""
    text = d.field(EDITOR).input_value()
    d.type(EDITOR, text + "\n" + INVENTED)
    d.click("Pre-check my edited text")
    d.see(re.compile(r"\d+ problems? in your text"))
    found = d.see(re.compile(r"acupuncture|chiropractic"))
    found.evaluate("e => e.scrollIntoView({block: 'center'})")  # the listed problems mid-screen
    d.shot("assistant-edit-checked")


def refuse_a_no_auth_case(d: Driver) -> None:
    """A case the payer needs no authorization for gets no letter: the assistant says why."""
    d.type("Case number", str(no_auth_seed()))
    d.click("Draft")
    d.see("Nothing drafted.")
    d.see(re.compile("No authorization is needed"))
    d.shot("assistant-no-auth", anchor="Nothing drafted.")


def look_up_a_policy(d: Driver) -> None:
    """The payer policy library answers a look-up (after the assistant built the index)."""
    d.nav("Payer policy library")
    d.type("Search the policies", "how many weeks of physical therapy before a lumbar MRI")
    d.see(re.compile(r"-MRI-00\d § "), timeout=240_000)
    d.shot("policy-library")


# The chart fact of pends and appeals case 1 (a lumbar MRI Lakeshore denied for LKS-MRI-001.2, the
# follow-up examination): doc-05, the office visit of 2026-03-04, is that examination.
P2P_CHART_FACT = "The follow-up office visit on 2026-03-04 documents a re-examination after physical therapy."


def hold_a_peer_to_peer(d: Driver, url: str) -> str:
    """The trainee holds the peer-to-peer call offline (issue 16 item 4): the scripted director asks
    about the unmet criterion, the trainee answers with the chart fact, the payer overturns the denial,
    and the attempt is graded. Returns the grade report's score line."""
    d.sign_out()
    d.page.goto(url)  # the app's address, not the last page's (a deep link would open that page)
    d.sign_in(TRAINEE[0], TRAINEE_OWN, TRAINEE[1])  # the password she chose at first sign-in
    d.nav("Case workspace")
    d.choose("Module", "Pends, denials and appeals")
    d.type("Case number (optional)", "1")
    d.click("Open the case")
    d.see("Simulated time")
    d.tab("Pend, appeal, peer-to-peer")
    d.see("Peer-to-peer call with the payer's medical director")
    d.see(re.compile(r"On LKS-MRI-001\.2 .*Name the document and date"))
    d.fill("Your answer", P2P_CHART_FACT)
    d.click("Answer")
    d.see(re.compile(r"I will make the determination on what you have cited"))
    d.shot("peer-to-peer", anchor="Peer-to-peer call with the payer's medical director")
    d.click("End call")
    d.settle()
    # the payer decides on its clock: the trainee advances it to the decision
    d.page.get_by_role("button", name=re.compile(r"^Advance the clock to ")).first.click()
    d.see(re.compile(r"Approved — action code A1"))
    d.click("Finish and grade…")
    d.see("Finish this case and grade it?")  # asked first
    d.finish_and_grade()
    return str(d.see(re.compile(r"Score \d+\.\d / 100")).inner_text())
