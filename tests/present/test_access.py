"""Tests of jxedu.present.access: the tables, sentences and chart of access to school and buses.

Fixtures (expected values worked out by hand in the modules named):

* ``border_county`` (the county of ``test_township_view_keeps_the_nearest_school_across_the_border`` in
  tests/analysis/test_access.py): 东镇 school A (0,0), villages P (500 m, 60 pupils) and Q (1800 m, 30
  pupils, its nearest school is B of 西镇 at 200 m); 西镇 school B (2000,0), village R (600 m from B,
  12 pupils). Straight lines (no roads).
* the bus county of tests/analysis/test_bus.py (甲镇 132 pupils, 72 beyond walking distance, 30
  covered; 乙镇 18, 12 beyond, 12 covered).
* the six-school county of tests/present/test_maps.py.
* the demo data: every 镇街's figures must be the county-wide rows of that 镇街.
"""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import jxedu  # noqa: E402
from jxedu.core.dataset import Dataset  # noqa: E402
from jxedu.core.errors import DataError  # noqa: E402
from jxedu.core.settings import get_settings  # noqa: E402
from jxedu.present import access  # noqa: E402
from jxedu.present import style as plotting  # noqa: E402
from jxedu.present.tables import Table  # noqa: E402
from tests.analysis.test_bus import make_ds, points_frame, village, write_feed  # noqa: E402
from tests.present.test_maps import make_dataset  # noqa: E402

#: What no cell of a planner's table may show.
RAW = re.compile(r"^(nan|NaN|None|True|False|<NA>|NaT)$|…")


def rows(t: Table) -> list[list[str]]:
    return t.frame.to_numpy().tolist()


def assert_presentable(t: Table) -> None:
    """Chinese headers (units in brackets may hold ``%``), text cells, nothing raw."""
    for h in t.frame.columns:
        assert not re.search(r"[A-Za-z_]", h), h
    for row in rows(t):
        for cell in row:
            assert isinstance(cell, str) and not RAW.search(cell), cell


def border_county() -> Dataset:
    schools = points_frame([
        {"school_id": "A", "name": "东镇小学", "school_type": "primary", "township": "东镇",
         "urban_rural": "rural", "x": 0, "y": 0},
        {"school_id": "B", "name": "西镇小学", "school_type": "primary", "township": "西镇",
         "urban_rural": "rural", "x": 2000, "y": 0},
    ])
    villages = points_frame([village("P", "东镇", 500, 0, 10), village("Q", "东镇", 1800, 0, 5),
                             village("R", "西镇", 2600, 0, 2)])
    ss = pd.DataFrame({"year": [2024, 2024], "school_id": ["A", "B"], "stage": ["primary"] * 2,
                       "students": [200, 150]})
    return Dataset(source=None, schools=schools, stage_stats=ss, villages=villages,
                   facilities=pd.DataFrame({"year": [], "school_id": []}), meta={"县名": "金乡县"})


@pytest.fixture(scope="module")
def border():
    # walking limit 1 km for 小学 (a setting): Q (1800 m) is beyond it, P (500 m) and R (600 m) are not
    s = get_settings(walk_limit_m={"primary": 1000.0, "junior": 3000.0})
    return jxedu.assess(border_county(), settings=s)


# --- distances and 就近入学 -------------------------------------------------------------------------


def test_nearby_table_of_a_township_is_its_county_row(border):
    east = access.nearby_table(border.township("东镇"), "primary")
    assert_presentable(east)
    assert list(east.frame.columns) == ["村居（个）", "学龄人口（人）", "划片学校即最近学校的学龄人口（人）", "就近入学比例（%）"]
    # P (60) goes to its nearest school, Q (30) does not: 60 / 90 = 66.7 %
    assert rows(east) == [["2", "90", "60", "66.7%"]]
    county = access.nearby_table(border, "primary")
    # 西镇 12 / 12; county (60 + 12) / 102 = 70.6 %
    assert rows(county) == [["东镇", "2", "90", "60", "66.7%"], ["西镇", "1", "12", "12", "100.0%"],
                            ["全县", "3", "102", "72", "70.6%"]]
    assert east.caption == "金乡县东镇小学就近入学比例"


def test_distance_table_and_headline(border):
    t = access.distance_table(border.township("东镇"), "primary")
    assert_presentable(t)
    # mean (60 x 500 + 30 x 1800) / 90 = 933 m; median (45th pupil) 500 m; p90 (81st) 1800 m;
    # beyond 1 km: Q's 30 of 90 = 33.3 %
    assert rows(t) == [["2", "90", "0.9", "0.5", "1.8", "1.8", "30", "33.3%"]]
    assert t.frame.columns[2] == "平均距离（公里）"
    assert "步行距离上限 1 公里（规划假设）。" in t.notes
    assert t.caption == "金乡县东镇小学学龄人口到划片学校的距离（直线距离）"
    assert access.access_headline(border.township("东镇"), "primary") == (
        "小学：村居 2 个，学龄人口 90 人；超出步行距离（1 公里，按直线距离）的村居 1 个、学龄人口 30 人（33.3%）；就近入学比例 66.7%"
    )


def test_beyond_walk_table(border):
    t = access.beyond_walk_table(border, "primary")
    assert_presentable(t)
    assert list(t.frame.columns) == ["镇街", "村居", "学龄人口（人）", "划片学校", "到划片学校距离（米）",
                                     "划片学校在本镇街外"]
    assert rows(t) == [["东镇", "Q村", "30", "东镇小学", "1,800", "否"]]
    # a 镇街's table has no 镇街 column; 西镇 has nobody beyond 1 km
    west = access.beyond_walk_table(border.township("西镇"), "primary")
    assert west.empty and west.notes[0] == "没有超出步行距离的村居。" and "镇街" not in west.frame.columns


def test_assumptions_come_from_the_settings(border):
    t = access.assumptions_table(border)
    assert_presentable(t)
    values = dict(zip(t.frame["项目"], t.frame["取值"], strict=True))
    assert values["小学步行距离上限"] == "1 公里" and values["初中步行距离上限"] == "3 公里"
    assert values["村居到校车站点的步行距离"] == "800 米" and values["学校站点半径"] == "300 米"
    assert values["小学学龄人口"] == "6–11 岁" and values["距离计算方法"] == "直线距离"
    assert access.walk_limits_note(border) == "步行距离上限（规划假设，可在设置中修改）：小学 1 公里、初中 3 公里。"


def test_distance_chart_marks_the_walking_limit(border, tmp_path):
    fig = access.distance_chart(border.township("东镇"), "primary")
    ax = fig.axes[0]
    assert fig.get_suptitle() == "金乡县东镇小学学龄人口到划片学校的距离（直线距离）"
    # the step reaches 60 / 90 = 66.7 % at 0.5 km and 100 % at 1.8 km; the limit is drawn at 1 km
    x, y = ax.lines[0].get_data()
    assert list(x) == pytest.approx([0.0, 0.5, 1.8]) and list(y) == pytest.approx([0.0, 200 / 3, 100.0])
    assert list(ax.lines[1].get_xdata()) == [1.0, 1.0]
    plotting.savefig(fig, tmp_path / "chart.png", dpi=50)  # Chinese glyphs: warnings are errors


def test_unknown_stage_is_named(border):
    with pytest.raises(DataError, match="bad_stage"):
        access.distance_table(border, "senior")


def test_missing_villages_give_a_note_not_a_zero():
    a = jxedu.assess(make_dataset())  # no 村居 table
    t = access.distance_table(a, "primary")
    assert t.empty and "missing_table" in t.notes[0] and "村居" in t.notes[0]
    assert "missing_table" in access.access_headline(a, "primary")
    assert access.coverage_table(a, "junior").empty


# --- schools ------------------------------------------------------------------------------------


def test_school_counts_and_headline():
    a = jxedu.assess(make_dataset())
    t = access.school_counts_table(a)
    assert_presentable(t)
    assert list(t.frame.columns) == ["镇街", "小学（所）", "初中（所）", "一贯制学校（所）", "教学点（所）", "学校（所）",
                                     "义务教育在校生（人）"]
    # 金乡街道: S1 小学 1200, S2 初中 2100, S5 完全中学 (一贯制) 初中 900; 鸡黍镇: S6 小学 (no statistics),
    # S3 九年一贯制 400 + 300, S4 教学点 40
    assert rows(t) == [["金乡街道", "1", "1", "1", "0", "3", "4,200"], ["鸡黍镇", "1", "0", "1", "1", "3", "740"],
                       ["全县", "2", "1", "2", "1", "6", "4,940"]]
    assert access.layout_headline(a.township("鸡黍镇")) == (
        "2024学年 金乡县鸡黍镇：学校 3 所（小学 1 所、初中 0 所、一贯制学校 1 所、教学点 1 所），义务教育在校生 740 人"
    )


def test_school_table_of_a_township_and_caps_of_the_standard():
    a = jxedu.assess(make_dataset())
    t = access.school_table(a.township("鸡黍镇"))
    assert sorted(t["school_id"]) == ["S3", "S4", "S6"] and t.attrs["year"] == 2024
    # 2000 students is the cap of a 小学/初中, 2500 of a 九年一贯制; a 完全中学 has the single-stage cap
    assert access.enrolment_bands([2000, 2001, 2500, 2001], ["primary", "primary", "nine_year", "complete_middle"],
                                  [True] * 4).tolist() == ["large", "over", "large", "over"]
    assert access.band_labels()["over"] == "超过规模上限（2,000人；九年/十二年一贯制2,500人）"


# --- buses --------------------------------------------------------------------------------------


@pytest.fixture
def buses(tmp_path):
    return jxedu.assess(make_ds(write_feed(tmp_path / "公交")))


def test_route_stop_and_ride_tables(buses):
    r = access.route_table(buses.township("甲镇"))
    assert_presentable(r)
    # R1: 4 trips, stops P1 P2 Q1 P3; t1a's stops hypot(2000, 500) + hypot(2000, 200) = 4071.5 m
    assert rows(r) == [["助学1路", "东岗—甲镇小学", "4", "4", "甲镇小学", "4.1"]]
    s = access.stop_table(buses.township("乙镇"))
    assert sorted(rows(s)) == [["乙北站", "助学2路", "1"], ["乙镇小学站", "助学2路", "1"], ["西湖站", "助学2路", "1"]]
    t = access.ride_time_table(buses.township("乙镇"))
    assert_presentable(t)
    assert list(t.frame.columns) == ["线路", "站点", "学校", "发车时间", "到校时间", "乘车时间（分钟）", "乘车距离（公里）",
                                     "乘车时间为估算"]
    # P4 07:00 -> Q2 07:40 (40 min, hypot(14000, 2100) + 2250 m = 16.4 km); P5 07:30 -> 07:40 (2.25 km)
    assert rows(t) == [["助学2路", "西湖站", "乙镇小学", "07:00", "07:40", "40.0", "16.4", "否"],
                       ["助学2路", "乙北站", "乙镇小学", "07:30", "07:40", "10.0", "2.3", "否"]]
    assert access.bus_headline(buses.township("甲镇")) == "本县甲镇：校车线路 1 条，站点 4 个，服务本镇街学校 1 所"


def test_coverage_tables_and_headline(buses):
    c = access.coverage_table(buses, "primary")
    assert_presentable(c)
    # 乙镇 18 pupils, beyond V5 12, covered 12; 甲镇 132, beyond V2 V3 V4 = 72, covered V2 30 (30 / 72 =
    # 41.7 %), uncovered 42 in V3, V4; county 150, 84, 42 (50.0 %). 镇街 by name (乙 U+4E59 < 甲 U+7532)
    assert rows(c) == [["乙镇", "2", "18", "1", "12", "12", "100.0%", "0", "0"],
                       ["甲镇", "4", "132", "3", "72", "30", "41.7%", "42", "2"],
                       ["全县", "6", "150", "4", "84", "42", "50.0%", "42", "2"]]
    assert access.coverage_headline(buses.township("乙镇"), "primary") == (
        "小学：学龄人口 18 人，超出步行距离 12 人（1 个村居），其中校车覆盖 12 人（100.0%），未覆盖 0 人（0 个村居）"
    )
    u = access.uncovered_table(buses.township("甲镇"), "primary")
    assert_presentable(u)
    assert rows(u) == [["V3村", "24", "甲镇小学", "5,000", "北洼站", "1,000"],
                       ["V4村", "18", "甲镇小学", "4,000", "西湖站", "300"]]
    assert list(u.frame.columns)[-1] == "到最近站点距离（米）"
    assert access.uncovered_table(buses.township("乙镇"), "primary").notes[0] == "超出步行距离的村居都有校车覆盖。"
    note = access.coverage_rule_note(buses)
    assert "距学校 300 米以内" in note and "800 米以内有站点" in note


# --- every 镇街 of the demo data: the county-wide rows, filtered --------------------------------------


@pytest.fixture(scope="module")
def demo(demo_dir):
    return jxedu.assess(jxedu.load(demo_dir))


def _row_of(t: Table, township: str) -> list[str]:
    (row,) = [r[1:] for r in rows(t) if r[0] == township]
    return row


@pytest.mark.parametrize("stage", ["primary", "junior"])
def test_township_tables_equal_the_county_rows(demo, stage):
    for name in demo.townships:
        view = demo.township(name)
        for make in (access.nearby_table, access.distance_table, access.coverage_table):
            county, own = make(demo, stage), make(view, stage)
            assert rows(own) == [_row_of(county, name)], (make.__name__, name)
        # the frame behind the table: the county-wide frame filtered to the 镇街
        share = demo.nearby_share(stage)
        assert view.nearby_share(stage).to_dict("records") == share[share["township"] == name].to_dict("records")
        acc = demo.access(stage)
        assert view.access(stage)["village_id"].tolist() == acc.loc[acc["township"] == name, "village_id"].tolist()
        unc = [r for r in rows(access.uncovered_table(demo, stage, max_rows=None)) if r[0] == name]
        assert rows(access.uncovered_table(view, stage, max_rows=None)) == [r[1:] for r in unc]
        assert access.key_figures(view).set_index("stage").loc[stage, "nearby_share"] == \
            share.set_index("township").loc[name, "nearby_share"]


def test_demo_tables_are_presentable(demo):
    view = demo.township(demo.townships[0])
    for scope in (demo, view):
        for t in (access.assumptions_table(scope), access.school_counts_table(scope), access.route_table(scope),
                  access.stop_table(scope), access.ride_time_table(scope), access.key_figures_table(scope),
                  access.catchment_table(scope, "junior"), access.beyond_walk_table(scope, "junior")):
            assert_presentable(t)
