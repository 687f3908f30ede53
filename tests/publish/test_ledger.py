"""The progress ledger: items, the Excel sheet, and the round trip that keeps the planner's work."""

from __future__ import annotations

import datetime as dt
import functools
import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import load_workbook

import jxedu
from jxedu.core.dataset import Dataset
from jxedu.publish.ledger import (
    COLUMNS,
    LEDGER_SHEET,
    LedgerError,
    build_ledger,
    ledger_summary,
    merge_ledger,
    read_ledger,
    responsible_units,
    write_ledger,
)
from tests.core.test_county import plan_table

BACKBONE = "school|A|primary|backbone_teachers_per_100"


def make_ds(*, backbone_a: int = 5, class_a: int = 46, years=(2024,), synthetic: bool = True,
            plan: bool = True) -> Dataset:
    """Two primary schools, of a county with 金乡's plan targets (``plan=False``: no 规划目标 table).

    A (金乡街道, urban): 1000 students, 25 classes; backbone ``backbone_a`` per 1000 students —
    5 gives 0.5 per 100 < 1.0 and below the 85 % floor, so A's unit fails on that one indicator;
    every other value meets its standard (qualified 6.0 ≥ 4.2, PE/art 1.0 ≥ 0.9, teaching area 5.0 ≥
    4.5, sports 8.0 ≥ 7.5, equipment 2500 ≥ 2000 元, multimedia 2.5 ≥ 2.3). One class of ``class_a``.
    B (羊山镇, rural): 200 students, everything met.
    """
    sdf = pd.DataFrame([
        {"school_id": "A", "name": "甲小学", "school_type": "primary", "township": "金乡街道", "urban_rural": "urban",
         "lon": 116.30, "lat": 35.08, "built_year": 2018},
        {"school_id": "B", "name": "乙小学", "school_type": "primary", "township": "羊山镇", "urban_rural": "rural",
         "lon": 116.23, "lat": 35.12, "built_year": 2018},
    ])
    schools = gpd.GeoDataFrame(sdf, geometry=gpd.points_from_xy(sdf["lon"], sdf["lat"]), crs="EPSG:4326")
    stats, fac, classes = [], [], []
    for y in years:
        stats += [
            {"year": y, "school_id": "A", "stage": "primary", "students": 1000, "classes": 25, "teachers": 60,
             "qualified_teachers": 60, "backbone_teachers": backbone_a, "pe_teachers": 6, "music_teachers": 2,
             "art_teachers": 2, "certified_teachers": 60, "trained_teachers": 60, "migrant_students": 0},
            {"year": y, "school_id": "B", "stage": "primary", "students": 200, "classes": 8, "teachers": 14,
             "qualified_teachers": 14, "backbone_teachers": 3, "pe_teachers": 1, "music_teachers": 1,
             "art_teachers": 1, "certified_teachers": 14, "trained_teachers": 14, "migrant_students": 0},
        ]
        fac += [
            {"year": y, "school_id": "A", "teaching_area": 5000.0, "indoor_sports_area": 0.0,
             "sports_ground_area": 8000.0, "equipment_value_wan": 250.0, "multimedia_rooms": 25, "music_rooms": 3,
             "art_rooms": 3, "smart_campus": True},
            {"year": y, "school_id": "B", "teaching_area": 1000.0, "indoor_sports_area": 0.0,
             "sports_ground_area": 2000.0, "equipment_value_wan": 50.0, "multimedia_rooms": 5, "music_rooms": 1,
             "art_rooms": 1, "smart_campus": True},
        ]
        classes += [
            {"year": y, "school_id": "A", "stage": "primary", "grade": 3, "class_name": "3班", "students": class_a},
            {"year": y, "school_id": "B", "stage": "primary", "grade": 3, "class_name": "1班", "students": 30},
        ]
    return Dataset(source=Path("hand-built"), schools=schools, stage_stats=pd.DataFrame(stats),
                   facilities=pd.DataFrame(fac), classes=pd.DataFrame(classes),
                   meta={"合成数据": "是"} if synthetic else {}, synthetic=synthetic,
                   plan_targets=plan_table() if plan else None)


@functools.lru_cache(maxsize=None)
def _items(year=None, **ds_kw) -> pd.DataFrame:
    """build_ledger(make_ds(**ds_kw), include_passing=True), built once per argument set (the ledger
    functions never modify the frame they get)."""
    return build_ledger(jxedu.assess(make_ds(**ds_kw), year=year), include_passing=True)


def _listed(**ds_kw) -> pd.DataFrame:
    """What build_ledger(make_ds(**ds_kw)) returns: the listed rows only (a new frame)."""
    d = _items(**ds_kw)
    return d[d["listed"]].reset_index(drop=True)


def _export(path, *, year=None, today=dt.date(2025, 4, 1), **ds_kw):
    return write_ledger(_items(year, **ds_kw), path, today=today)


def _rows_by_key(ws):
    """{key: row number} and {Chinese header: column letter} of the ledger sheet (header on row 3)."""
    header = {c.value: c.column_letter for c in ws[3] if c.value}
    rows = {ws[f"{header['事项编号']}{r}"].value: r for r in range(4, ws.max_row + 1)}
    return rows, header


# --- the items --------------------------------------------------------------------------------


def test_items_and_keys():
    led = build_ledger(jxedu.assess(make_ds()))  # the real call once
    keys = set(led["key"])
    # A fails backbone (0.5 < 1.0) and has one class of 46 > 45; B has no listed item
    assert BACKBONE in keys
    assert "school|A|class_size" in keys
    assert not any(k.startswith("school|B|") for k in keys)
    row = led.set_index("key").loc[BACKBONE]
    # need 1.0 * 1000 / 100 = 10 backbone teachers, have 5 -> 5
    assert row["value"] == 0.5 and row["target"] == 1.0
    assert "新增县级以上骨干教师 5 人" in row["action"]
    assert row["status"] == "未达标"
    assert row["township"] == "金乡街道" and row["school"] == "甲小学"
    cls = led.set_index("key").loc["school|A|class_size"]
    assert cls["value"] == 1 and "3年级3班 46人" in cls["gap"]
    # 46 pupils in one class of grade 3 need ceil(46 / 45) = 2 classes: 1 more
    assert "约需增加 1 个班" in cls["action"]
    # county rows: pass share of 小学 units 1 of 2 = 50 %
    rp = led.set_index("key").loc["county|resource_pass|primary"]
    assert rp["value"] == 50.0 and rp["status"] == "未达标"
    # every county assurance/checklist item is there, each key once
    assert led["key"].is_unique
    assert {"county|satisfaction", "county|class_size", "county|training_completion"} <= keys


def test_responsible_units():
    led = _listed().set_index("key")
    assert led.loc[BACKBONE, "responsible"] == "县教体局"
    # class size names the 镇街 government of the school: 金乡街道 -> 金乡街道办事处
    assert led.loc["school|A|class_size", "responsible"].endswith("金乡街道办事处")
    assert "县财政局" in led.loc["county|small_school_funding", "responsible"]
    assert responsible_units()["item_key"].is_unique


def test_include_passing_marks_unlisted():
    led = _items().set_index("key")
    assert not led.loc["school|B|primary|backbone_teachers_per_100", "listed"]
    assert led.loc["school|B|primary|backbone_teachers_per_100", "status"] == "已达标"
    assert led.loc[BACKBONE, "listed"]


# --- the sheet --------------------------------------------------------------------------------


def test_sheet_layout(tmp_path):
    p = tmp_path / "台账.xlsx"
    written = _export(p)
    wb = load_workbook(p)
    assert wb.sheetnames[:2] == [LEDGER_SHEET, "说明"]
    ws = wb[LEDGER_SHEET]
    assert [c.value for c in ws[3]] == list(COLUMNS.values())
    assert ws.freeze_panes == "E4"
    assert ws.auto_filter.ref.startswith("A3:")
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$3:$3"
    assert "2024学年" in ws["A1"].value
    assert "合成演示数据" in ws["A2"].value
    rows, header = _rows_by_key(ws)
    # only listed rows are written: passing school rows of B are not
    assert len(rows) == len(written) == len(_listed())
    assert ws[f"{header['状态']}{rows[BACKBONE]}"].fill.fgColor.rgb.endswith("FFC7CE")
    assert ws.conditional_formatting  # whole-row colours follow the status
    assert ws.data_validations.dataValidation[0].formula1.startswith('"未达标,已达标,已销号')
    readme = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert "合成演示数据" in readme and "重新打开" in readme
    assert (os.stat(p).st_mode & 0o777) != 0o600  # not the private mode of a temp file


# --- the round trip ---------------------------------------------------------------------------


def test_round_trip_keeps_planner_work(tmp_path):
    p = tmp_path / "ledger.xlsx"
    _export(p)
    # the planner edits the file in Excel
    wb = load_workbook(p)
    ws = wb[LEDGER_SHEET]
    rows, h = _rows_by_key(ws)
    r = rows[BACKBONE]                      # still failing in the data: will be re-opened
    ws[f"{h['状态']}{r}"] = "已销号"
    ws[f"{h['销号日期']}{r}"] = dt.datetime(2025, 3, 1)
    ws[f"{h['销号说明']}{r}"] = "已评定骨干教师5人"
    ws[f"{h['备注']}{r}"] = "待人事文件"
    r = rows["county|satisfaction"]          # evidence item: the planner's status and value stay
    ws[f"{h['状态']}{r}"] = "已达标"
    ws[f"{h['现状值']}{r}"] = 92.5
    ws[f"{h['备注']}{r}"] = "2025年问卷"
    r = rows["county|school_size"]           # met in the data and closed: stays closed
    ws[f"{h['状态']}{r}"] = "已销号"
    ws[f"{h['销号日期']}{r}"] = dt.datetime(2025, 2, 1)
    extra_col = ws.max_column + 1            # a column the planner adds
    ws.cell(row=3, column=extra_col, value="督办人")
    ws.cell(row=rows[BACKBONE], column=extra_col, value="王科长")
    manual = ws.max_row + 1                  # a row the planner adds with a key of their own
    ws[f"{h['事项编号']}{manual}"] = "自定义|安全排查"
    ws[f"{h['事项']}{manual}"] = "校园安全隐患排查"
    ws[f"{h['状态']}{manual}"] = "未达标"
    wb.save(p)

    merged = _export(p, today=dt.date(2025, 4, 1))
    assert merged.attrs["reopened"] == 1
    # planner content on three matched rows: the backbone item, satisfaction, school size
    assert merged.attrs["kept"] == 3
    back = read_ledger(p).set_index("key")
    bb = back.loc[BACKBONE]
    assert bb["status"] == "未达标"
    assert bb["closed_on"] == dt.datetime(2025, 3, 1)
    assert bb["closed_note"] == "已评定骨干教师5人"
    assert bb["remarks"] == "待人事文件；2025-04-01 复核未达标（2024学年数据），重新打开"
    assert bb["督办人"] == "王科长"
    sat = back.loc["county|satisfaction"]
    assert (sat["status"], sat["value"], sat["remarks"]) == ("已达标", 92.5, "2025年问卷")
    assert back.loc["county|school_size", "status"] == "已销号"
    assert back.loc["county|school_size", "closed_on"] == dt.datetime(2025, 2, 1)
    assert back.loc["自定义|安全排查", "item"] == "校园安全隐患排查"
    assert (tmp_path / "ledger.bak.xlsx").exists()

    # a third export with the same data does not add the re-open note twice
    _export(p, today=dt.date(2025, 5, 1))
    assert read_ledger(p).set_index("key").loc[BACKBONE, "remarks"].count("重新打开") == 1


def test_closed_item_stays_closed_when_data_pass(tmp_path):
    p = tmp_path / "ledger.xlsx"
    _export(p)
    wb = load_workbook(p)
    ws = wb[LEDGER_SHEET]
    rows, h = _rows_by_key(ws)
    ws[f"{h['状态']}{rows[BACKBONE]}"] = "已销号"
    ws[f"{h['销号说明']}{rows[BACKBONE]}"] = "已补齐"
    ws[f"{h['备注']}{rows['school|A|class_size']}"] = "秋季分班"
    wb.save(p)
    # new data: A has 10 backbone teachers (1.0 per 100, met) and a class of 45 (within the limit)
    _export(p, backbone_a=10, class_a=45)
    back = read_ledger(p).set_index("key")
    assert back.loc[BACKBONE, "status"] == "已销号"
    assert back.loc[BACKBONE, "value"] == 1.0
    # not closed by the planner, now met: 已达标, the planner's note kept
    assert back.loc["school|A|class_size", "status"] == "已达标"
    assert back.loc["school|A|class_size", "remarks"] == "秋季分班"


def test_same_item_next_year_is_one_row(tmp_path):
    p = tmp_path / "ledger.xlsx"
    _export(p, year=2024, years=(2024, 2025))
    wb = load_workbook(p)
    ws = wb[LEDGER_SHEET]
    rows, h = _rows_by_key(ws)
    ws[f"{h['状态']}{rows[BACKBONE]}"] = "已销号"
    wb.save(p)
    _export(p, year=2025, years=(2024, 2025))
    back = read_ledger(p)
    assert (back["key"] == BACKBONE).sum() == 1
    row = back.set_index("key").loc[BACKBONE]
    assert row["status"] == "未达标" and row["data_year"] == 2025
    assert "2025学年数据" in row["remarks"]


def test_items_no_longer_listed_are_kept_as_met():
    old = _listed()
    old.loc[old["key"] == "school|A|class_size", "remarks"] = "已分班"
    # the new items without the passing rows: A's class item is gone
    new = _listed(class_a=40)
    assert "school|A|class_size" not in set(new["key"])
    merged = merge_ledger(new, old.drop(columns=["evidence", "listed"]), today=dt.date(2025, 6, 1))
    row = merged.set_index("key").loc["school|A|class_size"]
    assert row["status"] == "已达标"
    assert row["remarks"] == "已分班；2025-06-01 2024学年数据中已无此事项，状态改为已达标"
    assert merged.attrs["retired"] == 1


def test_unknown_status_is_reset_with_note():
    old = _listed()
    old.loc[old["key"] == BACKBONE, "status"] = "已消号"  # typo
    merged = merge_ledger(_listed(), old, today=dt.date(2025, 6, 1))
    row = merged.set_index("key").loc[BACKBONE]
    assert row["status"] == "未达标" and "“已消号”无法识别" in row["remarks"]


def test_summary_counts():
    led = _listed()
    s = ledger_summary(led)
    assert s["total"] == len(led)
    assert s["未达标"] == int((led["status"] == "未达标").sum()) >= 3  # backbone, class size, pass share


# --- errors and atomic writing ----------------------------------------------------------------


def test_locked_file(tmp_path):
    p = tmp_path / "ledger.xlsx"
    _export(p)
    (tmp_path / "~$ledger.xlsx").write_bytes(b"owner")
    before = p.read_bytes()
    with pytest.raises(LedgerError, match="ledger_locked"):
        _export(p)
    assert p.read_bytes() == before


def test_malformed_previous(tmp_path):
    p = tmp_path / "ledger.xlsx"
    p.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(LedgerError, match="ledger_malformed"):
        _export(p)
    assert p.read_text(encoding="utf-8") == "not a workbook"
    other = tmp_path / "other.xlsx"
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["学校", "备注"])
    wb.save(other)
    with pytest.raises(LedgerError, match="事项编号"):
        read_ledger(other)


def test_failed_save_leaves_old_file(tmp_path, monkeypatch):
    p = tmp_path / "ledger.xlsx"
    _export(p)
    before = p.read_bytes()
    from openpyxl import Workbook

    def boom(self, filename):
        Path(filename).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(Workbook, "save", boom)
    with pytest.raises(LedgerError, match="ledger_write_failed"):
        _export(p)
    assert p.read_bytes() == before
    assert sorted(f.name for f in tmp_path.iterdir()) == ["ledger.xlsx"]


def test_input_data_untouched(tmp_path):
    ds = make_ds()
    before = ds.stage_stats.copy(), ds.classes.copy(), ds.facilities.copy()
    write_ledger(build_ledger(jxedu.assess(ds), include_passing=True), tmp_path / "x.xlsx")
    pd.testing.assert_frame_equal(ds.stage_stats, before[0])
    pd.testing.assert_frame_equal(ds.classes, before[1])
    pd.testing.assert_frame_equal(ds.facilities, before[2])


def test_cli_on_demo(demo_dir, tmp_path, capsys):
    from jxedu.cli.commands import cli_ledger

    out = tmp_path / "demo_ledger.xlsx"
    assert cli_ledger(demo_dir, out=out) == 0
    text = capsys.readouterr().out
    assert "台账已写入" in text and "合成演示数据" in text
    back = read_ledger(out)
    assert back["key"].is_unique
    assert len(back) > 30  # at least every county item


def test_one_export_computes_the_resource_indicators_once(demo_dir, tmp_path, monkeypatch):
    """Every figure of the ledger is read from one assessment: the units (and so the indicators, CVs
    and shortfalls) are computed once per export, however many sections read them."""
    from jxedu.analysis import indicators
    from jxedu.cli.commands import cli_ledger

    calls = []
    real = indicators.units

    def counting(*args, **kwargs):
        calls.append(kwargs.get("year"))
        return real(*args, **kwargs)

    monkeypatch.setattr(indicators, "units", counting)
    assert cli_ledger(demo_dir, out=tmp_path / "once.xlsx") == 0
    assert calls == [2026]


# --- the round trip keeps everything the planner wrote ----------------------------------------


def _planner_edits(p: Path) -> dict:
    """Edit the exported ledger as a planner would in Excel; return what was done (to check it back)."""
    from openpyxl.comments import Comment

    wb = load_workbook(p)
    ws = wb[LEDGER_SHEET]
    rows, h = _rows_by_key(ws)
    r = rows[BACKBONE]
    ws[f"{h['整改措施']}{r}"].comment = Comment("请人事科确认名额", "王科长")   # a comment on a tool cell
    ws[f"{h['备注']}{r}"].comment = Comment("2025年3月电话沟通", "李")
    ws[f"{h['销号日期']}{r}"] = "=TODAY()"                                     # a formula
    ws[f"{h['销号说明']}{r}"] = "=见附件3"                                     # text that starts with =
    ws[f"{h['销号说明']}{r}"].data_type = "s"
    ws[f"{h['销号说明']}{r}"].quotePrefix = True
    ws[f"{h['整改措施']}{r}"] = "通过县级骨干评选补足"                          # the planner's own action
    r_cls = rows["school|A|class_size"]
    ws[f"{h['责任单位']}{r_cls}"] = "金乡街道办事处、县教体局基教股"
    ws.column_dimensions[h["整改措施"]].width = 41                              # a width
    # the row order: the two school rows swapped (Excel 排序)
    a, b = rows[BACKBONE], r_cls
    for col in range(1, ws.max_column + 1):
        ca, cb = ws.cell(row=a, column=col), ws.cell(row=b, column=col)
        got = [(c.value, c.data_type, c.quotePrefix, c.comment) for c in (ca, cb)]
        for cell, (v, t, q, cm) in zip((ca, cb), reversed(got)):
            cell.value, cell.data_type, cell.quotePrefix, cell.comment = v, t, q, cm
    # a column inserted after 责任单位 (Excel moves the columns right and widens the print area)
    at = ws[f"{h['责任单位']}3"].column + 1
    ws.insert_cols(at)
    ws.cell(row=3, column=at, value="督办意见")
    ws.cell(row=a, column=at, value="月底前完成")  # on the class item (row a after the swap)
    ws.print_area = f"A1:P{ws.max_row}"  # was A1:O…; 备注 moved from O to P
    # a row and a sheet of the planner's own
    extra = ws.max_row + 1
    ws.cell(row=extra, column=1, value="自拟")
    ws.cell(row=extra, column=5, value="食堂改造（自定事项）")
    wb.create_sheet("工作记录").append(["3月：完成摸底"])
    wb.save(p)
    return {"swapped": (a, b), "extra_row": extra, "inserted": at}


def test_round_trip_keeps_comments_formulas_order_columns_and_print_area(tmp_path):
    from openpyxl.utils import get_column_letter

    p = tmp_path / "台账.xlsx"
    _export(p, class_a=46)
    done = _planner_edits(p)
    _export(p, class_a=47, today=dt.date(2025, 4, 1))   # new data: the class item changes
    wb = load_workbook(p)
    ws = wb[LEDGER_SHEET]
    rows, h = _rows_by_key(ws)
    # the row order is the planner's: the class item still above the backbone item, the same rows
    a, b = done["swapped"]
    assert (rows["school|A|class_size"], rows[BACKBONE]) == (a, b)
    r = rows[BACKBONE]
    assert ws[f"{h['整改措施']}{r}"].comment.text == "请人事科确认名额"
    assert ws[f"{h['备注']}{r}"].comment.text == "2025年3月电话沟通"
    assert ws[f"{h['销号日期']}{r}"].value == "=TODAY()" and ws[f"{h['销号日期']}{r}"].data_type == "f"
    cell = ws[f"{h['销号说明']}{r}"]
    assert (cell.value, cell.data_type) == ("=见附件3", "s")
    # the planner's action kept; the tool's suggestion (need 10 - 5 = 5 more) noted once in 备注
    assert ws[f"{h['整改措施']}{r}"].value == "通过县级骨干评选补足"
    remarks = ws[f"{h['备注']}{r}"].value
    assert remarks.startswith("2025-04-01 “整改措施”保留规划人员填写的内容；jxedu 按2024学年数据的建议：")
    assert "新增县级以上骨干教师 5 人" in remarks
    rc = rows["school|A|class_size"]
    assert ws[f"{h['责任单位']}{rc}"].value == "金乡街道办事处、县教体局基教股"
    assert "“责任单位”保留规划人员填写的内容" in ws[f"{h['备注']}{rc}"].value
    # the tool's own columns follow the data: one class of 47 = 2 over 45
    assert "超出 2 人" in ws[f"{h['差距']}{rc}"].value
    # the inserted column, its header and value, its place and the print area that holds it
    assert h["督办意见"] == get_column_letter(done["inserted"])
    assert ws[f"{h['督办意见']}{a}"].value == "月底前完成" and ws[f"{h['督办意见']}{b}"].value is None
    assert ws.print_area == f"'{LEDGER_SHEET}'!$A$1:$P${done['extra_row'] - 1}"  # as the planner set it
    assert ws.column_dimensions[h["整改措施"]].width == 41
    # the planner's own row and sheet
    assert ws.cell(row=done["extra_row"], column=5).value == "食堂改造（自定事项）"
    assert wb["工作记录"]["A1"].value == "3月：完成摸底"
    assert wb[LEDGER_SHEET].sheet_state == "visible" and wb["_jxedu"].sheet_state == "veryHidden"
    # the backup holds the planner's version (with its comments) after this export …
    bak = load_workbook(tmp_path / "台账.bak.xlsx")[LEDGER_SHEET]
    assert bak[f"{h['整改措施']}{r}"].comment.text == "请人事科确认名额"
    # … and after one more export too; the note is not repeated
    _export(p, class_a=47, today=dt.date(2025, 5, 1))
    bak = load_workbook(tmp_path / "台账.bak.xlsx")[LEDGER_SHEET]
    assert bak[f"{h['整改措施']}{r}"].comment.text == "请人事科确认名额"
    ws = load_workbook(p)[LEDGER_SHEET]
    assert ws[f"{h['备注']}{r}"].value.count("保留规划人员填写的内容") == 1
    assert ws[f"{h['销号日期']}{r}"].value == "=TODAY()"


def test_new_items_are_appended_and_ranges_extended(tmp_path):
    p = tmp_path / "台账.xlsx"
    _export(p, class_a=45)        # no class above 45: A's class item is not listed
    wb = load_workbook(p)
    ws = wb[LEDGER_SHEET]
    rows, h = _rows_by_key(ws)
    last = max(rows.values())
    assert "school|A|class_size" not in rows
    # columns A 序号 … K 责任单位, L 完成时限, M 状态, N 逾期天数, O 挂牌督导, P–R 销号日期…备注 (printed),
    # S 事项编号, T 数据学年
    assert ws.print_area == f"'{LEDGER_SHEET}'!$A$1:$R${last}"
    _export(p, class_a=46)        # now 46 > 45: a new item, appended after the last row
    wb = load_workbook(p)
    ws = wb[LEDGER_SHEET]
    rows, h = _rows_by_key(ws)
    assert rows["school|A|class_size"] == last + 1
    assert ws[f"{h['序号']}{last + 1}"].value == last - 3 + 1  # numbering continues (rows 4.. hold 1..)
    assert ws.print_area == f"'{LEDGER_SHEET}'!$A$1:$R${last + 1}"
    assert ws.auto_filter.ref == f"A3:T{last + 1}"
    # the row colours, 逾期天数 and 挂牌督导
    assert {str(cf.sqref) for cf in ws.conditional_formatting} == {f"A4:T{last + 1}", f"N4:N{last + 1}",
                                                                   f"O4:O{last + 1}"}
    assert str(ws.data_validations.dataValidation[0].sqref) == f"M4:M{last + 1 + 500}"
    assert str(ws.data_validations.dataValidation[1].sqref) == f"L4:L{last + 1 + 500}"  # 完成时限: a date
    assert ws[f"{h['状态']}{last + 1}"].value == "未达标"


def test_planner_changes_to_tool_sheets_are_kept(tmp_path):
    p = tmp_path / "台账.xlsx"
    _export(p)
    wb = load_workbook(p)
    assert wb.sheetnames == [LEDGER_SHEET, "说明", "_jxedu"]
    _export(p, today=dt.date(2025, 4, 2))  # unchanged tool sheets are simply replaced
    assert load_workbook(p).sheetnames == [LEDGER_SHEET, "说明", "_jxedu"]
    wb = load_workbook(p)
    wb["说明"]["C1"] = "本台账由基教股维护"
    wb.save(p)
    _export(p, today=dt.date(2025, 4, 3))
    wb = load_workbook(p)
    assert wb.sheetnames == [LEDGER_SHEET, "说明（20250403前）", "说明", "_jxedu"]
    assert wb["说明（20250403前）"]["C1"].value == "本台账由基教股维护"


def test_interrupted_export_leftover_is_removed(tmp_path):
    import os as _os
    import time as _time

    p = tmp_path / "台账.xlsx"
    _export(p)
    # a temporary of a process that no longer runs (pid 2**22 + 1 is above Linux's pid_max default)
    from jxedu.core.tempfiles import owner_tag

    host = owner_tag().split("-")[0]
    dead = tmp_path / f".~jxedu-{host}-{2 ** 22 + 1}-abc123.xlsx"
    dead.write_bytes(b"half")
    old = tmp_path / ".~jxedu-k3j2h1.xlsx"   # made by an older jxedu, 20 minutes ago
    old.write_bytes(b"half")
    _os.utime(old, (_time.time() - 1200, _time.time() - 1200))
    _export(p)
    assert sorted(f.name for f in tmp_path.iterdir()) == ["台账.bak.xlsx", "台账.xlsx"]


def test_legacy_ledger_without_record(tmp_path):
    """A ledger of an older jxedu (no _jxedu sheet): 整改措施 edits kept, data columns follow the data."""
    p = tmp_path / "台账.xlsx"
    _export(p)
    wb = load_workbook(p)
    del wb["_jxedu"]
    ws = wb[LEDGER_SHEET]
    rows, h = _rows_by_key(ws)
    ws[f"{h['整改措施']}{rows[BACKBONE]}"] = "自定措施"
    ws[f"{h['现状值']}{rows[BACKBONE]}"] = 0.3
    wb.save(p)
    _export(p, today=dt.date(2025, 4, 1))
    back = read_ledger(p).set_index("key")
    assert back.loc[BACKBONE, "action"] == "自定措施"
    assert back.loc[BACKBONE, "value"] == 0.5     # 5 backbone per 1000 students: the data's value
    assert "“整改措施”保留规划人员填写的内容" in back.loc[BACKBONE, "remarks"]


def test_a_formula_in_remarks_stays_and_the_note_goes_to_its_comment(tmp_path):
    p = tmp_path / "台账.xlsx"
    _export(p)
    wb = load_workbook(p)
    ws = wb[LEDGER_SHEET]
    rows, h = _rows_by_key(ws)
    r = rows[BACKBONE]
    ws[f"{h['状态']}{r}"] = "已销号"                 # still failing in the data: will be re-opened
    ws[f"{h['备注']}{r}"] = '="见"&"附件"'
    wb.save(p)
    _export(p, today=dt.date(2025, 4, 1))
    cell = load_workbook(p)[LEDGER_SHEET][f"{h['备注']}{r}"]
    assert (cell.value, cell.data_type) == ('="见"&"附件"', "f")
    assert cell.comment.text == "2025-04-01 复核未达标（2024学年数据），重新打开"


# --- deadlines: 完成时限, 逾期天数, 挂牌督导 ---------------------------------------------------------

D = dt.date


def test_deadline_and_days_overdue_as_of_a_date():
    a = jxedu.assess(make_ds())
    led = build_ledger(a, as_of=D(2025, 10, 31)).set_index("key")
    bb = led.loc[BACKBONE]
    # the plan's deadline 2025-09-30; to 2025-10-31 that is 31 days; past the plan's deadline: 挂牌督导
    assert (bb["deadline"], bb["overdue_days"], bb["supervision"]) == (D(2025, 9, 30), 31, "是")
    # a yearly target of the plan: the school year 2024 ends 2025-08-31; 30 (Sep) + 31 (Oct) = 61 days
    honours = led.loc["county|plan_honoured_teachers"]
    assert (honours["deadline"], honours["overdue_days"]) == (D(2025, 8, 31), 61)
    # 智慧校园 by the end of 2025, met: never overdue
    smart = led.loc["county|plan_smart_campus"]
    assert (smart["deadline"], smart["status"], smart["overdue_days"]) == (D(2025, 12, 31), "已达标", None)
    # an evidence item stays open until the planner records it
    assert led.loc["county|satisfaction", "overdue_days"] == 31
    assert led.attrs["as_of"] == D(2025, 10, 31) and led.attrs["plan_deadline"] == D(2025, 9, 30)
    on_time = build_ledger(a, as_of=D(2025, 9, 30))  # the deadline day itself is not overdue
    assert on_time.set_index("key").loc[BACKBONE, "overdue_days"] is None
    assert on_time["supervision"].isna().all()


def _set_cells(p: Path, edits: dict[tuple[str, str], object]) -> dict[str, int]:
    """Type ``{(key, Chinese header): value}`` into the ledger as a planner would; return the rows by key."""
    wb = load_workbook(p)
    ws = wb[LEDGER_SHEET]
    rows, h = _rows_by_key(ws)
    for (key, col), v in edits.items():
        ws[f"{h[col]}{rows[key]}"] = v
    wb.save(p)
    return rows


def _cells(p: Path, key: str, *cols: str) -> list:
    ws = load_workbook(p)[LEDGER_SHEET]
    rows, h = _rows_by_key(ws)
    return [ws[f"{h[c]}{rows[key]}"].value for c in cols]


def test_planner_deadlines_survive_and_supervision_follows_the_rule(tmp_path):
    p = tmp_path / "台账.xlsx"
    write_ledger(_items(), p, today=D(2025, 4, 1), as_of=D(2025, 4, 1))
    assert _cells(p, BACKBONE, "完成时限", "逾期天数", "挂牌督导") == [dt.datetime(2025, 9, 30), None, None]
    _set_cells(p, {(BACKBONE, "完成时限"): dt.datetime(2025, 3, 1),        # a date cell
                   ("school|A|class_size", "完成时限"): "2025年5月1日",      # a date typed as text
                   ("county|satisfaction", "完成时限"): dt.datetime(2025, 3, 1),
                   ("county|satisfaction", "状态"): "已达标"})              # evidence recorded: done
    merged = write_ledger(_items(), p, today=D(2025, 6, 1), as_of=D(2025, 6, 1))
    assert merged.attrs["problems"] == []
    # 2025-03-01 → 2025-06-01: 31 (Mar) + 30 (Apr) + 31 (May) = 92 days > 90: 挂牌督导
    assert _cells(p, BACKBONE, "完成时限", "逾期天数", "挂牌督导", "备注") == [dt.datetime(2025, 3, 1), 92, "是", None]
    # 2025-05-01 → 2025-06-01: 31 days, not more than 90, the plan's deadline (2025-09-30) not passed: no flag
    assert _cells(p, "school|A|class_size", "完成时限", "逾期天数", "挂牌督导") == ["2025年5月1日", 31, None]
    assert _cells(p, "county|satisfaction", "逾期天数", "挂牌督导") == [None, None]        # 已达标
    assert _cells(p, "county|resource_pass|primary", "逾期天数") == [None]               # due 2025-09-30
    # later: the plan's deadline has passed, every overdue item is 挂牌督导; the planner's dates stay
    write_ledger(_items(), p, today=D(2025, 10, 1), as_of=D(2025, 10, 1))
    # 2025-03-01 → 2025-10-01: 31 + 30 + 31 + 30 + 31 + 31 + 30 = 214 days
    assert _cells(p, BACKBONE, "完成时限", "逾期天数", "挂牌督导") == [dt.datetime(2025, 3, 1), 214, "是"]
    # 2025-05-01 → 2025-10-01: 31 + 30 + 31 + 31 + 30 = 153 days
    assert _cells(p, "school|A|class_size", "完成时限", "逾期天数") == ["2025年5月1日", 153]
    assert _cells(p, "county|resource_pass|primary", "完成时限", "逾期天数", "挂牌督导") == [
        dt.datetime(2025, 9, 30), 1, "是"]
    back = read_ledger(p).set_index("key")
    assert back.loc[BACKBONE, "deadline"] == dt.datetime(2025, 3, 1)
    assert ledger_summary(back)["supervised"] == int((back["supervision"] == "是").sum()) > 3


def test_a_deadline_that_is_not_a_date_is_kept_with_a_note(tmp_path):
    p = tmp_path / "台账.xlsx"
    write_ledger(_items(), p, today=D(2025, 4, 1), as_of=D(2025, 4, 1))
    rows = _set_cells(p, {(BACKBONE, "完成时限"): "年底前"})
    merged = write_ledger(_items(), p, today=D(2025, 10, 31), as_of=D(2025, 10, 31))
    (problem,) = merged.attrs["problems"]
    assert problem == (f"台账.xlsx 工作表“台账”第{rows[BACKBONE]}行“完成时限”列：“年底前”不是日期（应为日期，如 2025-09-30）；"
                       "已保留原内容，逾期天数按规划目标时限 2025-09-30 计算")
    # kept as typed; counted from the plan's 2025-09-30: 31 days
    deadline, days, remarks = _cells(p, BACKBONE, "完成时限", "逾期天数", "备注")
    assert (deadline, days) == ("年底前", 31)
    assert remarks == ("2025-10-31 “完成时限”“年底前”不是日期，已保留；逾期天数按规划目标时限 2025-09-30 计算，"
                       "请改填日期（如 2025-09-30）")
    again = write_ledger(_items(), p, today=D(2025, 11, 30), as_of=D(2025, 11, 30))
    assert len(again.attrs["problems"]) == 1                   # said at every export …
    assert _cells(p, BACKBONE, "备注")[0].count("不是日期") == 1  # … noted in 备注 once
    assert _cells(p, BACKBONE, "完成时限", "逾期天数") == ["年底前", 61]  # 31 (Oct) + 30 (Nov)


def _old_format(p: Path, monkeypatch) -> None:
    """Write the ledger as jxedu did before 完成时限: without its three columns, without a record of them."""
    import json

    import jxedu.publish.ledger as ledger_module

    before = {k: v for k, v in COLUMNS.items() if k not in ("deadline", "overdue_days", "supervision")}
    with monkeypatch.context() as m:
        m.setattr(ledger_module, "COLUMNS", before)
        m.setattr(ledger_module, "EDITABLE_COLUMNS", tuple(c for c in ledger_module.EDITABLE_COLUMNS if c != "deadline"))
        write_ledger(_items(), p, today=D(2025, 4, 1))
    wb = load_workbook(p)
    rec = wb["_jxedu"]
    cells = json.loads(rec["B3"].value)
    del cells["columns"]
    rec["B3"] = json.dumps(cells, ensure_ascii=False)
    wb.save(p)


@pytest.mark.parametrize("planner_column", [False, True])
def test_an_older_ledger_gets_the_new_columns_on_the_right(tmp_path, monkeypatch, planner_column):
    p = tmp_path / "台账.xlsx"
    _old_format(p, monkeypatch)
    wb = load_workbook(p)
    ws = wb[LEDGER_SHEET]
    header = [c.value for c in ws[3]]
    assert "完成时限" not in header and len(header) == 17
    rows, h = _rows_by_key(ws)
    ws[f"{h['备注']}{rows[BACKBONE]}"] = "待人事文件"
    if planner_column:  # the planner had added a 完成时限 column of their own (column R)
        ws.cell(row=3, column=18, value="完成时限")
        ws.cell(row=rows[BACKBONE], column=18, value=dt.datetime(2025, 3, 1))
    wb.save(p)
    merged = write_ledger(_items(), p, today=D(2025, 10, 31), as_of=D(2025, 10, 31))
    added = ["overdue_days", "supervision"] if planner_column else ["deadline", "overdue_days", "supervision"]
    assert merged.attrs["added_columns"] == added
    ws = load_workbook(p)[LEDGER_SHEET]
    header = [c.value for c in ws[3]]
    assert header[:17] == [v for k, v in COLUMNS.items() if k not in ("deadline", "overdue_days", "supervision")]
    assert header[17:] == ["完成时限", "逾期天数", "挂牌督导"]  # added after the last column (or the planner's)
    # the planner's date and 备注 stay; 2025-03-01 → 2025-10-31 is 244 days, the plan's 2025-09-30 is 31
    days = 244 if planner_column else 31
    expected = dt.datetime(2025, 3, 1) if planner_column else dt.datetime(2025, 9, 30)
    assert _cells(p, BACKBONE, "完成时限", "逾期天数", "挂牌督导", "备注") == [expected, days, "是", "待人事文件"]
    assert ws.auto_filter.ref == f"A3:T{ws.max_row}"  # the filter and the row colours reach the new columns
    assert f"A4:T{ws.max_row}" in {str(cf.sqref) for cf in ws.conditional_formatting}
    # once added, they are the ledger's: the next export adds nothing
    assert write_ledger(_items(), p, today=D(2025, 11, 1), as_of=D(2025, 11, 1)).attrs["added_columns"] == []
    assert [c.value for c in load_workbook(p)[LEDGER_SHEET][3]] == header


def test_a_column_the_planner_deleted_is_not_added_back(tmp_path):
    p = tmp_path / "台账.xlsx"
    write_ledger(_items(), p, today=D(2025, 4, 1), as_of=D(2025, 4, 1))
    wb = load_workbook(p)
    ws = wb[LEDGER_SHEET]
    _, h = _rows_by_key(ws)
    ws.delete_cols(ws[f"{h['挂牌督导']}3"].column)
    wb.save(p)
    merged = write_ledger(_items(), p, today=D(2025, 10, 31), as_of=D(2025, 10, 31))
    assert merged.attrs["added_columns"] == []
    header = [c.value for c in load_workbook(p)[LEDGER_SHEET][3]]
    assert "挂牌督导" not in header and "逾期天数" in header
    assert _cells(p, BACKBONE, "逾期天数") == [31]


def test_supervision_is_highlighted_by_fixed_rules(tmp_path):
    p = tmp_path / "台账.xlsx"
    write_ledger(_items(), p, today=D(2025, 10, 31), as_of=D(2025, 10, 31))
    ws = load_workbook(p)[LEDGER_SHEET]
    rows, h = _rows_by_key(ws)
    rules = {str(cf.sqref): cf.rules for cf in ws.conditional_formatting}
    last = max(rows.values())
    (sup,) = rules[f"{h['挂牌督导']}4:{h['挂牌督导']}{last}"]
    assert sup.formula == [f'${h["挂牌督导"]}4="是"'] and sup.priority == 1  # ahead of the row colours
    assert sup.dxf.fill.bgColor.rgb.endswith("C00000")
    (od,) = rules[f"{h['逾期天数']}4:{h['逾期天数']}{last}"]
    assert od.formula == [f"AND(ISNUMBER(${h['逾期天数']}4),${h['逾期天数']}4>0)"] and od.priority == 2
    assert ws[f"{h['完成时限']}{rows[BACKBONE]}"].number_format == "yyyy-mm-dd"
    assert "截至 2025-10-31 逾期" in ws["A2"].value


def test_cli_as_of(demo_dir, tmp_path):
    from typer.testing import CliRunner

    from jxedu.cli.app import app

    out = tmp_path / "台账.xlsx"
    res = CliRunner().invoke(app, ["ledger", str(demo_dir), "--out", str(out), "--as-of", "2025-09-30"])
    assert res.exit_code == 0, res.output
    # on the plan's deadline day nothing is overdue yet
    assert "截至 2025-09-30：逾期 0 条，其中挂牌督导 0 条" in res.stdout
    back = read_ledger(out)
    assert back["deadline"].notna().all() and back["overdue_days"].isna().all()
    bad = CliRunner().invoke(app, ["ledger", str(demo_dir), "--out", str(out), "--as-of", "九月底"])
    assert bad.exit_code == 2 and "bad_as_of" in bad.output


def test_plan_task_items_flow_into_the_ledger():
    from tests.analysis.plan_tasks_data import plan_county

    df = build_ledger(jxedu.assess(plan_county())).set_index("key")
    # county items from the tables: computed, so the status follows the data (not evidence)
    assert df.loc["county|satisfaction", "status"] == "未达标" and not df.loc["county|satisfaction", "evidence"]
    assert df.loc["county|plan_dropout_ledger", ["value", "status"]].tolist() == [1.0, "未达标"]
    assert df.loc["county|plan_strong_towns", "status"] == "需佐证材料"
    # school items: every school of the 课后服务与作业 table fails one check; D is the one rural school outside
    # every group (A and B are members)
    assert {k for k in df.index if k.endswith("|after_school")} == {f"school|{s}|after_school" for s in "ABCD"}
    assert df.loc["school|B|after_school", "gap"] == "课后服务参与率 80.0%；未公示作业；八年级书面作业超时（最多超出 5 分钟）"
    assert [k for k in df.index if k.endswith("|alliance_membership")] == ["school|D|alliance_membership"]
    assert df.loc["school|D|alliance_membership", "school"] == "乙教学点"


def test_without_the_plan_task_tables_the_items_are_evidence_or_no_data():
    from tests.analysis.plan_tasks_data import plan_county

    ds = plan_county(survey=True, special_groups=True, dropouts=True, after_school=True, alliances=True,
                     rural_projects=True)
    df = build_ledger(jxedu.assess(ds)).set_index("key")
    assert df.loc["county|satisfaction", "status"] == "需佐证材料"
    assert df.loc["county|plan_alliance_coverage", "status"] == "数据不足"
    assert pd.isna(df.loc["county|plan_dropout_ledger", "value"])
    assert not [k for k in df.index if k.endswith(("|after_school", "|alliance_membership"))]
