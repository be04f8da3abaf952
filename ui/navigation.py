"""The page registry: adding a page is one line in PAGES (section, title, icon, file, roles).

``app.py`` builds ``st.navigation`` from this table for the signed-in user's role, so a role never
sees a page it cannot use. Page files live under ``ui/pages/`` and are thin: read input, call one
core function, render.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from store.permissions import MATRIX

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

    @property
    def url_path(self) -> str:
        """The page's address (``/case_workspace``): the file name, so a bookmark or a second tab opens
        the same page; the default page lives at ``/``."""
        return "" if self.default else Path(self.path).stem


PAGES: tuple[PageSpec, ...] = (
    PageSpec("Home", "Home", ":material/home:", "ui/pages/home.py", ALL, default=True),
    PageSpec(
        "Practice", "Modules", ":material/school:", "ui/pages/trainee_modules.py", MATRIX["attempt.save_own"]
    ),
    PageSpec(
        "Practice",
        "Case workspace",
        ":material/assignment:",
        "ui/pages/case_workspace.py",
        MATRIX["attempt.save_own"],
    ),
    PageSpec(
        "Practice", "My results", ":material/insights:", "ui/pages/my_results.py", MATRIX["attempt.read_own"]
    ),
    PageSpec("Practice", "Payer policy library", ":material/menu_book:", "ui/pages/policy_library.py", ALL),
    PageSpec(
        "Supervision",
        "Cohort dashboard",
        ":material/monitoring:",
        "ui/pages/supervisor_dashboard.py",
        MATRIX["dashboard.view"],
    ),
    PageSpec(
        "Supervision",
        "Operations",
        ":material/query_stats:",
        "ui/pages/operations.py",
        MATRIX["dashboard.view"],
    ),
    PageSpec(
        "Supervision",
        "Trainee view",
        ":material/person_search:",
        "ui/pages/trainee_view.py",
        MATRIX["attempt.read_any"],
    ),
    PageSpec(
        "Supervision",
        "Attempt review",
        ":material/fact_check:",
        "ui/pages/attempt_review.py",
        MATRIX["attempt.read_any"],
    ),
    PageSpec(
        "Supervision",
        "Assignments",
        ":material/event:",
        "ui/pages/assignments.py",
        MATRIX["assignment.manage"],
    ),
    PageSpec(
        "Coordinator",
        "Assistant",
        ":material/edit_note:",
        "ui/pages/coordinator_assistant.py",
        MATRIX["draft.create"],
    ),
    PageSpec(
        "Admin",
        "Users and cohorts",
        ":material/manage_accounts:",
        "ui/pages/admin_users.py",
        frozenset({"admin"}),
    ),
    PageSpec("Admin", "Audit log", ":material/policy:", "ui/pages/admin_audit.py", frozenset({"admin"})),
    PageSpec(
        "Admin",
        "Content and index",
        ":material/library_books:",
        "ui/pages/admin_content.py",
        frozenset({"admin"}),
    ),
    PageSpec("Admin", "LLM settings", ":material/smart_toy:", "ui/pages/admin_llm.py", frozenset({"admin"})),
    PageSpec("Account", "My password", ":material/password:", "ui/pages/account_password.py", ALL),
)


def specs_for(role: str) -> list[PageSpec]:
    """The pages a role may open, in registry order.

    >>> [p.title for p in specs_for("trainee")]
    ['Home', 'Modules', 'Case workspace', 'My results', 'Payer policy library', 'My password']
    """
    return [p for p in PAGES if role in p.roles]


def pages_for(role: str) -> dict[str, list[st.Page]]:
    """``st.navigation`` input for ``role``: sections in registry order, each with its pages."""
    sections: dict[str, list[st.Page]] = {}
    for spec in specs_for(role):
        page = st.Page(
            ROOT / spec.path,
            title=spec.title,
            icon=spec.icon,
            default=spec.default,
            url_path=spec.url_path or None,
        )
        sections.setdefault(spec.section, []).append(page)
    return sections


def signed_out_pages(login: Callable[[], None]) -> list[st.Page]:
    """Before sign-in: the sign-in form at ``/`` and at every page's address, so a bookmark or a
    reload of a deep link shows the form (not "Page not found") and, once signed in, that page."""
    pages = [st.Page(login, title="Sign in", icon=":material/login:", url_path="login", default=True)]
    for spec in PAGES:
        if spec.url_path:
            pages.append(st.Page(login, title="Sign in", url_path=spec.url_path, visibility="hidden"))
    return pages


def forced_change_pages(form: Callable[[], None]) -> list[st.Page]:
    """An account whose password an administrator chose (``must_change_password``): the change form at
    ``/`` and at every page's address, so a bookmark, a deep link or a reload reaches nothing else."""
    pages = [
        st.Page(
            form, title="Choose your password", icon=":material/password:", url_path="choose", default=True
        )
    ]
    for spec in PAGES:
        if spec.url_path:
            pages.append(
                st.Page(form, title="Choose your password", url_path=spec.url_path, visibility="hidden")
            )
    return pages
