"""Admin: the effective LLM settings (key masked) and a "test connection" call."""

from __future__ import annotations

import streamlit as st

from store.admin_ops import check_llm
from ui.feedback import core_errors
from ui.resources import get_settings
from ui.state import require_role
from ui.widgets.scoped import claim
from ui.widgets.text import mask, mask_url

viewer = require_role("admin")
claim(viewer)
st.title("LLM settings")
settings = get_settings()
st.write(
    "Settings come from the environment (or `.streamlit/secrets.toml`) when the app starts; see "
    "docs/settings.md. Change them there and restart the app. A local model on a CPU: docs/local-llm.md."
)
st.dataframe(
    [
        {"setting": "PRECERT_LLM_MODEL", "value": settings.llm_model or "(not set)"},
        {"setting": "OPENAI_BASE_URL", "value": mask_url(settings.openai_base_url)},
        {"setting": "OPENAI_API_KEY", "value": mask(settings.openai_api_key)},
        {"setting": "PRECERT_LLM_TIMEOUT_S", "value": f"{settings.llm_timeout_s:g}"},
        {"setting": "PRECERT_LLM_MAX_RETRIES", "value": str(settings.llm_max_retries)},
        {"setting": "PRECERT_LLM_MAX_TOKENS", "value": str(settings.llm_max_tokens)},
        {"setting": "PRECERT_LLM_TOKEN_FIELD", "value": settings.llm_token_field},
        {"setting": "PRECERT_LLM_CONTEXT_TOKENS", "value": str(settings.llm_context_tokens)},
        {"setting": "PRECERT_REDACT", "value": "on" if settings.redact else "off"},
    ],
    hide_index=True,
)
if settings.llm_configured:
    st.info(
        f"The assistant drafts with {settings.llm_model}; on any error or time-out the offline composer answers "
        "and the draft says so."
    )
else:
    st.info("No LLM is configured: the assistant uses the offline grounded composer.")

if st.button("Test connection", key="llm_test", type="primary"):
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
            st.success(f"Connected in {result.seconds:.2f} s. {result.detail}")
        else:
            st.error(f"The connection failed after {result.seconds:.2f} s.")
            st.code(result.detail, language=None, wrap_lines=True)
