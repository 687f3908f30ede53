"""Tests of jxedu.present.plan_tasks on the county of tests/analysis/plan_tasks_data.py."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import jxedu  # noqa: E402
from jxedu.present import plan_tasks  # noqa: E402
from tests.analysis.plan_tasks_data import plan_county  # noqa: E402

TABLES = ("survey_table", "survey_township_table", "low_satisfaction_table", "special_groups_table", "dropout_table",
          "dropout_monthly_table", "after_school_table", "alliance_coverage_table", "uncovered_schools_table",
          "alliance_groups_table", "projects_table", "items_table")
_RAW = {"True", "False", "nan", "NaN", "None", "<NA>", "NaT"}


@pytest.fixture(scope="module")
def a():
    return jxedu.assess(plan_county())


def test_tables_have_chinese_headers_and_no_raw_cells(a):
    for scope in (a, a.township("甲镇")):
        for name in TABLES:
            t = getattr(plan_tasks, name)(scope)
            cells = {str(v) for v in t.frame.to_numpy().ravel()}
            assert not cells & _RAW, (name, scope.name, cells & _RAW)
            assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in t.frame.columns), name


def test_the_county_has_verdicts_a_township_its_figures(a):
    county = plan_tasks.survey_table(a).frame.set_index("调查对象")
    # 家长 30/40 = 75.0 % ✗; 学生 140/150 = 93.3 % ✓
    assert county.loc["家长", "社会认可度"] == "75.0%" and county.loc["家长", "认可度≥ 85%"] == "✗"
    assert county.loc["学生", "认可度≥ 85%"] == "✓"
    town = plan_tasks.survey_table(a.township("甲镇"))
    assert "认可度≥ 85%" not in town.frame.columns and any("全县指标" in n for n in town.notes)
    # 甲镇 pooled 102/120 = 85.0 %
    assert town.frame.set_index("调查对象").loc["全部调查对象", "社会认可度"] == "85.0%"


def test_after_school_rows_name_the_grades_over_the_limit(a):
    f = plan_tasks.after_school_table(a).frame.set_index("学校")
    # every school fails one check: A grade 5, B grade 8 and unpublished, C grade 1, D no 课后服务
    assert f.loc["甲小学", "超时年级"] == "五年级" and f.loc["乙小学", "超时年级"] == "一年级"
    assert f.loc["乙教学点", "开展"] == "✗" and f.loc["乙教学点", "超时年级"] == "无"


def test_missing_tables_are_notes_saying_what_they_would_show():
    a = jxedu.assess(plan_county(survey=True, dropouts=True))
    t = plan_tasks.survey_table(a)
    assert t.empty and "缺少满意度调查" in t.notes[0] and "社会认可度" in t.notes[0] and "不按 0 计" in t.notes[0]
    assert "缺少控辍保学台账" in plan_tasks.dropout_table(a).notes[0]
    note = plan_tasks.dropout_chart(a)
    assert "缺少控辍保学台账" in str(note)
    lines = plan_tasks.key_figure_lines(a)
    assert "社会认可度：缺少满意度调查表，仍需佐证材料。" in lines
    assert any(line.startswith("残疾儿童少年入学率 94.0%") for line in lines)


def test_dropout_chart(a):
    fig = plan_tasks.dropout_chart(a)
    ax = fig.axes[0]
    # 16 months from 2023-12 to 2025-03; the line of open cases ends at 1 (P2 still 劝返中)
    assert len(ax.get_xticks()) == 16 and ax.lines[0].get_ydata()[-1] == 1
    plt.close(fig)
