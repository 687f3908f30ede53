"""集团化办学与城乡学校共同体, 强镇筑基 and 百强乡镇学校, from the 集团化与联盟 and 强镇筑基与百强学校 tables.

* **Coverage** (county plan: 集团化办学、城乡学校共同体“实现县域内农村中小学全覆盖”,
  ``plan_alliance_rural_coverage`` = 100 %): the rural schools — the schools of the school-level checks
  (:func:`jxedu.analysis.assurance.assessed_schools`) whose 城乡分类 is one of the setting
  ``alliance_areas`` (default 镇区 and 乡村: the plan's 农村) — that belong to at least one group.
* **Groups**: each group with its kind, lead school, members and the 镇街 it spans.
* **强镇筑基, 百强乡镇中学/小学**: the rows of 强镇筑基与百强学校 with the school's name; the plan names
  pilots but no number, so these are listed, not scored.

Typical use::

    from jxedu.analysis import alliances
    cov = alliances.coverage(ds, schools=assessed_schools(ds))  # one row per rural school
    groups = alliances.groups(ds)               # one row per group
"""

from __future__ import annotations

import pandas as pd

from jxedu.analysis.indicators import township_sort_key
from jxedu.core.dataset import Dataset
from jxedu.core.settings import Settings
from jxedu.core.settings import resolve_settings as _settings
from jxedu.core.vocabulary import COUNTY

__all__ = ["coverage", "coverage_by_township", "groups", "projects"]


def groups(ds: Dataset) -> pd.DataFrame:
    """One row per group of the 集团化与联盟 table.

    Returns
    -------
    pandas.DataFrame
        ``alliance, alliance_kind, lead_school_id, lead_name, members`` (schools, lead included),
        ``townships`` (the 镇街 of its schools, a list, the lead's first), ``leads`` (schools marked
        lead; more or fewer than one is a data problem the reader warns about).

    Raises
    ------
    MissingTableError
        Without the 集团化与联盟 table.
    """
    ds.require("alliances")
    a = ds.alliances.merge(pd.DataFrame(ds.schools[["school_id", "name", "township"]]), on="school_id", how="left")
    a["lead"] = a["lead"].astype("boolean").fillna(False).astype(bool)
    rows = []
    for name, g in a.groupby("alliance", sort=False):
        lead = g.loc[g["lead"]]
        first = lead.iloc[0] if len(lead) else None
        towns = list(dict.fromkeys([*([] if first is None else [first["township"]]), *g["township"].dropna()]))
        kinds = g["kind"].dropna()
        rows.append({"alliance": name, "alliance_kind": kinds.iloc[0] if len(kinds) else None,
                     "lead_school_id": None if first is None else first["school_id"],
                     "lead_name": None if first is None else first["name"], "members": int(g["school_id"].nunique()),
                     "townships": towns, "leads": int(g["lead"].sum())})
    return pd.DataFrame(rows, columns=["alliance", "alliance_kind", "lead_school_id", "lead_name", "members",
                                       "townships", "leads"])


def coverage(ds: Dataset, *, schools: pd.DataFrame, settings: Settings | None = None) -> pd.DataFrame:
    """The rural schools of the year and whether a group covers each.

    Parameters
    ----------
    ds
        The data set (needs 集团化与联盟).
    schools
        The schools of the year's school-level checks (:func:`jxedu.analysis.assurance.assessed_schools`,
        ``school_id, name, township, urban_rural, school_type``).
    settings
        Run settings (``alliance_areas``).

    Returns
    -------
    pandas.DataFrame
        ``school_id, name, township, urban_rural, school_type, covered, alliances`` (the groups it
        belongs to, a list), sorted by 镇街 and school.
    """
    ds.require("alliances")
    s = _settings(settings)
    rural = schools.loc[schools["urban_rural"].isin(tuple(s.alliance_areas)),
                    ["school_id", "name", "township", "urban_rural", "school_type"]].copy()
    member = ds.alliances.groupby("school_id")["alliance"].apply(lambda v: list(dict.fromkeys(v)))
    rural["alliances"] = [member.get(sid, []) for sid in rural["school_id"]]
    rural["covered"] = rural["alliances"].map(bool)
    rural = rural.sort_values(["township", "school_id"], key=lambda c: c.map(township_sort_key)
                              if c.name == "township" else c)
    return rural[["school_id", "name", "township", "urban_rural", "school_type", "covered", "alliances"]].reset_index(
        drop=True)


def coverage_by_township(cov: pd.DataFrame, townships: list[str]) -> pd.DataFrame:
    """Rural schools and those covered per 镇街 (every 镇街 of the data), the ``全县`` row last.

    Returns
    -------
    pandas.DataFrame
        ``township, rural_schools, covered_schools, uncovered_schools, coverage`` (0–1; NaN without rural
        schools).
    """
    rows = []
    for t in [*townships, COUNTY]:
        sub = cov if t == COUNTY else cov.loc[cov["township"] == t]
        n, k = len(sub), int(sub["covered"].sum())
        rows.append({"township": t, "rural_schools": n, "covered_schools": k, "uncovered_schools": n - k,
                     "coverage": k / n if n else float("nan")})
    return pd.DataFrame(rows)


def projects(ds: Dataset) -> pd.DataFrame:
    """The 强镇筑基 pilot towns and 百强乡镇中学/小学 with their schools' names.

    Returns
    -------
    pandas.DataFrame
        ``project, township, school_id, name, project_level, project_status, since_year``, sorted by
        project, 镇街 and school.

    Raises
    ------
    MissingTableError
        Without the 强镇筑基与百强学校 table.
    """
    ds.require("rural_projects")
    p = ds.rural_projects.merge(pd.DataFrame(ds.schools[["school_id", "name"]]), on="school_id", how="left")
    order = {"strong_town": 0, "top_junior": 1, "top_primary": 2}
    p = p.assign(_p=p["project"].map(order), _t=p["township"].map(township_sort_key))
    p = p.sort_values(["_p", "_t", "school_id"], na_position="first")
    p = p.rename(columns={"level": "project_level", "status": "project_status"})
    return p[["project", "township", "school_id", "name", "project_level", "project_status", "since_year"]].reset_index(
        drop=True)
