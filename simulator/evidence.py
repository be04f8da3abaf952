"""Turn what the payer received into criteria :class:`~knowledge_base.criteria.Evidence`.

Facts come from two places only: the structured facts of the documents that were sent (each carrying
its document id and date, so a result can cite them) and the request itself (``request.*`` and
``patient.*`` facts, which need no document).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from knowledge_base.criteria import DocumentRef, Evidence, Fact, FactValue
from knowledge_base.models import Policy
from scenarios.models import ChartDocument
from simulator.view import PayerView


def age_on(dob: date, day: date) -> int:
    """Whole years of age on ``day``."""
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def request_facts(view: PayerView, policy: Policy | None) -> dict[str, FactValue]:
    """The facts a request states by itself (no document needed), by name."""
    sub = view.submission
    facts: dict[str, FactValue] = {
        "request.units": sum(line.units for line in sub.procedures),
        "request.urgency": sub.urgency,
        "request.modifiers": [m for line in sub.procedures for m in line.modifiers],
        "patient.age": age_on(view.patient.dob, sub.date_of_service),
        "patient.sex": view.patient.sex,
    }
    ordering, servicing = view.specialty(sub.ordering_npi), view.specialty(sub.servicing_npi)
    if ordering is not None:
        facts["request.ordering_specialty"] = ordering
    if servicing is not None:
        facts["request.servicing_specialty"] = servicing
    if sub.place_of_service is not None:
        facts["request.place_of_service"] = sub.place_of_service
    if sub.requested_duration_days is not None:
        facts["request.duration_days"] = sub.requested_duration_days
    if policy is not None:
        # ACDF levels: the primary line's units plus its add-on's units, i.e. every unit the policy governs
        facts["request.level_count"] = sum(line.units for line in sub.procedures if policy.code(line.code))
    return facts


def build_evidence(
    view: PayerView,
    policy: Policy | None,
    documents: Iterable[ChartDocument] | None = None,
    *,
    with_documents: bool = True,
) -> Evidence:
    """Evidence from the request and (unless ``with_documents`` is False) the sent documents.

    ``documents`` defaults to the view's documents; appeals pass the original plus the appeal's.
    """
    facts: dict[str, list[Fact]] = {
        name: [_request_fact(name, value)] for name, value in request_facts(view, policy).items()
    }
    refs: list[DocumentRef] = []
    if with_documents:
        for doc in view.documents if documents is None else documents:
            ref, stated = _document_evidence(doc)
            refs.append(ref)
            for fact in stated:
                facts.setdefault(fact.name, []).append(fact)
    return Evidence.model_construct(
        facts=facts,
        documents=refs,
        diagnosis_codes=list(view.submission.diagnoses),
        procedure_codes=[line.code for line in view.submission.procedures],
    )


def _request_fact(name: str, value: FactValue) -> Fact:
    if isinstance(value, list):
        return Fact(name=name, value=value)
    return _cached_request_fact(name, value)


@lru_cache(maxsize=4096, typed=True)  # typed: 1 and True must stay different facts
def _cached_request_fact(name: str, value: bool | int | float | str) -> Fact:
    # request facts repeat across requests (units 1, urgency standard, ...); Fact is frozen, so share them
    return Fact(name=name, value=value)


# Facts of a chart document never change once the case is generated, and the same documents are
# adjudicated again and again (pend replies, appeals, replays, benchmarks): build their Fact objects
# once. Keyed by object identity; the entry holds the document, so its id cannot be reused while
# cached, and a document whose facts mapping was replaced is rebuilt.
_DOC_CACHE: dict[int, tuple[ChartDocument, dict[str, FactValue], DocumentRef, tuple[Fact, ...]]] = {}
_DOC_CACHE_MAX = 8192


def _document_evidence(doc: ChartDocument) -> tuple[DocumentRef, tuple[Fact, ...]]:
    hit = _DOC_CACHE.get(id(doc))
    if hit is not None and hit[0] is doc and hit[1] is doc.facts:
        return hit[2], hit[3]
    ref = DocumentRef(id=doc.id, kind=doc.kind, date=doc.date)
    stated = tuple(
        Fact(name=n, value=v, document_id=doc.id, document_date=doc.date) for n, v in doc.facts.items()
    )
    if len(_DOC_CACHE) >= _DOC_CACHE_MAX:
        _DOC_CACHE.clear()
    _DOC_CACHE[id(doc)] = (doc, doc.facts, ref, stated)
    return ref, stated


# Abbreviations the fact names use, spelled as a reviewer writes them.
_WORDS = {
    "ahi": "AHI",
    "asam": "ASAM",
    "bmi": "BMI",
    "cdai": "CDAI",
    "cpap": "CPAP",
    "csdmard": "csDMARD",
    "dsm5": "DSM-5",
    "f2f": "face-to-face",
    "iop": "IOP",
    "kl": "Kellgren-Lawrence",
    "mradls": "MRADLs",
    "mtx": "methotrexate",
    "nsaid": "NSAID",
    "osa": "OSA",
    "pet": "PET",
    "pov": "POV",
    "psg": "PSG",
    "hsat": "HSAT",
    "pt": "physical therapy",
    "tb": "TB",
    "vf": "visual field",
    "deg": "degrees",
    "pct": "%",
    "followup": "follow-up",
    "mg": "mg",
}


def fact_label(name: str) -> str:
    """``followup_exam_documented`` → 'follow-up exam documented' (messages a trainee reads).

    >>> fact_label("f2f_eval_before_sleep_test"), fact_label("ahi")
    ('face-to-face eval before sleep test', 'AHI')
    """
    return " ".join(_WORDS.get(w, w) for w in name.split("_"))


def fact_text(value: object) -> str:
    """A fact's value in words: yes/no, lists joined, snake_case values spaced.

    >>> fact_text(False), fact_text(["hypertension", "mood_disorder"]), fact_text(12.5), fact_text([])
    ('no', 'hypertension, mood disorder', '12.5', 'none')
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(fact_text(v) for v in value) or "none"
    if isinstance(value, str):
        return value.replace("_", " ")
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def describe_facts(names: Iterable[str], evidence: Evidence) -> str:
    """'conservative care weeks: 3 (doc-2, 2026-01-05); red flag: no (doc-1, ...)' for messages."""
    parts = []
    for name in sorted(names):
        fact = evidence.latest(name)
        if fact is None:
            continue
        where = (
            f" ({fact.document_id}, {fact.document_date.isoformat()})"
            if fact.document_id and fact.document_date
            else ""
        )
        parts.append(f"{fact_label(name)}: {fact_text(fact.value)}{where}")
    return "; ".join(parts)
