"""Rubrics as data: ``rubrics/default.yaml`` plus per-module overrides ``rubrics/<module_id>.yaml``.

A rubric gives each dimension a weight (the weights sum to 100), the pass mark, the points of each item
type, the share of a diagnosis item's points earned by the right category with the wrong
specificity, and (``skip``) the item types that do not apply in a module. Files are validated with pydantic when loaded (unknown keys, dimensions and item types
are rejected) and every error is reported with its file and path, not just the first.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import get_args

from pydantic import BaseModel, ConfigDict, Field

from grading.error_tags import ERROR_TAGS
from grading.models import DIMENSIONS
from knowledge_base.content_files import read_yaml_mapping, validate_mapping
from scenarios.models import DeterminationStatus

DETERMINATION_STATUSES: tuple[str, ...] = get_args(DeterminationStatus)

RUBRIC_ROOT = Path(__file__).resolve().parent / "rubrics"

# item type -> the dimension its items count towards
ITEM_TYPES: dict[str, str] = {
    "diagnosis": "coding",
    "sequencing": "coding",
    "procedure_line": "coding",
    "extra_code": "coding",
    "required_document": "documentation",
    "minimum_necessary": "documentation",
    "prohibited_document": "documentation",
    "query_document": "documentation",
    "criterion": "narrative",
    "claim": "narrative",
    "admin_element": "narrative",
    "call_courtesy": "narrative",
    "call_brevity": "narrative",
    "eligibility": "process",
    "auth_lookup": "process",
    "correct_action": "process",
    "urgency": "process",
    "deadline": "process",
    "member_id": "process",
    "pend_reply": "process",
    "appeal_level": "process",
    "appeal_window": "process",
    "off_path_request": "process",
    "extension_deadline": "process",
    "outcome": "outcome",
}
# The item-id prefix each grader writes (``diagnosis:M54.16``) -> its item type. Ids without a type are the
# placeholders that stand for a whole missing step ("coding.no_request"): they always apply.
PREFIX_TYPES: dict[str, str] = {
    **{t: t for t in ITEM_TYPES},
    "procedure": "procedure_line",
    "extra_diagnosis": "extra_code",
    "extra_procedure": "extra_code",
    "document": "required_document",
    "unknown_attachment": "minimum_necessary",
    "query_criterion": "criterion",
    "admin": "admin_element",
}


def item_type(item_id: str) -> str | None:
    """The rubric item type of a graded item, from its id (None for a missing-step placeholder)."""
    return PREFIX_TYPES.get(item_id.split(":", 1)[0])


class RubricError(ValueError):
    """One or more rubric files are invalid; ``errors`` lists each as 'file > path: message'."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(f"{len(errors)} rubric error(s); first: {errors[0] if errors else ''}")


class CriticalTrigger(BaseModel):
    """Items carrying any of ``tags`` raise the critical error; with ``final_status``, only when the payer's
    last standing decision on the case is one of those (a late request the payer still approved loses
    points, but no authorization was lost)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    tags: tuple[str, ...] = Field(min_length=1)
    final_status: tuple[str, ...] | None = None
    # only when that decision answers a request the trainee sent (not the earlier request of the case)
    on_trainee_request: bool = False
    # only on cases whose right action is one of these (under-urgency: wrong_urgency on an expedited case)
    correct_action: tuple[str, ...] | None = None


class CriticalErrorSpec(BaseModel):
    """One critical error: it fails the attempt whatever the points (docs/grading.md § Critical errors)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    meaning: str = Field(min_length=10)
    triggers: tuple[CriticalTrigger, ...] = Field(min_length=1)
    off: bool = False  # a module override can switch one off


class CallConduct(BaseModel):
    """How a peer-to-peer call held in the workspace is judged beyond its evidence (docs/grading.md
    § Peer-to-peer calls): courtesy to the medical director and answers short enough for the call."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    max_words_per_answer: int = Field(ge=10, le=400)
    # any one of these in the trainee's lines (case-insensitive) shows courtesy: a greeting or thanks
    courteous: tuple[str, ...] = Field(min_length=1)
    # any one of these loses the courtesy item whatever else was said
    discourteous: tuple[str, ...] = Field(min_length=1)
    # this many capitalised words of 4+ letters in a row read as shouting (codes like CPT are shorter)
    shouting_words: int = Field(default=3, ge=2, le=10)


class RubricFile(BaseModel):
    """One YAML file as written. In an override every key is optional and replaces the default's."""

    model_config = ConfigDict(extra="forbid")
    version: str | None = None
    description: str = ""
    pass_mark: float | None = Field(default=None, ge=0, le=100)
    weights: dict[str, float] | None = None
    points: dict[str, float] = Field(default_factory=dict)
    partial_credit: float | None = Field(default=None, ge=0, le=1)
    # item types that do not apply in this module (e.g. urgency in a coding drill): not graded at all
    skip: list[str] | None = None
    # id -> spec; in an override an entry replaces the default's entry of that id
    critical_errors: dict[str, CriticalErrorSpec] = Field(default_factory=dict)
    # document kinds no request may disclose without the patient's authorization -> the rule (citation)
    prohibited_documents: dict[str, str] = Field(default_factory=dict)
    # the highest total an attempt with a critical error can have (below every pass mark)
    critical_cap: float | None = Field(default=None, ge=0, le=100)
    # errors that fail the attempt but are not compliance failures: the total is capped just below the
    # pass mark (major_cap), so one of them fails an otherwise good attempt without sinking it
    major_errors: dict[str, CriticalErrorSpec] = Field(default_factory=dict)
    major_cap: float | None = Field(default=None, ge=0, le=100)
    peer_to_peer_call: CallConduct | None = None


class Rubric(BaseModel):
    """The effective rubric of one module (default merged with the module's override)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    version: str
    pass_mark: float
    weights: dict[str, float]
    points: dict[str, float]
    partial_credit: float
    skip: frozenset[str] = frozenset()
    critical_errors: dict[str, CriticalErrorSpec] = Field(default_factory=dict)
    prohibited_documents: dict[str, str] = Field(default_factory=dict)
    critical_cap: float = 100.0
    major_errors: dict[str, CriticalErrorSpec] = Field(default_factory=dict)
    major_cap: float = 100.0
    peer_to_peer_call: CallConduct | None = None

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"


def _check(file: RubricFile, rel: str, *, is_default: bool) -> list[str]:
    errors: list[str] = []
    if file.weights is not None:
        for dim in file.weights:
            if dim not in DIMENSIONS:
                errors.append(
                    f"{rel} > weights > {dim}: unknown dimension; expected one of {list(DIMENSIONS)}"
                )
        missing = [d for d in DIMENSIONS if d not in file.weights]
        if missing:
            errors.append(f"{rel} > weights: missing dimension(s) {missing}; give all five (0 is allowed)")
        for dim, weight in file.weights.items():
            if weight < 0:
                errors.append(f"{rel} > weights > {dim}: weight {weight} is negative; use 0 or more")
        total = sum(file.weights.values())
        if abs(total - 100) > 1e-9:
            errors.append(f"{rel} > weights: weights sum to {total:g}; they must sum to 100")
    elif is_default:
        errors.append(f"{rel} > weights: required in the default rubric")
    for item, pts in file.points.items():
        if item not in ITEM_TYPES:
            errors.append(f"{rel} > points > {item}: unknown item type; expected one of {sorted(ITEM_TYPES)}")
        elif pts <= 0:
            errors.append(f"{rel} > points > {item}: points must be above 0, got {pts:g}")
    for i, item in enumerate(file.skip or []):
        if item not in ITEM_TYPES:
            errors.append(
                f"{rel} > skip > {i}: unknown item type {item!r}; expected one of {sorted(ITEM_TYPES)}"
            )
    for key, specs in (("critical_errors", file.critical_errors), ("major_errors", file.major_errors)):
        for cid, spec in specs.items():
            if not cid.replace("_", "").isalpha() or cid != cid.lower():
                errors.append(f"{rel} > {key} > {cid}: ids are lower_case_with_underscores")
            for i, trig in enumerate(spec.triggers):
                for tag in trig.tags:
                    if tag not in ERROR_TAGS:
                        errors.append(
                            f"{rel} > {key} > {cid} > triggers > {i} > tags: {tag!r} is not an error tag; "
                            "see docs/error_tags.md"
                        )
                for status in trig.final_status or ():
                    if status not in DETERMINATION_STATUSES:
                        errors.append(
                            f"{rel} > {key} > {cid} > triggers > {i} > final_status: {status!r} is not a "
                            f"determination status; expected one of {list(DETERMINATION_STATUSES)}"
                        )
    if is_default:
        missing_items = [t for t in ITEM_TYPES if t not in file.points]
        if missing_items:
            errors.append(f"{rel} > points: the default rubric must give points for {missing_items}")
        for key in ("version", "pass_mark", "partial_credit"):
            if getattr(file, key) is None:
                errors.append(f"{rel} > {key}: required in the default rubric")
    return errors


def parse_rubric_file(path: Path, *, is_default: bool) -> tuple[RubricFile | None, list[str]]:
    """Read and validate one file; returns the file or every error found in it."""
    rel = f"grading/rubrics/{path.name}"
    raw, errors = read_yaml_mapping(path, rel)
    if raw is None:
        return None, errors
    file, errors = validate_mapping(raw, RubricFile, rel, empty="(file)", guide="docs/grading.md")
    if file is None:
        return None, errors
    errors = _check(file, rel, is_default=is_default)
    return (None if errors else file), errors


def validate_rubrics(root: Path = RUBRIC_ROOT) -> list[str]:
    """Every error in every rubric file under ``root`` (empty when all are valid)."""
    errors: list[str] = []
    default_path = root / "default.yaml"
    if not default_path.exists():
        return [f"grading/rubrics/default.yaml: missing (looked in {root})"]
    for path in sorted(root.glob("*.yaml")):
        errors += parse_rubric_file(path, is_default=path.name == "default.yaml")[1]
    return errors


@lru_cache(maxsize=64)
def load_rubric(module_id: str, module_pass_mark: float | None = None, root: Path = RUBRIC_ROOT) -> Rubric:
    """The effective rubric for ``module_id``; raises :class:`RubricError` listing every problem.

    Pass mark precedence: the override's ``pass_mark``, else the module's own (scenario YAML), else the
    default rubric's.
    """
    default, errors = parse_rubric_file(root / "default.yaml", is_default=True)
    override: RubricFile | None = None
    override_path = root / f"{module_id}.yaml"
    if override_path.exists() and module_id != "default":
        override, more = parse_rubric_file(override_path, is_default=False)
        errors += more
    if errors or default is None:
        raise RubricError(errors or ["grading/rubrics/default.yaml: could not be loaded"])
    assert default.weights is not None and default.version and default.pass_mark is not None
    assert default.partial_credit is not None
    weights, points = dict(default.weights), dict(default.points)
    pass_mark = module_pass_mark if module_pass_mark is not None else default.pass_mark
    name, version, partial = "default", default.version, default.partial_credit
    skip = frozenset(default.skip or ())
    critical = dict(default.critical_errors)
    prohibited = dict(default.prohibited_documents)
    cap = default.critical_cap if default.critical_cap is not None else 100.0
    major = dict(default.major_errors)
    major_cap = default.major_cap if default.major_cap is not None else 100.0
    conduct = default.peer_to_peer_call
    if override is not None:
        conduct = override.peer_to_peer_call or conduct
        cap = override.critical_cap if override.critical_cap is not None else cap
        major_cap = override.major_cap if override.major_cap is not None else major_cap
        critical.update(override.critical_errors)
        major.update(override.major_errors)
        prohibited.update(override.prohibited_documents)
        name = module_id
        version = override.version or default.version
        weights = dict(override.weights) if override.weights is not None else weights
        points.update(override.points)
        pass_mark = override.pass_mark if override.pass_mark is not None else pass_mark
        partial = override.partial_credit if override.partial_credit is not None else partial
        skip = frozenset(override.skip) if override.skip is not None else skip
    return Rubric(
        name=name,
        version=version,
        pass_mark=pass_mark,
        weights=weights,
        points=points,
        partial_credit=partial,
        skip=skip,
        critical_errors={k: v for k, v in critical.items() if not v.off},
        prohibited_documents=prohibited,
        critical_cap=cap,
        major_errors={k: v for k, v in major.items() if not v.off},
        major_cap=major_cap,
        peer_to_peer_call=conduct,
    )
