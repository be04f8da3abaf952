"""Loads and validates the claim checker's vocabulary (clinical/vocabulary/*.yaml), once per process."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from knowledge_base.content_files import load_yaml

VOCABULARY_DIR = Path(__file__).resolve().parent / "vocabulary"


class VocabularyError(ValueError):
    """A vocabulary file is malformed; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConceptEntry(_Strict):
    concept: str = Field(min_length=2)
    kind: Literal["finding", "red_flag", "therapy", "test", "topic"]
    terms: list[str] = Field(min_length=1)
    parent: str | None = None
    includes: list[str] = Field(default_factory=list)
    service_lines: list[str] | None = None


class TopicEntry(_Strict):
    concept: str = Field(min_length=2)
    terms: list[str] = Field(min_length=1)


class ConceptsFile(_Strict):
    concepts: list[ConceptEntry]
    drugs: list[str] = Field(default_factory=list)
    topics: list[TopicEntry] = Field(default_factory=list)


class FormsFile(_Strict):
    rewrites: list[tuple[str, str, str]]
    unit_spellings: dict[str, str]
    abbreviations: dict[str, str]
    units: dict[str, str]
    unit_kinds: dict[str, str]
    duration_days: dict[str, float]
    labels: dict[str, str]
    fact_units: dict[str, str]
    fact_labels: dict[str, str]
    threshold_before: list[str]
    threshold_after: list[str]
    intention: list[str]
    hypothetical_subjects: list[str]
    hypothetical_modals: list[str]
    plan_nouns: list[str]
    generic: list[str]
    patient_markers: list[str]
    negation_following_extra: list[str]
    negation_preceding_extra: list[str]
    pseudo_negation_extra: list[str]
    negation_termination_extra: list[str] = Field(default_factory=list)

    @field_validator("rewrites")
    @classmethod
    def _compiles(cls, rewrites: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
        for pattern, _, _ in rewrites:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"rewrite {pattern!r} is not a valid regular expression: {exc}") from exc
        return rewrites


class ImpliedValue(_Strict):
    """A term that states a number by definition: a "type III" home sleep test records at least 4 channels."""

    terms: list[str] = Field(min_length=1)
    at_least: float


class FactWordsFile(_Strict):
    words: dict[str, list[str]]
    qualifiers: list[str] = Field(default_factory=list)
    implies: dict[str, list[ImpliedValue]] = Field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Concept:
    name: str
    kind: str
    terms: tuple[str, ...]
    parent: str | None
    includes: tuple[str, ...]
    service_lines: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class Vocabulary:
    concepts: dict[str, Concept]
    forms: FormsFile
    term_concept: dict[str, str]  # normalized term -> concept name


def _load(name: str, model: type[BaseModel]) -> BaseModel:
    path = VOCABULARY_DIR / name
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
        return model.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        raise VocabularyError(f"{path.name}: cannot read ({exc}); restore it from the repository") from exc
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise VocabularyError(f"{path.name}: {where}: {err['msg']}; fix that entry") from exc


def term_key(term: str) -> str:
    """How a term is compared: lower case, hyphens and slashes as spaces, single spaces."""
    return " ".join(re.sub(r"[-/]", " ", term.lower()).split())


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    concepts_file = _load("concepts.yaml", ConceptsFile)
    forms = _load("forms.yaml", FormsFile)
    assert isinstance(concepts_file, ConceptsFile) and isinstance(forms, FormsFile)
    concepts: dict[str, Concept] = {}
    entries = list(concepts_file.concepts) + [
        ConceptEntry(concept=d, kind="therapy", terms=[d]) for d in concepts_file.drugs
    ]
    entries += [ConceptEntry(concept=t.concept, kind="topic", terms=t.terms) for t in concepts_file.topics]
    term_concept: dict[str, str] = {}
    for e in entries:
        if e.concept in concepts:
            continue  # a drug also listed as a concept keeps the richer entry
        concepts[e.concept] = Concept(
            e.concept,
            e.kind,
            tuple(e.terms),
            e.parent,
            tuple(e.includes),
            frozenset(e.service_lines) if e.service_lines else None,
        )
        for t in e.terms:
            term_concept.setdefault(term_key(t), e.concept)
    for c in concepts.values():
        for ref in [*([c.parent] if c.parent else []), *c.includes]:
            if ref not in concepts:
                raise VocabularyError(f"concepts.yaml: {c.name}: names unknown concept {ref!r}; add it")
    return Vocabulary(concepts, forms, term_concept)


@lru_cache(maxsize=1)
def fact_words() -> FactWordsFile:
    """Paraphrases of fact-name tokens for criterion matching (fact_words.yaml), with each token that
    names a concept also taking the concept's terms."""
    loaded = _load("fact_words.yaml", FactWordsFile)
    assert isinstance(loaded, FactWordsFile)
    words = {k: list(v) for k, v in loaded.words.items()}
    for name, concept in vocabulary().concepts.items():
        if " " not in name and ":" not in name:
            words.setdefault(name, [])
            words[name] += [t.lower() for t in concept.terms if t.lower() not in words[name]]
    return FactWordsFile(words=words, qualifiers=loaded.qualifiers, implies=loaded.implies)
