"""Fixtures of the simulator tests: the fixture content library and the case/request builders."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sim_builders import FIXTURES, build_case, build_submission

from knowledge_base.loader import Library, load_library
from scenarios.models import Case, Submission


@pytest.fixture(scope="session")
def library() -> Library:
    return load_library(FIXTURES)


@pytest.fixture
def make_case() -> Callable[..., Case]:
    return build_case


@pytest.fixture
def make_submission() -> Callable[..., Submission]:
    return build_submission
