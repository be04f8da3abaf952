"""Assembling a determination notice: action code, clocks, authorization number, validity, appeal rights.

Every notice is deterministic: decision times come from :mod:`simulator.clock`, authorization numbers
from a hash of the case id and the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from knowledge_base.models import AppealLevel, Manual, Policy, UrgentIncomplete
from scenarios.models import DeterminationStatus
from simulator import clock
from simulator.models import (
    ACTION_CODES,
    AppealRight,
    ApprovedLine,
    CriterionResult,
    Determination,
    Reason,
    Stage,
)

# Statuses a trainee can appeal (a partial approval is an adverse determination for the cut part).
ADVERSE = frozenset({"denied", "partially_approved"})


@dataclass(frozen=True, slots=True)
class DecisionClock:
    """The clocks that govern one request: the policy's when a policy applies, else the payer manual's."""

    standard_days: int
    days_kind: clock.DaysKind
    expedited_hours: int
    pend_reply_days: int
    pend_clock: str  # "tolls" (ERISA) or "extends" (MA, Medicaid)
    extension_days: int  # 0 when this service's clock cannot be extended
    urgent_incomplete: UrgentIncomplete | None


def decision_clock(policy: Policy | None, manual: Manual) -> DecisionClock:
    """The one place that chooses between a policy's timeframes and its payer manual's.

    >>> from knowledge_base.loader import load_library
    >>> lib = load_library()
    >>> decision_clock(None, lib.manual("lakeshore")).standard_days
    15
    >>> decision_clock(lib.policy_for("cardinal", "ra_biologic"), lib.manual("cardinal")).expedited_hours
    24
    """
    # what happens to the clock on a pend is the payer's regime, whichever timeframes apply
    if policy is not None:
        tf = policy.timeframes
        return DecisionClock(
            standard_days=tf.standard_decision_days,
            days_kind=tf.standard_days_kind,
            expedited_hours=tf.expedited_decision_hours,
            pend_reply_days=tf.pend_reply_days,
            pend_clock=manual.pend_clock,
            extension_days=manual.standard_extension_days if tf.extension_allowed else 0,
            urgent_incomplete=manual.urgent_incomplete,
        )
    return DecisionClock(
        standard_days=manual.standard_decision_days,
        days_kind="calendar",
        expedited_hours=manual.expedited_decision_hours,
        pend_reply_days=manual.pend_reply_days,
        pend_clock=manual.pend_clock,
        extension_days=manual.standard_extension_days,
        urgent_incomplete=manual.urgent_incomplete,
    )


@dataclass(frozen=True, slots=True)
class PendTerms:
    """What a request for information does to the clock: the reply-by time, the decision due time the
    pend notice states (the latest the decision can come) and the sentence that explains it."""

    reply_by: datetime
    due: datetime
    reason: Reason


def pend_terms(
    dc: DecisionClock,
    manual: Manual,
    *,
    due: datetime,
    noticed: datetime,
    expedited: bool,
    extended: bool = False,
) -> PendTerms:
    """The clock of a pend sent at ``noticed`` on a request due at ``due`` (docs/sources.md,
    "Regulatory clocks and urgency": ERISA tolls, MA and Medicaid extend once).

    ``extended``: the one extension was already taken (a second pend after a reply keeps ``due``).
    """
    reply_days = timedelta(days=dc.pend_reply_days)
    if dc.pend_clock == "extends":
        if extended or dc.extension_days == 0:
            reply_by = min(noticed + reply_days, due)
            why = (
                "the one extension is already used" if extended else "this service's clock cannot be extended"
            )
            msg = (
                f"Information is needed, but {why}: send it by {reply_by.isoformat(sep=' ', timespec='minutes')}; "
                f"{manual.name} decides by {due.isoformat(sep=' ', timespec='minutes')} on what it has then."
            )
            return PendTerms(reply_by, due, Reason(code="MSG", kind="info", edit="no_extension", message=msg))
        new_due = due + timedelta(days=dc.extension_days)
        reply_by = min(noticed + reply_days, new_due)
        msg = (
            f"Written notice of extension: {manual.name} extends its decision time once, by {dc.extension_days} "
            f"calendar days, to get the information listed; the decision is now due by "
            f"{new_due.date().isoformat()} ({new_due.isoformat(sep=' ', timespec='minutes')}). Reply by "
            f"{reply_by.date().isoformat()}; without a reply the decision is made on the information on file."
        )
        return PendTerms(reply_by, new_due, Reason(code="MSG", kind="info", edit="extension", message=msg))
    urgent = dc.urgent_incomplete if expedited else None
    remaining = max(due - noticed, timedelta(0))
    if urgent is not None:
        reply_by = noticed + timedelta(hours=urgent.reply_hours)
        msg = (
            f"The urgent request is incomplete. You have {urgent.reply_hours} hours, until "
            f"{reply_by.isoformat(sep=' ', timespec='minutes')}, to send what is listed; {manual.name} decides "
            f"within {urgent.decide_hours} hours of the reply (or of that deadline)."
        )
        due_by = reply_by + timedelta(hours=urgent.decide_hours)
        return PendTerms(
            reply_by, due_by, Reason(code="MSG", kind="info", edit="urgent_incomplete", message=msg)
        )
    reply_by = noticed + reply_days
    days, rest = divmod(remaining.total_seconds(), 86400)
    msg = (
        f"The decision clock is suspended from this request for information until the reply arrives; "
        f"{int(days)} day(s){' and ' + str(round(rest / 3600)) + ' hour(s)' if rest else ''} of it remain after "
        f"the reply. Reply by {reply_by.date().isoformat()} ({dc.pend_reply_days} days)."
    )
    return PendTerms(
        reply_by, reply_by + remaining, Reason(code="MSG", kind="info", edit="clock_tolled", message=msg)
    )


def resumed_due(dc: DecisionClock, pended: Determination, replied: datetime) -> datetime | None:
    """The decision due time after a timely reply to ``pended``: an extension's due time stands; a
    tolled clock restarts at the reply with what was left of it (None: no pend clock to resume)."""
    if pended.decision_due is None or pended.pend_reply_by is None:
        return None
    if dc.pend_clock == "extends":
        return pended.decision_due
    return replied + (pended.decision_due - pended.pend_reply_by)


def clocks(
    received: datetime, *, expedited: bool, policy: Policy | None, manual: Manual
) -> tuple[datetime, datetime]:
    """(decision due, decided at) for an initial request, on :func:`decision_clock`'s clock."""
    dc = decision_clock(policy, manual)
    due = clock.decision_due(
        received,
        expedited=expedited,
        standard_days=dc.standard_days,
        days_kind=dc.days_kind,
        expedited_hours=dc.expedited_hours,
    )
    return due, clock.decided_at(received, due, expedited=expedited)


def policy_prefix(policy: Policy) -> str:
    return policy.id.split("-", 1)[0]


def level_clock(level: AppealLevel, policy: Policy | None) -> AppealLevel:
    """``level`` with the decision clock ``policy`` sets for it, if any (e.g. a Part B drug
    reconsideration decided in 7 days, not the service's 30)."""
    own = policy.appeal_clocks.get(level.level) if policy is not None else None
    if own is None:
        return level
    return level.model_copy(
        update={"decision_days": own.decision_days, "expedited_decision_hours": own.expedited_decision_hours}
    )


def decision_time_text(level: AppealLevel) -> str:
    text = f"decided within {level.decision_days} calendar days"
    if level.decision_days_from == "first_appeal_filing":
        text += " of the plan appeal's filing (not counting the days taken to ask for this level)"
    if level.expedited_decision_business_days:
        text += f" ({level.expedited_decision_business_days} working days if expedited)"
    elif level.expedited_decision_hours:
        text += f" ({level.expedited_decision_hours} hours if expedited)"
    return text


def filing_window_text(level: AppealLevel) -> str:
    unit = "months" if level.file_within_kind == "months" else "calendar days"
    return f"{level.file_within_days} {unit}"


def rights_after(
    manual: Manual, after: str | None, decided: date, policy: Policy | None = None
) -> list[AppealRight]:
    """The appeal levels a decision at level ``after`` (None: the initial determination) opens."""
    return [
        AppealRight(
            level=lvl.level,
            name=lvl.name,
            automatic=lvl.automatic,
            file_by=clock.file_by(decided, lvl.file_within_days, lvl.file_within_kind),
            decision_time=decision_time_text(level_clock(lvl, policy)),
        )
        for lvl in manual.appeal_levels
        if lvl.after == after
    ]


def rights_message(rights: list[AppealRight]) -> str:
    parts = []
    for r in rights:
        if r.automatic:
            parts.append(f"the plan forwards this decision automatically to {r.name} (no filing needed)")
        else:
            parts.append(f"{r.name} ({r.level}): file by {r.file_by.isoformat()}, {r.decision_time}")
    return "Appeal rights: " + "; ".join(parts) + "." if parts else "No further appeal level is available."


def review_procedure(manual: Manual, policy: Policy | None) -> str:
    """The whole review procedure an adverse notice describes: every level in order, who opens it, its
    filing window and decision time, then what lies beyond the ladder (docs/sources.md#regulatory-clocks-and-urgency)."""
    # keyed by str: ``after`` is free text naming a level (the wording falls back when it names none)
    by_level: dict[str, AppealLevel] = {lvl.level: lvl for lvl in manual.appeal_levels}
    steps = []
    for lvl in manual.appeal_levels:
        timed = level_clock(lvl, policy)
        if lvl.automatic:
            opened = f"if {by_level[lvl.after].name if lvl.after in by_level else 'the plan'} upholds the denial, the plan forwards the case automatically (no filing)"
        else:
            since = "this notice" if lvl.after is None else f"the {by_level[lvl.after].name} decision"
            opened = f"file within {filing_window_text(lvl)} of {since}"
        kind = " (informal; it does not change any appeal deadline)" if lvl.informal else ""
        steps.append(f"{lvl.name}{kind}: {opened}, {decision_time_text(timed)}")
    text = "Review procedure: " + "; ".join(steps) + "."
    return f"{text} {manual.further_review}".strip()


@dataclass(frozen=True, slots=True)
class NoticeHeader:
    """What every notice about one decision states whatever it decides: when the request was received,
    due and decided, whose rules govern it, and (on appeals) the level and the rights still open.

    One header serves every outcome a stage can reach, so each is built with the same clock and policy.
    """

    received: datetime
    due: datetime | None
    decided: datetime
    manual: Manual
    policy: Policy | None = None
    expedited: bool = False
    rights: list[AppealRight] | None = None  # None: the initial determination's rights (adverse only)
    appeal_level: str | None = None


@dataclass(frozen=True, slots=True)
class Approval:
    """Authorization number, approved lines and validity window of an approval."""

    authorization_number: str
    approved_lines: list[ApprovedLine]
    valid_from: date
    valid_to: date
    approved_days: int | None = None  # admission reviews: inpatient days certified


def notice(
    status: DeterminationStatus,
    stage: Stage,
    header: NoticeHeader,
    *,
    reasons: list[Reason],
    criteria: list[CriterionResult] | None = None,
    request_for_information: list[str] | None = None,
    pend_reply_by: datetime | None = None,
    approval: Approval | None = None,
) -> Determination:
    """A determination with its action code; denials and partial approvals get appeal rights (from the
    initial level unless ``header.rights`` is given) and a plain sentence listing them."""
    manual, policy, rights = header.manual, header.policy, header.rights
    if status in ADVERSE and rights is None:
        rights = rights_after(manual, None, header.decided.date(), policy)
    # approvals and pends have nothing to appeal; a rejected appeal keeps the rights that are still open
    rights = [] if status in ("approved", "pended", "no_auth_required") else (rights or [])
    if status in ADVERSE:
        reasons = [
            *reasons,
            Reason(code="MSG", kind="info", edit="appeal_rights", message=rights_message(rights)),
            Reason(
                code="MSG", kind="info", edit="review_procedure", message=review_procedure(manual, policy)
            ),
        ]
    return Determination(
        status=status,
        action_code=ACTION_CODES[status],
        stage=stage,
        reasons=reasons,
        policy_id=policy.id if policy else None,
        criteria=criteria or [],
        authorization_number=approval.authorization_number if approval else None,
        approved_lines=approval.approved_lines if approval else [],
        approved_days=approval.approved_days if approval else None,
        valid_from=approval.valid_from if approval else None,
        valid_to=approval.valid_to if approval else None,
        expedited=header.expedited,
        received_at=header.received,
        decision_due=header.due,
        decided_at=header.decided,
        request_for_information=request_for_information or [],
        pend_reply_by=pend_reply_by,
        appeal_rights=rights,
        appeal_level=header.appeal_level,
    )


def approval_of(
    lines: list[ApprovedLine],
    date_of_service: date,
    days: int,
    number: str,
    *,
    admission_days: int | None = None,
) -> Approval:
    """The approval of ``lines`` under ``number``, valid ``days`` from the date of service; an admission
    review's certifies ``admission_days`` inpatient days from the admission date instead (valid to the
    day the last certified night ends: an admission on the 8th certified for 3 days runs to the 11th)."""
    span = days if admission_days is None else admission_days
    return Approval(
        authorization_number=number,
        approved_lines=lines,
        valid_from=date_of_service,
        valid_to=date_of_service + timedelta(days=span),
        approved_days=admission_days,
    )
