"""Jinja2 rendering of chart documents and narratives, with compiled templates cached per process.

Templates run in a sandbox with ``StrictUndefined``: a misspelt variable is an error at validation
time, never a silently empty phrase in a trainee's chart.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, meta
from jinja2.sandbox import SandboxedEnvironment

from scenarios.content import OrderSpec

# Variables every template may use besides the facts (docs/authoring.md §4, plus ``order``, ``payer``
# and ``author``); a fact may not take one of these names.
CONTEXT_NAMES = frozenset(
    {
        "patient",
        "ordering",
        "servicing",
        "facility",
        "doc_date",
        "start_date",
        "dos",
        "order",
        "payer",
        "author",
    }
)

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
_BLANK_RUNS = re.compile(r"\n{3,}")


@lru_cache(maxsize=4096)
def compile_template(source: str) -> Template:
    return _ENV.from_string(source)


def render(source: str, context: dict[str, Any]) -> str:
    """Render a template; trailing spaces and runs of blank lines left by ``{% if %}`` blocks are tidied."""
    text = compile_template(source).render(context)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines))


@lru_cache(maxsize=4096)
def template_variables(source: str) -> frozenset[str]:
    """The names a template reads from its context (raises jinja2.TemplateSyntaxError)."""
    return frozenset(meta.find_undeclared_variables(_ENV.parse(source)))


def order_variable(spec: OrderSpec, request: OrderSpec | None = None) -> dict[str, Any]:
    """The templates' ``order`` variable for the order ``spec`` (with the archetype's overrides). Chart
    documents see the order as written; the request narrative passes ``request`` (what the expert
    requests, scenarios/limits.py), whose units and duration replace the order's. ``within_limits`` says
    the request was capped below the order and ``as_ordered`` keeps the order's own units and duration,
    so a narrative can say what was ordered without stating it as the request."""
    asked = request or spec
    return {
        "description": spec.description,
        "place_of_service": spec.place_of_service,
        "requested_duration_days": asked.requested_duration_days,
        "diagnoses": [{"code": d.code, "display": d.display} for d in spec.diagnoses],
        "procedures": _procedures(asked),
        "within_limits": asked is not spec,
        "as_ordered": {
            "procedures": _procedures(spec),
            "requested_duration_days": spec.requested_duration_days,
        },
    }


def _procedures(spec: OrderSpec) -> list[dict[str, Any]]:
    return [
        {"code": p.code, "display": p.display, "units": p.units, "modifiers": list(p.modifiers)}
        for p in spec.procedures
    ]


def specialty_label(specialty: str) -> str:
    return specialty.replace("_", " ")


def context(
    *,
    facts: dict[str, Any],
    patient: dict[str, Any],
    ordering: dict[str, Any],
    servicing: dict[str, Any],
    facility: dict[str, Any],
    order: dict[str, Any],
    payer: dict[str, Any],
    start_date: date,
    dos: date,
    doc_date: date,
    author: str = "",
) -> dict[str, Any]:
    ctx: dict[str, Any] = dict(facts)
    ctx.update(
        patient=patient,
        ordering=ordering,
        servicing=servicing,
        facility=facility,
        order=order,
        payer=payer,
        start_date=start_date,
        dos=dos,
        doc_date=doc_date,
        author=author,
    )
    return ctx
