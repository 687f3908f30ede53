"""Tests of jxedu.present.text: the synthetic-data notice and missing-data notes."""

from __future__ import annotations

import dataclasses

import jxedu
from jxedu.present import text
from tests.analysis.test_overview import make_dataset


def test_synthetic_notice_names_the_county_from_the_data():
    ds = make_dataset(synthetic=True)
    notice = text.synthetic_notice(ds)
    assert "合成演示数据" in notice and "不代表本县的真实情况" in notice  # the data do not name the county
    assert notice._repr_markdown_() == str(notice)
    other = dataclasses.replace(ds, meta={**ds.meta, "县名": "某某县"})
    assert "不代表某某县的真实情况" in text.synthetic_notice(other)
    assert text.synthetic_notice(make_dataset(synthetic=False)) == ""


def test_missing_note_names_the_table_and_what_the_section_shows():
    ds = make_dataset()
    a = jxedu.assess(dataclasses.replace(ds, classes=None))
    note = text.missing_note(a, "class_sizes", shows="各镇街班额分布")
    assert "班级" in note and "各镇街班额分布" in note
    assert text.missing_note(a, "indicators", shows="x") == ""
