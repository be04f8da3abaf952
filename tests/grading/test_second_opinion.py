"""The optional LLM second opinion, against a tiny OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from grading_support import case

from grading import grade
from settings import Settings, load_settings


class _Server:
    def __init__(self) -> None:
        self.reply: Any = {"score": 90, "reasons": ["criteria addressed with chart figures"]}
        self.status = 200
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                content = server.reply if isinstance(server.reply, str) else json.dumps(server.reply)
                payload = {
                    "id": "cmpl-1",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": content},
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
                if server.status != 200:
                    payload = {"error": {"message": "model overloaded", "type": "server_error"}}
                data = json.dumps(payload).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.http = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)

    def settings(self, **extra: object) -> Settings:
        return load_settings(
            env={},
            overrides={
                "openai_base_url": f"http://127.0.0.1:{self.http.server_port}/v1",
                "openai_api_key": "test-key",
                "llm_model": "tiny-grader",
                "llm_timeout_s": 5,
                "llm_max_retries": 0,
                **extra,
            },
        )


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server()
    srv.thread.start()
    yield srv
    srv.http.shutdown()
    srv.http.server_close()


def _mri() -> Any:
    return next(
        case("advanced_imaging", s)
        for s in range(80)
        if case("advanced_imaging", s).archetype_id == "mri_meets"
    )


def test_second_opinion_is_reported_beside_the_deterministic_score(server: _Server) -> None:
    c = _mri()
    report = grade(c, c.answer_key.reference_actions, settings=server.settings())
    plain = grade(c, c.answer_key.reference_actions)
    assert report.second_opinion is not None and report.second_opinion_note is None
    assert report.second_opinion.score == 90 and report.second_opinion.agreement is True
    assert report.second_opinion.deterministic_score == 100
    assert report.total == plain.total and report.items == plain.items  # never replaces the grade
    sent = json.dumps(server.requests[0])
    assert c.patient.last_name not in sent and c.coverage.member_id not in sent  # redacted by default
    assert server.requests[0]["response_format"]["type"] == "json_schema"


def test_disagreement_is_flagged(server: _Server) -> None:
    server.reply = {"score": 40, "reasons": ["too terse"]}
    c = _mri()
    report = grade(c, c.answer_key.reference_actions, settings=server.settings())
    assert report.second_opinion is not None and report.second_opinion.agreement is False


@pytest.mark.parametrize(
    ("status", "reply", "needle"),
    [
        (500, None, "second opinion unavailable"),
        (200, "this is not JSON", "second opinion unavailable"),
        (200, {"score": 250, "reasons": []}, "second opinion unavailable"),
    ],
)
def test_any_error_leaves_the_grade_and_says_why(
    server: _Server, status: int, reply: Any, needle: str
) -> None:
    server.status, server.reply = status, reply if reply is not None else {}
    c = _mri()
    report = grade(c, c.answer_key.reference_actions, settings=server.settings())
    assert report.second_opinion is None and needle in (report.second_opinion_note or "")
    assert report.total == 100


def test_unreachable_server_and_no_llm() -> None:
    c = _mri()
    down = load_settings(
        env={},
        overrides={
            "openai_base_url": "http://127.0.0.1:9/v1",
            "openai_api_key": "k",
            "llm_model": "m",
            "llm_timeout_s": 2,
            "llm_max_retries": 0,
        },
    )
    report = grade(c, c.answer_key.reference_actions, settings=down)
    assert report.second_opinion is None and "unavailable" in (report.second_opinion_note or "")
    offline = grade(c, c.answer_key.reference_actions, settings=load_settings(env={}))
    assert offline.second_opinion is None and offline.second_opinion_note is None
