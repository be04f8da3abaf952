"""Claim checking of every text a trainee sends, with the shared clinical claim checker (clinical/).

The checker reads the text like a reviewer (findings with negation, durations, counts, scores, doses,
sizes, stages, therapies, dates, regulations) and checks each claim against the chart and the case
record. This module only adds what the grader knows and the checker does not: the payer's own notices
on this attempt (their dates may be quoted), the policy wording (a sentence pasted from it is policy
text, not the patient's facts; a figure quoted from it as a threshold is not a claim about the
patient), and the mapping of verdicts to error tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from clinical import ClaimChecker, Finding, extract_claims
from clinical.policy_text import pasted_sentences
from grading.context import Attempt, CaseData
from simulator.models import Determination

TAG = {
    "contradicted": "contradicts_chart",
    "unsupported": "unsupported_claim",
    "policy_text": "policy_text_as_facts",
}
_THRESHOLD = re.compile(
    r"\b(at least|at most|or more|or longer|minimum|maximum|up to|no more than|no less than|more than|less "
    r"than|fewer than|requires?|required|qualif\w*|threshold|limit|must|criteri\w+|polic\w+|needs|authoriz\w*)\b|[≥≤]|>=|<=",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ClaimFlag:
    """A claim the record does not bear out: the tag, the claim's words, its sentence, what the record says."""

    tag: str
    shown: str
    sentence: str
    passage: str
    message: str
    concept: str = ""  # what the claim is about ("red flag: foot drop", "physical therapy")
    unit: str | None = None  # a figure's unit class ("week", "/10")


def policy_passages(data: CaseData) -> list[str]:
    """The policy and manual text a trainee might paste: the body and each criterion's wording."""
    out: list[str] = []
    if data.policy_doc is not None:
        out.append(data.policy_doc.body)
    if data.policy is not None:
        out += [c.text for c in data.policy.criteria]
    if data.manual_doc is not None:
        out.append(data.manual_doc.body)
    return out


@lru_cache(maxsize=64)
def _policy_numbers(passages: tuple[str, ...]) -> frozenset[str]:
    found: set[str] = set()
    for text in passages:
        found |= {n.rstrip("0").rstrip(".") if "." in n else n for n in re.findall(r"\d+(?:\.\d+)?", text)}
    return frozenset(found)


@lru_cache(maxsize=64)
def _policy_lower(passages: tuple[str, ...]) -> str:
    return "\n".join(passages).lower()


def known_dates(att: Attempt) -> set[str]:
    """ISO dates the payer's notices on this attempt state (receipt, decision, due, reply-by, validity,
    appeal deadlines) and the days the trainee acted: a text may quote them."""
    known = {a.at.date().isoformat() for a in att.actions}
    dets = [s.result for s in att.steps if isinstance(s.result, Determination)]
    if att.data.prior is not None:
        dets.append(att.data.prior)
    for det in dets:
        for moment in (det.received_at, det.decided_at, det.decision_due, det.pend_reply_by):
            if moment is not None:
                known.add(moment.date().isoformat())
        known |= {d.isoformat() for d in (det.valid_from, det.valid_to) if d is not None}
        known |= {r.file_by.isoformat() for r in det.appeal_rights}
    return known


def _date_known(value: str, known: set[str]) -> bool:
    y, m, d = value.split("-")
    return any((y in ("????", k[:4])) and (m in ("??", k[5:7])) and (d in ("??", k[8:10])) for k in known)


def _named_in_content(value: str, att: Attempt, passages: tuple[str, ...]) -> bool:
    """A policy, criterion or manual id (or a regulation the policy cites) is the payer's, not a claim."""
    needle = value.strip().lower()
    lib = att.data.library
    ids = {p.lower() for p in lib.policies} | {
        c.id.lower() for p in lib.policies.values() for c in p.criteria
    }
    return needle in ids or any(needle in text.lower() for text in passages)


def _excused(
    finding: Finding, att: Attempt, passages: tuple[str, ...], dates: set[str], to_provider: bool
) -> bool:
    claim = finding.claim
    if to_provider and finding.verdict == "unsupported" and claim.surface.lower() in _policy_lower(passages):
        return True  # "the policy asks for bone-on-bone contact": what is missing, not a claim
    if to_provider and finding.verdict == "unsupported" and claim.value:
        # a query tells the office what the policy asks for ("grade 4", "at least 6 weeks")
        digits = re.findall(r"\d+(?:\.\d+)?", claim.value)
        if digits and all(d in _policy_numbers(passages) for d in digits):
            return True
    if claim.sentence.strip().endswith("?"):
        return True  # a question asserts nothing ("is there any chiropractic care we do not have?")
    if claim.kind in ("reference", "regulation") and claim.value:
        return _named_in_content(claim.value, att, passages)
    if finding.verdict == "unsupported" and claim.kind == "date" and claim.value:
        return _date_known(claim.value, dates)
    if finding.verdict == "unsupported" and claim.value is not None and claim.kind != "date":
        # a policy figure quoted as the threshold it is ("meets the 6-week minimum"), or the request's own
        # size set by the policy's limit ("E0601-RR x 3 for the 12-week trial")
        policy_figure = claim.value in _policy_numbers(passages)
        return policy_figure and (
            bool(_THRESHOLD.search(claim.sentence)) or _request_sentence(claim.sentence, att)
        )
    return False


def case_passages(data: CaseData) -> list[str]:
    """The record's own wording (chart, order, code descriptions): a sentence copied from it is the
    patient's facts even where the policy uses the same words ("obstructive sleep apnea (adult)")."""
    case = data.case
    texts = [d.text for d in case.chart] + [case.order.description, case.order.notes]
    texts += [f"{c.code} {c.display}" for c in case.order.diagnoses]
    texts += [f"{c.code}, {c.display}" for c in case.answer_key.correct_diagnoses]
    texts += [f"{ln.code.code} {ln.code.display}" for ln in case.order.procedures]
    return [t for t in texts if t]


_ATTRIBUTED = re.compile(
    r"\b(polic\w*|criteri\w*|requires?|required|needs?|asks? for|[A-Z]{2,4}-[A-Z]+-\d{3})\b", re.I
)


def _attributed(sentence: str) -> bool:
    """The policy's words introduced as the policy's ("LKS-MRI-001.2 requires ...", a quotation)."""
    head = sentence[: max(40, len(sentence) // 3)]
    return bool(_ATTRIBUTED.search(head)) or sentence.lstrip().startswith(("\u201c", '"'))


def _request_sentence(sentence: str, att: Attempt) -> bool:
    """A sentence that describes the request itself (names a requested code): its figures are the request's
    (units, period), which may be the policy's limits rather than anything in the chart."""
    codes = {ln.code.code for ln in att.case.order.procedures} | {
        ln.code.code for ln in att.case.answer_key.correct_procedures
    }
    return any(code in sentence for code in codes)


Spans = dict[tuple[int, int], tuple[str, str]]


def _states_patient_facts(att: Attempt, raw: str, copied: Spans) -> bool:
    """Outside the sentences copied from the policy, the text makes at least one clinical claim."""
    rest = raw
    for start, end in copied:
        rest = rest[:start] + " " * (end - start) + rest[end:]
    return bool(extract_claims(rest, att.case.order.service_line))


def _read(data: CaseData, raw: str) -> tuple[tuple[str, ...], list[Finding], Spans, Spans]:
    """What depends on the case and the text only, once per (case, text): a text is graded again and again
    (a retry, the attempt review, the benchmark's defects that leave the narrative alone)."""
    cache = data.claim_cache
    found = cache.get(raw)
    if found is None:
        passages = tuple(policy_passages(data))
        if data.checker is None:
            data.checker = ClaimChecker.for_case(data.case)
        copied = pasted_sentences(raw, list(passages))
        ours = pasted_sentences(raw, case_passages(data)) if copied else {}
        found = (passages, data.checker.problems(raw), copied, ours)
        if len(cache) > 64:
            cache.pop(next(iter(cache)))
        cache[raw] = found
    return found


def check_text(att: Attempt, raw: str, *, to_provider: bool = False) -> list[ClaimFlag]:
    """Every claim of ``raw`` that contradicts the record, has no source in it, or is pasted policy text.
    ``to_provider``: a query to the ordering office, which quotes the policy to say what is missing."""
    if not raw.strip():
        return []
    passages, problems, copied, ours = _read(att.data, raw)
    # quoting a criterion is fine beside the patient's facts; a text that is the quote and nothing of the
    # patient ("<criterion text>. This criterion is now met.") presents the policy as the facts
    cites = bool(copied) and (to_provider or _states_patient_facts(att, raw, copied))
    quoting = {
        span
        for span in copied
        if to_provider or span in ours or (cites and _attributed(raw[span[0] : span[1]]))
    }
    pasted = {span: v for span, v in copied.items() if span not in quoting}
    dates = known_dates(att)
    flags: list[ClaimFlag] = []
    for span, (_sid, quoted) in pasted.items():
        sentence = raw[span[0] : span[1]].strip()
        flags.append(
            ClaimFlag(
                "policy_text_as_facts",
                sentence,
                sentence,
                quoted.strip(),
                f"\u201c{sentence}\u201d repeats the policy's wording (\u201c{quoted.strip()}\u201d) instead of "
                "stating the patient's facts",
            )
        )
    for finding in problems:
        if any(s <= finding.claim.span[0] < e for s, e in copied) or _excused(
            finding, att, passages, dates, to_provider
        ):
            continue
        claim = finding.claim
        passage = finding.evidence.passage.strip() if finding.evidence else ""
        flags.append(
            ClaimFlag(
                TAG[finding.verdict],
                claim.surface,
                claim.sentence.strip(),
                passage,
                finding.message,
                concept=claim.concept,
                unit=claim.unit,
            )
        )
    return flags
