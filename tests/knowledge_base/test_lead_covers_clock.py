"""Submission lead times cover the payer's standard decision clock (issue 10 item 6).

What we teach (docs/sources.md, "Regulatory clocks and urgency"): submit a standard request at least the
payer's standard decision window before the date of service, because the payer may lawfully take all of
it; the typical turnaround figures are realism, not lead times. The expectation is that rule applied to
each policy's own front matter, on every weekday a request can be sent.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from knowledge_base.loader import load_library
from knowledge_base.models import Policy
from simulator.clock import add_business_days, add_days

LIBRARY = load_library()
MONDAY = datetime(2026, 3, 2, 9, 0)


@pytest.mark.parametrize("policy", sorted(LIBRARY.policies.values(), key=lambda p: p.id), ids=lambda p: p.id)
def test_a_request_sent_on_the_lead_time_is_decided_by_the_date_of_service(policy: Policy) -> None:
    tf = policy.timeframes
    for offset in range(7):
        sent = MONDAY + timedelta(days=offset)
        if sent.weekday() >= 5:
            continue
        dos: date = add_business_days(sent.date(), tf.submit_lead_business_days)
        due = add_days(sent, tf.standard_decision_days, tf.standard_days_kind)
        assert due.date() <= dos, (
            f"{policy.id}: sent {sent.date()} ({tf.submit_lead_business_days} business days ahead), the decision "
            f"may come {due.date()}, after the date of service {dos}"
        )
