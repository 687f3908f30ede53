"""Data overview: what a data set holds, per 镇街 and for the county (notebook 00 数据概览).

All figures cover compulsory education only (学段 小学 and 初中); 高中 rows of 十二年一贯制 schools
and 完全中学 are left out.
"""

from __future__ import annotations

import pandas as pd

from jxedu.core.dataset import Dataset
from jxedu.core.schema import COMPULSORY_STAGES
from jxedu.core.vocabulary import COUNTY

__all__ = [
    "COMPULSORY_STAGES",
    "county_totals",
    "township_summary",
]


# --- summaries ----------------------------------------------------------------------------------


def _compulsory_stats(ds: Dataset, year: int) -> pd.DataFrame:
    """学段统计 rows of one year, compulsory stages only, with the school's 镇街."""
    ss = ds.stage_stats
    ss = ss[(ss["year"].astype(int) == year) & ss["stage"].isin(COMPULSORY_STAGES)]
    schools = ds.schools[["school_id", "township"]]
    return ss.merge(pd.DataFrame(schools), on="school_id", how="left", validate="many_to_one")


def _counts(stats: pd.DataFrame) -> pd.DataFrame:
    """Per 镇街 counts (English keys) from :func:`_compulsory_stats` rows."""
    by_stage = stats.pivot_table(
        index="township", columns="stage", values="students", aggfunc="sum", fill_value=0
    )
    out = pd.DataFrame(
        {
            "schools": stats.groupby("township")["school_id"].nunique(),
            "students_primary": by_stage.get("primary"),
            "students_junior": by_stage.get("junior"),
            "classes": stats.groupby("township")["classes"].sum(),
            "teachers": stats.groupby("township")["teachers"].sum(),
        }
    )
    return out.fillna(0).astype("int64")


def _add_ratios(df: pd.DataFrame) -> pd.DataFrame:
    """Add total students, mean class size and student-teacher ratio (NaN when divided by 0)."""
    df = df.copy()
    df["students"] = df["students_primary"] + df["students_junior"]
    df["class_size"] = df["students"] / df["classes"].where(df["classes"] > 0)
    df["student_teacher_ratio"] = df["students"] / df["teachers"].where(df["teachers"] > 0)
    return df


def township_summary(ds: Dataset, *, year: int | None = None, total: bool = True) -> pd.DataFrame:
    """The data set per 镇街: schools, students by stage, classes, teachers (compulsory stages).

    Parameters
    ----------
    ds
        The data set.
    year
        School year (start year, e.g. 2024); ``None`` for the latest in the data.
    total
        Append the county row (``township = 全县``).

    Returns
    -------
    pandas.DataFrame
        One row per 镇街 of the data (街道 first; a 镇街 without schools shows zeros): ``township,
        schools`` (schools with at least one 小学/初中 row in 学段统计 that year), ``students_primary,
        students_junior, students, classes, teachers``, ``class_size`` = students / classes and
        ``student_teacher_ratio`` = students / teachers (NaN when the divisor is 0).
    """
    y = ds.year_or_latest(year)
    stats = _compulsory_stats(ds, y)
    counts = _counts(stats).reindex(ds.townships_list, fill_value=0)
    if total:
        all_rows = stats.assign(township=COUNTY)
        counts = pd.concat([counts, _counts(all_rows).reindex([COUNTY], fill_value=0)])
    table = _add_ratios(counts)
    table.index.name = "township"
    cols = ["schools", "students_primary", "students_junior", "students", "classes", "teachers", "class_size",
            "student_teacher_ratio"]
    return table[cols].reset_index()


def county_totals(ds: Dataset, *, year: int | None = None) -> dict:
    """Key figures of the county for one year (compulsory stages).

    Parameters
    ----------
    ds
        The data set.
    year
        School year; ``None`` for the latest.

    Returns
    -------
    dict
        ``year``; ``townships`` (number of 镇街 in the data); ``schools`` (schools with a 小学 or
        初中 row that year), ``schools_primary``, ``schools_junior`` (a 九年一贯制 school counts in
        both); ``students``, ``students_primary``, ``students_junior``; ``classes``; ``teachers``
        (专任教师). All plain ``int``.
    """
    y = ds.year_or_latest(year)
    stats = _compulsory_stats(ds, y)
    by_stage = stats.groupby("stage")
    students = by_stage["students"].sum()
    schools = by_stage["school_id"].nunique()
    return {
        "year": y,
        "townships": len(ds.townships_list),
        "schools": int(stats["school_id"].nunique()),
        "schools_primary": int(schools.get("primary", 0)),
        "schools_junior": int(schools.get("junior", 0)),
        "students": int(stats["students"].sum()),
        "students_primary": int(students.get("primary", 0)),
        "students_junior": int(students.get("junior", 0)),
        "classes": int(stats["classes"].sum()),
        "teachers": int(stats["teachers"].sum()),
    }




