"""What every grader reads: the case's derived data (cached per case) and the attempt being graded.

``CaseData`` is computed once per distinct case (keyed by a hash of the case's JSON, so an edited copy of
a case never reuses another's data): the governing policy and manual with their sections, the chart's
facts as criteria evidence, and the reference sets the narrative checks compare against.
"""

from __future__ import annotations

import copy
import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from grading.facts import fact_unit
from grading.paths import followed_path
from grading.rubric import Rubric
from grading.text import dates as find_dates
from grading.text import normalize, num, window_pairs
from knowledge_base.criteria import DocumentRef, Evidence, Fact, FactValue
from knowledge_base.loader import Library
from knowledge_base.models import Manual, Policy, PolicyDocument
from scenarios.models import (
    AcceptablePath,
    Action,
    ActionT,
    Appeal,
    Case,
    ChartDocument,
    CloseCase,
    ExtensionRequest,
    PeerToPeer,
    PendReply,
    ProviderQuery,
    Submission,
)
from simulator import prior_determination
from simulator.models import Determination
from simulator.peer_to_peer import trainee_words
from simulator.replay import StepResult

_CACHE: OrderedDict[tuple[str, int], CaseData] = OrderedDict()
_CACHE_SIZE = 4096


def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


@dataclass
class CaseData:
    """Everything derived from the case and the content alone (no trainee action)."""

    case: Case
    library: Library
    policy: Policy | None
    policy_doc: PolicyDocument | None
    manual: Manual
    manual_doc: PolicyDocument | None
    evidence: Evidence
    case_pairs: set[tuple[str, str | None]] = field(default_factory=set)
    policy_pairs: frozenset[tuple[str, str | None]] = field(default_factory=frozenset)
    fact_values: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # unit -> value -> facts
    numeric_facts: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (value, document id)
    case_dates: set[str] = field(default_factory=set)
    case_text: str = ""  # normalized text of the chart and order, for therapy names
    checker: Any = None  # the clinical claim checker over this case (grading.claims builds it once)
    claim_cache: dict[str, Any] = field(default_factory=dict)  # text -> what the checker read in it

    @property
    def chart(self) -> dict[str, ChartDocument]:
        return {d.id: d for d in self.case.chart}

    @cached_property
    def prior(self) -> Determination | None:
        """The payer's notice on the earlier request (the denial or pend the trainee answers)."""
        return prior_determination(self.case, library=self.library)

    def policy_section(self, keyword: str) -> str:
        """``LKS-MRI-001 § Documentation required``: the first section whose title contains ``keyword``."""
        if self.policy is None:
            return f"{self.manual.id} manual"
        if self.policy_doc is not None:
            for section in self.policy_doc.sections:
                if keyword.lower() in section.title.lower():
                    return f"{self.policy.id} § {section.title}"
        return self.policy.id

    def manual_section(self, keyword: str) -> str:
        """``lakeshore manual § Appeals``."""
        if self.manual_doc is not None:
            for section in self.manual_doc.sections:
                if keyword.lower() in section.title.lower():
                    return f"{self.manual.id} manual § {section.title}"
        return f"{self.manual.id} manual"

    def criterion_text(self, criterion_id: str) -> str:
        if self.policy is None:
            return ""
        return next((c.text for c in self.policy.criteria if c.id == criterion_id), "")


def _order_facts(case: Case, policy: Policy | None) -> dict[str, FactValue]:
    order = case.order
    facts: dict[str, FactValue] = {
        "request.ordering_specialty": case.ordering_provider.specialty,
        "request.servicing_specialty": case.servicing_provider.specialty,
        "request.place_of_service": order.place_of_service,
        "request.units": sum(line.units for line in case.answer_key.correct_procedures),
        "request.modifiers": [m for line in case.answer_key.correct_procedures for m in line.modifiers],
        "request.urgency": case.answer_key.urgency,
        "patient.age": age_on(case.patient.dob, order.date_of_service),
        "patient.sex": case.patient.sex,
    }
    if policy is not None:
        facts["request.level_count"] = sum(
            line.units for line in case.answer_key.correct_procedures if policy.code(line.code.code)
        )
    days = _requested_days(case)
    if days is not None:
        facts["request.duration_days"] = days
    return facts


def _requested_days(case: Case) -> int | None:
    """The duration the correct request asks for: the reference submission's (capped at the payer's limit
    for ``request: within_limits`` archetypes), else the order's."""
    ref = case.answer_key.reference_submission
    if ref is not None and ref.requested_duration_days is not None:
        return ref.requested_duration_days
    return case.order.requested_duration_days


def chart_evidence(case: Case, policy: Policy | None) -> Evidence:
    """The chart's facts (every document, latest statement wins) plus the correct request's own facts."""
    ak = case.answer_key
    evidence = Evidence(
        diagnosis_codes=[d.code for d in ak.correct_diagnoses],
        procedure_codes=[line.code.code for line in ak.correct_procedures],
    )
    for name, value in _order_facts(case, policy).items():
        evidence.add(Fact.model_construct(name=name, value=value, document_id=None, document_date=None))
    for doc in case.chart:
        evidence.documents.append(DocumentRef.model_construct(id=doc.id, kind=doc.kind, date=doc.date))
        for name, value in doc.facts.items():
            evidence.add(
                Fact.model_construct(name=name, value=value, document_id=doc.id, document_date=doc.date)
            )
    return evidence


def _reference_sets(data: CaseData) -> None:
    case = data.case
    texts = [d.text for d in case.chart] + [case.order.description, case.order.notes]
    texts += [d.display for d in case.order.diagnoses] + [ln.code.display for ln in case.order.procedures]
    texts += [ln.code.display for ln in case.answer_key.correct_procedures]
    texts += [d.display for d in case.answer_key.correct_diagnoses]
    pairs: set[tuple[str, str | None]] = set()
    for text in texts:
        pairs |= window_pairs(text)
    fact_values: dict[str, dict[str, list[str]]] = {}
    for doc in case.chart:
        for name, value in doc.facts.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            unit = fact_unit(name)
            data.numeric_facts[name] = (num(value), doc.id)
            pairs.add((num(value), None))
            if unit:
                pairs.add((num(value), unit))
                fact_values.setdefault(unit, {}).setdefault(num(value), []).append(f"{name} ({doc.id})")
    order = case.order
    for line in [*order.procedures, *case.answer_key.correct_procedures]:
        pairs |= {(num(line.units), None), (num(line.units), "unit")}
    # the order's duration and the correct request's (smaller when capped at the payer's limit)
    for duration in {d for d in (order.requested_duration_days, _requested_days(case)) if d is not None}:
        pairs |= {(num(duration), "day"), (num(duration), None)}
    age = age_on(case.patient.dob, case.sim_start.date())
    pairs |= {(num(age), "year"), (num(age), None), (num(order.place_of_service), None)}
    data.case_pairs = pairs
    data.fact_values = fact_values
    data.policy_pairs = _policy_pairs(data.policy_doc, data.manual_doc)
    days: set[date] = {d.date for d in case.chart}
    days |= {
        case.patient.dob,
        case.sim_start.date(),
        order.date_of_service,
        order.ordered_on,
        case.coverage.effective_from,
        case.coverage.subscriber_dob,
    }
    if case.coverage.effective_to:
        days.add(case.coverage.effective_to)
    if case.prior_submission is not None:
        days |= {case.prior_submission.at.date(), case.prior_submission.date_of_service}
    iso = {d.isoformat() for d in days}
    for text in texts:
        iso |= {d for d, _ in find_dates(text)}
    for doc in case.chart:
        iso |= {str(v) for v in doc.facts.values() if isinstance(v, str) and len(v) == 10 and v[4] == "-"}
    data.case_dates = iso
    data.case_text = normalize(" ".join(texts + [str(v) for d in case.chart for v in d.facts.values()]))


_POLICY_PAIRS: dict[tuple[str, str], frozenset[tuple[str, str | None]]] = {}


def _policy_pairs(
    policy_doc: PolicyDocument | None, manual_doc: PolicyDocument | None
) -> frozenset[tuple[str, str | None]]:
    """Figures of the policy and manual text (thresholds a narrative may quote), once per content version."""
    key = (policy_doc.content_hash if policy_doc else "", manual_doc.content_hash if manual_doc else "")
    found = _POLICY_PAIRS.get(key)
    if found is None:
        texts = [policy_doc.body] if policy_doc else []
        if policy_doc is not None and isinstance(policy_doc.meta, Policy):
            texts += [c.text for c in policy_doc.meta.criteria]
        if manual_doc is not None:
            texts.append(manual_doc.body)
        found = frozenset().union(*(window_pairs(t) for t in texts))
        _POLICY_PAIRS[key] = found
    return found


def _fingerprint(case: Case) -> str:
    return hashlib.sha1(case.model_dump_json().encode()).hexdigest()


_LAST: dict[tuple[int, int], CaseData] = {}
_AS_WRITTEN: dict[tuple[int, str, frozenset[str]], tuple[Library, Library]] = {}


def as_written(case: Case, library: Library) -> Library:
    """``library`` with the case's policy holding only the criteria its answer key judges.

    A case is a snapshot: its chart and answer key were written against the policy of the day. A
    criterion added to the policy later (a stored attempt re-graded after a policy update, a frozen
    evaluation case) has no facts in that chart and no verdict in that key, so the payer would pend on
    it whatever the trainee did; the attempt is replayed and graded on the criteria the case was
    written for. Every other rule of the current policy (codes, documents, thresholds, timeframes)
    still applies. A freshly generated case's key judges every criterion, so this returns ``library``
    itself (checked over every module in tests/grading/test_as_written.py)."""
    policy_id, judged = case.answer_key.policy_id, case.answer_key.criteria_outcome
    policy = library.policies.get(policy_id) if policy_id else None
    if policy is None or not judged or all(c.id in judged for c in policy.criteria):
        return library
    keep = frozenset(c.id for c in policy.criteria if c.id in judged)
    key = (id(library), policy.id, keep)
    found = _AS_WRITTEN.get(key)
    if found is not None and found[0] is library:
        return found[1]
    trimmed = policy.model_copy(update={"criteria": [c for c in policy.criteria if c.id in keep]})
    view = copy.copy(library)
    view.policies = {**library.policies, policy.id: trimmed}
    view._by_line = {k: (trimmed if v is policy else v) for k, v in library._by_line.items()}
    doc = library.documents.get(policy.id)
    if doc is not None:
        view.documents = {**library.documents, policy.id: doc.model_copy(update={"meta": trimmed})}
    if len(_AS_WRITTEN) > 256:
        _AS_WRITTEN.clear()
    _AS_WRITTEN[key] = (library, view)  # the base is kept so its id is never reused while cached
    return view


def case_data(case: Case, library: Library) -> CaseData:
    """The (cached) derived data of ``case`` under ``library``."""
    same = _LAST.get((id(case), id(library)))
    if same is not None and same.case is case and same.library is library:
        return same  # the very same objects graded again (a retry, a benchmark): skip the fingerprint
    key = (_fingerprint(case), id(library))
    found = _CACHE.get(key)
    if found is not None and found.library is library:
        _CACHE.move_to_end(key)
        if found.case is case:
            _LAST[(id(case), id(library))] = found
        return found
    policy_id = case.answer_key.policy_id
    policy = library.policies.get(policy_id) if policy_id else None
    manual = library.manuals.get(case.coverage.payer_id)
    if manual is None:
        raise ValueError(
            f"case.coverage.payer_id: no payer manual for {case.coverage.payer_id!r}; "
            f"known payers: {sorted(library.manuals)}"
        )
    data = CaseData(
        case=case,
        library=library,
        policy=policy,
        policy_doc=library.documents.get(policy_id) if policy_id else None,
        manual=manual,
        manual_doc=library.manual_documents.get(manual.id),
        evidence=chart_evidence(case, policy),
    )
    _reference_sets(data)
    _CACHE[key] = data
    if len(_LAST) > 64:
        _LAST.clear()
    _LAST[(id(case), id(library))] = data
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return data


@dataclass
class Attempt:
    """One graded attempt: the case data, the rubric, the actions and what the payer answered to each."""

    data: CaseData
    rubric: Rubric
    actions: list[Action]
    steps: list[StepResult]

    @property
    def case(self) -> Case:
        return self.data.case

    def first(self, kind: type[ActionT]) -> tuple[int, ActionT] | None:
        """The index and action of the first ``kind`` action (typed as ``kind``), if any."""
        return next(((i, a) for i, a in enumerate(self.actions) if isinstance(a, kind)), None)

    def all(self, kind: type[ActionT]) -> list[tuple[int, ActionT]]:
        return [(i, a) for i, a in enumerate(self.actions) if isinstance(a, kind)]

    @property
    def submission(self) -> Submission | None:
        found = self.first(Submission)
        return found[1] if found else None

    @property
    def main_index(self) -> int | None:
        """Index of the first action that acts on the case (request, query, close, appeal, pend reply)."""
        kinds = (Submission, ProviderQuery, CloseCase, Appeal, PendReply, PeerToPeer, ExtensionRequest)
        return next((i for i, a in enumerate(self.actions) if isinstance(a, kinds)), None)

    def before_main(self, kind: type[ActionT]) -> list[ActionT]:
        end = self.main_index if self.main_index is not None else len(self.actions)
        return [a for a in self.actions[:end] if isinstance(a, kind)]

    @cached_property
    def _final(self) -> tuple[Determination | None, int | None]:
        current = self.data.prior if self.case.prior_submission is not None else None
        index: int | None = None
        for i, (action, step) in enumerate(zip(self.actions, self.steps, strict=True)):
            if step.error or not isinstance(step.result, Determination):
                continue
            if isinstance(action, Appeal | PeerToPeer) and step.result.status == "rejected":
                continue  # a misdirected appeal leaves the denial standing
            current, index = step.result, i
        return current, index

    @property
    def final(self) -> Determination | None:
        """The payer's last standing decision on the case, as the replay left it."""
        return self._final[0]

    @property
    def final_index(self) -> int | None:
        """The index of the action whose decision stands (None: the earlier request's, or none)."""
        return self._final[1]

    @cached_property
    def _path(self) -> tuple[AcceptablePath | None, int | None]:
        return followed_path(self.case, self.actions, self.final_index)

    @property
    def path(self) -> AcceptablePath | None:
        """The acceptable path the attempt followed (None: none of them)."""
        return self._path[0]

    @property
    def path_action(self) -> Action | None:
        """The action that carries the followed path (the appeal, the peer-to-peer, the new request ...)."""
        index = self._path[1]
        return self.actions[index] if index is not None else None

    @property
    def path_id(self) -> str:
        return self.path.id if self.path else ""

    def texts_sent(self) -> list[tuple[int, str, str]]:
        """(action index, what it is, text) for every text the trainee sent, to the payer or the provider."""
        out: list[tuple[int, str, str]] = []
        for i, action in enumerate(self.actions):
            text, what = "", ""
            if isinstance(action, Submission):
                text, what = action.narrative, "request narrative"
            elif isinstance(action, Appeal):
                text, what = action.letter, "appeal letter"
            elif isinstance(action, PeerToPeer):
                text, what = trainee_words(action.talking_points), "peer-to-peer notes"
            elif isinstance(action, PendReply):
                text, what = action.note, "pend reply"
            elif isinstance(action, ProviderQuery):
                text, what = action.message, "provider query"
            elif isinstance(action, ExtensionRequest):
                text, what = action.clinical_update, "extension clinical update"
            if text.strip():
                out.append((i, what, text))
        return out

    def submission_determinations(self) -> list[Determination]:
        return [
            s.result
            for a, s in zip(self.actions, self.steps, strict=True)
            if isinstance(a, Submission) and isinstance(s.result, Determination)
        ]
