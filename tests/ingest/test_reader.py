"""Tests of jxedu.ingest.reader.load: formats, encodings, types, coordinates, geo layers, personal data."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import LineString, box

import jxedu
from jxedu.core import config
from jxedu.core.errors import DataError
from jxedu.ingest.reader import load, resolve_data_dir
from tests.ingest.test_gtfs import write_gtfs

SCHOOLS_H = ["学校标识码", "学校名称", "办学类型", "所属镇街", "城乡分类", "经度", "纬度", "坐标系"]
SCHOOLS = [
    [3708280001, "金乡县第一实验小学", "小学", "金乡街道", "城区", 116.30, 35.07, "GCJ02"],
    [3708280002, "鸡黍镇中学", "初中", "鸡黍镇", "乡村", 116.21, 34.96, "WGS84"],
    [3708280003, "胡集镇九年一贯制学校", "九年一贯制学校", "胡集镇", "镇区", 116.27, 35.16, None],
]
STAGE_H = ["学年", "学校标识码", "学段", "在校生数", "班级数", "专任教师数", "高于规定学历教师数",
           "县级以上骨干教师数", "体育专任教师数", "音乐专任教师数", "美术专任教师数"]
STAGE = [
    [2024, 3708280001, "小学", 1200, 24, 60, 58, 6, 4, 3, 3],
    ["2024-2025", 3708280002, "初中", 800, 16, 55, 50, 5, 3, 2, 2],
    ["2024学年", 3708280003, "小学", 400, 12, 25, 24, 2, 2, 1, 1],
    ["2024—2025学年", 3708280003, "初中", 300, 6, 20, 19, 2, 1, 1, 1],
]
FAC_H = ["学年", "学校标识码", "教学及辅助用房面积", "室内体育用房面积", "运动场地面积", "教学仪器设备值（万元）",
         "网络多媒体教室数", "智慧校园"]
FAC = [
    [2024, 3708280001, 9000, 600, 12000.5, 300, 30, "是"],
    [2024, 3708280002, 8000, 500, 10000, 250, 20, "否"],
    [2024, 3708280003, 6000, 0, 8000, 150, 18, None],
]


def write_workbook(path: Path, *, total: bool = True, title: bool = True) -> Path:
    """The Excel fixture: one sheet per table, merged title row, 合计 row at the bottom of 学段统计."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, header, rows in (("学校", SCHOOLS_H, SCHOOLS), ("学段统计", STAGE_H, STAGE), ("办学条件", FAC_H, FAC)):
        ws = wb.create_sheet(name)
        if title:
            ws.append([f"金乡县2024学年{name}情况表"])
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        ws.append(header)
        for r in rows:
            ws.append(r)
        if total and name == "学段统计":
            # students 1200 + 800 + 400 + 300 = 2700; classes 24 + 16 + 12 + 6 = 58
            ws.append(["合计", None, None, 2700, 58, 160, 151, 15, 10, 7, 7])
    meta = wb.create_sheet("说明")
    meta.append(["项目", "内容"])
    meta.append(["合成数据", "是"])
    meta.append(["数据来源", "测试"])
    meta.append(["县名", "金乡县"])
    meta.append(["行政区划代码", "370828"])  # coordinates checked against the shipped outline of 370828
    wb.create_sheet("填表说明").append(["请按模板填写"])
    wb.save(path)
    return path


def write_csv_folder(root: Path, *, encoding: str = "utf-8") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, header, rows in (("学校", SCHOOLS_H, SCHOOLS), ("学段统计", STAGE_H, STAGE), ("办学条件", FAC_H, FAC)):
        df = pd.DataFrame(rows, columns=header, dtype=object)
        df.to_csv(root / f"{name}.csv", index=False, encoding=encoding)
    pd.DataFrame({"项目": ["县名", "行政区划代码"], "内容": ["金乡县", "370828"]}).to_csv(
        root / "说明.csv", index=False, encoding=encoding)
    return root


# --- the Excel fixture ---------------------------------------------------------------------------


@pytest.fixture
def workbook(tmp_path) -> Path:
    return write_workbook(tmp_path / "金乡县教育数据.xlsx")


def test_excel_with_title_and_total_rows_loads_exact_values(workbook):
    ds = load(workbook)
    assert ds.schools["school_id"].tolist() == ["3708280001", "3708280002", "3708280003"]
    assert ds.schools["school_type"].tolist() == ["primary", "junior", "nine_year"]
    assert ds.schools["urban_rural"].tolist() == ["urban", "rural", "town"]
    # the 合计 row is not a school-stage: 4 rows, 2700 students (1200 + 800 + 400 + 300)
    assert len(ds.stage_stats) == 4
    assert int(ds.stage_stats["students"].sum()) == 2700
    assert ds.stage_stats["year"].tolist() == [2024, 2024, 2024, 2024]
    assert ds.stage_stats["stage"].tolist() == ["primary", "junior", "primary", "junior"]
    assert ds.facilities["sports_ground_area"].tolist() == [12000.5, 10000.0, 8000.0]
    assert ds.facilities["equipment_value_wan"].tolist() == [300.0, 250.0, 150.0]
    assert ds.facilities["smart_campus"].tolist()[:2] == [True, False]
    assert ds.facilities["smart_campus"].isna().tolist() == [False, False, True]
    assert ds.meta == {"合成数据": "是", "数据来源": "测试", "县名": "金乡县", "行政区划代码": "370828"}
    assert ds.synthetic is True
    (total,) = [p for p in ds.problems if p.code == "total_row_skipped"]
    # title row 1, header row 2, data rows 3–6, total row 7
    assert (total.file, total.sheet, total.row, total.column, total.value) == (
        "金乡县教育数据.xlsx", "学段统计", 7, "学年", "合计")
    assert not [p for p in ds.problems if p.severity == "error"]


def test_excel_dtypes(workbook):
    ds = load(workbook)
    ss = ds.stage_stats
    assert ss["year"].dtype == np.int64
    assert ss["students"].dtype == np.int64
    assert ss["certified_teachers"].dtype == "Int64"  # optional column absent: all null
    assert ss["certified_teachers"].isna().all()
    assert ds.facilities["teaching_area"].dtype == np.float64
    assert ds.facilities["smart_campus"].dtype == "boolean"
    assert pd.api.types.is_string_dtype(ds.schools["school_type"])
    assert isinstance(ds.schools, gpd.GeoDataFrame)
    assert ds.schools.crs.to_epsg() == 4326
    assert list(ds.schools.index) == [0, 1, 2]


def test_coordinates_converted_to_wgs84_and_utm(workbook):
    ds = load(workbook)
    s = ds.schools
    assert s["crs_in"].tolist() == ["GCJ02", "WGS84", "WGS84"]  # blank = WGS84 (with a warning)
    assert "crs" not in s.columns
    # WGS-84 input is unchanged
    assert (s.loc[1, "lon"], s.loc[1, "lat"]) == (116.21, 34.96)
    # GCJ-02 input moves by the obfuscation offset: a few hundred metres (0.001°–0.01°) here
    dlon, dlat = 116.30 - s.loc[0, "lon"], 35.07 - s.loc[0, "lat"]
    assert 0.001 < abs(dlon) < 0.01 and 0.0005 < abs(dlat) < 0.01
    assert s.geometry.x.tolist() == s["lon"].tolist()
    # x, y agree with an independent pyproj transformation to UTM 50N
    tr = Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True)
    x, y = tr.transform(116.21, 34.96)
    assert s.loc[1, "x"] == pytest.approx(x, abs=1e-6) and s.loc[1, "y"] == pytest.approx(y, abs=1e-6)
    # west of the 117° E central meridian: easting below 500 km; ~34.96 N ≈ 3870 km north
    assert 400_000 < s.loc[1, "x"] < 500_000 and 3_860_000 < s.loc[1, "y"] < 3_880_000
    assert [p.code for p in ds.problems if p.sheet == "学校"] == []  # 坐标系 column present, one blank


def test_excel_without_title_row(tmp_path):
    ds = load(write_workbook(tmp_path / "d.xlsx", title=False, total=False))
    assert len(ds.schools) == 3 and int(ds.stage_stats["classes"].sum()) == 58


def test_excel_error_row_accounts_for_title(tmp_path):
    path = write_workbook(tmp_path / "d.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["学段统计"]["D5"] = "约40"  # title 1, header 2, data 3.. → D5 is the 3rd data row
    wb.save(path)
    with pytest.raises(DataError) as exc:
        load(path)
    (p,) = [p for p in exc.value.problems if p.code == "text_in_number"]
    assert (p.file, p.sheet, p.row, p.column, p.value) == ("d.xlsx", "学段统计", 5, "在校生数", "约40")
    assert "约40" in str(exc.value) and "text_in_number" in str(exc.value)


# --- CSV folders ------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_folder_in_each_encoding(tmp_path, encoding):
    ds = load(write_csv_folder(tmp_path / encoding, encoding=encoding))
    assert ds.schools["name"].tolist() == ["金乡县第一实验小学", "鸡黍镇中学", "胡集镇九年一贯制学校"]
    assert ds.schools["township"].tolist() == ["金乡街道", "鸡黍镇", "胡集镇"]
    assert int(ds.stage_stats["teachers"].sum()) == 160  # 60 + 55 + 25 + 20
    assert ds.synthetic is False


def test_gbk_bytes_really_are_gbk(tmp_path):
    root = write_csv_folder(tmp_path, encoding="gbk")
    raw = (root / "学校.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert load(root).schools.loc[0, "name"] == "金乡县第一实验小学"


def test_data_error_lists_every_problem(tmp_path):
    root = write_csv_folder(tmp_path)
    df = pd.read_csv(root / "学段统计.csv", dtype=str)
    df.loc[0, "在校生数"] = "约40"
    df.loc[1, "班级数"] = "-3"
    df.to_csv(root / "学段统计.csv", index=False)
    with pytest.raises(DataError) as exc:
        load(root)
    codes = sorted((p.code, p.row) for p in exc.value.problems if p.severity == "error")
    assert codes == [("negative_count", 3), ("text_in_number", 2)]
    assert "共 2 处错误" in str(exc.value)


def test_non_strict_load_keeps_problems(tmp_path):
    root = write_csv_folder(tmp_path)
    df = pd.read_csv(root / "学段统计.csv", dtype=str)
    df.loc[0, "在校生数"] = "约40"
    df.to_csv(root / "学段统计.csv", index=False)
    ds = load(root, strict=False)
    assert ds.stage_stats["students"].isna().tolist() == [True, False, False, False]
    assert ds.stage_stats["students"].dtype == "Int64"
    assert [p.code for p in ds.problems if p.severity == "error"] == ["text_in_number"]


def test_missing_required_table_raises_even_when_not_strict(tmp_path):
    root = write_csv_folder(tmp_path)
    (root / "办学条件.csv").unlink()
    with pytest.raises(DataError) as exc:
        load(root, strict=False)
    assert [p.code for p in exc.value.problems] == ["missing_table"]


def test_path_not_found(tmp_path):
    with pytest.raises(DataError) as exc:
        jxedu.load(tmp_path / "nothing")
    assert exc.value.problems[0].code == "path_not_found"


# --- optional tables, personal data, dates ------------------------------------------------------------


def test_optional_tables_types_and_personal_data(tmp_path):
    root = write_csv_folder(tmp_path)
    (root / "教师.csv").write_text(
        "教师编号,姓名,身份证号,学校标识码,任教学段,任教学科,性别,出生年份,最高学历,骨干级别,持有教师资格证,本校任教起始年份\n"
        "T001,张秀英,370828198001011234,3708280001,小学,语文,女,1980,本科,县级,是,2005\n"
        "T002,李建国,370828197502022345,3708280002,初中,体育,男,1975,大专,无,否,2001\n",
        encoding="utf-8",
    )
    (root / "交流轮岗.csv").write_text(
        "学年,教师编号,派出学校标识码,接收学校标识码,交流类型,开始日期,结束日期\n"
        "2024,T001,3708280001,3708280003,支教,2024-09-01,2025年7月15日\n",
        encoding="utf-8",
    )
    ds = load(root)
    t = ds.teachers
    assert "姓名" not in t.columns and "name" not in t.columns and "id_number" not in t.columns
    assert not t.astype(str).apply(lambda c: c.str.contains("张秀英|3708281980")).any().any()
    assert t["education"].tolist() == ["bachelor", "associate"]  # 大专 is an alias of 专科
    assert t["backbone_level"].tolist() == ["county", "none"]
    assert t["certified"].tolist() == [True, False] and t["certified"].dtype == bool
    assert t["gender"].tolist() == ["female", "male"]
    r = ds.rotations
    assert r["start_date"].tolist() == [pd.Timestamp("2024-09-01")]
    assert r["end_date"].tolist() == [pd.Timestamp("2025-07-15")]
    assert pd.api.types.is_datetime64_any_dtype(r["start_date"])
    (p,) = [p for p in ds.problems if p.code == "personal_column_dropped"]
    assert p.file == "教师.csv"
    assert "张秀英" not in str(p)


# --- geo layers and GTFS ------------------------------------------------------------------------------


def test_geo_layers_and_gtfs(tmp_path):
    root = write_csv_folder(tmp_path)
    towns = gpd.GeoDataFrame(
        {"镇街名称": ["金乡街道", "鸡黍镇", "胡集镇"]},
        geometry=[box(116.1, 35.0, 116.5, 35.1), box(116.1, 34.85, 116.5, 35.0), box(116.1, 35.1, 116.5, 35.25)],
        crs="EPSG:4326",
    ).to_crs("EPSG:32650")  # stored in UTM: the loader must reproject to WGS-84
    towns.to_file(root / "镇街边界.gpkg", driver="GPKG")
    roads = gpd.GeoDataFrame({"名称": ["金城路"]}, geometry=[LineString([(116.2, 35.0), (116.3, 35.1)])])
    with pytest.warns(UserWarning, match="crs"):  # pyogrio warns that the file will lack a CRS
        roads.to_file(root / "道路.gpkg", driver="GPKG")  # no CRS: assumed WGS-84, with a warning
    write_gtfs(root / "公交.zip")
    ds = load(root)
    assert ds.townships.crs.to_epsg() == 4326
    assert ds.townships["township"].tolist() == ["金乡街道", "鸡黍镇", "胡集镇"]
    assert ds.townships.total_bounds == pytest.approx([116.1, 34.85, 116.5, 35.25], abs=1e-6)
    assert ds.roads.crs.to_epsg() == 4326
    assert [(p.code, p.file) for p in ds.problems if p.code == "crs_missing"] == [("crs_missing", "道路.gpkg")]
    assert ds.gtfs_path == root / "公交.zip"
    assert ds.townships_list == ["金乡街道", "胡集镇", "鸡黍镇"]


def test_unbuildable_layer_is_read_like_the_other_layers(tmp_path):
    root = write_csv_folder(tmp_path)
    assert load(root).unbuildable is None  # optional
    zone = gpd.GeoDataFrame({"类型": ["永久基本农田"]}, geometry=[box(116.2, 35.0, 116.3, 35.05)],
                            crs="EPSG:4326").to_crs("EPSG:32650")
    zone.to_file(root / "不可建设.geojson", driver="GeoJSON")
    ds = load(root)
    assert ds.unbuildable.crs.to_epsg() == 4326
    assert ds.unbuildable.total_bounds == pytest.approx([116.2, 35.0, 116.3, 35.05], abs=1e-6)
    assert ds.unbuildable["类型"].tolist() == ["永久基本农田"]


def test_township_layer_without_name_attribute(tmp_path):
    root = write_csv_folder(tmp_path)
    gdf = gpd.GeoDataFrame({"code": [1]}, geometry=[box(116.1, 34.85, 116.5, 35.25)], crs="EPSG:4326")
    gdf.to_file(root / "镇街边界.geojson", driver="GeoJSON")
    with pytest.raises(DataError) as exc:
        load(root)
    (p,) = exc.value.problems
    assert (p.code, p.file, p.column) == ("missing_column", "镇街边界.geojson", "镇街名称")


def test_workbook_reads_geo_layers_and_gtfs_beside_it(tmp_path):
    wb = write_workbook(tmp_path / "金乡县教育数据.xlsx")
    towns = gpd.GeoDataFrame(
        {"镇街名称": ["金乡街道", "鸡黍镇", "胡集镇"]},
        geometry=[box(116.1, 35.0, 116.5, 35.1), box(116.1, 34.85, 116.5, 35.0), box(116.1, 35.1, 116.5, 35.25)],
        crs="EPSG:4326",
    )
    towns.to_file(tmp_path / "镇街边界.geojson", driver="GeoJSON")
    write_gtfs(tmp_path / "公交.zip")
    (tmp_path / "其他.csv").write_text("a,b\n1,2\n", encoding="utf-8")  # not a table: not reported
    ds = load(wb)
    assert ds.townships["township"].tolist() == ["金乡街道", "鸡黍镇", "胡集镇"]
    assert ds.townships.total_bounds == pytest.approx([116.1, 34.85, 116.5, 35.25], abs=1e-6)
    assert ds.roads is None
    assert ds.gtfs_path == tmp_path / "公交.zip"
    used = [(p.severity, p.file) for p in ds.problems if p.code == "layer_beside_workbook"]
    assert used == [("warning", "镇街边界.geojson"), ("warning", "公交.zip")]
    assert not [p for p in ds.problems if p.code == "unknown_file"]
    report = jxedu.validate(wb)
    assert report.ok and "镇街边界.geojson" in report.to_text()


def test_workbook_without_geo_layers_beside_it(workbook):
    ds = load(workbook)
    assert ds.townships is None and ds.roads is None and ds.gtfs_path is None
    assert not [p for p in ds.problems if p.code == "layer_beside_workbook"]


def test_bad_layer_beside_workbook_is_reported(tmp_path):
    wb = write_workbook(tmp_path / "金乡县教育数据.xlsx")
    gdf = gpd.GeoDataFrame({"code": [1]}, geometry=[box(116.1, 34.85, 116.5, 35.25)], crs="EPSG:4326")
    gdf.to_file(tmp_path / "镇街边界.geojson", driver="GeoJSON")
    with pytest.raises(DataError) as exc:
        load(wb)
    (err,) = [p for p in exc.value.problems if p.severity == "error"]
    assert (err.code, err.file, err.column) == ("missing_column", "镇街边界.geojson", "镇街名称")


# --- files are never written ------------------------------------------------------------------------


def test_load_does_not_touch_input_files(tmp_path):
    root = write_csv_folder(tmp_path / "csv")
    wb = write_workbook(tmp_path / "wb.xlsx")

    def fp(paths):
        return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in paths}

    files = [*sorted(root.iterdir()), wb]
    before = fp(files)
    load(root)
    load(wb)
    jxedu.validate(root)
    assert fp(files) == before


def test_validate_json_round_trip(tmp_path):
    report = jxedu.validate(write_workbook(tmp_path / "d.xlsx"))
    obj = json.loads(report.to_json())
    assert obj["ok"] is True
    assert [p["code"] for p in obj["problems"]] == ["total_row_skipped"]


# --- the committed demo data --------------------------------------------------------------------------


def test_demo_data_loads_without_errors(demo_dir):
    from jxedu.ingest.reader import validate_path

    assert validate_path(demo_dir).errors == []
    ds = load(None)  # None = the demo data, for notebook parameters
    assert ds.source == demo_dir
    assert ds.synthetic is True
    assert len(ds.schools) > 100
    assert ds.schools["x"].notna().all() and ds.townships is not None


def test_excel_without_calamine_uses_openpyxl(workbook, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "python_calamine", None)  # import now raises ImportError
    ds = load(workbook)
    assert int(ds.stage_stats["students"].sum()) == 2700  # 1200 + 800 + 400 + 300, 合计 row skipped
    (total,) = [p for p in ds.problems if p.code == "total_row_skipped"]
    assert (total.sheet, total.row) == ("学段统计", 7)


def test_empty_sheet_and_zero_byte_workbook(tmp_path):
    from jxedu.ingest.reader import validate_path

    wb = openpyxl.Workbook()
    wb.active.title = "学校"
    wb.save(tmp_path / "a.xlsx")
    report = validate_path(tmp_path / "a.xlsx")
    assert [(p.code, p.sheet) for p in report.problems if p.code == "empty_file"] == [("empty_file", "学校")]
    (tmp_path / "b.xlsx").write_bytes(b"")
    assert [p.code for p in validate_path(tmp_path / "b.xlsx").problems] == ["empty_file"]


# --- spreadsheets as planners really save them (review) ---------------------------------------------


def test_excel_sheet_names_with_space_or_trailing_biao(tmp_path):
    path = write_workbook(tmp_path / "d.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["学校"].title = " 学校 "
    wb["学段统计"].title = "学段统计表"
    wb.save(path)
    ds = load(path)
    assert len(ds.schools) == 3
    assert int(ds.stage_stats["students"].sum()) == 2700  # 1200 + 800 + 400 + 300, 合计 row skipped
    (total,) = [p for p in ds.problems if p.code == "total_row_skipped"]
    assert (total.sheet, total.row) == ("学段统计表", 7)  # the sheet named as the planner named it


def test_excel_float_ids_text_numbers_and_full_width_dash(tmp_path):
    path = write_workbook(tmp_path / "d.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["学校"]["A3"] = 3708280001.0  # a number cell: Excel stores every number as a float
    ss = wb["学段统计"]
    ss["A3"] = "2024－2025"  # full-width dash
    ss["B3"] = 3708280001.0
    ss["B4"] = "3708280002.0"  # text that was a float once
    ss["D3"] = "1,200"  # number stored as text with a thousands separator
    ss["D4"] = " 8 0 0 "
    wb.save(path)
    ds = load(path)
    assert ds.schools["school_id"].tolist() == ["3708280001", "3708280002", "3708280003"]
    assert ds.stage_stats["school_id"].tolist() == ["3708280001", "3708280002", "3708280003", "3708280003"]
    assert ds.stage_stats["year"].tolist() == [2024] * 4
    assert ds.stage_stats["students"].tolist() == [1200, 800, 400, 300]
    assert [p.code for p in ds.problems] == ["total_row_skipped"]


def test_excel_date_cells_and_serial_numbers(tmp_path):
    import datetime as dt

    path = write_workbook(tmp_path / "d.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("交流轮岗")
    ws.append(["学年", "教师编号", "派出学校标识码", "接收学校标识码", "交流类型", "开始日期", "结束日期"])
    # a real date cell; an Excel serial day number typed as text: 45901 days after 1899-12-30 = 2025-09-01
    ws.append([2024, "T1", 3708280001, 3708280002, "轮岗", dt.datetime(2024, 9, 1), "45901"])
    # a serial stored as a number: 45536 = 2024-09-01 (45901 − 365)
    ws.append([2024, "T2", 3708280001, 3708280003, "支教", 45536, "2025年7月15日"])
    wb.save(path)
    r = load(path).rotations
    assert r["start_date"].tolist() == [pd.Timestamp("2024-09-01")] * 2
    assert r["end_date"].tolist() == [pd.Timestamp("2025-09-01"), pd.Timestamp("2025-07-15")]


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_damaged_sheet_is_a_problem_not_a_traceback(tmp_path, monkeypatch, reader):
    import sys
    import zipfile

    from jxedu.ingest.reader import validate_path

    if reader == "openpyxl":
        monkeypatch.setitem(sys.modules, "python_calamine", None)
    good = write_workbook(tmp_path / "good.xlsx")
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as zi, zipfile.ZipFile(bad, "w") as zo:
        for item in zi.infolist():
            data = zi.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":  # the 学段统计 sheet, cut in half
                data = data[: len(data) // 2]
            zo.writestr(item, data)
    report = validate_path(bad)
    assert [(p.code, p.file, p.sheet) for p in report.errors] == [("unreadable_file", "bad.xlsx", "学段统计")]
    with pytest.raises(DataError):
        load(bad)


def test_resolve_data_dir(tmp_path, monkeypatch):
    demo = tmp_path / "data" / "demo"
    demo.mkdir(parents=True)
    monkeypatch.setattr(config, "DEMO_DIR", demo)
    monkeypatch.setattr(config, "ROOT", tmp_path)
    assert resolve_data_dir(None) == demo.resolve()
    # relative to the repository root when not found from the current directory
    elsewhere = tmp_path / "notebooks"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert resolve_data_dir("data/demo") == demo.resolve()
    # relative to the current directory first
    (elsewhere / "data" / "demo").mkdir(parents=True)
    assert resolve_data_dir("data/demo") == (elsewhere / "data" / "demo").resolve()
    with pytest.raises(DataError, match="data_not_found"):
        resolve_data_dir(tmp_path / "nope")
