"""Who may do what: one role × action matrix, checked by every service function.

Pages may hide what a role cannot use, but the check that counts is here, in the service layer, so a
page that forgets to hide a button still cannot leak a record.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

Role = Literal["trainee", "supervisor", "coordinator", "admin"]

Action = Literal[
    "attempt.save_own",  # record one's own attempt (the case workspace)
    "attempt.read_own",  # read one's own attempts and results
    "attempt.read_any",  # open any trainee's attempt (attempt review)
    "dashboard.view",  # cohort aggregates
    "assignment.view_own",  # see one's assigned modules and progress
    "assignment.manage",  # assign modules to cohorts or users; see anyone's progress
    "export",  # CSV/XLSX of attempts
    "draft.create",  # save assistant drafts
    "draft.read_own",  # read one's own draft history
    "draft.read_any",  # read anyone's drafts
    "user.list",  # list accounts (to pick a trainee to review)
    "user.manage",  # create users, change roles, unlock, deactivate
    "cohort.view",  # list cohorts
    "cohort.manage",  # create cohorts
    "audit.read",  # read the audit log
    # issue 12 item 9 (store/reviews.py): feedback on another person's attempt, inside one's cohorts
    "review.comment",  # comment on a trainee's attempt
    "review.override",  # override a trainee's grade with a reason, or restore the grader's score
    "message.send",  # send a trainee a message
    "message.read_own",  # read one's messages and mark them read
]

_T, _S, _C, _A = "trainee", "supervisor", "coordinator", "admin"
MATRIX: dict[str, frozenset[str]] = {
    "attempt.save_own": frozenset({_T, _S, _A}),
    "attempt.read_own": frozenset({_T, _S, _A}),
    "attempt.read_any": frozenset({_S, _A}),
    "dashboard.view": frozenset({_S, _A}),
    "assignment.view_own": frozenset({_T, _S, _A}),
    "assignment.manage": frozenset({_S, _A}),
    "export": frozenset({_S, _A}),
    "draft.create": frozenset({_C, _S, _A}),
    "draft.read_own": frozenset({_C, _S, _A}),
    "draft.read_any": frozenset({_A}),
    "user.list": frozenset({_S, _A}),
    "user.manage": frozenset({_A}),
    "cohort.view": frozenset({_S, _A}),
    "cohort.manage": frozenset({_A}),
    "audit.read": frozenset({_A}),
    "review.comment": frozenset({_S, _A}),
    "review.override": frozenset({_S, _A}),
    "message.send": frozenset({_S, _A}),
    "message.read_own": frozenset({_T}),
}
ACTIONS: tuple[str, ...] = get_args(Action)


class AccessDenied(PermissionError):
    """The signed-in user's role does not allow this; the message says which action and which role."""


class NotFound(LookupError):
    """The record asked for does not exist; the message names it."""


class Viewer(BaseModel):
    """Who is asking: carried in the UI's session state and passed to every service function.

    ``user_id`` None is the system itself (the command line), which acts as an administrator.
    """

    model_config = ConfigDict(frozen=True)
    user_id: int | None
    username: str
    role: Role
    cohort_id: int | None = None
    display_name: str = ""


SYSTEM = Viewer(user_id=None, username="system", role="admin")


def can(role: str, action: str) -> bool:
    """Whether ``role`` may perform ``action``.

    >>> can("trainee", "attempt.read_own"), can("coordinator", "attempt.read_own")
    (True, False)
    """
    if action not in MATRIX:
        raise ValueError(f"action: unknown permission {action!r}; expected one of {sorted(MATRIX)}")
    return role in MATRIX[action]


def require(viewer: Viewer, action: Action) -> None:
    """Raise :class:`AccessDenied` unless the viewer's role allows ``action``."""
    if not can(viewer.role, action):
        raise AccessDenied(f"A {viewer.role} may not {_describe(action)} (permission {action!r}).")


def _describe(action: str) -> str:
    noun, verb = action.split(".") if "." in action else (action, "use")
    return f"{verb.replace('_', ' ')} {noun}s" if "." in action else f"{action} data"
