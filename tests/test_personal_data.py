"""No teacher name or ID number reaches any output of rotation, class-size and projection.

A tiny data set is written to a temporary folder with the columns 姓名 and 身份证号 planted in the
teacher roster; it is loaded with :func:`jxedu.load` (which must drop them), every function of
:mod:`jxedu.analysis.rotation`, :mod:`jxedu.analysis.classsize` and :mod:`jxedu.analysis.projection` is run,
every table, sentence and map of :mod:`jxedu.present.teachers` and :mod:`jxedu.present.classes` is made
(county and a 镇街), notebooks 04 and 05 are executed on it, and every output (frames' text, map HTML,
notebook JSON) is searched.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import jxedu
from jxedu.analysis import classsize, projection, rotation
from jxedu.core.config import ROOT
from jxedu.ingest import demo
from jxedu.present import classes, teachers

NAME = "张三"
ID_NUMBER = "370828199001011234"
PLANTED = (NAME, ID_NUMBER)


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    """The demo generator's smallest county (scale 0.2: 3 镇街) with personal columns planted."""
    out = tmp_path_factory.mktemp("planted")
    demo.generate(out, scale=0.2)
    roster = out / "教师.csv"
    t = pd.read_csv(roster, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    t.insert(1, "姓名", NAME)
    t.insert(2, "身份证号", ID_NUMBER)
    t.to_csv(roster, index=False, encoding="utf-8-sig")
    text = roster.read_text(encoding="utf-8-sig")
    assert NAME in text and ID_NUMBER in text  # the input really holds them
    return out


def _clean(text: str, where: str) -> None:
    for s in PLANTED:
        assert s not in text, f"{s!r} found in {where}"


def _frames(ds) -> dict[str, pd.DataFrame]:
    plan = rotation.plan_next_year(ds)
    proj = projection.project_enrolment(ds)
    th = rotation.training_honours(ds)
    records = rotation.rotation_records(ds)
    return {
        "eligible": rotation.eligible_teachers(ds),
        "records": records,
        "summary": rotation.rotation_summary(ds),
        "summary_township": rotation.rotation_summary(ds, by="township"),
        "summary_school": rotation.rotation_summary(ds, by="school"),
        "direction": rotation.rotation_direction(records),
        "matrix": rotation.direction_matrix(rotation.rotation_direction(records)),
        "gaps": rotation.gap_filling(ds),
        "plan": plan.moves,
        "plan_townships": rotation.plan_by_township(plan, ds),
        "pe_art": rotation.pe_art_needs(ds, plan=plan),
        **{f"training_{k}": v for k, v in th.items()},
        "classes": classsize.class_records(ds),
        "class_summary": classsize.class_size_summary(ds, by="school"),
        "class_trend": classsize.class_size_trend(ds),
        "class_top": classsize.top_oversize_schools(ds),
        "class_needed": classsize.classes_needed(ds),
        "projection": proj,
        "needs": projection.classroom_needs(proj, ds),
    }


#: Every table and sentence of the two presentation modules, by name (each takes a scope).
_PRESENTED = {
    **{f"teachers.{n}": getattr(teachers, n) for n in (
        "rules_note", "key_figures", "trend_table", "township_table", "school_table", "direction_table",
        "gap_table", "gap_summary", "plan_figures", "plan_table", "pe_art_table", "training_table",
        "honours_table")},
    **{f"classes.{n}": getattr(classes, n) for n in (
        "rules_note", "key_figures", "township_table", "trend_table", "oversize_table", "classes_needed_table",
        "projection_note", "variants_table", "rates_table", "projection_table", "projection_figures",
        "township_needs_table", "shortfall_table")},
}


def test_loader_drops_personal_columns(planted):
    ds = jxedu.load(planted)
    assert "name" not in ds.teachers.columns and "id_number" not in ds.teachers.columns
    _clean(ds.teachers.to_csv(), "loaded teachers table")


def test_no_personal_data_in_frames_tables_and_map(planted):
    ds = jxedu.load(planted)
    for key, df in _frames(ds).items():
        _clean(df.to_csv(), key)
        _clean(repr(df.attrs), f"{key}.attrs")
    a = jxedu.assess(ds)
    for scope in (a, a.township(a.townships[0])):
        for name, make in _PRESENTED.items():
            out = make(scope)
            _clean(out.to_html() if hasattr(out, "to_html") else str(out), f"{name}({scope.name})")
        _clean(teachers.flow_map(scope).get_root().render(), f"flow map HTML ({scope.name})")
    plt.close("all")


@pytest.mark.parametrize("notebook", ["04_teacher_rotation.ipynb", "05_class_size.ipynb"])
def test_no_personal_data_in_notebooks(planted, notebook, tmp_path):
    papermill = pytest.importorskip("papermill")
    os.environ.setdefault("MPLBACKEND", "Agg")
    out = tmp_path / notebook
    papermill.execute_notebook(
        str(ROOT / "notebooks" / notebook), str(out), parameters={"data_dir": str(planted)},
        kernel_name="python3", progress_bar=False, cwd=str(ROOT / "notebooks"),
    )
    _clean(out.read_text(encoding="utf-8"), f"executed {notebook}")


# --- the 控辍保学台账: names, ID numbers and phones planted in a pupil ledger ----------------------

PUPIL_NAME = "李小红"
PUPIL_ID_NUMBER = "370828201001011236"
PHONE = "13812345678"
PLANTED_PUPIL = (PUPIL_NAME, PUPIL_ID_NUMBER, PHONE)


@pytest.fixture(scope="module")
def planted_dropouts(tmp_path_factory) -> Path:
    """The smallest demo county with a 控辍保学台账 whose 学生编号 cells hold a name, an ID number and a
    phone number, and with the columns 姓名, 身份证号 and 联系电话 added."""
    out = tmp_path_factory.mktemp("planted_dropouts")
    demo.generate(out, scale=0.2)
    ledger = out / "控辍保学台账.csv"
    d = pd.read_csv(ledger, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    school = pd.read_csv(out / "学校.csv", dtype=str, encoding="utf-8-sig")["学校标识码"].iloc[0]
    extra = pd.DataFrame([{"学生编号": v, "学校标识码": school, "年级": "8", "辍学日期": f"2026-10-1{i}",
                           "辍学原因": "厌学", "状态": "劝返中", "复学日期": ""}
                          for i, v in enumerate(PLANTED_PUPIL)])
    d = pd.concat([d, extra], ignore_index=True)
    d.insert(1, "姓名", PUPIL_NAME)
    d.insert(2, "身份证号", PUPIL_ID_NUMBER)
    d["联系电话"] = PHONE
    d.to_csv(ledger, index=False, encoding="utf-8-sig")
    text = ledger.read_text(encoding="utf-8-sig")
    assert all(s in text for s in PLANTED_PUPIL)  # the input really holds them
    return out


def _clean_pupil(text: str, where: str) -> None:
    for s in PLANTED_PUPIL:
        assert s not in text, f"{s!r} found in {where}"


def test_no_pupil_data_in_problems_frames_tables_reports_and_ledger(planted_dropouts, tmp_path):
    from jxedu.present import plan_tasks
    from jxedu.publish import ledger, sections

    report = jxedu.validate(planted_dropouts)
    _clean_pupil(report.to_text() + report.to_json(), "validation report")
    ds = jxedu.load(planted_dropouts)
    _clean_pupil(ds.dropouts.to_csv(), "loaded 控辍保学台账")
    a = jxedu.assess(ds)
    assert int(a.dropout_by_township["open"].iloc[-1]) >= 3  # the planted cases are counted
    for name in ("dropout_cases", "dropout_by_township", "dropout_monthly", "assurance"):
        _clean_pupil(getattr(a, name).to_csv(), name)
    for scope in (a, a.township(a.townships[0])):
        for name in ("dropout_table", "dropout_monthly_table", "items_table", "survey_table", "after_school_table"):
            _clean_pupil(getattr(plan_tasks, name)(scope).to_html(), f"{name}({scope.name})")
        _clean_pupil("\n".join(plan_tasks.key_figure_lines(scope)), "key figures")
        _clean_pupil(sections.plan_tasks_section(scope).data, f"report section ({scope.name})")
    out = ledger.export_ledger(a, tmp_path / "台账.xlsx")
    _clean_pupil(out.to_csv(), "ledger rows")
    import zipfile

    with zipfile.ZipFile(tmp_path / "台账.xlsx") as z:
        _clean_pupil("".join(z.read(n).decode("utf-8", "ignore") for n in z.namelist()), "ledger workbook")


def test_no_pupil_data_in_the_plan_tasks_notebook(planted_dropouts, tmp_path):
    papermill = pytest.importorskip("papermill")
    os.environ.setdefault("MPLBACKEND", "Agg")
    out = tmp_path / "07_plan_tasks.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "07_plan_tasks.ipynb"), str(out), parameters={"data_dir": str(planted_dropouts)},
        kernel_name="python3", progress_bar=False, cwd=str(ROOT / "notebooks"),
    )
    _clean_pupil(out.read_text(encoding="utf-8"), "executed 07_plan_tasks")
