"""Tests of jxedu.ingest.templates: regenerated templates match the schema; the README section is current."""

from __future__ import annotations

import openpyxl

from jxedu.core import config, schema
from jxedu.ingest.templates import (
    BEGIN_MARK,
    END_MARK,
    PER_TABLE_DIR,
    WORKBOOK_NAME,
    schema_markdown,
    write_templates,
)


def test_workbook_headers_equal_schema(tmp_path):
    written = write_templates(tmp_path)
    assert written[0] == tmp_path / WORKBOOK_NAME
    wb = openpyxl.load_workbook(tmp_path / WORKBOOK_NAME)
    assert wb.sheetnames == ["填表说明", *(t.zh for t in schema.TABLES)]
    for t in schema.TABLES:
        ws = wb[t.zh]
        headers = [c.value for c in ws[1]]
        assert headers == [c.zh for c in t.columns]
        assert ws.freeze_panes == "A2"
        assert all(c.font.bold for c in ws[1])
        if t is not schema.META:
            assert ws.max_row == 1  # blank below the header
    # 说明 lists the county's items to fill in, blank
    assert [[c.value for c in row] for row in wb["说明"].iter_rows(min_row=2)] == [
        ["县名", None], ["行政区划代码", None], ["教育行政部门", None]]


def test_template_for_a_county(tmp_path):
    (path,) = write_templates(tmp_path, per_table=False, county="云溪县")
    assert path.name == "云溪县教育数据模板.xlsx"
    wb = openpyxl.load_workbook(tmp_path / "云溪县教育数据模板.xlsx")
    assert wb["填表说明"]["A1"].value == "云溪县教育数据模板 — 填表说明"
    assert [c.value for c in wb["说明"][2]] == ["县名", "云溪县"]
    assert not list(tmp_path.glob("金乡*"))


def test_header_comments_and_drop_downs(tmp_path):
    write_templates(tmp_path, per_table=False)
    ws = openpyxl.load_workbook(tmp_path / WORKBOOK_NAME)["学校"]
    # 办学类型 is the third column: a list validation with the six school types
    (dv,) = [d for d in ws.data_validations.dataValidation if "C2" in str(d.sqref)]
    assert dv.type == "list"
    assert dv.formula1 == '"小学,初中,九年一贯制学校,十二年一贯制学校,完全中学,教学点"'
    note = ws["F1"].comment.text  # 经度
    assert "单位：°" in note and "必填列" in note
    fac = openpyxl.load_workbook(tmp_path / WORKBOOK_NAME)["办学条件"]
    assert "单位：万元" in fac["F1"].comment.text


def test_per_table_files(tmp_path):
    write_templates(tmp_path)
    for t in schema.TABLES:
        wb = openpyxl.load_workbook(tmp_path / PER_TABLE_DIR / f"{t.zh}.xlsx")
        assert wb.sheetnames == [t.zh]
        assert [c.value for c in wb[t.zh][1]] == [c.zh for c in t.columns]


def test_committed_templates_match_schema():
    wb = openpyxl.load_workbook(config.TEMPLATES_DIR / WORKBOOK_NAME)
    for t in schema.TABLES:
        assert [c.value for c in wb[t.zh][1]] == [c.zh for c in t.columns], f"regenerate: {t.zh}"


def test_readme_generated_section_is_current():
    text = (config.ROOT / "data" / "README.md").read_text(encoding="utf-8")
    section = text[text.index(BEGIN_MARK) + len(BEGIN_MARK): text.index(END_MARK)].strip()
    assert section == schema_markdown().strip(), "run: python -m jxedu.ingest.templates"


def test_blank_template_loads_with_empty_table_errors_only(tmp_path):
    from jxedu.ingest.reader import validate_path

    write_templates(tmp_path, per_table=False)
    report = validate_path(tmp_path / WORKBOOK_NAME)
    # the three required tables are reported empty; nothing else is an error
    assert sorted((p.code, p.sheet) for p in report.errors) == [
        ("empty_table", "办学条件"), ("empty_table", "学校"), ("empty_table", "学段统计")]
