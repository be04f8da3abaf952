"""The payer's claim code table: the 835 group codes, CARCs and RARCs, and which ones each claim finding gets.

Read from ``simulator/data/claim_codes.yaml`` and validated when it loads (every finding has codes, every
code it names is in the lists; wording from the X12 code lists, docs/sources.md#claims-and-remittance).
Kept apart from :mod:`simulator.claims`, which adjudicates claims with it, so the data and its checks
can be read and changed on their own.

>>> describe("197", "carc").startswith("Precertification/authorization/notification")
True
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

CODES_FILE = Path(__file__).resolve().parent / "data" / "claim_codes.yaml"
Finding = Literal[
    "no_authorization",
    "not_in_force",
    "number_missing",
    "number_unknown",
    "member_mismatch",
    "provider_mismatch",
    "site_mismatch",
    "code_mismatch",
    "outside_window",
    "units_exceeded",
]


class FrozenModel(BaseModel):
    """A strict, immutable model: unknown fields are errors (a typo in the data never passes)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ClaimCodeError(ValueError):
    """The claim code file is malformed: every problem, each with its path."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ----- the code table (data) -------------------------------------------------------------------------


class CodeText(FrozenModel):
    text: str = Field(min_length=3)
    meaning: str = ""


class FindingCodes(FrozenModel):
    group: str
    carc: str
    rarc: list[str] = Field(default_factory=list)
    fix: str = Field(min_length=10)  # what would have avoided it, in the trainee's terms


class ClaimCodeTable(FrozenModel):
    """The groups, CARCs and RARCs the payer uses, and which ones each finding gets."""

    source: str = Field(min_length=10)
    groups: dict[str, CodeText]
    carc: dict[str, CodeText]
    rarc: dict[str, CodeText]
    findings: dict[Finding, FindingCodes]

    @model_validator(mode="after")
    def _cross_check(self) -> ClaimCodeTable:
        problems = []
        for name, f in self.findings.items():
            if f.group not in self.groups:
                problems.append(f"findings > {name} > group: {f.group!r} is not in groups")
            if f.carc not in self.carc:
                problems.append(f"findings > {name} > carc: {f.carc!r} is not in carc")
            problems += [
                f"findings > {name} > rarc: {r!r} is not in rarc" for r in f.rarc if r not in self.rarc
            ]
        missing = sorted(set(get_args(Finding)) - set(self.findings))
        problems += [f"findings: {m!r} has no codes" for m in missing]
        if problems:
            raise ValueError("; ".join(problems))
        return self


def parse_claim_codes(text: str, origin: str = "claim_codes.yaml") -> ClaimCodeTable:
    """The code table from YAML ``text``; ``ClaimCodeError`` names the file and every bad path."""
    try:
        raw = yaml.safe_load(text)
        return ClaimCodeTable.model_validate(raw)
    except yaml.YAMLError as exc:
        raise ClaimCodeError(f"{origin}: not valid YAML ({exc})") from exc
    except ValueError as exc:
        raise ClaimCodeError(f"{origin}: {exc}") from exc


@lru_cache(maxsize=1)
def claim_codes() -> ClaimCodeTable:
    """The shipped code table (read once)."""
    return parse_claim_codes(CODES_FILE.read_text(encoding="utf-8"), str(CODES_FILE.name))


def describe(code: str, kind: Literal["group", "carc", "rarc"]) -> str:
    """The list's wording for one code, e.g. ``describe("197", "carc")``."""
    table = claim_codes()
    entry = {"group": table.groups, "carc": table.carc, "rarc": table.rarc}[kind].get(code)
    return entry.text if entry else "(not in the payer's code list)"
