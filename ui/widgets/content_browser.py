"""The administrators' read-only content browser (issue 12 item 9): payer → policies (id, title, service
line, codes, effective date, criteria with their rules, full text), the payer's manual, service lines and
modules, with a search by id, code or text.

Everything comes from what is already loaded and cached: the validated library (``get_library``, the
policy library page's) and the scenario files (``scenarios.content``'s cached loader). Content text is
shown as text: tables, ``st.json`` and the file's own source in a code block, never as Markdown or HTML.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from knowledge_base.models import Policy, PolicyDocument
from ui.widgets.labels import human
from ui.widgets.text import md_escape


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def policy_matches(policy: Policy, doc: PolicyDocument, term: str) -> bool:
    """Whether ``term`` is in the policy's id, title, codes (and their names), diagnoses, criteria (ids
    and text) or its body; case and spacing do not matter; an empty term matches everything.

    >>> from knowledge_base.loader import load_library
    >>> lib = load_library()
    >>> policy_matches(lib.policies["LKS-MRI-001"], lib.documents["LKS-MRI-001"], "72148")
    True
    """
    wanted = _norm(term)
    if not wanted:
        return True
    haystack = [
        policy.id,
        policy.title,
        policy.service_line,
        human(policy.service_line),
        *(f"{c.code} {c.display}" for c in policy.codes),
        *policy.diagnoses,
        *(f"{c.id} {c.text}" for c in policy.criteria),
        doc.body,
    ]
    return any(wanted in _norm(text) for text in haystack)


def _codes(policy: Policy) -> str:
    return ", ".join(c.code for c in policy.codes) or "admission review (no code)"


def browse_policies(library: Any) -> None:
    """Pick a payer, search, read one policy in full."""
    payers = {"": "All payers", **{p: library.manual(p).name for p in library.payers}}
    c1, c2 = st.columns([1, 2])
    payer = c1.selectbox("Payer", list(payers), format_func=payers.__getitem__, key="cb_payer")
    term = c2.text_input(
        "Search by id, code or text", key="cb_term", placeholder="e.g. LKS-MRI-001, 72148, therapy note"
    )
    found = [
        p
        for p in sorted(library.policies.values(), key=lambda p: (library.manuals[p.payer].order, p.id))
        if (not payer or p.payer == payer) and policy_matches(p, library.documents[p.id], term or "")
    ]
    if not found:
        st.info("No policy matches. Try a code, a policy id or a word of the policy text.")
        return
    st.dataframe(
        [
            {
                "id": p.id,
                "title": p.title,
                "payer": library.manual(p.payer).name,
                "service line": human(p.service_line),
                "codes": _codes(p),
                "effective": p.effective.isoformat(),
                "version": p.version,
                "criteria": len(p.criteria),
            }
            for p in found
        ],
        hide_index=True,
        column_config={"title": st.column_config.TextColumn(width="medium")},
    )
    chosen = st.selectbox(
        f"Open a policy ({len(found)} match)",
        [p.id for p in found],
        format_func=lambda i: f"{i} — {library.policies[i].title}",
        key="cb_policy",
    )
    if chosen is None:
        return
    policy: Policy = library.policies[chosen]
    doc: PolicyDocument = library.documents[chosen]
    st.subheader(md_escape(f"{policy.id} — {policy.title}"), anchor=False)  # a heading is Markdown
    st.text(
        f"{library.manual(policy.payer).name} · {human(policy.service_line)} · version {policy.version} · "
        f"effective {policy.effective.isoformat()} · file {doc.path}"
    )
    if policy.codes:
        st.dataframe(
            [
                {
                    "code": c.code,
                    "system": c.system,
                    "description": c.display,
                    "authorization": "required" if c.auth_required else "not required",
                    "max units": c.max_units or "",
                }
                for c in policy.codes
            ],
            hide_index=True,
        )
    if policy.diagnoses:
        st.text("Diagnoses that support it: " + ", ".join(policy.diagnoses))
    st.dataframe(
        [{"criterion": c.id, "text": c.text} for c in policy.criteria],
        hide_index=True,
        column_config={"text": st.column_config.TextColumn(width="large")},
    )
    with st.expander("Criteria rules (criteria language)"):
        st.json({c.id: c.model_dump(mode="json", exclude={"text"}) for c in policy.criteria})
    with st.expander("Documentation, time frames and limits"):
        st.json(
            policy.model_dump(
                mode="json",
                include={"documentation", "timeframes", "max_units", "max_duration_days", "appeal_clocks"},
            )
        )
    with st.expander("Full text (the file's body, as written)", expanded=True):
        st.code(doc.body, language="markdown", wrap_lines=True)
    st.page_link(
        "ui/pages/policy_library.py",
        label="Read it as trainees do (payer policy library)",
        icon=":material/menu_book:",
        query_params={"policy": policy.id},
    )


def browse_manuals(library: Any) -> None:
    payers = {p: library.manual(p).name for p in library.payers}
    payer = st.selectbox("Payer", list(payers), format_func=payers.__getitem__, key="cb_manual")
    if payer is None:
        return
    manual = library.manual(payer)
    doc = library.manual_documents[payer]
    st.text(
        f"{manual.name} · {human(manual.plan_type)} · version {manual.version} · effective "
        f"{manual.effective.isoformat()} · file {doc.path}"
    )
    st.dataframe(
        [
            {
                "appeal level": human(a.level),
                **{k: v for k, v in a.model_dump(mode="json").items() if k != "level"},
            }
            for a in manual.appeal_levels
        ],
        hide_index=True,
    )
    with st.expander("Every field of the manual's front matter"):
        st.json(manual.model_dump(mode="json"))
    with st.expander("Full text (the file's body, as written)", expanded=True):
        st.code(doc.body, language="markdown", wrap_lines=True)


def _spec_matches(data: dict[str, Any], term: str) -> bool:
    return not _norm(term) or _norm(term) in _norm(str(data))


def browse_service_lines() -> None:
    from scenarios.content import load_service_lines

    lines = load_service_lines()
    term = st.text_input("Search by id, code or text", key="cb_line_term", placeholder="e.g. 72148, therapy")
    found = {k: v for k, v in sorted(lines.items()) if _spec_matches(v.model_dump(mode="json"), term or "")}
    if not found:
        st.info("No service line matches.")
        return
    st.dataframe(
        [
            {
                "id": k,
                "title": s.title,
                "codes": ", ".join(p.code for p in s.order.procedures),
                "documents": ", ".join(human(d) for d in s.document_kinds()),
                "patient ages": f"{s.patient_ages[0]}–{s.patient_ages[1]}",
            }
            for k, s in found.items()
        ],
        hide_index=True,
    )
    chosen = st.selectbox("Open a service line", list(found), format_func=human, key="cb_line")
    if chosen is not None:
        st.json(found[chosen].model_dump(mode="json", by_alias=True))


def browse_modules(catalogue: list[dict[str, Any]]) -> None:
    from scenarios.content import load_modules

    modules = load_modules()
    term = st.text_input("Search by id or text", key="cb_module_term", placeholder="e.g. appeal, lumbar_mri")
    found = [
        m
        for m in catalogue
        if m["id"] in modules and _spec_matches(modules[m["id"]].model_dump(), term or "")
    ]
    if not found:
        st.info("No module matches.")
        return
    st.dataframe(
        [
            {
                "id": m["id"],
                "title": m["title"],
                "teaches": m["teaches"],
                "pass mark": m["pass_mark"],
                "archetypes": m["archetypes"],
                "service lines": ", ".join(human(s) for s in m["service_lines"]),
            }
            for m in found
        ],
        hide_index=True,
        column_config={"teaches": st.column_config.TextColumn(width="large")},
    )
    chosen = st.selectbox(
        "Open a module", [m["id"] for m in found], format_func=lambda i: modules[i].title, key="cb_module"
    )
    if chosen is None:
        return
    module = modules[chosen]
    st.dataframe(
        [
            {
                "archetype": a.id,
                "title": a.title,
                "service line": human(a.service_line),
                "payers": ", ".join(a.payers),
                "explanation": a.explanation,
            }
            for a in module.archetypes
        ],
        hide_index=True,
        column_config={"explanation": st.column_config.TextColumn(width="large")},
    )
    with st.expander("Every field of the module file"):
        st.json(module.model_dump(mode="json"))
