"""Resource indicators 1 and 2 derived from the 教师 roster, against the counts typed into 学段统计.

The indicators read the bureau's typed counts (学段统计: 高于规定学历教师数, 县级以上骨干教师数). Where
the roster has 最高学历 and 骨干级别, the same two counts follow per 部 from the rules of
:mod:`jxedu.core.roster` (高于规定学历: 小学 专科 and above, 初中 本科 and above; 骨干: 县级 and
above). A clerk who counts 本科+ for a 小学 fails units that pass; this module lists every 部 whose
typed count differs. The reader warns about the same cells (``roster_count_mismatch``).

Typical use::

    from jxedu.analysis.roster_check import typed_vs_roster
    check = typed_vs_roster(ds, year=2024)      # one row per 部 with teachers on the roster
    check[check["differs"]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxedu.core import roster
from jxedu.core.dataset import Dataset
from jxedu.core.schema import COMPULSORY_STAGES

__all__ = ["COLUMNS", "typed_vs_roster"]

#: Columns of :func:`typed_vs_roster`.
COLUMNS: tuple[str, ...] = (
    "school_id", "name", "township", "stage", "students", "teachers", "roster_teachers", "qualified_teachers",
    "roster_qualified", "qualified_per_100", "roster_qualified_per_100", "backbone_teachers", "roster_backbone",
    "backbone_per_100", "roster_backbone_per_100", "qualified_differs", "backbone_differs", "differs",
)


def typed_vs_roster(ds: Dataset, *, year: int | None = None) -> pd.DataFrame:
    """Per 部 of the year: the typed and the roster-derived teachers, 高于规定学历 and 骨干 counts.

    Parameters
    ----------
    ds
        The data set (needs the 教师 table).
    year
        School year (default: the latest). Only a roster *of* that year is compared: a dated roster's
        rows of the year, or an undated roster for the latest year of 学段统计 (the year it describes).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, one row per 小学/初中 row of 学段统计 with a teacher on the roster
        (``roster_*`` from the roster; ``*_per_100`` per 100 students, the values of indicators 1 and 2;
        ``differs`` when either count differs). Empty when there is no roster of the year.

    Raises
    ------
    MissingTableError
        Without the 教师 table.
    """
    ds.require("teachers")
    y = ds.year_or_latest(year)
    if roster.from_latest_roster(ds.teachers, y, latest_year=ds.latest_year):
        return pd.DataFrame(columns=list(COLUMNS))
    counts = roster.roster_counts(roster.roster_of_year(ds.teachers, y)).rename(columns={
        "teachers": "roster_teachers", "qualified_teachers": "roster_qualified", "backbone_teachers": "roster_backbone"})
    ss = ds.stage_stats
    ss = ss.loc[(pd.to_numeric(ss["year"], errors="coerce") == y) & ss["stage"].isin(COMPULSORY_STAGES),
                ["school_id", "stage", "students", "teachers", "qualified_teachers", "backbone_teachers"]]
    out = ss.merge(counts, on=["school_id", "stage"], how="inner")
    sch = pd.DataFrame(ds.schools[["school_id", "name", "township"]])
    out = out.merge(sch, on="school_id", how="left")
    num = {c: pd.to_numeric(out[c], errors="coerce").astype(float) for c in
           ("students", "teachers", "qualified_teachers", "backbone_teachers")}
    per = np.where(num["students"] > 0, 100.0 / num["students"].where(num["students"] > 0), np.nan)
    out["qualified_per_100"] = num["qualified_teachers"] * per
    out["roster_qualified_per_100"] = out["roster_qualified"] * per
    out["backbone_per_100"] = num["backbone_teachers"] * per
    out["roster_backbone_per_100"] = out["roster_backbone"] * per
    out["qualified_differs"] = (num["qualified_teachers"].notna() & (num["qualified_teachers"] != out["roster_qualified"]))
    out["backbone_differs"] = (num["backbone_teachers"].notna() & (num["backbone_teachers"] != out["roster_backbone"]))
    out["differs"] = out["qualified_differs"] | out["backbone_differs"]
    order = {st: i for i, st in enumerate(COMPULSORY_STAGES)}
    out = out.assign(_o=out["stage"].map(order)).sort_values(["township", "school_id", "_o"])
    return out[list(COLUMNS)].reset_index(drop=True)
