"""The case workspace's logic without Streamlit: the simulated clock, turning form input into actions
(with errors that name the field and the fix), running them on the simulated payer, and the records
the store keeps. The page and the benchmark (``bench/app.py``) both call these functions.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from scenarios.models import (
    Action,
    AdvanceClock,
    Appeal,
    AuthLookup,
    Case,
    CloseCase,
    EligibilityQuery,
    PeerToPeer,
    PendReply,
    ProviderQuery,
    RequestedLine,
    Submission,
)
from simulator import Determination, StepResult, prior_determination, replay
from simulator.clock import is_after
from store.attempts import AttemptIn
from store.grades import attempt_record

# Minutes each action takes on the simulated clock (CAQH: about 8 minutes per portal transaction; a
# request with its narrative takes longer). The reference actions of every case use the same steps.
ACTION_MINUTES: dict[str, int] = {
    "eligibility": 5,
    "auth_lookup": 5,
    "submission": 20,
    "pend_reply": 20,
    "appeal": 30,
    "peer_to_peer": 30,
    "provider_query": 20,
    "close": 5,
    "extension": 20,
}
NARRATIVE_MAX = 20_000  # Submission.narrative's limit (what the payer's portal accepts)
LETTER_MAX = 40_000
_ICD = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
_NPI = re.compile(r"^\d{10}$")
_POS = re.compile(r"^\d{2}$")


@dataclass
class CaseSession:
    """One trainee's work on one case, kept in the browser session (and saved to the store as it goes)."""

    module_id: str
    seed: int
    started_at: datetime  # wall clock (UTC), for the record
    actions: list[Action] = field(default_factory=list)
    steps: list[StepResult] = field(default_factory=list)
    attempt_id: int | None = None  # the in-progress row in the store
    report: Any = None  # grading.GradeReport once finished
    saved_attempt_id: int | None = None  # the completed row
    unsaved: str | None = None  # why the last save failed (the work is still here)
    # Sent with every save of this attempt, so a retried save never writes a second row.
    idempotency_key: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    # Wall-clock moments the trainee was active on the case page (operations.staff_time): the staff
    # time per authorization counts from them, idle gaps excluded.
    activity: list[datetime] = field(default_factory=list)
    # Why the next action was not sent: the attempt changed in another tab or window (the page offers
    # "Reload the case"); None when this session holds what the store holds.
    conflict: str | None = None

    @property
    def case_id(self) -> str:
        return f"{self.module_id}:{self.seed}"

    @property
    def finished(self) -> bool:
        return self.report is not None


def sim_now(case: Case, actions: list[Action]) -> datetime:
    """The simulated time now: the case's start, or the time of the last action.

    >>> from datetime import datetime
    >>> class C: sim_start = datetime(2026, 3, 5, 9, 50)
    >>> sim_now(C(), [])
    datetime.datetime(2026, 3, 5, 9, 50)
    """
    return actions[-1].at if actions else case.sim_start


def next_time(case: Case, actions: list[Action], kind: str) -> datetime:
    """When an action of ``kind`` taken now is done (and stamped)."""
    if kind not in ACTION_MINUTES:
        raise ValueError(f"action: unknown kind {kind!r}; expected one of {sorted(ACTION_MINUTES)}")
    return sim_now(case, actions) + timedelta(minutes=ACTION_MINUTES[kind])


def run(case: Case, actions: list[Action], library: Any = None) -> list[StepResult]:
    """The payer's replies to ``actions`` (the whole log is replayed, exactly as the grader does)."""
    return replay(case, actions, library=library)


def current_determination(
    case: Case, steps: list[StepResult], library: Any = None, now: datetime | None = None
) -> Determination | None:
    """The request's standing decision: the last determination the payer issued (a rejected appeal
    leaves the denial standing), else the decision on the case's earlier request, if it has one.
    With ``now`` (the simulated time), a decision not yet made at ``now`` does not count: the trainee
    cannot answer a pend or appeal a denial that has not arrived."""
    for step in reversed(steps):
        if now is not None and step.pending_at(now):
            continue
        if isinstance(step.result, Determination) and not (
            step.action_type in ("appeal", "peer_to_peer") and step.result.status == "rejected"
        ):
            return step.result
    return prior_determination(case, library=library) if case.prior_submission is not None else None


# Advancing the clock by hand: at most this far in one step (a pend's reply window or an appeal's
# filing window is crossed by a few deliberate steps, never by a typo).
ADVANCE_LIMITS = {"hours": 72, "days": 30}


def pending(steps: list[StepResult], now: datetime) -> list[StepResult]:
    """The replies not yet arrived at simulated time ``now`` (payer decisions, the provider's reply)."""
    return [s for s in steps if s.pending_at(now)]


def next_event(steps: list[StepResult], now: datetime) -> datetime | None:
    """When the next pending reply arrives, or None when nothing is pending.

    >>> from simulator.models import ProviderReply
    >>> reply = ProviderReply(provider="Dr A", sent_at=datetime(2026, 3, 5, 10),
    ...     replied_at=datetime(2026, 3, 5, 15), summary="ok")
    >>> step = StepResult(action_index=0, action_type="provider_query", result=reply)
    >>> next_event([step], datetime(2026, 3, 5, 10, 20)), next_event([step], datetime(2026, 3, 5, 16))
    (datetime.datetime(2026, 3, 5, 15, 0), None)
    """
    due = [s.arrives_at for s in pending(steps, now) if s.arrives_at is not None]
    return min(due) if due else None


def advance_clock(
    case: Case, cs_actions: list[Action], steps: list[StepResult], *, amount: Any = None, unit: Any = None
) -> AdvanceClock:
    """The "advance the clock" action: to the next pending reply (``amount`` None), or by ``amount``
    hours or days (``unit``), within :data:`ADVANCE_LIMITS`; ValueError names the field and the fix."""
    now = sim_now(case, cs_actions)
    if amount is None:
        target = next_event(steps, now)
        if target is None:
            raise ValueError(
                "Advance the clock: no reply is pending; advance by a number of hours or days instead"
            )
        return AdvanceClock(at=target, to="next_event")
    if unit not in ADVANCE_LIMITS:
        raise ValueError(f"Advance by: {unit!r} must be hours or days")
    limit = ADVANCE_LIMITS[unit]
    if isinstance(amount, bool) or not isinstance(amount, int | float) or amount != int(amount):
        raise ValueError(f"Advance by: {amount!r} is not a whole number of {unit}; enter e.g. 4")
    if not 1 <= int(amount) <= limit:
        raise ValueError(f"Advance by: {int(amount)} {unit} is outside 1-{limit}; advance in smaller steps")
    step = timedelta(hours=int(amount)) if unit == "hours" else timedelta(days=int(amount))
    return AdvanceClock(at=now + step, to="by")


def deadlines(standing: Determination | None, now: datetime) -> list[tuple[datetime, str]]:
    """The deadlines still ahead of simulated time ``now`` on the standing decision, soonest first, with
    what passing each one does (the payer's rule): a pend's reply-by date, each appeal's filing date."""
    if standing is None:
        return []
    out: list[tuple[datetime, str]] = []
    if standing.status == "pended" and standing.pend_reply_by is not None:
        out.append(
            (
                standing.pend_reply_by,
                "the pend's reply-by time: after it the payer denies the request for information not provided",
            )
        )
    for right in standing.appeal_rights:
        end = datetime.combine(right.file_by, datetime.max.time()).replace(microsecond=0)
        out.append((end, f"last day to file the {right.name}: a later appeal at this level is dismissed"))
    return sorted((d for d in out if is_after(d[0], now)), key=lambda d: d[0])


def progress_record(case: Case, session: CaseSession) -> AttemptIn:
    """The in-progress attempt as the store keeps it (actions and the payer's replies, no grade)."""
    return attempt_record(
        case,
        session.actions,
        [s.model_dump(mode="json") for s in session.steps],
        None,
        started_at=session.started_at,
        completed_at=None,
        idempotency_key=session.idempotency_key,
        activity=session.activity,
    )


# ----- form input -> actions ------------------------------------------------------------------------


def _text(value: Any, label: str, *, required: bool = False, limit: int | None = None) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError(f"{label}: expected text, got {type(value).__name__}")
    clean = value.strip()
    if required and not clean:
        raise ValueError(f"{label}: empty; fill it in")
    if limit is not None and len(value) > limit:
        raise ValueError(
            f"{label}: {len(value):,} characters is over the limit of {limit:,}; "
            f"shorten it by {len(value) - limit:,} characters (your text is kept)"
        )
    return clean


def _date(value: Any, label: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"{label}: expected a date, e.g. 2026-03-05")
    return value


def parse_codes(raw: Any, label: str = "Diagnoses") -> list[str]:
    """ICD-10-CM codes from text (comma, semicolon, space or line separated), upper-cased, in order.

    >>> parse_codes("m54.16, M51.26")
    ['M54.16', 'M51.26']
    """
    text = _text(raw, label)
    codes = [c.upper() for c in re.split(r"[\s,;]+", text) if c]
    bad = [c for c in codes if not _ICD.fullmatch(c)]
    if bad:
        raise ValueError(
            f"{label}: {', '.join(repr(b[:12]) for b in bad[:3])} is not written like an ICD-10-CM "
            "code (a letter, two characters, then optionally a dot and up to four more, e.g. M54.16)"
        )
    return list(dict.fromkeys(codes))


def parse_modifiers(raw: Any, line: int) -> list[str]:
    """Two-character CPT/HCPCS modifiers, e.g. 'RT, 59' -> ['RT', '59']."""
    mods = [m.upper() for m in re.split(r"[\s,;]+", _text(raw, f"Line {line} modifiers")) if m]
    bad = [m for m in mods if not _MODIFIER.fullmatch(m)]
    if bad:
        raise ValueError(
            f"Line {line} modifiers: {', '.join(repr(b[:8]) for b in bad[:3])} is not a modifier; "
            "use two letters or digits, e.g. RT, LT, 59, NU, RR"
        )
    return mods


def _units(value: Any, line: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ValueError(f"Line {line} units: {value!r} is not a whole number; enter e.g. 1")
    if not 1 <= int(value) <= 9999:
        raise ValueError(f"Line {line} units: {int(value)} is outside 1-9999")
    return int(value)


def _npi(value: Any, label: str) -> str:
    npi = _text(value, label, required=True)
    if not _NPI.fullmatch(npi):
        raise ValueError(f"{label}: {npi[:20]!r} is not an NPI; an NPI is 10 digits")
    return npi


def _documents(value: Any, case: Case, label: str) -> list[str]:
    ids = list(value or [])
    unknown = [i for i in ids if case.document(str(i)) is None]
    if unknown:
        raise ValueError(f"{label}: {', '.join(map(str, unknown[:3]))} is not a document in this chart")
    return [str(i) for i in dict.fromkeys(ids)]


def _validated(build: Any) -> Any:
    try:
        return build()
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "request"
        raise ValueError(f"{where}: {err['msg']}") from None


def eligibility(case: Case, actions: list[Action], member_id: Any, date_of_service: Any) -> EligibilityQuery:
    member = _text(member_id, "Member id", required=True, limit=40)
    dos = _date(date_of_service, "Date of service")
    at = next_time(case, actions, "eligibility")
    return _validated(lambda: EligibilityQuery(at=at, member_id=member, date_of_service=dos))


def auth_lookup(case: Case, actions: list[Action], codes: Any, admission: Any = False) -> AuthLookup:
    chosen = [str(c) for c in (codes or [])]
    if not chosen and not admission:
        raise ValueError(
            "Codes to look up: choose at least one CPT/HCPCS code, or tick Inpatient admission for an admission"
        )
    at = next_time(case, actions, "auth_lookup")
    return _validated(lambda: AuthLookup(at=at, codes=chosen, admission=bool(admission)))


@dataclass
class RequestForm:
    """What the request form holds, as typed (validated by :func:`submission`)."""

    member_id: Any
    patient_last_name: Any
    patient_dob: Any
    ordering_npi: Any
    servicing_npi: Any
    diagnoses: Any
    lines: list[tuple[Any, Any, Any]]  # (code, units, modifiers)
    date_of_service: Any
    urgency: Any
    place_of_service: Any
    document_ids: Any
    narrative: Any
    requested_duration_days: Any = None
    # "service" (278 UM01 HS: procedure codes) or "admission" (UM01 AR: admission date, days, facility type)
    category: Any = "service"
    admission_type: Any = None


ADMISSION_TYPES = ("elective", "urgent", "emergency")


def submission(case: Case, actions: list[Action], form: RequestForm) -> Submission:
    """The prior-authorization request from the form, or ValueError naming the first field to fix."""
    member = _text(form.member_id, "Member id", required=True, limit=40)
    last = _text(form.patient_last_name, "Patient last name", required=True, limit=100)
    dob = _date(form.patient_dob, "Patient date of birth")
    ordering = _npi(form.ordering_npi, "Ordering provider NPI")
    servicing = _npi(form.servicing_npi, "Servicing provider NPI")
    diagnoses = parse_codes(form.diagnoses)
    if not diagnoses:
        raise ValueError("Diagnoses: add at least one ICD-10-CM code (search by code or words above)")
    lines: list[RequestedLine] = []
    for i, (code, units, mods) in enumerate(form.lines, start=1):
        if not code:
            continue
        lines.append(
            RequestedLine(code=str(code), units=_units(units, i), modifiers=parse_modifiers(mods, i))
        )
    if form.category not in ("service", "admission"):
        raise ValueError(
            f"Request category: {form.category!r} must be a service review or an admission review"
        )
    admission = form.category == "admission"
    if not lines and not admission:
        raise ValueError(
            "Procedures: choose at least one CPT/HCPCS code (for an inpatient stay, choose Admission review)"
        )
    dos = _date(form.date_of_service, "Admission date" if admission else "Date of service")
    if form.urgency not in ("standard", "expedited"):
        raise ValueError(f"Urgency: {form.urgency!r} must be standard or expedited")
    pos = _text(form.place_of_service, "Place of service") or None
    if pos is not None and not _POS.fullmatch(pos):
        raise ValueError(
            f"Place of service: {pos[:10]!r} is not a place-of-service code; use two digits, e.g. 11"
        )
    duration = form.requested_duration_days
    label = "Inpatient days requested" if admission else "Requested duration"
    if admission and duration in (None, 0, ""):
        raise ValueError(f"{label}: an admission review states how many inpatient days are requested")
    if admission and pos is None:
        raise ValueError(
            "Facility type: an admission review names the facility (place of service 21, inpatient hospital)"
        )
    if admission and form.admission_type not in ADMISSION_TYPES:
        raise ValueError(
            f"Admission type: {form.admission_type!r} must be one of {', '.join(ADMISSION_TYPES)}"
        )
    if duration in (None, 0, ""):
        duration = None
    elif isinstance(duration, bool) or not isinstance(duration, int | float) or duration != int(duration):
        raise ValueError(f"{label}: {duration!r} is not a whole number of days")
    elif not 1 <= int(duration) <= 3650:
        raise ValueError(f"{label}: {int(duration)} days is outside 1-3650")
    narrative = _text(form.narrative, "Narrative", required=True, limit=NARRATIVE_MAX)
    docs = _documents(form.document_ids, case, "Attachments")
    at = next_time(case, actions, "submission")
    return _validated(
        lambda: Submission(
            at=at,
            category="admission" if admission else "service",
            admission_type=form.admission_type if admission else None,
            member_id=member,
            patient_last_name=last,
            patient_dob=dob,
            ordering_npi=ordering,
            servicing_npi=servicing,
            diagnoses=diagnoses,
            procedures=lines,
            date_of_service=dos,
            urgency=form.urgency,
            place_of_service=pos,
            document_ids=docs,
            narrative=narrative,
            requested_duration_days=None if duration is None else int(duration),
        )
    )


def pend_reply(case: Case, actions: list[Action], document_ids: Any, note: Any) -> PendReply:
    docs = _documents(document_ids, case, "Documents to send")
    text = _text(note, "Cover note", limit=NARRATIVE_MAX)
    if not docs:
        raise ValueError("Documents to send: choose the chart documents the payer asked for")
    at = next_time(case, actions, "pend_reply")
    return _validated(lambda: PendReply(at=at, document_ids=docs, note=text))


def appeal(
    case: Case, actions: list[Action], level: Any, letter: Any, document_ids: Any, expedited: Any
) -> Appeal:
    if not isinstance(level, str) or not level:
        raise ValueError("Appeal level: choose a level from the payer manual")
    body = _text(letter, "Appeal letter", required=True, limit=LETTER_MAX)
    docs = _documents(document_ids, case, "Documents to add")
    at = next_time(case, actions, "appeal")
    return _validated(
        lambda: Appeal(at=at, level=level, letter=body, document_ids=docs, expedited=bool(expedited))
    )


def peer_to_peer(case: Case, actions: list[Action], talking_points: Any, document_ids: Any) -> PeerToPeer:
    points = _text(talking_points, "Talking points", required=True, limit=NARRATIVE_MAX)
    docs = _documents(document_ids, case, "Documents the physician will cite")
    at = next_time(case, actions, "peer_to_peer")
    return _validated(lambda: PeerToPeer(at=at, talking_points=points, document_ids=docs))


def provider_query(case: Case, actions: list[Action], message: Any, criterion_ids: Any) -> ProviderQuery:
    text = _text(message, "Query to the provider", required=True, limit=NARRATIVE_MAX)
    ids = [str(c) for c in (criterion_ids or [])]
    at = next_time(case, actions, "provider_query")
    return _validated(lambda: ProviderQuery(at=at, message=text, criterion_ids=ids))


def close_case(case: Case, actions: list[Action], reason: Any, note: Any) -> CloseCase:
    if reason not in ("no_auth_needed", "resolve_coverage"):
        raise ValueError("Reason: choose 'no authorization needed' or 'resolve coverage first'")
    text = _text(note, "Note", limit=NARRATIVE_MAX)
    at = next_time(case, actions, "close")
    return _validated(lambda: CloseCase(at=at, reason=reason, note=text))


def parse_seed(raw: Any) -> int | None:
    """The optional case number typed by a trainee: empty -> None (a random case).

    >>> parse_seed(" 17 "), parse_seed("")
    (17, None)
    """
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        raise ValueError(
            f"Case number: {text[:20]!r} is not a case number (0 or more, digits 0-9, at most 12); "
            "enter e.g. 17, or leave it empty for a random case"
        )
    return int(text)
