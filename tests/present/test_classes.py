"""Tests of jxedu.present.classes on the hand-made classes of tests/analysis/test_classsize.py (two 镇街)
and the cohort table of tests/analysis/test_projection.py (甲街道, projected to 2026)."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pytest

import jxedu
from jxedu.core.settings import get_settings
from jxedu.present import classes, style
from jxedu.present.tables import Table
from jxedu.present.text import Note
from tests.analysis.test_classsize import _classes
from tests.analysis.test_classsize import _dataset as class_dataset  # S1 城区小学 (金乡街道), S2 乡村中学 (羊山镇)
from tests.analysis.test_projection import _dataset as projection_dataset  # 甲街道: S1 城区, S2 乡村, grades 1–3

_BAD_CELLS = {"nan", "NaN", "None", "True", "False", "<NA>", "NaT"}


def _readable(t: Table) -> None:
    for h in t.frame.columns:
        assert not re.search(r"[A-Za-z_]", str(h)), h
    for v in t.frame.to_numpy().ravel():
        assert str(v) not in _BAD_CELLS, v


@pytest.fixture
def a():
    return jxedu.assess(class_dataset(_classes()), year=2024)


@pytest.fixture
def p():
    return jxedu.assess(projection_dataset(), settings=get_settings(projection_to_year=2026))


def test_band_note_from_standards():
    assert classes.band_note() == ("班额分级（教育部）：小班 35 人及以下，正常班额 36–45 人，偏大班额 46–55 人，"
                                   "大班额 56–65 人，超大班额 66 人及以上。")


def test_key_figures_county_and_township(a):
    # 小学 (all in 金乡街道): 8 classes of 404 pupils → 50.5; over 45: 5; 大班额 56, 65; 超大班额 66.
    # 初中 (羊山镇): 50 and 51 → 50.5; over 50: 1; no 大班额.
    county = classes.key_figure_lines(a)
    assert county[0] == "2024学年班额（全县）"
    assert county[1] == "小学：8 个班，平均班额 50.5 人，超过 45 人的班级 5 个；其中大班额 2 个，超大班额 1 个"
    assert county[2] == "初中：2 个班，平均班额 50.5 人，超过 50 人的班级 1 个；其中大班额 0 个，超大班额 0 个"
    town = classes.key_figure_lines(a.township("羊山镇"))
    assert town[1] == "小学：没有班级" and town[2] == county[2]
    assert isinstance(classes.key_figures(a), Note)


def test_township_table_view_equals_county_rows(a):
    t = classes.township_table(a)
    _readable(t)
    f = t.frame
    assert f["镇街"].tolist() == ["金乡街道", "羊山镇", "全县", "全县"]
    assert f.columns[:4].tolist() == ["镇街", "学段", "班级（个）", "在校生（人）"]
    assert f.loc[0, "平均班额（人/班）"] == "50.5" and f.loc[0, "超标占比"] == "62.5%"  # 5 of 8
    v = classes.township_table(a.township("金乡街道")).frame
    assert v.to_numpy().tolist() == f[f["镇街"] == "金乡街道"].to_numpy().tolist()
    assert any("班额分级" in n for n in t.notes)


def test_trend_table_and_chart(a, tmp_path):
    t = classes.trend_table(a)
    _readable(t)
    # County rows only: 2 years × 2 stages; 2023 小学: one class of 60 → over 1, 大班额 1.
    assert len(t) == 4
    r = t.frame[(t.frame["学年"] == "2023") & (t.frame["学段"] == "小学")].iloc[0]
    assert (r["超标班级（个）"], r["大班额（个）"]) == ("1", "1")
    assert len(classes.trend_table(a.township("羊山镇"))) == 2  # 初中 2023, 2024
    for scope in (a, a.township("羊山镇")):
        style.savefig(classes.trend_chart(scope), tmp_path / "trend.png")
        style.savefig(classes.size_histogram(scope), tmp_path / "hist.png")
    plt.close("all")


def test_oversize_and_classes_needed(a):
    t = classes.oversize_table(a)
    _readable(t)
    assert t.frame["学校"].tolist() == ["城区小学", "乡村中学"]
    assert t.frame["超标班级（个）"].tolist() == ["5", "1"]
    short = classes.oversize_table(a, max_rows=1)
    assert len(short) == 1 and "共 2 行" in short.notes[0]
    n = classes.classes_needed_table(a)
    _readable(n)
    # Grades with extra classes: S1 grade 2 (242 / 45 → 6, held 4: +2), S2 grade 7 (101 / 50 → 3, held 2: +1).
    assert n.frame["需增加班级（个）"].tolist() == ["2", "1"]
    assert classes.classes_needed_table(a.township("金乡街道")).frame["年级"].tolist() == ["2"]
    none = classes.oversize_table(jxedu.assess(class_dataset(_classes().query("students <= 45"))))
    assert none.empty and "没有超过班额上限" in none.notes[0]


def test_projection_figures_and_table(p):
    # 2026 (hand values of tests/analysis/test_projection.py): low 62.7 + 45.98 + 66 = 174.68 → 175;
    # central keeps the no-shift total 66 + 48.4 + 66 = 180.4 → 180; high 69.3 + 50.82 + 66 = 186.12 → 186.
    # Base year 2024: 60 + 55 + 50 = 165. S1 needs 5 classrooms in 2026 with 4 available in every
    # variant → shortfall 1 (小学).
    lines = classes.projection_figure_lines(p)
    assert lines[0] == "2026年在校生与教室预测（全县）"
    assert lines[1] == "低方案：小学 175 人，初中 0 人，合计 175 人（2024年 165 人）；教室缺口 小学 1 间，初中 0 间"
    assert lines[2].startswith("中方案：小学 180 人") and lines[3].startswith("高方案：小学 186 人")
    t = classes.projection_table(p)
    _readable(t)
    assert t.frame["预测方案"].tolist() == ["实际（起点学年）", "低方案", "中方案", "高方案", "低方案", "中方案", "高方案"]
    assert t.frame["在校生（人）"].tolist()[0] == "165" and t.frame["在校生（人）"].tolist()[-3:] == ["175", "180", "186"]


def test_projection_horizon_is_the_setting(p):
    assert classes.horizon(p) == 2026
    assert "预测到 2026 年" in classes.projection_note(p)
    assert "2026" in classes.variants_table(p).caption
    q = jxedu.assess(projection_dataset(), settings=get_settings(projection_to_year=2025))
    assert classes.projection_figure_lines(q)[0].startswith("2025年")


def test_rates_variants_and_needs_tables(p):
    r = classes.rates_table(p)
    _readable(r)
    # 甲街道: entry 0.55, p2 = 1.1, p3 = 1.0, p4 = 0 (nobody in grade 4 in 2024).
    assert r.frame.columns.tolist()[:5] == ["镇街", "一年级入学率", "二年级", "三年级", "四年级"]
    assert r.frame.iloc[0, :5].tolist() == ["甲街道", "0.55", "1.10", "1.00", "0.00"]
    v = classes.variants_table(p)
    _readable(v)
    assert v.frame.to_numpy().tolist() == [["低方案", "0.95", "0.0%"], ["中方案", "1.00", "0.5%"],
                                           ["高方案", "1.05", "1.0%"]]
    n = classes.township_needs_table(p)
    _readable(n)
    # 甲街道 小学 2026 (中方案): net shortfall 1 − 0 spare = 1 < 18 → no new school.
    assert n.frame[["净缺口（间）", "需新建学校"]].iloc[0].tolist() == ["1", "否"]
    s = classes.shortfall_table(p)
    assert s.frame["学校"].tolist() == ["城区小学"] and s.frame["教室缺口（间）"].tolist() == ["1"]


def test_projection_of_a_township_adds_up_to_the_county():
    # Two 镇街 with one school each: the 镇街 rows of the county-wide projection add up to the county.
    pr = jxedu.assess(class_dataset(_classes()), year=2024, settings=get_settings(projection_to_year=2026))
    county = classes.projection_table(pr).frame
    parts = [classes.projection_table(pr.township(t)).frame for t in ("金乡街道", "羊山镇")]
    total = [int(x.replace(",", "")) for x in county["在校生（人）"]]
    summed = [sum(int(f["在校生（人）"].iloc[i].replace(",", "")) for f in parts) for i in range(len(county))]
    assert total == summed


def test_projection_chart(p, tmp_path):
    fig = classes.projection_chart(p)
    style.savefig(fig, tmp_path / "projection.png")
    assert (tmp_path / "projection.png").stat().st_size > 0
    plt.close("all")


def test_missing_classes_table():
    ds = class_dataset(None)
    b = jxedu.assess(ds)
    assert classes.township_table(b).empty and "missing_table" in classes.township_table(b).notes[0]
    assert isinstance(classes.size_histogram(b), Note) and isinstance(classes.projection_chart(b), Note)
    assert "missing_table" in classes.key_figure_lines(b)[0]
