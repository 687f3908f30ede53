"""Tests of jxedu.core.roster: 高于规定学历 per stage, 县级以上骨干, and the roster of a school year."""

from __future__ import annotations

import pandas as pd

from jxedu.core import roster


def test_qualified_is_above_the_legal_minimum_of_the_stage_taught():
    stage = pd.Series(["primary", "primary", "primary", "junior", "junior", "junior", "senior"])
    edu = pd.Series(["secondary", "associate", "bachelor", "associate", "bachelor", "postgraduate", "postgraduate"])
    # 小学: 中专 no, 专科 yes, 本科 yes; 初中: 专科 no, 本科 yes, 研究生 yes; 高中 is outside the rule
    assert roster.is_qualified(stage, edu).tolist() == [False, True, True, False, True, True, False]
    assert roster.is_backbone(pd.Series(["none", "county", "city", "province"])).tolist() == [False, True, True, True]


def test_roster_counts_per_school_and_stage():
    t = pd.DataFrame({"school_id": ["A", "A", "A", "B", "B"], "stage": ["primary", "primary", "junior", "junior", "senior"],
                      "education": ["associate", "secondary", "associate", "bachelor", "bachelor"],
                      "backbone_level": ["county", "none", "province", "none", "city"]})
    c = roster.roster_counts(t).set_index(["school_id", "stage"])
    # A 小学: 2 teachers, 专科 counts (1), one 县级 骨干; A 初中: the 专科 does not count; B 高中 left out
    assert c.loc[("A", "primary")].tolist() == [2, 1, 1]
    assert c.loc[("A", "junior")].tolist() == [1, 0, 1]
    assert c.loc[("B", "junior")].tolist() == [1, 1, 0]
    assert ("B", "senior") not in c.index


def test_roster_of_a_year_and_the_latest_roster_mark():
    undated = pd.DataFrame({"teacher_id": ["T1", "T2"]})
    assert roster.roster_of_year(undated, 2020) is undated and roster.roster_years(undated) == []
    # an undated roster describes the latest year of 学段统计: earlier years read it as it stands
    assert not roster.from_latest_roster(undated, 2024, latest_year=2024)
    assert roster.from_latest_roster(undated, 2022, latest_year=2024)
    assert not roster.from_latest_roster(None, 2022, latest_year=2024)
    dated = pd.DataFrame({"teacher_id": ["T1", "T1", "T2"], "year": [2022, 2023, 2023]})
    assert roster.roster_years(dated) == [2022, 2023]
    assert roster.roster_of_year(dated, 2022)["teacher_id"].tolist() == ["T1"]
    # a year without a roster of its own reads the latest one, and is marked
    assert roster.roster_of_year(dated, 2021)["teacher_id"].tolist() == ["T1", "T2"]
    assert roster.from_latest_roster(dated, 2021, latest_year=2024)
    assert not roster.from_latest_roster(dated, 2022, latest_year=2024)
