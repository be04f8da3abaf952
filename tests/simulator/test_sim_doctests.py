"""The simulator's docstring examples run: an example that drifts from the code fails here."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from simulator import clock, notices


@pytest.mark.parametrize("module", [clock, notices], ids=lambda m: m.__name__)
def test_docstring_examples_hold(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{module.__name__} has no examples to run"
    assert result.failed == 0
