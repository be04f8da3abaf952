"""Admin: the effective LLM settings with where each came from, a form to store new values (the API
key is never shown back: "set" or "not set", and a field to replace it), and a "test connection" call.

Precedence (docs/settings.md): the deployer's environment variables and secrets win over stored
values, which win over the built-in defaults. A saved change applies on the next click, no restart.
"""

from __future__ import annotations

import streamlit as st

from store.admin_ops import check_llm
from store.app_settings import LABELS, SECRET, SOURCE_LABELS, save_llm_settings, setting_rows, stored_values
from ui.feedback import core_errors
from ui.resources import db, deployer_sources, get_settings, stored_settings_changed
from ui.state import require_role
from ui.widgets.scoped import claim
from ui.widgets.text import mask_url, md_escape

SAVED = "llm_saved_note"  # the outcome of a save, shown once after the rerun that re-reads the settings

viewer = require_role("admin")
claim(viewer)
st.title("LLM settings")
st.write(
    "Values set by the deployer (environment variables or `.streamlit/secrets.toml`) win and cannot be "
    "changed here; otherwise what you store here applies, then the built-in default (docs/settings.md). "
    "A saved change applies from the next click, without a restart. A local model on a CPU: "
    "docs/local-llm.md."
)
if SAVED in st.session_state:
    st.success(st.session_state.pop(SAVED))

settings = get_settings()
deployer = deployer_sources()
stored: dict[str, str] = {}
with core_errors("Reading the stored settings"), db() as session:
    stored = stored_values(session)
rows = setting_rows(settings, deployer, stored)
by_key = {r.key: r for r in rows}


def _shown(key: str, value: str) -> str:
    if key == "OPENAI_BASE_URL":
        return mask_url(value or None)
    return value or "(not set)"


st.dataframe(
    [
        {
            "setting": r.key,
            "name": r.label,
            "value": _shown(r.key, r.value),
            "comes from": SOURCE_LABELS[r.source],
        }
        for r in rows
    ]
    + [
        {
            "setting": "PRECERT_REDACT",
            "name": "Redaction",
            "value": "on" if settings.redact else "off",
            "comes from": "the deployer only (a privacy control; not stored here)",
        }
    ],
    hide_index=True,
)
if settings.llm_configured:
    st.info(
        f"The assistant drafts with {md_escape(settings.llm_model or '')}; on any error or time-out the "
        "offline composer answers and the draft says so."
    )
else:
    st.info("No LLM is configured: the assistant uses the offline grounded composer.")


def _help(key: str, text: str) -> str:
    if by_key[key].locked:
        return f"Set by the deployer ({SOURCE_LABELS[by_key[key].source]}); change it there. {text}"
    return text


with st.form("llm_settings"):
    st.subheader("Change the stored settings")
    model = st.text_input(
        LABELS["PRECERT_LLM_MODEL"],
        value=by_key["PRECERT_LLM_MODEL"].value,
        disabled=by_key["PRECERT_LLM_MODEL"].locked,
        key="llm_model",
        help=_help("PRECERT_LLM_MODEL", "The model name the server serves, e.g. qwen2.5-1.5b-instruct."),
    )
    url_row = by_key["OPENAI_BASE_URL"]
    base_url = st.text_input(
        LABELS["OPENAI_BASE_URL"],
        value=mask_url(url_row.value) if url_row.locked and url_row.value else url_row.value,
        disabled=url_row.locked,
        key="llm_base_url",
        placeholder="http://127.0.0.1:8000/v1 (empty: the OpenAI API)",
        help=_help("OPENAI_BASE_URL", "An OpenAI-compatible server; empty means the OpenAI API."),
    )
    key_row = by_key[SECRET]
    st.markdown(
        f"**{LABELS[SECRET]}**: {key_row.value}"
        + (f" ({SOURCE_LABELS[key_row.source]})" if key_row.value == "set" else "")
    )
    new_key = st.text_input(
        "Replace key",
        type="password",
        key="llm_new_key",
        disabled=key_row.locked,
        placeholder="leave empty to keep the current key",
        help=_help(SECRET, "Stored in the database and sent to the server; never shown again."),
    )
    clear_key = st.checkbox(
        "Remove the stored key",
        key="llm_clear_key",
        disabled=key_row.locked or SECRET not in stored,
    )
    c1, c2 = st.columns(2)
    timeout = c1.number_input(
        LABELS["PRECERT_LLM_TIMEOUT_S"],
        value=float(settings.llm_timeout_s),
        step=5.0,
        disabled=by_key["PRECERT_LLM_TIMEOUT_S"].locked,
        key="llm_timeout",
        help=_help("PRECERT_LLM_TIMEOUT_S", "More than 0, at most 600: one whole draft, retries included."),
    )
    retries = c2.number_input(
        LABELS["PRECERT_LLM_MAX_RETRIES"],
        value=int(settings.llm_max_retries),
        step=1,
        disabled=by_key["PRECERT_LLM_MAX_RETRIES"].locked,
        key="llm_retries",
        help=_help("PRECERT_LLM_MAX_RETRIES", "0 to 5; 0 for a local server."),
    )
    max_tokens = c1.number_input(
        LABELS["PRECERT_LLM_MAX_TOKENS"],
        value=int(settings.llm_max_tokens),
        step=50,
        disabled=by_key["PRECERT_LLM_MAX_TOKENS"].locked,
        key="llm_max_tokens",
        help=_help("PRECERT_LLM_MAX_TOKENS", "16 to 32768; a letter is about 500."),
    )
    context = c2.number_input(
        LABELS["PRECERT_LLM_CONTEXT_TOKENS"],
        value=int(settings.llm_context_tokens),
        step=1024,
        disabled=by_key["PRECERT_LLM_CONTEXT_TOKENS"].locked,
        key="llm_context",
        help=_help("PRECERT_LLM_CONTEXT_TOKENS", "The model's context window, at least 256."),
    )
    fields = ["both", "max_tokens", "max_completion_tokens"]
    token_field = st.selectbox(
        LABELS["PRECERT_LLM_TOKEN_FIELD"],
        fields,
        index=fields.index(settings.llm_token_field),
        disabled=by_key["PRECERT_LLM_TOKEN_FIELD"].locked,
        key="llm_token_field",
        help=_help("PRECERT_LLM_TOKEN_FIELD", "How the cap is sent; 'both' unless the server refuses one."),
    )
    save = st.form_submit_button("Save settings", key="llm_save", type="primary")

if save:
    locked = {k for k, r in by_key.items() if r.locked}
    form = {
        # a locked field is validated with its effective value (not the masked text shown)
        "llm_model": settings.llm_model if "PRECERT_LLM_MODEL" in locked else model,
        "openai_base_url": settings.openai_base_url if "OPENAI_BASE_URL" in locked else base_url,
        "new_api_key": None if SECRET in locked else new_key,
        "clear_api_key": bool(clear_key),
        "llm_timeout_s": timeout,
        "llm_max_retries": retries,
        "llm_max_tokens": max_tokens,
        "llm_token_field": token_field,
        "llm_context_tokens": context,
    }
    changed: list[str] | None = None
    with core_errors("Saving the LLM settings"), db() as session:
        changed = save_llm_settings(session, viewer, form, locked=locked)
    if changed is not None:
        stored_settings_changed()
        # the typed key must not travel back to the browser as the field's value on the next render
        for widget in ("llm_new_key", "llm_clear_key"):
            st.session_state.pop(widget, None)
        st.session_state[SAVED] = (
            f"Saved: {', '.join(LABELS[k] for k in changed)}. The assistant uses them from now on."
            if changed
            else "Nothing changed."
        )
        st.rerun()

st.divider()
if st.button("Test connection", key="llm_test"):
    result = None
    with (
        core_errors("Testing the connection"),
        st.spinner(f"One 1-token call (time-out {settings.llm_timeout_s:g} s)…"),
    ):
        result = check_llm(viewer, settings)
    if result is not None:
        if not settings.llm_configured:
            st.warning(result.detail)
        elif result.ok:
            st.success(f"Connected in {result.seconds:.2f} s. {md_escape(result.detail)}")
        else:
            st.error(f"The connection failed after {result.seconds:.2f} s.")
            st.code(result.detail, language=None, wrap_lines=True)
