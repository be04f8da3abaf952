"""Hypothesis fuzzing of every command line, in-process (``main(argv)``), for bench/robustness.py.

Each input is a valid file (case, submission, actions, appeal) with one value replaced by something
hostile — a 5,000-digit integer, JSON nested 2,000 deep, an escaped lone surrogate, a date next to
9999-12-31, a megabyte string, control characters — or a file of garbage, or a hostile flag value.
A *crash* is anything a user would call one: an exception escaping ``main``, an exit code other than
0 or 2, a traceback or an internal exception name on stderr, more than one stderr line for a refusal,
or output that cannot be written as UTF-8 (stdout is a strict UTF-8 stream, like a real terminal).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scenarios import generate_case

MODULES = ("advanced_imaging", "dme", "behavioral_health")
# Exception class names leaking onto stderr mean an unexpected error was caught late, not a refusal.
_LEAK = re.compile(r"\b(Traceback|[A-Z][A-Za-z]*(Error|Exception)):")

HOSTILE_VALUES: list[Any] = [
    -(10**40),
    2**63,
    1e308,
    "\ud800",
    "x\udfff",
    "9999-12-31",
    "9999-12-31T23:59:59",
    "0001-01-01",
    "0001-01-01T00:00:00",
    "2026-02-30",
    "x" * 1_000_000,
    "\x00\x0c\x1b[31m\r\n",
    None,
    True,
    [],
    {},
    "",
    "‮RTL",
    "😀" * 100,
]


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@dataclass
class Tally:
    fuzzed: int = 0
    crashes: int = 0
    examples: list[str] = field(default_factory=list)


class _StrictStdout(io.TextIOWrapper):
    """A UTF-8 stream that refuses what a real terminal would (lone surrogates)."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8", errors="strict")


def run_cli(main: Callable[..., int], argv: list[str]) -> tuple[int | str, str]:
    """Run ``main(argv)``; return (exit code or 'CRASH …', stderr)."""
    out, err = _StrictStdout(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
            out.flush()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except BaseException as exc:  # the very thing we count
        return f"CRASH {type(exc).__name__}: {str(exc)[:120]}", err.getvalue()
    return code, err.getvalue()


def is_crash(code: int | str, stderr: str, lists_errors: bool = False) -> bool:
    """``lists_errors``: a ``validate`` command, which prints every content error, one per line."""
    if isinstance(code, str) or code not in (0, 2):
        return True
    if _LEAK.search(stderr):
        return True
    return code == 2 and not lists_errors and len(stderr.strip().splitlines()) != 1


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path into a JSON document (dict keys and list indexes), the document itself first."""
    found = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc[:3]):
            found += _paths(value, (*prefix, i))
    return found


def _replace(doc: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(doc))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return copy


class Corpus:
    """Valid documents to mutate, written once per module."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.docs: dict[str, list[Any]] = {"case": [], "submission": [], "actions": [], "appeal": []}
        for seed, module in enumerate(MODULES):
            case = generate_case(module, seed)
            key = case.answer_key
            self.docs["case"].append(case.model_dump(mode="json"))
            if key.reference_submission is not None:
                self.docs["submission"].append(key.reference_submission.model_dump(mode="json"))
            self.docs["actions"].append([a.model_dump(mode="json") for a in key.reference_actions])
        at = self.docs["case"][0]["sim_start"]
        self.docs["appeal"].append({"type": "appeal", "at": at, "level": "first", "letter": "Please review."})
        self.valid: dict[str, Path] = {}
        for kind, docs in self.docs.items():
            self.valid[kind] = self.write(f"valid_{kind}.json", json.dumps(docs[0]))
        self._n = 0

    def write(self, name: str, text: str) -> Path:
        path = self.folder / name
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        return path

    def mutated(self, kind: str, rnd: random.Random, value_pick: int, mode: int) -> Path:
        """A file of ``kind`` with one hostile change (mode picks value swap, deep nesting or garbage)."""
        self._n += 1
        doc = rnd.choice(self.docs[kind])
        name = f"m{self._n % 8}_{kind}.json"
        if mode == 0:
            target = rnd.choice(_paths(doc))
            return self.write(name, _replace_text(doc, target, value_pick))
        if mode == 1:
            target = rnd.choice(_paths(doc))
            return self.write(name, _replace_text(doc, target, None, raw=_deep(rnd.choice((64, 999, 5000)))))
        text = json.dumps(doc)
        cut = rnd.randrange(len(text))
        garbage = rnd.choice(("", "\x00", "\ufeff", "}}", "\\ud800", "\xff", "NaN", "Infinity", "1e999999"))
        return self.write(name, text[:cut] + garbage + text[cut:])


def _replace_text(doc: Any, path: tuple, value_pick: int | None, raw: str | None = None) -> str:
    if raw is None and value_pick is not None and value_pick % 7 == 0:
        raw = "9" * 5000  # an integer Python refuses to read without a raised digit limit
    if raw is not None:
        marker = "__HOSTILE__"
        return json.dumps(_replace(doc, path, marker)).replace(f'"{marker}"', raw, 1)
    value = HOSTILE_VALUES[value_pick % len(HOSTILE_VALUES)]
    return json.dumps(_replace(doc, path, value))  # ensure_ascii: a lone surrogate becomes \ud800


def _commands(
    corpus: Corpus,
) -> list[tuple[str, Callable[..., int], Callable[[dict[str, str], list[str]], list[str]]]]:
    from assistant.cli import main as assistant_main
    from grading.__main__ import main as grading_main
    from knowledge_base.__main__ import main as kb_main
    from scenarios.__main__ import main as scenarios_main
    from simulator.cli import main as simulator_main
    from store.__main__ import main as store_main

    return [
        (
            "simulator adjudicate",
            simulator_main,
            lambda f, a: ["adjudicate", "--case", f["case"], "--submission", f["submission"]],
        ),
        (
            "simulator eligibility",
            simulator_main,
            lambda f, a: [
                "eligibility",
                "--case",
                f["case"],
                "--member-id",
                a[0],
                "--dos",
                a[1],
                "--at",
                a[2],
            ],
        ),
        ("simulator lookup", simulator_main, lambda f, a: ["lookup", "--case", f["case"], "--codes", a[0]]),
        (
            "simulator appeal",
            simulator_main,
            lambda f, a: [
                "appeal",
                "--case",
                f["case"],
                "--submission",
                f["submission"],
                "--appeal",
                f["appeal"],
            ],
        ),
        (
            "simulator replay",
            simulator_main,
            lambda f, a: ["replay", "--case", f["case"], "--actions", f["actions"]],
        ),
        (
            "simulator content",
            simulator_main,
            lambda f, a: [
                "adjudicate",
                "--case",
                f["case"],
                "--submission",
                f["submission"],
                "--content",
                a[3],
            ],
        ),
        (
            "grading grade",
            grading_main,
            lambda f, a: ["grade", "--case", f["case"], "--actions", f["actions"]],
        ),
        (
            "scenarios generate",
            scenarios_main,
            lambda f, a: ["generate", "--module", a[0], "--seed", a[1], "--count", a[2]],
        ),
        (
            "assistant draft",
            assistant_main,
            lambda f, a: [
                "draft",
                "--case",
                f["case"],
                "--kind",
                "narrative",
                "--submission",
                f["submission"],
                "--backend",
                "offline",
            ],
        ),
        ("knowledge_base validate", kb_main, lambda f, a: ["--root", a[3], "validate"]),
        (
            "store seed-demo",
            store_main,
            lambda f, a: ["seed-demo", "--cost", a[1], "--attempts-per-trainee", a[2], "--seed", a[0]],
        ),
    ]


FLAG_VALUES = st.one_of(
    st.sampled_from(
        [
            "9" * 5000,
            "-1",
            "0",
            "20",
            "99",
            "2**70",
            "9999-12-31",
            "9999-12-31T23:59",
            "0001-01-01",
            "\ud800",
            "",
            "1e9",
            "72148",
            "72148,\x00",
            "advanced_imaging",
            "2026-06-22",
            "2026-06-15T10:00",
            "x" * 100_000,
        ]
    ),
    st.text(max_size=40),
)


def broken_content_roots(folder: Path) -> list[Path]:
    """Content folders a deployer could leave broken: empty, files where folders belong, bad bytes."""
    shipped = Path(__file__).resolve().parents[1] / "knowledge_base"
    roots = []

    def root(name: str) -> Path:
        path = folder / "roots" / name
        path.mkdir(parents=True, exist_ok=True)
        roots.append(path)
        return path

    root("nothing")
    (root("empty_folders") / "policies").mkdir(exist_ok=True)
    (root("empty_folders") / "manuals").mkdir(exist_ok=True)
    (root("files_not_folders") / "policies").write_text("not a folder")
    (root("files_not_folders") / "manuals").write_text("not a folder")
    binary = root("binary")
    shutil.copytree(shipped / "manuals", binary / "manuals", dirs_exist_ok=True)
    (binary / "policies" / "lakeshore").mkdir(parents=True, exist_ok=True)
    (binary / "policies" / "lakeshore" / "x.md").write_bytes(b"\xff\xfe---\n\x00\n---\n")
    truncated = root("truncated")
    shutil.copytree(shipped / "manuals", truncated / "manuals", dirs_exist_ok=True)
    shutil.copytree(shipped / "policies", truncated / "policies", dirs_exist_ok=True)
    for md in sorted((truncated / "policies").rglob("*.md"))[:3]:
        md.write_text(md.read_text()[:200])
    manuals_only = root("manuals_only")
    shutil.copytree(shipped / "manuals", manuals_only / "manuals", dirs_exist_ok=True)
    loop = root("symlink_loop")
    if not (loop / "policies").exists():
        (loop / "policies").symlink_to(loop / "policies")
    return roots


def fuzz(examples: int, folder: Path | None = None, broken_roots: list[Path] | None = None) -> Tally:
    """Run ``examples`` hostile invocations spread over every command; count the crashes."""
    tmp = Path(folder or tempfile.mkdtemp(prefix="cli-fuzz-"))
    os.environ["DATA_DIR"] = str(tmp / "data")  # never the working data: seed-demo writes a database
    os.environ.pop("DATABASE_URL", None)
    built = Path(__file__).resolve().parents[1] / "data" / "chroma"
    if built.is_dir() and not (tmp / "data" / "chroma").exists():  # spare the fuzz an index build
        shutil.copytree(built, tmp / "data" / "chroma")
    corpus = Corpus(tmp)
    commands = _commands(corpus)
    roots = [str(p) for p in (broken_roots or broken_content_roots(tmp))]
    tally = Tally()

    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        which=st.integers(0, len(commands) - 1),
        kind=st.sampled_from(["case", "submission", "actions", "appeal", "none"]),
        mode=st.integers(0, 2),
        value_pick=st.integers(0, 10_000),
        flags=st.lists(FLAG_VALUES, min_size=3, max_size=3),
        root_pick=st.integers(0, 1000),
        seed=st.integers(0, 2**32),
    )
    def one(
        which: int, kind: str, mode: int, value_pick: int, flags: list[str], root_pick: int, seed: int
    ) -> None:
        name, main, argv_for = commands[which]
        if name == "store seed-demo" and re.fullmatch(r"[0-9]{1,2}", flags[1]) and int(flags[1]) > 6:
            flags[1] = "4"  # a real bcrypt cost 7..31 is a timing question, asked once in robustness.py
        files = {k: str(v) for k, v in corpus.valid.items()}
        if kind != "none":
            files[kind] = str(corpus.mutated(kind, random.Random(seed), value_pick, mode))
        argv = argv_for(files, [*flags, roots[root_pick % len(roots)]])
        code, stderr = run_cli(main, argv)
        tally.fuzzed += 1
        if is_crash(code, stderr, lists_errors=name.endswith("validate")):
            tally.crashes += 1
            if len(tally.examples) < 20:
                tally.examples.append(f"{name} {kind}/{mode}: {code} {stderr.strip()[:200]!r}")

    one()
    return tally


if __name__ == "__main__":
    result = fuzz(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
    for line in result.examples:
        print(line, file=sys.stderr)
    print(json.dumps({"fuzzed": result.fuzzed, "crashes": result.crashes}))
