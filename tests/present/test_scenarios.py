"""Tests of jxedu.present.scenarios: the planner's tables, sentences and change map of a scenario.

The fixture is the two-school line of ``tests/planning/test_scenarios.py``: 甲小学 A (x=500 m) and
乙小学 B (x=3000 m), 60 students each, villages V1 (x=0), V2 (1000), V3 (1600) with 30 children.
Closing A (enrolment capacity) sends all 90 children to B: 3000, 2000 and 1400 m.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

import jxedu
from jxedu.planning import optimize as op
from jxedu.planning import scenarios as sc
from jxedu.present import scenarios as ps
from tests.planning.test_scenarios import X0, Y0, _dataset

_CLOSE_A = {"name": "关闭甲", "edits": [{"type": "close", "school": "A"}]}
_CODES = re.compile(r"^(nan|NaN|None|True|False|primary|junior|closed|merged|opened|unchanged|students_changed|"
                    r"existing|candidate|pmedian|mclp|optimal)$")


def _cells(t) -> list[str]:
    return [str(c) for c in t.frame.columns] + [str(v) for v in t.frame.to_numpy().ravel()]


def _clean(t) -> None:
    """No English code, no NaN/None/True/False in a planner's table."""
    bad = [c for c in _cells(t) if _CODES.match(c)]
    assert bad == []


@pytest.fixture(scope="module")
def results():
    ds = _dataset()
    return ds, sc.evaluate(ds, capacity="enrolment"), sc.evaluate(ds, _CLOSE_A, capacity="enrolment")


def test_comparison_table_has_one_column_per_result(results):
    _ds, base, res = results
    t = ps.comparison_table([base, res])
    assert list(t.frame.columns) == ["指标", "现状", "关闭甲"]
    rows = t.frame.set_index("指标")
    # baseline mean 72000 / 90 = 800 m; after closing A (3000 + 2000 + 1400) / 3 = 2133.3 m; the fixture
    # has no road layer: the row and a note say the distances are straight lines
    assert rows.loc["小学平均上学距离（米）（直线距离）"].tolist() == ["800", "2,133"]
    assert any("直线距离" in n for n in t.notes)
    assert rows.loc["关闭或并入的学校（所）"].tolist() == ["0", "1"]
    assert rows.loc["义务教育在校生（人）"].tolist() == ["120", "120"]
    # the fixture has no bus feed: coverage is 无公交数据 in both columns (never 0 %), with a note
    assert rows.loc["小学超出步行距离学生的校车覆盖率"].tolist() == ["无公交数据", "无公交数据"]
    assert any(n.startswith("无公交数据") for n in t.notes)
    # CV of the teaching area per student at baseline: A 10, B 5 ㎡, equal weights -> 1/3
    assert rows.loc["小学差异系数：生均教学及辅助用房面积", "现状"] == "0.333"
    assert "初中平均上学距离（米）（直线距离）" not in rows.index  # the fixture has no 初中
    _clean(t)


def test_coverage_of_an_added_route_beside_a_baseline_without_bus_data(results):
    ds, base, _res = results
    # closing A sends V1's 30 children 3000 m to B; a new route with a stop at V1 serving B covers them:
    # 30 / 30 = 100 %. The baseline has no bus feed: 无公交数据, not 0 %.
    scn = {"name": "关闭甲并开线路", "edits": [{"type": "close", "school": "A"},
                                          {"type": "add_route", "stops": ["V1"], "schools": ["B"]}]}
    rows = ps.comparison_table([base, sc.evaluate(ds, scn, capacity="enrolment")]).frame.set_index("指标")
    assert rows.loc["小学超出步行距离学生的校车覆盖率"].tolist() == ["无公交数据", "100.0%"]


def test_repeated_names_get_a_mark(results):
    _ds, base, res = results
    t = ps.comparison_table([base, res, res])
    assert list(t.frame.columns) == ["指标", "现状", "关闭甲", "关闭甲′"]


def test_result_names(results):
    ds, base, res = results
    assert ps.result_name(base) == "现状"
    assert ps.result_name(res) == "关闭甲"
    assert ps.result_name(sc.evaluate(ds, close=["A"])) == "自定义方案"


def test_headline_and_note(results):
    _ds, base, res = results
    assert str(ps.headline(base, res)) == (
        "关闭甲（2024学年）：关闭或并入 1 所、新建 0 所学校；小学平均上学距离（直线距离）由 800 米变为 2,133 米，"
        "超出步行距离的学生由 0 人变为 30 人；义务教育在校生共 120 人（总数不变），其中 60 人转学；"
        "建设投资估算 0.00 万元，每年运行费用估算 0.00 万元。")
    note = str(ps.scenario_note(res))
    assert "1. 关闭：甲小学（A）" in note
    # the walking limits as every other sentence writes them (defaults 2000 m and 3000 m): “2 公里”, not “2.0”
    assert "步行距离上限：小学 2 公里、初中 3 公里；" in str(ps.model_note(jxedu.assess(_ds)))


def test_school_changes_and_moves(results):
    _ds, _base, res = results
    t = ps.school_changes_table(res)
    assert list(t.frame.columns) == ["学校", "镇街", "学段", "变化", "调整前在校生（人）", "调整后在校生（人）",
                                     "在校生增减（人）", "缺少教室的班级（个）"]
    assert t.frame.values.tolist() == [["甲小学", "甲镇", "小学", "关闭", "60", "0", "-60", "0"],
                                       # B: 120 students over 6 grades -> 6 classes, holds 2 -> 4 short
                                       ["乙小学", "甲镇", "小学", "学生增减", "60", "120", "60", "4"]]
    _clean(t)
    m = ps.moves_table(res)
    assert m.frame.values.tolist() == [["小学", "甲小学", "乙小学", "60"]]
    assert ps.moves_table(res, township="乙镇").empty
    assert ps.moves_table(res, township="乙镇").notes == ["乙镇没有学生需要转学。"]


def test_township_table(results):
    _ds, _base, res = results
    t = ps.township_table(res, township="甲镇")
    row = dict(zip(t.frame.columns, t.frame.iloc[0], strict=True))
    assert row["调整前学校（所）"] == "2" and row["调整后学校（所）"] == "1"
    assert row["学龄人口（人）"] == "90"
    assert row["调整前平均距离（米）"] == "800" and row["调整后平均距离（米）"] == "2,133"
    assert row["调整后超出步行距离（人）"] == "30"
    _clean(t)


def test_closure_table():
    # enrolment capacity: closing B adds -9 km (V3 to A, 1100 instead of 1400 m), A +120 km
    rk = op.closure_ranking(_dataset(), stage="primary", capacity="enrolment")
    t = ps.closure_table(rk)
    assert t.frame["排序"].tolist() == ["1", "2"]
    assert t.frame["学校"].tolist() == ["乙小学", "甲小学"]
    assert t.frame["关闭后增加的上学路程（人·公里/日）"].tolist() == ["-9.0", "120.0"]
    assert t.frame["办学类型"].tolist() == ["小学", "小学"]
    _clean(t)
    assert ps.closure_table(rk, township="乙镇").notes[0] == "没有小规模学校。"


def test_site_tables():
    # keep both schools, add C1 at x=1000 (on V2): V2 0 m, V3 600 m -> 60 children, mean 300 m
    cand = pd.DataFrame({"site_id": ["C1", "C2"], "x": [X0 + 1000.0, X0 + 10000.0], "y": [Y0, Y0]})
    s = op.suggest_sites(_dataset(), stage="primary", p=3, candidates=cand, keep="existing")
    summary = ps.site_summary_table(s).frame.set_index("指标")["数值"]
    assert summary["选址模型"] == "p-中位（总出行距离最小）"
    assert summary["考虑学位容量"] == "否"
    assert summary["其中新址（处）"] == "1"
    # 30 × 500 + 0 + 30 × 600 = 33000 child-metres / 90 = 366.7 m
    assert summary["平均上学距离（米）"] == "367"
    assert summary["求解状态"] == "已达到设定精度"
    new = ps.new_sites_table(s)
    assert list(new.frame.columns) == ["编号", "候选点位置", "镇街", "到最近道路的直线距离（米）", "位置（经度，纬度）",
                                       "学龄人口（人）", "平均上学距离（米）"]
    assert new.frame.iloc[0]["编号"] == "C1" and new.frame.iloc[0]["平均上学距离（米）"] == "300"
    assert new.frame.iloc[0]["候选点位置"] == "村2附近" and new.frame.iloc[0]["镇街"] == "甲镇"
    assert re.fullmatch(r"1\d\d\.\d{5}, \d\d\.\d{5}", new.frame.iloc[0]["位置（经度，纬度）"])
    _clean(ps.site_summary_table(s))


def test_change_map_escapes_names_and_shifts_for_amap():
    ds = _dataset()
    ds.schools.loc[ds.schools["school_id"] == "A", "name"] = "<script>alert(1)</script>"
    res = sc.evaluate(ds, _CLOSE_A, capacity="enrolment")
    html = ps.change_map(ds, res, basemap=None).get_root().render()
    assert "<script>alert(1)</script>" not in html
    assert "\\u0026lt;script\\u0026gt;alert(1)" in html  # &lt;script&gt;… inside the JSON of the layer
    legend = [json.dumps(w)[1:-1] for w in ("关闭", "学生增减", "村居改到新学校")]  # the legend is JSON in a script
    assert all(w in html for w in legend)
    # the 高德 map draws in GCJ-02: B's point moves by a few hundred metres (about 0.005°)
    def first_point(h):
        return np.array([float(v) for v in re.search(r'"coordinates": \[([-\d.]+), ([-\d.]+)\], "type": "Point"', h).groups()])
    osm = first_point(ps.change_map(ds, res, basemap=None).get_root().render())
    amap = first_point(ps.change_map(ds, res, basemap="amap").get_root().render())
    assert 0.001 < np.abs(amap - osm).max() < 0.01


def test_cost_table_worked_extension_and_comparison_rows():
    # Enlarge A by 6 classrooms + 4 teachers: 450 ㎡ × 3 200 = 144 万元, 270 places × 2 000 = 54 万元
    # -> capital 198 万元; 4 × 11 万元 = 44 万元 a year (see tests/planning/test_scenarios.py).
    ds = _dataset()
    scn = {"name": "扩建甲", "edits": [{"type": "enlarge", "school": "A", "classrooms": 6,
                                      "teachers": {"专任教师": 4}}]}
    base, res = sc.evaluate(ds), sc.evaluate(ds, scn)
    t = ps.cost_table(res)
    rows = t.frame.set_index("调整项")
    assert rows.loc["建设投资（估算）合计", "估算金额（万元）"] == "198.00"
    assert rows.loc["每年运行费用（估算）合计", "估算金额（万元）"] == "44.00"
    first = t.frame.iloc[0]
    assert first["调整项"] == "扩建：甲小学（小学）" and first["费用项目"] == "校舍建设"
    assert first["数量"] == "450 ㎡" and first["单位造价"] == "3,200 元/㎡"
    assert "估算" in first["依据"] and "估算" in t.caption
    _clean(t)
    c = ps.comparison_table([base, res]).frame.set_index("指标")
    assert c.loc["建设投资（估算）（万元）"].tolist() == ["0.00", "198.00"]
    assert c.loc["每年运行费用（估算）（万元/年）"].tolist() == ["0.00", "44.00"]
    assert c.loc["转学的学生（人）"].tolist() == ["0", "0"]  # places added, nobody displaced
    assert c.loc["重新划片"].tolist() == ["—", "否"]


def test_cost_table_without_costs_says_so(results):
    _ds, _base, res = results
    t = ps.cost_table(res)
    assert t.empty and "没有估算费用" in t.notes[0]


def test_two_baselines_side_by_side():
    from jxedu.analysis.assessment import assess
    from jxedu.present import access

    a = assess(_dataset(classes=(1, 2)))  # A 1 class × 45 = 45 places: 45 of the 90 children go to B
    t = access.baselines_table(a)
    row = t.frame.iloc[0]
    # nearest: mean (30*500 + 30*500 + 30*1100) / 90 = 700 m. Capacity: A takes 45, the cheapest to
    # move are V3 (+300 m) 30 and 15 of V2 (+1500 m): (30*500 + 15*500 + 15*2000 + 30*1400) / 90 = 1050 m
    assert row["就近：平均距离（米）"] == "700" and row["按容量：平均距离（米）"] == "1,050"
    assert row["就近：超出步行距离（人）"] == "0" and row["按容量：超出步行距离（人）"] == "0"
    assert any(n.startswith("就近入学（最近学校）") for n in t.notes)
    assert any(n.startswith("按学位容量分配") for n in t.notes)
    _clean(t)
