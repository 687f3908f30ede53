"""Tests of jxedu.analysis.priorities on the hand county of tests/analysis/test_indicators.py.

Amounts are those worked out by hand in tests/analysis/test_shortfalls.py; costs are the amounts times
the default unit costs of jxedu/data/unit_costs.csv (建设 初中 3400 元/㎡, 运动场地 400 元/㎡, 教师
110000 元/人·年).
"""

from __future__ import annotations

import math

import pytest

import jxedu
from jxedu.analysis import indicators as ind
from jxedu.core.settings import get_settings
from tests.analysis.test_indicators import hand_county as _hand_county
from tests.core.test_county import plan_table


def hand_county():
    """The hand county with 金乡's plan targets (规划目标): the plan's PE/art check applies."""
    ds = _hand_county()
    ds.plan_targets = plan_table()
    return ds

Q, B, PA, TA, SA, EQ, MM = ind.KEYS


@pytest.fixture(scope="module")
def pr():
    return jxedu.assess(hand_county()).priorities.set_index(["school_id", "key"])


def test_tiers_follow_the_pass_plans(pr):
    # Failing units' least plans are tier 1: C1 backbone, N1 初中部 sports, T1 初中部 sports and teaching,
    # TP60 backbone. Misses a unit does not need (P1 rooms, J1 qualified: both pass; N1/T1 equipment) are tier 3,
    # as is the 40-pupil TP40 without a PE/art teacher (the county plan's 0.9 per 100, checked at every school).
    assert {k for k, r in pr.iterrows() if r["tier"] == 1} == {("C1", B), ("N1", SA), ("T1", SA), ("T1", TA),
                                                              ("TP60", B)}
    assert {k for k, r in pr.iterrows() if r["tier"] == 3} == {("P1", MM), ("J1", Q), ("N1", EQ), ("T1", EQ),
                                                              ("TP40", "plan_pe_art_every_school")}


def test_costs_worked_by_hand(pr):
    # N1 初中部 sports: the school adds 110 ㎡ of sports ground → 110 × 400 = 44,000 元.
    assert pr.loc[("N1", SA), "cost"] == 110 * 400
    # T1 初中部 teaching rooms: the school adds 235 ㎡ of building at the 初中 price → 235 × 3400 = 799,000 元.
    assert pr.loc[("T1", TA), "cost"] == 235 * 3400
    # J1 qualified teachers: 2 teachers a year → 2 × 110,000 = 220,000 元 a year, no capital.
    assert pr.loc[("J1", Q), "cost_year"] == 2 * 110_000 and math.isnan(pr.loc[("J1", Q), "cost"])
    # N1 初中部 equipment: the school buys 109,091 元 of equipment.
    assert pr.loc[("N1", EQ), "cost"] == 109_091
    # A backbone teacher is recognised, not bought: no cost (NaN, never 0).
    assert math.isnan(pr.loc[("C1", B), "cost"]) and math.isnan(pr.loc[("C1", B), "cost_year"])


def test_a_county_replaces_a_unit_cost():
    s = get_settings(unit_costs={"sports_ground_m2": 500})
    pr = jxedu.assess(hand_county(), settings=s).priorities.set_index(["school_id", "key"])
    assert pr.loc[("N1", SA), "cost"] == 110 * 500


def test_township_view_is_the_county_list_filtered():
    a = jxedu.assess(hand_county())
    town = a.township("羊山镇").priorities
    county = a.priorities
    assert town.reset_index(drop=True).equals(county.loc[county["township"] == "羊山镇"].reset_index(drop=True))
    # TP40 (40 pupils) is out of the indicators but in the school-level checks: no PE/art teacher for 40
    # pupils, the plan's 0.9 per 100 asks ceil(0.36) = 1
    assert set(town["school_id"]) == {"N1", "T1", "TP60", "TP40"}
    tp40 = town.loc[town["school_id"] == "TP40"]
    assert tp40[["kind", "amount"]].values.tolist() == [["pe_art_plan", 1.0]]


def test_ranking_within_a_tier():
    # Tier 1, by hand: under the 85 % floor first — C1 backbone (4/6 = 66.7 %, 600 pupils) before TP60
    # backbone (0 %, 60 pupils): more pupils affected first; then the rest — T1 初中部 (300 pupils:
    # teaching 94.8 % before sports 97.1 %, the furthest from the standard first), then N1 初中部 (100).
    p = jxedu.assess(hand_county()).priorities
    tier1 = [(r.school_id, r.key) for r in p.loc[p["tier"] == 1].itertuples()]
    assert tier1 == [("C1", B), ("TP60", B), ("T1", TA), ("T1", SA), ("N1", SA)]
    assert p["rank"].tolist() == list(range(1, len(p) + 1))
