"""``python -m simulator``: JSON out on success; exit 2 with exactly one stderr line on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sim_builders import FIXTURES, START, build_case, build_submission

from scenarios.models import Appeal, PendReply
from simulator.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    case = build_case()
    paths = {
        "case": tmp_path / "case.json",
        "sub": tmp_path / "sub.json",
        "denied_sub": tmp_path / "denied_sub.json",
        "appeal": tmp_path / "appeal.json",
        "actions": tmp_path / "actions.json",
    }
    paths["case"].write_text(case.model_dump_json())
    paths["sub"].write_text(build_submission(case).model_dump_json())
    paths["denied_sub"].write_text(
        build_submission(case, document_ids=["d-office", "d-pt-short"]).model_dump_json()
    )
    paths["appeal"].write_text(
        Appeal(at=START.replace(day=20), level="level1", document_ids=["d-pt-p2p"]).model_dump_json()
    )
    actions = [
        json.loads(build_submission(case, document_ids=["d-office"]).model_dump_json()),
        json.loads(PendReply(at=START.replace(day=4), document_ids=["d-pt"]).model_dump_json()),
    ]
    paths["actions"].write_text(json.dumps(actions))
    return paths


def call(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, Any, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else out), err


def test_adjudicate(capsys: pytest.CaptureFixture[str], files: dict[str, Path]) -> None:
    code, out, _ = call(
        capsys, "adjudicate", "--case", files["case"], "--submission", files["sub"], "--content", FIXTURES
    )
    assert code == 0 and out["status"] == "approved" and out["action_code"] == "A1"


def test_eligibility_from_submission_and_from_flags(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path]
) -> None:
    code, out, _ = call(
        capsys, "eligibility", "--case", files["case"], "--submission", files["sub"], "--content", FIXTURES
    )
    assert code == 0 and out["active"] is True
    code, out, _ = call(
        capsys,
        "eligibility",
        "--case",
        files["case"],
        "--member-id",
        "LKS999999999",
        "--dos",
        "2026-03-16",
        "--content",
        FIXTURES,
    )
    assert (
        code == 0 and out["active"] is False and out["messages"][0]["code"] == "75"
    )  # subscriber not found (AAA03)


def test_lookup_codes(capsys: pytest.CaptureFixture[str], files: dict[str, Path]) -> None:
    code, out, _ = call(
        capsys, "lookup", "--case", files["case"], "--codes", "72148,99213", "--content", FIXTURES
    )
    assert code == 0 and [r["required"] for r in out["results"]] == [True, False]


def test_appeal_re_adjudicates_then_decides(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path]
) -> None:
    code, out, _ = call(
        capsys,
        "appeal",
        "--case",
        files["case"],
        "--submission",
        files["denied_sub"],
        "--appeal",
        files["appeal"],
        "--content",
        FIXTURES,
    )
    assert code == 0 and (out["status"], out["appeal_level"]) == ("approved", "level1")


def test_appeal_of_an_approval_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path]
) -> None:
    code, _, err = call(
        capsys,
        "appeal",
        "--case",
        files["case"],
        "--submission",
        files["sub"],
        "--appeal",
        files["appeal"],
        "--content",
        FIXTURES,
    )
    assert code == 2 and err.count("\n") == 1 and "no adverse determination" in err


def test_replay(capsys: pytest.CaptureFixture[str], files: dict[str, Path]) -> None:
    code, out, _ = call(
        capsys, "replay", "--case", files["case"], "--actions", files["actions"], "--content", FIXTURES
    )
    assert code == 0 and [s["result"]["status"] for s in out] == ["pended", "approved"]


def test_vocabulary(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = call(capsys, "vocabulary")
    assert code == 0 and out[0]["op"] == "all"


def _bad(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("label", "argv", "needle"),
    [
        (
            "missing file",
            ["adjudicate", "--case", "{tmp}/nope.json", "--submission", "{sub}"],
            "file not found",
        ),
        ("malformed json", ["adjudicate", "--case", "{broken}", "--submission", "{sub}"], "not valid JSON"),
        (
            "schema error names the field",
            ["adjudicate", "--case", "{case}", "--submission", "{nodx}"],
            "member_id",
        ),
        (
            "impossible date",
            ["adjudicate", "--case", "{case}", "--submission", "{baddate}"],
            "date_of_service",
        ),
        (
            "impossible --dos",
            ["eligibility", "--case", "{case}", "--member-id", "X", "--dos", "2026-02-30"],
            "--dos",
        ),
        ("missing submission", ["adjudicate", "--case", "{case}"], "--submission is required"),
        ("unknown command", ["bogus"], "invalid choice"),
        ("missing required flag", ["replay", "--case", "{case}"], "--actions"),
        ("eligibility without member", ["eligibility", "--case", "{case}"], "--member-id"),
        (
            "content folder without manuals",
            ["adjudicate", "--case", "{case}", "--submission", "{sub}", "--content", "{tmp}"],
            "--content",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str],
    files: dict[str, Path],
    tmp_path: Path,
    label: str,
    argv: list[str],
    needle: str,
) -> None:
    sub = json.loads(files["sub"].read_text())
    names = {
        "tmp": str(tmp_path),
        "sub": str(files["sub"]),
        "case": str(files["case"]),
        "broken": str(_bad(tmp_path, "broken.json", '{"case_id": ')),
        "nodx": str(
            _bad(tmp_path, "nodx.json", json.dumps({k: v for k, v in sub.items() if k != "member_id"}))
        ),
        "baddate": str(_bad(tmp_path, "baddate.json", json.dumps({**sub, "date_of_service": "2026-02-30"}))),
    }
    extra = [] if argv[0] == "bogus" or "--content" in argv else ["--content", str(FIXTURES)]
    code, out, err = call(capsys, *[a.format(**names) for a in argv], *extra)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and needle in err, err


def test_subprocess_never_prints_a_traceback(tmp_path: Path) -> None:
    broken = _bad(tmp_path, "case.json", "[1, 2")
    proc = subprocess.run(
        [sys.executable, "-m", "simulator", "adjudicate", "--case", str(broken), "--submission", str(broken)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
