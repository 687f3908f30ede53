"""Trends across years on a two-year, two-school data set worked out by hand."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from jxedu.analysis.trend import assurance_trend, indicator_trend
from jxedu.core.dataset import Dataset
from tests.core.test_county import plan_table

# school A (金乡街道): 1000 students; backbone teachers 5 in 2024 (0.5 per 100: below 85 % of 1.0,
# the unit fails), 10 in 2025 (1.0: passes). One class of 46 in 2024 and of 45 in 2025.
# school B (羊山镇): 200 students, 3 backbone (1.5 per 100), everything met in both years.
BACKBONE_A = {2024: 5, 2025: 10}
CLASS_A = {2024: 46, 2025: 45}


def two_year_ds() -> Dataset:
    sdf = pd.DataFrame([
        {"school_id": "A", "name": "甲小学", "school_type": "primary", "township": "金乡街道", "urban_rural": "urban",
         "lon": 116.30, "lat": 35.08, "built_year": 2018},
        {"school_id": "B", "name": "乙小学", "school_type": "primary", "township": "羊山镇", "urban_rural": "rural",
         "lon": 116.23, "lat": 35.12, "built_year": 2018},
    ])
    schools = gpd.GeoDataFrame(sdf, geometry=gpd.points_from_xy(sdf["lon"], sdf["lat"]), crs="EPSG:4326")
    stats, fac, classes = [], [], []
    for y in (2024, 2025):
        stats += [
            {"year": y, "school_id": "A", "stage": "primary", "students": 1000, "classes": 25, "teachers": 60,
             "qualified_teachers": 60, "backbone_teachers": BACKBONE_A[y], "pe_teachers": 6, "music_teachers": 2,
             "art_teachers": 2, "certified_teachers": 60, "trained_teachers": 50 + 5 * (y - 2024),
             "migrant_students": 0},
            {"year": y, "school_id": "B", "stage": "primary", "students": 200, "classes": 8, "teachers": 14,
             "qualified_teachers": 14, "backbone_teachers": 3, "pe_teachers": 1, "music_teachers": 1,
             "art_teachers": 1, "certified_teachers": 14, "trained_teachers": 14, "migrant_students": 0},
        ]
        fac += [
            {"year": y, "school_id": "A", "teaching_area": 5000.0, "indoor_sports_area": 0.0,
             "sports_ground_area": 8000.0, "equipment_value_wan": 250.0, "multimedia_rooms": 25, "music_rooms": 3,
             "art_rooms": 3, "smart_campus": y == 2025},
            {"year": y, "school_id": "B", "teaching_area": 1000.0, "indoor_sports_area": 0.0,
             "sports_ground_area": 2000.0, "equipment_value_wan": 50.0, "multimedia_rooms": 5, "music_rooms": 1,
             "art_rooms": 1, "smart_campus": True},
        ]
        classes += [
            {"year": y, "school_id": "A", "stage": "primary", "grade": 3, "class_name": "3班", "students": CLASS_A[y]},
            {"year": y, "school_id": "B", "stage": "primary", "grade": 3, "class_name": "1班", "students": 30},
        ]
    return Dataset(source=Path("hand-built"), schools=schools, stage_stats=pd.DataFrame(stats),
                   facilities=pd.DataFrame(fac), classes=pd.DataFrame(classes), plan_targets=plan_table())


def test_county_trend():
    t = indicator_trend(two_year_ds()).set_index(["year", "stage"])
    assert list(t.index) == [(2024, "primary"), (2025, "primary")]
    # 2024: A fails, B passes -> 1 of 2; 2025: both pass
    assert (t.loc[(2024, "primary"), "passing_units"], t.loc[(2024, "primary"), "passing_share"]) == (1, 0.5)
    assert t.loc[(2025, "primary"), "passing_share"] == 1.0
    # backbone per 100: A 0.5 (P 1000), B 1.5 (P 200)
    # mean = (1000·0.5 + 200·1.5) / 1200 = 800 / 1200 = 0.6667
    # var = (1000·(0.5 − 0.6667)² + 200·(1.5 − 0.6667)²) / 1200 = (27.78 + 138.89) / 1200 = 0.13889
    # CV = sqrt(0.13889) / 0.6667 = 0.37268 / 0.6667 = 0.55902 > 0.50
    assert t.loc[(2024, "primary"), "mean_backbone_teachers_per_100"] == pytest.approx(800 / 1200)
    assert t.loc[(2024, "primary"), "cv_backbone_teachers_per_100"] == pytest.approx(0.559017, abs=1e-6)
    # 2025: A 1.0, B 1.5 -> mean 1300 / 1200 = 1.0833
    assert t.loc[(2025, "primary"), "mean_backbone_teachers_per_100"] == pytest.approx(1300 / 1200)
    # 2024 has the backbone CV over 0.50, so at most 6 of 7 are within
    assert t.loc[(2024, "primary"), "cv_within"] <= 6
    assert t.loc[(2024, "primary"), "cv_limit"] == 0.5


def test_township_trend():
    t = indicator_trend(two_year_ds(), level="township").set_index(["year", "township", "stage"])
    assert t.loc[(2024, "金乡街道", "primary"), "passing"] == 0
    assert t.loc[(2025, "金乡街道", "primary"), "passing"] == 1
    assert t.loc[(2024, "羊山镇", "primary"), "passing_share"] == 1.0
    assert t.loc[(2024, "全县", "primary"), "units"] == 2


def test_school_trend():
    t = indicator_trend(two_year_ds(), level="school").set_index("school_id")
    assert bool(t.loc["A", "2024"]) is False and bool(t.loc["A", "2025"]) is True
    assert (t.loc["A", "years_in_data"], t.loc["A", "years_passing"]) == (2, 1)
    assert bool(t.loc["A", "passes_latest"])
    assert t.loc["B", "years_passing"] == 2


def test_bad_level():
    with pytest.raises(ValueError):
        indicator_trend(two_year_ds(), level="province")


def test_assurance_trend():
    a = assurance_trend(two_year_ds())
    v = a.pivot(index="item_key", columns="year", values="value")
    # one class of 46 in 2024, none over the limit in 2025
    assert (v.loc["class_size", 2024], v.loc["class_size", 2025]) == (1, 0)
    # training: (50 + 14) / (60 + 14) = 64 / 74 = 86.5 %; 2025: (55 + 14) / 74 = 69 / 74 = 93.2 %
    assert (v.loc["training_completion", 2024], v.loc["training_completion", 2025]) == (86.5, 93.2)
    # 智慧校园: A only from 2025 -> 1 / 2 = 50 %, then 100 %
    assert (v.loc["plan_smart_campus", 2024], v.loc["plan_smart_campus", 2025]) == (50.0, 100.0)
    st = a.set_index(["item_key", "year"])["status"]
    assert st[("plan_smart_campus", 2025)] == "met"
    # no 交流轮岗 or 教师 table: no data every year
    assert (st.xs("plan_rotations") == "no_data").all()


def test_assurance_trend_shows_a_county_target_in_the_years_it_covers():
    import dataclasses

    # a plan from 2025 on: its items are absent in 2024 (no target that year), present in 2025
    ds = dataclasses.replace(two_year_ds(), plan_targets=plan_table(start=2025))
    a = assurance_trend(ds).set_index(["item_key", "year"])
    assert ("plan_smart_campus", 2024) not in a.index and a.loc[("plan_smart_campus", 2025), "value"] == 100.0
    assert ("class_size", 2024) in a.index  # a national item every year
    # no table at all: no county-plan item in any year
    none = assurance_trend(dataclasses.replace(two_year_ds(), plan_targets=None))
    assert not none["item_key"].str.startswith("plan_").any()
