"""Operations: what a case's outcome is worth and the department KPIs, as rules without a user interface.

- ``revenue``: each case's seeded service value and the revenue rules (expected, at risk, lost,
  recovered, days of cash delay).
- ``staff_time``: active time in the workspace, idle gaps excluded.
- ``outcome``: one case's outcome (first pass, processing time, denial, appeals, revenue) from its
  actions and the payer's replies.
- ``kpis``: the KPI definitions, targets and formulas; ``store.kpis`` aggregates stored outcomes with
  them.

Layer 3, beside grading and assistant (it reads cases and the simulator's replies; the store imports
it). Rule code takes its times from its arguments and never reads the wall clock.
"""
