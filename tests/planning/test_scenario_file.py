"""Tests of jxedu.planning.scenario_file: the YAML format, its Chinese keys and line-numbered errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pyproj import Transformer

from jxedu.core.coords import wgs84_to_gcj02
from jxedu.core.errors import ScenarioError
from jxedu.planning import scenario_file as sf


def _write(tmp_path, text: str) -> Path:
    p = tmp_path / "bad.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_chinese_and_english_keys_mean_the_same(tmp_path):
    zh = sf.load_scenario(_write(tmp_path, "名称: 甲\n基准学年: 2024\n调整:\n  - 类型: 撤并\n    学校: 0012\n    并入: B\n"
                                           "    保留校区: 是\n"))
    en = sf.parse_scenario({"name": "甲", "base_year": "2024-2025",
                            "edits": [{"type": "merge", "school": "0012", "into": "B", "keep_campus": True}]})
    assert zh.name == en.name == "甲"
    assert zh.base_year == en.base_year == 2024  # "2024-2025" is read as the year it starts
    assert zh.edits[0].kind == en.edits[0].kind == "merge"
    # a YAML int keeps its spelling: the id 0012 stays "0012", not 12
    assert zh.edits[0].fields == en.edits[0].fields == {"school": "0012", "into": "B", "keep_campus": True}
    assert zh.edits[0].line == 4 and zh.edits[0].lines["into"] == 6


def test_folded_chinese_description_has_no_stray_spaces(tmp_path):
    # YAML's ">-" joins wrapped lines with a space: between Chinese text it is dropped, between
    # Latin words kept
    scn = sf.load_scenario(_write(tmp_path, "名称: t\n说明: >-\n  关闭该教学点，\n  学生分流 to the\n  nearest school。\n调整: []\n"))
    assert scn.description == "关闭该教学点，学生分流 to the nearest school。"


def test_yaml_error_names_file_and_line(tmp_path):
    p = _write(tmp_path, "名称: 测试\n调整:\n  - 类型: 关闭\n    学校: A\n  - 类型: 拆除\n    学校: B\n")
    with pytest.raises(ScenarioError, match=r"bad\.yaml 第5行.*unknown_edit_type.*拆除"):
        sf.load_scenario(p)


def test_yaml_bad_values(tmp_path):
    p = _write(tmp_path, "name: t\nedits:\n  - type: open\n    lon: 116.3\n    lat: 35.0\n    capacity: -5\n")
    with pytest.raises(ScenarioError, match=r"第6行.*not_positive"):
        sf.load_scenario(p)
    p = _write(tmp_path, "name: t\nedits:\n  - type: open\n    lon: 35.0\n    lat: 116.3\n    capacity: 5\n")
    with pytest.raises(ScenarioError, match=r"第4行.*bad_coordinates"):
        sf.load_scenario(p)
    p = _write(tmp_path, "name: t\nedits:\n  - type: open\n    lon: 116.3\n    lat: 35.0\n    crs: XY\n    capacity: 5\n")
    with pytest.raises(ScenarioError, match=r"第6行.*bad_crs"):
        sf.load_scenario(p)
    p = _write(tmp_path, "name: t\nedits:\n  - type: close\n")
    with pytest.raises(ScenarioError, match=r"第3行.*missing_field.*school"):
        sf.load_scenario(p)
    p = _write(tmp_path, "name: t\nedits:\n  - type: close\n    school: A\n    school: B\n")
    with pytest.raises(ScenarioError, match=r"键重复 \(yaml_duplicate_key\): 方案文件 bad\.yaml 第5行"):
        sf.load_scenario(p)


def test_empty_name_is_named_with_its_line(tmp_path):
    p = _write(tmp_path, "说明: 试一试\n名称:\n调整: []\n")
    with pytest.raises(ScenarioError, match=r"bad\.yaml 第2行：方案名称不能为空 \(empty_name\)"):
        sf.load_scenario(p)
    p = _write(tmp_path, "名称: '  '\n调整: []\n")
    with pytest.raises(ScenarioError, match=r"第1行：方案名称不能为空"):
        sf.load_scenario(p)


def test_scenario_file_is_read_within_limits(tmp_path):
    # the alias bomb and a code-running tag are refused with the file and line, as for settings files
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    p = _write(tmp_path, bomb)
    with pytest.raises(ScenarioError, match=r"yaml_too_large.*方案文件 bad\.yaml"):
        sf.load_scenario(p)
    p = _write(tmp_path, "名称: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(ScenarioError, match=r"yaml_unsupported_tag.*第1行"):
        sf.load_scenario(p)


def test_unknown_key_names_what_the_type_accepts(tmp_path):
    p = _write(tmp_path, "name: t\nedits:\n  - type: close\n    school: A\n    教室: 3\n")
    with pytest.raises(ScenarioError, match=r"第5行：“关闭”不接受项目 \(unknown_key\): classrooms"):
        sf.load_scenario(p)


def test_missing_file_is_a_named_error():
    with pytest.raises(ScenarioError, match="scenario_not_found"):
        sf.load_scenario("no_such_scenario")


def test_gcj02_point_is_converted():
    scn = sf.parse_scenario({"name": "t", "edits": [{"type": "open", "lon": 116.3128, "lat": 35.0701,
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
    glon, glat = wgs84_to_gcj02(f["lon"], f["lat"])
    x3, y3 = fwd.transform(float(glon), float(glat))
    assert np.hypot(x3 - x1, y3 - y1) < 1.0  # metres


def test_new_school_type_follows_its_stages():
    two = sf.parse_scenario({"name": "t", "edits": [{"type": "open", "lon": 116.3, "lat": 35.0, "学段": ["小学", "初中"],
                                                      "capacity": {"小学": 900, "初中": 600}}]})
    assert two.edits[0].fields["school_type"] == "nine_year"
    assert two.edits[0].fields["capacity"] == {"primary": 900.0, "junior": 600.0}
    with pytest.raises(ScenarioError, match="bad_school_type"):
        sf.parse_scenario({"name": "t", "edits": [{"type": "open", "lon": 116.3, "lat": 35.0, "学段": "初中",
                                                    "办学类型": "小学", "capacity": 5}]})


def test_stops_are_villages_or_points():
    scn = sf.parse_scenario({"name": "t", "edits": [{"type": "add_route", "schools": ["A"],
                                                      "stops": ["370828001", {"经度": 116.3, "纬度": 35.0}]}]})
    stops = scn.edits[0].fields["stops"]
    assert stops[0][0] == "370828001"
    assert stops[1][:2] == pytest.approx((116.3, 35.0))  # WGS-84 given: unchanged


def test_shipped_examples_parse():
    files = sf.list_scenarios()
    assert len(files) >= 3
    for f in files:
        scn = sf.load_scenario(f)
        assert scn.edits and scn.name and not scn.is_baseline
