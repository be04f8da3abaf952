"""Appeal cost-benefit (issue 14 item 4): the expected value of each next step after a denial, checked
against figures worked out by hand from the data file's rates (docs/operations.md "Appeal cost-benefit"):
expected value = at stake x the middle of the likelihood range - staff minutes / 60 x cost per hour."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge_base.loader import load_library
from operations.appeal_value import (
    DATA,
    OfferedLevel,
    best_option,
    load_appeal_economics,
    next_step_options,
)

P2P = OfferedLevel(level="peer_to_peer", name="Peer-to-peer review")
LEVEL1 = OfferedLevel(level="level1", name="Level 1 appeal")


def _by_level(options):
    return {o.level: o for o in options}


def test_an_erisa_denial_worth_4000_dollars_at_the_default_staff_cost() -> None:
    # peer-to-peer 40-50 % -> 45 %: 4,000 x 0.45 = 1,800, less 30 min at $24.16 = $12.08 -> 1,787.92
    # level 1 30-40 % -> 35 %: 4,000 x 0.35 = 1,400, less 60 min = $24.16 -> 1,375.84
    rows = _by_level(next_step_options(4000, [P2P, LEVEL1], "commercial_erisa_ppo"))
    assert rows["peer_to_peer"].expected_value == 1787.92
    assert rows["level1"].expected_value == 1375.84
    assert rows["accept"].expected_value == 0.0
    assert best_option(list(rows.values())).level == "peer_to_peer"


def test_medicare_advantage_reconsideration_uses_kffs_overturn_rate() -> None:
    # KFF 2023: 81.7 % of appealed MA denials overturned: 2,000 x 0.817 = 1,634, less $24.16 -> 1,609.84
    (recon, _) = next_step_options(
        2000, [OfferedLevel(level="reconsideration", name="Reconsideration")], "medicare_advantage_hmo"
    )
    assert recon.likelihood == pytest.approx(0.817) and recon.expected_value == 1609.84
    assert "KFF" in recon.likelihood_source


def test_a_level_the_payer_forwards_itself_costs_no_staff_time() -> None:
    # the MA IRE (external, 30-40 %): 1,000 x 0.35 = 350, nothing to prepare
    (ire, _) = next_step_options(
        1000, [OfferedLevel(level="ire", name="IRE", automatic=True)], "medicare_advantage_hmo"
    )
    assert (ire.staff_minutes, ire.staff_cost, ire.expected_value) == (0, 0.0, 350.0)


def test_when_staff_time_costs_more_than_the_appeal_can_win_accepting_is_best() -> None:
    # 50 x 0.35 = 17.50, less $24.16 -> -6.66: below accepting the denial
    rows = next_step_options(50, [LEVEL1], "commercial_erisa_ppo")
    assert rows[0].expected_value == -6.66
    assert best_option(rows).level == "accept"


def test_the_staff_cost_per_hour_is_the_users_to_set() -> None:
    # 60 min at $90 = $90: 1,000 x 0.35 - 90 = 260
    (level1, _) = next_step_options(1000, [LEVEL1], "commercial_erisa_ppo", hourly_cost=90)
    assert level1.expected_value == 260.0
    with pytest.raises(ValueError, match="hourly cost"):
        next_step_options(1000, [LEVEL1], "commercial_erisa_ppo", hourly_cost=0)


def test_every_appeal_level_in_every_payer_manual_sits_on_the_ladder() -> None:
    econ = load_appeal_economics()
    for manual in load_library().manuals.values():
        for level in manual.appeal_levels:
            assert level.level in econ.levels, f"{manual.id}: {level.level} has no stage in {DATA.name}"


def test_a_level_not_on_the_ladder_is_named_in_the_error() -> None:
    with pytest.raises(ValueError, match="appeal level 'arbitration'"):
        next_step_options(
            1000, [OfferedLevel(level="arbitration", name="Arbitration")], "commercial_erisa_ppo"
        )


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["stages"]["first_level"].update(low=0.5, high=0.3), "swap them"),
        (lambda d: d["sources"].pop("kff_ma_2023"), "kff_ma_2023 cited but not listed"),
        (lambda d: d["staff_minutes"].pop("external"), "staff_minutes: no entry for external"),
    ],
)
def test_a_bad_data_file_is_refused_naming_the_field(tmp_path: Path, edit, message: str) -> None:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    edit(data)
    bad = tmp_path / "appeal_economics.yaml"
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_appeal_economics(bad)


def test_a_denial_puts_the_whole_service_value_at_stake_and_an_approval_none() -> None:
    from operations.outcome import revenue_at_stake
    from scenarios import generate_case
    from simulator import prior_determination

    case = generate_case("pends_appeals", 1)  # a lumbar MRI Lakeshore denied
    denial = prior_determination(case)
    assert denial is not None and denial.status == "denied"
    at_stake = revenue_at_stake(case, denial)
    assert 1500 <= at_stake <= 5000  # the brief's advanced-imaging range: the whole value, not nothing
    assert revenue_at_stake(case, denial.model_copy(update={"status": "approved"})) == 0
