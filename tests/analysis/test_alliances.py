"""Tests of jxedu.analysis.alliances on the county of tests/analysis/plan_tasks_data.py."""

from __future__ import annotations

import pytest

from jxedu.analysis import alliances
from jxedu.analysis.assurance import assessed_schools
from jxedu.core.settings import get_settings
from tests.analysis.plan_tasks_data import YEAR, plan_county


def test_groups_with_lead_members_and_townships():
    g = alliances.groups(plan_county()).set_index("alliance")
    assert g.loc["甲共同体", ["lead_name", "members", "leads"]].tolist() == ["甲中学", 2, 1]
    # the lead's 镇街 first: 城区集团 is led by C (乙街道) with B (甲镇)
    assert g.loc["城区集团", "townships"] == ["乙街道", "甲镇"]


def test_rural_coverage_and_the_areas_setting():
    ds = plan_county()
    cov = alliances.coverage(ds, schools=assessed_schools(ds, year=YEAR))
    # 镇区 and 乡村 schools: A, B, D (the 30-pupil 教学点 is in the school-level checks); D in no group
    assert set(cov["school_id"]) == {"A", "B", "D"}
    assert dict(zip(cov["school_id"], cov["covered"])) == {"A": True, "B": True, "D": False}
    by = alliances.coverage_by_township(cov, ["乙街道", "甲镇"]).set_index("township")
    # county 2/3 = 66.7 %; 乙街道 0/1; 甲镇 2/2
    assert by.loc["全县", "coverage"] == pytest.approx(2 / 3) and by.loc["乙街道", "uncovered_schools"] == 1
    s = get_settings(alliance_areas=["rural"])
    only = alliances.coverage(ds, schools=assessed_schools(ds, year=YEAR, settings=s), settings=s)
    # 乡村 only: A and D → 1/2
    assert set(only["school_id"]) == {"A", "D"} and only["covered"].sum() == 1


def test_projects():
    p = alliances.projects(plan_county())
    assert p[["project", "township", "project_status"]].values.tolist() == [
        ["strong_town", "甲镇", "recognised"], ["top_primary", "甲镇", "in_progress"]]
    # a pilot town has no school: no name (missing, not a placeholder); the 百强 school is named
    assert p["name"].isna().tolist() == [True, False] and p["name"].iloc[1] == "甲小学"
