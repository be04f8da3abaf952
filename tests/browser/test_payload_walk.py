"""Issue 11 items 2 and 9 in a real browser: payloads stay text on every page for every role, the
browser and the server make no outside request, and download links need a session.

The world (``tests/app/hostile_world.py``) gives every display name, the cohort, the member id, the
patient name, codes, criterion ids, notes and a draft a Markdown/HTML payload that would load an image
from 127.0.0.1:8699, link to ``http://evil`` and bold a word if it were rendered as Markdown or HTML.
The real server (``server.py``, started through ``audited_server.py``: a socket audit hook) serves it to
Debian's Chromium; each role signs in and opens every page it may, plus the attempt review and the
resumed case. Nothing from the payload may become an element, no JavaScript dialog may open, every
request the browser makes goes to the app's own address, and the server opens no connection to, and
resolves no name of, another machine. Then a supervisor downloads an export (built on the click) and
the same address, fetched without the session cookie, is refused.
"""

from __future__ import annotations

import re
import sys
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from journey import CHROMIUM, CHROMIUM_ARGS, ROOT, WAIT_MS, Driver, outside, serve_audited

sys.path.insert(0, str(ROOT / "tests" / "app"))  # the hostile world is shared with the AppTest walk
from hostile_world import PASSWORD, build_hostile_world

from ui.download_gate import COOKIE
from ui.navigation import specs_for

pytestmark = pytest.mark.browser
LITERAL = "![](http://127.0.0.1:8699/x.png)"  # how the payload's first part reads when shown as text


@pytest.fixture(autouse=True)
def _chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)")


def live_payload(page: Any) -> list[str]:
    """Elements the payload would have made had it been rendered as Markdown or HTML."""
    found = []
    if (n := page.locator("img[src*='8699'], img[src='x']").count()) > 0:
        found.append(f"{n} image(s)")
    # a heading's own anchor (href="#welcome-…-8699-…") is Streamlit's, not the payload's: only links
    # that leave the page count
    links = page.eval_on_selector_all(
        "a[href]",
        "links => links.map(a => [a.getAttribute('href'),"
        " (a.closest('[data-testid]') || a.parentElement).getAttribute('data-testid') || a.parentElement.tagName])",
    )
    found.extend(
        f"link to {href} in {where}"
        for href, where in links
        if not href.startswith("#") and ("evil" in href or "8699" in href)
    )
    bold = page.locator("strong, b").filter(has_text=re.compile(r"^\s*bold\s*$")).count()
    if bold:
        found.append(f"{bold} bold 'bold'")
    return found


def sign_in(d: Driver, username: str) -> None:
    d.fill("Username", username)
    d.fill("Password", PASSWORD)
    d.click("Sign in")
    d.see(re.compile(r"^Welcome, "), timeout=WAIT_MS)
    # the session cookie is written by a component on the next render; opening an address before it
    # is there would start a new Streamlit session that nothing signs in
    deadline = time.monotonic() + WAIT_MS / 1000
    while not any(c["name"] == COOKIE for c in d.page.context.cookies()):
        if time.monotonic() > deadline:
            raise AssertionError("the sign-in never wrote the session cookie")
        d.page.wait_for_timeout(200)


def visit(d: Driver, url: str, where: str, problems: list[str]) -> str:
    """Open ``url`` (a page of the app), wait for its run to finish; record live payload; return its text."""
    d.page.goto(url)
    d.page.get_by_test_id("stSidebarNav").wait_for(timeout=WAIT_MS)
    d.settle()
    problems.extend(f"{where}: {p}" for p in live_payload(d.page))
    # read as a person reads it: the zero-width spaces that break autolinks (ui.widgets.text) are invisible
    text = str(d.page.locator("body").inner_text()).replace("\u200b", "")
    if "Traceback" in text or "An error occurred" in text:
        problems.append(f"{where}: an error is shown")
    return text


def test_payloads_stay_text_no_outside_requests_downloads_need_a_session(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    data = tmp_path / "data"
    world = build_hostile_world(data)
    problems: list[str] = []
    requests: list[str] = []
    shown_on: dict[str, int] = {}
    with serve_audited(data, tmp_path) as (server, sockets), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for role, viewer in world.viewers.items():
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                d = Driver(page)
                page.on("dialog", lambda dialog, d=d: (d.dialogs.append(dialog.message), dialog.dismiss()))
                page.on("request", lambda r: requests.append(r.url))
                page.goto(server.url)
                sign_in(d, viewer.username)
                pages = [(spec.title, f"{server.url}/{spec.url_path}") for spec in specs_for(role)]
                if role in ("supervisor", "admin"):
                    pages.append(
                        ("attempt review", f"{server.url}/attempt_review?attempt={world.attempt_id}")
                    )
                if role == "trainee":
                    case_id = "advanced_imaging:4"
                    pages.append(("resumed case", f"{server.url}/case_workspace?case={case_id}"))
                shown_on[role] = 0
                for title, address in pages:
                    text = visit(d, address, f"{role} · {title}", problems)
                    shown_on[role] += LITERAL in text
                problems.extend(f"{role}: dialog {m!r}" for m in d.dialogs)
                if role == "supervisor":
                    export_needs_a_session(d, server.url, problems)
                context.close()
        except Exception:
            print(server.log.read_text(errors="replace")[-4000:])
            raise
        finally:
            browser.close()

    assert not problems, "\n".join(problems)
    # the payload was on screen, as text, for every role (at least their own name on Home)
    assert all(n >= 1 for n in shown_on.values()), shown_on
    assert outside(requests, server) == [], (
        f"the browser reached outside the app: {outside(requests, server)}"
    )
    assert sockets.read_text(encoding="utf-8") == "", f"the server reached outside:\n{sockets.read_text()}"


def export_needs_a_session(d: Driver, url: str, problems: list[str]) -> None:
    """The supervisor downloads the attempts CSV; the address it came from refuses a cookie-less fetch."""
    page = d.page
    page.goto(f"{url}/supervisor_dashboard")
    d.see("Completed attempts")
    d.click("Prepare the export")
    d.see(re.compile(r"attempts ready"))
    with page.expect_download(timeout=WAIT_MS) as info:
        d.click("Download CSV")
    download = info.value
    body = Path(download.path()).read_text(encoding="utf-8-sig")
    if "advanced_imaging:4" not in body:
        problems.append("the signed-in supervisor's CSV did not hold the attempt")
    try:
        with urllib.request.urlopen(download.url, timeout=10) as reply:  # no cookie: a copied link
            problems.append(f"a download link answered {reply.status} without a session")
    except urllib.error.HTTPError as refused:
        if refused.code != 403:
            problems.append(f"a download link without a session answered {refused.code}, not 403")


def test_the_shipped_config_turns_usage_statistics_off() -> None:
    # Streamlit's default is to report usage from the browser; the shipped value must be false
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert "--browser.gatherUsageStats false" in (ROOT / "scripts" / "run").read_text(encoding="utf-8")


def test_the_socket_audit_sees_outside_connections_and_ignores_loopback(tmp_path: Path) -> None:
    # the server-side check above is only as good as its hook: it must record what it is there to catch
    import subprocess

    log = tmp_path / "sockets.log"
    probe = (
        "import runpy, socket\n"
        f"runpy.run_path({str(ROOT / 'tests' / 'browser' / 'audited_server.py')!r})\n"
        "for target in (('192.0.2.1', 9), ('127.0.0.1', 9)):\n"
        "    try:\n"
        "        socket.create_connection(target, timeout=0.05).close()\n"
        "    except OSError:\n"
        "        pass\n"
        "try:\n"
        "    socket.getaddrinfo('updates.example.invalid', 443)\n"
        "except OSError:\n"
        "    pass\n"
        "socket.getaddrinfo('localhost', 80)\n"
    )
    subprocess.run(
        [sys.executable, "-c", probe], env={"PRECERT_SOCKET_LOG": str(log)}, check=True, timeout=60
    )
    assert log.read_text(encoding="utf-8").splitlines() == [
        "resolve 192.0.2.1",  # create_connection resolves the address first
        "connect 192.0.2.1:9",
        "resolve updates.example.invalid",
    ]
