"""Tests of jxedu.analysis.projection on a tiny cohort table computed by hand.

The chart, tables and sentences of jxedu.present.classes are tested in tests/present/test_classes.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jxedu.analysis import projection
from jxedu.core.dataset import Dataset
from jxedu.core.errors import DataError, MissingTableError, SettingsError


def _classes_rows():
    """Enrolment by class. 甲街道 has S1 (城区) and S2 (乡村), grades 1–3 of 小学.

    2023: S1 g1 40, g2 40, g3 40 (one class each); S2 g1 10, g2 10, g3 10.
    2024: S1 g1 50 (two classes of 25), g2 44, g3 40; S2 g1 10, g2 11, g3 10.
    """
    rows = []
    for sid, sizes in (("S1", {1: [40], 2: [40], 3: [40]}), ("S2", {1: [10], 2: [10], 3: [10]})):
        for g, cl in sizes.items():
            rows += [(2023, sid, "primary", g, f"{g}年级{i}班", n) for i, n in enumerate(cl)]
    for sid, sizes in (("S1", {1: [25, 25], 2: [44], 3: [40]}), ("S2", {1: [10], 2: [11], 3: [10]})):
        for g, cl in sizes.items():
            rows += [(2024, sid, "primary", g, f"{g}年级{i}班", n) for i, n in enumerate(cl)]
    return pd.DataFrame(rows, columns=["year", "school_id", "stage", "grade", "class_name", "students"])


def _dataset(with_villages: bool = True) -> Dataset:
    schools = pd.DataFrame({
        "school_id": ["S1", "S2"], "name": ["城区小学", "村小"], "school_type": ["primary", "primary"],
        "township": ["甲街道", "甲街道"], "urban_rural": ["urban", "rural"],
    })
    villages = None
    if with_villages:
        # Two villages of 甲街道; ages summed: age 4 → 120, age 5 → 80, age 6 → 100, age 7 → 100.
        ages = {f"age_{a}": [0, 0] for a in range(15)}
        ages["age_4"] = [100, 20]
        ages["age_5"] = [50, 30]
        ages["age_6"] = [60, 40]
        ages["age_7"] = [70, 30]
        villages = pd.DataFrame({"village_id": ["V1", "V2"], "name": ["一村", "二村"],
                                 "township": ["甲街道", "甲街道"], **ages})
    stats = pd.DataFrame({"year": [2023, 2024], "school_id": ["S1", "S1"], "stage": ["primary"] * 2,
                          "students": [1, 1]})
    return Dataset(source=Path("hand"), schools=schools, stage_stats=stats,
                   facilities=pd.DataFrame({"year": [], "school_id": []}), classes=_classes_rows(),
                   villages=villages)


NO_SHIFT = {"entry_factor": 1.0, "urban_shift": 0.0}


def test_rates_by_hand():
    r = projection.estimate_rates(_dataset(), to_year=2026)
    # 甲街道 totals: 2023 g1 50, g2 50, g3 50; 2024 g1 60, g2 55, g3 50.
    # p2 = 55 / 50 = 1.1; p3 = 50 / 50 = 1.0; p4 = 0 / 50 = 0; p5 … p9: nobody in the grade below → 1.
    assert r.progression[0, 1:4] == pytest.approx([1.1, 1.0, 0.0])
    assert r.progression[0, 4:] == pytest.approx([1.0] * 5)
    # Entry: (E1 2024 + E1 2023) / (pop age 6 + pop age 7) = (60 + 50) / (100 + 100) = 0.55
    # (2022 is not in the data, so j = 2 is skipped).
    assert r.entry_rate[0] == pytest.approx(0.55)
    # Intake 2025 = 0.55 × pop age 5 (80) = 44; 2026 = 0.55 × pop age 4 (120) = 66.
    assert r.intake[0] == pytest.approx([44.0, 66.0])
    # The rates as a frame: one row per 镇街, grade columns named by grade.
    t = r.table().iloc[0]
    assert t["township"] == "甲街道" and t["entry_rate"] == pytest.approx(0.55)
    assert t["progression_2"] == pytest.approx(1.1) and t["progression_4"] == pytest.approx(0.0)
    assert list(r.table().columns) == ["township", "entry_rate", *[f"progression_{g}" for g in range(2, 10)]]


def test_projection_by_hand_without_migration():
    p = projection.project_enrolment(_dataset(), to_year=2026, variant=NO_SHIFT)
    got = p.set_index(["year", "school_id", "grade"])["students"]
    # Township: 2025 g1 44, g2 1.1 × 60 = 66, g3 1.0 × 55 = 55;
    #           2026 g1 66, g2 1.1 × 44 = 48.4, g3 1.0 × 66 = 66.
    # Shares (2024): g1 S1 50/60, S2 10/60; g2 S1 44/55 = 0.8, S2 0.2; g3 S1 40/50 = 0.8, S2 0.2.
    expected = {
        (2025, "S1", 1): 44 * 50 / 60, (2025, "S1", 2): 52.8, (2025, "S1", 3): 44.0,
        (2025, "S2", 1): 44 * 10 / 60, (2025, "S2", 2): 13.2, (2025, "S2", 3): 11.0,
        (2026, "S1", 1): 55.0, (2026, "S1", 2): 38.72, (2026, "S1", 3): 52.8,
        (2026, "S2", 1): 11.0, (2026, "S2", 2): 9.68, (2026, "S2", 3): 13.2,
    }
    for key, value in expected.items():
        assert got[key] == pytest.approx(value), key
    # The base year is the actual enrolment, not projected.
    assert got[(2024, "S1", 2)] == 44 and not p.loc[p["year"] == 2024, "projected"].any()
    # Grade 4 appears nowhere (no school taught it in 2024; p4 = 0 anyway).
    assert set(p["grade"]) == {1, 2, 3}
    assert set(p["stage"]) == {"primary"}
    assert p.attrs["unallocated"][2026] == pytest.approx(0.0)


def test_projection_with_migration_to_county_seat():
    p = projection.project_enrolment(_dataset(), to_year=2026, variant={"entry_factor": 1.0, "urban_shift": 0.1})
    got = p.set_index(["year", "school_id", "grade"])["students"]
    # 2025: share moved f = 1 − 0.9 = 0.1 of S2 (乡村) to S1 (the only 城区 school).
    # g1: S2 7.3333 × 0.9 = 6.6; S1 36.6667 + 0.7333 = 37.4. g2: S2 11.88; S1 52.8 + 1.32 = 54.12.
    assert got[(2025, "S2", 1)] == pytest.approx(6.6)
    assert got[(2025, "S1", 1)] == pytest.approx(37.4)
    assert got[(2025, "S1", 2)] == pytest.approx(54.12)
    # 2026: f = 1 − 0.9² = 0.19. g1: S2 11 × 0.81 = 8.91; S1 55 + 2.09 = 57.09.
    assert got[(2026, "S2", 1)] == pytest.approx(8.91)
    assert got[(2026, "S1", 1)] == pytest.approx(57.09)
    # Totals are kept: 2026 g1 still 66.
    assert got.xs(1, level="grade").loc[2026].sum() == pytest.approx(66.0)


def test_entry_factor_scales_only_new_intake():
    low = projection.project_enrolment(_dataset(), to_year=2026, variant={"entry_factor": 0.5, "urban_shift": 0.0})
    got = low.set_index(["year", "school_id", "grade"])["students"]
    # 2025 g1 township = 44 × 0.5 = 22 → S1 22 × 5/6; g2 (pupils already at school) unchanged 52.8.
    assert got[(2025, "S1", 1)] == pytest.approx(22 * 50 / 60)
    assert got[(2025, "S1", 2)] == pytest.approx(52.8)


def test_classroom_needs_by_hand():
    ds = _dataset()
    p = projection.project_enrolment(ds, to_year=2026, variant=NO_SHIFT)
    n = projection.classroom_needs(p, ds).set_index(["year", "school_id"])
    cols = ["classes_needed", "classrooms_available", "classroom_shortfall", "spare_classrooms"]
    # S1 2026: g1 55 → ceil(55/45) = 2; g2 38.72 → 39 → 1; g3 52.8 → 53 → 2; needed 5.
    # Available: most classes held in one year of 2023–2024 = 4 (2024: 2 + 1 + 1). Shortfall 1.
    assert n.loc[(2026, "S1"), cols].tolist() == [5, 4, 1, 0]
    # S1 2026 expected pupils: 55 + 38.72 + 52.8 = 146.52 (rounded per grade only to count classes); cap 45.
    assert n.loc[(2026, "S1"), "students"] == pytest.approx(146.52) and n.loc[(2026, "S1"), "class_cap"] == 45
    # S2 2026: 11, 9.68 → 10, 13.2 → 13: one class each = 3; held 3 → no shortfall.
    assert n.loc[(2026, "S2"), cols[:3]].tolist() == [3, 3, 0]
    # 2025 S1: g1 36.67 → 37 → 1, g2 52.8 → 53 → 2, g3 44 → 1: 4 needed = 4 held; S2 3 of 3.
    assert n.loc[(2025, "S1"), cols].tolist() == [4, 4, 0, 0]
    t = projection.township_needs(n.reset_index()).set_index(["year", "township", "stage"])
    row = t.loc[(2026, "甲街道", "primary")]
    # Net shortfall 1 − 0 spare = 1 < 18 classes: extensions, not a new school.
    assert row["net_classroom_shortfall"] == 1 and row["schools_short"] == 1 and not row["new_school"]


def test_without_villages_intake_is_held():
    p = projection.project_enrolment(_dataset(with_villages=False), to_year=2025, variant=NO_SHIFT)
    got = p.set_index(["year", "school_id", "grade"])["students"]
    # No population: the 2024 intake (60) is held; S1 gets 50/60 of it = 50.
    assert got[(2025, "S1", 1)] == pytest.approx(50.0)


def test_summary_and_variants():
    ds = _dataset()
    c = projection.project_enrolment(ds, to_year=2026)  # central
    s = projection.projection_summary(c)
    # 2026 no-shift totals: g1 66 + g2 48.4 + g3 66 = 180.4 → 180 (migration keeps the total).
    assert s.loc[2026, "primary"] == 180 and s.loc[2026, "total"] == 180
    # The rows of one school only: S2 2024 = 10 + 11 + 10 = 31 pupils.
    assert projection.projection_summary(c[c["school_id"] == "S2"]).loc[2024, "total"] == 31
    assert projection.variant_params("high")["entry_factor"] > projection.variant_params("low")["entry_factor"]
    with pytest.raises(SettingsError, match="bad_variant"):
        projection.variant_params("extreme")
    with pytest.raises(DataError, match="bad_to_year"):
        projection.project_enrolment(ds, to_year=2024)
    no_classes = _dataset()
    no_classes.classes = None
    with pytest.raises(MissingTableError):
        projection.project_enrolment(no_classes)


def test_vectorised_matches_per_school_loop():
    """The bench's per-school loop gives the same numbers on the demo-like hand set."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_projection", Path(__file__).parents[2] / "bench" / "projection.py")
    if spec is None or not spec.loader or not Path(spec.origin).exists():
        pytest.skip("bench/projection.py not present")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    ds = _dataset()
    v = {"entry_factor": 1.0, "urban_shift": 0.1}
    a = projection.project_enrolment(ds, to_year=2026, variant=v).sort_values(["year", "school_id", "grade"])
    b = mod.project_loop(ds, to_year=2026, variant=v).sort_values(["year", "school_id", "grade"])
    assert np.allclose(a["students"].to_numpy(), b["students"].to_numpy())


def test_variants_and_horizon_from_settings():
    ds = _dataset()
    pv = projection.project_variants(ds, to_year=2026)
    assert list(pv) == ["low", "central", "high"]
    # Low variant, 2026: g1 66 × 0.95 = 62.7, g2 1.1 × 44 × 0.95 = 45.98, g3 66 → 174.68 → 175.
    assert projection.projection_summary(pv["low"]).loc[2026, "total"] == 175
    # Rates estimated once can be passed in (the assessment does).
    rates = projection.estimate_rates(ds, to_year=2026)
    assert projection.project_variants(ds, to_year=2026, rates=rates)["low"]["students"].sum() == pytest.approx(
        pv["low"]["students"].sum())
    # Without to_year the horizon is the projection_to_year setting (default 2030).
    assert int(projection.project_enrolment(ds)["year"].max()) == 2030


def test_central_variant():
    assert projection.central_variant({"low": {}, "central": {}, "high": {}}) == "central"
    assert projection.central_variant(["老城区", "新区"]) == "老城区"
    with pytest.raises(SettingsError, match="no_variant"):
        projection.central_variant([])
