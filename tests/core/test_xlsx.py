"""Tests of jxedu.core.xlsx.set_cell: text from the data is stored as text, never as a formula."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook, load_workbook

from jxedu.core.xlsx import set_cell


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","点我")', "+1班", "-1班", "@SUM(A1)", "\t=1", "=1班"])
def test_formula_like_text_stays_text(tmp_path, text):
    wb = Workbook()
    set_cell(wb.active["A1"], text)
    wb.save(tmp_path / "x.xlsx")
    cell = load_workbook(tmp_path / "x.xlsx").active["A1"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)


def test_other_values_as_they_are(tmp_path):
    wb = Workbook()
    ws = wb.active
    for ref, v in (("A1", "金乡县"), ("A2", -3), ("A3", 2.5), ("A4", dt.datetime(2025, 3, 1)), ("A5", None),
                   ("A6", "乙\x01小学")):
        set_cell(ws[ref], v)
    wb.save(tmp_path / "x.xlsx")
    ws = load_workbook(tmp_path / "x.xlsx").active
    assert [ws[f"A{i}"].value for i in range(1, 7)] == ["金乡县", -3, 2.5, dt.datetime(2025, 3, 1), None, "乙\ufffd小学"]
    assert not ws["A1"].quotePrefix and ws["A2"].data_type == "n"
