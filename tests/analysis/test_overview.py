"""Tests for jxedu.analysis.overview on a tiny hand-built data set (sums worked out by hand below)."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from jxedu.analysis import overview
from jxedu.core import config
from jxedu.core.dataset import Dataset
from jxedu.core.errors import DataError

# Schools: S1 小学 in 金乡街道; S2 九年一贯制, S3 完全中学, S4 小学 (closed after 2023) in 鸡黍镇;
# 羊山镇 is in the boundary layer but has no school.
SCHOOLS = [
    ("S1", "一小", "primary", "金乡街道"),
    ("S2", "二校", "nine_year", "鸡黍镇"),
    ("S3", "三中", "complete_middle", "鸡黍镇"),
    ("S4", "四小", "primary", "鸡黍镇"),
]
# (year, school, stage, students, classes, teachers)
STATS = [
    (2024, "S1", "primary", 300, 8, 20),
    (2024, "S2", "primary", 200, 6, 15),
    (2024, "S2", "junior", 150, 4, 14),
    (2024, "S3", "junior", 400, 9, 35),
    (2024, "S3", "senior", 500, 10, 45),  # 高中: outside compulsory education, never counted
    (2023, "S1", "primary", 290, 8, 19),
    (2023, "S4", "primary", 50, 3, 6),
    (2023, "S2", "primary", 190, 6, 15),
    (2023, "S2", "junior", 140, 4, 13),
    (2023, "S3", "junior", 380, 9, 34),
    (2023, "S3", "senior", 480, 10, 44),
]


def make_dataset(*, synthetic: bool = False) -> Dataset:
    schools = gpd.GeoDataFrame(
        pd.DataFrame(SCHOOLS, columns=["school_id", "name", "school_type", "township"]),
        geometry=[Point(116.3 + i / 100, 35.07) for i in range(len(SCHOOLS))],
        crs=config.WGS84,
    )
    stats = pd.DataFrame(STATS, columns=["year", "school_id", "stage", "students", "classes", "teachers"])
    townships = gpd.GeoDataFrame(
        {"township": ["金乡街道", "鸡黍镇", "羊山镇"]},
        geometry=[box(116.2, 35.0, 116.3, 35.1), box(116.3, 35.0, 116.4, 35.1), box(116.4, 35.0, 116.5, 35.1)],
        crs=config.WGS84,
    )
    return Dataset(
        source=config.ROOT / "tiny",
        schools=schools,
        stage_stats=stats,
        facilities=pd.DataFrame(),
        townships=townships,
        synthetic=synthetic,
    )


def test_township_summary_latest_year():
    table = overview.township_summary(make_dataset()).set_index("township")
    # 街道 first, then by name; 羊山镇 has no school but is listed; then the county.
    assert list(table.index) == ["金乡街道", "羊山镇", "鸡黍镇", "全县"]
    assert list(table.columns) == [
        "schools", "students_primary", "students_junior", "students", "classes", "teachers", "class_size",
        "student_teacher_ratio",
    ]
    # 金乡街道 2024: S1 only: 300 pupils, 8 classes, 20 teachers; 300/8 = 37.5; 300/20 = 15.0
    assert table.loc["金乡街道"].tolist() == [1, 300, 0, 300, 8, 20, 37.5, 15.0]
    # 鸡黍镇 2024: S2 + S3 (S4 has no 2024 rows; S3's 高中 row excluded)
    #   primary 200; junior 150 + 400 = 550; total 750; classes 6 + 4 + 9 = 19; teachers 15 + 14 + 35 = 64
    #   750 / 19 = 39.47; 750 / 64 = 11.72
    row = table.loc["鸡黍镇"]
    assert row.iloc[:6].tolist() == [2, 200, 550, 750, 19, 64]
    assert row["class_size"] == pytest.approx(750 / 19) and row["student_teacher_ratio"] == pytest.approx(750 / 64)
    # 羊山镇: zeros, ratios empty (no classes, no teachers)
    row = table.loc["羊山镇"]
    assert row.iloc[:6].tolist() == [0, 0, 0, 0, 0, 0]
    assert math.isnan(row["class_size"]) and math.isnan(row["student_teacher_ratio"])
    # county: 3 schools; 500 + 550 = 1050 pupils; 27 classes; 84 teachers; 1050/27 = 38.89; 1050/84 = 12.5
    assert table.loc["全县"].iloc[:6].tolist() == [3, 500, 550, 1050, 27, 84]
    assert table.loc["全县", "student_teacher_ratio"] == 12.5


def test_township_summary_earlier_year_without_total():
    table = overview.township_summary(make_dataset(), year=2023, total=False).set_index("township")
    assert "全县" not in table.index
    # 鸡黍镇 2023: S2, S3, S4: primary 190 + 50 = 240; junior 140 + 380 = 520; classes 6+4+9+3 = 22;
    #   teachers 15 + 13 + 34 + 6 = 68; 760 / 22 = 34.545; 760 / 68 = 11.18
    assert table.loc["鸡黍镇"].iloc[:6].tolist() == [3, 240, 520, 760, 22, 68]
    assert table.loc["鸡黍镇", "class_size"] == pytest.approx(760 / 22)
    assert table.loc["鸡黍镇", "student_teacher_ratio"] == pytest.approx(760 / 68)


def test_township_summary_unknown_year():
    with pytest.raises(DataError, match="unknown_year"):
        overview.township_summary(make_dataset(), year=2019)


def test_county_totals():
    totals = overview.county_totals(make_dataset())
    assert totals == {
        "year": 2024,
        "townships": 3,
        "schools": 3,  # S1, S2, S3
        "schools_primary": 2,  # S1, S2
        "schools_junior": 2,  # S2, S3
        "students": 1050,  # 300 + 200 + 150 + 400
        "students_primary": 500,
        "students_junior": 550,
        "classes": 27,  # 8 + 6 + 4 + 9
        "teachers": 84,  # 20 + 15 + 14 + 35
    }
    assert all(type(v) is int for v in totals.values())
    old = overview.county_totals(make_dataset(), year=2023)
    # 2023: S1, S2, S3, S4; pupils 290 + 50 + 190 = 530; junior 140 + 380 = 520
    assert (old["schools"], old["schools_primary"], old["students_primary"], old["students_junior"]) == (4, 3, 530, 520)
    assert (old["classes"], old["teachers"]) == (30, 87)  # 8+3+6+4+9; 19+6+15+13+34
