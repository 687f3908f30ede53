"""The teacher roster's rules, shared by the reader's checks and the analyses.

* **高于规定学历** (resource indicator 1, 每百名学生拥有高于规定学历教师数): a teacher's 最高学历 is
  above the legal minimum of the stage taught — 小学 专科 and above, 初中 本科 and above (reference §1,
  [V1]). 中专 and below never count; for 小学 a 专科 counts, for 初中 it does not.
* **县级以上骨干教师** (resource indicator 2): 骨干级别 县级, 市级 or 省级.
* **The roster of a school year.** The 教师 table is either *undated* — one roster, the bureau's
  latest, describing the latest school year of 学段统计 — or *dated*: a 学年 column gives every row its
  school year, one roster per year (a teacher appears once in each year's roster). A figure of year
  ``Y`` reads the roster of ``Y``; when there is none (an undated roster and ``Y`` before the latest
  year, or a dated one without ``Y``) it reads the latest roster, and :func:`from_latest_roster` says
  so, for the presentation to mark the figure.

Only the pseudonymous 教师编号 identifies a teacher here (names and ID numbers are dropped on load).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxedu.core.schema import COMPULSORY_STAGES

__all__ = [
    "BACKBONE_LEVELS",
    "QUALIFIED_EDUCATION",
    "from_latest_roster",
    "is_backbone",
    "is_dated",
    "is_qualified",
    "roster_counts",
    "roster_of_year",
    "roster_years",
]

#: 最高学历 codes that are 高于规定学历 per stage taught (小学 专科及以上, 初中 本科及以上) [V1].
QUALIFIED_EDUCATION: dict[str, tuple[str, ...]] = {
    "primary": ("associate", "bachelor", "postgraduate"),
    "junior": ("bachelor", "postgraduate"),
}
#: 骨干级别 codes that count as 县级以上骨干教师.
BACKBONE_LEVELS: tuple[str, ...] = ("county", "city", "province")


def is_qualified(stage: pd.Series, education: pd.Series) -> pd.Series:
    """Whether each teacher's 最高学历 is 高于规定学历 for the stage taught (False for 高中 and unknown).

    Parameters
    ----------
    stage
        Stage codes of the stage taught (``primary``, ``junior`` …).
    education
        最高学历 codes (``secondary``, ``associate``, ``bachelor``, ``postgraduate``).

    Returns
    -------
    pandas.Series of bool
    """
    st = stage.astype(object).to_numpy()
    ed = education.astype(object).to_numpy()
    out = np.zeros(len(st), dtype=bool)
    for s, ok in QUALIFIED_EDUCATION.items():
        out |= (st == s) & np.isin(ed, ok)
    return pd.Series(out, index=stage.index)


def is_backbone(level: pd.Series) -> pd.Series:
    """Whether each 骨干级别 is 县级 or above."""
    return level.isin(BACKBONE_LEVELS).astype(bool)


def is_dated(teachers: pd.DataFrame | None) -> bool:
    """Whether the roster has a 学年 column with values (one roster per school year)."""
    return teachers is not None and "year" in teachers.columns and bool(teachers["year"].notna().any())


def roster_years(teachers: pd.DataFrame | None) -> list[int]:
    """The school years of a dated roster, ascending (empty for an undated one)."""
    if not is_dated(teachers):
        return []
    return sorted(int(y) for y in pd.to_numeric(teachers["year"], errors="coerce").dropna().unique())


def roster_of_year(teachers: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """The roster of one school year: a dated roster's rows of ``year`` (of its latest year when it has
    none of ``year``, or when ``year`` is ``None``); an undated roster as it stands.

    Parameters
    ----------
    teachers
        The 教师 table.
    year
        School year; ``None`` for the latest roster.

    Returns
    -------
    pandas.DataFrame
        One row per teacher.
    """
    years = roster_years(teachers)
    if not years:
        return teachers
    y = int(year) if year is not None and int(year) in years else years[-1]
    return teachers.loc[pd.to_numeric(teachers["year"], errors="coerce") == y]


def from_latest_roster(teachers: pd.DataFrame | None, year: int, *, latest_year: int) -> bool:
    """Whether the roster figures of ``year`` are read from a roster of another (the latest) year.

    Parameters
    ----------
    teachers
        The 教师 table (``None``: no roster, nothing is read from it: False).
    year
        The school year of the figures.
    latest_year
        The latest school year of 学段统计 (the year an undated roster describes).

    Returns
    -------
    bool
    """
    if teachers is None:
        return False
    years = roster_years(teachers)
    if years:
        return int(year) not in years
    return int(year) != int(latest_year)


def roster_counts(teachers: pd.DataFrame) -> pd.DataFrame:
    """Per school and compulsory stage: teachers, 高于规定学历 and 县级以上骨干 teachers of a roster.

    Parameters
    ----------
    teachers
        One year's roster (``school_id, stage, education, backbone_level``).

    Returns
    -------
    pandas.DataFrame
        ``school_id, stage, teachers, qualified_teachers, backbone_teachers`` (ints), one row per
        school and stage with a teacher on the roster.
    """
    t = teachers.loc[teachers["stage"].isin(COMPULSORY_STAGES)]
    d = pd.DataFrame({"school_id": t["school_id"].to_numpy(), "stage": t["stage"].to_numpy(), "teachers": 1,
                      "qualified_teachers": is_qualified(t["stage"], t["education"]).astype(int).to_numpy(),
                      "backbone_teachers": is_backbone(t["backbone_level"]).astype(int).to_numpy()})
    return d.groupby(["school_id", "stage"], sort=True).sum().reset_index()
