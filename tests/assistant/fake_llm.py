"""A local OpenAI-compatible chat server for the LLM-path tests (http.server in a thread on 127.0.0.1).

``mode`` decides the next replies: ``ok`` (a JSON draft citing the first passage offered, with a
redaction placeholder echoed back), ``bad_citation`` (also cites a passage nobody retrieved), ``http500``,
``timeout`` (sleeps longer than the client waits), ``malformed`` (content is not JSON) and ``schema``
(JSON of the wrong shape). Streaming requests get server-sent events. Every request body is recorded.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_PASSAGE = re.compile(r"^\[(.+?)\] \(passage id (\S+);", re.MULTILINE)
_PLACEHOLDER = re.compile(r"\[\[NAME_\d+\]\]")


class FakeLLM:
    def __init__(self) -> None:
        self.mode = "ok"
        self.sleep_s = 2.0
        self.requests: list[dict[str, Any]] = []
        server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        server.daemon_threads = True
        self.server = server
        self.thread = threading.Thread(target=server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reply_text(self, body: dict[str, Any]) -> tuple[str, list[str]]:
        user = next(m["content"] for m in body["messages"] if m["role"] == "user")
        passages = _PASSAGE.findall(user)
        label, chunk_id = passages[0] if passages else ("none", "none")
        name = (_PLACEHOLDER.findall(user) or ["the patient"])[0]
        text = (
            f"Medical necessity summary for {name}. The request meets the policy criteria as documented "
            f"in the attached records [{label}]."
        )
        cited = [chunk_id]
        if self.mode == "bad_citation":
            text += " It also meets an invented rule [ZZZ-FAKE-001.9]."
            cited.append("ZZZ-FAKE-001:nowhere:2026.1")
        return text, cited

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(size) or b"{}")
                fake.requests.append(body)
                mode = fake.mode
                if mode == "http500":
                    return self._send(500, {"error": {"message": "internal error", "type": "server_error"}})
                if mode == "timeout":
                    time.sleep(fake.sleep_s)
                text, cited = fake.reply_text(body)
                if body.get("stream"):
                    return self._stream(text)
                content = {"malformed": '{"text": "unterminated', "schema": json.dumps({"answer": text})}.get(
                    mode, json.dumps({"text": text, "citations": cited})
                )
                self._send(
                    200,
                    {
                        "id": "chatcmpl-test",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body.get("model"),
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "message": {"role": "assistant", "content": content},
                            }
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    },
                )

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def _stream(self, text: str) -> None:
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    pieces = [text[i : i + 7] for i in range(0, len(text), 7)]
                    for piece in pieces:
                        chunk = {
                            "id": "chatcmpl-test",
                            "object": "chat.completion.chunk",
                            "created": 0,
                            "model": "m",
                            "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
                        }
                        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    done = {
                        "id": "chatcmpl-test",
                        "object": "chat.completion.chunk",
                        "created": 0,
                        "model": "m",
                        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                    }
                    self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler
