"""What a real OpenAI-compatible server needs from the client: one deadline per draft, a token cap it
actually reads, and a prompt that fits its context (docs/local-llm.md, "Settings for a CPU server").

- :class:`Deadline`: the whole draft's time (first attempt and the guards' retry together). A local
  server keeps generating after the client hangs up, so per-attempt time-outs plus retries only stack
  waits behind an abandoned generation; every call gets what is left, and none starts without time.
- :func:`token_cap`: langchain's ``ChatOpenAI(max_tokens=N)`` goes out as ``max_completion_tokens``,
  which llama.cpp's server ignores (it generated until the time-out); ``max_tokens`` in ``extra_body``
  reaches it. Both are sent unless ``llm_token_field`` says one.
- :func:`check_context`: a prompt that cannot fit beside the answer's cap is refused before sending.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import BaseMessage

from settings import Settings

# English prose is ~4 characters a token; codes, dates and ids are denser. 3 over-counts a little,
# which is the safe side: a refused prompt costs an offline draft, an overflow costs a server error
CHARS_PER_TOKEN = 3.0
MESSAGE_OVERHEAD_TOKENS = 8  # the chat template's role markers around each message
MIN_ATTEMPT_S = 0.1  # less than this left: starting a call only adds a request the server must abandon


class DeadlineExceeded(TimeoutError):
    """The draft's time ran out (PRECERT_LLM_TIMEOUT_S); the offline draft answers."""


class ContextTooLong(ValueError):
    """The prompt and the answer's cap exceed the model's context (PRECERT_LLM_CONTEXT_TOKENS)."""


class TokenCapReached(ValueError):
    """The model stopped at the token cap: its answer is cut off (PRECERT_LLM_MAX_TOKENS)."""


class Deadline:
    def __init__(self, seconds: float, clock: Any = time.monotonic):
        self.seconds, self._clock = seconds, clock
        self._end = clock() + seconds

    def remaining(self) -> float:
        return self._end - self._clock()

    def for_call(self, what: str) -> float:
        """The time-out for the next call; DeadlineExceeded when too little is left to start one."""
        left = self.remaining()
        if left < MIN_ATTEMPT_S:
            raise DeadlineExceeded(
                f"{what}: the draft's deadline of {self.seconds:g} s (PRECERT_LLM_TIMEOUT_S) was used up"
            )
        return left


def token_cap(settings: Settings) -> dict[str, Any]:
    """ChatOpenAI keyword arguments that put the answer's cap where the server reads it."""
    n, field = settings.llm_max_tokens, settings.llm_token_field
    out: dict[str, Any] = {}
    if field in ("both", "max_completion_tokens"):
        out["max_tokens"] = n  # langchain-openai sends this as max_completion_tokens
    if field in ("both", "max_tokens"):
        out["extra_body"] = {"max_tokens": n}
    return out


def estimate_tokens(messages: Sequence[BaseMessage]) -> int:
    chars = sum(len(str(m.content)) for m in messages)
    return math.ceil(chars / CHARS_PER_TOKEN) + MESSAGE_OVERHEAD_TOKENS * len(messages)


def check_context(messages: Sequence[BaseMessage], settings: Settings) -> int:
    """The prompt's estimated tokens; ContextTooLong when it cannot fit beside the answer's cap."""
    prompt = estimate_tokens(messages)
    need, have = prompt + settings.llm_max_tokens, settings.llm_context_tokens
    if need > have:
        raise ContextTooLong(
            f"the prompt (~{prompt} tokens) and the answer's cap ({settings.llm_max_tokens}, "
            f"PRECERT_LLM_MAX_TOKENS) need ~{need} tokens but the model's context is {have} "
            "(PRECERT_LLM_CONTEXT_TOKENS): raise the server's context and that setting, or lower the cap"
        )
    return prompt


def check_finish(message: Any, settings: Settings) -> None:
    """TokenCapReached when the server says the answer stopped at the cap (finish_reason "length")."""
    meta = getattr(message, "response_metadata", None) or {}
    if meta.get("finish_reason") == "length":
        raise TokenCapReached(token_cap_message(settings))


def token_cap_message(settings: Settings) -> str:
    return (
        f"the answer was cut off at the token cap of {settings.llm_max_tokens} "
        "(PRECERT_LLM_MAX_TOKENS); raise it if the server is fast enough"
    )
