"""Small text helpers for pages: escape Markdown, mask secrets."""

from __future__ import annotations

_MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~$"


def md_escape(text: str) -> str:
    """``text`` with Markdown syntax characters escaped, so it displays literally inside Markdown.

    >>> md_escape("*bold* [link](x) <b>")
    '\\\\*bold\\\\* \\\\[link\\\\]\\\\(x\\\\) \\\\<b\\\\>'
    """
    return "".join(f"\\{c}" if c in _MD_SPECIAL else c for c in text)


def mask(secret: str | None) -> str:
    """``sk-…wxyz`` style: never more than the last four characters.

    >>> mask("sk-abcdefghijkl"), mask(None), mask("abc")
    ('…ijkl (15 characters)', '(not set)', '… (3 characters)')
    """
    if not secret:
        return "(not set)"
    tail = secret[-4:] if len(secret) >= 12 else ""
    return f"…{tail} ({len(secret)} characters)"
