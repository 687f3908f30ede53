"""Tests of jxedu.planning.optimize (hand-worked cases)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from jxedu.planning import optimize as op
from tests.planning.test_scenarios import X0, Y0, _dataset  # the small two-school data set of the scenario tests


def test_pmedian_highs_picks_one_site_per_cluster():
    # points and sites at 0, 1, 10, 11 (cost = |a - b|), p = 2: one site per cluster, each cluster
    # pays 1 for its other point -> objective 2.
    pts = np.array([0.0, 1.0, 10.0, 11.0])
    cost = np.abs(pts[:, None] - pts[None, :])
    s = op.pmedian_highs(cost, np.ones(4), 2)
    assert s.chosen.sum() == 2
    assert s.objective == pytest.approx(2.0)
    a = s.assign
    assert a[0] == a[1] and a[2] == a[3] and a[0] != a[2]
    assert s.status == "optimal"


def test_pmedian_highs_honours_predefined_sites():
    # site 3 (x = 11) must stay: the best second site is 0 or 1 -> objective 1 + 1 = 2 still;
    # forcing sites 0 and 1 both (p = 2) leaves the far cluster at 9 + 10 = 19, plus 0 -> 19.
    pts = np.array([0.0, 1.0, 10.0, 11.0])
    cost = np.abs(pts[:, None] - pts[None, :])
    s = op.pmedian_highs(cost, np.ones(4), 2, predefined=[True, True, False, False])
    assert s.chosen.tolist() == [True, True, False, False]
    assert s.objective == pytest.approx(19.0)


def test_closure_ranking_hand_case():
    # enrolment capacity A 60, B 60. Baseline: V1, V2 -> A (500 m each), V3 -> B (1400 m):
    # 30*500 + 30*500 + 30*1400 = 72000 child-metres.
    # Close A: all 90 to B: 30*3000 + 30*2000 + 30*1400 = 192000 -> +120 km.
    # Close B: V3 must go to A (over capacity, 1100 m): 30*500 + 30*500 + 30*1100 = 63000 -> -9 km.
    r = op.closure_ranking(_dataset(), stage="primary", capacity="enrolment")
    assert r["school_id"].tolist() == ["B", "A"]
    assert r["added_km"].tolist() == [pytest.approx(-9.0), pytest.approx(120.0)]
    assert r["rank"].tolist() == [1, 2]
    # closing A displaces its 60 resident children: 120 000 m more / 60 = 2000 m each; 30 of them
    # (V1, 3000 m) end beyond the 2000 m walking limit. Closing B: V3's 30 children, -9000 / 30 = -300 m.
    assert r["children"].tolist() == [30.0, 60.0]
    assert r["added_m_per_child"].tolist() == pytest.approx([-300.0, 2000.0])
    assert r["added_beyond_walk"].tolist() == [0.0, 30.0]


def test_suggest_sites_pmedian_on_existing_schools():
    # p = 1 among A (x=500) and B (x=3000): A serves 30*500 + 30*500 + 30*1100 = 63000 child-metres,
    # B 30*3000 + 30*2000 + 30*1400 = 192000 -> A, mean 700 m.
    s = op.suggest_sites(_dataset(), stage="primary", p=1, candidates=None)
    assert s.sites["site_id"].tolist() == ["A"]
    assert s.objective == pytest.approx(63000.0)
    assert s.summary["mean_distance_m"] == pytest.approx(700.0)
    assert s.summary["chosen_sites"] == 1 and s.summary["new_sites"] == 0
    # within the 2000 m walking limit of A: every village (500, 500, 1100 m) -> 100 %
    assert s.summary["within_radius_share"] == pytest.approx(1.0)
    assert s.sites["kind"].tolist() == ["existing"]


# --- capacitated p-median ----------------------------------------------------------------------
# Line: demand A at 0 (20 children), B at 10 (10), C at 13 (5); sites at 0, 10, 13; p = 2.
_POS = np.array([0.0, 10.0, 13.0])
_COST = np.abs(_POS[:, None] - _POS[None, :])
_W = np.array([20.0, 10.0, 5.0])


def test_capacity_changes_the_pmedian_choice():
    # Uncapacitated: {0, 10}: C -> 10 pays 5*3 = 15; {0, 13}: B -> 13 pays 10*3 = 30;
    # {10, 13}: A pays 20*10 = 200 -> {0, 10}, objective 15.
    s = op.pmedian_highs(_COST, _W, 2)
    assert s.chosen.tolist() == [True, True, False]
    assert s.objective == pytest.approx(15.0)
    # Capacities 25, 12, 20. {0, 10}: B + C = 15 children but site 10 holds 12, so 3 go to site 0
    # (free 25 - 20 = 5); moving B costs 10 - 0 = +10, moving C 13 - 3 = +10 per child:
    # 5*3 + 3*10 = 45. {0, 13}: A -> 0 (20 <= 25), B and C -> 13 (15 <= 20): 10*3 = 30.
    # {10, 13}: 12 + 20 = 32 places < 35 children, infeasible -> {0, 13}, objective 30.
    cap = np.array([25.0, 12.0, 20.0])
    s = op.pmedian_highs(_COST, _W, 2, capacity=cap)
    assert s.chosen.tolist() == [True, False, True]
    assert s.objective == pytest.approx(30.0)
    loads = (s.flows * _W[:, None]).sum(axis=0)
    assert loads.tolist() == pytest.approx([20.0, 0.0, 15.0])
    assert (loads <= cap + 1e-9).all()  # capacity respected
    assert s.over.sum() == 0


def test_capacity_too_small_is_a_named_error():
    # the two largest capacities 12 + 10 = 22 < 35 children
    with pytest.raises(op.OptimizationError, match="insufficient_capacity"):
        op.pmedian_highs(_COST, _W, 2, capacity=np.array([10.0, 12.0, 5.0]))
    with pytest.raises(op.OptimizationError, match="bad_p"):
        op.pmedian_highs(_COST, _W, 4)


def _brute_pmedian(cost, w, p):
    return min((w * cost[:, list(s)].min(axis=1)).sum() for s in itertools.combinations(range(cost.shape[1]), p))


def test_sparse_k_nearest_matches_the_full_model():
    # 40 random points x 12 sites, p = 3, k = 2: most points' nearest open site lies beyond their
    # 2 nearest sites, so the relaxation must grow k; the answer equals brute force over all
    # C(12, 3) = 220 site triples.
    rng = np.random.default_rng(7)
    dem, fac = rng.uniform(0, 100, (40, 2)), rng.uniform(0, 100, (12, 2))
    cost = np.hypot(dem[:, None, 0] - fac[None, :, 0], dem[:, None, 1] - fac[None, :, 1])
    w = rng.integers(1, 20, 40).astype(float)
    s = op.pmedian_highs(cost, w, 3, k=2, mip_gap=1e-9)
    assert s.rounds > 1
    assert s.objective == pytest.approx(_brute_pmedian(cost, w, 3), rel=1e-9)


def test_mclp_hand_case():
    # Radius 3, p = 1: site 10 covers B (10) and C (5, at 3) = 15; site 13 covers the same 15;
    # site 0 covers A = 20 -> site 0, 20 covered. With p = 2 and site 0 kept, the second site
    # covers B and C -> 35.
    s = op.mclp_highs(_COST, _W, 1, radius=3.0)
    assert s.chosen.tolist() == [True, False, False]
    assert s.objective == pytest.approx(20.0)
    s = op.mclp_highs(_COST, _W, 2, radius=3.0, predefined=[True, False, False])
    assert s.objective == pytest.approx(35.0)
    # capacitated, p = 1, capacities 15, 12, 20: site 0 places 15 of A's 20; site 10 places 12 of
    # the 15 within 3; site 13 places B and C = 15 (<= 20) -> site 0 or 13 with 15; tie broken by
    # nothing, so only the figure is asserted.
    s = op.mclp_highs(_COST, _W, 1, radius=3.0, capacity=np.array([15.0, 12.0, 20.0]))
    assert s.objective == pytest.approx(15.0)


def test_suggest_sites_capacitated_picks_the_larger_school():
    # A (x=500) has 1 class x 45 = 45 places, B (x=3000) 2 x 45 = 90; 90 children, p = 1.
    # Uncapacitated: A (63000 child-metres, see above). Capacitated: A cannot hold 90 -> B:
    # 30*3000 + 30*2000 + 30*1400 = 192000, mean 2133 m.
    ds = _dataset(classes=(1, 2))
    s = op.suggest_sites(ds, stage="primary", p=1, candidates=None)
    assert s.sites["site_id"].tolist() == ["A"]
    s = op.suggest_sites(ds, stage="primary", p=1, candidates=None, capacitated=True)
    assert s.sites["site_id"].tolist() == ["B"]
    assert s.objective == pytest.approx(192000.0)
    assert s.summary["mean_distance_m"] == pytest.approx(6400 / 3)  # 2133.3 m
    # within 2000 m of B: V2 (2000 m) and V3 (1400 m), not V1 (3000 m) -> 60 / 90
    assert s.summary["within_radius_share"] == pytest.approx(2 / 3)
    with pytest.raises(op.OptimizationError, match="insufficient_capacity"):
        op.suggest_sites(_dataset(classes=(1, 1)), stage="primary", p=1, candidates=None, capacitated=True)


def test_suggest_sites_new_site_from_candidates():
    # keep both schools, add one of two candidates: C1 at x=1000 (on V2) or C2 at x=10000.
    # Without C: 63000 (all to A). With C1: V2 -> 0 m, V1 500 m, V3 600 m -> 30*(500+0+600) = 33000.
    ds = _dataset()
    cand = pd.DataFrame({"site_id": ["C1", "C2"], "x": [X0 + 1000.0, X0 + 10000.0], "y": [Y0, Y0]})
    s = op.suggest_sites(ds, stage="primary", p=3, candidates=cand, keep="existing")
    assert sorted(s.sites["site_id"]) == ["A", "B", "C1"]
    assert s.objective == pytest.approx(33000.0)
    new = s.new_sites()
    assert new["site_id"].tolist() == ["C1"]
    # C1 serves V2 (0 m) and V3 (600 m): 60 children, mean 300 m
    assert new["pupils"].tolist() == [60] and new["assigned_mean_m"].tolist() == pytest.approx([300.0])


def test_new_sites_counts_the_sites_besides_the_kept_ones():
    # keep="existing" (A, B) and new_sites=1 is p = 3: the best candidate C1 (see above), 33000 m
    ds = _dataset()
    cand = pd.DataFrame({"site_id": ["C1", "C2"], "x": [X0 + 1000.0, X0 + 10000.0], "y": [Y0, Y0]})
    s = op.suggest_sites(ds, stage="primary", new_sites=1, candidates=cand, keep="existing")
    assert sorted(s.sites["site_id"]) == ["A", "B", "C1"]
    with pytest.raises(op.OptimizationError, match="bad_p"):
        op.suggest_sites(ds, stage="primary", p=3, new_sites=1, candidates=cand, keep="existing")


def _capacitated_case(seed: int):
    """8 demand points × 6 sites on a 30 × 30 grid (whole-unit distances), p = 3, every site with
    ceil(total / 3) + 1 places (tight: a cluster cannot all go to its nearest site)."""
    rng = np.random.default_rng(seed)
    dem, fac = rng.integers(0, 30, (8, 2)).astype(float), rng.integers(0, 30, (6, 2)).astype(float)
    cost = np.round(np.hypot(dem[:, None, 0] - fac[None, :, 0], dem[:, None, 1] - fac[None, :, 1]))
    w = rng.integers(1, 10, 8).astype(float)
    return cost, w, np.full(6, np.ceil(w.sum() / 3) + 1)


def _brute_capacitated(cost, w, p, cap):
    """The full capacitated model by enumeration: every feasible p-subset, children assigned by the
    transportation LP of jxedu.planning.assignment.assign."""
    from jxedu.planning.assignment import assign

    best = np.inf
    for s in itertools.combinations(range(cost.shape[1]), p):
        s = list(s)
        if cap[s].sum() >= w.sum():
            f, _over = assign(w, cost[:, s], cap[s])
            best = min(best, float((f * cost[:, s]).sum()))
    return best


def test_capacitated_k_nearest_grows_until_it_no_longer_binds():
    # seed 10, k = 1: every child may only go to its nearest site, so children land on their k-th
    # (= 1st) site and the restriction binds; k grows (1 -> 4) until no child sits on its k-th site,
    # and the plan equals the full model's (enumeration of all C(6, 3) = 20 site triples: 411).
    cost, w, cap = _capacitated_case(10)
    full = _brute_capacitated(cost, w, 3, cap)
    assert full == pytest.approx(411.0)
    s = op.pmedian_highs(cost, w, 3, capacity=cap, k=1, mip_gap=1e-9)
    assert s.rounds > 1 and s.k > 1
    assert not s.k_binding
    assert s.objective == pytest.approx(full)
    assert s.gap == pytest.approx(0.0, abs=1e-6)
    exact = op.pmedian_highs(cost, w, 3, capacity=cap, k=None, mip_gap=1e-9)  # the full MILP agrees
    assert exact.objective == pytest.approx(full)


def test_capacitated_k_nearest_says_when_it_still_binds(monkeypatch):
    # one round only: the k = 1 plan is 493, 20 % worse than the full model's 411, and says so.
    monkeypatch.setattr(op, "MAX_ROUNDS", 1)
    cost, w, cap = _capacitated_case(10)
    s = op.pmedian_highs(cost, w, 3, capacity=cap, k=1, mip_gap=1e-9)
    assert s.k_binding and s.rounds == 1
    assert s.objective == pytest.approx(493.0)


def test_suggestion_summary_reports_gap_and_k():
    s = op.suggest_sites(_dataset(), stage="primary", p=1, candidates=None, capacitated=True)
    assert s.summary["k_binding"] is False
    assert s.summary["k_nearest"] == 2  # two sites: k = min(12, 2)
    assert s.summary["mip_gap"] == pytest.approx(0.0, abs=1e-6)


# --- candidate sites: named, never on a school, outside the county or unbuildable -------------------


def _geo_dataset():
    """The two-school line (A at x=500, B at 3000) inside one 镇街 (甲镇: x 0–4000, y ±500 m), a road
    200 m north of the line, and a 不可建设 strip x 2000–3000."""
    import geopandas as gpd
    from shapely.geometry import LineString, box

    ds = _dataset()

    def wgs(geom):
        return gpd.GeoDataFrame({"geometry": [geom]}, crs="EPSG:32650").to_crs("EPSG:4326")

    ds.townships = wgs(box(X0, Y0 - 500, X0 + 4000, Y0 + 500)).assign(township="甲镇")
    ds.roads = wgs(LineString([(X0, Y0 + 200), (X0 + 4000, Y0 + 200)]))
    ds.unbuildable = wgs(box(X0 + 2000, Y0 - 600, X0 + 3000, Y0 + 600))
    return ds


def test_candidate_grid_is_named_and_skips_schools_and_unbuildable_land():
    # spacing 1000 m: one row at y = Y0, x = 500, 1500, 2500, 3500. x=500 is on school A (0 m < 300 m),
    # x=2500 in the 不可建设 strip: G001 at 1500 and G002 at 3500 are left. Both lie nearest to
    # 村3 (x=1600: 100 m and 1900 m), 200 m from the road.
    g = op.candidate_grid(_geo_dataset(), spacing_m=1000)
    assert g["x"].tolist() == pytest.approx([X0 + 1500, X0 + 3500])
    assert g["site_id"].tolist() == ["G001", "G002"]
    assert g["name"].tolist() == ["村3附近", "村3附近（2）"]
    assert g["township"].tolist() == ["甲镇", "甲镇"]
    assert g["village_m"].tolist() == pytest.approx([100.0, 1900.0])
    assert g["road_m"].tolist() == pytest.approx([200.0, 200.0])
    # without the 不可建设 layer x=2500 is a site too (500 m from B)
    ds = _geo_dataset()
    ds.unbuildable = None
    assert op.candidate_grid(ds, spacing_m=1000)["x"].tolist() == pytest.approx([X0 + 1500, X0 + 2500, X0 + 3500])


def test_a_planners_site_on_a_school_or_outside_is_an_error():
    ds = _geo_dataset()
    bad = pd.DataFrame({"site_id": ["S1", "S2", "S3"], "x": [X0 + 600.0, X0 + 9000.0, X0 + 2500.0],
                        "y": [Y0, Y0, Y0]})
    with pytest.raises(op.OptimizationError, match=r"bad_site.*S1（在现有学校上.*S2（在县域外）.*S3（在不可建设区域内）"):
        op.suggest_sites(ds, stage="primary", p=3, candidates=bad, keep="existing")
    ok = pd.DataFrame({"site_id": ["C1"], "x": [X0 + 1000.0], "y": [Y0]})
    s = op.suggest_sites(ds, stage="primary", p=3, candidates=ok, keep="existing")
    new = s.new_sites()
    # C1 at x=1000 is on 村2 (0 m): named after it; 200 m from the road
    assert new[["site_id", "name", "township", "near_village"]].values.tolist() == [["C1", "村2附近", "甲镇", "村2"]]
    assert new["road_m"].tolist() == pytest.approx([200.0])
    assert s.summary["road_layer"] is True and s.summary["candidate_clearance_m"] == 300.0


def test_site_without_a_road_layer_says_so():
    from jxedu.present import scenarios as present

    ds = _dataset()
    cand = pd.DataFrame({"site_id": ["C1"], "x": [X0 + 1000.0], "y": [Y0]})
    s = op.suggest_sites(ds, stage="primary", p=3, candidates=cand, keep="existing")
    t = present.new_sites_table(s).frame
    assert t.iloc[0]["到最近道路的直线距离（米）"] == "无道路数据"
    assert t.iloc[0]["候选点位置"] == "村2附近"
