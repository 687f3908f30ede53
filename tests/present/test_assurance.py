"""Tests of jxedu.present.assurance: item names from the catalogue, sentences from the facts, charts."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

import jxedu
from jxedu.core.settings import get_settings
from jxedu.present import assurance as show_assurance
from jxedu.present import indicators as show_indicators
from tests.analysis.test_trend import two_year_ds


def test_item_names_take_thresholds_from_the_standards_table():
    s = get_settings()
    assert show_assurance.item_name("rotation_share", s) == "交流轮岗教师不低于符合交流条件教师数的10%"
    assert show_assurance.item_name("class_size", s) == "小学、初中所有班级学生数分别不超过45人、50人"
    assert show_assurance.item_name("special_ed_funding", get_settings(special_ed_funding_min=8000)) == (
        "特殊教育学校生均公用经费不低于8000元")
    assert show_assurance.item_short("class_size") == "班额（政府保障第5项）"


def test_items_table_has_chinese_statuses_and_no_raw_values():
    a = jxedu.assess(two_year_ds())
    t = show_assurance.items_table(a, include_checklist=True)
    cells = set(t.frame.to_numpy().ravel().tolist())
    assert {"达标", "数据不足", "需佐证材料"} <= cells
    assert not cells & {"met", "no_data", "evidence", "nan", "None", "True", "False"}


def test_trend_charts():
    a = jxedu.assess(two_year_ds())
    fig = show_indicators.trend_chart(a)
    ax = fig.axes[0]
    assert fig.texts[0].get_text() == "资源配置达标学校（学段）占比"
    assert [ln.get_label() for ln in ax.get_lines()][:2] == ["小学", "初中"]
    plt.close(fig)
    fig = show_indicators.trend_chart(a, what="cv")
    assert [x.get_title() for x in fig.axes[:2]] == ["小学", "初中"]
    plt.close(fig)
    fig = show_assurance.trend_chart(a, items=["class_size", "plan_smart_campus"])
    assert fig.axes[0].get_title() == "超标准班额（个）"
    plt.close(fig)
    with pytest.raises(ValueError):
        show_indicators.trend_chart(a, what="pie")
