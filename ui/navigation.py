"""The page registry: adding a page is one line in PAGES (section, title, icon, file, roles).

``app.py`` builds ``st.navigation`` from this table for the signed-in user's role, so a role never
sees a page it cannot use. Page files live under ``ui/pages/`` and are thin: read input, call one
core function, render.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
ALL = frozenset({"trainee", "supervisor", "coordinator", "admin"})


@dataclass(frozen=True)
class PageSpec:
    section: str
    title: str
    icon: str  # a Material icon name (":material/…:") or an emoji
    path: str  # relative to the repository root (where app.py is)
    roles: frozenset[str]
    default: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec("Home", "Home", ":material/home:", "ui/pages/home.py", ALL, default=True),
    PageSpec("Admin", "Users and cohorts", ":material/manage_accounts:", "ui/pages/admin_users.py",
             frozenset({"admin"})),
    PageSpec("Admin", "Audit log", ":material/policy:", "ui/pages/admin_audit.py", frozenset({"admin"})),
)


def specs_for(role: str) -> list[PageSpec]:
    """The pages a role may open, in registry order.

    >>> [p.title for p in specs_for("trainee")]
    ['Home']
    """
    return [p for p in PAGES if role in p.roles]


def pages_for(role: str) -> dict[str, list[st.Page]]:
    """``st.navigation`` input for ``role``: sections in registry order, each with its pages."""
    sections: dict[str, list[st.Page]] = {}
    for spec in specs_for(role):
        page = st.Page(ROOT / spec.path, title=spec.title, icon=spec.icon, default=spec.default)
        sections.setdefault(spec.section, []).append(page)
    return sections
