"""Issue 10 item 15: policy wording a payer would publish.

A payer's policy speaks for that payer only (no comparison with other plans), and H0015's unit is the
payer's convention: the HCPCS descriptor of H0015 names no unit (H0018/H0019 say "per diem"), so a
policy that calls H0015 "per diem" as if it were the code must say the unit is its own rule
(docs/sources.md#substance-use-disorder-intensive-outpatient).
"""

from __future__ import annotations

import re

import pytest

from knowledge_base.loader import load_library

LIBRARY = load_library()
POLICIES = sorted(LIBRARY.documents)
COMPARISONS = re.compile(r"\b(other plans?|another plan|unlike some|many plans|other payers?)\b", re.I)


@pytest.mark.parametrize("policy_id", POLICIES)
def test_a_policy_never_compares_itself_with_other_payers(policy_id: str) -> None:
    doc = LIBRARY.documents[policy_id]
    others = {m.name.split()[0] for k, m in LIBRARY.manuals.items() if k != doc.meta.payer}
    text = " ".join(doc.body.split())
    assert not COMPARISONS.findall(text), COMPARISONS.findall(text)
    assert not [name for name in others if name in text]


@pytest.mark.parametrize("policy_id", [p for p in POLICIES if "-SUD-" in p])
def test_h0015_units_are_stated_as_the_payers_convention(policy_id: str) -> None:
    policy = LIBRARY.policies[policy_id]
    h0015 = next(c for c in policy.codes if c.code == "H0015")
    assert "per diem" not in h0015.display
    text = " ".join(LIBRARY.documents[policy_id].body.split())
    assert "H0015 descriptor names no unit" in text and "convention" in text
