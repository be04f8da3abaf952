"""The claim checker: each claim of a text against what the sources state, read like a reviewer would.

- Findings and therapies: supported when a source mentions the concept with the same polarity
  ("no myelopathy" / "No signs of myelopathy"), contradicted when the sources only state the opposite
  ("myelopathy" / "no myelopathy"; "no red flags" / "new foot drop"), unsupported when no source names it.
- Figures: compared by value and unit class after normalization; a figure about a concept the sources
  give a different value for ("12 weeks of PT" / "8 weeks of physical therapy") is contradicted.
- Dates: partial dates ("09/18", "Sept 18") match any full source date with that month and day.
- Regulations and references: supported only when a source (a policy passage, the case) names them.
- Pasted policy text: a sentence mostly made of a policy source's wording is ``policy_text``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache

from clinical.extract import extract_claims
from clinical.models import Claim, Evidence, Finding, Source, SourceFigure, SourceIndex
from clinical.policy_text import pasted_sentences, policy_text_share
from clinical.sources import build_index, case_sources
from clinical.vocabulary import vocabulary
from scenarios.models import Case

# concepts a ratio is a score of ("pain 7/10", "strength 5/5"): never read as a date
_SCALES = frozenset({"pain", "strength", "epworth", "oswestry", "ndi", "reflex", "grade", "motor strength"})
_CLOSE = 0.03  # durations in different units compare within 3 % (8 weeks = 56 days)


class ClaimChecker:
    """Checks texts against a fixed set of sources (prepared once; cheap to call many times)."""

    def __init__(self, sources: Sequence[Source], service_line: str | None = None):
        self.sources = tuple(sources)
        self.service_line = service_line
        self._titles = {s.id: s.title or s.id for s in self.sources}
        self._index: SourceIndex = build_index(self.sources, service_line)
        self._policy = [s.text for s in self.sources if s.kind == "policy"]

    @classmethod
    def for_case(cls, case: Case) -> ClaimChecker:
        """A checker over the case's chart documents and record; cached per case content."""
        return _cached_for_case(case.model_dump_json())

    def with_sources(self, extra: Iterable[Source]) -> ClaimChecker:
        """A new checker that also accepts what ``extra`` states (policy passages, payer notices)."""
        return ClaimChecker([*self.sources, *extra], self.service_line)

    # ----- checking ---------------------------------------------------------------------------------

    def check(self, text: str) -> list[Finding]:
        """One finding per claim of ``text``, in text order."""
        claims = extract_claims(text, self.service_line)
        pasted = pasted_sentences(text, self._policy) if self._policy else {}
        out: list[Finding] = []
        pasted_seen: set[tuple[int, int]] = set()
        for claim in claims:
            if claim.span in pasted:
                pasted_seen.add(claim.span)
                out.append(self._policy_finding(claim, pasted[claim.span]))
                continue
            out.append(self._judge(claim))
        for span, passage in pasted.items():
            if span not in pasted_seen:
                sentence = text[span[0] : span[1]]
                claim = Claim("statement", sentence, span, sentence)
                out.append(self._policy_finding(claim, passage))
        return sorted(out, key=lambda f: f.claim.span)

    def problems(self, text: str) -> list[Finding]:
        return [f for f in self.check(text) if f.is_problem]

    def policy_text_share(self, text: str, policy_passages: Iterable[str] | None = None) -> float:
        """The share of ``text``'s words that sit in runs copied from the policy passages."""
        return policy_text_share(text, list(policy_passages) if policy_passages is not None else self._policy)

    # ----- verdicts ---------------------------------------------------------------------------------

    def _judge(self, claim: Claim) -> Finding:
        kind = claim.kind
        if kind in ("finding", "negated_finding", "therapy"):
            return self._judge_concept(claim)
        if kind == "date":
            return self._judge_date(claim)
        if kind == "stage":
            return self._judge_stage(claim)
        if kind in ("regulation", "reference"):
            return self._judge_named(claim)
        return self._judge_figure(claim)

    def _judge_concept(self, claim: Claim) -> Finding:
        v = vocabulary()
        concept = v.concepts[claim.concept]
        mentions = list(self._index.mentions.get(claim.concept, []))
        if not claim.negated:
            for narrower in concept.includes:
                mentions += [m for m in self._index.mentions.get(narrower, []) if not m.negated]
        if claim.negated:
            # the case record's order is what is asked for, not what was given: "never had any infliximab"
            # is not contradicted by an order for infliximab (naming the ordered procedure stays supported)
            mentions = [replace(m, planned=True) if m.source_id == "case" else m for m in mentions]
        planned = [m for m in mentions if m.planned]
        mentions = [m for m in mentions if not m.planned]
        # quote the passage that uses the claim's own words first ("no myelopathy" before "no clonus")
        said = claim.surface.lower()
        mentions.sort(key=lambda m: said not in m.passage.lower())
        same = [m for m in mentions if m.negated == claim.negated]
        if same:
            return self._found(claim, "supported", Evidence(same[0].source_id, same[0].passage))
        if mentions:
            return self._found(claim, "contradicted", Evidence(mentions[0].source_id, mentions[0].passage))
        if not claim.negated and concept.parent:
            parent = [m for m in self._index.mentions.get(concept.parent, []) if m.negated]
            if parent:  # "saddle anesthesia" where the chart says "no red flags"
                return self._found(claim, "contradicted", Evidence(parent[0].source_id, parent[0].passage))
        if planned and claim.negated:  # "no ESI yet" where the chart plans one: not done so far
            return self._found(claim, "supported", Evidence(planned[0].source_id, planned[0].passage))
        if claim.negated and claim.kind == "therapy":
            # "no PT course was done": a record that never mentions the therapy does not show it happened,
            # which is what the sentence says (a chart that records it contradicts it, above)
            return self._found(claim, "supported", None)
        if planned:  # "failed an ESI" where the chart only plans one
            return self._found(claim, "unsupported", Evidence(planned[0].source_id, planned[0].passage))
        return self._found(claim, "unsupported", None)

    def _judge_figure(self, claim: Claim) -> Finding:
        assert claim.value is not None
        figs = self._index.figures
        as_date = self._date_reading(claim)
        if as_date is not None:  # "CT 4/23": read as a score, but it is the day of a dated record
            return self._found(claim, "supported", as_date)
        if claim.unit is None and claim.kind == "count" and not claim.concept:
            if claim.value in self._index.numbers:
                return self._found(claim, "supported", None)
            return self._found(claim, "unsupported", None)
        compatible = [f for f in figs if _same_unit(claim, f)]
        about = [f for f in compatible if claim.concept and claim.concept in f.concepts]
        if claim.unit is None and claim.concept:
            # "gabapentin 300 TID" where the note says "gabapentin ... 300 mg": the unit left off
            same = next((f for f in figs if claim.concept in f.concepts and f.value == claim.value), None)
            if same is not None:
                return self._found(claim, "supported", Evidence(same.source_id, same.passage))
        for pool in (about, compatible):
            hit = next((f for f in pool if _same_value(claim, f)), None)
            if hit is not None:
                return self._found(claim, "supported", Evidence(hit.source_id, hit.passage))
        if about:
            return self._found(claim, "contradicted", Evidence(about[0].source_id, about[0].passage))
        if claim.kind in ("size", "dose", "score", "lab", "rate") and claim.concept == "":
            # one tumour size, one dose, one rate in the record (however often it is repeated): a different
            # figure of that kind contradicts it; limits ("at least 3 days a week") state no value
            stated = [f for f in compatible if not f.bound]
            if len({(f.value, f.unit) for f in stated}) != 1:
                return self._found(claim, "unsupported", None)
            only = stated[0]
            return self._found(claim, "contradicted", Evidence(only.source_id, only.passage))
        return self._found(claim, "unsupported", None)

    def _date_reading(self, claim: Claim) -> Evidence | None:
        """For an m/d ratio ("4/23") that is a valid month and day: the record's date with that month and
        day, if one exists (any year). A pain score "7/10" has no such date unless one happens to match."""
        unit = claim.unit or ""
        if not unit.startswith("/"):
            return None
        try:
            month, day = int(float(claim.value or 0)), int(unit[1:])
        except ValueError:
            return None
        if not (1 <= month <= 12 and 1 <= day <= 31) or claim.kind != "score" or claim.concept in _SCALES:
            return None
        for iso, (sid, passage) in self._index.dates.items():
            if int(iso[5:7]) == month and int(iso[8:10]) == day:
                return Evidence(sid, passage)
        return None

    def _judge_date(self, claim: Claim) -> Finding:
        assert claim.value is not None
        y, m, d = claim.value.split("-")
        if m == "??":  # a bare year
            ok = y in self._index.numbers or any(iso.startswith(y) for iso in self._index.dates)
            return self._found(claim, "supported" if ok else "unsupported", None)
        for iso, (sid, passage) in self._index.dates.items():
            sy, sm, sd = iso.split("-")
            if sm == m and (d == "??" or sd == d) and (y == "????" or sy == y):
                return self._found(claim, "supported", Evidence(sid, passage))
        return self._found(claim, "unsupported", None)

    def _judge_stage(self, claim: Claim) -> Finding:
        same_type = [s for s in self._index.stages if s.value.split()[0] == (claim.value or "").split()[0]]
        hit = next((s for s in same_type if s.value == claim.value), None)
        if hit is not None:
            return self._found(claim, "supported", Evidence(hit.source_id, hit.passage))
        about = [s for s in same_type if not claim.concept or not s.concepts or claim.concept in s.concepts]
        if about:
            return self._found(claim, "contradicted", Evidence(about[0].source_id, about[0].passage))
        return self._found(claim, "unsupported", None)

    def _judge_named(self, claim: Claim) -> Finding:
        needle = (claim.value or "").lower()
        base = needle.split(":")[0].strip()
        for text, sid, _kind in self._index.strings:
            if needle in text or (base and base in text):
                return self._found(claim, "supported", Evidence(sid, claim.surface))
        return self._found(claim, "unsupported", None)

    # ----- messages ---------------------------------------------------------------------------------

    def _found(self, claim: Claim, verdict: str, evidence: Evidence | None) -> Finding:
        said = f'"{claim.sentence.strip()}"'
        what = _describe(claim)
        if verdict == "supported":
            where = f" ({self._titles.get(evidence.source_id, evidence.source_id)})" if evidence else ""
            msg = f"{said}: {what} is in the record{where}."
        elif verdict == "contradicted":
            assert evidence is not None
            msg = (
                f"{said} states {what}, but {self._titles.get(evidence.source_id, evidence.source_id)} says: "
                f'"{evidence.passage.strip()}".'
            )
        elif evidence is not None:  # the record only plans it
            where = self._titles.get(evidence.source_id, evidence.source_id)
            msg = f'{said} states {what} as done, but {where} only plans it: "{evidence.passage.strip()}".'
        else:
            msg = f"{said} states {what}, which nothing in the record supports."
        return Finding(claim, verdict, evidence, msg)  # type: ignore[arg-type]

    def _policy_finding(self, claim: Claim, passage: tuple[str, str]) -> Finding:
        sid, quoted = passage
        msg = (
            f'"{claim.sentence.strip()}" repeats the policy\'s wording ({self._titles.get(sid, sid)}: '
            f'"{quoted.strip()}") instead of stating the patient\'s facts.'
        )
        return Finding(claim, "policy_text", Evidence(sid, quoted), msg)


def _describe(claim: Claim) -> str:
    if claim.kind in ("finding", "therapy"):
        return (
            f'"{claim.surface}" ({claim.concept})'
            if claim.surface.lower() != claim.concept
            else f'"{claim.surface}"'
        )
    if claim.kind == "negated_finding":
        return f'the absence of "{claim.surface}"'
    if claim.kind in ("regulation", "reference"):
        return f"the {claim.kind} {claim.surface}"
    return f'"{claim.surface}"' + (f" ({claim.concept})" if claim.concept else "")


def _same_unit(claim: Claim, f: SourceFigure) -> bool:
    if claim.unit == f.unit:
        return True
    scale = (claim.unit or "").startswith("/") or (f.unit or "").startswith("/")
    if scale and (claim.unit is None or f.unit is None):
        # "Epworth 13/24" and "Epworth score: 13" state one score when they name the same thing
        return bool(claim.concept) and claim.concept in f.concepts
    forms = vocabulary().forms
    if forms.unit_kinds.get(claim.unit or "") == "rate" == forms.unit_kinds.get(f.unit or ""):
        return True  # "3 days/week" and "3 times/week" of one therapy state the same frequency
    days = forms.duration_days
    return claim.unit in days and f.unit in days


def _same_value(claim: Claim, f: SourceFigure) -> bool:
    days = vocabulary().forms.duration_days
    if claim.unit == f.unit or claim.unit not in days or f.unit not in days:
        return claim.value == f.value
    a = float(claim.value or 0) * days[claim.unit or ""]
    b = float(f.value) * days[f.unit or ""]
    return abs(a - b) <= _CLOSE * max(a, b)


@lru_cache(maxsize=256)
def _cached_for_case(case_json: str) -> ClaimChecker:
    case = Case.model_validate_json(case_json)
    return ClaimChecker(case_sources(case), case.order.service_line)
