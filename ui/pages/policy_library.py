"""Every role: the payer policy library (issue 12 item 2). Search the policy index (the knowledge
base's hybrid retriever over the offline embedded Chroma index), filter by payer, service line and
code, and read any policy in full — its codes, criteria and required documents as tables, then its
body — as a coordinator looks a policy up before acting. ``?policy=ID`` opens one policy directly
(the workspace and the look-up reply link here that way)."""

from __future__ import annotations

import streamlit as st

from ui.feedback import core_errors
from ui.resources import get_library, get_settings
from ui.state import current_viewer
from ui.widgets.labels import human
from ui.widgets.text import md_escape

current_viewer()
st.title("Payer policy library")
library = get_library()
policies = library.policies

f1, f2, f3 = st.columns(3)
payers = {"": "All payers", **{p: library.manual(p).name for p in library.payers}}
if st.query_params.get("payer") in payers:  # a link from the workspace names the case's payer
    st.session_state.setdefault("pl_payer", st.query_params["payer"])
payer = f1.selectbox("Payer", list(payers), format_func=payers.__getitem__, key="pl_payer")
lines = {"": "All service lines", **{s: human(s) for s in library.service_lines}}
line = f2.selectbox("Service line", list(lines), format_func=lines.__getitem__, key="pl_line")
code = (f3.text_input("CPT/HCPCS code", key="pl_code", placeholder="e.g. 72148") or "").strip().upper()
query = st.text_input(
    "Search the policies", key="pl_query", placeholder="e.g. how recent must the physical therapy note be?"
)

shown = [
    p
    for p in sorted(policies.values(), key=lambda p: (p.payer, p.service_line))
    if (not payer or p.payer == payer) and (not line or p.service_line == line) and (not code or p.code(code))
]

if query and query.strip():
    from knowledge_base.retrieval import search

    hits = []
    with core_errors("Searching the policies"), st.spinner("Searching the policy index…"):
        hits = search(
            query,
            payer=payer or None,
            code=code or None,
            service_line=line or None,
            kind="policy",
            k=8,
            settings=get_settings(),
        )
    st.subheader(f"{len(hits)} passage(s) found")
    for hit in hits:
        with st.container(border=True):
            st.markdown(f"**{md_escape(hit.policy_id)} § {md_escape(hit.section)}**")
            st.markdown(hit.text)  # policy text is authored Markdown; HTML stays disabled
            st.page_link(
                "ui/pages/policy_library.py",
                label=f"Read {hit.policy_id} in full",
                icon=":material/menu_book:",
                query_params={"policy": hit.policy_id},
            )

wanted = st.query_params.get("policy")
ids = [p.id for p in shown]
if not ids:
    st.info("No policy matches these filters. A code no policy lists may need no authorization.")
    st.stop()
chosen = st.selectbox(
    f"Policy ({len(ids)} match)",
    ids,
    index=ids.index(wanted) if wanted in ids else 0,
    format_func=lambda i: f"{i} — {policies[i].title} ({library.manual(policies[i].payer).name})",
    key="pl_policy",
)
if chosen is None:
    st.stop()
st.query_params["policy"] = chosen
policy = policies[chosen]
doc = library.documents[chosen]

st.header(md_escape(f"{policy.id} — {policy.title}"))
st.caption(
    md_escape(
        f"{library.manual(policy.payer).name} · {human(policy.service_line)} · version {policy.version}"
        f" · effective {policy.effective}"
    )
)
st.subheader("Codes that need authorization")
if policy.admission_review is not None:
    # an admission policy governs admission reviews (278 UM01 AR), not a code
    rule = policy.admission_review
    st.info(
        md_escape(
            f"No code: an {' or '.join(rule.admission_types)} inpatient admission is requested as an admission "
            f"review (admission date, inpatient days, facility type {', '.join(rule.facility_types)})"
            + (
                f", up to {policy.max_duration_days} days per certification."
                if policy.max_duration_days
                else "."
            )
        )
    )
if policy.codes:
    st.dataframe(
        [{"code": c.code, "description": getattr(c, "display", "") or ""} for c in policy.codes],
        hide_index=True,
    )
st.subheader("Criteria")
st.dataframe(
    [{"criterion": c.id, "what the chart must show": c.text} for c in policy.criteria],
    hide_index=True,
    column_config={"what the chart must show": st.column_config.TextColumn(width="large")},
)
if policy.documentation:
    st.subheader("Documents the payer needs")
    st.dataframe(
        [
            {
                "document": human(d.kind),
                "what": d.description,
                "at most (days old)": d.max_age_days or "—",
            }
            for d in policy.documentation
        ],
        hide_index=True,
    )
st.subheader("The policy in full")
for section in doc.sections:
    st.markdown(f"**{md_escape(section.title)}**")
    st.markdown(section.text)  # authored Markdown; HTML stays disabled
