"""Precert Academy's web server entry (``streamlit run server.py``, as ``scripts/run`` does).

The same app as ``app.py`` (which ``streamlit run app.py`` and the AppTest suite still run directly),
served through Streamlit's ASGI ``App`` so that one middleware can stand in front of it: download
links need a live session (``ui.download_gate``). Every ``streamlit run`` option and the shipped
``.streamlit/config.toml`` apply as before.
"""

from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware

from ui.download_gate import DownloadsNeedSession

app = st.App("app.py", middleware=[Middleware(DownloadsNeedSession)])
