"""Tests of jxedu.optimize (hand-worked cases)."""

from __future__ import annotations

import numpy as np
import pytest
from test_scenarios import _dataset  # the small two-school data set of the scenario tests

from jxedu import optimize as op


def test_pmedian_highs_picks_one_site_per_cluster():
    # points and sites at 0, 1, 10, 11 (cost = |a - b|), p = 2: one site per cluster, each cluster
    # pays 1 for its other point -> objective 2.
    pts = np.array([0.0, 1.0, 10.0, 11.0])
    cost = np.abs(pts[:, None] - pts[None, :])
    chosen, assign, obj = op.pmedian_highs(cost, np.ones(4), 2)
    assert chosen.sum() == 2
    assert obj == pytest.approx(2.0)
    assert assign[0] == assign[1] and assign[2] == assign[3] and assign[0] != assign[2]


def test_pmedian_highs_honours_predefined_sites():
    # site 3 (x = 11) must stay: the best second site is 0 or 1 -> objective 1 + 1 = 2 still;
    # forcing sites 0 and 1 both (p = 2) leaves the far cluster at 9 + 10 = 19, plus 0 -> 19.
    pts = np.array([0.0, 1.0, 10.0, 11.0])
    cost = np.abs(pts[:, None] - pts[None, :])
    chosen, _, obj = op.pmedian_highs(cost, np.ones(4), 2, predefined=[True, True, False, False])
    assert chosen.tolist() == [True, True, False, False]
    assert obj == pytest.approx(19.0)


def test_closure_ranking_hand_case():
    # enrolment capacity A 60, B 60. Baseline: V1, V2 -> A (500 m each), V3 -> B (1400 m):
    # 30*500 + 30*500 + 30*1400 = 72000 child-metres.
    # Close A: all 90 to B: 30*3000 + 30*2000 + 30*1400 = 192000 -> +120 km.
    # Close B: V3 must go to A (over capacity, 1100 m): 30*500 + 30*500 + 30*1100 = 63000 -> -9 km.
    r = op.closure_ranking(_dataset(), stage="primary", capacity="enrolment")
    assert r["school_id"].tolist() == ["B", "A"]
    assert r["added_km"].tolist() == [pytest.approx(-9.0), pytest.approx(120.0)]
    assert r["rank"].tolist() == [1, 2]


def test_suggest_sites_pmedian_on_existing_schools():
    # p = 1 among A (x=500) and B (x=3000): A serves 30*500 + 30*500 + 30*1100 = 63000 child-metres,
    # B 30*3000 + 30*2000 + 30*1400 = 192000 -> A, mean 700 m.
    s = op.suggest_sites(_dataset(), stage="primary", p=1, candidates=None)
    assert s.sites["site_id"].tolist() == ["A"]
    assert s.objective == pytest.approx(63000.0)
    assert s.summary["平均上学距离（米）"] == 700
