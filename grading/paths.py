"""Which of the payer's acceptable paths an attempt followed (answer key ``acceptable_paths``).

An answer key lists every path the payer accepts for the case, best first, each with its credit (a
correct but slower or costlier path earns a little less). The attempt's path is the one whose action
produced the payer's last standing decision, else the first acceptable action the trainee took. Actions
of a kind no acceptable path has (a request on a case that calls for a provider query) are *off path*:
the process grader tags them whatever else was done.
"""

from __future__ import annotations

from knowledge_base.loader import load_library
from scenarios.answer_key import default_paths
from scenarios.models import (
    AcceptablePath,
    Action,
    Appeal,
    Case,
    CloseCase,
    ExtensionRequest,
    PeerToPeer,
    PendReply,
    ProviderQuery,
    Submission,
)

MAIN_KINDS = (Submission, ProviderQuery, CloseCase, Appeal, PendReply, PeerToPeer, ExtensionRequest)


def acceptable_paths(case: Case) -> list[AcceptablePath]:
    """The case's acceptable paths (derived from the correct action for cases frozen without them)."""
    ak = case.answer_key
    if ak.acceptable_paths:
        return list(ak.acceptable_paths)
    manual = load_library().manuals.get(case.coverage.payer_id)
    return default_paths(
        ak.correct_action,
        ak.expected_determination.status,
        ak.expected_appeal_status,
        peer_to_peer=manual is None or manual.appeal_level("peer_to_peer") is not None,
    )


def path_of(case: Case, action: Action, paths: list[AcceptablePath]) -> AcceptablePath | None:
    """The acceptable path ``action`` belongs to, or None when it is off path (or not a main action)."""
    if not isinstance(action, MAIN_KINDS):
        return None
    if isinstance(action, PendReply):  # answering a pended extension stays on the extension's path
        extension = next((p for p in paths if p.id == "request_extension"), None)
        if extension is not None:
            return extension
    for path in paths:
        if path.action_type != action.type:
            continue
        if isinstance(action, CloseCase) and path.id != action.reason:
            continue
        if isinstance(action, Submission) and (path.id == "new_request") != (
            case.prior_submission is not None
        ):
            continue
        return path
    return None


def main_actions(actions: list[Action]) -> list[tuple[int, Action]]:
    return [(i, a) for i, a in enumerate(actions) if isinstance(a, MAIN_KINDS)]


def followed_path(
    case: Case, actions: list[Action], final_index: int | None
) -> tuple[AcceptablePath | None, int | None]:
    """(path, index of the action that carries it): the action behind the last standing decision when it
    is on an acceptable path, else the first on-path main action."""
    paths = acceptable_paths(case)
    if final_index is not None:
        path = path_of(case, actions[final_index], paths)
        if path is not None:
            return path, final_index
    for i, action in main_actions(actions):
        path = path_of(case, action, paths)
        if path is not None:
            return path, i
    return None, None


def off_path(case: Case, actions: list[Action]) -> list[tuple[int, Action]]:
    """Main actions that belong to no acceptable path. A question to the ordering office never reaches the
    payer, so an extra one costs time but is not a wrong action; its text is still checked for claims."""
    paths = acceptable_paths(case)
    return [
        (i, a)
        for i, a in main_actions(actions)
        if path_of(case, a, paths) is None and not isinstance(a, ProviderQuery)
    ]
