"""Issue 11 item 9: download links need a session.

Streamlit serves download-button files at ``/media/<id>`` to anyone holding the address. The server
entry (``server.py``) puts ``ui.download_gate.DownloadsNeedSession`` in front of it: a ``/media/``
request without the cookie of a live session gets 403 and an audit row; with one, the file is served.
The middleware is tested here around a stand-in app, on a real SQLite store; the browser test
(``tests/browser/test_payload_walk.py``) checks the same through the real server.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from settings import Settings
from store.accounts import create_user
from store.db import init_db, session_scope
from store.models import AuditEvent
from store.permissions import SYSTEM
from store.sessions import create_session, revoke_session
from ui.download_gate import COOKIE, DownloadsNeedSession, SessionCheck

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


async def _file(request: object) -> PlainTextResponse:
    return PlainTextResponse("member_id,score\nA1,91\n")


def _signed_in(settings: Settings, username: str, role: str) -> str:
    """A user's live session token (signed in at NOW) in the store at ``settings``."""
    engine = init_db(settings)
    with session_scope(engine) as db:
        user = create_user(
            db,
            SYSTEM,
            username=username,
            display_name=username.title(),
            password="correct horse battery",
            role=role,
            cost=4,
            must_change_password=False,  # signs in through the shell: not the forced change form
        )
        token = create_session(db, user.id, now=NOW)
    engine.dispose()
    return token


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[TestClient, Settings, str]]:
    settings = Settings(data_dir=tmp_path)
    token = _signed_in(settings, "sam", "admin")
    inner = Starlette(routes=[Route("/media/{name}", _file), Route("/_stcore/health", _file)])
    gate = Middleware(DownloadsNeedSession, check=SessionCheck(lambda: settings), clock=lambda: NOW)
    app = Starlette(routes=[Mount("/", app=inner)], middleware=[gate])
    yield TestClient(app), settings, token


def _denials(settings: Settings) -> list[dict[str, object]]:
    engine = init_db(settings)
    with session_scope(engine) as db:
        rows = db.scalars(select(AuditEvent).where(AuditEvent.event == "access_denied")).all()
        out = [dict(r.detail) for r in rows]
    engine.dispose()
    return out


def test_a_download_address_without_a_session_is_refused_and_audited(
    world: tuple[TestClient, Settings, str],
) -> None:
    client, settings, _ = world
    reply = client.get("/media/3f2a9c.csv")
    assert reply.status_code == 403
    assert "Sign in" in reply.text and "member_id" not in reply.text
    assert _denials(settings) == [{"action": "download", "file": "3f2a9c.csv", "reason": "no live session"}]


def test_a_live_session_downloads_and_a_revoked_or_forged_one_does_not(
    world: tuple[TestClient, Settings, str],
) -> None:
    client, settings, token = world
    client.cookies.set(COOKIE, token)
    assert client.get("/media/3f2a9c.csv").text.startswith("member_id,score")
    client.cookies.set(COOKIE, token[:-2] + "xx")
    assert client.get("/media/3f2a9c.csv").status_code == 403
    engine = init_db(settings)
    with session_scope(engine) as db:
        revoke_session(db, token, now=NOW)
    engine.dispose()
    client.cookies.set(COOKIE, token)
    assert client.get("/media/3f2a9c.csv").status_code == 403  # signed out: the link is dead too


def test_an_idle_session_no_longer_downloads(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    token = _signed_in(settings, "ann", "trainee")
    later = NOW + settings.session_idle + timedelta(minutes=1)
    app = DownloadsNeedSession(
        Starlette(routes=[Route("/media/{name}", _file)]),
        check=SessionCheck(lambda: settings),
        clock=lambda: later,
    )
    client = TestClient(app)
    client.cookies.set(COOKIE, token)
    assert client.get("/media/x.csv").status_code == 403


def test_other_addresses_pass_without_a_session(world: tuple[TestClient, Settings, str]) -> None:
    client, settings, _ = world
    assert client.get("/_stcore/health").status_code == 200
    assert _denials(settings) == []


def test_the_gate_fails_closed_when_the_database_does_not_answer() -> None:
    def broken(token: str | None, path: str, now: datetime) -> bool:
        raise OSError("database unreachable")

    client = TestClient(DownloadsNeedSession(Starlette(routes=[Route("/media/{name}", _file)]), check=broken))
    client.cookies.set(COOKIE, "whatever")
    assert client.get("/media/x.csv").status_code == 403


def test_the_server_entry_serves_the_app_behind_the_gate() -> None:
    # scripts/run starts server.py; the app it serves is app.py, with the gate as its middleware
    tree = ast.parse((ROOT / "server.py").read_text(encoding="utf-8"))
    source = ast.unparse(tree)
    assert "st.App('app.py', middleware=[Middleware(DownloadsNeedSession)])" in source
    assert "streamlit run server.py" in (ROOT / "scripts" / "run").read_text(encoding="utf-8")
    from ui.session_cookie import COOKIE as APP_COOKIE

    assert APP_COOKIE == COOKIE  # the gate reads the cookie the sign-in writes
