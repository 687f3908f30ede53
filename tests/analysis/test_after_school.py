"""Tests of jxedu.analysis.after_school on the county of tests/analysis/plan_tasks_data.py."""

from __future__ import annotations

import pytest

from jxedu.analysis.after_school import after_school_schools, homework_limit
from jxedu.core.settings import get_settings
from tests.analysis.plan_tasks_data import YEAR, plan_county


def test_homework_limits_come_from_the_standards_table():
    assert [homework_limit(g) for g in (1, 2, 3, 6, 7, 9)] == [0, 0, 60, 60, 90, 90]


def test_the_three_checks_per_school():
    a = after_school_schools(plan_county(), year=YEAR).set_index("school_id")
    # A: 190/200 = 95 %; grade 4 at 60 is within, grade 5 at 61 one minute over
    assert a.loc["A", "participation"] == pytest.approx(0.95) and bool(a.loc["A", "meets_participation"])
    assert (a.loc["A", "grades_over"], a.loc["A", "worst_excess"]) == ([5], 1.0)
    assert not bool(a.loc["A", "meets_homework"]) and not bool(a.loc["A", "meets"])
    # B: 240/300 = 80 % < 90 %; homework not published; grade 8 at 95 > 90 (grade 9 not given: not checked)
    assert not bool(a.loc["B", "meets_participation"]) and not bool(a.loc["B", "homework_published"])
    assert a.loc["B", "grades_over"] == [8]
    # C: written homework in grade 1 (10 minutes, the limit is 0)
    assert a.loc["C", "grades_over"] == [1] and a.loc["C", "worst_excess"] == 10
    # D offers no 课后服务: participation fails whatever the count; its homework is within the limits
    assert not bool(a.loc["D", "meets_participation"]) and bool(a.loc["D", "meets_homework"])
    # at an 80 % setting B's participation meets
    low = after_school_schools(plan_county(), year=YEAR, settings=get_settings(after_school_participation_min=0.8))
    assert bool(low.set_index("school_id").loc["B", "meets_participation"])
