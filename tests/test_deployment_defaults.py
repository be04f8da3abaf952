"""Deployment defaults (issue 11 item 7): loopback only unless opened, no error details for users,
and a one-time set-up token printed in the server log for the first-run screen."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_streamlit_config_hides_error_details_and_binds_loopback() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    # "none": generic messages in the browser; `false` is deprecated and now means "stacktrace".
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["enableXsrfProtection"] is True


def test_run_script_binds_loopback_unless_told_otherwise() -> None:
    script = (ROOT / "scripts" / "run").read_text(encoding="utf-8")
    assert re.search(r'--server\.address "\$\{PRECERT_BIND_ADDRESS:-127\.0\.0\.1\}"', script)
    assert "python3 -m store setup-token" in script
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_command = re.search(r"```(?:bash|sh)?\n(.+?)\n", readme)
    assert first_command is not None and "scripts/run" in first_command.group(1)


def _cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"DATA_DIR": str(data)}
    return subprocess.run(
        [sys.executable, "-m", "store", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_setup_token_is_printed_in_the_log_while_no_account_exists(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = _cli(data, "setup-token")
    assert first.returncode == 0, first.stderr
    token = json.loads(first.stdout)["setup_token"]
    assert len(token) >= 20 and token in first.stderr  # the server log is stderr
    assert stat.S_IMODE((data / "setup-token").stat().st_mode) == 0o600
    again = _cli(data, "setup-token")
    assert json.loads(again.stdout)["setup_token"] == token  # stable across restarts until used
