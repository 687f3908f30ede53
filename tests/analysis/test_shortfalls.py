"""Tests of jxedu.analysis.shortfalls: amounts, minimum pass plans, totals and CV fixes, worked by hand.

The hand county and its unit values are those of ``tests/test_indicators.py`` (see ``EXPECTED`` there).
"""

from __future__ import annotations

import pytest

from jxedu.analysis import indicators as ind
from jxedu.analysis import shortfalls as sfm
from tests.analysis.test_indicators import hand_county, make_dataset

Q, B, PA, TA, SA, EQ, MM = ind.KEYS


@pytest.fixture(scope="module")
def sf():
    return sfm.shortfalls(hand_county()).set_index(["school_id", "stage", "key"])


def test_shortfall_rows_and_amounts(sf):
    # Every miss of the hand county (9 rows), with amounts ceil(T·P/per − H):
    expected = {
        # P1 rooms: 2.3·400/100 = 9.2 needed, 9 there → 0.2 → 1 room (P1 passes: not in a plan).
        ("P1", "primary", MM): (1, 1, False),
        # J1 qualified: 5.3·500/100 = 26.5 − 25 = 1.5 → 2 teachers (J1 passes).
        ("J1", "junior", Q): (2, 2, False),
        # C1 backbone: 1.0·600/100 = 6 − 4 = 2 (66.7 %, under the floor → in the plan).
        ("C1", "junior", B): (2, 2, True),
        # N1 初中部 sports: 10.2·100 = 1020 ㎡; share 0.275·3600 = 990 → 30 ㎡ for the 部;
        #   the school must add 1020/0.275 − 3600 = 3709.09 − 3600 = 109.09 → 110 ㎡.
        ("N1", "junior", SA): (30, 110, True),
        # N1 初中部 equipment: 2500·100 = 250000 − 0.275·800000 = 220000 → 30000 元;
        #   school 250000/0.275 − 800000 = 109090.9 → 109091 元. Not needed to pass.
        ("N1", "junior", EQ): (30000, 109091, False),
        # T1 初中部 (share 330/860): teaching 5.8·300 = 1740 − 4300·330/860 = 1650 → 90 ㎡;
        #   school 1740·860/330 − 4300 = 4534.55 − 4300 = 234.55 → 235 ㎡.
        ("T1", "junior", TA): (90, 235, True),
        #   sports 10.2·300 = 3060 − 7740·330/860 = 2970 → 90; school 3060·860/330 − 7740 = 234.55 → 235.
        ("T1", "junior", SA): (90, 235, True),
        #   equipment 2500·300 = 750000 − 1.72e6·330/860 = 660000 → 90000 元;
        #   school 750000·860/330 − 1.72e6 = 234545.45 → 234546 元.
        ("T1", "junior", EQ): (90000, 234546, False),
        # TP60 backbone: 1.0·60/100 = 0.6 − 0 → 1 teacher.
        ("TP60", "primary", B): (1, 1, True),
    }
    assert set(sf.index) == set(expected)
    for idx, (amount, school_amount, in_plan) in expected.items():
        row = sf.loc[idx]
        assert row["amount"] == amount, idx
        assert row["school_amount"] == school_amount, idx
        assert bool(row["in_pass_plan"]) is in_plan, idx


def test_have_and_need(sf):
    row = sf.loc[("N1", "junior", SA)]
    assert row["have"] == pytest.approx(990.0) and row["need"] == pytest.approx(1020.0)
    assert row["unit"] == "㎡" and bool(row["shared"])
    # C1 backbone 66.7 % of the standard: under the 85 % floor; T1 teaching 94.8 %: not.
    assert bool(sf.loc[("C1", "junior", B), "under_floor"]) and not bool(sf.loc[("T1", "junior", TA), "under_floor"])


def test_pass_plan_order(sf):
    # T1 初中部 meets 4; misses teaching 5.5/5.8 = 94.8 %, sports 9.9/10.2 = 97.1 %, equipment 88 %,
    # none under 85 % → needs 6 − 4 = 2 more, closest first: sports (1), teaching (2); equipment not.
    assert sf.loc[("T1", "junior", SA), "plan_order"] == 1
    assert sf.loc[("T1", "junior", TA), "plan_order"] == 2
    assert sf.loc[("T1", "junior", EQ), "plan_order"] == 0
    # N1 初中部 meets 5 → one more: sports (97.1 %) before equipment (88 %).
    assert sf.loc[("N1", "junior", SA), "plan_order"] == 1


def test_pass_plan_makes_units_pass():
    # Applying exactly the plan's amounts to the data must make every failing unit pass.
    ds = hand_county()
    plan = sfm.shortfalls(ds)
    plan = plan.loc[plan["in_pass_plan"]]
    col = {Q: "qualified_teachers", B: "backbone_teachers", PA: "pe_teachers"}
    fac = {TA: "teaching_area", SA: "sports_ground_area", EQ: "equipment_value_wan", MM: "multimedia_rooms"}
    for r in plan.itertuples():
        if r.key in col:
            m = (ds.stage_stats["school_id"] == r.school_id) & (ds.stage_stats["stage"] == r.stage)
            ds.stage_stats.loc[m, col[r.key]] += r.school_amount
            if r.key != PA:
                ds.stage_stats.loc[m, "teachers"] += r.school_amount
        else:
            m = ds.facilities["school_id"] == r.school_id
            add = r.school_amount / 10000 if r.key == EQ else r.school_amount
            ds.facilities.loc[m, fac[r.key]] += add
    after = ind.resource_indicators(ds)
    assert after["passes"].all()


def test_only_failing(sf):
    f = sfm.shortfalls(hand_county(), only_failing=True)
    assert set(f["school_id"]) == {"C1", "N1", "T1", "TP60"}
    assert len(f) == 7


def test_totals_pass_and_all():
    s = sfm.shortfalls(hand_county())
    t = sfm.totals(s, scope="pass").set_index("township")
    # Plans: 金乡街道 C1 初中部 backbone 2. 羊山镇: N1 sports 110 ㎡ (school), T1 sports 235 ㎡ and teaching
    # 235 ㎡ (school), TP60 backbone 1. County: backbone 3, sports 345, teaching 235.
    assert t.loc["金乡街道", ["units_to_fix", "backbone_teachers", "sports_area"]].tolist() == [1, 2, 0]
    assert t.loc["羊山镇", ["units_to_fix", "backbone_teachers", "sports_area", "teaching_area"]].tolist() == [
        3, 1, 345, 235]  # fmt: skip
    assert t.loc["全县", ["units_to_fix", "backbone_teachers", "sports_area", "teaching_area", "equipment_value"]
                 ].tolist() == [4, 3, 345, 235, 0]  # fmt: skip
    a = sfm.totals(s, scope="all").set_index("township")
    # All misses: 金乡街道 P1 1 room, J1 2 qualified, C1 2 backbone (3 units);
    # 羊山镇 equipment N1 109091 + T1 234546 = 343637 元.
    assert a.loc["金乡街道", ["units_to_fix", "qualified_teachers", "backbone_teachers", "multimedia_rooms"]
                 ].tolist() == [3, 2, 2, 1]  # fmt: skip
    assert a.loc["羊山镇", "equipment_value"] == 343637
    assert a.loc["全县", "units_to_fix"] == 6


def test_totals_take_the_largest_school_amount_over_its_parts():
    # 九年一贯制 A = B = 100: W = 100 + 110 = 210; sports 1500 ㎡.
    # 小学部 1500/210 = 7.143 < 7.5: school needs 7.5·100·210/100 − 1500 = 1575 − 1500 = 75 ㎡.
    # 初中部 1.1·1500/210 = 7.857 < 10.2: school needs 10.2·100·210/110 − 1500 = 1947.27 − 1500 → 448 ㎡.
    # Building 448 ㎡ covers both 部, so the total is 448, not 75 + 448.
    ds = make_dataset(
        [("N", "两部学校", "nine_year", "化雨镇", "rural")],
        [("N", "primary", 100, 4, 10, 8, 2, 1, 1, 1), ("N", "junior", 100, 3, 10, 8, 2, 1, 1, 1)],
        [("N", 1500.0, 0.0, 1500.0, 30.0, 5)],
    )
    s = sfm.shortfalls(ds).set_index(["stage", "key"])
    assert s.loc[("primary", SA), "school_amount"] == 75
    assert s.loc[("junior", SA), "school_amount"] == 448
    # Unit amounts: 750 − 714.29 = 35.7 → 36; 1020 − 785.71 = 234.3 → 235.
    assert s.loc[("primary", SA), "amount"] == 36 and s.loc[("junior", SA), "amount"] == 235
    t = sfm.totals(sfm.shortfalls(ds), scope="all").set_index("township")
    assert t.loc["化雨镇", "sports_area"] == 448


def _cv_county(qualified: list[int]):
    """Four 小学 of 100 students each, equal in everything but the qualified teachers."""
    names = "ABCD"
    return make_dataset(
        [(n, f"{n}小学", "primary", "兴隆镇", "rural") for n in names],
        [(n, "primary", 100, 3, 8, q, 1, 1, 0, 0) for n, q in zip(names, qualified, strict=True)],
        [(n, 500.0, 0.0, 800.0, 20.0, 3) for n in names],
    )


def test_cv_fixes_hand_case():
    # Qualified per 100: A 1, B 0, C 6, D 6 → X̄ = 3.25; Σ(X−X̄)² = 5.0625 + 10.5625 + 2·7.5625 = 30.75
    # → S = sqrt(30.75/4) = 2.7726 → CV = 0.8531 > 0.50.
    ds = _cv_county([1, 0, 6, 6])
    bal = ind.county_balance(ind.resource_indicators(ds)).set_index("key")
    assert bal.loc[Q, "cv"] == pytest.approx(0.85312, abs=1e-5)
    fx = sfm.cv_fixes(ds, only_sufficient=False)
    assert set(fx["key"]) == {Q}  # every other indicator is equal everywhere: CV 0
    got = {(r.school_id, r.target): (r.amount, round(r.new_cv, 4), r.sufficient) for r in fx.itertuples()}
    # To the standard 4.2: A needs ceil(3.2) = 4 → 5; values 5,0,6,6: X̄ 4.25, Σ dev² = 24.75 → CV 0.5853 ✗.
    #                      B needs ceil(4.2) = 5 → 5; values 1,5,6,6: X̄ 4.5, Σ dev² = 17 → CV 0.4581 ✓.
    # To the mean 3.25:    A needs ceil(2.25) = 3 → 4; values 4,0,6,6: X̄ 4, Σ dev² = 24 → CV 0.6124 ✗.
    #                      B needs ceil(3.25) = 4 → 4; values 1,4,6,6: X̄ 4.25, Σ dev² = 16.75 → CV 0.4815 ✓.
    assert got == {
        ("A", "threshold"): (4, 0.5853, False),
        ("B", "threshold"): (5, 0.4581, True),
        ("A", "county_mean"): (3, 0.6124, False),
        ("B", "county_mean"): (4, 0.4815, True),
    }
    ok = sfm.cv_fixes(ds)
    # Only the sufficient ones, cheapest first: B to the mean (4 teachers), then B to the standard (5).
    assert list(zip(ok["school_id"], ok["target"], ok["amount"], strict=True)) == [
        ("B", "county_mean", 4), ("B", "threshold", 5)]  # fmt: skip
    assert (ok["status"] == "over").all() and (ok["goal_cv"] == 0.5).all()


def test_cv_fixes_when_no_single_change_is_enough():
    # A 0, B 0, C 6, D 6 → X̄ 3, CV = 3/3 = 1.0. Raising A (or B) to 4.2 needs 5 teachers → 5,0,6,6:
    # CV 0.5853 (as above) — the best single change, still over 0.50; to the mean 3: 3,0,6,6 →
    # X̄ 3.75, Σ dev² = 14.0625 + 0.5625 + 2·5.0625 = 24.75 → S 2.4875 → CV 0.6633.
    fx = sfm.cv_fixes(_cv_county([0, 0, 6, 6]))
    assert len(fx) == 1
    row = fx.iloc[0]
    assert not row["sufficient"] and row["new_cv"] == pytest.approx(0.58529, abs=1e-5)
    assert row["target"] == "threshold"


def test_cv_fixes_near_the_limit():
    # A 2, B 6 teachers per 100 with 100 students each: X̄ 4, S 2, CV 0.5 … make it 0.47 (within 10 % of
    # 0.50): A 2.12, B 5.88 → CV = 3.76/8 = 0.47 (two equal weights: |a−b|/(a+b)). Goal 0.9·0.5 = 0.45.
    # A to 4.2 → 4.2 − 2.12 = 2.08 → 3 teachers → 5.12; CV = 0.76/11 = 0.0691 ✓.
    ds = make_dataset(
        [("A", "甲", "primary", "金乡街道", "urban"), ("B", "乙", "primary", "金乡街道", "urban")],
        [("A", "primary", 100, 3, 8, 2.12, 1, 1, 0, 0), ("B", "primary", 100, 3, 8, 5.88, 1, 1, 0, 0)],
        [("A", 500.0, 0.0, 800.0, 20.0, 3), ("B", 500.0, 0.0, 800.0, 20.0, 3)],
    )  # fmt: skip
    fx = sfm.cv_fixes(ds).set_index("target")
    assert fx.loc["threshold", "status"] == "near"
    assert fx.loc["threshold", "goal_cv"] == pytest.approx(0.45)
    assert fx.loc["threshold", "amount"] == 3
    assert fx.loc["threshold", "new_cv"] == pytest.approx(0.76 / 11)
    assert sfm.cv_fixes(ds, watch_margin=0.0).empty


def test_cv_fixes_split_school_adds_more_than_its_part():
    # 初中 units: 羊山学校 N (九年一贯制, A = 290, B = 100 → W = 290 + 1.1·100 = 400, 初中部 share 0.275) and
    # J (初中, 100). Everything equal per student except multimedia rooms: N 0 rooms, J 4 rooms
    # → 初中 values 0 and 4 per 100, equal weights: CV = |a − b|/(a + b) = 1.0 > 0.45.
    # N 初中部 to the mean 2: 2 rooms → values 2, 4: CV 2/6 = 0.3333 ✓; the school builds
    #   ceil(2/0.275) = ceil(7.27) = 8 rooms so that its 初中部 gets 2.
    # N 初中部 to the standard 2.4: ceil(2.4) = 3 rooms → values 3, 4: CV 1/7 = 0.1429 ✓; school ceil(3/0.275)
    #   = ceil(10.91) = 11 rooms.
    # Other items equal: N totals 4000 ㎡, 4000 ㎡, 400 万元 → 初中部 0.275·… = 1100, 1100, 1.1e6 = J's.
    ds = make_dataset(
        [("N", "羊山学校", "nine_year", "羊山镇", "rural"), ("J", "城关初中", "junior", "金乡街道", "urban")],
        [("N", "primary", 290, 7, 20, 15, 3, 1, 1, 1), ("N", "junior", 100, 2, 10, 6, 1, 1, 0, 0),
         ("J", "junior", 100, 2, 10, 6, 1, 1, 0, 0)],
        [("N", 4000.0, 0.0, 4000.0, 400.0, 0), ("J", 1100.0, 0.0, 1100.0, 110.0, 4)],
    )  # fmt: skip
    fx = sfm.cv_fixes(ds)
    fx = fx.loc[fx["stage"] == "junior"].set_index("target")
    assert fx.loc["county_mean", "amount"] == 2 and fx.loc["county_mean", "school_amount"] == 8
    assert fx.loc["county_mean", "new_cv"] == pytest.approx(1 / 3)
    assert fx.loc["threshold", "amount"] == 3 and fx.loc["threshold", "school_amount"] == 11
    assert fx.loc["threshold", "new_cv"] == pytest.approx(1 / 7)
    # A plain school's fix is the same at both levels (test_cv_fixes_hand_case: no split text).
