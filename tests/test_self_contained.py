"""The repository stands alone: nothing points at files outside it, and every in-repo doc link resolves.

A newcomer with only this checkout must be able to follow every reference in the code, the content and
the docs. These checks read the tracked text files, so a reference added anywhere is caught.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".txt", ".ini", ".cfg", ""}
# Files of the steering repository that earlier work cited; the project must carry what it needs itself.
OUTSIDE = re.compile(
    r"\.\./shared|\bDESIGN(?:\.md)?\s*§|\bDESIGN\.md\b|\bfacts\.md\b|\brulebook\.md\b|\bSTYLE\.md\b"
)
DOC_LINK = re.compile(r"\bdocs/([\w./-]+?\.md)(?:#([\w-]+))?\b")


def tracked_text_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    files = []
    for name in out.splitlines():
        path = ROOT / name
        if path.suffix in TEXT_SUFFIXES and path.is_file() and "tests/golden" not in name:
            files.append(path)
    return files


def heading_anchors(markdown: str) -> set[str]:
    """GitHub's anchors: lower case, punctuation dropped, spaces to hyphens."""
    anchors = set()
    for line in markdown.splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            anchors.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return anchors


def test_no_reference_to_files_outside_the_repository():
    this = Path(__file__).resolve()
    hits = []
    for path in tracked_text_files():
        if path == this:
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert not hits, "references to files outside the repository:\n" + "\n".join(hits)


def test_every_docs_link_names_an_existing_file_and_heading():
    broken = []
    for path in tracked_text_files():
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            for name, anchor in DOC_LINK.findall(line):
                target = ROOT / "docs" / name
                where = f"{path.relative_to(ROOT)}:{number}"
                if not target.is_file():
                    broken.append(f"{where}: docs/{name} does not exist")
                elif anchor and anchor not in heading_anchors(target.read_text()):
                    broken.append(f"{where}: docs/{name} has no heading #{anchor}")
    assert not broken, "\n".join(broken)


def test_heading_anchors_follow_github_rules():
    assert heading_anchors("## Oncologic PET, inpatient admission\n### CPAP for obstructive sleep apnea") == {
        "oncologic-pet-inpatient-admission",
        "cpap-for-obstructive-sleep-apnea",
    }
