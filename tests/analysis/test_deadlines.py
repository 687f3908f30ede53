"""Deadlines of the items, the date that counts as today, 逾期 and 挂牌督导."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from jxedu.analysis import deadlines
from jxedu.core import county
from jxedu.core.errors import SettingsError
from jxedu.core.settings import get_settings
from tests.core.test_county import plan_table

D = dt.date


def _plan_scope(year: int, table) -> SimpleNamespace:
    """What plan_deadline reads: the school year and the data set's 规划目标."""
    return SimpleNamespace(year=year, ds=SimpleNamespace(plan_target=lambda key, y: county.plan_target(table, key, y)))


def test_plan_deadlines():
    t = plan_table(start=2024)  # 金乡's: “2025年智慧校园覆盖率达到100%”
    a = _plan_scope(2024, t)
    # 通过国家督导评估年份 2025 (规划目标), "2025年9月": the last day of September
    assert deadlines.plan_deadline(a) == D(2025, 9, 30)
    assert deadlines.plan_deadline(a, "class_size") == D(2025, 9, 30)          # not listed: the plan's
    assert deadlines.plan_deadline(a, "sports_area_per_student") == D(2025, 9, 30)
    assert deadlines.plan_deadline(a, "plan_smart_campus") == D(2025, 12, 31)  # its 截止年份, year end
    # a target without 截止年份 (集团化 coverage here) takes the plan's deadline
    assert deadlines.plan_deadline(a, "plan_alliance_coverage") == D(2025, 9, 30)
    # a yearly target: the school year 2024 (2024—2025) ends on 31 August 2025
    assert deadlines.plan_deadline(a, "plan_rotations") == D(2025, 8, 31)
    assert deadlines.plan_deadline(_plan_scope(2026, t), "plan_honoured_teachers") == D(2027, 8, 31)
    # another county passing in 2027, smart campus by 2026
    t2 = plan_table(start=2024, **{county.PLAN_TARGET_YEAR: 2027.0})
    t2.loc[t2["key"] == county.PLAN_SMART_CAMPUS, "end_year"] = 2026
    assert deadlines.plan_deadline(_plan_scope(2024, t2)) == D(2027, 9, 30)
    assert deadlines.plan_deadline(_plan_scope(2024, t2), "plan_smart_campus") == D(2026, 12, 31)


def test_without_a_plan_year_there_is_no_default_deadline():
    a = _plan_scope(2024, None)  # no 规划目标 table
    assert deadlines.plan_deadline(a) is None and deadlines.plan_deadline(a, "class_size") is None
    assert deadlines.plan_deadline(a, "plan_rotations") == D(2025, 8, 31)  # the school year still ends
    # never supervised for the plan's deadline it does not have; days overdue still count
    s = get_settings()
    assert not deadlines.supervised(10, as_of=D(2026, 1, 1), plan_deadline=None, settings=s)
    assert deadlines.supervised(s.supervision_overdue_days + 1, as_of=D(2026, 1, 1), plan_deadline=None, settings=s)


def test_parse_date():
    assert deadlines.parse_date(dt.datetime(2025, 3, 1, 0, 0)) == D(2025, 3, 1)
    assert deadlines.parse_date(D(2025, 3, 1)) == D(2025, 3, 1)
    for text in ("2025-03-01", "2025/3/1", "2025.3.1", "2025年3月1日", " 2025 年 3 月 1 日 "):
        assert deadlines.parse_date(text) == D(2025, 3, 1), text
    for bad in ("2025年底", "2025-02-30", "2025年3月", "", None, 45717, 2025.5, True):
        assert deadlines.parse_date(bad) is None, bad


def test_as_of(monkeypatch):
    assert deadlines.as_of_date("2025-06-01") == D(2025, 6, 1)
    assert deadlines.as_of_date(D(2025, 6, 1)) == D(2025, 6, 1)
    monkeypatch.setenv(deadlines.AS_OF_ENV, "2024-12-31")
    assert deadlines.as_of_date() == D(2024, 12, 31)
    monkeypatch.setenv(deadlines.AS_OF_ENV, "明天")
    with pytest.raises(SettingsError, match=r"环境变量 JXEDU_AS_OF.*bad_as_of"):
        deadlines.as_of_date()
    monkeypatch.delenv(deadlines.AS_OF_ENV)
    assert deadlines.as_of_date() == dt.date.today()
    with pytest.raises(SettingsError, match="bad_as_of"):
        deadlines.as_of_date("2025-13-01")


def test_overdue_days():
    end = D(2025, 9, 30)
    assert deadlines.overdue_days(end, D(2025, 9, 30)) is None   # the deadline day itself: not yet
    assert deadlines.overdue_days(end, D(2025, 10, 1)) == 1
    # October 31 + November 30 + December 31 = 92 days to the end of the year
    assert deadlines.overdue_days(end, D(2025, 12, 31)) == 92
    assert deadlines.overdue_days(None, D(2025, 12, 31)) is None


def test_supervision_rule():
    s = get_settings()
    assert (s.supervision_overdue_days, s.supervision_after_plan_deadline) == (90, True)
    plan = D(2025, 9, 30)
    before = D(2025, 6, 1)  # the plan's deadline not yet passed: only the 90 days count
    assert not deadlines.supervised(90, as_of=before, plan_deadline=plan, settings=s)
    assert deadlines.supervised(91, as_of=before, plan_deadline=plan, settings=s)
    assert not deadlines.supervised(None, as_of=before, plan_deadline=plan, settings=s)
    after = D(2025, 10, 1)  # past the plan's deadline: every overdue item
    assert deadlines.supervised(1, as_of=after, plan_deadline=plan, settings=s)
    strict = get_settings(supervision_after_plan_deadline=False, supervision_overdue_days=30)
    assert not deadlines.supervised(30, as_of=after, plan_deadline=plan, settings=strict)
    assert deadlines.supervised(31, as_of=after, plan_deadline=plan, settings=strict)


def test_bad_supervision_setting():
    with pytest.raises(SettingsError, match="supervision_overdue_days"):
        get_settings(supervision_overdue_days=-1)
    with pytest.raises(SettingsError, match="supervision_overdue_days"):
        get_settings(supervision_overdue_days="90天")


@pytest.mark.parametrize("rows, match", [
    ("default,2025-09-30,x\ndefault,2025-10-31,y\n", "duplicate_deadline"),
    ("class_size,2025-09-30,x\n", "missing_default_deadline"),
    ("default,2025年底,x\n", "bad_deadline"),
])
def test_the_deadline_table_is_checked(tmp_path, monkeypatch, rows, match):
    f = tmp_path / "deadlines.csv"
    f.write_text("item_key,deadline,basis\n" + rows, encoding="utf-8")
    monkeypatch.setattr(deadlines, "DEADLINES_CSV", f)
    deadlines.deadline_rules.cache_clear()
    try:
        with pytest.raises(SettingsError, match=match):
            deadlines.deadline_rules()
    finally:
        monkeypatch.undo()
        deadlines.deadline_rules.cache_clear()
    assert deadlines.deadline_rules().loc["default", "deadline"] == "{plan_target_year}-09-30"
