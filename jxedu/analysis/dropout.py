"""控辍保学 from the 控辍保学台账 (the county plan's 辍学学生工作台账): cases, months and open cases.

A case is one row: a pupil (pseudonymous 学生编号 only — names and ID numbers never enter; a 学生编号
that looks like one is replaced on load), school, grade, the date the pupil left, the reason, where
the case stands and the date the pupil came back. A case is **open** (未销号) while its status is
``in_progress`` (劝返中) or ``other``; ``returned`` (已复学), ``home_taught`` (送教上门) and
``special_school`` (转入特殊教育学校) close it. The plan's aim is no open case
(``plan_dropout_open`` = 0: 动态清零).

A case's school year is the year of its 辍学日期, counted from 1 September (a pupil leaving in March
2025 left in the 2024 school year).

Typical use::

    from jxedu.analysis import dropout
    cases = dropout.dropout_cases(ds)                  # one row per case, no pupil identifier
    dropout.monthly_counts(cases)                      # left / returned per month, open at month end
    dropout.open_by_township(cases, ds.townships_list) # per 镇街, 全县 last
"""

from __future__ import annotations

import pandas as pd

from jxedu.analysis.indicators import township_sort_key
from jxedu.core.dataset import Dataset
from jxedu.core.vocabulary import COUNTY

__all__ = ["CLOSED_STATUSES", "OPEN_STATUSES", "dropout_cases", "monthly_counts", "open_by_township",
           "school_year_of"]

#: Statuses of an open case (未销号).
OPEN_STATUSES: tuple[str, ...] = ("in_progress", "other")
#: Statuses that close a case.
CLOSED_STATUSES: tuple[str, ...] = ("returned", "home_taught", "special_school")
#: Month a school year starts.
SCHOOL_YEAR_MONTH = 9


def school_year_of(dates: pd.Series) -> pd.Series:
    """The school year (its first calendar year) of each date: September to August."""
    d = pd.to_datetime(dates)
    return (d.dt.year - (d.dt.month < SCHOOL_YEAR_MONTH).astype(int)).astype("Int64")


def dropout_cases(ds: Dataset) -> pd.DataFrame:
    """Every case of the 控辍保学台账 with its school, 镇街, school year and whether it is open.

    Parameters
    ----------
    ds
        The data set (needs 控辍保学台账).

    Returns
    -------
    pandas.DataFrame
        ``case, pupil_key, school_id, name, township, grade, left_date, year, dropout_reason,
        case_status, returned_date, open, days_out`` (days from leaving to coming back; NaN while not back). ``case`` numbers the
        cases 1, 2 … in date order; the 学生编号 is not carried: ``pupil_key`` numbers the distinct
        pupils 0, 1 … (``distinct_pupils`` of :func:`open_by_township` counts them).

    Raises
    ------
    MissingTableError
        Without the 控辍保学台账.
    """
    ds.require("dropouts")
    d = ds.dropouts
    sch = pd.DataFrame(ds.schools[["school_id", "name", "township"]])
    out = d[["pupil_id", "school_id", "grade", "left_date", "reason", "status", "returned_date"]].merge(
        sch, on="school_id", how="left")
    out["left_date"] = pd.to_datetime(out["left_date"])
    out["returned_date"] = pd.to_datetime(out["returned_date"])
    out["year"] = school_year_of(out["left_date"])
    out = out.rename(columns={"status": "case_status", "reason": "dropout_reason"})
    out["open"] = out["case_status"].isin(OPEN_STATUSES)
    out["days_out"] = (out["returned_date"] - out["left_date"]).dt.days.astype(float)
    out = out.sort_values(["left_date", "school_id"], kind="stable").reset_index(drop=True)
    out["pupil_key"] = pd.factorize(out["pupil_id"])[0]  # distinct pupils, without their identifier
    out.insert(0, "case", range(1, len(out) + 1))
    return out[["case", "pupil_key", "school_id", "name", "township", "grade", "left_date", "year", "dropout_reason",
                "case_status", "returned_date", "open", "days_out"]]


def monthly_counts(cases: pd.DataFrame) -> pd.DataFrame:
    """Cases per calendar month: pupils who left, who came back, and the cases open at the month's end.

    Parameters
    ----------
    cases
        :func:`dropout_cases` (of the county, or filtered).

    Returns
    -------
    pandas.DataFrame
        ``month`` (``2024-09`` …, every month from the first case to the last date of the table),
        ``left, returned, open_end`` (cases left and not closed by the end of the month; a case closed
        without a 复学日期 — 送教上门, 转入特殊教育学校 — counts as closed from the month the pupil left).
    """
    cols = ["month", "left", "returned", "open_end"]
    if cases.empty:
        return pd.DataFrame(columns=cols)
    left = cases["left_date"].dt.to_period("M")
    back = cases["returned_date"].dt.to_period("M")
    last = max(left.max(), back.max()) if back.notna().any() else left.max()
    # the month a case closed: its 复学日期, or — closed without one (送教上门 …) — the month the pupil left
    closed = back.where(back.notna(), left).where(~cases["open"])
    rows = []
    for m in pd.period_range(left.min(), last, freq="M"):
        still = (left <= m) & ~(closed.notna() & (closed <= m))
        rows.append({"month": str(m), "left": int((left == m).sum()), "returned": int((back == m).sum()),
                     "open_end": int(still.sum())})
    return pd.DataFrame(rows, columns=cols)


def open_by_township(cases: pd.DataFrame, townships: list[str], *, year: int | None = None) -> pd.DataFrame:
    """Cases per 镇街 (of the pupils' schools) and the county: all, open, returned and otherwise closed.

    Parameters
    ----------
    cases
        :func:`dropout_cases`.
    townships
        Every 镇街 of the data (each gets a row, zeros included).
    year
        Count the ``cases_year`` of this school year besides all cases (``None``: the latest of the cases).

    Returns
    -------
    pandas.DataFrame
        ``township, cases, distinct_pupils, cases_year, open, returned, home_taught, special_school``, the
        ``全县`` row last. Open cases are counted whatever year the pupil left in (the ledger is cumulative).
    """
    y = year if year is not None else (int(cases["year"].max()) if len(cases) else None)
    c = cases.assign(this_year=(cases["year"] == y) if y is not None else False)
    rows = []
    for t in [*townships, COUNTY]:
        sub = c if t == COUNTY else c.loc[c["township"] == t]
        rows.append({"township": t, "cases": len(sub), "distinct_pupils": int(sub["pupil_key"].nunique()),
                     "cases_year": int(sub["this_year"].sum()), "open": int(sub["open"].sum()),
                     "returned": int((sub["case_status"] == "returned").sum()),
                     "home_taught": int((sub["case_status"] == "home_taught").sum()),
                     "special_school": int((sub["case_status"] == "special_school").sum())})
    out = pd.DataFrame(rows)
    return out.sort_values("township", key=lambda s: s.map(township_sort_key)).reset_index(drop=True)
