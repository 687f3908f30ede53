"""Tests of jxedu.planning.scenarios on small hand-built data sets (numbers worked out by hand)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

import jxedu
from jxedu.analysis import indicators
from jxedu.core.dataset import Dataset
from jxedu.core.errors import ScenarioError
from jxedu.core.settings import get_settings
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


def _dataset(students=(60, 60), classes=(2, 2), villages=((0, 30), (1000, 30), (1600, 30)),
             built=(2015, 2015)) -> Dataset:
    """Two primary schools A (x=500 m) and B (x=3000 m) on a line, three villages."""
    schools = _points([
        {"school_id": "A", "name": "甲小学", "school_type": "primary", "township": "甲镇", "urban_rural": "rural",
         "dx": 500, "built_year": built[0]},
        {"school_id": "B", "name": "乙小学", "school_type": "primary", "township": "甲镇", "urban_rural": "rural",
         "dx": 3000, "built_year": built[1]},
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


_CLOSE_A = {"name": "关闭甲", "edits": [{"type": "close", "school": "A"}]}


def test_capacity_forces_the_cheapest_village_to_the_farther_school():
    # capacity = students: A 60, B 60. Nearest school of every village is A (500, 500, 1100 m vs
    # 3000, 2000, 1400 m to B), but A takes only 60 of the 90 children. Moving a village to B costs
    # V1 2500, V2 1500, V3 300 extra metres per child -> V3 goes to B.
    # child-metres = 30*500 + 30*500 + 30*1400 = 72000; mean 72000 / 90 = 800 m.
    r = sc.evaluate(_dataset(), capacity="enrolment", stage="primary")
    f = r.flows.set_index("village_id")
    assert f.loc["V1", "school_id"] == "A"
    assert f.loc["V2", "school_id"] == "A"
    assert f.loc["V3", "school_id"] == "B"
    assert r.summary["primary_mean_m"] == pytest.approx(800.0)
    s = r.schools.set_index("school_id")
    assert s.loc["A", "load_before"] == 60 and s.loc["B", "load_before"] == 30
    assert (s["load_before"] <= s["capacity"]).all()  # capacity respected
    assert s["students_after"].tolist() == [60, 60]  # the baseline reproduces the data
    assert set(s["change_status"]) == {"unchanged"}
    assert r.is_baseline and r.name is None


def test_classes_capacity_and_headroom():
    # capacity = classes x 45: A 2 x 45 = 90 >= 90 children, so all go to A (nearest):
    # child-metres 30*500 + 30*500 + 30*1100 = 63000, mean 700 m.
    ds = _dataset()
    r = sc.evaluate(ds, stage="primary")
    assert set(r.flows["school_id"]) == {"A"}
    assert r.summary["primary_mean_m"] == pytest.approx(700.0)
    # headroom 0.5: A holds 45 -> the LP must send 45 children to B. Cheapest extra metres per
    # child: V3 (+300) then V2 (+1500): V3 30 and 15 of V2 go to B.
    f = sc.evaluate(ds, stage="primary", headroom=0.5).flows
    assert f.loc[f["school_id"] == "B", "pupils"].sum() == 45
    assert f.loc[(f["village_id"] == "V2") & (f["school_id"] == "B"), "pupils"].sum() == 15


def test_close_keeps_every_pupil_and_reports_overflow():
    # close A: the 90 children must go to B (capacity 60 in enrolment mode): 30 over capacity.
    # Enrolment: A's 60 students are carried by its 60 resident children (f = 60/60 = 1) -> B 120.
    r = sc.evaluate(_dataset(), _CLOSE_A, capacity="enrolment", stage="primary")
    assert r.flows["pupils"].sum() == 90  # pupils never lost
    assert set(r.flows["school_id"]) == {"B"}
    assert r.summary["primary_over_capacity"] == pytest.approx(30.0)
    s = r.schools.set_index("school_id")
    assert s.loc["A", "students_after"] == 0 and s.loc["A", "change_status"] == "closed"
    assert s.loc["B", "students_after"] == 120 and s.loc["B", "change_status"] == "students_changed"
    assert r.summary["students"] == 120  # totals preserved
    assert r.summary["closed"] == 1 and r.summary["schools"] == 1
    # distances: 3000, 2000, 1400 m -> mean (3000 + 2000 + 1400) / 3 = 2133.33 m
    assert r.summary["primary_mean_m"] == pytest.approx(6400 / 3)
    # beyond the 2000 m walking limit: only V1 (3000 m; 2000 m is within) -> 30; no bus feed and no
    # added route: their coverage is unknown (NaN), never 0 %
    assert r.summary["primary_beyond"] == 30 and not r.bus_data
    assert np.isnan(r.summary["primary_uncovered"]) and np.isnan(r.summary["primary_bus_share"])
    # no 班级 table: B's 120 students split evenly over 6 grades = 20 per grade -> ceil(20 / 45)
    # = 1 class per grade, 6 classes needed; it holds 2 -> 4 classes short
    assert s.loc["B", "classes_needed"] == 6 and s.loc["B", "classes_short"] == 4
    assert r.summary["classes_short"] == 4


def test_a_new_route_covers_the_far_village_and_counts_seats():
    # as above, V1 (3000 m from B) is the one village beyond walking distance. A new route with a
    # stop at V1 serving B covers its 30 children: share 30 / 30 = 100 %, 30 new seats.
    scn = {"name": "关闭甲并开线路", "edits": [{"type": "close", "school": "A"},
                                          {"type": "add_route", "stops": ["V1"], "schools": ["B"]}]}
    r = sc.evaluate(_dataset(), scn, capacity="enrolment")
    assert r.summary["primary_bus_share"] == pytest.approx(1.0)
    assert r.summary["primary_uncovered"] == 0
    assert r.summary["bus_seats"] == 30
    f = r.flows.set_index("village_id")
    assert bool(f.loc["V1", "new_bus_link"]) and not bool(f.loc["V2", "bus_link"])


def test_closing_moves_teachers_and_recomputes_indicators():
    # after closing A, B has 120 students, 12 teachers (6 + 6 follow the pupils), 12 qualified:
    # qualified per 100 = 12 / 120 * 100 = 10.0; teaching area stays 300 ㎡ -> 2.5 ㎡ per student.
    r = sc.evaluate(_dataset(), {"name": "x", "edits": [{"类型": "关闭", "学校": "A"}]}, capacity="enrolment")
    ind = r.indicators.set_index("school_id")
    assert list(ind.index) == ["B"]
    assert ind.loc["B", "qualified_teachers"] == pytest.approx(12.0)
    assert ind.loc["B", "qualified_teachers_per_100"] == pytest.approx(10.0)
    assert ind.loc["B", "teaching_area_per_student"] == pytest.approx(2.5)


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
    r = sc.evaluate(ds, _CLOSE_A, capacity="enrolment")
    b = r.indicators.set_index("school_id").loc["B"]
    assert b["equipment_value_per_student"] == pytest.approx(1000.0)
    assert b["indicators_met"] == 5
    assert not bool(b["passes"])
    assert r.summary["primary_passing"] == 0


def _unit(**values) -> pd.DataFrame:
    """One included primary unit, as indicators.units gives it (numerators and students)."""
    return pd.DataFrame([{"stage": "primary", **values}])


@pytest.mark.parametrize("keep_campus, passes", [(False, False), (True, True)])
def test_scenario_scoring_agrees_with_the_assessment_pass_rule(keep_campus, passes):
    # Merge A into B (enrolment capacity): B takes A's 60 students (120) and all its teachers:
    # 12 qualified, 2 backbone, 2 PE; A's equipment (12 万) and multimedia rooms (3) follow.
    # Without the campus: teaching 300, sports 900 ㎡ -> teaching 2.5 < 4.5 and also below 85 %
    # (3.825): fails. With keep_campus the buildings come too: teaching 900 -> 7.5, sports 1800 ->
    # 15, equipment 240000 -> 2000, multimedia 6 -> 5 per 100: all 7 met, passes.
    scn = {"name": "合并", "edits": [{"type": "merge", "school": "A", "into": "B", "keep_campus": keep_campus}]}
    r = sc.evaluate(_dataset(), scn, capacity="enrolment")
    b = r.indicators.set_index("school_id").loc["B"]
    area = 900.0 if keep_campus else 300.0
    hand = _unit(students=120.0, qualified_teachers=12.0, backbone_teachers=2.0, pe_art_teachers=2.0,
                 teaching_area=area, sports_area=area + 900.0 if keep_campus else 900.0,
                 equipment_value=240000.0, multimedia_rooms=6.0)
    scored = indicators.score_units(hand).iloc[0]
    assert bool(scored["passes"]) is passes
    assert bool(b["passes"]) is passes  # the scenario's unit passes exactly as score_units says
    assert b["indicators_met"] == scored["indicators_met"] == (7 if keep_campus else 6)
    for key in indicators.KEYS:
        assert b[key] == pytest.approx(scored[key])


def test_baseline_indicators_are_the_assessments():
    ds = _dataset()
    a = jxedu.assess(ds, year=2024)
    r = sc.evaluate(ds, year=2024)
    assert r.indicators is a.indicators and r.balance is a.balance
    # teaching area per student: A 10, B 5, equal weights 60/60 -> mean 7.5, S = 2.5, CV = 1/3
    assert r.summary["primary_cv_teaching_area_per_student"] == pytest.approx(1 / 3)


def test_open_school_attracts_nearest_children_and_is_staffed_as_given():
    # a new school at x=1600 (on V3) with 30 places: V3 (1100 m to A) moves there (0 m).
    # V3 carried f_A = min(60 / 90, 1) of A's students each: 30 * 2/3 = 20 students move to N.
    # Given: 2 qualified, 1 backbone, 1 PE teacher, 200 ㎡ teaching, 300 ㎡ sports, 5 万元, 1 room:
    # per 20 students 10, 5, 5 per 100; 10 ㎡, 15 ㎡, 2500 元; 5 rooms per 100.
    # 重新划片 (rezone): every child may change school, so V3 is free to move.
    lon, lat = _INV.transform(X0 + 1600, Y0)
    scn = {"name": "新建", "rezone": True, "edits": [{"type": "open", "id": "N", "lon": lon, "lat": lat, "capacity": 30,
                                     "teachers": {"专任教师": 2, "高于规定学历教师": 2, "骨干教师": 1, "体育教师": 1},
                                     "facilities": {"教学及辅助用房面积": 200, "体育运动场馆面积": 300,
                                                    "教学仪器设备值（万元）": 5, "网络多媒体教室数": 1}}]}
    r = sc.evaluate(_dataset(), scn)
    assert r.flows.set_index("village_id").loc["V3", "school_id"] == "N"
    s = r.schools.set_index("school_id")
    assert s.loc["N", "students_after"] == 20 and s.loc["N", "change_status"] == "opened"
    assert s.loc["A", "students_after"] == 40
    assert r.summary["students"] == 120 and r.summary["opened"] == 1
    # 30 places, no classrooms given: ceil(30 / 45) = 1 classroom planned
    assert s.loc["N", "classrooms_added"] == 1
    n = r.indicators.set_index("school_id").loc["N"]
    assert n[list(indicators.KEYS)].tolist() == pytest.approx([10.0, 5.0, 5.0, 10.0, 15.0, 2500.0, 5.0])


def test_open_school_without_numbers_gets_the_county_mean():
    # county means per student at baseline: qualified 12/120 = 0.1, teaching 900/120 = 7.5 ㎡,
    # equipment 240000/120 = 2000 元, multimedia 6/120 = 0.05 -> N (20 students): 2 qualified = 10
    # per 100, 7.5 ㎡, 2000 元, 5 rooms per 100.
    lon, lat = _INV.transform(X0 + 1600, Y0)
    r = sc.evaluate(_dataset(), {"name": "新建", "edits": [{"type": "open", "id": "N", "lon": lon, "lat": lat,
                                                           "capacity": 30}]}, rezone=True)
    n = r.indicators.set_index("school_id").loc["N"]
    assert n["qualified_teachers_per_100"] == pytest.approx(10.0)
    assert n["teaching_area_per_student"] == pytest.approx(7.5)
    assert n["equipment_value_per_student"] == pytest.approx(2000.0)
    assert n["multimedia_rooms_per_100"] == pytest.approx(5.0)


def test_reassign_and_merge():
    ds = _dataset()
    r = sc.evaluate(ds, {"name": "划片", "edits": [{"type": "reassign", "villages": ["V1"], "school": "B"}]})
    assert r.flows.set_index("village_id").loc["V1", "school_id"] == "B"
    r = sc.evaluate(ds, {"name": "合并", "edits": [{"type": "merge", "school": "A", "into": "B"}]})
    s = r.schools.set_index("school_id")
    assert s.loc["A", "change_status"] == "merged" and s.loc["B", "students_after"] == 120


@pytest.mark.parametrize("built, oversize", [(2015, 1), (2008, 0)])
def test_school_size_cap_after_the_scenario(built, oversize):
    # A 1900 students, B 200 (enrolment capacity): all 90 children live nearer A. Closing B sends
    # its 200 students (no resident children carry them) to the nearest open school: A 2100.
    # Cap 2000 for a 小学; 2400 for one built in 2010 or earlier (relaxation on by default).
    ds = _dataset(students=(1900, 200), built=(built, 2015))
    r = sc.evaluate(ds, {"name": "关闭乙", "edits": [{"type": "close", "school": "B"}]}, capacity="enrolment")
    assert r.schools.set_index("school_id").loc["A", "students_after"] == 2100
    assert r.summary["oversize_schools"] == oversize


def test_school_changes_moves_and_township_figures():
    r = sc.evaluate(_dataset(), _CLOSE_A, capacity="enrolment")
    ch = sc.school_changes(r)
    assert ch["school_id"].tolist() == ["A", "B"]  # both change by 60: ties by id
    assert ch["students_change"].tolist() == [-60, 60]
    mv = sc.moves(r)
    assert mv[["from_school_id", "to_school_id", "students"]].values.tolist() == [["A", "B", 60]]
    t = sc.township_figures(r).set_index(["township", "stage"]).loc[("甲镇", "primary")]
    assert (t["schools_before"], t["schools_after"], t["students_after"]) == (2, 1, 120)
    # baseline mean 72000 / 90 = 800 m; after (3000 + 2000 + 1400) × 30 / 90 = 2133.3 m
    assert t["mean_before_m"] == pytest.approx(800.0)
    assert t["mean_after_m"] == pytest.approx(6400 / 3)
    assert (t["beyond_before"], t["beyond_after"], t["villages_changed"]) == (0, 30, 2)  # V1, V2 change school


def test_compare_has_one_row_per_result():
    ds = _dataset()
    df = sc.compare([sc.evaluate(ds), sc.evaluate(ds, _CLOSE_A)])
    assert df["name"].tolist() == [None, "关闭甲"]
    assert df["baseline"].tolist() == [True, False]
    assert df["primary_mean_m"].tolist() == pytest.approx([700.0, 6400 / 3])
    assert df["closed"].tolist() == [0, 1]
    assert list(df.columns[2:2 + len(sc.COUNTY_FIGURES)]) == list(sc.COUNTY_FIGURES)


def test_unknown_school_names_the_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("name: t\nedits:\n  - type: close\n    school: ZZZ\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bad\.yaml 第4行.*unknown_school.*ZZZ"):
        sc.evaluate(_dataset(), p)


def test_a_school_closed_twice_names_the_second_line(tmp_path):
    p = tmp_path / "twice.yaml"
    p.write_text("name: t\nedits:\n  - type: close\n    school: A\n  - type: merge\n    school: A\n    into: B\n",
                 encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"twice\.yaml 第6行.*already_closed"):
        sc.evaluate(_dataset(), p)


def test_closing_every_school_of_a_stage_is_a_named_error():
    scn = {"name": "全关", "edits": [{"type": "close", "school": "A"}, {"type": "close", "school": "B"}]}
    with pytest.raises(ScenarioError, match="no_open_school"):
        sc.evaluate(_dataset(), scn)


def test_widget_selection_is_an_unnamed_scenario():
    r = sc.evaluate(_dataset(), close=["A"], capacity="enrolment")
    assert r.name is None and not r.is_baseline
    assert r.summary["closed"] == 1 and r.summary["students"] == 120


def test_demo_example_evaluates_county_wide(demo_dir):
    ds = jxedu.load(demo_dir)
    r = sc.evaluate(ds, "close_teaching_point")
    s = r.schools.set_index("school_id")
    assert s.loc["3708282053", "change_status"] == "closed" and s.loc["3708282053", "students_after"] == 0
    assert r.summary["students"] == int(s["students_before"].sum())
    assert np.isfinite(r.summary["primary_mean_m"])


def test_bad_options_are_named_errors():
    ds = _dataset()
    with pytest.raises(ScenarioError, match="unknown_capacity"):
        sc.evaluate(ds, capacity="rooms")
    with pytest.raises(ScenarioError, match="not_positive"):
        sc.evaluate(ds, headroom=0)
    with pytest.raises(ScenarioError, match="unknown_method"):
        sc.evaluate(ds, method="taxi")


# --- only displaced pupils move (default) and 重新划片 ----------------------------------------------


def _line_dataset(schools, villages) -> Dataset:
    """Primary schools ``(id, dx, students)`` and villages ``(dx, children)`` on a line (y = Y0)."""
    sch = _points([{"school_id": sid, "name": f"{sid}小学", "school_type": "primary", "township": "甲镇",
                    "urban_rural": "rural", "dx": dx, "built_year": 2015} for sid, dx, _n in schools])
    ids = [s[0] for s in schools]
    stats = pd.DataFrame({
        "year": 2024, "school_id": ids, "stage": "primary", "students": [s[2] for s in schools],
        "classes": 1, "teachers": 6, "qualified_teachers": 6, "backbone_teachers": 1, "pe_teachers": 1,
        "music_teachers": 0, "art_teachers": 0,
    })
    fac = pd.DataFrame({"year": 2024, "school_id": ids, "teaching_area": 600.0, "indoor_sports_area": 0.0,
                        "sports_ground_area": 900.0, "equipment_value_wan": 12.0, "multimedia_rooms": 3})
    vrows = []
    for i, (dx, n) in enumerate(villages):
        row = {"village_id": f"V{i + 1}", "name": f"村{i + 1}", "township": "甲镇" if i else "乙镇", "dx": dx}
        row.update({f"age_{a}": 0 for a in range(15)})
        row["age_6"] = n
        vrows.append(row)
    return Dataset(source=Path("."), schools=sch, stage_stats=stats, facilities=fac, villages=_points(vrows))


def _chain() -> Dataset:
    # A at 0, B at 1000, C at 1500 (enrolment capacity 10, 10, 20); V1 (乙镇) at 0 with 10 children,
    # V2 (甲镇) at 1200 with 10. Baseline: V1 -> A (0 m), V2 -> B (200 m; C is 300 m).
    return _line_dataset([("A", 0, 10), ("B", 1000, 10), ("C", 1500, 20)], [(0, 10), (1200, 10)])


def test_closing_a_school_moves_only_its_own_pupils():
    # Close A. Re-zoning everyone, V1 -> B (1000 m) and V2 -> C (300 m) = 13 000 child-metres beats
    # V1 -> C (1500 m) with V2 staying at B (200 m) = 17 000: B's pupils would move to make room.
    # By default only A's pupils move: V2 stays at B (full), V1 goes to C: A -> C 10 students.
    ds = _chain()
    r = sc.evaluate(ds, close=["A"], capacity="enrolment")
    f = r.flows.set_index("village_id")
    assert f.loc["V1", "school_id"] == "C" and f.loc["V2", "school_id"] == "B"
    assert sc.moves(r)[["from_school_id", "to_school_id", "students"]].values.tolist() == [["A", "C", 10]]
    assert r.summary["pupils_moved"] == 10 and r.summary["primary_pupils_moved"] == 10
    assert r.summary["primary_mean_m"] == pytest.approx(17000 / 20)
    # 重新划片: the chain A -> B -> C, 20 students change school.
    z = sc.evaluate(ds, close=["A"], capacity="enrolment", rezone=True)
    mv = sc.moves(z)[["from_school_id", "to_school_id", "students"]].values.tolist()
    assert sorted(mv) == [["A", "B", 10], ["B", "C", 10]]
    assert z.summary["pupils_moved"] == 20
    assert z.summary["primary_mean_m"] == pytest.approx(13000 / 20)
    assert sc.evaluate(ds).summary["pupils_moved"] == 0  # the baseline moves nobody


def test_rezoning_one_township_frees_only_its_villages():
    # 重新划片 of 甲镇 only (V2's 镇街): V2 may leave B for C, V1 (乙镇) is displaced anyway -> the
    # same chain as the whole county: V1 -> B, V2 -> C.
    r = sc.evaluate(_chain(), close=["A"], capacity="enrolment", rezone=("甲镇",))
    f = r.flows.set_index("village_id")
    assert f.loc["V1", "school_id"] == "B" and f.loc["V2", "school_id"] == "C"
    # 重新划片 of 乙镇 only: V2 stays at B
    r = sc.evaluate(_chain(), close=["A"], capacity="enrolment", rezone=("乙镇",))
    assert r.flows.set_index("village_id").loc["V2", "school_id"] == "B"
    with pytest.raises(ScenarioError, match="unknown_township.*丙镇"):
        sc.evaluate(_chain(), close=["A"], rezone=("丙镇",))


def test_a_new_school_without_rezoning_takes_only_pupils_over_capacity():
    # Enrolment capacity A 40, B 40 for 90 children: the baseline sends to B the cheapest to move,
    # V3 (+300 m) 30 and V2 (+1500 m) 10; A keeps V1 30 + V2 20 = 50, 10 over its 40 places.
    # A new school N at x=1600 (on V3) with 30 places: B's pupils stay (V3 too, though N is 0 m away);
    # A's 50 are free and A keeps 40: the 10 cheapest to move are V2's (600 - 500 = +100 m vs V1 +1100 m).
    lon, lat = _INV.transform(X0 + 1600, Y0)
    scn = {"name": "新建", "edits": [{"type": "open", "id": "N", "lon": lon, "lat": lat, "capacity": 30}]}
    ds = _dataset(students=(40, 40))
    base = sc.evaluate(ds, capacity="enrolment")
    assert base.summary["primary_over_capacity"] == pytest.approx(10.0)
    r = sc.evaluate(ds, scn, capacity="enrolment")
    f = r.flows
    assert f.loc[f["school_id"] == "N", ["village_id", "pupils"]].values.tolist() == [["V2", 10.0]]
    assert f.loc[(f["village_id"] == "V3"), "school_id"].tolist() == ["B"]
    assert r.summary["primary_over_capacity"] == 0
    # each of A's 50 resident children carries 40 / 50 = 0.8 enrolled students: 10 carry 8
    assert r.summary["pupils_moved"] == 8


def test_rezone_in_a_scenario_file(tmp_path):
    p = tmp_path / "rz.yaml"
    p.write_text("名称: 划片\n重新划片: 是\n调整:\n  - 类型: 关闭\n    学校: A\n", encoding="utf-8")
    assert sc.load_scenario(p).rezone is True
    p.write_text("名称: 划片\n重新划片: [甲镇]\n调整: []\n", encoding="utf-8")
    assert sc.load_scenario(p).rezone == ("甲镇",)
    p.write_text("名称: 划片\n重新划片: 也许\n调整: []\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"rz\.yaml 第2行.*bad_value"):
        sc.load_scenario(p)
    p.write_text("名称: 划片\n重新划片: [丁镇]\n调整:\n  - 类型: 关闭\n    学校: A\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"rz\.yaml 第2行.*unknown_township"):
        sc.evaluate(_chain(), p)


def test_closing_the_demo_teaching_point_moves_only_its_pupils(demo_dir):
    ds = jxedu.load(demo_dir)
    r = sc.evaluate(ds, "close_teaching_point")
    mv = sc.moves(r)
    tp = r.schools.set_index("school_id").loc["3708282053"]
    assert set(mv["from_school_id"]) == {"3708282053"}
    assert mv["students"].sum() == tp["students_before"] == r.summary["pupils_moved"]


# --- costs (估算, 元) -----------------------------------------------------------------------------


def test_worked_example_cost_of_one_extension():
    # Enlarge A by 6 classrooms and 4 专任教师 (unit costs of jxedu/data/unit_costs.csv):
    #   building   6 classrooms × 75 ㎡ = 450 ㎡ × 3 200 元/㎡       = 1 440 000 元
    #   equipment  6 × 45 = 270 new places × 2 000 元               =   540 000 元
    #   capital                                                      = 1 980 000 元
    #   teachers   4 × 110 000 元 a year                             =   440 000 元 a year
    scn = {"name": "扩建甲", "edits": [{"type": "enlarge", "school": "A", "classrooms": 6,
                                      "teachers": {"专任教师": 4}}]}
    r = sc.evaluate(_dataset(), scn)
    c = r.costs.set_index("item")
    assert c.loc["building", "quantity"] == pytest.approx(450.0)
    assert c.loc["building", "cost_yuan"] == pytest.approx(1_440_000.0)
    assert c.loc["equipment", "quantity"] == pytest.approx(270.0)
    assert c.loc["equipment", "cost_yuan"] == pytest.approx(540_000.0)
    assert c.loc["teachers", "cost_yuan"] == pytest.approx(440_000.0) and c.loc["teachers", "kind"] == "yearly"
    assert r.summary["capital_cost_yuan"] == pytest.approx(1_980_000.0)
    assert r.summary["yearly_cost_yuan"] == pytest.approx(440_000.0)
    assert "估算" in c.loc["building", "source"]
    # a county's own unit cost replaces the default: 3 500 元/㎡ -> 450 × 3 500 = 1 575 000 元
    own = sc.evaluate(_dataset(), scn, settings=get_settings(unit_costs={"building_m2_primary": 3500}))
    assert own.costs.set_index("item").loc["building", "cost_yuan"] == pytest.approx(1_575_000.0)


def test_costs_of_a_new_school_a_route_and_a_closure():
    # New school N with 30 places, 体育运动场馆面积 not given: building ceil(30 / 45) = 1 classroom ×
    # 75 ㎡ × 3 200 = 240 000 元; equipment 30 × 2 000 = 60 000 元; the sports ground has no amount
    # (not given, not zero). Staffed at the county mean, 12 teachers / 120 students × its 20
    # students = 2 teachers more in the county: 220 000 元 a year.
    lon, lat = _INV.transform(X0 + 1600, Y0)
    scn = {"name": "新建", "rezone": True, "edits": [
        {"type": "open", "id": "N", "lon": lon, "lat": lat, "capacity": 30},
        {"type": "add_route", "id": "L1", "stops": ["V1", "V2"], "schools": ["B"]}]}
    r = sc.evaluate(_dataset(), scn)
    c = r.costs
    new = c[c["edit"] == 1].set_index("item")
    assert new.loc["building", "cost_yuan"] == pytest.approx(240_000.0)
    assert new.loc["equipment", "cost_yuan"] == pytest.approx(60_000.0)
    assert np.isnan(new.loc["sports_ground", "cost_yuan"]) and new.loc["sports_ground", "basis"] == "not_given"
    assert c.loc[c["item"] == "teachers", "quantity"].tolist() == pytest.approx([2.0])
    # route L1: V1 (x=0) -> V2 (1000) -> B (3000), straight lines = 3 km one way × 2 300 元 a year
    bus = c[c["item"] == "bus_route"].iloc[0]
    assert bus["quantity"] == pytest.approx(3.0) and bus["cost_yuan"] == pytest.approx(6_900.0)
    assert bus["distance_method"] == "straight"
    assert r.summary["capital_cost_yuan"] == pytest.approx(300_000.0)
    assert r.summary["yearly_cost_yuan"] == pytest.approx(226_900.0)
    assert r.summary["costs_incomplete"] is True
    # closing a school builds nothing and hires no one: no cost, no saving claimed
    z = sc.evaluate(_dataset(), _CLOSE_A)
    assert z.costs.empty and z.summary["capital_cost_yuan"] == 0 and z.summary["yearly_cost_yuan"] == 0
