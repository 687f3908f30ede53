"""Tests of jxedu.analysis.survey on the county of tests/analysis/plan_tasks_data.py (arithmetic in comments)."""

from __future__ import annotations

import pytest

from jxedu import MissingTableError
from jxedu.analysis import survey
from tests.analysis.plan_tasks_data import YEAR, plan_county


@pytest.fixture(scope="module")
def sat():
    return survey.satisfaction(plan_county(), year=YEAR).set_index(["township", "respondent"])


def test_a_township_pools_its_schools_and_its_own_rows(sat):
    # 甲镇: A 学生 45/50, A 家长 30/40, B 教师 18/20, 人大代表 9/10 → 102/120 = 0.85: exactly the standard, met
    r = sat.loc[("甲镇", "all")]
    assert (r["respondents"], r["satisfied_all"]) == (120, 102)
    assert r["satisfaction"] == pytest.approx(0.85) and bool(r["meets"])
    # 乙街道: C 学生 95/100 and 社会人士 24/30 plus visits 18/20 → 137/150 = 91.3 %
    assert sat.loc[("乙街道", "all"), "satisfaction"] == pytest.approx(137 / 150)
    pub = sat.loc[("乙街道", "public")]
    # the questionnaire 24/30 = 80 % and the visits 18/20 = 90 % apart; pooled 42/50 = 84 %: under 85 %
    assert (pub["questionnaire_rate"], pub["visit_rate"]) == (pytest.approx(0.8), pytest.approx(0.9))
    assert pub["satisfaction"] == pytest.approx(0.84) and not bool(pub["meets"])


def test_the_county_adds_the_county_level_rows(sat):
    # every row: valid 50+40+100+20+10+30+10 = 260, satisfied 45+30+95+18+9+24+10 = 231, visits 20/18
    # → (231 + 18) / (260 + 20) = 249/280 = 88.9 %
    r = sat.loc[("全县", "all")]
    assert (r["valid"], r["satisfied"], r["visits"], r["satisfied_visits"]) == (260, 231, 20, 18)
    assert r["satisfaction"] == pytest.approx(249 / 280)
    # 社会人士: the 乙街道 row and the county row: (24 + 10 + 18) / (30 + 10 + 20) = 52/60
    assert sat.loc[("全县", "public"), "satisfaction"] == pytest.approx(52 / 60)
    summary = survey.survey_summary(sat.reset_index())
    # 家长 30/40 = 75 % is the only group under 85 % (学生 140/150, 教师 18/20, 人大代表 9/10)
    assert summary["groups_low"] == ["parent"] and summary["townships_low"] == []
    assert summary["group_rates"]["student"] == pytest.approx(140 / 150)


def test_schools_and_a_missing_table():
    s = survey.school_satisfaction(plan_county(), year=YEAR).set_index(["school_id", "respondent"])
    assert s.loc[("A", "parent"), "satisfaction"] == pytest.approx(0.75) and not bool(s.loc[("A", "parent"), "meets"])
    assert len(s) == 4  # the 镇街 and county rows name no school
    with pytest.raises(MissingTableError, match="满意度调查"):
        survey.satisfaction(plan_county(survey=True), year=YEAR)
