"""What a drafter is given (:class:`Brief`), and the small text helpers both backends share.

A brief holds only grounded material: the case analysis (codes, attachments, checklist), the passages
retrieved for this draft, and for appeals the denial being answered. The offline composer writes from
it directly; the LLM backend receives :func:`case_data_text` inside a data block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.analysis import Analysis
from assistant.guards import instruction_like, neutralise
from assistant.models import AppealTarget, DraftKind
from assistant.retrieve import Passage
from assistant.sections import clip as _clip
from assistant.sections import heading_with_content, sentences
from knowledge_base import icd10cm as icd
from knowledge_base.criteria import FactValue
from knowledge_base.models import Policy
from scenarios.models import ChartDocument, Submission
from simulator.evidence import fact_label
from simulator.models import Determination

POS_LABELS = {
    "11": "office",
    "12": "home",
    "21": "inpatient hospital",
    "22": "outpatient hospital",
    "24": "ambulatory surgical center",
}
_GENERIC = frozenset({"documented", "done", "kind", "count", "days", "date", "score", "summary", "value"})


@dataclass
class Brief:
    kind: DraftKind
    requested_kind: DraftKind
    analysis: Analysis | None = None
    passages: list[Passage] = field(default_factory=list)
    denial: Determination | None = None
    denied_submission: Submission | None = None
    appeal: AppealTarget | None = None  # the formal level an appeal (or, after a p2p, the next step) goes to
    p2p: AppealTarget | None = None  # the peer-to-peer, when the payer offers one against this denial
    question: str | None = None
    payer: str | None = None
    policy: Policy | None = (
        None  # for an answer: the policy the top passage belongs to (its criteria are listed)
    )

    def labels(self, *, criterion: str | None = None, section: str | None = None) -> list[str]:
        """Labels of retrieved passages of one criterion, or whose section starts with ``section``."""

        def wanted(p: Passage) -> bool:
            if criterion is not None:
                return p.hit.criterion_id == criterion
            return (
                section is not None
                and not p.hit.criterion_id
                and p.hit.section.lower().startswith(section.lower())
            )

        return list(dict.fromkeys(p.label for p in self.passages if wanted(p)))

    def cite(self, *, criterion: str | None = None, section: str | None = None) -> str:
        labels = self.labels(criterion=criterion, section=section)
        return f" [{'; '.join(labels)}]" if labels else ""


def humanize(fact: str) -> str:
    """'conservative_care_weeks' -> 'conservative care weeks'; 'document:therapy_note' -> 'a therapy note'."""
    if fact.startswith(("document:", "recent document:")):
        kind = fact.split(":", 1)[1].replace("_", " ")
        return f"a recent {kind}" if fact.startswith("recent") else f"a {kind}"
    if fact.startswith(("request.", "patient.")):
        scope, name = fact.split(".", 1)
        return f"{name.replace('_', ' ')} ({scope})"
    return fact.replace("_", " ")


def missing_label(fact: str) -> str:
    """What a letter calls a fact no document states ('kl_grade' -> 'Kellgren-Lawrence grade').

    >>> missing_label("kl_grade"), missing_label("document:therapy_note")
    ('Kellgren-Lawrence grade', 'a therapy note')
    """
    return humanize(fact) if ":" in fact or "." in fact else fact_label(fact)


def fact_phrase(fact: str, value: FactValue) -> str:
    """A fact as a letter states it: a yes is the statement itself, anything else its label and value.

    >>> fact_phrase("conservative_care_failed", True), fact_phrase("f2f_eval_before_sleep_test", True)
    ('Conservative care failed', 'Face-to-face eval before sleep test')
    >>> fact_phrase("mtx_inadequate_response", False), fact_phrase("request.place_of_service", "21")
    ('Mtx inadequate response: no', 'Place of service: 21')

    Only a yes is spelled out ('mtx' -> 'methotrexate'): a "no" written in full ("methotrexate ...: no")
    would read to the claim checker, and to a reviewer, as a statement about the drug itself.
    """
    name = fact.split(".", 1)[1] if fact.startswith(("request.", "patient.")) else fact
    label = fact_label(name) if value is True else name.replace("_", " ")
    label = label[:1].upper() + label[1:]
    return label if value is True else f"{label}: {fmt_value(value)}"


def fmt_value(value: FactValue) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value) or "none"
    return str(value).replace("_", " ") if isinstance(value, str) else str(value)


def doc_ref(doc: ChartDocument) -> str:
    return f"{doc.title} ({doc.id}, {doc.date.isoformat()})"


def quote(doc: ChartDocument, fact: str, value: FactValue) -> str | None:
    """A sentence of the document that states ``fact``: one holding its value, else one naming it."""
    lines = [s for s in sentences(doc.text) if not instruction_like(s)]
    needles: list[str] = []
    if isinstance(value, list):
        needles = [str(v) for v in value if str(v).strip()]
    elif not isinstance(value, bool) and str(value).strip():
        needles = [str(value)]
    for needle in needles:
        pattern = re.compile(rf"(?<![\w.]){re.escape(needle)}(?![\w])", re.IGNORECASE)
        at = next((i for i, s in enumerate(lines) if pattern.search(s)), None)
        if at is not None:
            return _with_content(lines, at)
    keys = [w for w in fact.split(".")[-1].split("_") if len(w) >= 3 and w not in _GENERIC]
    if not keys:
        return None
    best, score = None, 0
    for i, s in enumerate(lines):
        words = re.findall(r"[a-z0-9]+", s.lower().replace("-", ""))
        n = sum(1 for k in keys if any(w.startswith(k[:5]) for w in words))
        if n > score:
            best, score = i, n
    if best is None or score < max(1, len(keys) // 2):
        return None
    return _with_content(lines, best)


def _with_content(lines: list[str], at: int) -> str:
    # a heading ("All six ASAM dimensions assessed and rated:") says nothing alone: quote what it heads
    hit = lines[at]
    return _clip(heading_with_content(hit, lines[at + 1 :]) if hit.endswith(":") else hit)


def code_title(code: str) -> str:
    return icd.get_description(code) if icd.is_valid_item(code) else ""


def procedure_text(analysis: Analysis, code: str) -> tuple[str, str]:
    """(system, display) of a procedure code, from the policy or the order."""
    pc = analysis.policy.code(code) if analysis.policy else None
    if pc is not None:
        return pc.system, pc.display
    line = next((ln for ln in analysis.case.order.procedures if ln.code.code == code), None)
    return (line.code.system, line.code.display) if line else ("", "")


def request_lines(analysis: Analysis, submission: Submission) -> list[str]:
    out = []
    if submission.admission:
        # an inpatient stay is an admission review, not a code line (278 UM01 AR)
        out.append(
            f"Admission review: {submission.admission_type or 'elective'} inpatient admission on "
            f"{submission.date_of_service.isoformat()}, {submission.requested_duration_days} inpatient days requested, "
            f"facility type {submission.place_of_service}"
        )
    for line in submission.procedures:
        system, display = procedure_text(analysis, line.code)
        mods = f", modifier {' '.join(line.modifiers)}" if line.modifiers else ""
        unit = "unit" if line.units == 1 else "units"
        out.append(f"{system} {line.code} {display} — {line.units} {unit}{mods}".replace("  ", " ").strip())
    return out


def diagnosis_lines(analysis: Analysis, submission: Submission) -> list[str]:
    order_display = {d.code: d.display for d in analysis.case.order.diagnoses}
    return [f"{code} {order_display.get(code) or code_title(code)}".strip() for code in submission.diagnoses]


def case_data_text(brief: Brief) -> str:
    """The case as plain text for a model (it goes inside the data block, redacted when configured)."""
    a = brief.analysis
    if a is None:
        return ""
    c, sub = a.case, a.submission
    lines = [
        f"Prepared on: {a.as_of.isoformat()}",
        f"Patient: {c.patient.name}; DOB {c.patient.dob.isoformat()}; sex {c.patient.sex}; MRN {c.patient.mrn}",
        f"Coverage: {c.coverage.payer_name}, {c.coverage.plan_name} ({c.coverage.plan_type}); member id {sub.member_id}",
    ]
    for role, p in (("Ordering provider", c.ordering_provider), ("Rendering provider", c.servicing_provider)):
        lines.append(
            f"{role}: {p.display_name}; specialty {p.specialty.replace('_', ' ')}; NPI {p.npi}; "
            f"{p.organization}; phone {p.phone}"
        )
    lines += [
        f"Facility: {c.facility.name}; NPI {c.facility.npi}",
        f"Order: {c.order.description}; ordered {c.order.ordered_on.isoformat()}; urgency {c.order.urgency_requested}",
        f"Request: {'admission review (AR)' if sub.admission else 'service review (HS)'}; "
        f"{'admission date' if sub.admission else 'date of service'} {sub.date_of_service.isoformat()}; "
        f"place of service {sub.place_of_service}; "
        f"review {sub.urgency}; requested period {sub.requested_duration_days} days",
        *(f"Procedure: {t}" for t in request_lines(a, sub)),
        *(f"Diagnosis: {t}" for t in diagnosis_lines(a, sub)),
        *(
            f"Code change: {f.original} -> {f.proposed}: {f.reason}"
            for f in [*a.coded.fixes, *([a.member_fix] if a.member_fix else [])]
        ),
        "Criteria checklist (evaluated on the attached documents):",
    ]
    for item in a.checklist:
        lines.append(f"- {item.criterion_id} [{item.status}] {item.text}")
        for ev in item.evidence:
            where = (
                f"{ev.title} ({ev.document_id}, {ev.date.isoformat() if ev.date else ''})"
                if ev.document_id
                else "the request"
            )
            lines.append(f"    {humanize(ev.fact)} = {fmt_value(ev.value)} — {where}")
        if item.missing:
            lines.append(f"    missing: {', '.join(item.missing)}")
    lines += [f"Documentation gap: {g}" for g in a.doc_gaps]
    if brief.denial is not None:
        d = brief.denial
        lines.append(f"Denial: {d.status} on {d.decided_at.date().isoformat()} under {d.policy_id}")
        lines += [
            f"  reason {r.code} {r.criterion_id or ''}: {r.message}" for r in d.reasons if r.kind != "info"
        ]
    if brief.appeal is not None:
        t = brief.appeal
        lines.append(
            f"Appeal level: {t.name} ({t.level}); file by {t.file_by}; {t.file_within}; {t.decision_time}"
        )
    lines.append("Documents to attach:")
    for doc in a.attachments:
        new = " (new since the denied request)" if doc in a.new_documents and brief.denial is not None else ""
        lines.append(
            f"--- {doc.id} | {doc.kind} | {doc.date.isoformat()} | {doc.author} | {doc.title}{new}\n"
            f"{neutralise(doc.text)}"
        )
    return "\n".join(lines)
