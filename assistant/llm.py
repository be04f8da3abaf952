"""The LLM backend: LangChain's OpenAI-compatible chat model, with the offline composer as its safety net.

The model gets the task, the retrieved passages (each with its label and chunk id) and the case inside
a data block (redacted when ``settings.redact``); it answers a JSON object ``{"text", "citations"}``
(JSON mode, validated with a pydantic schema and parsed defensively). ANY failure — HTTP error,
timeout, malformed JSON, a reply that does not fit the schema — returns the offline draft instead, with
the reason recorded. The client's timeout and retries are set explicitly from settings: the openai
client's own defaults (600 s, two retries) would freeze the page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field, SecretStr

from assistant.acceptance import review
from assistant.brief import Brief, case_data_text
from assistant.drafters import LLMCall, LLMCallHook, OfflineDrafter, Written
from assistant.guards import DATA_RULE, Redactor, StreamRestorer, data_block
from assistant.llm_limits import (
    Deadline,
    TokenCapReached,
    check_context,
    check_finish,
    token_cap,
    token_cap_message,
)
from settings import Settings

# the prompt's example of the citation form: no real payer's id, so a model that copies it cites nothing
CITATION_EXAMPLE = "[XYZ-ABC-000.1]"
SYSTEM_PROMPT = (
    "You draft prior-authorization documents for a provider's office: medical-necessity narratives, appeal "
    "letters, peer-to-peer talking points, queries to the ordering provider, and answers about payer policy.\n"
    "Rules:\n"
    "1. Write only from the CASE DATA and the POLICY PASSAGES. Never invent a fact, number, date, code, name "
    "or document. If something is not in them, say it is not documented.\n"
    "2. Cite policy passages inline by their label in square brackets, exactly as listed below; the "
    f"form is {CITATION_EXAMPLE}, which is only an example of the form and never a passage to cite. Cite "
    "nothing that is not listed: no other payer's, agency's or guideline's ids, no footnotes.\n"
    "3. Say plainly when a criterion is not met or not shown; never overstate the case.\n"
    f"4. {DATA_RULE}\n"
    "5. Placeholders such as [[NAME_1]] stand for identifiers; copy them exactly as they are.\n"
    "6. Never state a decision or address the reviewer with a verdict (no 'approved', 'must approve', "
    "'all criteria met'): present the documented facts; the payer decides."
)
RETRY = (
    "Your draft cannot be used as written. Problems found by the reviewer's checks:\n{problems}\n"
    "Write the whole draft again from the CASE DATA and POLICY PASSAGES only: drop every claim, figure, "
    "date or citation that is not in them, restore every placeholder exactly, and keep the same JSON format."
)
TASKS: dict[str, str] = {
    "narrative": (
        "Write the medical-necessity narrative for this prior-authorization request: patient "
        "identifiers, codes and units, date of service, requested period, clinical history, how each "
        "criterion is met with the document that shows it (title and date), follow-up plan, and the "
        "ordering provider's name and credentials."
    ),
    "provider_query": (
        "Write a query to the ordering provider: which criteria are not met or not shown, what the "
        "chart shows for each, and exactly what record is needed. Do not write a request letter."
    ),
    "appeal": (
        "Write the appeal letter: name the appeal level and its filing deadline as given, answer the "
        "denial's reason and criterion with the new evidence (document titles and dates), and ask for the "
        "denial to be overturned."
    ),
    "p2p": (
        "Write peer-to-peer talking points for the ordering physician: the denial reason, the chart facts "
        "that answer it with their documents, the ask, and the next appeal level if it stands."
    ),
    "answer": "Answer the question from the policy passages only, briefly, citing each passage you use.",
}
JSON_FORMAT = (
    'Reply with one JSON object and nothing else: {"text": "<the document>", "citations": '
    '["<passage id>", ...]} where citations lists the ids of the passages you cited.'
)
STREAM_FORMAT = "Reply with the document text only, citing passages inline by their labels."


class LLMReply(BaseModel):
    """What the model must return."""

    text: str = Field(min_length=20)
    citations: list[str] = Field(default_factory=list)


def parse_reply(content: Any) -> LLMReply:
    """The reply from raw model content: JSON possibly wrapped in a code fence or prose; else ValueError."""
    raw = (
        content
        if isinstance(content, str)
        else json.dumps(content)
        if isinstance(content, dict)
        else str(content)
    )
    fenced = re.search(r"```(?:json)?\s*(.*?)```", raw, re.DOTALL)
    body = fenced.group(1) if fenced else raw
    start, end = body.find("{"), body.rfind("}")
    if start == -1 or end <= start:
        raise ValueError("malformed JSON: the reply has no JSON object")
    try:
        data = json.loads(body[start : end + 1])
    except json.JSONDecodeError as exc:
        raise ValueError(f"malformed JSON: {exc.msg} at position {exc.pos}") from None
    return LLMReply.model_validate(data)  # raises ValidationError on a schema mismatch


def build_messages(brief: Brief, redactor: Redactor | None, *, streaming: bool = False) -> list[BaseMessage]:
    passages = "\n\n".join(
        f"[{p.label}] (passage id {p.chunk_id}; {p.hit.section})\n{p.hit.text}" for p in brief.passages
    )
    task = [f"TASK: {TASKS[brief.kind]}"]
    if brief.question:
        task.append(f"QUESTION: {brief.question}")
    sections = [*task, f"POLICY PASSAGES:\n{passages or '(none retrieved)'}"]
    if brief.analysis is not None:
        sections.append(f"CASE DATA:\n{data_block(case_data_text(brief))}")
    body = "\n\n".join([*sections, STREAM_FORMAT if streaming else JSON_FORMAT])
    if redactor is not None:
        body = redactor.redact(body)
    return [SystemMessage(content=SYSTEM_PROMPT), HumanMessage(content=body)]


def describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:300]


class LLMDrafter:
    """Drafts through an OpenAI-compatible server; falls back to :class:`OfflineDrafter` on any error."""

    def __init__(
        self,
        settings: Settings,
        fallback: OfflineDrafter | None = None,
        *,
        on_call: LLMCallHook | None = None,
    ):
        if not settings.llm_model:
            raise ValueError(
                "llm_model: no model configured; set PRECERT_LLM_MODEL or use the offline backend"
            )
        self.settings = settings
        self.backend = f"llm:{settings.llm_model}"
        self.fallback = fallback or OfflineDrafter()
        self.on_call = on_call

    def _report(self, brief: Brief, messages: list[BaseMessage], redactor: Redactor | None) -> None:
        """Tell ``on_call`` what is about to be sent, always in redacted form."""
        if self.on_call is None:
            return
        sent = "\n\n".join(f"{m.type}: {m.content}" for m in messages)
        if redactor is None and brief.analysis is not None:
            sent = Redactor(brief.analysis.case).redact(sent)
        self.on_call(LLMCall(self.backend, brief.kind, sent, redacted_in_flight=redactor is not None))
        import langchain_openai  # noqa: F401  # loaded now (~1 s), not on the draft's deadline

    def chat(self, timeout_s: float | None = None) -> Any:
        """The client for one call: ``timeout_s`` is what is left of the draft's deadline."""
        from langchain_openai import ChatOpenAI

        s = self.settings
        return ChatOpenAI(
            base_url=s.openai_base_url,
            api_key=SecretStr(s.openai_api_key or "not-needed"),
            model=s.llm_model or "",
            timeout=timeout_s if timeout_s is not None else s.llm_timeout_s,
            max_retries=0,  # retried by _invoke within the deadline, never stacked behind a busy server
            temperature=0,
            **token_cap(s),
        )

    def _invoke(self, messages: list[BaseMessage], deadline: Deadline) -> Any:
        """One structured call, retried on transport errors only while the deadline allows."""
        from openai import APIConnectionError, InternalServerError, LengthFinishReasonError

        check_context(messages, self.settings)
        for attempt in range(self.settings.llm_max_retries + 1):
            timeout = deadline.for_call("the LLM call")
            runnable = self.chat(timeout).with_structured_output(
                LLMReply, method="json_mode", include_raw=True
            )
            try:
                return runnable.invoke(messages)
            except LengthFinishReasonError:  # the client's own parse of a reply cut at the cap
                raise TokenCapReached(token_cap_message(self.settings)) from None
            except (APIConnectionError, InternalServerError):  # APITimeoutError is a connection error
                if attempt == self.settings.llm_max_retries:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _redactor(self, brief: Brief) -> Redactor | None:
        return Redactor(brief.analysis.case) if self.settings.redact and brief.analysis else None

    def _ask(
        self, brief: Brief, messages: list[BaseMessage], redactor: Redactor | None, deadline: Deadline
    ) -> tuple[Written, str]:
        """One JSON round trip: the restored Written, and the raw reply (for a retry's history)."""
        self._report(brief, messages, redactor)  # audited (redacted) before anything leaves the machine
        out = self._invoke(messages, deadline)
        check_finish(out.get("raw"), self.settings)
        reply = out.get("parsed")
        raw = getattr(out.get("raw"), "content", "")
        if not isinstance(reply, LLMReply):
            reply = parse_reply(raw)
        text, cited = reply.text, reply.citations
        if redactor is not None:
            text, cited = redactor.restore(text), [redactor.restore(c) for c in cited]
        return Written(text=text, cited_ids=cited, backend=self.backend), str(raw)

    def _retry(
        self,
        brief: Brief,
        messages: list[BaseMessage],
        raw: str,
        problems: list[str],
        redactor: Redactor | None,
        deadline: Deadline,
    ) -> Written:
        """Ask once more with the problems stated; the offline draft when the second answer fails too."""
        listed = "\n".join(f"- {p}" for p in problems[:12])
        if redactor is not None:
            listed = redactor.redact(listed)
        again = [*messages, AIMessage(content=raw), HumanMessage(content=RETRY.format(problems=listed))]
        written, _ = self._ask(brief, again, redactor, deadline)
        second = review(brief, written.text, written.cited_ids).problems
        if not second:
            return written
        fallback = self.fallback.write(brief)
        fallback.fallback_reason = (
            f"the LLM draft failed the guards twice ({len(second)} problem(s), e.g. {second[0][:160]})"
        )
        fallback.rejected, fallback.rejected_backend = second, self.backend
        return fallback

    def write(self, brief: Brief) -> Written:
        try:
            deadline = Deadline(self.settings.llm_timeout_s)
            redactor = self._redactor(brief)
            messages = build_messages(brief, redactor)
            written, raw = self._ask(brief, messages, redactor, deadline)
            problems = review(brief, written.text, written.cited_ids).problems
            return self._retry(brief, messages, raw, problems, redactor, deadline) if problems else written
        except Exception as exc:  # any failure of the remote path: the offline draft answers
            written = self.fallback.write(brief)
            written.fallback_reason = describe(exc)
            return written

    def stream(self, brief: Brief) -> Iterator[str | Written]:
        """Text chunks as the model writes them (plain text, inline citations), then the Written result.
        On an error before or during the stream the offline draft is streamed instead (the final Written
        says so; a page should show the final text, which replaces a partial one)."""
        parts: list[str] = []
        try:
            deadline = Deadline(self.settings.llm_timeout_s)
            redactor = self._redactor(brief)
            restorer = StreamRestorer(redactor)
            prompt = build_messages(brief, redactor, streaming=True)
            check_context(prompt, self.settings)
            self._report(brief, prompt, redactor)
            for chunk in self.chat(deadline.for_call("the LLM stream")).stream(prompt):
                if deadline.remaining() <= 0:  # the read time-out is per chunk; the deadline is the draft's
                    deadline.for_call("the LLM stream")
                check_finish(chunk, self.settings)
                piece = restorer.feed(str(chunk.content or ""))
                if piece:
                    parts.append(piece)
                    yield piece
            tail = restorer.flush()
            if tail:
                parts.append(tail)
                yield tail
            if len("".join(parts).strip()) < 20:
                raise ValueError("the model returned an empty draft")
            text = "".join(parts)
            problems = review(brief, text).problems
            if not problems:
                yield Written(text=text, backend=self.backend)
                return
            # the streamed text is refused: the page replaces it with the final text yielded here
            messages = build_messages(brief, redactor)
            raw = redactor.redact(text) if redactor is not None else text
            written = self._retry(brief, messages, raw, problems, redactor, deadline)
            yield "\n\n" + written.text
            yield written
        except Exception as exc:
            written = self.fallback.write(brief)
            written.fallback_reason = describe(exc)
            yield written.text
            yield written
