"""社会认可度 (social recognition) from the 满意度调查 table: satisfaction per respondent group, 镇街 and school.

The method (教督〔2017〕6号, reference §3) asks that students, parents, teachers, principals, deputies
(人大代表、政协委员) and other residents be satisfied at ``satisfaction`` (85 %) or more; questionnaire
satisfaction is satisfied ÷ valid questionnaires and field-visit satisfaction likewise. Here:

* a group's rate pools its questionnaires and its field visits: (满意问卷 + 走访满意) ÷ (有效问卷 + 走访人数);
  the questionnaire and the visit rates are given apart as well;
* the overall rate pools every group (each questionnaire and each visit counts once);
* a row of the table belongs to a school (its 镇街 is the school's), to a 镇街, or — both left empty —
  to the county as a whole (counted in the county's figures only).

Typical use::

    from jxedu.analysis import survey
    sat = survey.satisfaction(ds, year=2024)        # per 镇街 × group, 全县 rows last
    low = survey.school_satisfaction(ds, year=2024) # per school × group
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxedu.analysis.indicators import township_sort_key
from jxedu.core import standards as std
from jxedu.core.dataset import Dataset
from jxedu.core.schema import RESPONDENTS
from jxedu.core.vocabulary import COUNTY

__all__ = ["ALL_GROUPS", "GROUPS", "school_satisfaction", "satisfaction", "survey_rows", "survey_summary"]

#: Respondent group codes, in the order of the method.
GROUPS: tuple[str, ...] = tuple(RESPONDENTS.values())
#: Code of the row pooling every group.
ALL_GROUPS = "all"

_COUNTS = ("valid", "satisfied", "visits", "satisfied_visits")


def survey_rows(ds: Dataset, *, year: int | None = None) -> pd.DataFrame:
    """The survey rows of a year with each row's 镇街 (a school's own) and its kind.

    Returns
    -------
    pandas.DataFrame
        ``year, respondent, school_id, name, township, level`` (``school``, ``township`` or
        ``county``) and the four counts (floats, NaN when empty).

    Raises
    ------
    MissingTableError
        Without the 满意度调查 table.
    """
    ds.require("survey")
    y = ds.year_or_latest(year)
    s = ds.survey
    s = s.loc[pd.to_numeric(s["year"], errors="coerce") == y].copy()
    sch = pd.DataFrame(ds.schools[["school_id", "name", "township"]]).rename(columns={"township": "school_township"})
    s = s.merge(sch, on="school_id", how="left")
    s["township"] = s["school_township"].where(s["school_id"].notna(), s["township"])
    s["level"] = np.where(s["school_id"].notna(), "school", np.where(s["township"].notna(), "township", "county"))
    for c in _COUNTS:
        s[c] = pd.to_numeric(s[c], errors="coerce").astype(float)
    return s[["year", "respondent", "school_id", "name", "township", "level", *_COUNTS]].reset_index(drop=True)


def _rates(g: pd.DataFrame) -> pd.DataFrame:
    """Pooled, questionnaire and visit rates of grouped sums (NaN where nothing was asked)."""
    q = g["valid"].where(g["valid"] > 0)
    v = g["visits"].where(g["visits"] > 0)
    g["questionnaire_rate"] = g["satisfied"] / q
    g["visit_rate"] = g["satisfied_visits"] / v
    total = g["valid"].fillna(0) + g["visits"].fillna(0)
    g["respondents"] = total
    g["satisfied_all"] = g["satisfied"].fillna(0) + g["satisfied_visits"].fillna(0)
    g["satisfaction"] = g["satisfied_all"] / total.where(total > 0)
    target = std.threshold("satisfaction")
    g["target"] = target
    g["meets"] = pd.array([pd.NA if pd.isna(r) else bool(std.meets(r, "satisfaction")) for r in g["satisfaction"]],
                          dtype="boolean")
    return g


def _sum(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.groupby(keys, sort=False, dropna=False)[list(_COUNTS)].sum(min_count=1).reset_index()


def satisfaction(ds: Dataset, *, year: int | None = None) -> pd.DataFrame:
    """Satisfaction per 镇街 and respondent group, with every group pooled, and the county.

    Parameters
    ----------
    ds
        The data set (needs 满意度调查).
    year
        School year (default: the latest).

    Returns
    -------
    pandas.DataFrame
        One row per 镇街 × group present in its rows (``respondent``: a code of :data:`GROUPS`, or
        :data:`ALL_GROUPS` for every group pooled), then the county rows (``township = 全县``, county-
        level rows included). Columns ``township, respondent, valid, satisfied, visits,
        satisfied_visits, questionnaire_rate, visit_rate, respondents, satisfied_all, satisfaction``
        (0–1), ``target``, ``meets`` (``<NA>`` without respondents). Empty without rows of the year.
    """
    s = survey_rows(ds, year=year)
    local = s.loc[s["township"].notna()]
    parts = [_sum(local, ["township", "respondent"]), _sum(local, ["township"]).assign(respondent=ALL_GROUPS),
             _sum(s, ["respondent"]).assign(township=COUNTY),
             _sum(s.assign(_k=1), ["_k"]).drop(columns="_k").assign(township=COUNTY, respondent=ALL_GROUPS)]
    out = pd.concat([p for p in parts if len(p)], ignore_index=True) if len(s) else pd.DataFrame(
        columns=["township", "respondent", *_COUNTS])
    out = _rates(out)
    order = {g: i for i, g in enumerate((*GROUPS, ALL_GROUPS))}
    out["_t"] = out["township"].map(township_sort_key)
    out["_g"] = out["respondent"].map(order)
    out = out.sort_values(["_t", "_g"]).drop(columns=["_t", "_g"]).reset_index(drop=True)
    return out[["township", "respondent", *_COUNTS, "questionnaire_rate", "visit_rate", "respondents",
                "satisfied_all", "satisfaction", "target", "meets"]]


def school_satisfaction(ds: Dataset, *, year: int | None = None) -> pd.DataFrame:
    """Satisfaction per school and respondent group (the rows of the table that name a school).

    Returns
    -------
    pandas.DataFrame
        ``school_id, name, township, respondent`` and the columns of :func:`satisfaction`, sorted by
        镇街, school and group.
    """
    s = survey_rows(ds, year=year)
    s = s.loc[s["level"] == "school"]
    out = _rates(_sum(s, ["school_id", "name", "township", "respondent"]))
    order = {g: i for i, g in enumerate(GROUPS)}
    out["_t"] = out["township"].map(township_sort_key)
    out["_g"] = out["respondent"].map(order)
    return out.sort_values(["_t", "school_id", "_g"]).drop(columns=["_t", "_g"]).reset_index(drop=True)


def survey_summary(sat: pd.DataFrame) -> dict:
    """The county's figures of the 社会认可度 item from :func:`satisfaction`.

    Returns
    -------
    dict
        ``rate`` (overall, 0–1; NaN without respondents), ``respondents``, ``satisfied``,
        ``groups_low`` (codes of groups under the target), ``group_rates`` (code -> rate),
        ``townships_low`` (镇街 whose pooled rate is under the target), ``visits`` (field visits).
    """
    county = sat.loc[sat["township"] == COUNTY].set_index("respondent")
    if ALL_GROUPS not in county.index:
        return {"rate": float("nan"), "respondents": 0, "satisfied": 0, "groups_low": [], "group_rates": {},
                "townships_low": [], "visits": 0}
    groups = county.drop(index=ALL_GROUPS)
    towns = sat.loc[(sat["township"] != COUNTY) & (sat["respondent"] == ALL_GROUPS)]
    low = groups.loc[groups["meets"].fillna(True).eq(False)]
    return {
        "rate": float(county.loc[ALL_GROUPS, "satisfaction"]),
        "respondents": int(county.loc[ALL_GROUPS, "respondents"]),
        "satisfied": int(county.loc[ALL_GROUPS, "satisfied_all"]),
        "groups_low": [g for g in GROUPS if g in low.index],
        "group_rates": {g: float(groups.loc[g, "satisfaction"]) for g in GROUPS if g in groups.index},
        "townships_low": towns.loc[towns["meets"].fillna(True).eq(False), "township"].tolist(),
        "visits": int(np.nan_to_num(county.loc[ALL_GROUPS, "visits"])),
    }
