"""Tests of jxedu.ingest.checks: one small malformed fixture per rule.

Every fixture is a folder of CSV files written in ``tmp_path`` from the valid base set below, with
one change. Row numbers are as Excel shows them: the header is row 1, the first data row is row 2
(one more for each title row above the header).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from jxedu.cli.commands import cli_validate
from jxedu.core.schema import FACILITIES, STAGE_STATS
from jxedu.ingest.checks import match_header
from jxedu.ingest.problems import MAX_PER_GROUP, Problem, ValidationReport
from jxedu.ingest.reader import validate_path

SCHOOLS_H = "学校标识码,学校名称,办学类型,所属镇街,城乡分类,经度,纬度,坐标系"
SCHOOLS_ROWS = [
    "3708280001,金乡县第一实验小学,小学,金乡街道,城区,116.30,35.07,GCJ02",  # row 2
    "3708280002,鸡黍镇中学,初中,鸡黍镇,乡村,116.21,34.96,WGS84",  # row 3
    "3708280003,胡集镇九年一贯制学校,九年一贯制学校,胡集镇,镇区,116.27,35.16,GCJ02",  # row 4
]
STAGE_H = ("学年,学校标识码,学段,在校生数,班级数,专任教师数,高于规定学历教师数,县级以上骨干教师数,"
           "体育专任教师数,音乐专任教师数,美术专任教师数")
STAGE_ROWS = [
    "2024,3708280001,小学,1200,24,60,58,6,4,3,3",  # row 2
    "2024,3708280002,初中,800,16,55,50,5,3,2,2",  # row 3
    "2024,3708280003,小学,400,12,25,24,2,2,1,1",  # row 4
    "2024,3708280003,初中,300,6,20,19,2,1,1,1",  # row 5
]
FAC_H = "学年,学校标识码,教学及辅助用房面积,室内体育用房面积,运动场地面积,教学仪器设备值（万元）,网络多媒体教室数"
FAC_ROWS = [
    "2024,3708280001,9000,600,12000,300,30",
    "2024,3708280002,8000,500,10000,250,20",
    "2024,3708280003,6000,0,8000,150,18",
]


META_H = "项目,内容"
META_ROWS = ["县名,金乡县", "行政区划代码,370828"]


def csv_text(header: str, rows: list[str]) -> str:
    return "\n".join([header, *rows]) + "\n"


def write_set(root: Path, *, schools=None, stage=None, fac=None, extra: dict | None = None,
              encoding: str = "utf-8") -> Path:
    """Write the base set into ``root`` with replaced rows/texts; ``extra`` maps file name -> text,
    bytes or None (None deletes that file)."""
    root.mkdir(parents=True, exist_ok=True)
    files = {
        "学校.csv": csv_text(SCHOOLS_H, SCHOOLS_ROWS if schools is None else schools),
        "学段统计.csv": csv_text(STAGE_H, STAGE_ROWS if stage is None else stage),
        "办学条件.csv": csv_text(FAC_H, FAC_ROWS if fac is None else fac),
        # the county named, with its 行政区划代码: coordinates are checked against 金乡's shipped outline
        "说明.csv": csv_text(META_H, META_ROWS),
    }
    files.update(extra or {})
    for name, content in files.items():
        if content is None:
            continue
        p = root / name
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding=encoding)
    return root


def only(report: ValidationReport, code: str) -> Problem:
    """The single problem with ``code``."""
    found = [p for p in report.problems if p.code == code]
    assert len(found) == 1, report.to_text()
    return found[0]


def where(p: Problem) -> tuple:
    return (p.severity, p.code, p.file, p.sheet, p.row, p.column)


# --- the valid base -----------------------------------------------------------------------------


def test_valid_base_set_has_no_problem(tmp_path):
    report = validate_path(write_set(tmp_path))
    assert report.problems == [], report.to_text()
    assert report.ok


# --- tables and files ----------------------------------------------------------------------------


def test_missing_required_table(tmp_path):
    root = write_set(tmp_path)
    (root / "办学条件.csv").unlink()
    p = only(validate_path(root), "missing_table")
    assert where(p) == ("error", "missing_table", None, None, None, None)
    assert p.expected == "办学条件"
    assert "办学条件" in p.message


def test_missing_column(tmp_path):
    header = STAGE_H.replace(",班级数", "")
    rows = [",".join(r.split(",")[:4] + r.split(",")[5:]) for r in STAGE_ROWS]
    report = validate_path(write_set(tmp_path, extra={"学段统计.csv": csv_text(header, rows)}))
    p = only(report, "missing_column")
    assert where(p) == ("error", "missing_column", "学段统计.csv", None, None, "班级数")
    # the table is reported once, not also as a missing table
    assert not [q for q in report.problems if q.code == "missing_table"]


def test_zero_byte_csv(tmp_path):
    report = validate_path(write_set(tmp_path, extra={"学校.csv": b""}))
    p = only(report, "empty_file")
    assert where(p) == ("error", "empty_file", "学校.csv", None, None, None)


def test_png_renamed_xlsx(tmp_path):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(40)
    root = write_set(tmp_path, extra={"学段统计.xlsx": png})
    (root / "学段统计.csv").unlink()
    report = validate_path(root)
    p = only(report, "unreadable_file")
    assert where(p) == ("error", "unreadable_file", "学段统计.xlsx", None, None, None)


def test_header_only_required_table_is_empty(tmp_path):
    report = validate_path(write_set(tmp_path, fac=[]))
    p = only(report, "empty_table")
    assert where(p) == ("error", "empty_table", "办学条件.csv", None, None, None)


def test_path_not_found_is_a_problem(tmp_path):
    report = validate_path(tmp_path / "没有这个文件夹")
    assert [p.code for p in report.problems] == ["path_not_found"]
    assert not report.ok


# --- cells ---------------------------------------------------------------------------------------


def test_text_in_number_reports_the_cell(tmp_path):
    stage = list(STAGE_ROWS)
    stage[1] = "2024,3708280002,初中,约40,16,55,50,5,3,2,2"  # second data row = Excel row 3
    p = only(validate_path(write_set(tmp_path, stage=stage)), "text_in_number")
    assert where(p) == ("error", "text_in_number", "学段统计.csv", None, 3, "在校生数")
    assert p.value == "约40"
    assert p.expected == "非负整数"
    assert str(p) == "错误 [text_in_number] 学段统计.csv 第3行 列“在校生数”：值“约40”不是数字，应为非负整数"


def test_full_width_digits_and_spaces_are_numbers(tmp_path):
    stage = list(STAGE_ROWS)
    stage[0] = "2024,3708280001,小学,１２００,\" 24 \",60,58,6,4,3,3"
    report = validate_path(write_set(tmp_path, stage=stage))
    assert report.problems == [], report.to_text()


def test_negative_count(tmp_path):
    stage = list(STAGE_ROWS)
    stage[2] = "2024,3708280003,小学,400,-2,25,24,2,2,1,1"  # Excel row 4
    p = only(validate_path(write_set(tmp_path, stage=stage)), "negative_count")
    assert where(p) == ("error", "negative_count", "学段统计.csv", None, 4, "班级数")
    assert p.value == "-2"


def test_fraction_in_count(tmp_path):
    stage = list(STAGE_ROWS)
    stage[0] = "2024,3708280001,小学,1200.5,24,60,58,6,4,3,3"
    p = only(validate_path(write_set(tmp_path, stage=stage)), "not_integer")
    assert where(p) == ("error", "not_integer", "学段统计.csv", None, 2, "在校生数")


def test_part_larger_than_whole(tmp_path):
    stage = list(STAGE_ROWS)
    stage[0] = "2024,3708280001,小学,1200,24,60,62,6,4,3,3"  # 高于规定学历教师数 62 > 专任教师数 60
    p = only(validate_path(write_set(tmp_path, stage=stage)), "part_exceeds_whole")
    assert where(p) == ("error", "part_exceeds_whole", "学段统计.csv", None, 2, "高于规定学历教师数")
    assert p.value == "62"
    assert p.expected == "不大于“专任教师数”（60）"
    assert p.message == "值“62”大于同一行的“专任教师数”（60），部分不能多于总数"


def test_indoor_sports_area_larger_than_teaching_area(tmp_path):
    fac = list(FAC_ROWS)
    fac[2] = "2024,3708280003,6000,6500,8000,150,18"
    p = only(validate_path(write_set(tmp_path, fac=fac)), "part_exceeds_whole")
    assert where(p) == ("error", "part_exceeds_whole", "办学条件.csv", None, 4, "室内体育用房面积")


def test_duplicate_key(tmp_path):
    stage = [*STAGE_ROWS, "2024-2025,3708280002,初中,810,16,55,50,5,3,2,2"]  # row 6 repeats row 3
    p = only(validate_path(write_set(tmp_path, stage=stage)), "duplicate_key")
    assert where(p) == ("error", "duplicate_key", "学段统计.csv", None, 6, "学年、学校标识码、学段")
    assert p.expected == "唯一（与第3行重复）"


def test_unknown_school_reference(tmp_path):
    stage = [*STAGE_ROWS, "2024,3708289999,小学,100,4,8,8,1,1,1,1"]  # row 6
    p = only(validate_path(write_set(tmp_path, stage=stage)), "unknown_reference")
    assert where(p) == ("error", "unknown_reference", "学段统计.csv", None, 6, "学校标识码")
    assert p.value == "3708289999"


def test_unknown_category_lists_allowed_values(tmp_path):
    schools = list(SCHOOLS_ROWS)
    schools[1] = "3708280002,鸡黍镇中学,高级中学,鸡黍镇,乡村,116.21,34.96,WGS84"
    p = only(validate_path(write_set(tmp_path, schools=schools)), "unknown_category")
    assert where(p) == ("error", "unknown_category", "学校.csv", None, 3, "办学类型")
    assert p.value == "高级中学"
    assert p.expected == "小学、初中、九年一贯制学校、十二年一贯制学校、完全中学、教学点"


def test_category_aliases_are_accepted(tmp_path):
    schools = list(SCHOOLS_ROWS)
    schools[2] = "3708280003,胡集镇九年一贯制学校,九年一贯制,胡集镇,镇区,116.27,35.16,GCJ-02"
    report = validate_path(write_set(tmp_path, schools=schools))
    assert report.problems == [], report.to_text()


def test_missing_required_value(tmp_path):
    schools = list(SCHOOLS_ROWS)
    schools[0] = "3708280001,,小学,金乡街道,城区,116.30,35.07,GCJ02"
    p = only(validate_path(write_set(tmp_path, schools=schools)), "missing_value")
    assert where(p) == ("error", "missing_value", "学校.csv", None, 2, "学校名称")


def test_year_out_of_bounds_and_invalid(tmp_path):
    stage = list(STAGE_ROWS)
    stage[0] = "1985," + stage[0].split(",", 1)[1]  # below min 1990
    stage[1] = "2024-2026," + stage[1].split(",", 1)[1]  # not one school year
    report = validate_path(write_set(tmp_path, stage=stage))
    p = only(report, "year_out_of_range")
    assert where(p) == ("error", "year_out_of_range", "学段统计.csv", None, 2, "学年")
    q = only(report, "invalid_year")
    assert where(q) == ("error", "invalid_year", "学段统计.csv", None, 3, "学年")


def test_school_year_spellings(tmp_path):
    stage = list(STAGE_ROWS)
    for i, y in enumerate(["2024-2025", "2024学年", "2024—2025学年", " 2024 "]):
        stage[i] = y + "," + stage[i].split(",", 1)[1]
    fac = list(FAC_ROWS)
    report = validate_path(write_set(tmp_path, stage=stage, fac=fac))
    assert report.problems == [], report.to_text()


# --- coordinates ---------------------------------------------------------------------------------


def test_coordinates_outside_county(tmp_path):
    schools = list(SCHOOLS_ROWS)
    schools[1] = "3708280002,鸡黍镇中学,初中,鸡黍镇,乡村,117.50,36.00,WGS84"  # near Tai'an, not 金乡
    p = only(validate_path(write_set(tmp_path, schools=schools)), "coords_outside_county")
    assert where(p) == ("error", "coords_outside_county", "学校.csv", None, 3, "经度、纬度")


def test_coordinates_swapped(tmp_path):
    schools = list(SCHOOLS_ROWS)
    schools[0] = "3708280001,金乡县第一实验小学,小学,金乡街道,城区,35.07,116.30,GCJ02"
    report = validate_path(write_set(tmp_path, schools=schools))
    p = only(report, "coords_swapped")
    assert where(p) == ("error", "coords_swapped", "学校.csv", None, 2, "经度、纬度")
    assert "填反" in p.message
    assert not [q for q in report.problems if q.code in ("out_of_range", "coords_outside_county")]


def test_one_kilometre_buffer_around_the_county(tmp_path):
    # The outline's southernmost vertex is (116.409772, 34.852958) GCJ-02, its minimum latitude.
    # 0.0045° of latitude ≈ 500 m: 500 m south of it is inside the 1 km buffer; 0.02° ≈ 2.2 km is not.
    schools = list(SCHOOLS_ROWS)
    schools[0] = "3708280001,金乡县第一实验小学,小学,金乡街道,城区,116.409772,34.848458,GCJ02"
    schools[1] = "3708280002,鸡黍镇中学,初中,鸡黍镇,乡村,116.409772,34.832958,GCJ02"
    report = validate_path(write_set(tmp_path, schools=schools))
    assert [(p.code, p.row) for p in report.errors] == [("coords_outside_county", 3)]


def _box(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def township_layer(names_boxes: dict[str, tuple]) -> str:
    feats = [{"type": "Feature", "properties": {"镇街名称": n}, "geometry": _box(*b)} for n, b in names_boxes.items()]
    return json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False)


def test_township_not_in_boundaries_is_a_warning(tmp_path):
    layer = township_layer({"金乡街道": (116.1, 35.0, 116.5, 35.25), "鸡黍镇": (116.1, 34.85, 116.5, 35.0)})
    report = validate_path(write_set(tmp_path, extra={"镇街边界.geojson": layer}))
    p = only(report, "unknown_township")
    assert where(p) == ("warning", "unknown_township", "学校.csv", None, 4, "所属镇街")
    assert p.value == "胡集镇"
    assert report.ok  # a warning only


def test_outline_from_boundaries_replaces_the_bundled_one(tmp_path):
    # a boundary layer covering only the south: the 胡集 school (35.16 N, ~10 km north of 35.05) is outside
    layer = township_layer({"金乡街道": (116.1, 34.85, 116.5, 35.05), "鸡黍镇": (116.1, 35.05, 116.3, 35.09),
                            "胡集镇": (116.3, 35.05, 116.5, 35.09)})
    report = validate_path(write_set(tmp_path, extra={"镇街边界.geojson": layer}))
    assert [(p.code, p.row) for p in report.errors] == [("coords_outside_county", 4)]


# --- plausibility warnings -----------------------------------------------------------------------


def test_stage_the_school_type_does_not_teach(tmp_path):
    stage = [*STAGE_ROWS, "2024,3708280002,小学,50,2,4,4,0,0,0,0"]  # 初中 school with a 小学 row, row 6
    report = validate_path(write_set(tmp_path, stage=stage))
    p = only(report, "stage_not_taught")
    assert where(p) == ("warning", "stage_not_taught", "学段统计.csv", None, 6, "学段")
    assert p.expected == "初中所设学段：初中"
    assert report.ok


def test_students_without_classes(tmp_path):
    stage = list(STAGE_ROWS)
    stage[3] = "2024,3708280003,初中,300,0,20,19,2,1,1,1"
    p = only(validate_path(write_set(tmp_path, stage=stage)), "students_without_classes")
    assert where(p) == ("warning", "students_without_classes", "学段统计.csv", None, 5, "班级数")


def test_facilities_missing_for_a_school_year(tmp_path):
    report = validate_path(write_set(tmp_path, fac=FAC_ROWS[:2]))
    p = only(report, "facilities_missing")
    # the first 学段统计 row of school 3 is Excel row 4
    assert where(p) == ("warning", "facilities_missing", "学段统计.csv", None, 4, "学校标识码")


# --- layout: title rows, total rows, encodings, headers ------------------------------------------


def test_title_row_and_total_row_shift_excel_rows(tmp_path):
    title = "金乡县2024学年学段统计表" + "," * 10
    stage = list(STAGE_ROWS)
    stage[1] = "2024,3708280002,初中,约40,16,55,50,5,3,2,2"  # 2nd data row: Excel row 4 (title, header)
    total = "合计,,,2700,58,160,151,15,10,7,7"
    text = "\n".join([title, STAGE_H, *stage, total]) + "\n"
    report = validate_path(write_set(tmp_path, extra={"学段统计.csv": text}))
    p = only(report, "text_in_number")
    assert (p.file, p.row, p.column) == ("学段统计.csv", 4, "在校生数")
    t = only(report, "total_row_skipped")
    # title row 1, header row 2, 4 data rows 3–6, total row 7
    assert where(t) == ("warning", "total_row_skipped", "学段统计.csv", None, 7, "学年")
    assert t.value == "合计"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_report_the_same_cell(tmp_path, encoding):
    schools = list(SCHOOLS_ROWS)
    schools[2] = "3708280003,胡集镇九年一贯制学校,职业高中,胡集镇,镇区,116.27,35.16,GCJ02"
    report = validate_path(write_set(tmp_path, schools=schools, encoding=encoding))
    p = only(report, "unknown_category")
    assert where(p) == ("error", "unknown_category", "学校.csv", None, 4, "办学类型")
    assert p.value == "职业高中"


def test_undecodable_csv(tmp_path):
    # bytes that are valid neither in UTF-8 nor GB18030 (0xFF cannot start a GB18030 character)
    report = validate_path(write_set(tmp_path, extra={"学校.csv": b"\xff\xfe\xff\xff" * 8}))
    assert where(only(report, "encoding_unknown"))[:3] == ("error", "encoding_unknown", "学校.csv")


def test_tolerant_headers(tmp_path):
    header = ("学 年,school_id,学段,在校生数（人）,班级数(个),专任教师数,高于规定学历教师数,县级以上骨干教师数,"
              "体育专任教师数 ,音乐专任教师数,美术专任教师数")
    fac_h = FAC_H.replace("教学仪器设备值（万元）", "教学仪器设备值 (万元)").replace("运动场地面积", "运动场地面积(㎡)")
    report = validate_path(write_set(tmp_path, extra={"学段统计.csv": csv_text(header, STAGE_ROWS),
                                                      "办学条件.csv": csv_text(fac_h, FAC_ROWS)}))
    assert report.problems == [], report.to_text()


def test_unit_contradicting_the_schema(tmp_path):
    fac_h = FAC_H.replace("教学仪器设备值（万元）", "教学仪器设备值（元）")
    p = only(validate_path(write_set(tmp_path, extra={"办学条件.csv": csv_text(fac_h, FAC_ROWS)})), "unit_mismatch")
    assert where(p) == ("error", "unit_mismatch", "办学条件.csv", None, None, "教学仪器设备值（元）")


def test_match_header_units():
    assert match_header("在校生数（人）", STAGE_STATS).key == "students"
    assert match_header("教学仪器设备值(万元)", FACILITIES).key == "equipment_value_wan"
    assert match_header("ＥＱＵＩＰＭＥＮＴ_value_wan", FACILITIES).key == "equipment_value_wan"
    m = match_header("教学仪器设备值", FACILITIES)  # unit omitted: read as 万元, with a warning
    assert (m.key, m.code, m.severity) == ("equipment_value_wan", "unit_assumed", "warning")
    # 运动场地 is often recorded in 亩 (1 亩 ≈ 666.7 ㎡): read as ㎡ it would be 667 times too small
    m = match_header("运动场地面积（亩）", FACILITIES)
    assert (m.key, m.code, m.severity) == ("sports_ground_area", "unit_mismatch", "error")
    assert "请换算为“㎡”" in m.message
    m = match_header("教学及辅助用房面积（平方公里）", FACILITIES)  # unknown unit: read as ㎡, warned
    assert (m.key, m.code, m.severity) == ("teaching_area", "unit_unrecognised", "warning")
    assert match_header("在校生数（元）", STAGE_STATS).code == "unit_mismatch"
    assert match_header("备注", STAGE_STATS).key is None


def test_unknown_extra_column_is_a_warning(tmp_path):
    header = SCHOOLS_H + ",备注"
    rows = [r + ",新建" for r in SCHOOLS_ROWS]
    report = validate_path(write_set(tmp_path, extra={"学校.csv": csv_text(header, rows)}))
    p = only(report, "unknown_column")
    assert where(p) == ("warning", "unknown_column", "学校.csv", None, None, "备注")
    assert report.ok


def test_personal_columns_never_echoed(tmp_path):
    # a teachers table with 姓名 and 身份证号; a bad cell in the same row must not print them
    th = "教师编号,姓名,身份证号,学校标识码,任教学段,任教学科,最高学历,骨干级别,持有教师资格证,出生年份,本校任教起始年份"
    rows = ["T001,张秀英,370828198001011234,3708280001,小学,语文,本科,县级,是,1980,2005",
            "T002,李建国,370828197502022345,3708280001,小学,数学,专科,无,是,约1975,2001"]
    report = validate_path(write_set(tmp_path, extra={"教师.csv": csv_text(th, rows)}))
    p = only(report, "text_in_number")
    assert where(p) == ("error", "text_in_number", "教师.csv", None, 3, "出生年份")
    dropped = only(report, "personal_column_dropped")
    assert "姓名" in dropped.message and "身份证号" in dropped.message
    for text in (report.to_text(), report.to_json(), report.to_frame().to_string()):
        for secret in ("张秀英", "李建国", "370828198001011234", "370828197502022345"):
            assert secret not in text


def test_cap_on_problems_per_rule_and_column(tmp_path):
    n = 120
    rows = [f"2024,3708280001,小学,约{i},24,60,58,6,4,3,3" for i in range(n)]
    report = validate_path(write_set(tmp_path, stage=rows))
    listed = [p for p in report.problems if p.code == "text_in_number" and p.row is not None]
    assert len(listed) == MAX_PER_GROUP
    assert [p.row for p in listed] == list(range(2, 2 + MAX_PER_GROUP))
    summary = [p for p in report.problems if p.code == "text_in_number" and p.row is None]
    assert len(summary) == 1
    assert f"另外 {n - MAX_PER_GROUP} 处" in summary[0].message  # 120 − 50 = 70


# --- input files are never written ----------------------------------------------------------------


def _fingerprint(root: Path) -> dict:
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(root.iterdir())}


def test_validate_does_not_touch_input_files(tmp_path):
    stage = list(STAGE_ROWS)
    stage[0] = "2024,3708280001,小学,约40,24,60,58,6,4,3,3"
    root = write_set(tmp_path, stage=stage)
    before = _fingerprint(root)
    validate_path(root)
    assert _fingerprint(root) == before


# --- report and CLI --------------------------------------------------------------------------------


def test_report_outputs(tmp_path):
    stage = list(STAGE_ROWS)
    stage[0] = "2024,3708280001,小学,约40,24,60,58,6,4,3,3"
    stage.append("2024,3708280002,小学,50,2,4,4,0,0,0,0")  # warning: stage not taught
    report = validate_path(write_set(tmp_path, stage=stage))
    assert (len(report.errors), len(report.warnings)) == (1, 1)
    text = report.to_text()
    assert "错误 1 处，警告 1 处" in text
    assert "【学段统计.csv】" in text
    frame = report.to_frame()
    assert list(frame.columns) == ["级别", "代码", "说明", "文件", "工作表", "行", "列", "值", "应为"]
    assert frame["级别"].tolist() == ["错误", "警告"]
    obj = json.loads(report.to_json())
    assert (obj["ok"], obj["errors"], obj["warnings"]) == (False, 1, 1)
    assert obj["problems"][0]["row"] == 2


def test_cli_exit_codes(tmp_path, capsys):
    good = write_set(tmp_path / "good", stage=[*STAGE_ROWS, "2024,3708280002,小学,50,2,4,4,0,0,0,0"])
    assert cli_validate(good) == 0  # warnings only
    bad = write_set(tmp_path / "bad", extra={"学校.csv": b""})
    assert cli_validate(bad) == 1
    out = capsys.readouterr().out
    assert "empty_file" in out and "Traceback" not in out
    assert cli_validate(bad, as_json=True) == 1
    obj = json.loads(capsys.readouterr().out)
    assert obj["problems"][0]["code"] == "empty_file"


# --- more layout rules ------------------------------------------------------------------------------


def test_grade_outside_its_stage(tmp_path):
    classes = ("学年,学校标识码,学段,年级,班级名称,学生数\n"
               "2024,3708280001,小学,1,一年级1班,45\n"
               "2024,3708280002,初中,3,七年级1班,50\n")  # grade 3 is 小学, not 初中: Excel row 3
    p = only(validate_path(write_set(tmp_path, extra={"班级.csv": classes})), "grade_stage_mismatch")
    assert where(p) == ("warning", "grade_stage_mismatch", "班级.csv", None, 3, "年级")
    assert p.expected == "初中：7、8、9"


def test_same_table_twice(tmp_path):
    import openpyxl

    root = write_set(tmp_path)
    wb = openpyxl.Workbook()
    wb.active.append(SCHOOLS_H.split(","))
    wb.save(root / "学校.xlsx")
    p = only(validate_path(root), "duplicate_table")
    # files are scanned in name order: 学校.csv before 学校.xlsx
    assert where(p) == ("error", "duplicate_table", "学校.xlsx", None, None, None)


def test_header_not_found(tmp_path):
    text = "这是一张别的表\n甲,乙,丙\n1,2,3\n"
    p = only(validate_path(write_set(tmp_path, extra={"办学条件.csv": text})), "header_not_found")
    assert where(p) == ("error", "header_not_found", "办学条件.csv", None, None, None)


def test_unknown_files_and_sheets(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "学校"
    for row in [SCHOOLS_H.split(","), *(r.split(",") for r in SCHOOLS_ROWS)]:
        wb.active.append(row)
    wb.create_sheet("草稿").append(["随便写的"])
    wb.save(tmp_path / "book.xlsx")
    report = validate_path(tmp_path / "book.xlsx")
    p = only(report, "unknown_sheet")
    assert where(p) == ("warning", "unknown_sheet", "book.xlsx", "草稿", None, None)
    assert sorted(q.expected for q in report.problems if q.code == "missing_table") == ["办学条件", "学段统计"]
    root = write_set(tmp_path / "folder", extra={"备忘.csv": "a,b\n1,2\n", "说明.txt": "notes"})
    q = only(validate_path(root), "unknown_file")
    assert where(q) == ("warning", "unknown_file", "备忘.csv", None, None, None)


def test_single_csv_file_is_not_a_data_set(tmp_path):
    root = write_set(tmp_path)
    p = only(validate_path(root / "学校.csv"), "unsupported_format")
    assert p.file == "学校.csv"


def test_missing_crs_column_is_assumed_wgs84_with_a_warning(tmp_path):
    header = SCHOOLS_H.replace(",坐标系", "")
    rows = [r.rsplit(",", 1)[0] for r in SCHOOLS_ROWS]
    report = validate_path(write_set(tmp_path, extra={"学校.csv": csv_text(header, rows)}))
    p = only(report, "crs_assumed")
    assert where(p) == ("warning", "crs_assumed", "学校.csv", None, None, "坐标系")
    assert report.ok


def test_stage_stats_disagreeing_with_classes(tmp_path):
    # school 1, 小学: 学段统计 says 1200 students in 24 classes; the 班级 table has 2 classes of 45 + 40 = 85
    classes = ("学年,学校标识码,学段,年级,班级名称,学生数\n"
               "2024,3708280001,小学,1,一年级1班,45\n"
               "2024,3708280001,小学,1,一年级2班,40\n")
    report = validate_path(write_set(tmp_path, extra={"班级.csv": classes}))
    found = sorted(((p.column, p.row, p.value, p.expected) for p in report.problems
                    if p.code == "class_sum_mismatch"))
    assert found == [("在校生数", 2, "1200", "“班级”表中各班学生数之和：85"),
                     ("班级数", 2, "24", "“班级”表中的班级行数：2")]
    assert report.ok


def test_ragged_row_with_an_extra_cell(tmp_path):
    stage = list(STAGE_ROWS)
    stage[2] = stage[2] + ",多余"  # 12 cells under an 11-column header, Excel row 4
    report = validate_path(write_set(tmp_path, stage=stage))
    p = only(report, "unknown_column")
    assert where(p) == ("warning", "unknown_column", "学段统计.csv", None, None, "第12列")
    assert report.ok


# --- nasty but legitimate spellings (review) ---------------------------------------------------------


def test_bom_and_windows_line_endings_keep_row_numbers(tmp_path):
    stage = list(STAGE_ROWS)
    stage[1] = "2024,3708280002,初中,约40,16,55,50,5,3,2,2"  # 2nd data row = Excel row 3
    root = write_set(tmp_path, stage=stage, encoding="utf-8-sig")
    for f in root.glob("*.csv"):
        f.write_bytes(f.read_bytes().replace(b"\n", b"\r\n"))
    assert (root / "学段统计.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    report = validate_path(root)
    p = only(report, "text_in_number")
    # BOM not glued to the first header (学年 found), \r\n not counted as an extra row
    assert where(p) == ("error", "text_in_number", "学段统计.csv", None, 3, "在校生数")
    assert p.value == "约40"
    assert len(report.problems) == 1, report.to_text()


def test_full_width_dash_year_thousands_separator_and_float_ids(tmp_path):
    from jxedu.ingest.reader import load

    stage = list(STAGE_ROWS)
    # 学年 with a full-width dash; 在校生数 as text with a thousands separator; ids exported as floats
    stage[0] = '2024－2025,3708280001.0,小学,"1,200",24,60,58,6,4,3,3'
    stage[1] = "2024,3708280002.0,初中,800,16,55,50,5,3,2,2"
    root = write_set(tmp_path, stage=stage)
    report = validate_path(root)
    assert report.problems == [], report.to_text()
    ss = load(root).stage_stats
    assert ss["year"].tolist() == [2024, 2024, 2024, 2024]
    assert ss["school_id"].tolist() == ["3708280001", "3708280002", "3708280003", "3708280003"]
    assert ss["students"].tolist() == [1200, 800, 400, 300]


def test_coordinates_in_degrees_minutes_seconds(tmp_path):
    from jxedu.ingest.reader import load

    schools = list(SCHOOLS_ROWS)
    # 116°18′0″ = 116 + 18/60 = 116.3; 35°4′12″ = 35 + 4/60 + 12/3600 = 35 + 0.0667 + 0.0033 = 35.07
    schools[0] = "3708280001,金乡县第一实验小学,小学,金乡街道,城区,116°18′0″,35°4′12″,GCJ02"
    # 116度12分36秒 = 116 + 0.2 + 0.01 = 116.21; 北纬34°57′36″ = 34 + 0.95 + 0.01 = 34.96
    schools[1] = "3708280002,鸡黍镇中学,初中,鸡黍镇,乡村,116度12分36秒,北纬34°57′36″,WGS84"
    root = write_set(tmp_path, schools=schools)
    assert validate_path(root).problems == []
    s = load(root).schools
    assert s.loc[1, "lon"] == pytest.approx(116.21, abs=1e-12)
    assert s.loc[1, "lat"] == pytest.approx(34.96, abs=1e-12)
    decimal = load(write_set(tmp_path / "decimal")).schools  # same points written as decimals
    assert s.loc[0, "x"] == pytest.approx(decimal.loc[0, "x"], abs=1e-6)
    assert s.loc[0, "y"] == pytest.approx(decimal.loc[0, "y"], abs=1e-6)


def test_impossible_minutes_are_reported(tmp_path):
    schools = list(SCHOOLS_ROWS)
    schools[2] = "3708280003,胡集镇九年一贯制学校,九年一贯制学校,胡集镇,镇区,116°75′,35.16,GCJ02"  # 75′ ≥ 60′
    p = only(validate_path(write_set(tmp_path, schools=schools)), "text_in_number")
    assert where(p) == ("error", "text_in_number", "学校.csv", None, 4, "经度")
    assert p.value == "116°75′"
    assert "度分秒" in p.expected


def test_parse_degrees():
    from jxedu.ingest.checks import parse_degrees

    assert parse_degrees("116.3") == 116.3
    assert parse_degrees("116°17′") == pytest.approx(116 + 17 / 60)
    assert parse_degrees("35.07°N") == pytest.approx(35.07)
    assert parse_degrees("１１６°１８′") == pytest.approx(116.3)  # full-width digits
    assert parse_degrees("W116°30′") == pytest.approx(-116.5)
    for bad in ("约116", "116°60′", "北纬35°N", "°"):
        assert np.isnan(parse_degrees(bad)), bad


# --- the typed 高于规定学历 / 骨干 counts against the roster -------------------------------------

TEACHERS_H = "教师编号,学校标识码,任教学段,任教学科,出生年份,最高学历,骨干级别,持有教师资格证,本校任教起始年份"
#: School 3's roster: 小学 T1 中专, T2 专科, T3 本科, T4 研究生 (专科及以上 = 3; 本科及以上 = 2), T1 县级骨干;
#: 初中 T5 专科, T6 本科, T7 本科 (本科及以上 = 2), T5 市级 and T7 省级 骨干 (= 2).
ROSTER_ROWS = [
    "T1,3708280003,小学,语文,1975,中专,县级,是,2000",
    "T2,3708280003,小学,数学,1985,专科,无,是,2010",
    "T3,3708280003,小学,英语,1990,本科,无,是,2015",
    "T4,3708280003,小学,科学,1992,研究生,无,是,2018",
    "T5,3708280003,初中,语文,1980,专科,市级,是,2005",
    "T6,3708280003,初中,数学,1988,本科,无,是,2012",
    "T7,3708280003,初中,物理,1986,本科,省级,是,2011",
]


def _roster_stage(primary_qualified: int, junior_qualified: int) -> list[str]:
    return STAGE_ROWS[:2] + [f"2024,3708280003,小学,400,12,4,{primary_qualified},1,1,0,0",   # row 4
                             f"2024,3708280003,初中,300,6,3,{junior_qualified},2,1,0,0"]     # row 5


def test_typed_counts_agreeing_with_the_roster_give_no_warning(tmp_path):
    root = write_set(tmp_path, stage=_roster_stage(3, 2), extra={"教师.csv": csv_text(TEACHERS_H, ROSTER_ROWS)})
    assert [p for p in validate_path(root).problems if p.code == "roster_count_mismatch"] == []


def test_typed_counts_differing_from_the_roster_are_named_by_school_and_stage(tmp_path):
    # 小学 typed 2 (the roster's 本科及以上: the 初中 rule), 初中 typed 3 (专科 counted): both differ
    root = write_set(tmp_path, stage=_roster_stage(2, 3), extra={"教师.csv": csv_text(TEACHERS_H, ROSTER_ROWS)})
    found = sorted((p for p in validate_path(root).problems if p.code == "roster_count_mismatch"), key=lambda p: p.row)
    assert [(p.severity, p.row, p.column, p.value) for p in found] == [
        ("warning", 4, "高于规定学历教师数", "2"), ("warning", 5, "高于规定学历教师数", "3")]
    assert "胡集镇九年一贯制学校" in found[0].message and "2024学年小学" in found[0].message
    assert "教师表中小学最高学历高于规定学历" in found[0].message and "3 人" in found[0].message
    assert "疑似按初中口径统计" in found[0].message
    assert "2024学年初中" in found[1].message and "2 人" in found[1].message
    assert "疑似" not in found[1].message


def test_backbone_count_differing_from_the_roster(tmp_path):
    stage = _roster_stage(3, 2)
    stage[3] = "2024,3708280003,初中,300,6,3,2,1,1,0,0"  # typed 1 backbone, the roster has T5 and T7
    root = write_set(tmp_path, stage=stage, extra={"教师.csv": csv_text(TEACHERS_H, ROSTER_ROWS)})
    p = only(validate_path(root), "roster_count_mismatch")
    assert (p.row, p.column) == (5, "县级以上骨干教师数")
    assert "骨干级别为县级及以上的教师 2 人" in p.message


def test_a_dated_roster_is_compared_year_by_year(tmp_path):
    dated = TEACHERS_H + ",学年"
    # the roster of 2023 only: nothing to compare with the 2024 学段统计 rows
    rows = [r + ",2023" for r in ROSTER_ROWS]
    root = write_set(tmp_path / "a", stage=_roster_stage(2, 3), extra={"教师.csv": csv_text(dated, rows)})
    assert [p for p in validate_path(root).problems if p.code == "roster_count_mismatch"] == []
    # the roster of 2024: the two 高于规定学历 cells differ as above
    rows = [r + ",2024" for r in ROSTER_ROWS]
    root = write_set(tmp_path / "b", stage=_roster_stage(2, 3), extra={"教师.csv": csv_text(dated, rows)})
    assert len([p for p in validate_path(root).problems if p.code == "roster_count_mismatch"]) == 2
    # a dated roster needs a year on every row; the same teacher in two years is no duplicate
    rows = [ROSTER_ROWS[0] + ",2023", ROSTER_ROWS[0] + ",2024", ROSTER_ROWS[1] + ","]
    root = write_set(tmp_path / "c", extra={"教师.csv": csv_text(dated, rows)})
    rep = validate_path(root)
    assert where(only(rep, "missing_roster_year")) == ("error", "missing_roster_year", "教师.csv", None, 4, "学年")
    assert not [p for p in rep.problems if p.code == "duplicate_key"]


# --- the plan-task tables --------------------------------------------------------------------

DROPOUT_H = "学生编号,学校标识码,年级,辍学日期,辍学原因,状态,复学日期"


def test_pupil_ids_looking_personal_are_replaced_and_never_echoed(tmp_path):
    rows = ["D000001,3708280002,8,2024-10-08,厌学,劝返中,",                   # row 2: a pseudonym
            "王小明,3708280002,8,2024-10-09,外出务工,劝返中,",                  # row 3: a name
            "370828200901011234,3708280002,9,2024-10-10,其他,劝返中,",         # row 4: an ID number
            "13912345678,3708280002,9,2024-10-11,其他,已复学,2024-10-01"]     # row 5: a phone; back before leaving
    root = write_set(tmp_path, extra={"控辍保学台账.csv": csv_text(DROPOUT_H, rows)})
    rep = validate_path(root)
    found = [p for p in rep.problems if p.code == "personal_pupil_id"]
    assert [(p.severity, p.row, p.column) for p in found] == [("warning", r, "学生编号") for r in (3, 4, 5)]
    assert found[0].message == "学生编号疑似姓名、身份证号或电话号码，已替换为匿名编号；请改用化名编号"
    assert [p.row for p in rep.problems if p.code == "date_order"] == [5]
    text = rep.to_text() + rep.to_json()
    for planted in ("王小明", "370828200901011234", "13912345678"):
        assert planted not in text
    from jxedu import load

    ds = load(root, strict=False)
    ids = ds.dropouts["pupil_id"].tolist()
    assert ids[0] == "D000001" and all(i.startswith("匿名-") for i in ids[1:]) and len(set(ids)) == 4
    assert "王小明" not in ds.dropouts.to_csv()


def test_a_duplicate_pupil_key_is_reported_without_the_pupil_id(tmp_path):
    rows = ["王小明,3708280002,8,2024-10-09,外出务工,劝返中,", "王小明,3708280002,8,2024-10-09,外出务工,劝返中,"]
    root = write_set(tmp_path, extra={"控辍保学台账.csv": csv_text(DROPOUT_H, rows)})
    p = only(validate_path(root), "duplicate_key")
    assert p.row == 3 and "王小明" not in str(p) and "（内容已隐去）" in p.message


def test_plan_table_plausibility_warnings(tmp_path):
    special = csv_text("学年,所属镇街,适龄残疾儿童少年数,随班就读人数,特殊教育学校就读人数,送教上门人数",
                       ["2024,鸡黍镇,10,8,2,1",        # row 2: 11 enrolled > 10
                        "2024,无名镇,5,5,0,0"])        # row 3: a 镇街 no school names
    alliances = csv_text("联盟名称,学校标识码,是否牵头学校", ["甲集团,3708280001,否", "甲集团,3708280002,否"])
    projects = csv_text("项目,所属镇街,学校标识码,状态", ["百强乡镇中学,鸡黍镇,,创建中"])
    after = csv_text("学年,学校标识码,是否开展课后服务,参加课后服务学生数", ["2024,3708280002,是,900"])  # 800 pupils
    root = write_set(tmp_path, extra={"特殊群体.csv": special, "集团化与联盟.csv": alliances,
                                      "强镇筑基与百强学校.csv": projects, "课后服务与作业.csv": after})
    rep = validate_path(root)
    assert (only(rep, "parts_exceed_whole").row, only(rep, "parts_exceed_whole").column) == (2, "适龄残疾儿童少年数")
    assert "已入学的残疾儿童少年合计 11 人" in only(rep, "parts_exceed_whole").message
    assert (only(rep, "unknown_township").file, only(rep, "unknown_township").row) == ("特殊群体.csv", 3)
    assert only(rep, "alliance_without_lead").row == 2
    assert only(rep, "project_without_school").row == 2
    assert "800 人" in only(rep, "participants_exceed_pupils").message


# --- 规划目标: the county's own plan targets --------------------------------------------------------

PLAN_H = "目标项,目标值,单位,文号,起始年份,截止年份"


def test_plan_targets_load_by_name_or_key_with_percent(tmp_path):
    rows = ["年均交流轮岗教师数,90,人,某政办发〔2024〕8号,2024,",  # row 2
            "plan_smart_campus_coverage,95,%,某政办发〔2024〕8号,2024,2025"]  # row 3: the English key, 95 %
    root = write_set(tmp_path, extra={"规划目标.csv": csv_text(PLAN_H, rows)})
    assert validate_path(root).problems == []
    import jxedu

    ds = jxedu.load(root)
    assert ds.plan_target("plan_rotations_per_year", 2024).value == 90
    assert ds.plan_target("plan_smart_campus_coverage", 2024).value == pytest.approx(0.95)
    assert ds.plan_target("plan_rotations_per_year", 2023) is None  # before the plan's 起始年份
    assert ds.plan_target("plan_honoured_teachers_per_year", 2024) is None  # never set
    assert ds.plan_documents == ["某政办发〔2024〕8号"]


def test_plan_target_errors_name_row_and_column(tmp_path):
    rows = ["年均交流轮岗教师数,90,万元,文号,2024,",   # row 2: a unit that does not fit
            "智慧校园覆盖率,95,,文号,2024,2025",       # row 3: a share over 1 without %
            "通过国家督导评估年份,2025.5,,文号,,",     # row 4: not a year
            "每年评选最美教师人数,100,,文号,2026,2024",  # row 5: ends before it starts
            "每年评选最美教师人数,80,,文号,2025,2027",   # row 6: 2025–2027
            "每年评选最美教师人数,90,,文号,2027,",       # row 7: 2027– overlaps row 6 (2025–2027)
            "最美教师,10,,文号,,"]                       # row 8: not a documented 目标项
    report = validate_path(write_set(tmp_path, extra={"规划目标.csv": csv_text(PLAN_H, rows)}))
    got = {(p.code, p.row, p.column) for p in report.errors}
    assert ("plan_unit", 2, "单位") in got
    assert ("plan_value", 3, "目标值") in got and ("plan_value", 4, "目标值") in got
    assert ("plan_years", 5, "截止年份") in got
    assert ("plan_overlap", 7, "目标项") in got
    assert ("unknown_category", 8, "目标项") in got
    assert ("plan_overlap", 6, "目标项") not in got  # the first of two overlapping rows is not blamed
