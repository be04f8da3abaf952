"""The seeded case generator: ``generate_case(module_id, seed)`` builds one :class:`Case`.

Everything is drawn from a ``random.Random`` and a Faker seeded from sha256(module_id:seed) (never
``hash()``, which is salted per process), and from no clock: the same ``module:seed`` gives the same
case, byte for byte, in any process. The answer key is written by :mod:`scenarios.answer_key` from
the archetype's declarations and the content, never by running the simulator.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import TemplateError

from knowledge_base.loader import CONTENT_ROOT, Library, load_library
from knowledge_base.models import Manual, Policy
from scenarios.answer_key import (
    CaseParts,
    authorized_span,
    build_answer_key,
    correct_lines,
    policy_codes_needing_primary,
)
from scenarios.content import (
    SCENARIO_ROOT,
    Archetype,
    DocumentSpec,
    LoadedFiles,
    ModuleSpec,
    ScenarioContentError,
    ServiceLineSpec,
    load_files,
    resolve_facts,
)
from scenarios.limits import within_limits
from scenarios.models import Case, ChartDocument, Code, Order, Submission
from scenarios.people import (
    AUTHOR_ROLES,
    STATES,
    author_name,
    make_coverage,
    make_facility,
    make_patient,
    make_provider,
    seeded_faker,
)
from scenarios.rendering import context, order_variable, render, specialty_label
from scenarios.timeline import (
    PRIOR_DAYS_BACK,
    add_business_days,
    at_time,
    is_business_day,
    pick_sim_start,
    previous_business_day,
)
from scenarios.validation import check_module


class UnknownModuleError(ValueError):
    """No module with that id; the message lists the known ones."""


@dataclass
class Content:
    """Scenario files and the policy library a generator run reads, with the combined version."""

    files: LoadedFiles
    library: Library
    version: str
    _checked: dict[str, list[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def module_errors(self, module: ModuleSpec) -> list[str]:
        with self._lock:
            if module.id not in self._checked:
                self._checked[module.id] = check_module(module, self.files, self.library)
            return self._checked[module.id]


@lru_cache(maxsize=4)
def load_content(scenario_root: Path = SCENARIO_ROOT, kb_root: Path = CONTENT_ROOT) -> Content:
    files = load_files(scenario_root)
    library = load_library(kb_root)
    return Content(files=files, library=library, version=f"kb-{library.version}.sc-{files.digest}")


def derive_seed(module_id: str, seed: int) -> int:
    """A 64-bit seed from (module, seed) that is the same in every process."""
    return int.from_bytes(hashlib.sha256(f"{module_id}:{seed}".encode()).digest()[:8], "big")


def check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}; pass e.g. seed=0")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}; use 0 or more")
    return seed


def generate_case(module_id: str, seed: int, *, content: Content | None = None) -> Case:
    """The case ``module_id:seed``. Raises UnknownModuleError, ValueError (bad seed) or
    ScenarioContentError (the module's content has errors; each names its file and path)."""
    check_seed(seed)
    content = content or load_content()
    module = content.files.modules.get(module_id)
    if module is None:
        known = ", ".join(sorted(content.files.modules)) or "(none)"
        raise UnknownModuleError(f"unknown module {module_id!r}; known modules: {known}")
    errors = content.module_errors(module)
    if errors:
        raise ScenarioContentError(errors)
    rng = random.Random(derive_seed(module_id, seed))
    archetype = rng.choices(module.archetypes, weights=[a.weight for a in module.archetypes])[0]
    payer = rng.choice(archetype.payers)
    line = content.files.service_lines[archetype.service_line]
    policy = content.library.policy_for(payer, line.id)
    if policy is None:  # module_errors reports a missing policy first; never a bare assert or None here
        raise ScenarioContentError(
            [
                f"{module_id} > {archetype.id} > payers: {payer} has no policy for {line.id}; add one or drop the payer"
            ]
        )
    manual = content.library.manual(payer)
    try:
        parts = _build_parts(rng, derive_seed(module_id, seed), archetype, payer, line, policy, manual)
        parts.case_id = f"{module_id}:{seed}"
    except TemplateError as exc:  # validate_content reports these up front; never a bare Jinja trace here
        where = content.files.paths.get(f"service_lines/{line.id}", line.id)
        raise ScenarioContentError(
            [f"{where}: a template failed for {module_id}:{seed} ({archetype.id}): {exc}"]
        ) from exc
    if parts.order is None:  # _build_parts always derives it; say which field if that ever changes
        raise ValueError(f"order: case {module_id}:{seed} ({archetype.id}) was built without an order")
    return Case(
        case_id=f"{module_id}:{seed}",
        module_id=module_id,
        archetype_id=archetype.id,
        seed=seed,
        content_version=content.version,
        title=_title(parts),
        sim_start=parts.sim_start,
        patient=parts.patient,
        coverage=parts.coverage,
        ordering_provider=parts.ordering,
        servicing_provider=parts.servicing,
        facility=parts.facility,
        order=parts.order,
        chart=parts.chart,
        prior_submission=parts.prior_submission,
        answer_key=build_answer_key(parts),
    )


def archetype_content(
    module_id: str, archetype_id: str, payer: str, *, content: Content | None = None
) -> Content:
    """``content`` narrowed so module ``module_id`` draws only ``archetype_id`` at ``payer``: every seed then
    gives that pair (to preview an archetype, or to test every archetype at every payer without relying on
    the weighted draw). Raises UnknownModuleError or ValueError naming what is not there."""
    content = content or load_content()
    module = content.files.modules.get(module_id)
    if module is None:
        raise UnknownModuleError(
            f"unknown module {module_id!r}; known modules: {', '.join(sorted(content.files.modules))}"
        )
    archetype = next((a for a in module.archetypes if a.id == archetype_id), None)
    if archetype is None:
        raise ValueError(
            f"archetype_id: {module_id} has no archetype {archetype_id!r}; "
            f"known: {', '.join(a.id for a in module.archetypes)}"
        )
    if payer not in archetype.payers:
        raise ValueError(f"payer: {archetype_id} is written for {', '.join(archetype.payers)}, not {payer!r}")
    narrowed = module.model_copy(update={"archetypes": [archetype.model_copy(update={"payers": [payer]})]})
    files = replace(content.files, modules={**content.files.modules, module_id: narrowed})
    return Content(files=files, library=content.library, version=content.version)


def module_ids(content: Content | None = None) -> list[str]:
    """Every module's id, sorted: the content decides which modules exist (benches and tests read this)."""
    return sorted((content or load_content()).files.modules)


def list_modules(content: Content | None = None) -> list[dict[str, Any]]:
    """The catalogue of modules: id, title, what it teaches, pass mark, archetype count, service lines."""
    content = content or load_content()
    return [
        {
            "id": m.id,
            "title": m.title,
            "teaches": m.teaches,
            "pass_mark": m.pass_mark,
            "archetypes": len(m.archetypes),
            "service_lines": sorted({a.service_line for a in m.archetypes}),
        }
        for m in sorted(content.files.modules.values(), key=lambda m: m.id)
    ]


def case_to_json(case: Case) -> str:
    """Canonical JSON: sorted keys, no insignificant whitespace, so equal cases give equal bytes."""
    return json.dumps(case.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def merged_facts(
    line: ServiceLineSpec, archetype: Archetype, start: date, *, with_profile: bool = True
) -> dict[str, Any]:
    """Baseline ⊕ profile ⊕ the archetype's facts, relative dates resolved for a case starting on ``start``."""
    facts: dict[str, Any] = dict(line.fact_specs)
    if with_profile and archetype.profile:
        facts.update(line.profile_specs[archetype.profile])
    facts.update(archetype.facts)
    return resolve_facts(facts, start)


def _title(parts: CaseParts) -> str:
    base = f"{parts.line.title} — {parts.patient.name} ({parts.coverage.payer_name})"
    prefix = {
        "denied": "Denied request: ",
        "pended": "Pended request: ",
        "approved": "Concurrent review: ",
    }.get(parts.archetype.prior, "")
    return prefix + base


def _build_parts(
    rng: random.Random,
    seed_int: int,
    archetype: Archetype,
    payer: str,
    line: ServiceLineSpec,
    policy: Policy,
    manual: Manual,
) -> CaseParts:
    expect = archetype.expect_for(payer)
    order_spec = archetype.order_for(line.order)
    # the answer key's request: capped from the policy's own limits, never by asking the simulator
    request_spec = within_limits(order_spec, policy) if archetype.request == "within_limits" else order_spec
    sim_start = pick_sim_start(rng)
    start = sim_start.date()
    lead = {"normal": line.order.lead_business_days, "short": 1, "none": 0}[archetype.lead]
    dos = add_business_days(start, lead)
    if archetype.extension is not None:  # concurrent review: the approved service began before the case
        end = start + timedelta(days=archetype.extension.days_left)
        dos = end - timedelta(days=authorized_span(request_spec, policy))
    state = rng.choice(STATES)
    with seeded_faker(seed_int) as fake:
        patient = make_patient(
            fake, rng, patient_ages=line.patient_ages, plan_type=manual.plan_type, today=start, state=state
        )
        city = patient.address.city
        ordering_specialty = archetype.ordering_specialty or line.order.ordering_specialty
        ordering = make_provider(fake, rng, specialty=ordering_specialty, city=city)
        servicing = ordering
        if line.order.servicing_specialty != ordering_specialty:
            servicing = make_provider(fake, rng, specialty=line.order.servicing_specialty, city=city)
        facility = make_facility(fake, rng, place_of_service=order_spec.place_of_service, state=state)
        used = {d.author for d in line.documents}
        # keyed by author role as the templates name it (str): ordering/servicing are added below
        authors: dict[str, str] = {role: author_name(fake, role) for role in AUTHOR_ROLES if role in used}
    authors.update(ordering=ordering.display_name, servicing=servicing.display_name)
    coverage = make_coverage(
        rng,
        payer=payer,
        manual=manual,
        patient=patient,
        start=start,
        kind=archetype.coverage,
        ordering=ordering,
    )
    if archetype.extension is not None and coverage.effective_from > dos - timedelta(days=40):
        # a concurrent-review case's coverage was already in force when the approved request was sent
        coverage = coverage.model_copy(update={"effective_from": date((dos - timedelta(days=40)).year, 1, 1)})
    parts = CaseParts(
        archetype=archetype,
        expect=expect,
        payer=payer,
        line=line,
        policy=policy,
        manual=manual,
        sim_start=sim_start,
        dos=dos,
        patient=patient,
        coverage=coverage,
        ordering=ordering,
        servicing=servicing,
        facility=facility,
        order_spec=order_spec,
        request_spec=request_spec,
    )
    prior_at = _prior_time(rng, sim_start) if archetype.prior != "none" else None
    if archetype.prior == "approved":
        prior_at = _approved_prior_time(rng, dos, line.order.lead_business_days)
    parts.order = _order(rng, parts, anchor=prior_at.date() if prior_at else start)
    parts.base_context = _base_context(parts)
    facts_now = merged_facts(line, archetype, start)
    parts.chart, parts.relevant, parts.added_after_prior = _chart(rng, parts, authors, facts_now, prior_at)
    parts.facts = facts_now
    if archetype.prior == "denied" and archetype.add_documents_after_prior:
        parts.facts = merged_facts(line, archetype, start, with_profile=False)
    parts.narrative = render(line.narrative, {**_request_context(parts), **parts.facts, "doc_date": start})
    if line.extension is not None and archetype.extension is not None:
        ext_facts = {**resolve_facts(line.extension.facts, start), **parts.facts}
        parts.extension_update = render(
            line.extension.update,
            {
                **_request_context(parts),
                **ext_facts,
                "doc_date": start,
                "additional": archetype.extension.additional,
                # whether every update document is in the chart: an update never cites a record it lacks
                "update_on_file": not {d.kind for d in line.extension.documents}
                & set(archetype.withhold_documents),
            },
        )
    if prior_at is not None:
        parts.prior_submission = _prior_submission(parts, prior_at, facts_now)
    return parts


def _order(rng: random.Random, parts: CaseParts, *, anchor: date) -> Order:
    """The order as written, dated at the ordering provider's visit (before any prior request)."""
    spec, archetype = parts.order_spec, parts.archetype
    diagnoses = spec.vague_diagnoses if archetype.order_codes == "vague_diagnosis" else spec.diagnoses
    lines = correct_lines(spec)
    if archetype.order_codes == "wrong_units":
        first = lines[0]
        lines[0] = first.model_copy(update={"units": first.units + rng.choice((1, 2))})
    elif archetype.order_codes == "addon_without_primary":
        addons = policy_codes_needing_primary(parts.policy)
        lines = [ln for ln in lines if ln.code.code in addons]
    ordered_days = [d.days_before_start for d in parts.line.documents if d.author == "ordering"] or [1]
    urgent = parts.expect.action == "submit_expedited" and rng.random() < 0.5
    return Order(
        service_line=parts.line.id,
        description=spec.description,
        review=spec.review,
        admission_type=spec.admission_type,
        diagnoses=[Code(system=d.system, code=d.code, display=d.display) for d in diagnoses],
        procedures=lines,
        ordered_on=anchor - timedelta(days=min(ordered_days)),
        date_of_service=parts.dos,
        urgency_requested="urgent" if urgent else "routine",
        place_of_service=spec.place_of_service,
        requested_duration_days=spec.requested_duration_days,
    )


def _people_context(provider: Any) -> dict[str, Any]:
    return {
        "display_name": provider.display_name,
        "first_name": provider.first_name,
        "last_name": provider.last_name,
        "credentials": provider.credentials,
        "specialty": specialty_label(provider.specialty),
        "npi": provider.npi,
        "organization": provider.organization,
    }


def _base_context(parts: CaseParts) -> dict[str, Any]:
    p = parts.patient
    age = (
        parts.sim_start.year
        - p.dob.year
        - ((parts.sim_start.month, parts.sim_start.day) < (p.dob.month, p.dob.day))
    )
    female = p.sex == "F"
    return context(
        facts={},
        patient={
            "first_name": p.first_name,
            "last_name": p.last_name,
            "name": p.name,
            "dob": p.dob,
            "sex": p.sex,
            "age": age,
            "mrn": p.mrn,
            "pronoun": "she" if female else "he",
            "possessive": "her" if female else "his",
            "title": "Ms." if female else "Mr.",
        },
        ordering=_people_context(parts.ordering),
        servicing=_people_context(parts.servicing),
        facility={
            "name": parts.facility.name,
            "npi": parts.facility.npi,
            "city": parts.facility.address.city,
            "state": parts.facility.address.state,
        },
        order=order_variable(parts.order_spec),
        payer={"id": parts.payer, "name": parts.manual.name, "plan_type": parts.manual.plan_type},
        start_date=parts.sim_start.date(),
        dos=parts.dos,
        doc_date=parts.sim_start.date(),
    )


def _request_context(parts: CaseParts) -> dict[str, Any]:
    """The base context with ``order`` describing the request (what the narrative asks for), not the order."""
    return {**parts.base_context, "order": order_variable(parts.order_spec, parts.request_spec)}


def _approved_prior_time(rng: random.Random, dos: date, lead_business_days: int) -> datetime:
    """When the approved request was sent: the service line's lead time before the service began, plus
    0-2 days, on a business day."""
    day = dos
    for _ in range(lead_business_days):
        day = previous_business_day(day - timedelta(days=1))
    day -= timedelta(days=rng.randint(0, 2))
    while not is_business_day(day):
        day -= timedelta(days=1)
    return at_time(day, rng.randint(9, 15), rng.choice((0, 15, 30, 45)))


def _prior_time(rng: random.Random, sim_start: datetime) -> datetime:
    # 5-9 days back, plus up to 2 more to reach a business day: at most 11 days, so the trainee's
    # answer still falls inside the shortest reply or filing window (14 days: pend replies at
    # Cardinal and Prairie, Lakeshore's peer-to-peer).
    day = sim_start.date() - timedelta(days=rng.randint(*PRIOR_DAYS_BACK))
    while not is_business_day(day):
        day -= timedelta(days=1)
    return at_time(day, rng.randint(9, 15), rng.choice((0, 15, 30, 45)))


def _chart(
    rng: random.Random,
    parts: CaseParts,
    authors: dict[str, str],
    facts_now: dict[str, Any],
    prior_at: datetime | None,
) -> tuple[list[ChartDocument], dict[str, bool], list[str]]:
    """Chart documents with ids ``doc-01``… (clinical documents in date order, then the scanned member
    card), which are relevant, and which were added after the prior request."""
    archetype, start = parts.archetype, parts.sim_start.date()
    anchor = prior_at.date() if prior_at else start
    added = set(archetype.add_documents_after_prior) if prior_at else set()
    later_days = [anchor + timedelta(days=i) for i in range(1, (start - anchor).days)]
    later_days = [d for d in later_days if is_business_day(d)] or [start]
    new_facts = merged_facts(parts.line, archetype, start, with_profile=False)
    drafts: list[tuple[date, int, int, DocumentSpec, dict[str, Any]]] = []
    for index, spec in enumerate(parts.line.documents):
        if spec.kind in archetype.withhold_documents:
            continue
        if spec.kind in added:
            if archetype.prior == "denied":  # the version the prior request carried, then the new one
                drafts.append((anchor - timedelta(days=spec.days_before_start), index, 0, spec, facts_now))
                drafts.append((rng.choice(later_days), index, 1, spec, new_facts))
            else:
                drafts.append((rng.choice(later_days), index, 1, spec, facts_now))
        elif archetype.lead == "none" and spec.author == "ordering" and prior_at is None:
            # the service is today (an emergency): the ordering physician's note is from today's visit
            drafts.append((start, index, 0, spec, facts_now))
        else:
            drafts.append((anchor - timedelta(days=spec.days_before_start), index, 0, spec, facts_now))
    drafts += _extension_drafts(parts, new_facts)
    drafts.sort(key=lambda d: (d[0], d[1], d[2]))
    card_day = _card_day(rng, parts)
    chart: list[ChartDocument] = []
    relevant: dict[str, bool] = {}
    added_ids: list[str] = []
    for n, (day, _index, version, spec, facts) in enumerate(drafts, start=1):
        doc_id = f"doc-{n:02d}"
        author = authors[spec.author]
        ctx = {**parts.base_context, **facts, "doc_date": day, "author": author}
        chart.append(
            ChartDocument(
                id=doc_id,
                kind=spec.kind,
                date=day,
                author=author,
                title=spec.title,
                text=render(rng.choice(spec.templates), ctx),
                facts={k: facts[k] for k in spec.states},
            )
        )
        relevant[doc_id] = spec.relevant and (spec.relevant_for is None or parts.payer in spec.relevant_for)
        if version == 1:
            added_ids.append(doc_id)
    # The scanned member card is in every chart, so its presence never hints at a member-id problem;
    # a payer does not need it (minimum necessary), hence not relevant.
    card = _insurance_card(parts, f"doc-{len(chart) + 1:02d}", card_day)
    chart.append(card)
    relevant[card.id] = False
    return chart, relevant, added_ids


def _extension_drafts(
    parts: CaseParts, facts: dict[str, Any]
) -> list[tuple[date, int, int, DocumentSpec, dict[str, Any]]]:
    """A concurrent-review case's clinical-update documents (the service line's ``extension`` section),
    written after the approved request, dated ``days_before_start`` before the case starts; they state the
    extension facts with the archetype's facts over them, and count as added after the prior request."""
    ext, archetype = parts.line.extension, parts.archetype
    if ext is None or archetype.extension is None:
        return []
    start = parts.sim_start.date()
    stated = {**resolve_facts(ext.facts, start), **facts}
    offset = len(parts.line.documents)
    return [
        (start - timedelta(days=spec.days_before_start), offset + i, 1, spec, stated)
        for i, spec in enumerate(ext.documents)
        if spec.kind not in archetype.withhold_documents
    ]


def _card_day(rng: random.Random, parts: CaseParts) -> date:
    cov = parts.coverage
    day = max(cov.effective_from, parts.sim_start.date() - timedelta(days=rng.randint(30, 300)))
    return min(day, cov.effective_to) if cov.effective_to else day


def _insurance_card(parts: CaseParts, doc_id: str, day: date) -> ChartDocument:
    cov, p = parts.coverage, parts.patient
    lines = [
        "MEMBER ID CARD (front and back, scanned at registration)",
        f"{cov.payer_name} — {cov.plan_name}",
        f"Member: {p.first_name.upper()} {p.last_name.upper()}    Date of birth: {p.dob.isoformat()}",
        f"Member ID: {cov.member_id}",
    ]
    if cov.group_number:
        lines.append(f"Group: {cov.group_number}")
    lines.append(f"Coverage effective: {cov.effective_from.isoformat()}")
    if parts.manual.referral_required_for_specialists:
        lines.append("HMO: specialist care requires a referral from your primary care provider.")
    phone = parts.manual.contacts.get("utilization_management_phone")
    if phone:
        lines.append(f"Providers, prior authorization: {phone}")
    return ChartDocument(
        id=doc_id,
        kind="insurance_card",
        date=day,
        author="Patient registration",
        title="Member ID card (scanned)",
        text="\n".join(lines),
        facts={},
    )


def _prior_submission(parts: CaseParts, prior_at: datetime, facts_prior: dict[str, Any]) -> Submission:
    """The earlier request the trainee must answer: the chart as it was, correct codes, standard urgency."""
    sent = [d.id for d in parts.chart if parts.relevant[d.id] and d.id not in parts.added_after_prior]
    narrative = render(
        parts.line.narrative, {**_request_context(parts), **facts_prior, "doc_date": prior_at.date()}
    )
    diagnoses, lines = parts.correct_codes()
    return Submission(
        at=prior_at,
        category=parts.order_spec.review,
        admission_type=parts.order_spec.admission_type,
        member_id=parts.coverage.member_id,
        patient_last_name=parts.patient.last_name,
        patient_dob=parts.patient.dob,
        ordering_npi=parts.ordering.npi,
        servicing_npi=parts.servicing.npi,
        diagnoses=[d.code for d in diagnoses],
        procedures=lines,
        date_of_service=parts.dos,
        place_of_service=parts.order_spec.place_of_service,
        document_ids=sent,
        narrative=narrative,
        requested_duration_days=parts.request_spec.requested_duration_days,
    )


__all__ = [
    "Content",
    "UnknownModuleError",
    "archetype_content",
    "case_to_json",
    "derive_seed",
    "generate_case",
    "list_modules",
    "load_content",
]
