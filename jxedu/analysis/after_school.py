"""“双减” from the 课后服务与作业 table: 课后服务, 作业公示 and homework time per grade, per school.

* **课后服务**: every school offers it; pupils taking part ÷ the school's compulsory-stage pupils
  (学段统计 of the year) against the setting ``after_school_participation_min`` (no national number;
  default 90 %).
* **作业公示**: every school publishes its homework (是否公示作业 = 是).
* **书面作业时长** (中办发〔2021〕40号, standards ``homework_minutes_max``): 小学一、二年级 no written
  homework (0 minutes), 三至六年级 at most 60 minutes a day on average, 初中 at most 90 minutes. A grade
  left empty is not checked (the school may not have it).

A school **meets** the 双减 checks when it offers 课后服务 with enough participants, publishes its
homework and keeps every reported grade within its limit; a check it gives no data for is ``<NA>``
(never a pass).

Typical use::

    from jxedu.analysis.after_school import after_school_schools, homework_band
    schools = after_school_schools(ds, year=2024)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxedu.analysis.indicators import township_sort_key
from jxedu.core import standards as std
from jxedu.core.dataset import Dataset
from jxedu.core.schema import COMPULSORY_STAGES, HOMEWORK_GRADES
from jxedu.core.settings import Settings
from jxedu.core.settings import resolve_settings as _settings

__all__ = ["COLUMNS", "after_school_schools", "homework_band", "homework_limit"]

#: Columns of :func:`after_school_schools` (besides the per-grade ``homework_g1`` … ``homework_g9``).
COLUMNS: tuple[str, ...] = (
    "school_id", "name", "township", "urban_rural", "compulsory_pupils", "offers", "participants", "participation",
    "meets_participation", "homework_published", "grades_over", "worst_excess", "meets_homework", "meets",
)


def homework_band(grade: int) -> str:
    """The standards-table stage of a grade's homework limit: ``primary_lower`` (1–2), ``primary_upper``
    (3–6) or ``junior`` (7–9)."""
    return "primary_lower" if grade <= 2 else ("primary_upper" if grade <= 6 else "junior")


def homework_limit(grade: int) -> float:
    """Minutes of written homework a day allowed in a grade (0 for grades 1–2)."""
    return std.threshold("homework_minutes_max", homework_band(grade))


def _bool(s: pd.Series) -> pd.Series:
    return s.astype("boolean")


def after_school_schools(ds: Dataset, *, year: int | None = None, settings: Settings | None = None) -> pd.DataFrame:
    """One row per school of the 课后服务与作业 table in the year, with the three checks.

    Parameters
    ----------
    ds
        The data set (needs 课后服务与作业).
    year
        School year (default: the latest).
    settings
        Run settings (``after_school_participation_min``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS` and ``homework_g1`` … ``homework_g9`` (minutes): ``compulsory_pupils`` (学段统计's
        小学 + 初中 students), ``participation`` (0–1), ``grades_over`` (the grades over their limit, a
        list), ``worst_excess`` (minutes over the limit in the worst grade, 0 within), flags as nullable
        booleans (``<NA>`` without the data). Sorted by 镇街 and school.

    Raises
    ------
    MissingTableError
        Without the 课后服务与作业 table.
    """
    ds.require("after_school")
    s = _settings(settings)
    y = ds.year_or_latest(year)
    a = ds.after_school
    a = a.loc[pd.to_numeric(a["year"], errors="coerce") == y].copy()
    ss = ds.stage_stats
    ss = ss.loc[(pd.to_numeric(ss["year"], errors="coerce") == y) & ss["stage"].isin(COMPULSORY_STAGES)]
    pupils = pd.to_numeric(ss["students"], errors="coerce").groupby(ss["school_id"]).sum()
    sch = pd.DataFrame(ds.schools[["school_id", "name", "township", "urban_rural"]])
    out = a.merge(sch, on="school_id", how="left")
    out["compulsory_pupils"] = out["school_id"].map(pupils).astype(float)
    out["offers"] = _bool(out["offers"])
    out["homework_published"] = _bool(out["homework_published"])
    part = pd.to_numeric(out["participants"], errors="coerce").astype(float)
    out["participants"] = part
    out["participation"] = part / out["compulsory_pupils"].where(out["compulsory_pupils"] > 0)
    minimum = float(s.after_school_participation_min)
    ok_part = [pd.NA if pd.isna(o) else (False if not o else (pd.NA if pd.isna(p) else bool(p >= minimum - 1e-12)))
               for o, p in zip(out["offers"], out["participation"])]
    out["meets_participation"] = pd.array(ok_part, dtype="boolean")
    over, excess, known = [], [], []
    cols = [f"homework_g{g}" for g in HOMEWORK_GRADES]
    for c in cols:
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    limits = np.array([homework_limit(g) for g in HOMEWORK_GRADES])
    m = out[cols].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        diff = m - limits[None, :]
    for row in diff:
        have = ~np.isnan(row)
        known.append(bool(have.any()))
        bad = have & (row > 1e-9)
        over.append([g for g, b in zip(HOMEWORK_GRADES, bad) if b])
        excess.append(float(np.nanmax(np.where(have, np.clip(row, 0, None), np.nan))) if have.any() else np.nan)
    out["grades_over"] = over
    out["worst_excess"] = excess
    out["meets_homework"] = pd.array([pd.NA if not k else not g for k, g in zip(known, over)], dtype="boolean")
    checks = out[["meets_participation", "homework_published", "meets_homework"]]
    failed = ~checks.fillna(True).all(axis=1).to_numpy(dtype=bool)  # a check that fails decides
    unknown = checks.isna().any(axis=1).to_numpy(dtype=bool)
    out["meets"] = pd.array([False if f else (pd.NA if u else True) for f, u in zip(failed, unknown)], dtype="boolean")
    out = out.sort_values(["township", "school_id"], key=lambda c: c.map(township_sort_key) if c.name == "township"
                          else c).reset_index(drop=True)
    return out[[*COLUMNS, *cols]]
