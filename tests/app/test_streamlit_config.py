"""Issue 12 item 7: the shipped .streamlit/config.toml hides Streamlit's developer controls (Deploy,
Rerun, Clear cache) for every role, and names only options Streamlit knows."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from streamlit import config

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / ".streamlit" / "config.toml"


def test_every_shipped_option_is_a_streamlit_option() -> None:
    assert SHIPPED.is_file(), "ship .streamlit/config.toml with the app"
    data = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    names = [f"{section}.{key}" for section, body in data.items() for key in body]
    unknown = [n for n in names if n not in config._config_options_template]
    assert names and not unknown, unknown


def test_streamlit_started_from_the_repository_reads_viewer_toolbar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    try:
        config.get_config_options(force_reparse=True)
        assert config.get_option("client.toolbarMode") == "viewer"  # no Deploy, Rerun or Clear cache
    finally:
        monkeypatch.undo()
        config.get_config_options(force_reparse=True)
