"""A 镇街's figures are the county's figures filtered to it — for every 镇街 and every table a 镇街
report or notebook shows.

Each presentation table below is made once for the county (``a``) and once for each of the 13 demo
镇街 (``a.township(t)``); the 镇街's table must equal the county's rows of that 镇街. A table that
recomputed a measure on the 镇街's data alone (the nearest school across a 镇街 border, a bus route
serving two 镇街, a rotation between them, the 全县 row of a summary) would differ here.
"""

from __future__ import annotations

import pytest

import jxedu
from jxedu.core.config import DEMO_DIR
from jxedu.present import access, classes, indicators, plan_tasks, priorities, teachers

TOWNSHIP_HEADER = "镇街"


@pytest.fixture(scope="module")
def a():
    return jxedu.assess(jxedu.load(DEMO_DIR))


#: (name, table of a scope) — every table with one row per 镇街 or per school that a 镇街 report or
#: analysis notebook shows.
TABLES = [
    ("indicators.passing_table", indicators.passing_table),
    ("indicators.schools_table", indicators.schools_table),
    ("indicators.failing_table", indicators.failing_table),
    ("indicators.plan_table", indicators.plan_table),
    ("indicators.totals_table", indicators.totals_table),
    ("access.distance_table(primary)", lambda s: access.distance_table(s, "primary")),
    ("access.nearby_table(primary)", lambda s: access.nearby_table(s, "primary")),
    ("access.nearby_table(junior)", lambda s: access.nearby_table(s, "junior")),
    ("access.coverage_table(junior)", lambda s: access.coverage_table(s, "junior")),
    ("access.uncovered_table(primary)", lambda s: access.uncovered_table(s, "primary", max_rows=None)),
    ("access.beyond_walk_table(junior)", lambda s: access.beyond_walk_table(s, "junior", max_rows=None)),
    ("teachers.township_table", teachers.township_table),
    ("teachers.school_table", teachers.school_table),
    ("classes.township_table", classes.township_table),
    ("classes.oversize_table", lambda s: classes.oversize_table(s)),
    ("classes.township_needs_table", classes.township_needs_table),
    ("priorities.priorities_table", priorities.priorities_table),
    ("indicators.roster_check_table", lambda s: indicators.roster_check_table(s, only_differing=False)),
    ("plan_tasks.survey_township_table", plan_tasks.survey_township_table),
    ("plan_tasks.low_satisfaction_table", plan_tasks.low_satisfaction_table),
    ("plan_tasks.special_groups_table", plan_tasks.special_groups_table),
    ("plan_tasks.dropout_table", plan_tasks.dropout_table),
    ("plan_tasks.after_school_table", lambda s: plan_tasks.after_school_table(s, only_failing=False)),
    ("plan_tasks.alliance_coverage_table", plan_tasks.alliance_coverage_table),
    ("plan_tasks.uncovered_schools_table", plan_tasks.uncovered_schools_table),
    ("plan_tasks.projects_table", plan_tasks.projects_table),
]


def _rows_of(county, township: str, columns: list[str]):
    frame = county.frame
    if TOWNSHIP_HEADER in frame.columns:
        frame = frame.loc[frame[TOWNSHIP_HEADER] == township]
    return frame[[c for c in columns if c in frame.columns]].reset_index(drop=True)


@pytest.mark.parametrize("name,make", TABLES, ids=[n for n, _ in TABLES])
def test_township_table_is_the_county_table_filtered(a, name, make):
    county = make(a)
    for t in a.townships:
        view = make(a.township(t)).frame
        # the running number of a list restarts in each 镇街: compare the rows, not their numbers
        columns = [c for c in view.columns if c != "序号"]
        expected = _rows_of(county, t, columns)
        got = view[columns].reset_index(drop=True)
        if TOWNSHIP_HEADER not in county.frame.columns and len(county.frame) != len(got):
            pytest.fail(f"{name}: the county table has no 镇街 column to filter by")
        assert list(got.columns) == list(expected.columns), (name, t)
        assert got.to_numpy().tolist() == expected.to_numpy().tolist(), (name, t)


def test_the_check_sees_a_table_recomputed_on_a_subset(a):
    # 王丕街道's 小学 就近入学比例 county-wide is 85.5 % (its villages' nearest school may be in the next
    # 镇街); a recomputation on its villages and schools alone gives 100 %: the comparison must differ.
    county = access.nearby_table(a, "primary")
    row = _rows_of(county, "王丕街道", list(county.frame.columns))
    assert row.shape[0] == 1
    share = [c for c in row.columns if "就近入学" in c][0]
    assert row.loc[0, share] == "85.5%"
