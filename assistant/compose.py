"""The offline composer: professional letters written only from the case and the retrieved policy text.

One template per kind. Every clinical statement is a quotation of a chart document (with its title, id
and date) or a fact value that document states; every policy statement is the criterion's own text
with a citation of the retrieved passage. Nothing is inferred, so the fact guard has nothing to flag.
"""

from __future__ import annotations

from assistant.analysis import Analysis
from assistant.answer import answer
from assistant.appeals import next_step_text, plan_frame
from assistant.brief import (
    POS_LABELS,
    Brief,
    diagnosis_lines,
    doc_ref,
    fact_phrase,
    missing_label,
    quote,
    request_lines,
)
from assistant.models import ChecklistItem
from assistant.sections import plan_parts, spec_for, summary_parts


def compose(brief: Brief) -> str:
    writers = {
        "narrative": narrative,
        "provider_query": provider_query,
        "appeal": appeal_letter,
        "p2p": talking_points,
        "answer": answer,
    }
    return writers[brief.kind](brief).strip() + "\n"


# ----- shared blocks ----------------------------------------------------------------------------------


def _spec(value: str) -> str:
    return value.replace("_", " ")


def identity(a: Analysis) -> list[str]:
    p, cov = a.case.patient, a.case.coverage
    return [
        f"Patient: {p.name}, DOB {p.dob.isoformat()}, MRN {p.mrn}",
        f"Member: {cov.payer_name}, {cov.plan_name}, member ID {a.submission.member_id}",
    ]


def providers(a: Analysis) -> list[str]:
    o, s, f = a.case.ordering_provider, a.case.servicing_provider, a.case.facility
    return [
        f"Ordering provider: {o.display_name} ({_spec(o.specialty)}), NPI {o.npi}, {o.organization}",
        f"Rendering provider: {s.display_name} ({_spec(s.specialty)}), NPI {s.npi}; facility {f.name}, NPI {f.npi}",
    ]


def service_block(brief: Brief) -> list[str]:
    a = brief.analysis
    assert a is not None
    sub = a.submission
    pos = sub.place_of_service or ""
    out = ["Requested service"]
    out += [f"- {line}" for line in request_lines(a, sub)]
    out += [f"- Diagnosis: {line}" for line in diagnosis_lines(a, sub)]
    out.append(
        f"- {'Admission date' if sub.admission else 'Date of service'}: {sub.date_of_service.isoformat()}; "
        f"place of service {pos}" + (f" ({POS_LABELS[pos]})" if pos in POS_LABELS else "")
    )
    if sub.requested_duration_days:
        what = "Inpatient days requested" if sub.admission else "Requested authorization period"
        out.append(f"- {what}: {sub.requested_duration_days} days")
    out.append(f"- Review requested: {sub.urgency}" + _expedite_reason(a))
    return out


def _expedite_reason(a: Analysis) -> str:
    if a.submission.urgency != "expedited" or a.policy is None or a.policy.expedite_if is None:
        return ""
    shown = []
    for name in sorted(a.policy.expedite_if.facts_used()):
        fact = a.evidence.latest(name)
        doc = a.document(fact.document_id) if fact else None
        if fact is not None and doc is not None and fact.value not in (False, "", []):
            shown.append(f"{fact_phrase(name, fact.value)}, {doc_ref(doc)}")
    return f" — the chart documents {'; '.join(shown)}" if shown else ""


def evidence_lines(a: Analysis, item: ChecklistItem, indent: str = "  ") -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for ev in item.evidence:
        doc = a.document(ev.document_id)
        if doc is None:
            line = f"{indent}Request: {fact_phrase(ev.fact, ev.value)}"
        else:
            said = quote(doc, ev.fact, ev.value)
            line = (
                f'{indent}{doc_ref(doc)}: "{said}"'
                if said
                else f"{indent}{doc_ref(doc)}: {fact_phrase(ev.fact, ev.value)}"
            )
        if line not in seen:
            seen.add(line)
            out.append(line)
    cited = {ev.document_id for ev in item.evidence}
    for doc_id in item.document_ids:
        doc = a.document(doc_id)
        if doc is not None and doc_id not in cited:
            out.append(f"{indent}{doc_ref(doc)} is on file.")
    return out


def status_text(item: ChecklistItem) -> str:
    if not item.applies:
        return "Does not apply to this request, so it counts as met."
    if item.status == "met":
        return "Met."
    if item.status == "not_met":
        return "Not met: the chart states facts that do not satisfy it."
    return (
        "Not shown: no chart document states "
        + (", ".join(missing_label(m) for m in item.missing) or "it")
        + "."
    )


def criteria_block(brief: Brief, items: list[ChecklistItem]) -> list[str]:
    a = brief.analysis
    assert a is not None
    out = []
    for item in items:
        out.append(f"- {item.criterion_id} — {item.text}{brief.cite(criterion=item.criterion_id)}")
        out.append(f"  {status_text(item)}")
        if item.applies:
            out += evidence_lines(a, item, "    ")
    return out


def documents_block(brief: Brief, title: str = "Documents enclosed") -> list[str]:
    a = brief.analysis
    assert a is not None
    out = [f"{title}{brief.cite(section='Documentation')}"]
    out += [f"- {doc_ref(d)}" for d in a.attachments] or ["- none"]
    return out


def signature(a: Analysis) -> list[str]:
    o = a.case.ordering_provider
    return [
        o.display_name,
        f"{_spec(o.specialty).capitalize()}, {o.organization}",
        f"NPI {o.npi}; phone {o.phone}",
    ]


def summary_block(a: Analysis) -> list[str]:
    """The chart's history, findings and assessment, under the title and labels of the service line."""
    spec = spec_for(a.case.order.service_line)
    found = summary_parts(a.attachments, spec)
    if not found:
        return []
    return [spec.summary_title, *(f'- {doc_ref(p.doc)}: "{p.text}"' for p in found)]


def plan_block(a: Analysis) -> list[str]:
    """The plan and follow-up as the chart states them (never composed: an unstated plan is said to be)."""
    spec = spec_for(a.case.order.service_line)
    quoted = {p.text for p in summary_parts(a.attachments, spec)}
    found = plan_parts(a.attachments, spec, a.case.ordering_provider.display_name, exclude=quoted)
    if not found:
        return [spec.plan_title, "- The attached records do not state a follow-up plan."]
    return [spec.plan_title, *(f'- {doc_ref(p.doc)}: "{p.text}"' for p in found)]


def _period(a: Analysis) -> str:
    days = a.submission.requested_duration_days
    return f" and the requested period of {days} days" if days else ""


def _codes(a: Analysis) -> str:
    return ", ".join(f"{line.code} x {line.units}" for line in a.submission.procedures)


# ----- the kinds --------------------------------------------------------------------------------------


def narrative(brief: Brief) -> str:
    a = brief.analysis
    assert a is not None and a.policy is not None
    o = a.case.order
    parts = [
        [
            f"{a.manual.name} — Utilization Management",
            f"Prior authorization request: {o.description}",
            f"Date: {a.as_of.isoformat()}",
        ],
        [*identity(a), *providers(a), f"Policy: {a.policy.id} {a.policy.title}"],
        service_block(brief),
        summary_block(a),
        [f"How the request meets {a.policy.id}", *criteria_block(brief, a.checklist)],
        documents_block(brief),
        plan_block(a),
        ["Submitted on behalf of the ordering provider:", *signature(a)],
    ]
    return "\n\n".join("\n".join(p) for p in parts if p)


def _ask(item: ChecklistItem) -> str:
    if item.status == "not_evidenced":
        wanted = [missing_label(m) for m in item.missing]
        return "Please send the record that documents " + (", ".join(wanted) or "this criterion") + "."
    return (
        "Please send documentation that this criterion is met, if it is; if it is not, tell us, and no request "
        "will be sent that the policy does not support."
    )


def provider_query(brief: Brief) -> str:
    a = brief.analysis
    assert a is not None
    o, p = a.case.ordering_provider, a.case.patient
    policy = a.policy.id if a.policy else "the payer's policy"
    head = [
        f"To: {o.display_name}, {_spec(o.specialty)}, {o.organization}",
        "From: Prior authorization team",
        f"Date: {a.as_of.isoformat()}",
        f"Re: {p.name}, DOB {p.dob.isoformat()}, MRN {p.mrn} — {a.case.order.description} ({_codes(a)}), "
        f"date of service {a.submission.date_of_service.isoformat()}; {a.manual.name}, policy {policy}",
    ]
    if brief.denial is not None and brief.appeal is not None:
        intro = (
            f"{a.manual.name} denied this request on {brief.denial.decided_at.date().isoformat()}. The "
            f"{brief.appeal.name} must be filed by {brief.appeal.file_by}, and an appeal only succeeds with "
            "evidence that meets the criterion the denial cites. The chart does not have it yet:"
        )
    else:
        intro = (
            f"Before this request goes to {a.manual.name}, the chart needs the following. As the records "
            f"stand, the request does not meet {policy}, and sending it now would lead to a pend or a denial:"
        )
    needs = []
    for item in a.not_met:
        needs += [
            f"- {item.criterion_id} — {item.text}{brief.cite(criterion=item.criterion_id)}",
            f"  The chart shows: {status_text(item)}",
            *evidence_lines(a, item, "    "),
            f"  {_ask(item)}",
        ]
    needs += [f"- {gap} Please send it.{brief.cite(section='Documentation')}" for gap in a.doc_gaps]
    needs += [f"- Coding: {problem}" for problem in a.coded.problems]
    if not needs:
        intro = (
            f"The chart documents every criterion of {policy} and every document it requires; nothing is "
            "needed from you for this request, and it can be submitted as it stands."
        )
    met = [i.criterion_id for i in a.checklist if i.status == "met"]
    parts = [head, [intro], needs]
    if met:
        parts.append(
            [f"Already documented: {', '.join(f'[{m}]' if brief.labels(criterion=m) else m for m in met)}."]
        )
    parts.append(documents_block(brief, "Documents reviewed"))
    if needs:
        parts.append(
            [
                f"Please reply with the records, or confirm what is not documented, before the date of "
                f"service {a.submission.date_of_service.isoformat()}. Thank you."
            ]
        )
    return "\n\n".join("\n".join(x) for x in parts if x)


def _denial_lines(brief: Brief) -> list[str]:
    a, d = brief.analysis, brief.denial
    assert a is not None and d is not None
    texts = {c.id: c.text for c in (a.policy.criteria if a.policy else [])}
    out = []
    for r in d.reasons:
        if r.kind != "denial":
            continue
        if r.criterion_id:
            out.append(
                f"- Reason {r.code}, criterion {r.criterion_id}: {texts.get(r.criterion_id, '')}"
                f"{brief.cite(criterion=r.criterion_id)}"
            )
        else:
            out.append(f"- Reason {r.code}: {r.message}")
    return out or [f"- {d.status}"]


def _failed(brief: Brief) -> list[ChecklistItem]:
    a, d = brief.analysis, brief.denial
    assert a is not None and d is not None
    ids = {r.criterion_id for r in d.reasons if r.kind == "denial" and r.criterion_id}
    return [i for i in a.checklist if i.criterion_id in ids]


def _other_met(brief: Brief) -> list[str]:
    a = brief.analysis
    assert a is not None
    failed = _failed(brief)
    other = [
        f"[{i.criterion_id}]" if brief.labels(criterion=i.criterion_id) else i.criterion_id
        for i in a.checklist
        if i not in failed and i.status == "met"
    ]
    return (
        [f"- The other criteria are met, as the original request showed: {', '.join(other)}."]
        if other and failed
        else []
    )


def appeal_letter(brief: Brief) -> str:
    a, d, t = brief.analysis, brief.denial, brief.appeal
    assert a is not None and d is not None and t is not None and brief.denied_submission is not None
    p = a.case.patient
    manual_cite = brief.cite(section="Appeals")
    new_docs = a.new_documents
    parts = [
        [
            f"To: {a.manual.name}, {t.name}",
            f"Date: {a.as_of.isoformat()}",
            f"Re: {p.name}, DOB {p.dob.isoformat()}, member ID {a.submission.member_id}; {_codes(a)}; date of service "
            f"{a.submission.date_of_service.isoformat()}",
            f"Denied request: submitted {brief.denied_submission.at.date().isoformat()}, denied "
            f"{d.decided_at.date().isoformat()} under {d.policy_id}",
        ],
        [
            f"{plan_frame(a.manual)} On behalf of the patient, we request a {t.name} of this denial, within the "
            f"window the plan allows ({t.file_within}; file by {t.file_by}).{manual_cite}"
        ],
        ["The denial", *_denial_lines(brief)],
        # what a reviewer needs to re-decide the request: the service with its codes, units and period, the
        # clinical history and the plan (letters without them are the failures appeal guides name)
        service_block(brief),
        summary_block(a),
        [
            "New evidence",
            *(
                [f"- {doc_ref(doc)}, written after the denied request." for doc in new_docs]
                or ["- No document has been added to the chart since the denied request."]
            ),
        ],
        [
            "How the criteria are met with this evidence",
            *criteria_block(brief, _failed(brief) or a.checklist),
            *_other_met(brief),
        ],
        documents_block(brief, "Documents (original request and new)"),
        plan_block(a),
        [
            f"We ask {a.manual.name} to overturn the denial and authorize {_codes(a)} for the date of service "
            f"{a.submission.date_of_service.isoformat()}{_period(a)}. {next_step_text(a.manual, t)}".strip()
        ],
        ["Sincerely,", *signature(a)],
    ]
    return "\n\n".join("\n".join(x) for x in parts if x)


def talking_points(brief: Brief) -> str:
    a, d = brief.analysis, brief.denial
    assert a is not None and d is not None
    t = brief.p2p
    p2p_cite = brief.cite(section="Peer-to-peer")
    if t is not None:
        when = f"- Availability: {t.name}; {t.file_within} (request by {t.file_by}), {t.decision_time}.{p2p_cite}"
    else:
        when = (
            f"- Availability: {a.manual.name} offers no peer-to-peer review of an issued denial; see its "
            f"manual.{p2p_cite}"
        )
    failed = _failed(brief)
    other = [
        f"[{i.criterion_id}]" if brief.labels(criterion=i.criterion_id) else i.criterion_id
        for i in a.checklist
        if i not in failed and i.status == "met"
    ]
    parts = [
        [
            f"Peer-to-peer talking points — {a.case.patient.name}, {a.case.order.description}",
            f"For {a.case.ordering_provider.display_name}; {a.manual.name} denial of {d.decided_at.date().isoformat()} "
            f"under {d.policy_id}",
            when,
        ],
        ["The denial", *_denial_lines(brief)],
        ["What the chart shows", *criteria_block(brief, failed or a.not_met or a.checklist)],
        [f"Other criteria documented: {', '.join(other)}."] if other else [],
        [
            f"The ask: overturn the denial and authorize {_codes(a)} for the date of service "
            f"{a.submission.date_of_service.isoformat()}."
        ],
    ]
    if brief.appeal is not None:
        parts.append(
            [
                f"If the denial stands: {brief.appeal.name}, {brief.appeal.file_within} (file by "
                f"{brief.appeal.file_by}).{brief.cite(section='Appeals')}"
            ]
        )
    return "\n\n".join("\n".join(x) for x in parts if x)
