"""``python -m assistant``: JSON out on success; exit 2 and one line on stderr for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from asst_cases import find_case

from assistant import cli
from assistant.models import Draft
from knowledge_base.embeddings import HashingEmbedding
from simulator import adjudicate

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_cli(asst_settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    # the session index is built with the hashing embedding: make the CLI open that one
    monkeypatch.setattr("assistant.retrieve.default_embedding", HashingEmbedding)

    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv), env={"DATA_DIR": str(asst_settings.data_dir)})
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def _write(tmp_path: Path, name: str, payload: str) -> Path:
    path = tmp_path / name
    path.write_text(payload, encoding="utf-8")
    return path


def test_draft_narrative(run_cli, tmp_path: Path) -> None:
    case = find_case("dme", "cpap_ahi_qualifying", "prairie")
    code, out, err = run_cli(
        "draft", "--case", str(_write(tmp_path, "c.json", case.model_dump_json())), "--kind", "narrative"
    )
    assert code == 0, err
    draft = Draft.model_validate_json(out)
    assert draft.kind == "narrative" and draft.backend == "offline" and draft.citations
    assert (
        draft.precheck is not None and draft.precheck.status == case.answer_key.expected_determination.status
    )


def test_draft_appeal_uses_the_cases_earlier_request(run_cli, tmp_path: Path) -> None:
    case = find_case("pends_appeals", "appeal_with_followup_exam", "cardinal")
    code, out, err = run_cli(
        "draft", "--case", str(_write(tmp_path, "c.json", case.model_dump_json())), "--kind", "appeal"
    )
    assert code == 0, err
    draft = Draft.model_validate_json(out)
    assert draft.kind == "appeal" and draft.appeal is not None and draft.appeal.level == "reconsideration"


def test_draft_appeal_with_given_submission_and_determination(run_cli, tmp_path: Path, library) -> None:
    case = find_case("pends_appeals", "appeal_with_followup_exam", "lakeshore")
    assert case.prior_submission is not None
    denial = adjudicate(case, case.prior_submission, library=library)
    code, out, err = run_cli(
        "draft",
        "--case",
        str(_write(tmp_path, "c.json", case.model_dump_json())),
        "--kind",
        "appeal",
        "--submission",
        str(_write(tmp_path, "s.json", case.prior_submission.model_dump_json())),
        "--determination",
        str(_write(tmp_path, "d.json", denial.model_dump_json())),
    )
    assert code == 0, err
    assert Draft.model_validate_json(out).appeal.level == "level1"  # type: ignore[union-attr]


def test_no_auth_case_is_refused_unless_draft_anyway(run_cli, tmp_path: Path) -> None:
    case = find_case("needs_authorization", "prairie_ortho_mri")  # PSM-MRI-001 exempts orthopaedics
    path = str(_write(tmp_path, "c.json", case.model_dump_json()))
    code, out, err = run_cli("draft", "--case", path, "--kind", "narrative")
    assert code == 2 and out == "" and err.startswith("No authorization is needed"), err
    code, out, err = run_cli("draft", "--case", path, "--kind", "narrative", "--draft-anyway")
    assert code == 0, err
    assert Draft.model_validate_json(out).precheck.status == "no_auth_required"  # type: ignore[union-attr]


def test_ask(run_cli) -> None:
    code, out, err = run_cli(
        "ask", "What is the Cardinal reconsideration filing window?", "--payer", "cardinal"
    )
    assert code == 0, err
    answer = json.loads(out)
    assert answer["kind"] == "answer" and answer["citations"]
    assert all(c["policy_id"] == "cardinal" or c["policy_id"].startswith("CMA-") for c in answer["citations"])


def _bad_inputs(tmp_path: Path) -> list[tuple[list[str], str]]:
    clean = find_case("advanced_imaging", "mri_meets")
    good = str(_write(tmp_path, "good.json", clean.model_dump_json()))
    broken = str(_write(tmp_path, "broken.json", "{not json"))
    wrong = str(_write(tmp_path, "wrong.json", json.dumps({"case_id": 3})))
    return [
        (["draft", "--case", str(tmp_path / "missing.json"), "--kind", "narrative"], "file not found"),
        (["draft", "--case", broken, "--kind", "narrative"], "not valid JSON"),
        (["draft", "--case", wrong, "--kind", "narrative"], "case_id"),
        (["draft", "--case", good, "--kind", "letter"], "invalid choice"),
        (["draft", "--case", good], "--kind"),
        (["draft", "--case", good, "--kind", "appeal"], "no denial"),
        (["draft", "--case", good, "--kind", "narrative", "--backend", "llm"], "no LLM configured"),
        (["ask", "  "], "question is empty"),
        (
            ["ask", "appeals?", "--payer", "acme"],
            "unknown payer 'acme'; use one of lakeshore, cardinal, prairie",
        ),
        (["nonsense"], "invalid choice"),
    ]


def test_bad_input_exits_2_with_one_line(run_cli, tmp_path: Path) -> None:
    for argv, expected in _bad_inputs(tmp_path):
        code, out, err = run_cli(*argv)
        assert code == 2, (argv, err)
        assert out == "" and len(err.strip().splitlines()) == 1 and expected in err, (argv, err)
        assert "Traceback" not in err


def test_module_entry_point_never_shows_a_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant",
            "draft",
            "--case",
            str(tmp_path / "nope.json"),
            "--kind",
            "narrative",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "DATA_DIR": str(tmp_path)},
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert (
        proc.stderr.strip().endswith("nope.json: file not found")
        and len(proc.stderr.strip().splitlines()) == 1
    )
