"""A grade report as a document (the per-attempt PDF of issue 12 item 9), in the order a trainee reads
it on screen: the score, what failed the attempt outright, the three things to fix first with the policy
passage behind each (issue 9), then every rubric item with its feedback, the correct answer and the
citation. Plain text in, plain text out: the PDF writer (``ui.widgets.exporters``) escapes nothing
because nothing here is Markup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from store.models import DIMENSIONS
from ui.widgets.labels import human

Resolve = Callable[[Any, str], list[tuple[str, str]]]


def report_document(data: dict[str, Any], library: Any, resolve: Resolve) -> tuple[str, str, list[str]]:
    """(title, body, citations) of a stored grade report (``GradeReport`` JSON).

    ``resolve(library, citation)`` gives the (heading, text) passages a citation names, so the fix-first
    entries carry the policy text itself, as the app's expanders do.
    """
    title = f"Grade report — {data.get('case_id', '')}"
    total, mark = data.get("total"), data.get("pass_mark")
    lines: list[str] = []
    if isinstance(total, int | float) and isinstance(mark, int | float):
        verdict = "PASSED" if data.get("passed") else "NOT PASSED"
        lines.append(f"Score {total:.1f} / 100 — {verdict} (pass mark {mark:g})")
    lines.append(f"Module: {human(str(data.get('module_id', '')))}")
    if data.get("final_status"):
        lines.append(
            f"Final payer status: {human(str(data['final_status']))} · correct action: "
            f"{human(str(data.get('correct_action', '')))}"
        )
    critical = data.get("critical_errors") or []
    if critical:
        lines += ["", "What failed the attempt"]
        for c in critical:
            lines.append(f"- {human(str(c.get('id', '')))}: {c.get('message', '')}")
            if c.get("sentence"):
                lines.append(f"  You wrote: {c['sentence']}")
            if c.get("chart_passage"):
                lines.append(f"  The record says: {c['chart_passage']}")
    fixes = data.get("fix_first") or []
    if fixes:
        lines += ["", "Three things to fix first"]
        for n, fix in enumerate(fixes, start=1):
            lines.append(f"{n}. {fix.get('text', '')}")
            cite = str(fix.get("citation") or "")
            for heading, text in resolve(library, cite) if cite else []:
                lines += [f"   {heading}:", *(f"   {row}" for row in str(text).splitlines() if row.strip())]
    dims = data.get("dimensions") or {}
    citations: list[str] = []
    for name in DIMENSIONS:
        items = [i for i in data.get("items") or [] if i.get("dimension") == name]
        body = dims.get(name) or {}
        if not items:
            continue
        share = "n/a" if body.get("percent") is None else f"{body['percent']:.0f} %"
        lines += ["", f"{name.title()} ({share})"]
        for item in items:
            lines.append(
                f"- {item.get('points', 0):g} / {item.get('max_points', 0):g} · {human(str(item.get('item_id', '')))}"
            )
            lines.append(f"  {item.get('feedback', '')}")
            if item.get("correct_answer") and item.get("points", 0) < item.get("max_points", 0):
                lines.append(f"  Correct answer: {item['correct_answer']}")
            cite = str(item.get("citation") or "")
            if cite:
                lines.append(f"  Policy: {cite}")
                if cite not in citations:
                    citations.append(cite)
    return title, "\n".join(lines), citations
