"""Tests of jxedu.analysis.indicators against numbers worked out by hand (arithmetic in the comments).

The hand county (:func:`hand_county`, year 2024) has seven schools:

======  ==================  ==========  =====================================================
id      type                镇街         students (小学 A / 初中 B / 高中 C)
======  ==================  ==========  =====================================================
P1      小学                 金乡街道     A = 400
J1      初中                 金乡街道     B = 500
C1      完全中学              金乡街道     B = 600, C = 500
N1      九年一贯制            羊山镇       A = 290, B = 100
T1      十二年一贯制          羊山镇       A = 200, B = 300, C = 250
TP40    教学点               羊山镇       A = 40  (left out: under 50)
TP60    教学点               羊山镇       A = 60
======  ==================  ==========  =====================================================
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jxedu.analysis import indicators as ind
from jxedu.core.dataset import Dataset
from jxedu.core.settings import get_settings

KEYS = ind.KEYS
Q, B, PA, TA, SA, EQ, MM = KEYS

SCHOOL_COLUMNS = ["school_id", "name", "school_type", "township", "urban_rural"]
STAT_COLUMNS = ["students", "classes", "teachers", "qualified_teachers", "backbone_teachers",
                "pe_teachers", "music_teachers", "art_teachers"]  # fmt: skip
FAC_COLUMNS = ["teaching_area", "indoor_sports_area", "sports_ground_area", "equipment_value_wan", "multimedia_rooms"]


def make_dataset(schools: list[tuple], stats: list[tuple], facilities: list[tuple], *, year: int = 2024) -> Dataset:
    """A Dataset from tuples: schools (id, name, type, 镇街, 城乡), stats (id, stage, *STAT_COLUMNS),
    facilities (id, *FAC_COLUMNS)."""
    sch = pd.DataFrame(schools, columns=SCHOOL_COLUMNS)
    ss = pd.DataFrame(stats, columns=["school_id", "stage", *STAT_COLUMNS])
    ss.insert(0, "year", year)
    fac = pd.DataFrame(facilities, columns=["school_id", *FAC_COLUMNS])
    fac.insert(0, "year", year)
    return Dataset(source=Path("hand"), schools=sch, stage_stats=ss, facilities=fac)


def hand_county() -> Dataset:
    """The seven-school county of the module docstring."""
    schools = [
        ("P1", "城关小学", "primary", "金乡街道", "urban"),
        ("J1", "城关初中", "junior", "金乡街道", "urban"),
        ("C1", "金乡一中", "complete_middle", "金乡街道", "urban"),
        ("N1", "羊山学校", "nine_year", "羊山镇", "rural"),
        ("T1", "育才学校", "twelve_year", "羊山镇", "town"),
        ("TP40", "北庄教学点", "teaching_point", "羊山镇", "rural"),
        ("TP60", "南庄教学点", "teaching_point", "羊山镇", "rural"),
    ]
    # (id, stage, students, classes, teachers, qualified, backbone, pe, music, art)
    stats = [
        ("P1", "primary", 400, 10, 25, 20, 5, 2, 1, 1),
        ("J1", "junior", 500, 10, 40, 25, 5, 3, 1, 1),
        ("C1", "junior", 600, 12, 45, 36, 4, 4, 1, 1),
        ("C1", "senior", 500, 10, 40, 40, 4, 2, 1, 1),
        ("N1", "primary", 290, 7, 20, 15, 3, 1, 1, 1),
        ("N1", "junior", 100, 3, 10, 6, 1, 1, 0, 0),
        ("T1", "primary", 200, 5, 14, 10, 2, 1, 1, 0),
        ("T1", "junior", 300, 6, 25, 18, 3, 1, 1, 1),
        ("T1", "senior", 250, 5, 20, 20, 2, 1, 0, 0),
        ("TP40", "primary", 40, 2, 3, 2, 0, 0, 0, 0),
        ("TP60", "primary", 60, 3, 4, 3, 0, 1, 0, 0),
    ]
    # (id, teaching_area, indoor_sports_area, sports_ground_area, equipment 万元, multimedia rooms)
    facilities = [
        ("P1", 2200.0, 200.0, 3000.0, 100.0, 9),
        ("J1", 3000.0, 0.0, 6000.0, 150.0, 12),
        ("C1", 8000.0, 800.0, 12000.0, 300.0, 30),
        ("N1", 2600.0, 200.0, 3400.0, 80.0, 10),
        ("T1", 4500.0, 200.0, 7540.0, 172.0, 20),
        ("TP40", 200.0, 0.0, 500.0, 5.0, 1),
        ("TP60", 300.0, 0.0, 600.0, 15.0, 2),
    ]
    return make_dataset(schools, stats, facilities)


# Expected unit values, worked by hand.
#
# Split weights: N1 (九年一贯制) W = 290 + 1.1·100 = 400 → 小学部 290/400 = 0.725, 初中部 110/400 = 0.275.
#   C1 (完全中学) W = 600 + 1.2·500 = 1200 → 初中部 600/1200 = 0.5.
#   T1 (十二年一贯制) W = 200 + 1.1·300 + 1.32·250 = 200 + 330 + 330 = 860 → 小学部 200/860, 初中部 330/860.
# A per-student share value of 部 s is w_s·total/W (e.g. N1 初中部 teaching area 1.1·2400/400 = 6.6).
EXPECTED = {
    # P1: 100·20/400 = 5; 100·5/400 = 1.25; 100·(2+1+1)/400 = 1; (2200−200)/400 = 5; (200+3000)/400 = 8;
    #     100·10000/400 = 2500; 100·9/400 = 2.25 (miss, 2.25/2.3 = 97.8 %) → 6 met, passes.
    ("P1", "primary"): ([5.0, 1.25, 1.0, 5.0, 8.0, 2500.0, 2.25], 6, True),
    # J1: 100·25/500 = 5 (miss, 5/5.3 = 94.3 %); 1; 100·5/500 = 1; 3000/500 = 6; 6000/500 = 12;
    #     1.5e6/500 = 3000; 100·12/500 = 2.4 (exactly the standard: met) → 6 met, passes.
    ("J1", "junior"): ([5.0, 1.0, 1.0, 6.0, 12.0, 3000.0, 2.4], 6, True),
    # C1 初中部 (share 0.5): 100·36/600 = 6; 100·4/600 = 0.6667 (66.7 % < 85 %: below the floor); 1;
    #     0.5·7200/600 = 6; 0.5·12800/600 = 10.667; 0.5·3e6/600 = 2500 (= standard); 100·15/600 = 2.5
    #     → 6 met but one miss under 85 % → fails.
    ("C1", "junior"): ([6.0, 4 / 6, 1.0, 6.0, 32 / 3, 2500.0, 2.5], 6, False),
    # N1 小学部: 100·15/290 = 5.1724; 100·3/290 = 1.0345; 100·3/290; 2400/400 = 6; 3600/400 = 9;
    #     8e5/400 = 2000 (= standard); 100·10/400 = 2.5 → 7 met.
    ("N1", "primary"): ([1500 / 290, 300 / 290, 300 / 290, 6.0, 9.0, 2000.0, 2.5], 7, True),
    # N1 初中部: 6; 1; 1; 1.1·2400/400 = 6.6; 1.1·3600/400 = 9.9 (miss, 97.1 %); 1.1·8e5/400 = 2200
    #     (miss, 88 %); 100·1.1·10/400 = 2.75 → 5 met → fails.
    ("N1", "junior"): ([6.0, 1.0, 1.0, 6.6, 9.9, 2200.0, 2.75], 5, False),
    # T1 小学部: 5; 1; 1; 4300/860 = 5; 7740/860 = 9; 1.72e6/860 = 2000; 100·20/860 = 2.3256 → 7 met.
    ("T1", "primary"): ([5.0, 1.0, 1.0, 5.0, 9.0, 2000.0, 2000 / 860], 7, True),
    # T1 初中部: 6; 1; 1; 1.1·4300/860 = 5.5 (miss 94.8 %); 1.1·9 = 9.9 (miss 97.1 %);
    #     1.1·2000 = 2200 (miss 88 %); 1.1·2000/860 = 2.5581 → 4 met → fails.
    ("T1", "junior"): ([6.0, 1.0, 1.0, 5.5, 9.9, 2200.0, 2200 / 860], 4, False),
    # TP60: 100·3/60 = 5; 0 (below floor); 100/60 = 1.667; 300/60 = 5; 600/60 = 10; 1.5e5/60 = 2500;
    #     200/60 = 3.333 → 6 met, one at 0 % → fails.
    ("TP60", "primary"): ([5.0, 0.0, 100 / 60, 5.0, 10.0, 2500.0, 200 / 60], 6, False),
}


def hand_cv(pairs: list[tuple[float, float]]) -> float:
    """The reference formula written out: X̄ = ΣPX/ΣP, S = sqrt(ΣP(X−X̄)²/ΣP), CV = S/X̄."""
    total = sum(p for _, p in pairs)
    mean = sum(p * x for x, p in pairs) / total
    return math.sqrt(sum(p * (x - mean) ** 2 for x, p in pairs) / total) / mean


# --- reference worked examples --------------------------------------------------------------------


def test_weighted_cv_reference_example():
    # Books per student X = 279/45 = 6.2, 137/37 = 3.7027, 935/89 = 10.5056, 160/76 = 2.1053,
    # 402/55 = 7.3091; ΣP = 302; X̄ = ΣP·X/ΣP = ΣB/ΣP = 1913/302 = 6.33444;
    # ΣP(X−X̄)² = 3217.17 → S = sqrt(3217.17/302) = 3.26386 → CV = 3.26386/6.33444 = 0.51526.
    students = [45, 37, 89, 76, 55]
    books = [279, 137, 935, 160, 402]
    x = [b / p for b, p in zip(books, students, strict=True)]
    assert ind.weighted_cv(x, students) == pytest.approx(0.51526, abs=5e-5)
    assert round(ind.weighted_cv(x, students), 4) == 0.5153
    # “Unweighted” = equal weights, population form: mean of X = 29.8226/5 = 5.96452,
    # std = sqrt(Σ(X−mean)²/5) = 2.91534 → 2.91534/5.96452 = 0.48877 (the reference's 0.4888).
    assert round(ind.weighted_cv(x, [1] * 5), 4) == 0.4888
    assert round(float(np.std(x) / np.mean(x)), 4) == 0.4888


def test_weighted_cv_edge_cases():
    assert math.isnan(ind.weighted_cv([], []))
    assert math.isnan(ind.weighted_cv([0.0, 0.0], [1, 2]))  # mean 0
    assert ind.weighted_cv([3.0, 3.0], [10, 90]) == 0.0
    # NaN values are left out: only (2, 1) and (4, 1) → mean 3, S = 1, CV = 1/3.
    assert ind.weighted_cv([2.0, np.nan, 4.0], [1, 5, 1]) == pytest.approx(1 / 3)
    with pytest.raises(ValueError):
        ind.weighted_cv([1.0], [1, 2])


def test_split_reference_example():
    # 九年一贯制, A = 166 小学生, B = 210 初中生, shared teaching area 23226 ㎡ (net):
    # W = 166 + 1.1·210 = 397; 小学部 23226·166/397 = 9711.63, 初中部 23226·231/397 = 13514.37.
    ds = make_dataset(
        [("N", "示例学校", "nine_year", "羊山镇", "rural")],
        [("N", "primary", 166, 4, 10, 8, 2, 1, 1, 1), ("N", "junior", 210, 5, 15, 12, 2, 1, 1, 1)],
        [("N", 24000.0, 774.0, 5000.0, 50.0, 8)],  # 24000 − 774 = 23226
    )
    u = ind.units(ds).set_index("stage")
    assert round(u.loc["primary", "teaching_area"], 1) == 9711.6
    assert round(u.loc["junior", "teaching_area"], 1) == 13514.4
    assert u.loc["primary", "facility_share"] == pytest.approx(166 / 397)
    assert u.loc["primary", "teaching_area"] + u.loc["junior", "teaching_area"] == pytest.approx(23226)


# --- units ----------------------------------------------------------------------------------------


def test_units_of_hand_county():
    u = ind.units(hand_county())
    # 11 学段统计 rows − 2 高中 rows = 9 candidate units; TP40 is excluded.
    assert len(u) == 9
    assert set(u["stage"]) == {"primary", "junior"}
    excluded = u.loc[~u["included"]]
    assert excluded["school_id"].tolist() == ["TP40"]
    assert excluded["excluded_reason"].iloc[0] == "small_teaching_point"
    got = u.set_index(["school_id", "stage"])
    # Shares worked out in the EXPECTED comment.
    assert got.loc[("N1", "primary"), "facility_share"] == pytest.approx(0.725)
    assert got.loc[("N1", "junior"), "facility_share"] == pytest.approx(0.275)
    assert got.loc[("C1", "junior"), "facility_share"] == pytest.approx(0.5)
    assert got.loc[("T1", "junior"), "facility_share"] == pytest.approx(330 / 860)
    assert got.loc[("P1", "primary"), "facility_share"] == 1.0
    # Net teaching area and sports area with indoor rooms, equipment in 元:
    # C1 初中部 0.5·(8000 − 800) = 3600 ㎡; 0.5·(800 + 12000) = 6400 ㎡; 0.5·300·10000 = 1.5e6 元.
    assert got.loc[("C1", "junior"), "teaching_area"] == pytest.approx(3600)
    assert got.loc[("C1", "junior"), "sports_area"] == pytest.approx(6400)
    assert got.loc[("C1", "junior"), "equipment_value"] == pytest.approx(1.5e6)
    assert got.loc[("C1", "junior"), "multimedia_rooms"] == pytest.approx(15)
    # Teachers are the 部's own: T1 初中部 pe 1 + music 1 + art 1 = 3.
    assert got.loc[("T1", "junior"), "pe_art_teachers"] == 3
    assert got.loc[("T1", "junior"), "teachers"] == 25


def test_teaching_point_cut_is_a_setting():
    # With the cut at 40 students, TP40 becomes a unit; at 61, TP60 is excluded too.
    u40 = ind.units(hand_county(), settings=get_settings(teaching_point_min_students=40))
    assert u40["included"].sum() == 9
    u61 = ind.units(hand_county(), settings=get_settings(teaching_point_min_students=61))
    assert sorted(u61.loc[~u61["included"], "school_id"]) == ["TP40", "TP60"]
    assert set(u61.loc[~u61["included"], "excluded_reason"]) == {"small_teaching_point"}


def test_zero_students_and_single_stage_campus():
    # A 九年一贯制 branch with only 小学生 takes the whole of its facilities (share 1); a plain 小学 with
    # 0 students is listed but excluded; a 初中 row of a 小学 does not match its type.
    ds = make_dataset(
        [("B", "分校", "nine_year", "胡集镇", "rural"), ("Z", "空校", "primary", "胡集镇", "rural")],
        [("B", "primary", 100, 4, 8, 6, 1, 1, 0, 0), ("B", "junior", 0, 0, 0, 0, 0, 0, 0, 0),
         ("Z", "primary", 0, 0, 0, 0, 0, 0, 0, 0), ("Z", "junior", 30, 1, 2, 2, 0, 0, 0, 0)],
        [("B", 600.0, 100.0, 800.0, 20.0, 3), ("Z", 100.0, 0.0, 100.0, 1.0, 1)],
    )  # fmt: skip
    u = ind.units(ds).set_index(["school_id", "stage"])
    assert u.loc[("B", "primary"), "facility_share"] == 1.0
    assert u.loc[("B", "primary"), "teaching_area"] == 500.0  # 600 − 100
    assert u.loc[("B", "junior"), "excluded_reason"] == "no_students"
    assert u.loc[("Z", "primary"), "excluded_reason"] == "no_students"
    assert u.loc[("Z", "junior"), "excluded_reason"] == "stage_not_taught"
    r = ind.resource_indicators(ds)
    assert list(zip(r["school_id"], r["stage"], strict=True)) == [("B", "primary")]


# --- indicators, pass rule and balance ------------------------------------------------------------


def test_hand_county_values_and_pass_flags():
    r = ind.resource_indicators(hand_county()).set_index(["school_id", "stage"])
    assert len(r) == len(EXPECTED)
    for unit, (values, n_met, passes) in EXPECTED.items():
        for key, want in zip(KEYS, values, strict=True):
            assert r.loc[unit, key] == pytest.approx(want, rel=1e-12), (unit, key)
        assert r.loc[unit, "indicators_met"] == n_met, unit
        assert bool(r.loc[unit, "passes"]) is passes, unit
    # Misses and their ratios: N1 初中部 sports 9.9/10.2 = 0.97059, equipment 2200/2500 = 0.88.
    assert not r.loc[("N1", "junior"), f"met_{SA}"]
    assert r.loc[("N1", "junior"), f"ratio_{SA}"] == pytest.approx(9.9 / 10.2)
    assert r.loc[("N1", "junior"), f"ratio_{EQ}"] == pytest.approx(0.88)
    assert r.loc[("C1", "junior"), "below_floor"] == 1
    assert r.loc[("T1", "junior"), "below_floor"] == 0


def test_hand_county_balance():
    bal = ind.county_balance(ind.resource_indicators(hand_county())).set_index(["stage", "key"])
    # 小学 units: P1 (400), N1 (290), T1 (200), TP60 (60); ΣP = 950.
    # Teaching area 5, 6, 5, 5 → X̄ = (2000 + 1740 + 1000 + 300)/950 = 5040/950 = 5.30526;
    # a two-point distribution with p = 290/950: S = 1·sqrt(p(1−p)) = sqrt(0.305263·0.694737) = 0.460518,
    # CV = 0.460518/5.30526 = 0.086804.
    assert bal.loc[("primary", TA), "county_mean"] == pytest.approx(5040 / 950)
    assert bal.loc[("primary", TA), "cv"] == pytest.approx(0.086804, abs=1e-6)
    # Qualified teachers 5, 150/29, 5, 5 → X̄ = 100·(20+15+10+3)/950 = 5.05263;
    # S = (5/29)·0.460518 = 0.079400 → CV = 0.015715.
    assert bal.loc[("primary", Q), "county_mean"] == pytest.approx(4800 / 950)
    assert bal.loc[("primary", Q), "cv"] == pytest.approx(0.015715, abs=1e-6)
    # Backbone teachers: X̄ = 100·(5+3+2+0)/950 = 1.052632 (the county aggregate ratio).
    assert bal.loc[("primary", B), "county_mean"] == pytest.approx(1000 / 950)
    # 初中 units: J1 (500), N1 (100), C1 (600), T1 (300); ΣP = 1500. PE/art all 1.0 → CV 0.
    assert bal.loc[("junior", PA), "cv"] == 0.0
    # Equipment 3000, 2200, 2500, 2200 → X̄ = (1.5e6 + 2.2e5 + 1.5e6 + 6.6e5)/1500 = 2586.667;
    # ΣP(X−X̄)² = 500·413.333² + 400·386.667² + 600·86.667² = 85.42e6 + 59.80e6 + 4.507e6 = 149.73e6
    # → S = sqrt(149.73e6/1500) = 315.94 → CV = 315.94/2586.667 = 0.12214.
    assert bal.loc[("junior", EQ), "county_mean"] == pytest.approx(3.88e6 / 1500)
    assert bal.loc[("junior", EQ), "cv"] == pytest.approx(0.12214, abs=1e-5)
    # Every other CV against the reference formula on the hand values of EXPECTED.
    for stage, n_units in (("primary", 4), ("junior", 4)):
        for i, key in enumerate(KEYS):
            pairs = [(vals[i], _students(sid, st)) for (sid, st), (vals, _, _) in EXPECTED.items() if st == stage]
            assert len(pairs) == n_units
            assert bal.loc[(stage, key), "cv"] == pytest.approx(hand_cv(pairs), rel=1e-9, abs=1e-12)
            assert bal.loc[(stage, key), "units"] == n_units
    assert bal.loc[("primary", Q), "cv_limit"] == 0.5
    assert bal.loc[("junior", Q), "cv_limit"] == 0.45
    assert bal["within_limit"].all()


def _students(school_id: str, stage: str) -> int:
    return {("P1", "primary"): 400, ("J1", "junior"): 500, ("C1", "junior"): 600, ("N1", "primary"): 290,
            ("N1", "junior"): 100, ("T1", "primary"): 200, ("T1", "junior"): 300, ("TP60", "primary"): 60}[
        (school_id, stage)
    ]  # fmt: skip


def test_cv_limit_comparison_rounded_or_not():
    # Two 小学 of 100 students with qualified 1 and x teachers per 100 … build a CV just above 0.5:
    # values a and b with equal weights: CV = |a − b|/(a + b). a = 1, b = 3.0008 → CV = 2.0008/4.0008 = 0.50010
    # (rounds to 0.500 → within when compared rounded, over when compared unrounded).
    ds = make_dataset(
        [("A", "甲", "primary", "金乡街道", "urban"), ("B", "乙", "primary", "金乡街道", "urban")],
        [("A", "primary", 10000, 1, 200, 100, 100, 90, 0, 0), ("B", "primary", 10000, 1, 400, 300.08, 100, 90, 0, 0)],
        [("A", 45000.0, 0.0, 75000.0, 2000.0, 230), ("B", 45000.0, 0.0, 75000.0, 2000.0, 230)],
    )  # fmt: skip
    r = ind.resource_indicators(ds)
    bal = ind.county_balance(r).set_index("key")
    assert bal.loc[Q, "cv"] == pytest.approx(2.0008 / 4.0008)
    assert not bal.loc[Q, "within_limit"]
    bal_r = ind.county_balance(r, settings=get_settings(cv_compare_rounded=True)).set_index("key")
    assert bal_r.loc[Q, "within_limit"]


# --- pass rule edge cases -------------------------------------------------------------------------


def _one_primary(**overrides) -> Dataset:
    """One 小学 of 1000 students with every value exactly at its standard unless overridden:
    100·42/1000 = 4.2; 100·10/1000 = 1.0; 100·9/1000 = 0.9; 4500/1000 = 4.5; 7500/1000 = 7.5;
    200·10000/1000 = 2000; 100·23/1000 = 2.3."""
    st = dict(qualified=42, backbone=10, pe=5, music=2, art=2)
    fac = dict(teaching_area=4500.0, sports=7500.0, equipment=200.0, rooms=23)
    st.update({k: v for k, v in overrides.items() if k in st})
    fac.update({k: v for k, v in overrides.items() if k in fac})
    return make_dataset(
        [("S", "边界小学", "primary", "金乡街道", "urban")],
        [("S", "primary", 1000, 25, 60, st["qualified"], st["backbone"], st["pe"], st["music"], st["art"])],
        [("S", fac["teaching_area"], 0.0, fac["sports"], fac["equipment"], fac["rooms"])],
    )


def test_exactly_at_threshold_is_met():
    r = ind.resource_indicators(_one_primary()).iloc[0]
    for key in KEYS:
        assert r[f"met_{key}"], key
        assert r[f"ratio_{key}"] == pytest.approx(1.0)
    assert r["indicators_met"] == 7 and r["passes"]


def test_split_value_exactly_at_threshold_is_met_despite_float_noise():
    # 九年一贯制 A = 50, B = 64: W = 50 + 1.1·64 = 120.4; equipment 24.08 万元 = 240800 元;
    # 小学部 share 50/120.4 → 240800·(50/120.4)/50 = 240800/120.4 = 2000 元 exactly, which binary floats
    # compute as 1999.9999999999998: the REL_TOL comparison must still count it as met.
    ds = make_dataset(
        [("N", "边界学校", "nine_year", "鸡黍镇", "rural")],
        [("N", "primary", 50, 2, 6, 5, 1, 1, 0, 0), ("N", "junior", 64, 2, 6, 5, 1, 1, 0, 0)],
        [("N", 1000.0, 0.0, 2000.0, 24.08, 4)],
    )
    r = ind.resource_indicators(ds).set_index("stage")
    assert r.loc["primary", EQ] == pytest.approx(2000.0, rel=1e-12)
    assert r.loc["primary", f"met_{EQ}"]


def test_six_met_and_seventh_at_85_percent_passes():
    # Equipment 170 万元 / 1000 = 1700 元 = 0.85 × 2000 exactly → miss, but at the floor → passes.
    r = ind.resource_indicators(_one_primary(equipment=170.0)).iloc[0]
    assert not r[f"met_{EQ}"] and r["indicators_met"] == 6 and r["passes"]
    # Teaching area 3825/1000 = 3.825 = 0.85 × 4.5; in binary 0.85 × 4.5 = 3.8249999999999997 — the
    # comparison allows REL_TOL, so the value counts as exactly at the floor either way.
    r = ind.resource_indicators(_one_primary(teaching_area=3825.0)).iloc[0]
    assert r["indicators_met"] == 6 and r["passes"]
    # Qualified teachers 357 per 10000 = 3.57 = 0.85 × 4.2: ten times the school (all counts × 10).
    ds = _one_primary()
    ds.stage_stats.loc[:, ["students", "qualified_teachers", "backbone_teachers", "pe_teachers", "music_teachers",
                           "art_teachers"]] = [10000, 357, 100, 50, 20, 20]  # fmt: skip
    ds.facilities.loc[:, ["teaching_area", "sports_ground_area", "equipment_value_wan", "multimedia_rooms"]] = [
        45000.0, 75000.0, 2000.0, 230]  # fmt: skip
    r = ind.resource_indicators(ds).iloc[0]
    assert r[Q] == 3.57 and r["indicators_met"] == 6 and r["passes"]


def test_six_met_and_seventh_at_84_9_percent_fails():
    # 169.8 万元 / 1000 = 1698 元 = 0.849 × 2000 → under the floor → fails although 6 are met.
    r = ind.resource_indicators(_one_primary(equipment=169.8)).iloc[0]
    assert r["indicators_met"] == 6 and r["below_floor"] == 1 and not r["passes"]
    # 3820.5 ㎡ / 1000 = 3.8205 = 0.849 × 4.5 → fails.
    r = ind.resource_indicators(_one_primary(teaching_area=3820.5)).iloc[0]
    assert not r["passes"]


def test_five_met_fails_even_when_both_misses_are_above_the_floor():
    # Equipment 1900 (95 %) and rooms 100·22/1000 = 2.2 (95.7 %) → 5 met → fails.
    r = ind.resource_indicators(_one_primary(equipment=190.0, rooms=22)).iloc[0]
    assert r["indicators_met"] == 5 and r["below_floor"] == 0 and not r["passes"]


def test_missing_facilities_count_as_not_met():
    ds = _one_primary()
    ds.facilities = ds.facilities.iloc[0:0]
    r = ind.resource_indicators(ds).iloc[0]
    assert r["indicators_met"] == 3 and not r["passes"]  # only the three teacher indicators
    assert math.isnan(r[TA])


# --- summary, JSON, aggregation, display ----------------------------------------------------------


def test_summary_shape_and_values():
    s = ind.summary(hand_county())
    json.dumps(s)  # plain types only
    assert set(s) == {"year", "stages", "schools"}
    assert s["year"] == 2024
    assert set(s["stages"]) == {"primary", "junior"}
    p, j = s["stages"]["primary"], s["stages"]["junior"]
    assert set(p) == {"units", "passing_units", "cv", "county_mean", "cv_limit"}
    # 小学: P1, N1, T1 pass, TP60 fails; 初中: only J1 passes (see EXPECTED).
    assert (p["units"], p["passing_units"], p["cv_limit"]) == (4, 3, 0.5)
    assert (j["units"], j["passing_units"], j["cv_limit"]) == (4, 1, 0.45)
    assert list(p["cv"]) == list(KEYS) and list(j["county_mean"]) == list(KEYS)
    assert p["cv"][TA] == pytest.approx(0.086804, abs=1e-6)
    assert j["county_mean"][EQ] == pytest.approx(3.88e6 / 1500)
    assert len(s["schools"]) == 8
    first = s["schools"][0]
    assert set(first) == {"school_id", "stage", "values", "indicators_met", "passes"}
    assert isinstance(first["passes"], bool) and isinstance(first["indicators_met"], int)
    c1 = next(x for x in s["schools"] if x["school_id"] == "C1")
    assert c1["values"][B] == pytest.approx(4 / 6) and c1["passes"] is False


def test_summary_nan_becomes_null():
    ds = _one_primary()
    ds.facilities = ds.facilities.iloc[0:0]
    s = ind.summary(ds)
    text = json.dumps(s, allow_nan=False)  # would raise on NaN
    assert s["schools"][0]["values"][TA] is None
    assert s["stages"]["junior"]["units"] == 0 and s["stages"]["junior"]["cv"][Q] is None
    assert '"junior"' in text


def test_by_township():
    t = ind.by_township(ind.resource_indicators(hand_county())).set_index(["township", "stage"])
    # 金乡街道: P1 passes (小学 1/1); J1 passes, C1 fails (初中 1/2).
    # 羊山镇: N1, T1 小学 pass, TP60 fails (2/3); N1, T1 初中 fail (0/2).
    assert t.loc[("金乡街道", "primary"), ["units", "passing"]].tolist() == [1, 1]
    assert t.loc[("金乡街道", "junior"), "passing_share"] == 0.5
    assert t.loc[("羊山镇", "primary"), ["units", "passing", "failing"]].tolist() == [3, 2, 1]
    assert t.loc[("全县", "junior"), ["units", "passing"]].tolist() == [4, 1]
    assert list(t.index.get_level_values(0).unique()) == ["金乡街道", "羊山镇", "全县"]


def test_failing_units():
    f = ind.failing_units(ind.resource_indicators(hand_county()))
    assert sorted(zip(f["school_id"], f["stage"], strict=True)) == [
        ("C1", "junior"), ("N1", "junior"), ("T1", "junior"), ("TP60", "primary")]  # fmt: skip
    c1 = f.set_index("school_id").loc["C1"]
    assert not c1[f"met_{B}"] and c1[f"met_{Q}"]


def test_all_years():
    ds = hand_county()
    later = ds.stage_stats.assign(year=2025)
    ds.stage_stats = pd.concat([ds.stage_stats, later], ignore_index=True)
    ds.facilities = pd.concat([ds.facilities, ds.facilities.assign(year=2025)], ignore_index=True)
    r = ind.resource_indicators(ds, year="all")
    assert sorted(r["year"].unique()) == [2024, 2025] and len(r) == 16
    bal = ind.county_balance(r)
    assert len(bal) == 2 * 2 * 7
    assert ind.summary(ds)["year"] == 2025


# --- command line ---------------------------------------------------------------------------------


def write_csv_folder(ds: Dataset, folder: Path) -> Path:
    """Write a hand-built Dataset as the bureau's CSV folder (Chinese headers and values)."""
    from jxedu.core import schema

    codes = {}
    for vocab in (schema.SCHOOL_TYPES, schema.STAGES, schema.URBAN_RURAL):
        codes.update({code: zh for zh, code in vocab.items()})
    folder.mkdir(parents=True, exist_ok=True)
    sch = ds.schools.assign(lon=116.30, lat=35.07)
    for table, df in ((schema.SCHOOLS, sch), (schema.STAGE_STATS, ds.stage_stats), (schema.FACILITIES, ds.facilities)):
        out = pd.DataFrame({c.zh: df[c.key] for c in table.columns if c.key in df.columns})
        for c in table.columns:
            if c.kind == "cat" and c.key in df.columns:
                out[c.zh] = df[c.key].map(codes)
        out.to_csv(folder / f"{table.zh}.csv", index=False, encoding="utf-8")
    return folder


def test_cli_json(tmp_path):
    from typer.testing import CliRunner

    from jxedu.cli.app import app

    folder = write_csv_folder(hand_county(), tmp_path / "county")
    result = CliRunner().invoke(app, ["indicators", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # exactly one JSON object on stdout
    assert data["year"] == 2024
    assert (data["stages"]["primary"]["units"], data["stages"]["primary"]["passing_units"]) == (4, 3)
    assert (data["stages"]["junior"]["units"], data["stages"]["junior"]["passing_units"]) == (4, 1)
    assert data["stages"]["primary"]["cv"][TA] == pytest.approx(0.086804, abs=1e-6)
    assert len(data["schools"]) == 8


def test_cli_readable_summary(tmp_path):
    from typer.testing import CliRunner

    from jxedu.cli.app import app

    folder = write_csv_folder(hand_county(), tmp_path / "county")
    result = CliRunner().invoke(app, ["indicators", str(folder), "--year", "2024"])
    assert result.exit_code == 0, result.output
    assert "资源配置指标与差异系数 — 2024学年" in result.stdout
    assert "金乡一中" in result.stdout and "未达标学校（学段）：4 个" in result.stdout
    bad = CliRunner().invoke(app, ["indicators", str(folder), "--year", "2019"])
    assert bad.exit_code == 2 and "unknown_year" in bad.output


def test_township_sort_key():
    # 街道 first, then 镇, each by name; 全县 last.
    names = ["羊山镇", "全县", "金乡街道", "胡集镇", "高河街道"]
    # Within a group by code point: 金 U+91D1 < 高 U+9AD8; 羊 U+7F8A < 胡 U+80E1.
    assert sorted(names, key=ind.township_sort_key) == ["金乡街道", "高河街道", "羊山镇", "胡集镇", "全县"]


def test_unit_teachers_split_setting():
    s = get_settings(unit_teachers="split")
    u = ind.resource_indicators(hand_county(), settings=s).set_index(["school_id", "stage"])
    # N1: qualified 15 + 6 = 21 pooled; 小学部 share 0.725 → 15.225 → 100·15.225/290 = 5.25;
    #     初中部 share 0.275 → 5.775 → 100·5.775/100 = 5.775
    assert u.loc[("N1", "primary"), Q] == pytest.approx(5.25)
    assert u.loc[("N1", "junior"), Q] == pytest.approx(5.775)
    # C1 初中部 (share 0.5 of 初中 + 高中): backbone (4 + 4)·0.5 = 4 → 100·4/600 (unchanged here),
    #     qualified (36 + 40)·0.5 = 38 → 100·38/600 = 6.333
    assert u.loc[("C1", "junior"), Q] == pytest.approx(100 * 38 / 600)
    # a single-stage school keeps its own teachers: P1 100·20/400 = 5
    assert u.loc[("P1", "primary"), Q] == pytest.approx(5.0)
    # the default reads each 部's own teachers (N1 小学部 100·15/290)
    d = ind.resource_indicators(hand_county()).set_index(["school_id", "stage"])
    assert d.loc[("N1", "primary"), Q] == pytest.approx(1500 / 290)


def test_gross_teaching_area_setting():
    s = get_settings(teaching_area_net_of_indoor_sports=False)
    u = ind.resource_indicators(hand_county(), settings=s).set_index(["school_id", "stage"])
    # P1: 2200/400 = 5.5 gross (5.0 net of the 200 ㎡ indoor sports room); N1 小学部 0.725·2600/290 = 6.5
    assert u.loc[("P1", "primary"), TA] == pytest.approx(5.5)
    assert u.loc[("N1", "primary"), TA] == pytest.approx(6.5)
    # the sports area is the same either way: (200 + 3000)/400 = 8
    assert u.loc[("P1", "primary"), SA] == pytest.approx(8.0)
