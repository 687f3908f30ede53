"""Names from the data that a spreadsheet would run as formulas stay text in every ledger cell."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

import jxedu
from jxedu.publish.ledger import CLASS_SHEET, LEDGER_SHEET, build_ledger, ledger_details, read_ledger, write_ledger
from tests.hostile.corpus import FORMULAS
from tests.publish.test_ledger import make_ds

NAME = FORMULAS[0]  # =HYPERLINK("http://example.invalid/","点我")


def _hostile_ds(class_name: str):
    ds = make_ds()  # schools A (fails backbone, one class of 46) and B (meets everything)
    ds.schools.loc[ds.schools["school_id"] == "A", "name"] = NAME
    ds.schools.loc[ds.schools["school_id"] == "B", "name"] = "乙\x01小学"  # a control character
    ds.classes.loc[ds.classes["school_id"] == "A", "class_name"] = class_name
    return ds


def _export(ds, path, today=dt.date(2025, 4, 1)):
    a = jxedu.assess(ds)
    return write_ledger(build_ledger(a, include_passing=True), path, details=ledger_details(a), today=today)


def _cells(path):
    wb = load_workbook(path)
    return [(ws.title, c) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


@pytest.mark.parametrize("class_name", FORMULAS[1:])
def test_formula_like_names_are_written_as_text(tmp_path, class_name):
    p = tmp_path / "台账.xlsx"
    for today in (dt.date(2025, 4, 1), dt.date(2025, 5, 1)):  # written fresh, then updated in place
        _export(_hostile_ds(class_name), p, today)
        cells = _cells(p)
        assert [c.coordinate for _, c in cells if c.data_type == "f"] == []  # not one formula anywhere
        named = [(sheet, c) for sheet, c in cells if c.value == NAME]
        # A's two listed items (backbone, class size) in 台账, its class in 超标准班额明细
        assert sorted(sheet for sheet, _ in named if sheet != "_jxedu") == [LEDGER_SHEET, LEDGER_SHEET, CLASS_SHEET]
        assert all(c.data_type == "s" and c.quotePrefix for _, c in named)
        (cls,) = [c for sheet, c in cells if sheet == CLASS_SHEET and c.value == class_name]
        assert cls.data_type == "s" and cls.quotePrefix
    back = read_ledger(p)
    assert set(back.loc[back["key"].str.startswith("school|A|"), "school"]) == {NAME}


def test_control_characters_do_not_break_the_workbook(tmp_path):
    p = tmp_path / "台账.xlsx"
    ds = _hostile_ds("1班")
    ds.classes.loc[ds.classes["school_id"] == "B", "students"] = 50  # B gets a listed class item
    _export(ds, p)
    back = read_ledger(p).set_index("key")
    assert back.loc["school|B|class_size", "school"] == "乙\ufffd小学"
