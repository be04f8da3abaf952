"""Validation of scenario content against itself and the policy library, collecting every error.

Each error reads ``<file> > <path>: <what is wrong and how to fix it>``. ``check_module`` holds the
cheap structural checks the generator also runs before it uses a module; ``validate_content`` adds the
service-line checks (templates rendered with StrictUndefined for the baseline and every profile,
codes, facts) and the payer manuals' member-id formats.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError

from knowledge_base.loader import CONTENT_ROOT, Library, PolicyValidationError, load_all
from scenarios.content import (
    SCENARIO_ROOT,
    LoadedFiles,
    ModuleSpec,
    OrderSpec,
    ServiceLineSpec,
    load_files,
    resolve_facts,
)
from scenarios.limits import limits_text, within_limits
from scenarios.overrides import (
    archetype_date_errors,
    diagnosis_code_errors,
    order_override_errors,
    relative_date_errors,
)
from scenarios.rendering import CONTEXT_NAMES, order_variable, render, template_variables

_FACT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_SAMPLE_START = date(2026, 3, 2)  # the sample case start relative date facts are resolved against
_SAMPLE_PERSON = {
    "display_name": "Alex Doe, MD",
    "first_name": "Alex",
    "last_name": "Doe",
    "credentials": "MD",
    "specialty": "family medicine",
    "npi": "1234567893",
    "organization": "Sample Group",
}


def _sample_context(line: ServiceLineSpec, order: OrderSpec | None = None) -> dict[str, Any]:
    """A fixed context with every variable the generator provides, for rendering checks; ``order`` is the
    order with an archetype's overrides (default: the service line's)."""
    order = order or line.order
    return {
        "patient": {
            "first_name": "Pat",
            "last_name": "Sample",
            "name": "Pat Sample",
            "dob": date(1960, 5, 17),
            "sex": "F",
            "age": 65,
            "mrn": "MRN00000000",
            "pronoun": "she",
            "possessive": "her",
            "title": "Ms.",
        },
        "ordering": _SAMPLE_PERSON,
        "servicing": _SAMPLE_PERSON,
        "facility": {
            "name": "Sample Medical Center",
            "npi": "1234567893",
            "city": "Springfield",
            "state": "IL",
        },
        "order": order_variable(order),
        "payer": {"id": "lakeshore", "name": "Sample Health Plan", "plan_type": "commercial_erisa_ppo"},
        "start_date": _SAMPLE_START,
        "dos": date(2026, 3, 11),
        "doc_date": date(2026, 2, 25),
        "author": "Alex Doe, MD",
    }


def _render_error(where: str, source: str, ctx: dict[str, Any], variant: str) -> str | None:
    try:
        render(source, ctx)
    except TemplateSyntaxError as exc:
        return f"{where}: Jinja syntax error at template line {exc.lineno}: {exc.message}"
    except UndefinedError as exc:
        return f"{where}: {exc.message} when rendered for {variant}; use a fact of the service line or a context variable"
    except (TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
        return f"{where}: rendering failed for {variant} ({exc.__class__.__name__}: {exc})"
    return None


def check_service_line(line: ServiceLineSpec, rel: str, library: Library | None) -> list[str]:
    errors: list[str] = []
    known = set(line.fact_specs)
    for name in line.fact_specs:
        if not _FACT_NAME.match(name) or name in CONTEXT_NAMES:
            errors.append(
                f"{rel} > facts > {name}: fact names must be lower_snake_case and not one of "
                f"{sorted(CONTEXT_NAMES)}"
            )
    for pname, overrides in line.profile_specs.items():
        for name in overrides:
            if name not in known:
                errors.append(
                    f"{rel} > profiles > {pname} > {name}: unknown fact; add it to facts (the baseline) first"
                )
    ctx = _sample_context(line)
    variants = [("the baseline", resolve_facts(line.fact_specs, _SAMPLE_START))] + [
        (f"profile {p!r}", resolve_facts({**line.fact_specs, **o}, _SAMPLE_START))
        for p, o in line.profile_specs.items()
    ]
    for i, doc in enumerate(line.documents):
        for name in doc.states:
            if name not in known:
                errors.append(
                    f"{rel} > documents > {i} ({doc.kind}) > states: unknown fact {name!r}; known: {sorted(known)}"
                )
        for t, source in enumerate(doc.templates):
            where = f"{rel} > documents > {i} ({doc.kind}) > templates > {t}"
            errors.extend(_template_errors(where, source, ctx, variants, known))
    errors.extend(_template_errors(f"{rel} > narrative", line.narrative, ctx, variants, known))
    errors.extend(relative_date_errors(line, rel))
    errors.extend(_code_errors(line, rel, library))
    return list(dict.fromkeys(errors))


def _template_errors(
    where: str, source: str, ctx: dict[str, Any], variants: list[tuple[str, dict[str, Any]]], known: set[str]
) -> list[str]:
    try:
        used = template_variables(source)
    except TemplateSyntaxError as exc:
        return [f"{where}: Jinja syntax error at template line {exc.lineno}: {exc.message}"]
    errors = [
        f"{where}: undefined variable {name!r}; use a fact of the service line or one of {sorted(CONTEXT_NAMES)}"
        for name in sorted(used - known - CONTEXT_NAMES)
    ]
    for variant, facts in variants:
        err = _render_error(where, source, {**facts, **ctx}, variant)
        if err:
            errors.append(err)
    return errors


def _code_errors(line: ServiceLineSpec, rel: str, library: Library | None) -> list[str]:
    from knowledge_base import icd10cm as icd

    errors: list[str] = []
    for i, d in enumerate(line.order.diagnoses):
        if not (icd.is_valid_item(d.code) and icd.is_leaf(d.code)):
            errors.append(
                f"{rel} > order > diagnoses > {i}: {d.code} is not a valid billable ICD-10-CM code; "
                "use the most specific code (a leaf of the code set)"
            )
    for i, d in enumerate(line.order.vague_diagnoses):
        if not icd.is_valid_item(d.code):
            errors.append(
                f"{rel} > order > vague_diagnoses > {i}: {d.code} is not an ICD-10-CM code or category"
            )
    if library is None:
        return errors
    for payer in sorted(library.manuals):
        policy = library.policy_for(payer, line.id)
        if policy is None:
            continue
        for i, p in enumerate(line.order.procedures):
            if policy.code(p.code) is None:
                errors.append(
                    f"{rel} > order > procedures > {i}: {p.code} is not among the codes of {policy.id}"
                )
        if line.order.lead_business_days < policy.timeframes.submit_lead_business_days:
            errors.append(
                f"{rel} > order > lead_business_days: {line.order.lead_business_days} is inside "
                f"{policy.id}'s lead time of {policy.timeframes.submit_lead_business_days} business days; "
                "a normal case must leave time to submit"
            )
        prefixes = [c.replace(".", "") for c in policy.diagnoses]
        for i, d in enumerate(line.order.diagnoses):
            if not any(d.code.replace(".", "").startswith(pre) for pre in prefixes):
                errors.append(
                    f"{rel} > order > diagnoses > {i}: {d.code} is not a supporting diagnosis of {policy.id}"
                )
    return errors


def check_module(module: ModuleSpec, files: LoadedFiles, library: Library | None) -> list[str]:
    """Structural checks of one module against the service lines and the library (no rendering)."""
    from scenarios.answer_key import first_appeal_level, policy_codes_needing_primary

    rel = files.paths.get(f"modules/{module.id}", f"scenarios/modules/{module.id}.yaml")
    errors: list[str] = []
    seen: set[str] = set()
    for i, a in enumerate(module.archetypes):
        at = f"{rel} > archetypes > {i} ({a.id})"
        if a.id in seen:
            errors.append(f"{at} > id: duplicate archetype id; ids must be unique within a module")
        seen.add(a.id)
        line = files.service_lines.get(a.service_line)
        if line is None:
            errors.append(
                f"{at} > service_line: no valid service line {a.service_line!r} in scenarios/service_lines/"
            )
            continue
        if a.profile is not None and a.profile not in line.profile_specs:
            errors.append(
                f"{at} > profile: unknown profile {a.profile!r} of {line.id}; known: {sorted(line.profile_specs)}"
            )
        for name in a.facts:
            if name not in line.fact_specs and not (line.extension and name in line.extension.facts):
                errors.append(
                    f"{at} > facts > {name}: unknown fact of {line.id}; known: {sorted(line.fact_specs)}"
                )
        kinds = set(line.document_kinds()) | {
            d.kind for d in (line.extension.documents if line.extension else [])
        }
        for field_name in ("withhold_documents", "add_documents_after_prior"):
            for kind in getattr(a, field_name):
                if kind not in kinds:
                    errors.append(
                        f"{at} > {field_name}: unknown document kind {kind!r}; {line.id} has {sorted(kinds)}"
                    )
        if set(a.withhold_documents) & set(a.add_documents_after_prior):
            errors.append(
                f"{at} > add_documents_after_prior: a withheld document kind cannot also be added later"
            )
        if a.prior == "none" and a.add_documents_after_prior:
            errors.append(f"{at} > add_documents_after_prior: only used with prior: denied or pended")
        if a.prior == "pended" and not a.add_documents_after_prior:
            errors.append(
                f"{at} > add_documents_after_prior: a pended prior needs the kinds it lacked (added later)"
            )
        errors.extend(_extension_errors(at, a, line, library))
        if a.prior == "denied" and a.add_documents_after_prior and a.profile in line.profile_specs:
            errors.extend(_unrestated(at, a, line))
        if a.order_codes == "vague_diagnosis" and not line.order.vague_diagnoses:
            errors.append(f"{at} > order_codes: {line.id} has no order.vague_diagnoses to put on the order")
        if a.order_codes == "vague_diagnosis" and a.diagnoses is not None:
            errors.append(
                f"{at} > diagnoses: vague_diagnosis puts {line.id}'s vague_diagnoses on the order, which "
                "are vague versions of its own diagnoses; drop the diagnoses override or the vague order"
            )
        errors.extend(_payer_errors(at, a, line, library, first_appeal_level, policy_codes_needing_primary))
    return list(dict.fromkeys(errors))  # one message, even when several payers share the defect


def _unrestated(at: str, a: Any, line: ServiceLineSpec) -> list[str]:
    """A denied prior's new documents state baseline ⊕ facts; every documented fact the profile changed
    must be restated by one of them, or the appeal could never show the new evidence."""
    base = {**line.fact_specs, **a.facts}
    changed = {k for k, v in line.profile_specs[a.profile].items() if base.get(k) != v and k not in a.facts}
    documented = {f for d in line.documents for f in d.states}
    restated = {f for d in line.documents if d.kind in a.add_documents_after_prior for f in d.states}
    missing = sorted((changed & documented) - restated)
    if not missing:
        return []
    return [
        f"{at} > add_documents_after_prior: the new documents do not restate {missing}, which profile "
        f"{a.profile!r} changed; add a document kind that states them"
    ]


def archetype_render_errors(module: ModuleSpec, files: LoadedFiles) -> list[str]:
    """Render the service line's templates with each archetype's own fact and order overrides (profiles
    alone are checked with the service line), and check override diagnoses against the code set."""
    rel = files.paths.get(f"modules/{module.id}", f"scenarios/modules/{module.id}.yaml")
    errors: list[str] = []
    for i, a in enumerate(module.archetypes):
        line = files.service_lines.get(a.service_line)
        if line is None or (a.profile is not None and a.profile not in line.profile_specs):
            continue
        at = f"{rel} > archetypes > {i} ({a.id})"
        errors.extend(diagnosis_code_errors(at, a))
        errors.extend(archetype_date_errors(at, a, line))
        order = a.order_for(line.order)
        if not a.facts and order is line.order and a.request == "as_ordered":
            continue
        facts = {**line.fact_specs, **(line.profile_specs[a.profile] if a.profile else {}), **a.facts}
        ctx = {**resolve_facts(facts, _SAMPLE_START), **_sample_context(line, order)}
        sources = [
            (f"documents > {j} ({d.kind}) > templates > {t}", src)
            for j, d in enumerate(line.documents)
            for t, src in enumerate(d.templates)
        ]
        what = "facts" if a.facts else "procedures"  # the usual cause when only the order changed
        for where, source in [*sources, ("narrative", line.narrative)]:
            err = _render_error(f"{at} > {what}", source, ctx, f"{line.id} {where}")
            if err:
                errors.append(err)
        if a.request == "within_limits":  # the narrative's order.within_limits branch (a copy: capped)
            capped = {**ctx, "order": order_variable(order, order.model_copy())}
            err = _render_error(
                f"{at} > request", line.narrative, capped, f"{line.id} narrative (within_limits)"
            )
            if err:
                errors.append(err)
    return errors


def _extension_errors(at: str, a: Any, line: ServiceLineSpec, library: Library | None) -> list[str]:
    """A concurrent-review archetype: prior approved, an extension block, and a line and policies that have
    the continued-stay material."""
    errors: list[str] = []
    if (a.prior == "approved") != (a.extension is not None):
        errors.append(f"{at} > extension: give an extension block exactly when prior is approved")
    if a.extension is None:
        return errors
    if line.extension is None:
        errors.append(f"{at} > extension: {line.id} has no extension section (documents, facts, update)")
    for payer in a.payers if library is not None else []:
        policy = library.policy_for(payer, line.id) if library else None
        rules = policy.continued_stay if policy else None
        if policy is None:
            continue
        if rules is None:
            errors.append(f"{at} > payers: {policy.id} has no continued_stay rules; drop {payer} or add them")
            continue
        ids = {c.id for c in rules.criteria}
        for n in a.extension.failed_criteria:
            if f"{policy.id}.{n}" not in ids:
                errors.append(
                    f"{at} > extension > failed_criteria: {policy.id}.{n} is not a continued-stay criterion; "
                    f"known: {sorted(ids)}"
                )
    return errors


def _payer_errors(
    at: str,
    a: Any,
    line: ServiceLineSpec,
    library: Library | None,
    first_appeal_level: Any,
    needing_primary: Any,
) -> list[str]:
    errors: list[str] = []
    for payer in a.payers:
        e = a.expect_for(payer)
        where = f"{at} > expect" + (f" (by_payer {payer})" if payer in a.by_payer else "")
        need_prior = {"appeal": "denied", "reply_to_pend": "pended", "request_extension": "approved"}.get(
            e.action, "none"
        )
        if a.prior != need_prior:
            errors.append(
                f"{where} > action: {e.action} needs prior: {need_prior} (the archetype has prior: {a.prior})"
            )
        if (e.appeal_status is None) == (e.action in ("appeal", "reply_to_pend", "request_extension")):
            errors.append(
                f"{where} > appeal_status: set it exactly when the action is appeal, reply_to_pend or request_extension"
            )
        if e.failed_criteria and e.determination not in ("denied", "partially_approved"):
            errors.append(
                f"{where} > failed_criteria: only a denied or partially_approved determination fails criteria"
            )
        if e.determination in ("denied", "rejected") and not e.reason_codes:
            errors.append(
                f"{where} > reason_codes: a {e.determination} determination needs its reason code(s)"
            )
        if library is None:
            continue
        manual = library.manuals.get(payer)
        policy = library.policy_for(payer, line.id)
        if manual is None or policy is None:
            what = "manual" if manual is None else f"policy for service line {line.id}"
            errors.append(
                f"{at} > payers: {payer} has no {what} in knowledge_base/; remove the payer or add it"
            )
            continue
        ids = {c.id for c in policy.criteria}
        for n in e.failed_criteria:
            if f"{policy.id}.{n}" not in ids:
                errors.append(
                    f"{where} > failed_criteria: {policy.id} has no criterion {n} (it has {sorted(ids)})"
                )
        if a.coverage == "no_referral" and not manual.referral_required_for_specialists:
            errors.append(
                f"{at} > coverage: no_referral needs a payer that requires referrals; {payer} does not"
            )
        order = a.order_for(line.order)
        if a.order_codes == "addon_without_primary" and not {
            p.code for p in order.procedures
        } & needing_primary(policy):
            errors.append(f"{at} > order_codes: {line.id}'s procedures have no add-on code in {policy.id}")
        errors.extend(order_override_errors(at, a, order, policy, e.action))
        if e.action == "appeal":
            try:
                first_appeal_level(manual)
            except ValueError as exc:
                errors.append(f"{at} > payers: {exc}")
    return errors


def request_errors(at: str, a: Any, line: ServiceLineSpec, library: Library) -> list[str]:
    """``request: within_limits`` must cap the order at one of the archetype's payers at least, and where it
    does, a submit key cannot still expect the partial approval (198) that capping avoids. Run on the
    modules as written (validate_content), not in check_module: a module narrowed to one payer
    (archetype_content) may draw a payer whose limits do not bind, which is fine."""
    if a.request != "within_limits":
        return []
    order = a.order_for(line.order)
    errors: list[str] = []
    binds = False
    for payer in a.payers:
        policy = library.policy_for(payer, line.id)
        if policy is None or within_limits(order, policy) is order:
            continue
        binds = True
        e = a.expect_for(payer)
        if (
            e.action in ("submit", "submit_expedited")
            and e.determination == "partially_approved"
            and not e.failed_criteria
        ):
            where = f"{at} > expect" + (f" (by_payer {payer})" if payer in a.by_payer else "")
            errors.append(
                f"{where} > determination: request: within_limits asks {payer} for "
                f"{limits_text(order, policy)} ({policy.id}'s limit), which it approves in full; expect "
                "approved, or use request: as_ordered to teach the partial approval"
            )
    if not binds:
        errors.append(
            f"{at} > request: within_limits changes nothing, as the order is within every payer's "
            "limits; remove it (as_ordered is the default)"
        )
    return errors


def check_payers(library: Library, lines: dict[str, ServiceLineSpec]) -> list[str]:
    """Every payer a service line's document names in ``relevant_for`` has a manual (archetypes' payers
    are checked with their module). Payers are content: a misspelt id must be named, not ignored."""
    errors: list[str] = []
    for line_id, line in sorted(lines.items()):
        for j, doc in enumerate(line.documents):
            for payer in doc.relevant_for or []:
                if payer not in library.manuals:
                    errors.append(
                        f"scenarios/service_lines/{line_id}.yaml > documents > {j} > relevant_for: "
                        f"no manual for payer {payer!r}; known: {', '.join(library.payers)}"
                    )
    return errors


def validate_content(
    scenario_root: Path = SCENARIO_ROOT, kb_root: Path = CONTENT_ROOT, *, library: Library | None = None
) -> list[str]:
    """Every error in the scenario content (read fresh from disk), each naming its file and path.

    ``library`` skips reading the policies again (tests validate many roots against one library)."""
    errors: list[str] = []
    if library is None:
        try:
            library = Library(load_all(kb_root))
        except PolicyValidationError as exc:
            errors.extend(f"knowledge_base/{e}" for e in exc.errors)
    files = load_files(scenario_root)
    errors.extend(files.errors)
    if library is not None:
        errors.extend(check_payers(library, files.service_lines))
    for line_id, line in sorted(files.service_lines.items()):
        errors.extend(check_service_line(line, files.paths[f"service_lines/{line_id}"], library))
    for _module_id, module in sorted(files.modules.items()):
        errors.extend(check_module(module, files, library))
        errors.extend(archetype_render_errors(module, files))
        if library is not None:
            rel = files.paths.get(f"modules/{module.id}", f"scenarios/modules/{module.id}.yaml")
            for i, a in enumerate(module.archetypes):
                material = files.service_lines.get(a.service_line)
                if material is not None:
                    errors.extend(request_errors(f"{rel} > archetypes > {i} ({a.id})", a, material, library))
    return errors
