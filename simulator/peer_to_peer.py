"""The peer-to-peer as a conversation: the payer's medical director, scripted from the denial.

The director opens, asks about each criterion the denial found unmet and for the evidence (which chart
document, its date, the figure), follows up once when an answer cites no chart fact, and closes. What
counts is what the trainee *states*: each answer is run through the shared claim checker
(``clinical.ClaimChecker``); a criterion is answered only by a supported claim whose source is a chart
document, and a contradicted claim, or an unsupported one that carries a figure or date, counts against
it (a made-up "12 weeks" must not buy an approval). The conversation then becomes an ordinary
``PeerToPeer`` action -- the transcript as its talking points, the documents the supported claims came
from as its evidence -- and is decided by the same appeal machinery, so replay from (module, seed,
actions) stays deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from clinical.checker import ClaimChecker
from clinical.models import Finding
from knowledge_base.loader import Library, load_library
from scenarios.models import Case, PeerToPeer, Submission
from simulator.appeals import request_peer_to_peer
from simulator.models import Determination

Speaker = Literal["director", "trainee"]
# How a call is stored as the action's talking points: one "<speaker>: <text>" line per turn (an answer
# may run on over further lines). Grading reads it back with ``trainee_words``.
PREFIX: dict[Speaker, str] = {"director": "director: ", "trainee": "trainee: "}


@dataclass(frozen=True, slots=True)
class Line:
    speaker: Speaker
    text: str
    criterion_id: str | None = None
    kind: Literal["open", "ask", "follow_up", "answer", "close"] = "answer"


@dataclass(frozen=True, slots=True)
class Answered:
    """How one failed criterion was answered in the call."""

    criterion_id: str
    criterion_text: str
    met: bool
    document_ids: tuple[str, ...]
    supported: tuple[Finding, ...]
    against: tuple[Finding, ...]


@dataclass
class Call:
    """A peer-to-peer in progress. ``next_line`` is the director's next line (None once closed)."""

    denial: Determination
    lines: list[Line] = field(default_factory=list)

    @property
    def failed(self) -> list[tuple[str, str]]:
        return [(c.criterion_id, c.text) for c in self.denial.criteria if c.status != "met"]

    def _asked(self) -> list[Line]:
        return [ln for ln in self.lines if ln.speaker == "director" and ln.kind in ("ask", "follow_up")]

    @property
    def closed(self) -> bool:
        return any(ln.kind == "close" for ln in self.lines)

    def director_turn(self, checker: ClaimChecker) -> Line | None:
        """Append and return the director's next line, or None when the call is over."""
        if self.closed:
            return None
        line = self._next(checker)
        self.lines.append(line)
        return line

    def answer(self, text: str) -> None:
        """The trainee's free-text answer to the director's last question."""
        if self.closed:
            raise ValueError("answer: the call is over; the decision follows what was said")
        if not text.strip():
            raise ValueError("answer: say which chart document, its date and the figure that meet it")
        last = self.lines[-1] if self.lines else None
        cid = last.criterion_id if last is not None else None
        self.lines.append(Line("trainee", text.strip(), cid, "answer"))

    def _next(self, checker: ClaimChecker) -> Line:
        if not self.lines:
            ids = ", ".join(cid for cid, _ in self.failed) or "none"
            return Line(
                "director",
                f"This is the medical director reviewing the denial under policy {self.denial.policy_id}. "
                f"The criteria not met were: {ids}. Walk me through the evidence.",
                None,
                "open",
            )
        asked = self._asked()
        if asked and self.lines[-1].speaker == "trainee":
            last_q = asked[-1]
            answer = self.lines[-1].text
            if last_q.kind == "ask" and not _cites_chart(checker.check(answer)):
                return Line(
                    "director",
                    f"I still need the chart fact for {last_q.criterion_id}: which document, dated when, "
                    "and what figure does it record?",
                    last_q.criterion_id,
                    "follow_up",
                )
        done = {ln.criterion_id for ln in asked}
        for cid, text in self.failed:
            if cid not in done:
                return Line(
                    "director",
                    f"On {cid} -- {text} -- what in the chart shows it is met? Name the document and date.",
                    cid,
                    "ask",
                )
        return Line(
            "director",
            "Thank you. I will make the determination on what you have cited; the notice follows.",
            None,
            "close",
        )

    def transcript(self) -> str:
        return "\n".join(PREFIX[ln.speaker] + ln.text for ln in self.lines)


def trainee_words(talking_points: str) -> str:
    """What the trainee said in a call transcript (the director's lines dropped: quoting the criterion
    back is the payer's doing, not evidence the trainee gave); any other text is returned as it is.

    >>> trainee_words("director: On C1 -- six weeks of therapy?\\ntrainee: Yes, 7 weeks.\\nsee note")
    'Yes, 7 weeks.\\nsee note'
    >>> trainee_words("Hand-written talking points")
    'Hand-written talking points'
    """
    if not talking_points.startswith(PREFIX["director"]):
        return talking_points
    kept: list[str] = []
    speaker: str | None = None
    for raw in talking_points.split("\n"):
        for who, prefix in PREFIX.items():
            if raw.startswith(prefix):
                speaker, raw = who, raw[len(prefix) :]
                break
        if speaker == "trainee":
            kept.append(raw)
    return "\n".join(kept)


def trainee_answers(talking_points: str) -> list[str]:
    """Each of the trainee's turns in a call transcript, in order (an answer may run over lines); [] for
    talking points that are not a call.

    >>> trainee_answers("director: On C1?\\ntrainee: Yes, 7 weeks.\\nsee note\\ndirector: Thanks.\\ntrainee: Bye")
    ['Yes, 7 weeks.\\nsee note', 'Bye']
    """
    if not talking_points.startswith(PREFIX["director"]):
        return []
    turns: list[tuple[str, list[str]]] = []
    for raw in talking_points.split("\n"):
        for who, prefix in PREFIX.items():
            if raw.startswith(prefix):
                turns.append((who, [raw[len(prefix) :]]))
                break
        else:
            if turns:
                turns[-1][1].append(raw)
    return ["\n".join(lines) for who, lines in turns if who == "trainee"]


def _chart_ids(checker: ClaimChecker) -> set[str]:
    return {s.id for s in checker.sources if s.kind == "chart"}


def _against(f: Finding) -> bool:
    # a bare mention the checker cannot place ("therapy") is not a fabrication; a wrong or invented
    # figure, date or finding is
    if f.verdict == "contradicted":
        return True
    return f.verdict == "unsupported" and (f.claim.value is not None or f.claim.kind in ("date", "finding"))


def _cites_chart(findings: list[Finding]) -> bool:
    return any(
        f.verdict == "supported" and f.evidence is not None and f.claim.kind != "date" for f in findings
    )


def assess(call: Call, checker: ClaimChecker) -> list[Answered]:
    """Per failed criterion: whether the trainee's answers stated a chart fact, and what counts against."""
    charts = _chart_ids(checker)
    out: list[Answered] = []
    for cid, text in call.failed:
        said = [ln.text for ln in call.lines if ln.speaker == "trainee" and ln.criterion_id == cid]
        findings = [f for s in said for f in checker.check(s)]
        supported = tuple(
            f
            for f in findings
            if f.verdict == "supported" and f.evidence is not None and f.evidence.source_id in charts
        )
        against = tuple(f for f in findings if _against(f))
        docs = tuple(dict.fromkeys(f.evidence.source_id for f in supported if f.evidence is not None))
        met = bool(supported) and not against and any(f.claim.kind != "date" for f in supported)
        out.append(Answered(cid, text, met, docs if met else (), supported, against))
    return out


def to_action(call: Call, checker: ClaimChecker, at: datetime) -> PeerToPeer:
    """The conversation as the ``peer_to_peer`` action replay stores: the transcript and the documents
    that back criteria the trainee answered with chart facts (nothing from an answer with a fabrication)."""
    docs = [d for a in assess(call, checker) for d in a.document_ids]
    return PeerToPeer(at=at, talking_points=call.transcript()[:20000], document_ids=list(dict.fromkeys(docs)))


def decide_call(
    case: Case,
    submission: Submission,
    call: Call,
    at: datetime,
    *,
    library: Library | None = None,
) -> tuple[PeerToPeer, Determination]:
    """The payer's decision on the conversation (the simulator's, through the peer-to-peer level)."""
    checker = ClaimChecker.for_case(case)
    action = to_action(call, checker, at)
    return action, request_peer_to_peer(
        case, submission, call.denial, action, library=library or load_library()
    )


def scripted_answers(call: Call, checker: ClaimChecker, answers: list[str]) -> Call:
    """Run a whole call with ``answers`` in order (tests, the bench and the browser journey use it)."""
    queue = list(answers)
    while (line := call.director_turn(checker)) is not None and line.kind != "close":
        if line.kind == "open":
            continue
        if not queue:
            break
        call.answer(queue.pop(0))
    return call
