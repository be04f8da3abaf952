"""Code look-ups for the request form: ICD-10-CM search (billable codes, by code or by words) and the
CPT/HCPCS choices a payer's policies list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from scenarios.models import Case
from ui.resources import get_library, icd10_billable
from ui.state import KEEP

SEARCH_LIMIT = 50


def search_codes(
    table: Sequence[tuple[str, str]], query: str, limit: int = SEARCH_LIMIT
) -> list[tuple[str, str]]:
    """Billable codes matching ``query``: codes starting with it (dot optional) first, then codes whose
    description contains every word of it, shortest description first; at most ``limit``.

    >>> t = [("M54.16", "Radiculopathy, lumbar region"), ("M54.50", "Low back pain, unspecified")]
    >>> search_codes(t, "m5416"), [c for c, _ in search_codes(t, "back pain")]
    ([('M54.16', 'Radiculopathy, lumbar region')], ['M54.50'])
    """
    q = query.strip().lower()
    if not q:
        return []
    compact = q.replace(".", "")
    by_code = [(c, d) for c, d in table if c.lower().replace(".", "").startswith(compact)]
    if len(by_code) >= limit:
        return by_code[:limit]
    words = q.split()
    seen = {c for c, _ in by_code}
    by_words = [(c, d) for c, d in table if c not in seen and all(w in d.lower() for w in words)]
    # the shortest description that contains every word is the closest match ("Radiculopathy, lumbar
    # region" before "Other spondylosis with radiculopathy, lumbar region")
    by_words.sort(key=lambda cd: (len(cd[1]), cd[0]))
    return (by_code + by_words)[:limit]


def procedure_options(case: Case) -> dict[str, str]:
    """CPT/HCPCS codes to choose from: every code the payer's policies govern, plus the order's own
    codes (which may be ones no policy lists), each with its description."""
    library = get_library()
    options: dict[str, str] = {}
    for line in case.order.procedures:
        options[line.code.code] = line.code.display or "as written on the order"
    for policy in sorted(library.policies.values(), key=lambda p: p.id):
        if policy.payer != case.coverage.payer_id:
            continue
        for code in policy.codes:
            if code.system in ("CPT", "HCPCS"):
                options.setdefault(code.code, f"{code.display} ({policy.id})")
    return options


def icd_search(target_key: str, key: str = "ws_icd") -> None:
    """Search box and result list; 'Add' appends the chosen code to the text input ``target_key``."""
    query = st.text_input(
        "Search ICD-10-CM (code or words)",
        persist_state=KEEP,
        key=f"{key}_query",
        placeholder="e.g. M54.1 or radiculopathy lumbar",
    )
    if not query or not query.strip():
        return
    hits = search_codes(icd10_billable(), query)
    if not hits:
        st.info(
            f"No billable ICD-10-CM code matches {query.strip()[:60]!r}. Try fewer words or a shorter code."
        )
        return
    labels = {c: f"{c} — {d}" for c, d in hits}
    st.caption(
        f"{len(hits)} billable code{'s' if len(hits) != 1 else ''}"
        f"{' (first 50; refine the search)' if len(hits) == SEARCH_LIMIT else ''}"
    )
    pick = st.selectbox(
        "Matching codes", list(labels), format_func=labels.__getitem__, persist_state=KEEP, key=f"{key}_pick"
    )
    st.button("Add to the diagnoses", key=f"{key}_add", on_click=_append_code, args=(target_key, pick))


def _append_code(target_key: str, code: Any) -> None:
    current = str(st.session_state.get(target_key) or "").strip()
    codes = [c.strip() for c in current.replace(";", ",").split(",") if c.strip()]
    if code and code not in codes:
        codes.append(str(code))
    st.session_state[target_key] = ", ".join(codes)


def billable_note(codes: list[str]) -> list[str]:
    """Warnings for codes that are written correctly but are not billable ICD-10-CM codes."""
    from knowledge_base import icd10cm as icd

    return [
        f"{c} is not a billable ICD-10-CM code (a category or subcategory, or an unknown code); the payer's front end "
        "will reject it. Search for the specific code."
        for c in codes
        if not (icd.is_category_or_subcategory(c) and icd.is_leaf(c))
    ]
