"""The peer-to-peer director voiced by a model (issue 16 item 4): the same scripted line, said in the
model's words, under guards; the call's course and the payer's decision stay the simulator's.

``simulator.peer_to_peer`` decides what the director asks (which criterion, when to follow up, when to
close) and the decision follows what the trainee cited. With an LLM configured, each scripted line is
handed to the model to be said as a medical director would say it. Nothing of the patient is sent:
the scripted line holds the policy id, criterion ids and the criteria's own text, never the chart.

A voiced line is used only if it passes :func:`line_problems`: it keeps the criterion id it is about,
states no figure the scripted line does not (a director quoting "12 weeks" the policy never asked for
would mislead the trainee), asks a question where the script asks one, announces no decision (the
notice is the simulator's), and is one short paragraph with no speaker label (the stored transcript
is "<speaker>: <text>" lines, so a "trainee:" in the model's line would put words in the trainee's mouth). Otherwise, or on any error or time-out, the scripted line is said as it is, and the
reason is kept. No retry: the trainee is waiting on the call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import SecretStr

from assistant.drafters import LLMCall, LLMCallHook
from assistant.llm import describe
from assistant.llm_limits import Deadline, check_context, token_cap
from settings import Settings
from simulator.peer_to_peer import Line

MAX_CHARS = 400
SYSTEM = (
    "You are a health plan's medical director on a peer-to-peer call about a prior-authorization denial. "
    "Say the line you are given in your own words, briefly and courteously, as one short paragraph. Keep "
    "every criterion id and number exactly as given; add no facts, figures, dates or decisions. If the "
    "line asks a question, end with a question. Answer with the line only."
)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_DECISION = re.compile(
    r"\b(approv\w*|overturn\w*|uphold\w*|upheld|denial stands|will be denied)\b", re.IGNORECASE
)
_CRITERION = re.compile(r"\b[A-Z]{2,6}-[A-Z0-9]{2,8}-\d{3}(?:\.\d+)*\b")  # e.g. LKS-MRI-001.2


@dataclass(frozen=True, slots=True)
class Voiced:
    text: str  # what the trainee hears: the model's words, or the scripted line
    backend: str  # "llm:<model>" or "scripted"
    fallback_reason: str | None = None


def line_problems(scripted: Line, said: str) -> list[str]:
    """Why ``said`` cannot stand in for the scripted director line (empty: it can).

    >>> ask = Line("director", "On LKS-MRI-001.2 -- six weeks of therapy -- what shows it is met?",
    ...            "LKS-MRI-001.2", "ask")
    >>> line_problems(ask, "Regarding LKS-MRI-001.2, where does the chart show six weeks of therapy?")
    []
    >>> line_problems(ask, "Regarding LKS-MRI-001.2, 12 weeks of therapy? Then it is approved.")
    ['states 12, which the scripted line does not', 'does not end with a question, as the scripted line asks one', 'announces a decision ("approved"); the notice decides']
    """
    problems: list[str] = []
    text = said.strip()
    if not 10 <= len(text) <= MAX_CHARS:
        problems.append(f"is {len(text)} characters; a line is 10 to {MAX_CHARS}")
    if "\n" in text or "\r" in text:
        problems.append("runs over more than one line")
    if re.search(r"\b(trainee|director)\s*:", text, re.IGNORECASE):
        problems.append("speaks for a party to the call (a 'trainee:' or 'director:' label)")
    for cid in set(_CRITERION.findall(scripted.text)) | ({scripted.criterion_id} - {None}):
        if cid and cid not in text:
            problems.append(f"drops the criterion id {cid}")
    allowed = set(_NUMBER.findall(scripted.text))
    figures = _CRITERION.sub(" ", text)  # the digits inside an id are not a figure
    for number in dict.fromkeys(_NUMBER.findall(figures)):
        if number not in allowed:
            problems.append(f"states {number}, which the scripted line does not")
    if scripted.kind in ("ask", "follow_up") and not said.strip().endswith("?"):
        problems.append("does not end with a question, as the scripted line asks one")
    scripted_words = {w.lower() for w in _DECISION.findall(scripted.text)}
    for word in dict.fromkeys(w.lower() for w in _DECISION.findall(said)):
        if word not in scripted_words:
            problems.append(f'announces a decision ("{word}"); the notice decides')
    return problems


class DirectorVoice:
    """Says scripted director lines through the configured OpenAI-compatible model."""

    def __init__(self, settings: Settings, *, on_call: LLMCallHook | None = None):
        if not settings.llm_model:
            raise ValueError("llm_model: no model configured; the scripted director needs none")
        self.settings, self.on_call = settings, on_call
        self.backend = f"llm:{settings.llm_model}"

    def _ask(self, scripted: Line) -> str:
        from langchain_openai import ChatOpenAI

        s = self.settings
        messages = [SystemMessage(content=SYSTEM), HumanMessage(content=f"The line: {scripted.text}")]
        check_context(messages, s)
        if self.on_call is not None:  # audited before it leaves the machine (no patient data in it)
            sent = "\n\n".join(f"{m.type}: {m.content}" for m in messages)
            self.on_call(LLMCall(self.backend, "director_line", sent, redacted_in_flight=True))
        deadline = Deadline(s.llm_timeout_s)
        chat = ChatOpenAI(
            base_url=s.openai_base_url,
            api_key=SecretStr(s.openai_api_key or "not-needed"),
            model=s.llm_model or "",
            timeout=deadline.for_call("the director's line"),
            max_retries=0,
            temperature=0,
            **token_cap(s),
        )
        reply = chat.invoke(messages)
        content = reply.content if isinstance(reply.content, str) else str(reply.content)
        return " ".join(content.split()).strip().strip('"')

    def voice(self, scripted: Line) -> Voiced:
        """The line as the model says it, or the scripted line with the reason it was kept."""
        try:
            said = self._ask(scripted)
        except Exception as exc:  # any failure of the optional voice: the script speaks
            return Voiced(scripted.text, "scripted", describe(exc))
        problems = line_problems(scripted, said)
        if problems:
            return Voiced(scripted.text, "scripted", "the model's line " + "; ".join(problems[:3]))
        return Voiced(said, self.backend)
