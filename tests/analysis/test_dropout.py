"""Tests of jxedu.analysis.dropout on the 控辍保学台账 of tests/analysis/plan_tasks_data.py."""

from __future__ import annotations

import pandas as pd

from jxedu.analysis import dropout
from tests.analysis.plan_tasks_data import plan_county


def test_cases_years_and_open_cases():
    c = dropout.dropout_cases(plan_county())
    assert "pupil_id" not in c.columns  # the pseudonym does not travel further
    # in date order: P2 2023-12-01 (school year 2023), P1 2024-10-10, P2 2024-11-20, P3 2025-03-01 (all 2024)
    assert c["year"].tolist() == [2023, 2024, 2024, 2024]
    assert c["open"].tolist() == [False, False, True, False]  # only 劝返中 is open; 送教上门 closes a case
    assert c["days_out"].iloc[1] == 26  # 2024-10-10 → 2024-11-05
    t = dropout.open_by_township(c, ["乙街道", "甲镇"], year=2024).set_index("township")
    # 甲镇 (A, B): 4 cases of 3 pupils (P2 twice), 3 in the 2024 school year, 1 open; 乙街道 none
    assert t.loc["甲镇", ["cases", "distinct_pupils", "cases_year", "open", "returned", "home_taught"]].tolist() == [
        4, 3, 3, 1, 2, 1]
    assert t.loc["乙街道", "cases"] == 0 and t.index[-1] == "全县" and t.loc["全县", "open"] == 1


def test_monthly_counts():
    m = dropout.monthly_counts(dropout.dropout_cases(plan_county())).set_index("month")
    assert m.index[0] == "2023-12" and m.index[-1] == "2025-03" and len(m) == 16
    # 2023-12: P2 leaves (open 1); 2024-01: P2 back (open 0)
    assert m.loc["2023-12"].tolist() == [1, 0, 1] and m.loc["2024-01"].tolist() == [0, 1, 0]
    # 2024-11: P2 leaves again, P1 (left in October) back → open at the end: P2 only
    assert m.loc["2024-10"].tolist() == [1, 0, 1] and m.loc["2024-11"].tolist() == [1, 1, 1]
    # 2025-03: P3 leaves and is taught at home (closed from that month) → still 1 open (P2)
    assert m.loc["2025-03"].tolist() == [1, 0, 1]


def test_school_year_starts_in_september():
    d = pd.Series(pd.to_datetime(["2024-08-31", "2024-09-01", "2025-03-15"]))
    assert dropout.school_year_of(d).tolist() == [2023, 2024, 2024]
