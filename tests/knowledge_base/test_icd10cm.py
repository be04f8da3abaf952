"""The compact ICD-10-CM table answers exactly as the simple-icd-10-cm package it is read from."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import simple_icd_10_cm as package

from knowledge_base import icd10cm

ROOT = Path(__file__).resolve().parents[2]


def test_every_code_matches_the_package() -> None:
    codes = package.get_all_codes(with_dots=True)
    assert len(codes) == len(icd10cm.table().codes) > 90_000
    mismatches = []
    for code in codes:
        bare = code.replace(".", "")
        got = (
            icd10cm.is_valid_item(bare),
            icd10cm.is_leaf(code),
            icd10cm.get_description(bare),
            icd10cm.add_dot(bare),
            icd10cm.is_chapter_or_block(code),
            icd10cm.is_category_or_subcategory(code),
        )
        want = (
            True,
            package.is_leaf(code),
            package.get_description(code),
            code,
            package.is_chapter_or_block(code),
            package.is_category_or_subcategory(code),
        )
        if got != want:
            mismatches.append((code, got, want))
    assert not mismatches[:5]


@pytest.mark.parametrize("code", ["M54", "M54.5", "S72.001", "M50-M54", "13", "C34.1", "G47.33", "M17.1"])
def test_family_matches_the_package(code: str) -> None:
    assert icd10cm.get_children(code) == package.get_children(code)
    assert icd10cm.get_descendants(code) == package.get_descendants(code)
    assert icd10cm.get_parent(code) == package.get_parent(code)


@pytest.mark.parametrize("code", ["M545.0", "m54.50", " M54.50", "M54.", "Z99.999", "", "72148", "M5"])
def test_spellings_the_package_rejects_are_rejected(code: str) -> None:
    assert icd10cm.is_valid_item(code) is package.is_valid_item(code) is False
    with pytest.raises(ValueError, match="not an ICD-10-CM code"):
        icd10cm.get_description(code)


def test_billable_codes_are_the_leaves_below_category_level() -> None:
    billable = dict(icd10cm.billable_codes())
    assert billable["M54.50"] == "Low back pain, unspecified"
    assert "M54.5" not in billable and "M50-M54" not in billable
    assert "B20" in billable  # a code naming both a block and its only (billable) category
    assert (
        len(billable)
        == len(icd10cm.billable_codes())
        == len(
            {
                c
                for c in package.get_all_codes(True)
                if package.is_category_or_subcategory(c) and package.is_leaf(c)
            }
        )
    )


def test_table_is_cached_and_reread(tmp_path: Path) -> None:
    """A cold cache is filled from the package in a child process; a second process reads the file."""
    script = (
        "from knowledge_base import icd10cm as t; print(t.get_description('G47.33')); "
        "print(t._cache_file().exists())"
    )
    env = {"XDG_CACHE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    for _ in range(2):
        out = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert out.returncode == 0, out.stderr[-1500:]
        assert out.stdout.split("\n")[:2] == ["Obstructive sleep apnea (adult) (pediatric)", "True"]
    assert len(list((tmp_path / "precert-academy").glob("icd10cm-*.txt.gz"))) == 1


def test_unwritable_cache_still_answers(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    script = "from knowledge_base import icd10cm as t; print(t.is_leaf('M54.50'))"
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"XDG_CACHE_HOME": str(blocker), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert out.returncode == 0, out.stderr[-1500:]
    assert out.stdout.strip() == "True"
