"""The criteria language: a small closed set of operators, one small class each.

A rule is YAML in a policy's front matter, e.g.::

    {op: any, of: [{op: documented, fact: red_flag},
                   {op: gte, fact: conservative_care_weeks, value: 6}]}

Rules evaluate *evidence* (facts stated by the documents a payer actually received, plus facts of the
request itself) and return an :class:`Outcome` that is three-valued: ``met``, ``not_met`` or
``not_evidenced`` (the fact the rule needs is stated nowhere it may look). Evaluation never reads the
wall clock: relative dates are measured from the ``as_of`` date passed in.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FactValue = bool | int | float | str | list[str]
Status = Literal["met", "not_met", "not_evidenced"]


class Fact(BaseModel):
    """One fact with where it came from: a document (id and date) or the request (``document_id`` None)."""

    model_config = ConfigDict(frozen=True)
    name: str
    value: FactValue
    document_id: str | None = None
    document_date: date | None = None


class DocumentRef(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str
    kind: str
    date: date


class Evidence(BaseModel):
    """What the rules may look at. Built by the simulator from the submission and its attachments only."""

    facts: dict[str, list[Fact]] = Field(default_factory=dict)
    documents: list[DocumentRef] = Field(default_factory=list)
    diagnosis_codes: list[str] = Field(default_factory=list)
    procedure_codes: list[str] = Field(default_factory=list)

    def latest(self, name: str) -> Fact | None:
        """The most recent statement of a fact; request facts (no date) rank above documents."""
        found = self.facts.get(name) or []
        if not found:
            return None
        return max(found, key=lambda f: (f.document_date is None, f.document_date or date.min))

    def add(self, fact: Fact) -> None:
        self.facts.setdefault(fact.name, []).append(fact)


class Outcome(BaseModel):
    status: Status
    document_ids: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)


def _from_fact(ok: bool, fact: Fact) -> Outcome:
    docs = [fact.document_id] if fact.document_id else []
    return Outcome(status="met" if ok else "not_met", document_ids=docs)


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def evaluate(self, evidence: Evidence, as_of: date) -> Outcome:  # pragma: no cover - abstract
        raise TypeError(f"{type(self).__name__} must define evaluate")

    def facts_used(self) -> set[str]:
        return set()


class AllOf(_Rule):
    """``{op: all, of: [rule, ...]}`` — met when every rule is met; not met when any is not met."""

    op: Literal["all"]
    of: list[Rule] = Field(min_length=1)

    def evaluate(self, evidence: Evidence, as_of: date) -> Outcome:
        parts = [r.evaluate(evidence, as_of) for r in self.of]
        docs = _docs(parts)
        if any(p.status == "not_met" for p in parts):
            return Outcome(status="not_met", document_ids=docs, missing=_missing(parts))
        if any(p.status == "not_evidenced" for p in parts):
            return Outcome(status="not_evidenced", document_ids=docs, missing=_missing(parts))
        return Outcome(status="met", document_ids=docs)

    def facts_used(self) -> set[str]:
        return set().union(*(r.facts_used() for r in self.of))


class AnyOf(_Rule):
    """``{op: any, of: [rule, ...]}`` — met when one rule is met; not met only when every rule is not met."""

    op: Literal["any"]
    of: list[Rule] = Field(min_length=1)

    def evaluate(self, evidence: Evidence, as_of: date) -> Outcome:
        parts = [r.evaluate(evidence, as_of) for r in self.of]
        met = [p for p in parts if p.status == "met"]
        if met:
            return Outcome(status="met", document_ids=_docs(met))
        status: Status = "not_evidenced" if any(p.status == "not_evidenced" for p in parts) else "not_met"
        return Outcome(status=status, document_ids=_docs(parts), missing=_missing(parts))

    def facts_used(self) -> set[str]:
        return set().union(*(r.facts_used() for r in self.of))


class Not(_Rule):
    """``{op: not, rule: rule}`` — swaps met and not met; missing evidence stays missing."""

    op: Literal["not"]
    rule: Rule

    def evaluate(self, evidence: Evidence, as_of: date) -> Outcome:
        inner = self.rule.evaluate(evidence, as_of)
        swapped: dict[Status, Status] = {"met": "not_met", "not_met": "met", "not_evidenced": "not_evidenced"}
        return Outcome(status=swapped[inner.status], document_ids=inner.document_ids, missing=inner.missing)

    def facts_used(self) -> set[str]:
        return self.rule.facts_used()


class _Compare(_Rule):
    fact: str
    value: float | int | bool | str

    def evaluate(self, evidence: Evidence, as_of: date) -> Outcome:
        fact = evidence.latest(self.fact)
        if fact is None:
            return Outcome(status="not_evidenced", missing=[self.fact])
        try:
            return _from_fact(self._test(fact.value), fact)
        except TypeError:
            return _from_fact(False, fact)

    def _test(self, actual: Any) -> bool:  # pragma: no cover - abstract
        raise TypeError

    def facts_used(self) -> set[str]:
        return {self.fact}


class Gte(_Compare):
    """``{op: gte, fact: ahi, value: 15}`` — the fact is at least the value."""

    op: Literal["gte"]

    def _test(self, actual: Any) -> bool:
        return actual >= self.value


class Gt(_Compare):
    """``{op: gt, fact: bmi, value: 40}`` — the fact is above the value."""

    op: Literal["gt"]

    def _test(self, actual: Any) -> bool:
        return actual > self.value


class Lte(_Compare):
    """``{op: lte, fact: visual_field_untaped_deg, value: 30}`` — the fact is at most the value."""

    op: Literal["lte"]

    def _test(self, actual: Any) -> bool:
        return actual <= self.value


class Lt(_Compare):
    """``{op: lt, fact: ahi, value: 15}`` — the fact is below the value."""

    op: Literal["lt"]

    def _test(self, actual: Any) -> bool:
        return actual < self.value


class Eq(_Compare):
    """``{op: eq, fact: kl_grade, value: 4}`` — the fact equals the value."""

    op: Literal["eq"]

    def _test(self, actual: Any) -> bool:
        return actual == self.value


class In(_Rule):
    """``{op: in, fact: ordering_specialty, values: [orthopedics, neurosurgery]}`` — the fact is one of the
    values; for a list-valued fact, any of its items is."""

    op: Literal["in"]
    fact: str
    values: list[str | int | float | bool] = Field(min_length=1)

    def evaluate(self, evidence: Evidence, as_of: date) -> Outcome:
        fact = evidence.latest(self.fact)
        if fact is None:
            return Outcome(status="not_evidenced", missing=[self.fact])
        items = fact.value if isinstance(fact.value, list) else [fact.value]
        return _from_fact(any(item in self.values for item in items), fact)

    def facts_used(self) -> set[str]:
        return {self.fact}


class Documented(_Rule):
    """``{op: documented, fact: red_flag}`` — a received document (or the request) states the fact as
    true or non-empty; a fact stated as false or empty is not met, a fact stated nowhere is not evidenced."""

    op: Literal["documented"]
    fact: str

    def evaluate(self, evidence: Evidence, as_of: date) -> Outcome:
        fact = evidence.latest(self.fact)
        if fact is None:
            return Outcome(status="not_evidenced", missing=[self.fact])
        return _from_fact(bool(fact.value), fact)

    def facts_used(self) -> set[str]:
        return {self.fact}


class HasCode(_Rule):
    """``{op: has_code, on: diagnosis, codes: [M54.4, G83.4]}`` — the request carries a code that starts
    with one of the listed codes or prefixes (``on: procedure`` checks CPT/HCPCS)."""

    op: Literal["has_code"]
    on: Literal["diagnosis", "procedure"] = "diagnosis"
    codes: list[str] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _yaml_on_key(cls, data: Any) -> Any:
        # YAML 1.1 reads a bare `on:` key as the boolean True; accept it as the author meant it.
        if isinstance(data, dict) and True in data:
            data = {("on" if k is True else k): v for k, v in data.items()}
        return data

    def evaluate(self, evidence: Evidence, as_of: date) -> Outcome:
        pool = evidence.diagnosis_codes if self.on == "diagnosis" else evidence.procedure_codes
        norm = [c.replace(".", "").upper() for c in pool]
        ok = any(c.startswith(p.replace(".", "").upper()) for c in norm for p in self.codes)
        return Outcome(status="met" if ok else "not_met")


class DocumentWithin(_Rule):
    """``{op: document_within, kind: office_note, days: 60}`` — a received document of this kind is dated
    no more than ``days`` before the as-of date (and not after it)."""

    op: Literal["document_within"]
    kind: str
    days: int = Field(ge=0)

    def evaluate(self, evidence: Evidence, as_of: date) -> Outcome:
        docs = [d for d in evidence.documents if d.kind == self.kind]
        if not docs:
            return Outcome(status="not_evidenced", missing=[f"document:{self.kind}"])
        recent = [d for d in docs if 0 <= (as_of - d.date).days <= self.days]
        if recent:
            return Outcome(status="met", document_ids=[d.id for d in recent])
        return Outcome(
            status="not_met", document_ids=[d.id for d in docs], missing=[f"recent document:{self.kind}"]
        )


class WithinDays(_Rule):
    """``{op: within_days, fact: tb_test_date, days: 365}`` — a date-valued fact (ISO text) is no more than
    ``days`` before the as-of date."""

    op: Literal["within_days"]
    fact: str
    days: int = Field(ge=0)

    def evaluate(self, evidence: Evidence, as_of: date) -> Outcome:
        fact = evidence.latest(self.fact)
        if fact is None:
            return Outcome(status="not_evidenced", missing=[self.fact])
        try:
            when = date.fromisoformat(str(fact.value))
        except ValueError:
            return _from_fact(False, fact)
        return _from_fact(0 <= (as_of - when).days <= self.days, fact)

    def facts_used(self) -> set[str]:
        return {self.fact}


Rule = Annotated[
    AllOf | AnyOf | Not | Gte | Gt | Lte | Lt | Eq | In | Documented | HasCode | DocumentWithin | WithinDays,
    Field(discriminator="op"),
]

for _cls in (AllOf, AnyOf, Not):
    _cls.model_rebuild()

OPERATORS: dict[str, type[_Rule]] = {
    "all": AllOf,
    "any": AnyOf,
    "not": Not,
    "gte": Gte,
    "gt": Gt,
    "lte": Lte,
    "lt": Lt,
    "eq": Eq,
    "in": In,
    "documented": Documented,
    "has_code": HasCode,
    "document_within": DocumentWithin,
    "within_days": WithinDays,
}


def export_vocabulary() -> list[dict[str, str]]:
    """The operator catalogue for policy authors: name and the YAML form from each class's docstring.

    >>> [row["op"] for row in export_vocabulary()][:3]
    ['all', 'any', 'not']
    """
    return [
        {"op": op, "doc": (cls.__doc__ or "").strip().replace("\n", " ")} for op, cls in OPERATORS.items()
    ]


def _docs(parts: list[Outcome]) -> list[str]:
    seen: dict[str, None] = {}
    for p in parts:
        for d in p.document_ids:
            seen.setdefault(d, None)
    return list(seen)


def _missing(parts: list[Outcome]) -> list[str]:
    seen: dict[str, None] = {}
    for p in parts:
        for m in p.missing:
            seen.setdefault(m, None)
    return list(seen)
