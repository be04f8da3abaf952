"""Chart text reads as a clinician writes it (issue 12 item 8: the assistant quotes the chart verbatim,
so a template's slip such as "for 1 weeks" went straight into the letter)."""

from __future__ import annotations

import re

import pytest

from scenarios import generate_case, list_modules

ONE_PLURAL = re.compile(r"\b1 (?:weeks|months|days|years|visits|hours|sessions)\b")


@pytest.mark.parametrize("module", [m["id"] for m in list_modules()])
def test_no_singular_count_with_a_plural_noun(module: str) -> None:
    cases = [generate_case(module, seed) for seed in range(30)]
    slips = {
        (c.case_id, d.title, m.group(0)) for c in cases for d in c.chart for m in ONE_PLURAL.finditer(d.text)
    }
    assert not slips, sorted(slips)[:5]


def test_a_one_week_history_says_one_week() -> None:
    # the suspected cauda equina profile: symptoms for 1 week (scenarios/service_lines/lumbar_mri.yaml)
    case = next(
        c
        for c in (generate_case("advanced_imaging", s) for s in range(60))
        if c.archetype_id == "mri_cauda_equina_emergency"
    )
    assert any("for 1 week." in d.text or "1 week ago" in d.text or "x 1 week," in d.text for d in case.chart)
