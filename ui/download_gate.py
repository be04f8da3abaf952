"""Download links need a session (issue 11 item 9): an ASGI middleware in front of Streamlit's ``/media/``.

Streamlit serves every file a download button hands out at ``/media/<id>.<ext>`` to whoever has the
address, without asking who they are; for a button given bytes the id is a hash of the content, and the
file stays served for a while after the page that offered it is gone. An export of trainees' attempts
or an audit log must not outlive its viewer's session that way. So every request for ``/media/`` must
carry the browser's session cookie (``ui.session_cookie.COOKIE``) naming a live session in the
database (``store.sessions``: not revoked, not idle, not past its absolute lifetime, user active);
otherwise the answer is 403 with one line, and the refusal is audited. The pages build their files
only when a signed-in user clicks (``st.download_button(data=<callable>)``), so no file exists before.

The cookie is SameSite=Strict: the browser sends it with the download the page starts, and never with
a request another site makes. Nothing here reads Streamlit's script context; it runs on the server's
event loop and checks the database in a worker thread.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from http.cookies import CookieError, SimpleCookie
from typing import Any

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse

from settings import Settings
from store.audit import log_event
from store.db import init_db, session_scope
from store.sessions import validate_session

COOKIE = "precert_session"  # ui.session_cookie.COOKIE (that module imports streamlit; this one must not)
_log = logging.getLogger(__name__)
REFUSAL = "Sign in to Precert Academy to download this file: download links work only in a signed-in session."

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def is_media_path(path: str) -> bool:
    """Whether ``path`` is one of Streamlit's served files (any ``baseUrlPath`` prefix).

    >>> is_media_path("/media/3f2a.csv"), is_media_path("/app/media/3f2a.csv"), is_media_path("/_stcore/health")
    (True, True, False)
    """
    return "/media/" in path


def session_token(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The session cookie's value from raw ASGI headers, or None (no cookie, or a malformed header).

    >>> session_token([(b"cookie", b"a=1; precert_session=tok")])
    'tok'
    >>> session_token([(b"cookie", b"a=1")]) is None
    True
    """
    for name, value in headers:
        if name.lower() != b"cookie":
            continue
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(value.decode("latin-1"))
        except CookieError:
            return None
        if COOKIE in jar and jar[COOKIE].value:
            return jar[COOKIE].value
    return None


class SessionCheck:
    """Is a token a live session? One engine per database URL, built (and migrated, as the app does) on
    first use: a download can be the first request a fresh server answers."""

    def __init__(self, settings: Callable[[], Settings]) -> None:
        self._settings = settings
        self._engines: dict[str, Engine] = {}

    def __call__(self, token: str | None, path: str, now: datetime) -> bool:
        settings = self._settings()
        url = settings.resolved_database_url
        engine = self._engines.get(url) or self._engines.setdefault(url, init_db(settings))
        with session_scope(engine) as db:
            user_id = None
            if token:
                user_id = validate_session(
                    db, token, now=now, idle=settings.session_idle, absolute=settings.session_absolute
                )
            if user_id is None:
                file_name = path.rsplit("/", 1)[-1][:80]
                log_event(
                    db,
                    "access_denied",
                    user_id=None,
                    detail={"action": "download", "file": file_name, "reason": "no live session"},
                )
            return user_id is not None


def _app_settings() -> Settings:
    from ui.resources import get_settings  # the app's own settings (environment and st.secrets)

    return get_settings()


class DownloadsNeedSession:
    """ASGI middleware: ``/media/`` answers 403 unless the request carries a live session's cookie."""

    def __init__(
        self,
        app: ASGIApp,
        check: Callable[[str | None, str, datetime], bool] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),  # the server's edge: real time
    ) -> None:
        self.app = app
        self.check = check or SessionCheck(_app_settings)
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") == "http" and is_media_path(str(scope.get("path", ""))):
            token = session_token(list(scope.get("headers") or []))
            try:
                allowed = await run_in_threadpool(self.check, token, str(scope["path"]), self.clock())
            except Exception:  # the database did not answer: refuse (fail closed), say why in the log
                _log.exception("download gate: the session check failed; refusing %s", scope["path"])
                allowed = False
            if not allowed:
                await PlainTextResponse(REFUSAL, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)
