"""Load and validate policy and manual files, collecting every error with its file and path."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from knowledge_base.content_files import parse_yaml_mapping, validate_mapping
from knowledge_base.models import Manual, Policy, PolicyDocument, Section

CONTENT_ROOT = Path(__file__).resolve().parent
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", re.DOTALL)
_CRITERION_IN_TITLE = re.compile(r"\b([A-Z]{3}-[A-Z0-9]+-\d{3}\.\d+)\b")


class PolicyValidationError(ValueError):
    """One or more content files are invalid; ``errors`` lists each as 'file > path: message'."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(f"{len(errors)} content error(s); first: {errors[0] if errors else ''}")


@dataclass
class LoadResult:
    policies: dict[str, PolicyDocument] = field(default_factory=dict)
    manuals: dict[str, PolicyDocument] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def split_sections(body: str) -> list[Section]:
    """Split a Markdown body on ``##`` headings; text before the first heading is the 'Overview'.

    >>> [s.title for s in split_sections("intro\\n## A\\ntext\\n## B\\nmore")]
    ['Overview', 'A', 'B']
    """
    sections: list[Section] = []
    title, lines = "Overview", list[str]()
    for line in body.splitlines():
        if line.startswith("## "):
            if "".join(lines).strip():
                sections.append(_section(title, lines))
            title, lines = line[3:].strip(), []
        elif not line.startswith("# "):
            lines.append(line)
    if "".join(lines).strip():
        sections.append(_section(title, lines))
    return sections


def _section(title: str, lines: list[str]) -> Section:
    match = _CRITERION_IN_TITLE.search(title)
    return Section(title=title, text="\n".join(lines).strip(), criterion_id=match.group(1) if match else None)


def parse_file(path: Path, root: Path) -> tuple[PolicyDocument | None, list[str]]:
    """Parse one Markdown file with front matter; returns the document or the list of its errors."""
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [f"{rel}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"]
    except OSError as exc:
        return None, [f"{rel}: cannot read the file ({exc.strerror or exc.__class__.__name__})"]
    match = _FRONT.match(text)
    if not match:
        return None, [f"{rel}: missing YAML front matter (the file must start with '---')"]
    meta_raw, errors = parse_yaml_mapping(match.group(1), rel, what="front matter")
    if meta_raw is None:
        return None, errors
    model: type[Policy | Manual] = Manual if meta_raw.get("kind", "policy") == "manual" else Policy
    meta, errors = validate_mapping(meta_raw, model, rel, empty="(front matter)")
    if meta is None:
        return None, errors
    body = match.group(2)
    doc = PolicyDocument(
        path=rel,
        meta=meta,
        body=body,
        sections=split_sections(body),
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
    )
    return doc, []


def load_all(root: Path = CONTENT_ROOT) -> LoadResult:
    """Load every policy (``policies/**.md``) and manual (``manuals/*.md``) under ``root``."""
    result = LoadResult()
    try:
        files = sorted((root / "policies").rglob("*.md")) + sorted((root / "manuals").rglob("*.md"))
    except OSError as exc:  # e.g. a symlink loop or an unreadable folder
        result.errors.append(
            f"{root}: cannot list the content folders ({exc.strerror or exc.__class__.__name__})"
        )
        return result
    for path in files:
        doc, errors = parse_file(path, root)
        result.errors.extend(errors)
        if doc is None:
            continue
        target = result.manuals if isinstance(doc.meta, Manual) else result.policies
        if doc.meta.id in target:
            result.errors.append(f"{doc.path}: id {doc.meta.id} already used by {target[doc.meta.id].path}")
            continue
        target[doc.meta.id] = doc
    result.errors.extend(cross_check(result))
    return result


def cross_check(result: LoadResult) -> list[str]:
    """Invariants across files: each policy's payer has a manual; one policy per payer × service line;
    every criterion has a section in the body that names it."""
    errors: list[str] = []
    seen: dict[tuple[str, str], str] = {}
    for doc in result.policies.values():
        meta = doc.meta
        assert isinstance(meta, Policy)  # narrowed by load_all's routing
        if meta.payer not in result.manuals:
            errors.append(f"{doc.path} > payer: no manual for payer {meta.payer!r} in manuals/")
        else:
            manual = result.manuals[meta.payer].meta
            assert isinstance(manual, Manual)
            levels = [a.level for a in manual.appeal_levels]
            for level in meta.appeal_clocks:
                if level not in levels:
                    errors.append(
                        f"{doc.path} > appeal_clocks > {level}: {meta.payer}'s manual has no such appeal level; "
                        f"use one of {', '.join(levels)}"
                    )
        key = (meta.payer, meta.service_line)
        if key in seen:
            errors.append(f"{doc.path}: second policy for {key}; first is {seen[key]}")
        seen[key] = doc.path
        named = {s.criterion_id for s in doc.sections}
        for i, crit in enumerate(meta.criteria):
            if crit.id not in named:
                errors.append(f"{doc.path} > criteria > {i}: no '## ' section in the body names {crit.id}")
    return errors


class Library:
    """The validated content: policies by id, manuals by payer, lookups the other layers need."""

    def __init__(self, result: LoadResult):
        if result.errors:
            raise PolicyValidationError(result.errors)
        self.documents = result.policies
        self.manual_documents = result.manuals
        # the loader files each document by its meta's type, so the filters only tell mypy so
        self.policies = {k: v.meta for k, v in result.policies.items() if isinstance(v.meta, Policy)}
        self.manuals = {k: v.meta for k, v in result.manuals.items() if isinstance(v.meta, Manual)}
        self._by_line = {(p.payer, p.service_line): p for p in self.policies.values()}

    def policy_for(self, payer: str, service_line: str) -> Policy | None:
        return self._by_line.get((payer, service_line))

    def policy_for_code(self, payer: str, code: str) -> Policy | None:
        return next((p for p in self.policies.values() if p.payer == payer and p.code(code)), None)

    def manual(self, payer: str) -> Manual:
        return self.manuals[payer]

    @property
    def payers(self) -> tuple[str, ...]:
        """Every payer with a manual, in the manuals' own ``order`` (then by id)."""
        return tuple(sorted(self.manuals, key=lambda p: (self.manuals[p].order, p)))

    @property
    def service_lines(self) -> tuple[str, ...]:
        """Every service line some policy governs, sorted."""
        return tuple(sorted({p.service_line for p in self.policies.values()}))

    def check_payer(self, payer: str | None, field: str = "payer") -> None:
        """Raise ValueError naming ``field`` and the known payers when ``payer`` has no manual."""
        if payer is not None and payer not in self.manuals:
            raise ValueError(f"{field}: unknown payer {payer!r}; use one of {', '.join(self.payers)}")

    @property
    def version(self) -> str:
        """A short fingerprint of all content, stored with every attempt so it can be replayed."""
        digest = hashlib.sha256()
        for doc in sorted([*self.documents.values(), *self.manual_documents.values()], key=lambda d: d.path):
            digest.update(doc.content_hash.encode())
        return digest.hexdigest()[:12]


@lru_cache(maxsize=4)
def load_library(root: Path = CONTENT_ROOT) -> Library:
    """The shipped content, validated once per process (raises PolicyValidationError listing every error)."""
    return Library(load_all(root))
