"""The CLI: JSON on stdout, exit 2 with one line on stderr for bad input, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scenarios.__main__ import main
from scenarios.generator import load_content

ROOT = Path(__file__).resolve().parents[2]
MODULE = sorted(load_content().files.modules)[0]


def test_list_prints_the_modules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {m["id"] for m in listed} == set(load_content().files.modules)
    assert all(m["title"] and m["archetypes"] >= 1 for m in listed)


def test_generate_prints_one_case(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--module", MODULE, "--seed", "0"]) == 0
    case = json.loads(capsys.readouterr().out)
    assert case["case_id"] == f"{MODULE}:0"


def test_generate_count_prints_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--module", MODULE, "--seed", "5", "--count", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["case_id"] for line in lines] == [f"{MODULE}:{s}" for s in (5, 6, 7)]


@pytest.mark.parametrize(
    ("argv", "mentions"),
    [
        (["generate", "--module", "no_such_module", "--seed", "1"], ["--module", "known modules:", MODULE]),
        (["generate", "--module", MODULE, "--seed", "-1"], ["--seed", "non-negative integer"]),
        (["generate", "--module", MODULE, "--seed", "one"], ["--seed", "non-negative integer", "'one'"]),
        (["generate", "--module", MODULE, "--seed", "1.5"], ["--seed", "non-negative integer"]),
        (["generate", "--module", MODULE, "--seed", "1", "--count", "0"], ["--count", "from 1 to"]),
        (["generate", "--seed", "1"], ["--module"]),
        (["frobnicate"], ["invalid choice"]),
        ([], ["command"]),
    ],
)
def test_bad_input_exits_2_with_one_line(
    argv: list[str], mentions: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        code = main(argv)
        raise SystemExit(code)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    for text in mentions:
        assert text in err


def test_validate_exits_0_on_shipped_content(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["ok"] is True and summary["modules"] >= 1


def test_a_real_process_never_prints_a_traceback() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "scenarios", "generate", "--module", "nope", "--seed", "x"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
