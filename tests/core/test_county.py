"""Tests of jxedu.core.county: the documented plan targets, which row applies in which year, the outline.

:func:`plan_table` is the 规划目标 table of the tests (the targets of 金乡's plan, open in every year),
shared by the analysis and presentation tests by its full name.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from jxedu.core import config, county
from jxedu.core.errors import SettingsError
from tests.analysis.test_indicators import make_dataset

#: 金乡's plan (金政办字〔2024〕20号): key -> value in the documented unit.
JINXIANG_TARGETS = {
    county.PLAN_PE_ART: 0.9,
    county.PLAN_ROTATIONS: 400.0,
    county.PLAN_HONOURS: 100.0,
    county.PLAN_SMART_CAMPUS: 1.0,
    county.PLAN_TARGET_YEAR: 2025.0,
    county.PLAN_DROPOUT: 0.0,
    county.PLAN_ALLIANCE: 1.0,
}
#: The 截止年份 of 金乡's deadline targets (“2025年智慧校园覆盖率达到100%”).
JINXIANG_DEADLINES = {county.PLAN_SMART_CAMPUS: 2025}


def plan_table(*, start: int | None = None, end: int | None = None, document: str = "金政办字〔2024〕20号",
               **values: float) -> pd.DataFrame:
    """A loaded 规划目标 table: 金乡's targets (replaced or added by ``values``; ``None`` drops one), each
    row covering ``start``–``end`` (open by default; 智慧校园 by 2025 as 金乡's plan unless ``end``)."""
    targets = {**JINXIANG_TARGETS, **values}
    rows = [{"key": k, "value": v, "unit": None, "document": document, "start_year": start,
             "end_year": JINXIANG_DEADLINES.get(k, end) if end is None else end,
             "note": None} for k, v in targets.items() if v is not None]
    df = pd.DataFrame(rows, columns=["key", "value", "unit", "document", "start_year", "end_year", "note"])
    df["start_year"] = df["start_year"].astype("Int64")
    df["end_year"] = df["end_year"].astype("Int64")
    return df


def test_documented_keys_name_their_unit_and_span():
    keys = county.plan_keys()
    assert set(JINXIANG_TARGETS) <= set(keys.index)
    assert keys.loc[county.PLAN_ROTATIONS, ["name", "unit", "span"]].tolist() == ["年均交流轮岗教师数", "人", "yearly"]
    assert keys.loc[county.PLAN_SMART_CAMPUS, "span"] == "deadline"
    assert (keys["meaning"].str.len() > 0).all()


def test_no_table_no_target_and_unknown_key_is_an_error():
    assert county.plan_target(None, county.PLAN_ROTATIONS, 2024) is None
    assert county.plan_target(plan_table(**{county.PLAN_ROTATIONS: None}), county.PLAN_ROTATIONS, 2024) is None
    with pytest.raises(SettingsError, match="unknown_plan_key"):
        county.plan_target(plan_table(), "plan_rotations", 2024)


def test_rows_apply_in_the_years_they_cover():
    # a plan revised in 2026: 400 a year for 2024–2025, then 450 from 2026 on
    t = pd.concat([plan_table(start=2024, end=2025), plan_table(start=2026, **{county.PLAN_ROTATIONS: 450})],
                  ignore_index=True)
    assert county.plan_target(t, county.PLAN_ROTATIONS, 2023) is None
    assert county.plan_target(t, county.PLAN_ROTATIONS, 2025).value == 400
    r = county.plan_target(t, county.PLAN_ROTATIONS, 2030)
    assert (r.value, r.start, r.end, r.document) == (450, 2026, None, "金政办字〔2024〕20号")
    # a deadline (智慧校园 by 2025) still applies after it; a date target applies in any year
    one = plan_table(start=2024, end=2025)
    assert county.plan_target(one, county.PLAN_SMART_CAMPUS, 2027).end == 2025
    assert county.plan_target(one, county.PLAN_TARGET_YEAR, 2019).value == 2025


def test_percent_unit_is_a_share_and_a_wrong_unit_sets_nothing():
    t = plan_table()
    t.loc[t["key"] == county.PLAN_SMART_CAMPUS, ["value", "unit"]] = [95, "%"]
    assert county.plan_target(t, county.PLAN_SMART_CAMPUS, 2024).value == pytest.approx(0.95)
    t.loc[t["key"] == county.PLAN_ROTATIONS, "unit"] = "万元"
    assert county.plan_target(t, county.PLAN_ROTATIONS, 2024) is None
    assert county.plan_unit_factor(county.PLAN_ROTATIONS, "名") == 1.0


def test_target_compares_with_its_own_operator():
    target = county.plan_target(plan_table(), county.PLAN_ROTATIONS, 2024)
    assert target.meets(400) and target.meets(425.0) and not target.meets(399.9)


def test_dataset_profile_and_neutral_name():
    ds = make_dataset([("A", "甲小学", "primary", "城关镇", "urban")], [("A", "primary", 100, 4, 8, 5, 1, 1, 0, 0)],
                      [("A", 600, 50, 800, 25, 3)])
    assert (ds.county_name, ds.county_code, ds.bureau) == ("本县", "", "本县教育行政部门")
    ds = dataclasses.replace(ds, meta={"县名": " 云溪县 ", "行政区划代码": "360999", "教育行政部门": "云溪县教育体育局"})
    assert (ds.county_name, ds.county_code, ds.bureau) == ("云溪县", "360999", "云溪县教育体育局")
    assert ds.plan_target(county.PLAN_ROTATIONS) is None and ds.plan_documents == []
    ds = dataclasses.replace(ds, plan_targets=plan_table(document="云政办发〔2025〕3号"))
    assert ds.plan_target(county.PLAN_ROTATIONS).value == 400 and ds.plan_documents == ["云政办发〔2025〕3号"]


def test_outline_layer_then_townships_then_shipped_for_its_code_only():
    towns = gpd.GeoDataFrame({"township": ["甲镇", "乙镇"]}, geometry=[box(115.8, 28.4, 115.9, 28.5),
                                                                  box(115.9, 28.4, 116.0, 28.5)], crs=config.WGS84)
    layer = gpd.GeoDataFrame(geometry=[box(115.7, 28.3, 116.1, 28.6)], crs=config.WGS84)
    o = county.county_outline(layer=layer, townships=towns, code="360999")
    assert o.source == "county_layer" and o.geometry.area == pytest.approx(0.4 * 0.3)
    o = county.county_outline(townships=towns, code="360999")
    assert o.source == "townships" and o.geometry.area == pytest.approx(0.2 * 0.1)
    assert county.county_outline(code="360999") is None and county.county_outline() is None
    jx = county.county_outline(code=config.DEMO_COUNTY_CODE)
    # 金乡县 covers 886 km² around 116.3° E, 35.1° N
    assert jx.source == "builtin" and 116.1 < jx.geometry.centroid.x < 116.5 and 34.9 < jx.geometry.centroid.y < 35.3


def test_data_readme_documents_every_plan_target():
    # a target the clerk cannot look up is a target nobody fills in: each key and 目标项 has its row
    text = (config.ROOT / "data" / "README.md").read_text(encoding="utf-8")
    for key, row in county.plan_keys().iterrows():
        assert f"| {row['name']} | `{key}` |" in text, key
