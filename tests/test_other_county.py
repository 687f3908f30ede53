"""Any county, its own plan: a county that is not 金乡 through validate, indicators, ledger and reports.

The county is 云溪县 of :mod:`tests.county_fixture` (江西, 6 镇街, 25 schools, no roads, no bus feed,
no 县界, no 规划目标). Nothing jxedu writes for it may name 金乡 or show a county target the county
never set; a 规划目标 table of its own changes the ledger and the report; data without a county
outline are checked against China's extent with one warning saying how to give one.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader
from shapely.geometry import box

import jxedu
from jxedu.cli.commands import cli_indicators, cli_ledger, cli_validate
from jxedu.core.settings import get_settings
from jxedu.publish import ledger, reports, sections
from tests.county_fixture import COUNTY, ROTATIONS, write_minimal, write_other_county

#: A 规划目标 table of the county's own: 90 rotations a year from 2024 (and nothing else).
PLAN_90 = [{"目标项": "年均交流轮岗教师数", "目标值": 90, "单位": "人", "文号": "云政办发〔2024〕8号", "起始年份": 2024}]


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    return write_other_county(tmp_path_factory.mktemp("yunxi") / "云溪县")


def _codes(report) -> list[str]:
    return [p.code for p in report.problems]


def _workbook_text(path: Path) -> str:
    wb = openpyxl.load_workbook(path)
    cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    return "\n".join([*cells, *(ws.oddHeader.right.text or "" for ws in wb.worksheets)])


# --- validate -------------------------------------------------------------------------------------


def test_the_other_county_validates_clean(county, capsys):
    assert cli_validate(county, as_json=True) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["problems"] == []  # 县名 given, outline from its 镇街边界: nothing to warn about


def test_minimal_data_set_warns_once_for_the_name_and_once_for_the_outline(tmp_path):
    report = jxedu.validate(write_minimal(tmp_path / "min"))
    assert report.ok and sorted(_codes(report)) == ["county_name_missing", "outline_missing"]
    outline = next(p for p in report.problems if p.code == "outline_missing")
    assert "县界.geojson" in outline.message  # says how to give one
    assert jxedu.load(tmp_path / "min").county_name == "本县"


def test_without_outline_coordinates_are_checked_against_china(county, tmp_path):
    data = shutil.copytree(county, tmp_path / "no_outline")
    (data / "镇街边界.geojson").unlink()
    s = pd.read_csv(data / "学校.csv", encoding="utf-8-sig", dtype=str)
    s.loc[0, ["经度", "纬度"]] = [s.loc[0, "纬度"], s.loc[0, "经度"]]  # swapped: 28.4…, 115.8…
    s.loc[1, "经度"] = "140.2"  # east of China
    s.to_csv(data / "学校.csv", index=False, encoding="utf-8-sig")
    report = jxedu.validate(data)
    assert _codes(report).count("outline_missing") == 1
    errors = {(p.code, p.row) for p in report.errors}
    assert errors == {("coords_swapped", 2), ("coords_outside_china", 3)}  # rows 2, 3 of 学校.csv
    assert "coords_outside_county" not in _codes(report)  # no 金乡 outline for 云溪县's data


def test_a_single_county_polygon_is_taken_as_the_outline(county, tmp_path):
    data = shutil.copytree(county, tmp_path / "one_polygon")
    gpd.GeoDataFrame({"镇街名称": [COUNTY]}, geometry=[box(115.80, 28.40, 116.10, 28.64)], crs="EPSG:4326").to_file(
        data / "镇街边界.geojson", driver="GeoJSON")
    report = jxedu.validate(data)
    # one warning instead of one unknown_township per school and 村居 (25 + 60)
    assert _codes(report) == ["townships_is_county"] and "县界" in report.problems[0].message
    ds = jxedu.load(data)
    assert ds.townships is None and ds.outline.source == "county_layer"
    assert len(ds.townships_list) == 6


def test_a_county_layer_names_itself_in_the_error(county, tmp_path):
    data = shutil.copytree(county, tmp_path / "layer")
    (data / "镇街边界.geojson").unlink()
    gpd.GeoDataFrame(geometry=[box(115.80, 28.40, 116.10, 28.64)], crs="EPSG:4326").to_file(
        data / "县界.geojson", driver="GeoJSON")
    s = pd.read_csv(data / "学校.csv", encoding="utf-8-sig", dtype=str)
    s.loc[0, "经度"] = "116.5"  # 40 km east of the outline, still in China
    s.to_csv(data / "学校.csv", index=False, encoding="utf-8-sig")
    (p,) = jxedu.validate(data).errors
    assert p.code == "coords_outside_county" and "“县界”图层" in p.message and p.row == 2


# --- indicators, ledger, report ------------------------------------------------------------------


def test_indicators_never_name_jinxiang(county, capsys):
    assert cli_indicators(county) == 0
    out = capsys.readouterr().out
    assert "金乡" not in out and "资源配置指标与差异系数" in out


def test_ledger_names_the_county_and_shows_no_county_target(county, tmp_path):
    out = tmp_path / "台账.xlsx"
    assert cli_ledger(county, out=out) == 0
    text = _workbook_text(out)
    assert "金乡" not in text and "金政办" not in text
    assert f"{COUNTY}义务教育优质均衡发展整改台账（2026学年数据）" in text
    assert f"{COUNTY}整改台账 2026学年（合成演示数据）" in text  # the print header
    assert "数据中没有县规划目标" in text  # 评估依据: the national method only
    # no year to pass the assessment: the 说明 says the planner sets the deadlines; no row is overdue
    assert "数据中没有“通过国家督导评估年份”" in text
    df = ledger.read_ledger(out)
    assert df.loc[~df["key"].str.contains("plan_"), "deadline"].isna().all()
    keys = ledger.read_ledger(out)["key"]
    assert not keys.str.contains(r"\|plan_").any()  # no county-plan row, county or school


def test_a_plan_of_its_own_changes_the_ledger_row_and_the_report(county, tmp_path):
    data = shutil.copytree(county, tmp_path / "plan90")
    pd.DataFrame(PLAN_90).to_csv(data / "规划目标.csv", index=False, encoding="utf-8-sig")
    a = jxedu.assess(jxedu.load(data))
    # rotations of compulsory-stage teachers (the 高中 ones left out): 2024 40, 2025 44, 2026 48
    assert [ROTATIONS[y][0] for y in (2024, 2025, 2026)] == [40, 44, 48]
    # 2024–2026 average (40 + 44 + 48) / 3 = 44.0 against 90: short ceil(90 − 44.0) = 46
    row = ledger.build_ledger(a).set_index("key").loc["county|plan_rotations"]
    assert (row["value"], row["target"], row["status"]) == (44.0, 90.0, ledger.OPEN)
    assert row["gap"].startswith("年均还差 46 人") and "2026学年 48 人" in row["gap"]
    assert row["requirement"] == "义务教育学校教师交流轮岗年均不少于90人"
    # the other targets of 金乡's plan do not appear: this county set only its rotations
    items = ledger.build_ledger(a)["key"]
    assert not items.isin(["county|plan_honoured_teachers", "county|plan_smart_campus",
                           "county|plan_pe_art_every_school"]).any()
    # the report's headline and its county targets
    head = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", sections.headline(a).data))
    assert "交流轮岗（县规划目标）" in head and "2024–2026学年年均44.0人" in head and "云政办发〔2024〕8号" in head
    out = tmp_path / "台账.xlsx"
    assert cli_ledger(data, out=out) == 0
    assert "云溪县实施方案（云政办发〔2024〕8号）" in _workbook_text(out)
    # the year's count decides with rotation_target_basis = yearly: 48 against 90, short 42
    y = jxedu.assess(jxedu.load(data), settings=get_settings(rotation_target_basis="yearly"))
    row = ledger.build_ledger(y).set_index("key").loc["county|plan_rotations"]
    assert row["value"] == 48.0 and row["gap"].startswith("当年还差 42 人")


def test_reports_of_the_other_county(county, tmp_path):
    jobs = [j for j in reports.plan_reports(county, out=tmp_path) if j.title in ("南塘镇", reports.COUNTY_STEM)]
    with reports.batch_assessment(jobs):
        results = reports.run_jobs(jobs, workers=2, progress=False)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    for stem in ("南塘镇", reports.COUNTY_STEM):
        pages = PdfReader(str(tmp_path / "2026" / f"{stem}.pdf")).pages
        flat = "".join("".join((p.extract_text() or "").split()) for p in pages)
        assert "金乡" not in flat and "金政办" not in flat
        assert f"{COUNTY}教育体育局·义务教育优质均衡发展定期通报" in flat
        assert "无公交数据" in flat and "（直线距离）" in flat
        assert "县规划目标" not in flat  # the county set none
        # no year to pass the assessment: no default deadline, so nothing is overdue by one; the note says who sets it
        assert "没有已过完成时限仍未达标的事项" in flat and "尚无完成时限的事项由规划人员在整改台账中填写" in flat
    flat = "".join("".join((p.extract_text() or "").split())
                   for p in PdfReader(str(tmp_path / "2026" / "南塘镇.pdf")).pages)
    assert f"{COUNTY}南塘镇义务教育优质均衡发展监测报告" in flat and f"{COUNTY}·南塘镇·2026学年" in flat  # title, header
