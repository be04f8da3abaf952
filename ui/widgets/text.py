"""Small text helpers for pages: escape Markdown, mask secrets."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~$"
# Streamlit's Markdown is GitHub-flavoured: its autolink literals turn "http://host", "www.host" and
# "name@host.org" into live links after escapes are read, so no backslash can stop them (a browser walk
# found it). A zero-width space (U+200B) inside each pattern does, and reads the same on screen.
_AUTOLINK_SPOT = re.compile(r"(?i)(?<=:)(?=//)|(?<=@)|(?<=www)(?=\.)")
_ZWSP = "\u200b"


def md_escape(text: str) -> str:
    """``text`` with Markdown syntax characters escaped, so it displays literally inside Markdown, and
    GitHub autolink literals broken by a zero-width space.

    >>> md_escape("*bold* [link](x) <b>")
    '\\\\*bold\\\\* \\\\[link\\\\]\\\\(x\\\\) \\\\<b\\\\>'
    >>> md_escape("http://evil") == "http:\\u200b//evil"
    True
    """
    broken = _AUTOLINK_SPOT.sub(_ZWSP, text)
    return "".join(f"\\{c}" if c in _MD_SPECIAL else c for c in broken)


def mask(secret: str | None) -> str:
    """``sk-…wxyz`` style: never more than the last four characters.

    >>> mask("sk-abcdefghijkl"), mask(None), mask("abc")
    ('…ijkl (15 characters)', '(not set)', '… (3 characters)')
    """
    if not secret:
        return "(not set)"
    tail = secret[-4:] if len(secret) >= 12 else ""
    return f"…{tail} ({len(secret)} characters)"


_SECRET_PARAM = re.compile(r"(?i)(key|token|secret|password|passwd|pwd|auth|sig|signature)")


def mask_url(url: str | None) -> str:
    """A base URL with any credentials in it hidden: ``user:password@`` and secret-looking query values.

    >>> mask_url("https://bob:s3cr3t@llm.example:8443/v1?api_key=abc&region=eu")
    'https://***:***@llm.example:8443/v1?api_key=***&region=eu'
    >>> mask_url("http://127.0.0.1:8000/v1"), mask_url(None)
    ('http://127.0.0.1:8000/v1', '(not set: the OpenAI API)')
    """
    if not url:
        return "(not set: the OpenAI API)"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # not a URL at all: show nothing of it
        return f"(unreadable URL, {len(url)} characters)"
    netloc = parts.netloc
    if parts.username is not None or parts.password is not None:
        netloc = f"***{':***' if parts.password is not None else ''}@{host}{port}"
    query = urlencode(
        [
            (k, "***" if _SECRET_PARAM.search(k) else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ],
        safe="*",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
