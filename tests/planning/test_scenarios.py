"""Tests of jxedu.planning.scenarios on small hand-built data sets (numbers worked out by hand)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from jxedu.core.dataset import Dataset
from jxedu.core.errors import ScenarioError
from jxedu.planning import scenarios as sc

X0, Y0 = 430_000.0, 3_880_000.0  # UTM 50N metres, near 金乡
_INV = Transformer.from_crs("EPSG:32650", "EPSG:4326", always_xy=True)


def _points(rows: list[dict]) -> gpd.GeoDataFrame:
    df = pd.DataFrame(rows)
    df["x"] = X0 + df.pop("dx").astype(float)
    df["y"] = Y0
    lon, lat = _INV.transform(df["x"].to_numpy(), df["y"].to_numpy())
    df["lon"], df["lat"] = lon, lat
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


def _dataset(students=(60, 60), classes=(2, 2), villages=((0, 30), (1000, 30), (1600, 30))) -> Dataset:
    """Two primary schools A (x=500 m) and B (x=3000 m) on a line, three villages."""
    schools = _points([
        {"school_id": "A", "name": "甲小学", "school_type": "primary", "township": "甲镇", "urban_rural": "rural",
         "dx": 500, "built_year": 2015},
        {"school_id": "B", "name": "乙小学", "school_type": "primary", "township": "甲镇", "urban_rural": "rural",
         "dx": 3000, "built_year": 2015},
    ])
    stats = pd.DataFrame({
        "year": 2024, "school_id": ["A", "B"], "stage": "primary", "students": list(students),
        "classes": list(classes), "teachers": [6, 6], "qualified_teachers": [6, 6], "backbone_teachers": [1, 1],
        "pe_teachers": [1, 1], "music_teachers": [0, 0], "art_teachers": [0, 0],
    })
    fac = pd.DataFrame({
        "year": 2024, "school_id": ["A", "B"], "teaching_area": [600.0, 300.0], "indoor_sports_area": [0.0, 0.0],
        "sports_ground_area": [900.0, 900.0], "equipment_value_wan": [12.0, 12.0], "multimedia_rooms": [3, 3],
    })
    vrows = []
    for i, (dx, n) in enumerate(villages):
        row = {"village_id": f"V{i + 1}", "name": f"村{i + 1}", "township": "甲镇", "dx": dx}
        row.update({f"age_{a}": 0 for a in range(15)})
        row["age_6"] = n  # all of the village's 小学 children at age 6
        vrows.append(row)
    return Dataset(source=Path("."), schools=schools, stage_stats=stats, facilities=fac, villages=_points(vrows))


def test_capacity_forces_the_cheapest_village_to_the_farther_school():
    # capacity = students: A 60, B 60. Nearest school of every village is A (500, 500, 1100 m vs
    # 3000, 2000, 1400 m to B), but A takes only 60 of the 90 children. Moving a village to B costs
    # V1 2500, V2 1500, V3 300 extra metres per child -> V3 goes to B.
    # child-metres = 30*500 + 30*500 + 30*1400 = 72000; mean 72000 / 90 = 800 m.
    ds = _dataset()
    r = sc.evaluate(ds, capacity="enrolment", stage="primary")
    f = r.flows.set_index("village_id")
    assert f.loc["V1", "school_id"] == "A"
    assert f.loc["V2", "school_id"] == "A"
    assert f.loc["V3", "school_id"] == "B"
    assert r.summary["primary_mean_m"] == pytest.approx(800.0)
    s = r.schools.set_index("school_id")
    assert s.loc["A", "load_before"] == 60 and s.loc["B", "load_before"] == 30
    assert (s["load_before"] <= s["capacity"]).all()  # capacity respected
    # baseline reproduces the data: students unchanged
    assert s["students_after"].tolist() == [60, 60]


def test_classes_capacity_and_headroom():
    # capacity = classes x 45: A 2 x 45 = 90 >= 90 children, so all go to A (nearest):
    # child-metres 30*500 + 30*500 + 30*1100 = 63000, mean 700 m.
    ds = _dataset()
    r = sc.evaluate(ds, stage="primary")
    assert set(r.flows["school_id"]) == {"A"}
    assert r.summary["primary_mean_m"] == pytest.approx(700.0)
    # headroom 0.5: A holds 45 -> the LP must send 45 children to B. Cheapest extra metres per
    # child: V3 (+300) then V2 (+1500): V3 30 and 15 of V2 go to B.
    r = sc.evaluate(ds, stage="primary", headroom=0.5)
    f = r.flows
    assert f.loc[f["school_id"] == "B", "pupils"].sum() == 45
    assert f.loc[(f["village_id"] == "V2") & (f["school_id"] == "B"), "pupils"].sum() == 15


def test_close_keeps_every_pupil_and_reports_overflow():
    # close A: the 90 children must go to B (capacity 60 in enrolment mode): 30 over capacity.
    # Enrolment: A's 60 students are carried by its 60 resident children (f = 60/60 = 1) -> B 120.
    ds = _dataset()
    scn = {"name": "关闭甲", "edits": [{"type": "close", "school": "A"}]}
    r = sc.evaluate(ds, scn, capacity="enrolment", stage="primary")
    assert r.flows["pupils"].sum() == 90  # pupils never lost
    assert set(r.flows["school_id"]) == {"B"}
    assert r.summary["primary_over_capacity"] == pytest.approx(30.0)
    s = r.schools.set_index("school_id")
    assert s.loc["A", "students_after"] == 0
    assert s.loc["B", "students_after"] == 120
    assert r.summary["students"] == 120  # totals preserved
    # distances: 3000, 2000, 1400 m -> mean (3000 + 2000 + 1400) / 3 = 2133.33 m
    assert r.summary["primary_mean_m"] == pytest.approx(6400 / 3)
    # no 班级 table: B's 120 students split evenly over 6 grades = 20 per grade -> ceil(20 / 45)
    # = 1 class per grade, 6 classes needed; it holds 2 -> 4 classes short
    assert s.loc["B", "classes_short"] == 4


def test_closing_moves_teachers_and_recomputes_indicators():
    # after closing A, B has 120 students, 12 teachers (6 + 6 follow the pupils), 12 qualified:
    # qualified per 100 = 12 / 120 * 100 = 10.0; teaching area stays 300 ㎡ -> 2.5 ㎡ per student.
    ds = _dataset()
    r = sc.evaluate(ds, {"name": "x", "edits": [{"类型": "关闭", "学校": "A"}]}, capacity="enrolment")
    ind = r.indicators.set_index("school_id")
    assert list(ind.index) == ["B"]
    assert ind.loc["B", "qualified_teachers_per_100"] == pytest.approx(10.0)
    assert ind.loc["B", "teaching_area_per_student"] == pytest.approx(2.5)


def test_baseline_cv_matches_the_indicators_module():
    from jxedu.analysis import indicators

    ds = _dataset()
    r = sc.evaluate(ds)
    bal = indicators.county_balance(indicators.resource_indicators(ds))
    # teaching area per student: A 10, B 5, equal weights 60/60 -> mean 7.5, S = 2.5, CV = 1/3
    got = r.balance.set_index("key").loc["teaching_area_per_student", "cv"]
    assert got == pytest.approx(1 / 3)
    want = bal.set_index("key").loc["teaching_area_per_student", "cv"]
    assert got == pytest.approx(want)


def test_open_school_attracts_nearest_children():
    # a new school at x=1600 (on V3) with 30 places: V3 (1100 m to A) moves there (0 m).
    ds = _dataset()
    lon, lat = _INV.transform(X0 + 1600, Y0)
    scn = {"name": "新建", "edits": [{"type": "open", "id": "N", "lon": lon, "lat": lat, "capacity": 30}]}
    r = sc.evaluate(ds, scn)
    f = r.flows.set_index("village_id")
    assert f.loc["V3", "school_id"] == "N"
    # V3 carried f_A = min(60 / 90, 1) of A's students each: 30 * 2/3 = 20 students move to N
    s = r.schools.set_index("school_id")
    assert s.loc["N", "students_after"] == 20
    assert s.loc["A", "students_after"] == 40
    assert r.summary["students"] == 120


def test_reassign_and_merge():
    ds = _dataset()
    r = sc.evaluate(ds, {"name": "划片", "edits": [{"type": "reassign", "villages": ["V1"], "school": "B"}]})
    f = r.flows.set_index("village_id")
    assert f.loc["V1", "school_id"] == "B"
    r = sc.evaluate(ds, {"name": "合并", "edits": [{"type": "merge", "school": "A", "into": "B"}]})
    s = r.schools.set_index("school_id")
    assert s.loc["A", "status"] == "并入" and s.loc["B", "students_after"] == 120


def test_round_total_keeps_the_sum():
    # 1.5 + 1.5 + 1.0 = 4: floors 1, 1, 1 and one spare unit to the first largest remainder
    assert sc._round_total(np.array([1.5, 1.5, 1.0]), 4).tolist() == [2, 1, 1]


def test_assign_function_hand_case():
    # two origins (10, 10), two schools capacities (10, 15): costs favour school 0 for both,
    # origin 1 pays less to switch (1 vs 5) -> origin 0 -> school 0, origin 1 -> school 1.
    flows, over = sc.assign([10, 10], [[1, 6], [2, 3]], [10, 15])
    assert flows.tolist() == [[10, 0], [0, 10]]
    assert over.tolist() == [0, 0]


def _write(tmp_path, text: str) -> Path:
    p = tmp_path / "bad.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_yaml_error_names_file_and_line(tmp_path):
    p = _write(tmp_path, "名称: 测试\n调整:\n  - 类型: 关闭\n    学校: A\n  - 类型: 拆除\n    学校: B\n")
    with pytest.raises(ScenarioError, match=r"bad\.yaml 第5行.*unknown_edit_type.*拆除"):
        sc.load_scenario(p)


def test_yaml_unknown_school_names_line(tmp_path):
    p = _write(tmp_path, "name: t\nedits:\n  - type: close\n    school: ZZZ\n")
    scn = sc.load_scenario(p)
    with pytest.raises(ScenarioError, match=r"bad\.yaml 第4行.*unknown_school.*ZZZ"):
        sc.evaluate(_dataset(), scn)


def test_yaml_bad_values(tmp_path):
    p = _write(tmp_path, "name: t\nedits:\n  - type: open\n    lon: 116.3\n    lat: 35.0\n    capacity: -5\n")
    with pytest.raises(ScenarioError, match=r"第6行.*not_positive"):
        sc.load_scenario(p)
    p = _write(tmp_path, "name: t\nedits:\n  - type: open\n    lon: 35.0\n    lat: 116.3\n    capacity: 5\n")
    with pytest.raises(ScenarioError, match=r"第4行.*bad_coordinates"):
        sc.load_scenario(p)
    p = _write(tmp_path, "name: t\nedits:\n  - type: close\n")
    with pytest.raises(ScenarioError, match=r"第3行.*missing_field.*school"):
        sc.load_scenario(p)


def test_gcj02_point_is_converted():
    scn = sc.parse_scenario({"name": "t", "edits": [{"type": "open", "lon": 116.3128, "lat": 35.0701,
                                                      "坐标系": "GCJ02", "capacity": 100}]})
    f = scn.edits[0].fields
    # GCJ-02 differs from WGS-84 by a few hundred metres around 金乡 (not zero, under 1 km)
    fwd = Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True)
    x1, y1 = fwd.transform(116.3128, 35.0701)
    x2, y2 = fwd.transform(f["lon"], f["lat"])
    assert 200 < np.hypot(x1 - x2, y1 - y2) < 1000
    assert f["crs_in"] == "GCJ02"
    # and in the right direction: shifting the stored WGS-84 point to GCJ-02 gives the input back
    # (a WGS->GCJ mix-up would land about twice the offset away)
    from jxedu.core.coords import wgs84_to_gcj02

    glon, glat = wgs84_to_gcj02(f["lon"], f["lat"])
    x3, y3 = fwd.transform(float(glon), float(glat))
    assert np.hypot(x3 - x1, y3 - y1) < 1.0  # metres


def test_compare_has_chinese_rows():
    ds = _dataset()
    base = sc.evaluate(ds)
    r = sc.evaluate(ds, {"name": "关闭甲", "edits": [{"type": "close", "school": "A"}]})
    df = sc.compare([base, r])
    assert list(df.columns) == ["现状", "关闭甲"]
    assert df.loc["小学平均上学距离（米）", "现状"] == 700
    assert df.loc["关闭或并入的学校数", "关闭甲"] == 1


def test_shipped_examples_parse():
    files = sc.list_scenarios()
    assert len(files) >= 3
    for f in files:
        scn = sc.load_scenario(f)
        assert scn.edits and scn.name


def test_indicators_met_against_primary_thresholds():
    # primary thresholds (standards.csv): qualified 4.2, backbone 1.0, pe/art 0.9 per 100; teaching
    # 4.5 ㎡, sports 7.5 ㎡, equipment 2000 元, multimedia 2.3 per 100 students.
    # Baseline A (60 students): 10, 1.67, 1.67, 600/60 = 10, 900/60 = 15, 120000/60 = 2000, 5 -> 7 met.
    # (With the 初中 thresholds equipment 2000 < 2500 would fail: a stage mix-up is caught.)
    ds = _dataset()
    base = sc.evaluate(ds).indicators.set_index("school_id")
    assert base.loc["A", "indicators_met"] == 7 and bool(base.loc["A", "passes"])
    assert base.loc["B", "indicators_met"] == 7  # teaching 300/60 = 5 >= 4.5
    # Close A: B has 120 students, 12 qualified, 2 backbone, 2 pe (teachers follow the pupils),
    # its own facilities: teaching 300/120 = 2.5 (< 4.5), sports 900/120 = 7.5 (= 7.5, met),
    # equipment 120000/120 = 1000 (< 2000), multimedia 3/120*100 = 2.5 (>= 2.3) -> 5 met, fails.
    r = sc.evaluate(ds, {"name": "x", "edits": [{"type": "close", "school": "A"}]}, capacity="enrolment")
    b = r.indicators.set_index("school_id").loc["B"]
    assert b["equipment_value_per_student"] == pytest.approx(1000.0)
    assert b["indicators_met"] == 5
    assert not bool(b["passes"])


def test_closing_every_school_of_a_stage_is_a_named_error():
    ds = _dataset()
    scn = {"name": "全关", "edits": [{"type": "close", "school": "A"}, {"type": "close", "school": "B"}]}
    with pytest.raises(ScenarioError, match="no_open_school"):
        sc.evaluate(ds, scn)
