"""Build the index in a child process (``python -m knowledge_base build``) and report its progress.

Embedding ~450 passages holds the model, Chroma's write path and the batches at once; in the app's
long-lived Streamlit process that peak would stay in its memory high-water mark for good (~35 MB above
what searching needs). A child process returns it to the system when it exits. The index is the same
either way: the child runs the same ``build_index`` on the same settings.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from knowledge_base.index import BuildSummary, IndexUnavailableError, Progress
from knowledge_base.loader import CONTENT_ROOT
from settings import Settings

ROOT = Path(__file__).resolve().parents[1]
_PROGRESS = re.compile(r"^embedding: (\d+)/(\d+) chunks")


def child_env(settings: Settings) -> dict[str, str]:
    """This process's environment with the index's settings spelled out (they may have come from
    Streamlit secrets, which the child cannot read)."""
    env = dict(os.environ)
    env["DATA_DIR"] = str(settings.data_dir)
    env["CHROMA_HOST"] = settings.chroma_host or ""
    env["CHROMA_PORT"] = str(settings.chroma_port)
    return env


def build_in_child(
    settings: Settings, root: Path = CONTENT_ROOT, progress: Progress | None = None
) -> BuildSummary:
    """``build_index`` run in a child process; raises IndexUnavailableError with the child's own message."""
    cmd = [sys.executable, "-m", "knowledge_base", "--root", str(root), "build"]
    with subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=child_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    ) as proc:
        assert proc.stderr is not None and proc.stdout is not None
        messages: list[str] = []
        for line in proc.stderr:  # progress lines arrive while the child embeds
            found = _PROGRESS.match(line)
            if found and progress:
                progress(int(found[1]), int(found[2]))
            elif not found and line.strip():
                messages.append(line.strip())
        out = proc.stdout.read()
        code = proc.wait()
    if code != 0:
        detail = messages[-1] if messages else f"exit code {code}"
        raise IndexUnavailableError(f"building the policy index failed: {detail}")
    return BuildSummary.model_validate(json.loads(out.strip().splitlines()[-1]))
