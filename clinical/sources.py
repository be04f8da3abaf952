"""What the record states, read once: chart documents, the case's own fields, notices and policy text.

:func:`case_sources` turns a :class:`~scenarios.models.Case` into sources; :func:`build_index` reads
sources with the same clause reader the claims come from, so a paraphrase in the text and the chart's
wording meet in one normalized form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from clinical import figures as fig
from clinical.extract import ClauseFacts, figure_kind, read_clause, sentence_clauses
from clinical.models import Source, SourceFigure, SourceIndex, SourceMention
from clinical.normalize import normalize
from clinical.vocabulary import term_key, vocabulary
from scenarios.models import Case


def _humanize(name: str) -> str:
    return name.replace("_", " ").strip()


def facts_text(facts: dict[str, object]) -> str:
    """A document's structured facts as sentences the clause reader understands."""
    lines = []
    for key, value in facts.items():
        words = _humanize(key)
        if isinstance(value, bool):
            lines.append(f"{words}: {'yes' if value else 'none'}.")
        elif isinstance(value, list):
            lines.append(f"{words}: {', '.join(str(v) for v in value)}.")
        elif isinstance(value, (int, float)):
            lines.append(f"{words}: {_with_unit(key, value)}.")
        elif value is not None:
            lines.append(f"{words}: {value}.")
    return "\n".join(lines)


def _with_unit(key: str, value: float) -> str:
    """``conservative_care_weeks: 8`` -> ``8 weeks``; ``pain_score: 7`` -> ``pain 7``."""
    forms = vocabulary().forms
    tokens = key.lower().split("_")
    for t in tokens:
        if t in forms.fact_units:
            unit = forms.fact_units[t]
            return f"{fig.num(value)} {unit}s" if unit in forms.duration_days else f"{fig.num(value)} {unit}"
    return f"{fig.num(value)}"


def case_sources(case: Case) -> list[Source]:
    """Each chart document (text and facts) and the case record (patient, coverage, order, codes)."""
    out = []
    for doc in case.chart:
        text = (
            f"{doc.title}, {doc.date.isoformat()}, {doc.author}.\n{doc.text}\n{facts_text(dict(doc.facts))}"
        )
        out.append(Source(id=doc.id, kind="chart", text=text, title=f"the {doc.title.lower()} ({doc.id})"))
    p, cov, o = case.patient, case.coverage, case.order
    lines = [
        f"Patient: {p.first_name} {p.last_name}, DOB {p.dob.isoformat()}, sex {p.sex}, MRN {p.mrn}.",
        f"Coverage: {cov.payer_name}, {cov.plan_name}, {cov.plan_type}, member ID {cov.member_id}, "
        f"effective {cov.effective_from.isoformat()}"
        + (f" to {cov.effective_to.isoformat()}" if cov.effective_to else "")
        + ".",
        f"Order: {o.description}, ordered {o.ordered_on.isoformat()}, date of service "
        f"{o.date_of_service.isoformat()}, {o.urgency_requested}.",
        *(f"Procedure {ln.code.code} ({ln.code.display}) x {ln.units} units." for ln in o.procedures),
        *(f"Diagnosis {d.code} ({d.display})." for d in o.diagnoses),
        f"Case opened {case.sim_start.date().isoformat()}.",
    ]
    if o.requested_duration_days:
        lines.append(f"Requested authorization period {o.requested_duration_days} days.")
    if o.notes:
        lines.append(o.notes)
    for person in (case.ordering_provider, case.servicing_provider):
        lines.append(f"Provider {person.first_name} {person.last_name}, NPI {person.npi}.")
    lines.append(f"Facility {case.facility.name}, NPI {case.facility.npi}.")
    if case.prior_submission is not None:
        # field by field, not as one JSON string: JSON escapes the narrative's line breaks ("\\nPlan:"), which
        # glued words together so a prior plan ("Plan: ... epidural steroid injection") read as a fact
        for key, value in case.prior_submission.model_dump(mode="json").items():
            lines.append(f"Prior submission {key}: {value}")
    out.append(Source(id="case", kind="case", text="\n".join(lines), title="the case record"))
    return out


def _add_clause(
    index: SourceIndex, cf: ClauseFacts, source: Source, passage: str, context: frozenset[str] = frozenset()
) -> None:
    """``context``: concepts of the document's title ("Physical therapy discharge summary"), which every
    figure of the document is also about."""
    concepts = cf.concepts() | {f.label for f in cf.figures if f.label} | context
    v = vocabulary()
    # a policy lists findings and therapies as conditions ("a red flag such as saddle anesthesia"): it can
    # back a figure, date, regulation or reference, never a finding about this patient
    # the case record carries text too (a prior submission's "Plan: ... epidural steroid injection"):
    # a plan there is no more evidence that the therapy happened than one in the chart
    plan_at = cf.plan_at if source.kind in ("chart", "case") else None
    for m in cf.mentions if source.kind != "policy" else ():
        planned = plan_at is not None and m.start >= plan_at and m.kind in ("therapy", "test")
        index.mentions.setdefault(m.concept, []).append(
            SourceMention(m.concept, m.negated, source.id, passage, planned)
        )
        parent = v.concepts[m.concept].parent
        if parent and not m.negated:  # "foot drop" is a red flag; "denies fever" says nothing of others
            index.mentions.setdefault(parent, []).append(SourceMention(parent, False, source.id, passage))
    for f in cf.figures:
        index.figures.append(
            SourceFigure(
                f.value,
                f.unit,
                figure_kind(f),
                concepts | {cf.concept_near(f.start)} - {""},
                source.id,
                passage,
                bool(_BOUND.search(cf.low[max(0, f.start - 60) : f.start])),
            )
        )
        index.numbers.add(f.value)
        if f.unit and f.unit.startswith("/"):
            index.ratios.add((f.value, f.unit))
            index.numbers.add(f.unit[1:])
    _add_window_units(index, cf, source.id, passage)
    for d in cf.dates:
        if d.year and d.day:
            index.dates.setdefault(d.text, (source.id, passage))
    for y, _s, _e in cf.years:
        index.numbers.add(y)
    for value, s, _e in cf.stages:
        index.stages.append(
            SourceFigure(value, None, "stage", frozenset({cf.concept_near(s)}) - {""}, source.id, passage)
        )
    for value, _s, _e in cf.regulations:
        index.strings.append((value, source.id, source.kind))


_WORD = re.compile(r"[a-z][a-z0-9/\-]*")
# words that make the next figure a limit, not a value; in a list the limit covers each item ("at least
# 3 hours a day, 3 days a week" in the H0015 descriptor states neither the patient's hours nor days)
_BOUND = re.compile(
    r"(?:at least|at most|minimum of|maximum of|up to|no more than|no fewer than|>=|<=|≥|≤)"
    r"(?:\s*[\d.]+\s*[a-z/]+(?:\s+(?:a|per)\s+[a-z]+)?\s*,\s*(?:and\s+)?)*\s*$"
)


def _add_window_units(index: SourceIndex, cf: ClauseFacts, source_id: str, passage: str) -> None:
    """A unit written a few words before the figure: "Duration of care: 8 weeks" already has it after;
    "Channels recorded: 4" and "Subsequent scans performed since then: 3" have it before."""
    units = vocabulary().forms.units
    for f in cf.figures:
        if f.unit:
            continue
        before = re.split(r"[0-9]", cf.low[max(0, f.start - 50) : f.start])[-1]
        for w in _WORD.findall(before)[-4:]:
            unit = units.get(w.rstrip(":"))
            if unit:
                index.figures.append(
                    SourceFigure(
                        f.value,
                        unit,
                        figure_kind(fig.Figure(f.value, unit, None, 0, 0)),
                        cf.concepts(),
                        source_id,
                        passage,
                    )
                )


def build_index(sources: Iterable[Source], service_line: str | None = None) -> SourceIndex:
    index = SourceIndex()
    for source in sources:
        index.strings.append((source.text.lower(), source.id, source.kind))
        index.strings.append((source.id.lower(), source.id, source.kind))
        for value in source.facts.values():
            for item in value if isinstance(value, list) else [value]:
                index.strings.append((str(item).lower(), source.id, source.kind))
        body = source.text
        if source.facts and source.kind != "policy":
            body += "\n" + facts_text(dict(source.facts))
        context: frozenset[str] = frozenset()
        if source.title:
            context = read_clause(normalize(source.title), service_line).concepts()
        for _span, sentence, parts in sentence_clauses(body):
            for clause in parts:
                _add_clause(index, read_clause(clause, service_line), source, sentence, context)
    return index


def known_concept(words: str) -> str | None:
    """The vocabulary concept a phrase names exactly, if any (for fact names)."""
    v = vocabulary()
    return v.term_concept.get(term_key(words))
