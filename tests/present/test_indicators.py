"""Tests of jxedu.present.indicators: the planner's tables, sentences and charts of the indicators.

The hand county is the one of ``tests/analysis/test_indicators.py``; the amounts are those worked out
by hand in ``tests/analysis/test_shortfalls.py``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

import jxedu
from jxedu.analysis import indicators as ind
from jxedu.present import indicators as show
from tests.analysis.test_indicators import hand_county
from tests.analysis.test_shortfalls import _cv_county

Q, B, PA, TA, SA, EQ, MM = ind.KEYS


@pytest.fixture(scope="module")
def a():
    return jxedu.assess(hand_county())


def test_action_texts_of_the_hand_county(a):
    sf = a.shortfalls.assign(text=show.action_texts(a.shortfalls)).set_index(["school_id", "stage", "key"])
    # N1 初中部 sports: 30 ㎡ for the 部, 110 ㎡ for the school (shared by weighted students).
    assert sf.loc[("N1", "junior", SA), "text"] == "增加体育运动场馆面积 30 ㎡（与其他学部按加权学生数分摊，学校层面需增加 110 ㎡）"
    assert sf.loc[("C1", "junior", B), "text"] == "新增县级以上骨干教师 2 人"
    # N1 初中部 equipment: 30000 元 = 3.00 万元 for the 部, 109091 元 for the school.
    assert sf.loc[("N1", "junior", EQ), "text"] == (
        "增加教学仪器设备 30,000 元（约 3.00 万元）（与其他学部按加权学生数分摊，学校层面需增加 109,091 元）")
    assert sf.loc[("TP60", "primary", B), "text"] == "新增县级以上骨干教师 1 人"


def test_failing_table_names_each_missed_indicator(a):
    t = show.failing_table(a)
    assert list(t.frame.columns) == ["镇街", "学校", "学段", "在校生（人）", "达标项数（项）", "低于标准85%的项数（项）",
                                     "未达标指标"]
    c1 = t.frame.set_index("学校").loc["金乡一中"]
    # C1 初中部 backbone: 4 teachers for 600 pupils = 0.67 per 100 against 1 (66.7 %).
    assert "骨干教师 0.67/1（66.7%）" in c1["未达标指标"]
    assert c1["学段"] == "初中" and c1["在校生（人）"] == "600"


def test_failing_table_of_a_township_is_the_county_table_filtered(a):
    county = show.failing_table(a).frame
    town = show.failing_table(a.township("羊山镇")).frame
    # the same rows; a 镇街's own table has no 镇街 column (its one value is the caption's)
    assert "镇街" not in town.columns
    assert town.equals(county.loc[county["镇街"] == "羊山镇"].drop(columns="镇街").reset_index(drop=True))
    assert set(town["学校"]) == {"羊山学校", "育才学校", "南庄教学点"}


def test_totals_table_shows_wan_yuan_and_the_county_row(a):
    t = show.totals_table(a).frame.set_index("镇街")
    # 羊山镇's plans: sports 110 + 235 = 345 ㎡, teaching 235 ㎡ (school amounts), backbone 1.
    assert t.loc["羊山镇", "体育运动场馆（㎡）"] == "345" and t.loc["羊山镇", "教学及辅助用房（㎡）"] == "235"
    assert t.loc["全县", "县级以上骨干教师（人）"] == "3"
    assert t.loc["全县", "教学仪器设备（万元）"] == "0.00"


def test_no_english_codes_or_raw_values_in_the_tables(a):
    for t in (show.balance_table(a), show.passing_table(a), show.schools_table(a), show.failing_table(a),
              show.plan_table(a), show.totals_table(a), show.cv_fixes_table(a)):
        cells = t.frame.to_numpy().ravel().tolist() + list(t.frame.columns)
        for bad in ("True", "False", "nan", "NaN", "None", "primary", "junior"):
            assert bad not in cells


def test_balance_table_rounds_as_the_national_form(a):
    row = show.balance_table(a).frame.set_index(["学段", "指标"]).loc[("小学", "生均用房")]
    # 小学 teaching area: county mean 5.3103… ㎡ shown to 2 decimals, CV 0.0868… to 3 (hand values of
    # tests/analysis/test_indicators.py::test_hand_county_balance).
    assert (row["县域均值"], row["差异系数"], row["差异系数达标"]) == ("5.31", "0.087", "✓")


def test_cv_fix_texts():
    a = jxedu.assess(_cv_county([1, 0, 6, 6]))
    fx = a.cv_fixes
    texts = show.cv_fix_texts(fx).tolist()
    # B to the mean: 4 teachers, CV 0.4815 → shown 0.481 (see test_cv_fixes_hand_case).
    assert texts[0] == "B小学（小学）达到县域均值：补充高于规定学历的专任教师 4 人，差异系数降至 0.481"
    insufficient = jxedu.assess(_cv_county([0, 0, 6, 6])).cv_fixes
    assert show.cv_fix_texts(insufficient).iloc[0].endswith("（单项不足以达标）")


def test_key_figures_county_and_township(a):
    text = show.key_figures(a)
    # 小学 4 units, 3 pass (75.0 %); 初中 4 units, 1 passes (25.0 %).
    assert "小学：参评 4 个，达标 3 个（75.0%）" in text and "初中：参评 4 个，达标 1 个（25.0%）" in text
    assert "差异系数（上限 0.50）" in text
    town = show.key_figures(a.township("金乡街道"))
    assert "小学：参评 1 个，达标 1 个（100.0%）" in town and "初中：参评 2 个，达标 1 个（50.0%）" in town
    assert "差异系数是全县指标" in town


def test_charts_draw(a):
    fig = show.cv_chart(a)
    assert len(fig.axes) == 2
    plt.close(fig)
    fig = show.passing_chart(a)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["金乡街道", "羊山镇"]
    plt.close(fig)
