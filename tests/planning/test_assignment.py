"""Tests of jxedu.planning.assignment: the capacity-constrained LP and its context (hand-worked)."""

from __future__ import annotations

import numpy as np
import pytest

from jxedu.core.errors import DataError
from jxedu.planning import assignment as asg
from tests.planning.test_scenarios import _dataset  # two primary schools A (x=500), B (x=3000); V1 0, V2 1000, V3 1600


def test_assign_function_hand_case():
    # two origins (10, 10), two schools capacities (10, 15): costs favour school 0 for both,
    # origin 1 pays less to switch (1 vs 5) -> origin 0 -> school 0, origin 1 -> school 1.
    flows, over = asg.assign([10, 10], [[1, 6], [2, 3]], [10, 15])
    assert flows.tolist() == [[10, 0], [0, 10]]
    assert over.tolist() == [0, 0]


def test_assign_overfills_rather_than_loses_children():
    # 25 children, one school of 10 places: 15 over capacity, none lost.
    flows, over = asg.assign([25], [[100.0]], [10])
    assert flows.tolist() == [[25]]
    assert over.tolist() == [15]


def test_fixed_flows_use_capacity():
    # origin 0 is fixed to school 1 (5 children of its 10): school 1 (6 places) has 1 left, so
    # origin 1 (4 children, cheaper at school 1) takes 1 place there and 3 at school 0.
    flows, _ = asg.assign([10, 4], [[1, 9], [5, 1]], [20, 6], fixed=[[0, 5], [0, 0]])
    assert flows.tolist() == [[5, 5], [3, 1]]


def test_origin_without_candidate_is_a_named_error():
    with pytest.raises(DataError, match="no_candidate"):
        asg.assign([5], [[np.inf]], [10])


def test_context_is_computed_once_and_capacity_rules():
    ds = _dataset(students=(60, 50), classes=(2, 1))
    ctx = asg.context(ds)
    assert asg.context(ds) is ctx  # kept in ds.cache
    inputs = ctx.stages["primary"]
    assert inputs.cap == 45 and inputs.walk_m == 2000.0
    # classes × 45: A 2 × 45 = 90, B 1 × 45 = 45; enrolment: 60, 50; headroom multiplies
    assert asg.stage_capacity(inputs, capacity="classes").tolist() == [90.0, 45.0]
    assert asg.stage_capacity(inputs, capacity="enrolment", headroom=1.1).tolist() == pytest.approx([66.0, 55.0])


def test_baseline_assignment_hand_case():
    # enrolment capacity A 60, B 60; 90 children. Nearest school of every village is A (500, 500,
    # 1100 m vs 3000, 2000, 1400 m to B). Moving a village to B costs V1 +2500, V2 +1500, V3 +300
    # metres per child -> V3 (30) goes to B: 30 × 500 + 30 × 500 + 30 × 1400 = 72 000 child-metres.
    ctx = asg.context(_dataset())
    a0 = asg.baseline_assignment(ctx, "primary", capacity="enrolment")
    assert a0.objective_m == pytest.approx(72_000.0)
    assert a0.load(2).tolist() == [60.0, 30.0]
    assert a0.main_school(3).tolist() == [0, 0, 1]
    assert a0.mean_distance(3).tolist() == pytest.approx([500.0, 500.0, 1400.0])
    assert asg.baseline_assignment(ctx, "primary", capacity="enrolment") is a0


def test_utm_round_trip():
    x, y = asg.utm_xy(116.3, 35.07)
    lon, lat = asg.lonlat(x, y)
    assert float(lon) == pytest.approx(116.3, abs=1e-9) and float(lat) == pytest.approx(35.07, abs=1e-9)
    # 金乡 lies near the centre of UTM zone 50 (117° E): x a little under 500 km
    assert 400_000 < float(x) < 500_000
