"""Known defects injected into a case's reference actions, to validate the grader (bench/grading.py and
the table-driven tests). Each defect names the error tag the grader must raise for it.

A defect either returns the defective action list or None when it does not apply to the case (no
add-on code to drop, no appeal to misfile ...). Everything is deterministic: the same case gives the
same defect.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from grading.context import case_data
from grading.facts import Text, mentioned
from grading.text import num
from knowledge_base import icd10cm as icd
from knowledge_base.loader import Library, load_library
from scenarios.models import (
    Action,
    ActionT,
    Appeal,
    AuthLookup,
    Case,
    CloseCase,
    EligibilityQuery,
    PendReply,
    ProviderQuery,
    RequestedLine,
    Submission,
)
from simulator import clock, prior_determination
from simulator.codes import icd_problem

Actions = list[Action]
SUBMIT = ("submit", "submit_expedited")


@dataclass(frozen=True)
class Defect:
    name: str
    tag: str
    description: str
    apply: Callable[[Case, Actions], Actions | None]


def _replace(actions: Actions, old: Action, new: Action | None) -> Actions:
    out = []
    for a in actions:
        if a is old:
            if new is not None:
                out.append(new)
        else:
            out.append(a)
    return out


def _first(actions: Actions, kind: type[ActionT]) -> ActionT | None:
    return next((a for a in actions if isinstance(a, kind)), None)


def _submission(case: Case, actions: Actions) -> Submission | None:
    if case.answer_key.correct_action not in SUBMIT:
        return None
    return _first(actions, Submission)


def _with_sub(case: Case, actions: Actions, **update: object) -> Actions | None:
    sub = _submission(case, actions)
    return None if sub is None else _replace(actions, sub, sub.model_copy(update=update))


def _swap_code(sub: Submission, old: str, new: str) -> dict[str, object]:
    diagnoses = [new if d == old else d for d in sub.diagnoses]
    return {"diagnoses": diagnoses, "narrative": sub.narrative.replace(old, new)}


def _sibling(code: str, avoid: set[str]) -> str | None:
    """A billable code in the same 3-character category, closest in the tree first."""
    if not icd.is_valid_item(code):
        return None
    pools = [icd.get_children(icd.get_parent(code))] if icd.get_parent(code) else []
    pools.append(icd.get_descendants(code.replace(".", "")[:3]))
    for pool in pools:
        for cand in pool:
            cand = icd.add_dot(cand)
            if cand != code and cand not in avoid and icd.is_leaf(cand) and icd_problem(cand) is None:
                return cand
    return None


def wrong_specificity(case: Case, actions: Actions) -> Actions | None:
    sub = _submission(case, actions)
    if sub is None or not sub.diagnoses:
        return None
    code = sub.diagnoses[0]
    new = _sibling(code, {d.code for d in case.answer_key.correct_diagnoses})
    return None if new is None else _replace(actions, sub, sub.model_copy(update=_swap_code(sub, code, new)))


def invalid_code(case: Case, actions: Actions) -> Actions | None:
    sub = _submission(case, actions)
    if sub is None or not sub.diagnoses:
        return None
    code = sub.diagnoses[0]
    for suffix in (".9Z9", ".Z9", ".99X", ".X9"):
        cand = code.replace(".", "")[:3] + suffix
        problem = icd_problem(cand)
        if problem and "not an ICD-10-CM code" in problem:
            return _replace(actions, sub, sub.model_copy(update=_swap_code(sub, code, cand)))
    return None


def addon_without_primary(case: Case, actions: Actions) -> Actions | None:
    sub = _submission(case, actions)
    if sub is None:
        return None
    library = load_library()
    policy = library.policies.get(case.answer_key.policy_id or "")
    primaries = {c.requires_primary for c in policy.codes if c.requires_primary} if policy else set()
    lines = [ln for ln in sub.procedures if ln.code not in primaries]
    if len(lines) == len(sub.procedures) or not lines:
        return None
    return _replace(actions, sub, sub.model_copy(update={"procedures": lines}))


def wrong_units(case: Case, actions: Actions) -> Actions | None:
    sub = _submission(case, actions)
    if sub is None or not sub.procedures:
        return None
    first = sub.procedures[0]
    lines = [
        RequestedLine(code=first.code, units=first.units + 1, modifiers=list(first.modifiers)),
        *sub.procedures[1:],
    ]
    return _replace(actions, sub, sub.model_copy(update={"procedures": lines}))


def wrong_sequencing(case: Case, actions: Actions) -> Actions | None:
    sub = _submission(case, actions)
    if sub is None or len(sub.diagnoses) < 2:
        return None
    return _replace(actions, sub, sub.model_copy(update={"diagnoses": list(reversed(sub.diagnoses))}))


def _carrier(case: Case, actions: Actions) -> Submission | Appeal | PendReply | None:
    action = case.answer_key.correct_action
    if action in SUBMIT:
        return _first(actions, Submission)
    if action == "appeal":
        return _first(actions, Appeal)
    if action == "reply_to_pend":
        return _first(actions, PendReply)
    return None


def missing_document(case: Case, actions: Actions) -> Actions | None:
    carrier = _carrier(case, actions)
    if carrier is None:
        return None
    required = [d for d in carrier.document_ids if d in case.answer_key.required_document_ids]
    if not required:
        return None
    # remove a record whose loss loses information: one stating a fact no other attachment states (a
    # referral note that only repeats the assessment's facts is not missed by the payer)
    chart = {d.id: d.facts for d in case.chart}
    others = {d: [chart[o] for o in carrier.document_ids if o != d and o in chart] for d in required}
    unique = [
        d
        for d in required
        if any(v not in ("", None, []) and all(o.get(k) != v for o in others[d]) for k, v in chart[d].items())
    ]
    dropped = (unique or required)[-1]
    kept = [d for d in carrier.document_ids if d != dropped]
    return _replace(actions, carrier, carrier.model_copy(update={"document_ids": kept}))


def irrelevant_document(case: Case, actions: Actions) -> Actions | None:
    carrier = _carrier(case, actions)
    if carrier is None or not case.answer_key.irrelevant_document_ids:
        return None
    extra = case.answer_key.irrelevant_document_ids[0]
    return _replace(
        actions, carrier, carrier.model_copy(update={"document_ids": [*carrier.document_ids, extra]})
    )


def _text_field(case: Case, actions: Actions) -> tuple[Submission | Appeal, str] | None:
    action = case.answer_key.correct_action
    if action in SUBMIT:
        sub = _first(actions, Submission)
        return (sub, "narrative") if sub else None
    if action == "appeal":
        appeal = _first(actions, Appeal)
        return (appeal, "letter") if appeal else None
    return None


def _criterion_facts(case: Case, library: Library) -> list[tuple[str, list[str]]]:
    """(criterion id, chart facts its rule reads) for the criteria the text must address."""
    data = case_data(case, library)
    if data.policy is None:
        return []
    wanted = (
        case.answer_key.expected_determination.criterion_ids
        if case.answer_key.correct_action == "appeal"
        else None
    )
    out = []
    for crit in data.policy.criteria:
        if wanted and crit.id not in wanted:
            continue
        if (
            crit.applies_if is not None
            and crit.applies_if.evaluate(data.evidence, case.sim_start.date()).status == "not_met"
        ):
            continue
        facts = [
            f
            for f in sorted(crit.rule.facts_used())
            if (fact := data.evidence.latest(f)) is not None and fact.document_id is not None
        ]
        if facts:
            out.append((crit.id, facts))
    return out


def omit_criterion(case: Case, actions: Actions) -> Actions | None:
    """Drop every line of the narrative (or appeal letter) that states a fact one criterion reads."""
    found = _text_field(case, actions)
    if found is None:
        return None
    action, field = found
    text: str = getattr(action, field)
    library = load_library()
    evidence = case_data(case, library).evidence
    for _cid, facts in _criterion_facts(case, library):
        lines = text.splitlines()
        stated = {f: fact.value for f in facts if (fact := evidence.latest(f)) is not None}
        kept = [ln for ln in lines if not any(mentioned(Text.of(ln), f, v) for f, v in stated.items())]
        if len(kept) < len(lines):
            return _replace(actions, action, action.model_copy(update={field: "\n".join(kept)}))
    return None


def contradict_figure(case: Case, actions: Actions) -> Actions | None:
    """Change one figure a criterion relies on (e.g. '8 weeks' of therapy) to a value the chart never states."""
    found = _text_field(case, actions)
    if found is None:
        return None
    action, field = found
    text: str = getattr(action, field)
    library = load_library()
    data = case_data(case, library)
    figs = Text.of(text).figs
    for _cid, facts in _criterion_facts(case, library):
        for name in facts:
            fact = data.evidence.latest(name)
            value = fact.value if fact is not None else None
            if isinstance(value, bool) or not isinstance(value, int | float) or value == 0:
                continue
            from grading.facts import fact_unit

            unit = fact_unit(name)
            fig = next((f for f in figs if f.value == num(value) and unit in f.classes), None)
            if fig is None:
                continue
            new = _fresh_value(value, data.case_pairs)
            digits = re.match(r"\d+(?:\.\d+)?", text[fig.start :])
            if digits is None:  # a figure written in words: nothing to overwrite digit for digit
                continue
            old = digits.group(0)
            changed = text[: fig.start] + new + text[fig.start + len(old) :]
            return _replace(actions, action, action.model_copy(update={field: changed}))
    return None


def _fresh_value(value: float, pairs: set[tuple[str, str | None]]) -> str:
    step = 1 if float(value).is_integer() else 0.1
    for k in range(3, 60):
        cand = value + k * step
        text = num(round(cand, 1))
        if (text, None) not in pairs:
            return text
    return num(value * 7 + 1)


def unsupported_claim(case: Case, actions: Actions) -> Actions | None:
    found = _text_field(case, actions)
    if found is None:
        return None
    action, field = found
    claim = " The patient also completed 37 sessions of acupuncture, last on 2019-02-03."
    return _replace(actions, action, action.model_copy(update={field: getattr(action, field) + claim}))


def late_submission(case: Case, actions: Actions) -> Actions | None:
    sub = _submission(case, actions)
    if sub is None or case.answer_key.urgency != "standard":
        return None
    dos = case.order.date_of_service
    library = load_library()
    policy = library.policies.get(case.answer_key.policy_id or "")
    lead = policy.timeframes.submit_lead_business_days if policy else 0
    day = dos if lead > 0 else dos + timedelta(days=1)
    if clock.business_days_between(case.sim_start.date(), dos) < lead:
        day = dos + timedelta(days=1)  # the case started inside the lead time: late means after the service
    return _replace(actions, sub, sub.model_copy(update={"at": datetime.combine(day, time(9, 0))}))


def wrong_urgency(case: Case, actions: Actions) -> Actions | None:
    sub = _submission(case, actions)
    if sub is None:
        return None
    return _replace(
        actions,
        sub,
        sub.model_copy(update={"urgency": "standard" if sub.urgency == "expedited" else "expedited"}),
    )


def skip_eligibility(case: Case, actions: Actions) -> Actions | None:
    if case.prior_submission is not None:  # answering the payer about a request repeats no check
        return None
    kept: Actions = [a for a in actions if not isinstance(a, EligibilityQuery)]
    return kept if len(kept) < len(actions) else None


def skip_auth_lookup(case: Case, actions: Actions) -> Actions | None:
    if case.prior_submission is not None:
        return None
    kept: Actions = [a for a in actions if not isinstance(a, AuthLookup)]
    return kept if len(kept) < len(actions) else None


def wrong_appeal_level(case: Case, actions: Actions) -> Actions | None:
    appeal = _first(actions, Appeal)
    if appeal is None or case.answer_key.correct_action != "appeal":
        return None
    manual = load_library().manual(case.coverage.payer_id)
    others = [
        lv.level
        for lv in manual.appeal_levels
        if lv.level not in (case.answer_key.appeal_level, "peer_to_peer")
    ]
    return None if not others else _replace(actions, appeal, appeal.model_copy(update={"level": others[-1]}))


def late_appeal(case: Case, actions: Actions) -> Actions | None:
    appeal = _first(actions, Appeal)
    prior = prior_determination(case) if appeal is not None else None
    if appeal is None or prior is None or case.answer_key.correct_action != "appeal":
        return None
    right = next((r for r in prior.appeal_rights if r.level == appeal.level), None)
    if right is None:
        return None
    late = datetime.combine(right.file_by + timedelta(days=1), time(10, 0))
    return _replace(actions, appeal, appeal.model_copy(update={"at": late}))


def late_pend_reply(case: Case, actions: Actions) -> Actions | None:
    reply = _first(actions, PendReply)
    prior = prior_determination(case) if reply is not None else None
    if reply is None or prior is None or prior.pend_reply_by is None:
        return None
    return _replace(actions, reply, reply.model_copy(update={"at": prior.pend_reply_by + timedelta(days=1)}))


def _replace_main(case: Case, actions: Actions, wanted: str, kind: type[ActionT]) -> Actions | None:
    main = _first(actions, kind)
    ref = case.answer_key.reference_submission
    if case.answer_key.correct_action != wanted or main is None or ref is None:
        return None
    return _replace(actions, main, ref.model_copy(update={"at": main.at}))


def submit_instead_of_query(case: Case, actions: Actions) -> Actions | None:
    return _replace_main(case, actions, "query_provider", ProviderQuery)


def submit_when_no_auth(case: Case, actions: Actions) -> Actions | None:
    return _replace_main(case, actions, "no_auth_needed", CloseCase)


def submit_before_coverage(case: Case, actions: Actions) -> Actions | None:
    return _replace_main(case, actions, "resolve_coverage", CloseCase)


def skip_submission(case: Case, actions: Actions) -> Actions | None:
    sub = _submission(case, actions)
    if sub is None:
        return None
    return _replace(actions, sub, CloseCase(at=sub.at, reason="no_auth_needed", note="Closed."))


DEFECTS: dict[str, Defect] = {
    d.name: d
    for d in (
        Defect(
            "icd_specificity",
            "wrong_code_specificity",
            "primary ICD-10-CM code replaced by a billable sibling",
            wrong_specificity,
        ),
        Defect(
            "invalid_code",
            "invalid_code",
            "primary ICD-10-CM code replaced by a code that does not exist",
            invalid_code,
        ),
        Defect("wrong_sequencing", "wrong_sequencing", "diagnoses listed in reverse order", wrong_sequencing),
        Defect(
            "addon_without_primary",
            "addon_without_primary",
            "primary procedure line dropped, add-on kept",
            addon_without_primary,
        ),
        Defect("wrong_units", "wrong_units", "one more unit on the first procedure line", wrong_units),
        Defect(
            "missing_document", "missing_required_document", "a required document left off", missing_document
        ),
        Defect(
            "irrelevant_document",
            "minimum_necessary_violation",
            "an irrelevant document attached",
            irrelevant_document,
        ),
        Defect(
            "omit_criterion",
            "criterion_not_addressed",
            "narrative lines on one criterion removed",
            omit_criterion,
        ),
        Defect(
            "contradict_figure",
            "contradicts_chart",
            "a criterion figure changed to one the chart never states",
            contradict_figure,
        ),
        Defect(
            "unsupported_claim",
            "unsupported_claim",
            "a therapy, figure and date the case does not have added",
            unsupported_claim,
        ),
        Defect("late_submission", "missed_deadline", "request sent inside the lead time", late_submission),
        Defect("wrong_urgency", "wrong_urgency", "standard and expedited swapped", wrong_urgency),
        Defect("skip_eligibility", "eligibility_not_checked", "eligibility check removed", skip_eligibility),
        Defect("skip_auth_lookup", "auth_not_looked_up", "authorization look-up removed", skip_auth_lookup),
        Defect(
            "wrong_appeal_level", "wrong_appeal_level", "appeal filed at another level", wrong_appeal_level
        ),
        Defect("late_appeal", "late_appeal", "appeal filed the day after its deadline", late_appeal),
        Defect(
            "late_pend_reply",
            "late_pend_reply",
            "pend answered the day after its reply-by date",
            late_pend_reply,
        ),
        Defect(
            "submit_instead_of_query",
            "submitted_when_should_query",
            "request sent instead of the provider query",
            submit_instead_of_query,
        ),
        Defect(
            "submit_when_no_auth",
            "unnecessary_submission",
            "request sent where none is needed",
            submit_when_no_auth,
        ),
        Defect(
            "submit_before_coverage",
            "coverage_not_resolved",
            "request sent before coverage is resolved",
            submit_before_coverage,
        ),
        Defect("skip_submission", "missed_submission", "case closed instead of submitted", skip_submission),
    )
}
