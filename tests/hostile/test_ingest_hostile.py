"""Hostile and broken inputs to validate/load: personal data where it does not belong, a million blank
rows, broken boundary layers, a broken bus feed, schools that would silently drop out.

Every fixture is a folder of CSV files (the valid base set of tests/ingest/test_checks.py) with one
change; expected values are worked out from the fixture by hand.
"""

from __future__ import annotations

import json
import time

import jxedu
from jxedu.cli.commands import cli_validate
from jxedu.ingest.reader import validate_path
from jxedu.present.overview import problems_table
from tests.ingest.test_checks import STAGE_ROWS, csv_text, township_layer, write_set
from tests.ingest.test_gtfs import write_gtfs

TEACHERS_H = "教师编号,学校标识码,任教学段,任教学科,最高学历,骨干级别,持有教师资格证,出生年份,本校任教起始年份,备注"
ID = "370828198512120044"
PHONE = "13905371234"


def _everything_shown(report) -> list[str]:
    """Every text a planner sees of a check: validate's text and JSON, notebook 00's problem table."""
    return [report.to_text(), report.to_json(), report.to_frame().to_string(), problems_table(report).to_html()]


def test_note_starting_with_heji_is_not_a_total_and_is_never_echoed(tmp_path):
    rows = ["T001,3708280001,小学,语文,本科,县级,是,1985,2010,",
            f"T002,3708280001,小学,数学,本科,无,是,1985,2010,合计：褚晓红{ID}",  # a note, not a total row
            "T003,3708280001,小学,数学,本科,无,是,约1990,2012,"]                   # row 4: a bad year
    root = write_set(tmp_path, extra={"教师.csv": csv_text(TEACHERS_H, rows)})
    report = validate_path(root)
    assert not [p for p in report.problems if p.code == "total_row_skipped"]
    assert [(p.code, p.row) for p in report.errors] == [("text_in_number", 4)]
    for text in _everything_shown(report):
        assert ID not in text and "褚晓红" not in text
    ds = jxedu.load(root, strict=False)
    assert ds.teachers["teacher_id"].tolist() == ["T001", "T002", "T003"]  # no teacher dropped


def test_total_rows_are_found_in_the_id_and_name_columns(tmp_path):
    stage = [*STAGE_ROWS, "合计,,,2700,58,160,151,15,10,7,7"]  # 合计 in 学年 (a key column), row 6
    report = validate_path(write_set(tmp_path, stage=stage))
    (p,) = [p for p in report.problems if p.code == "total_row_skipped"]
    assert (p.row, p.column, p.value) == (6, "学年", "合计")
    assert report.ok


def test_id_and_phone_numbers_in_cells_are_masked(tmp_path):
    schools = ["3708280001,金乡县第一实验小学,小学,金乡街道,城区,116.30,35.07,GCJ02",
               f"3708280002,鸡黍镇中学,{PHONE},鸡黍镇,乡村,116.21,34.96,WGS84",
               "3708280003,胡集镇九年一贯制学校,九年一贯制学校,胡集镇,镇区,116.27,35.16,GCJ02"]
    stage = [*STAGE_ROWS[:3], "2024,3708280003,初中,37082819851212004X,6,20,19,2,1,1,1"]
    report = validate_path(write_set(tmp_path, schools=schools, stage=stage))
    got = {p.code: p for p in report.errors}
    assert got["unknown_category"].value == "［电话号码已隐去］" and got["unknown_category"].row == 3
    assert got["text_in_number"].value == "［身份证号已隐去］" and got["text_in_number"].row == 5
    for text in _everything_shown(report):
        assert PHONE not in text and "37082819851212004X" not in text


def test_a_million_blank_rows_are_no_rows(tmp_path):
    # 4 valid rows, then 1 000 000 rows of spaces and tabs only (as a broken export leaves them)
    text = csv_text("学年,学校标识码,学段,在校生数,班级数,专任教师数,高于规定学历教师数,县级以上骨干教师数,"
                    "体育专任教师数,音乐专任教师数,美术专任教师数", STAGE_ROWS) + " , ,\t, , , , , , , , \n" * 1_000_000
    root = write_set(tmp_path, extra={"学段统计.csv": text})
    start = time.perf_counter()
    report = validate_path(root)
    assert time.perf_counter() - start < 30  # about 1.5 s on one core
    assert report.problems == [] and report.summary() == "未发现问题 (no problems)。"


def test_the_header_counts_every_problem_found(tmp_path):
    # 120 extra rows, each with 在校生数 "abc" (text_in_number) and repeating row 2's key (duplicate_key):
    # 240 errors; 50 of each rule listed, 70 of each in one summary line
    stage = [*STAGE_ROWS, *["2024,3708280001,小学,abc,24,60,58,6,4,3,3"] * 120]
    report = validate_path(write_set(tmp_path, stage=stage))
    assert report.n_errors == 240 and len(report.problems) == 102
    assert report.summary().startswith("错误 240 处，警告 0 处（逐条列出 100 处，其余 140 处")
    obj = json.loads(report.to_json())
    assert (obj["errors"], obj["warnings"], obj["listed"]) == (240, 0, 102)
    assert sorted(p["count"] for p in obj["problems"] if p["count"] > 1) == [70, 70]


def _layer(features: list[dict]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def _town(name, geometry, **extra):
    return {"type": "Feature", "properties": {"镇街名称": name}, "geometry": geometry, **extra}


def test_bad_boundary_geometry_names_the_layer_and_feature(tmp_path):
    good = json.loads(township_layer({"金乡街道": (116.1, 34.85, 116.5, 35.25)}))["features"][0]
    bowtie = {"type": "Polygon", "coordinates": [[[116.1, 34.85], [116.5, 35.25], [116.5, 34.85], [116.1, 35.25],
                                                  [116.1, 34.85]]]}  # self-intersecting
    layer = _layer([good, _town("鸡黍镇", bowtie), _town("胡集镇", None)])
    report = validate_path(write_set(tmp_path, extra={"镇街边界.geojson": layer}))
    assert [(p.code, p.file) for p in report.errors] == [("empty_geometry", "镇街边界.geojson"),
                                                         ("bad_geometry", "镇街边界.geojson")]
    msgs = {p.code: p.message for p in report.errors}
    assert "镇街边界.geojson 第 2 个要素（镇街名称“鸡黍镇”）" in msgs["bad_geometry"]
    assert "边界自相交（Self-intersection），位置约 116.30000, 35.05000" in msgs["bad_geometry"]
    assert "第 3 个要素（镇街名称“胡集镇”）没有几何图形" in msgs["empty_geometry"]
    # the schools are not blamed: their coordinates are checked against the bundled county outline
    assert not [p for p in report.problems if p.code.startswith("coords_")]


def test_unclosed_ring_and_gdal_warnings_become_problems(tmp_path, capfd):
    ring = {"type": "Polygon", "coordinates": [[[116.1, 34.85], [116.5, 34.85], [116.5, 35.25], [116.1, 35.25]]]}
    report = validate_path(write_set(tmp_path / "a", extra={"镇街边界.geojson": _layer([_town("金乡街道", ring)])}))
    assert [(p.code, p.file) for p in report.errors] == [("bad_geometry", "镇街边界.geojson")]
    assert "环未闭合" in report.errors[0].message
    box = json.loads(township_layer({"x": (116.1, 34.85, 116.5, 35.25)}))["features"][0]["geometry"]
    twice = _layer([_town("金乡街道", box, id=1), _town("鸡黍镇", box, id=1)])  # GDAL: duplicate feature id
    report = validate_path(write_set(tmp_path / "b", extra={"镇街边界.geojson": twice}))
    (w,) = [p for p in report.problems if p.code == "library_warning"]
    assert w.file == "镇街边界.geojson" and "Several features with id = 1" in w.message
    assert capfd.readouterr().err == ""  # nothing reached stderr


def test_validate_fails_on_a_feed_without_stops(tmp_path, capsys):
    root = write_set(tmp_path)
    write_gtfs(root / "公交.zip", replace={"stops.txt": None})
    assert cli_validate(root, as_json=True) == 1
    obj = json.loads(capsys.readouterr().out)
    assert [(p["code"], p["file"], p["expected"]) for p in obj["problems"] if p["severity"] == "error"] == [
        ("missing_gtfs_file", "公交.zip", "stops.txt")]


def test_schools_with_classes_but_no_stage_stats_are_named(tmp_path):
    # 鸡黍镇中学 (3708280002) has a class in 2024 but no 学段统计 and no 办学条件 row
    from tests.ingest.test_checks import FAC_ROWS

    classes = "学年,学校标识码,学段,年级,班级名称,学生数\n2024,3708280002,初中,7,1班,40\n"
    root = write_set(tmp_path, stage=[r for r in STAGE_ROWS if ",3708280002," not in r],
                     fac=[r for r in FAC_ROWS if ",3708280002," not in r], extra={"班级.csv": classes})
    report = validate_path(root)
    (p,) = [p for p in report.problems if p.code == "stage_stats_missing"]
    assert (p.severity, p.file, p.row, p.value) == ("warning", "班级.csv", 2, "3708280002")
    assert p.message == ("学校“鸡黍镇中学”（3708280002）2024学年有“班级”数据，但没有“学段统计”和“办学条件”数据："
                         "该校不计入资源配置指标与差异系数")


def test_warnings_of_jxedu_code_are_not_hidden_as_problems():
    import warnings

    import pytest

    from jxedu.ingest.problems import ProblemSink
    from jxedu.ingest.reader import library_warnings

    sink = ProblemSink()
    with pytest.warns(FutureWarning, match="ours"):
        with library_warnings(sink, "x.csv"):
            # attributed to a file of the jxedu package, as pandas attributes its deprecations
            warnings.warn_explicit("ours", FutureWarning, jxedu.__file__, 1)
            warnings.warn_explicit("theirs", RuntimeWarning, "/site-packages/pyogrio/raw.py", 200)
    (p,) = sink.finish()
    assert (p.code, p.file) == ("library_warning", "x.csv") and "theirs" in p.message
