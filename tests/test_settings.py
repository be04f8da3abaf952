from __future__ import annotations

import re
from pathlib import Path

import pytest

from settings import ENV_VARS, SettingsError, load_settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_defaults_are_embedded_and_offline(tmp_path: Path) -> None:
    s = load_settings({"DATA_DIR": str(tmp_path)})
    assert s.resolved_database_url == f"sqlite:///{tmp_path / 'precert.db'}"
    assert s.chroma_dir == tmp_path / "chroma"
    assert s.chroma_host is None
    assert not s.llm_configured


def test_llm_needs_a_model_and_an_endpoint() -> None:
    assert not load_settings({"OPENAI_API_KEY": "k"}).llm_configured
    assert load_settings(
        {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "PRECERT_LLM_MODEL": "m"}
    ).llm_configured


def test_blank_values_mean_default() -> None:
    assert load_settings({"DATABASE_URL": "  ", "CHROMA_PORT": ""}).chroma_port == 8000


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"CHROMA_PORT": "abc"}, "CHROMA_PORT"),
        ({"PRECERT_LLM_TIMEOUT_S": "-1"}, "PRECERT_LLM_TIMEOUT_S"),
        ({"PRECERT_REDACT": "perhaps"}, "PRECERT_REDACT"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError, match=rf"^{names}: .*fix the variable"):
        load_settings(env)


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", DOC.read_text(), flags=re.M))
    assert documented == set(ENV_VARS)
