"""Hostile input on every command line: exit 2 and one stderr line naming the problem, never a crash.

The inputs are the ones that crashed before the limits (issue 11, item 3): a 5,000-digit integer,
JSON nested 2,000 deep, an escaped lone surrogate (which cannot be printed as UTF-8), dates next to
9999-12-31, a broken content folder, and a bcrypt cost that would take minutes.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from grading.__main__ import main as grading_main
from knowledge_base.__main__ import main as kb_main
from scenarios import generate_case
from simulator.cli import main as simulator_main
from store.__main__ import main as store_main


def run(main: Callable[..., int], argv: list[str]) -> tuple[int, str, str]:
    """``main(argv)`` with a strict UTF-8 stdout (as a terminal): (exit code, stdout, stderr)."""
    raw = io.BytesIO()
    out, err = io.TextIOWrapper(raw, encoding="utf-8", errors="strict"), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
            out.flush()
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, raw.getvalue().decode("utf-8"), err.getvalue()


@pytest.fixture(scope="module")
def case_doc() -> dict:
    return generate_case("advanced_imaging", 7).model_dump(mode="json")


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _case_with(case_doc: dict, raw_value: str, tmp_path: Path) -> str:
    """The case JSON with the patient's last name replaced by ``raw_value`` (raw JSON text)."""
    doc = json.loads(json.dumps(case_doc))
    doc["patient"]["last_name"] = "@@X@@"
    return _write(tmp_path, "case.json", json.dumps(doc).replace('"@@X@@"', raw_value))


HOSTILE = {
    "a 5000-digit integer": ("9" * 5000, "digits"),
    "nesting 2000 deep": ("[" * 2000 + "]" * 2000, "nested"),
    "a lone surrogate": ('"\\ud800"', "surrogate"),
    "NaN": ("NaN", "finite number"),
}


@pytest.mark.parametrize("what", HOSTILE)
@pytest.mark.parametrize("cli", ["simulator", "grading"])
def test_hostile_json_is_refused_in_one_line(what: str, cli: str, case_doc: dict, tmp_path: Path) -> None:
    raw, expected = HOSTILE[what]
    case = _case_with(case_doc, raw, tmp_path)
    if cli == "simulator":
        sub = _write(tmp_path, "sub.json", "{}")
        code, _, err = run(simulator_main, ["adjudicate", "--case", case, "--submission", sub])
    else:
        actions = _write(tmp_path, "actions.json", "[]")
        code, _, err = run(grading_main, ["grade", "--case", case, "--actions", actions])
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and expected in err and "case.json" in err


@pytest.mark.parametrize("codes", ["true", "7", '"ADMIT"', "null"])
def test_a_look_up_whose_codes_are_not_a_list_is_refused_naming_the_field(
    codes: str, case_doc: dict, tmp_path: Path
) -> None:
    # bench/robustness.py's fuzzer found `"codes": true` crashing the replay (TypeError) before the fix
    case = _write(tmp_path, "case.json", json.dumps(case_doc))
    action = f'[{{"type": "auth_lookup", "at": "2026-01-05T09:00:00", "codes": {codes}}}]'
    code, _, err = run(
        simulator_main, ["replay", "--case", case, "--actions", _write(tmp_path, "a.json", action)]
    )
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "codes" in err and "CRASH" not in err and "Traceback" not in err


def test_a_lone_surrogate_in_a_flag_is_refused(case_doc: dict, tmp_path: Path) -> None:
    case = _write(tmp_path, "case.json", json.dumps(case_doc))
    code, _, err = run(simulator_main, ["lookup", "--case", case, "--codes", "72148\ud800"])
    assert code == 2 and "--codes" in err and "surrogate" in err


@pytest.mark.parametrize("field", ["sim_start", "coverage.effective_to"])
def test_dates_near_the_end_of_the_calendar_are_refused(field: str, case_doc: dict, tmp_path: Path) -> None:
    doc = json.loads(json.dumps(case_doc))
    if field == "sim_start":
        doc["sim_start"] = "9999-12-31T23:00:00"
    else:
        doc["coverage"]["effective_to"] = "9999-12-31"
    case = _write(tmp_path, "case.json", json.dumps(doc))
    code, _, err = run(
        simulator_main, ["eligibility", "--case", case, "--member-id", "X", "--dos", "2026-06-22"]
    )
    assert code == 2 and "9999-12-31" in err and "out of range" in err


def test_a_date_of_service_flag_near_9999_is_refused(case_doc: dict, tmp_path: Path) -> None:
    case = _write(tmp_path, "case.json", json.dumps(case_doc))
    code, _, err = run(
        simulator_main, ["eligibility", "--case", case, "--member-id", "X", "--dos", "9999-12-31"]
    )
    assert code == 2 and err.startswith("--dos") and "out of range" in err


def test_a_case_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    big = _write(tmp_path, "case.json", '"' + "x" * 5_000_001 + '"')
    code, _, err = run(simulator_main, ["adjudicate", "--case", big, "--submission", big])
    assert code == 2 and "at most" in err


def _broken_roots(tmp_path: Path) -> dict[str, Path]:
    binary = tmp_path / "binary"
    (binary / "policies" / "lakeshore").mkdir(parents=True)
    (binary / "manuals").mkdir()
    (binary / "policies" / "lakeshore" / "x.md").write_bytes(b"\xff\xfe---\n\x00\n---\n")
    loop = tmp_path / "loop"
    loop.mkdir()
    (loop / "policies").symlink_to(loop / "policies")
    (loop / "manuals").mkdir()
    return {"binary": binary, "loop": loop}


@pytest.mark.parametrize("which", ["binary", "loop"])
def test_a_broken_content_folder_is_a_content_error(which: str, case_doc: dict, tmp_path: Path) -> None:
    root = _broken_roots(tmp_path)[which]
    code, _, err = run(kb_main, ["--root", str(root), "validate"])
    assert code == 2 and "Error:" not in err and str(err).strip()
    case = _write(tmp_path, "case.json", json.dumps(case_doc))
    sub = _write(tmp_path, "sub.json", "{}")
    code, _, err = run(
        simulator_main, ["adjudicate", "--case", case, "--submission", sub, "--content", str(root)]
    )
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_seed_demo_refuses_a_bcrypt_cost_that_would_take_minutes(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    code, _, err = run(store_main, ["seed-demo", "--cost", "20"])
    assert code == 2 and "--cost" in err and "4 to 14" in err
    assert not (tmp_path / "precert.db").exists()  # refused before anything was written


@pytest.mark.parametrize("cli", ["simulator", "grading"])
def test_control_characters_quoted_back_stay_on_one_printable_line(
    cli: str, case_doc: dict, tmp_path: Path
) -> None:
    # an action type of NUL, form feed, an ANSI colour escape and CR LF: the refusal names it escaped,
    # so the terminal shows one line and is not recoloured (bench/cli_fuzz.py found this)
    case = _write(tmp_path, "case.json", json.dumps(case_doc))
    actions = _write(tmp_path, "actions.json", json.dumps([{"type": "\x00\x0c\x1b[31m\r\n"}]))
    if cli == "simulator":
        code, _, err = run(simulator_main, ["replay", "--case", case, "--actions", actions])
    else:
        code, _, err = run(grading_main, ["grade", "--case", case, "--actions", actions])
    assert code == 2
    line = err.rstrip("\n")
    assert "\n" not in line and all(ch.isprintable() for ch in line), repr(err)
    assert "actions.json" in line and "\\x1b" in line
