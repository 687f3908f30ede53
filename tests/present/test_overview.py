"""Tests of jxedu.present.overview: the data set per 镇街 as a planner reads it (notebook 00)."""

from __future__ import annotations

import matplotlib.pyplot as plt

import jxedu
from jxedu.present import overview as show
from tests.analysis.test_overview import make_dataset


def test_key_figures_of_the_county_and_a_township():
    a = jxedu.assess(make_dataset())
    assert show.key_figures(a) == (
        "学年：2024—2025\n"
        "镇街：3 个\n"
        "学校：3 所（有小学学段 2 所，有初中学段 2 所）\n"
        "在校生：1,050 人（小学 500 人，初中 550 人）\n"
        "班级：27 个\n"
        "专任教师：84 人"
    )
    # 鸡黍镇: S2 + S3: 200 + 550 pupils, 19 classes, 64 teachers
    assert show.key_figures(a.township("鸡黍镇")).splitlines()[2:] == [
        "学校：2 所", "在校生：750 人（小学 200 人，初中 550 人）", "班级：19 个", "专任教师：64 人"]


def test_township_table_formats_ratios_and_missing_values():
    t = show.township_table(jxedu.assess(make_dataset())).frame.set_index("镇街")
    assert list(t.columns) == ["学校（所）", "小学在校生（人）", "初中在校生（人）", "在校生（人）", "班级（个）",
                               "专任教师（人）", "平均班额（人/班）", "生师比"]
    # 鸡黍镇 750 / 19 = 39.47 → 39.5; 750 / 64 = 11.72 → 11.7; 羊山镇 has no classes: —
    assert t.loc["鸡黍镇", "平均班额（人/班）"] == "39.5" and t.loc["鸡黍镇", "生师比"] == "11.7"
    assert t.loc["羊山镇", "平均班额（人/班）"] == "—"
    assert t.loc["全县", "在校生（人）"] == "1,050"


def test_students_chart_stacks_stages():
    fig = show.students_chart(jxedu.assess(make_dataset()))
    ax = fig.axes[0]
    primary, junior = ax.containers
    assert [b.get_height() for b in primary] == [300, 0, 200]  # the county row left out
    assert [b.get_height() for b in junior] == [0, 0, 550]
    assert [b.get_y() for b in junior] == [300, 0, 200]  # stacked on the primary bars
    assert [t.get_text() for t in ax.get_xticklabels()] == ["金乡街道", "羊山镇", "鸡黍镇"]
    plt.close(fig)
