"""Any year, and the trend across years: resource indicators and assurance items per year.

Typical use::

    from jxedu.analysis.trend import indicator_trend, assurance_trend, plot_trend
    county = indicator_trend(ds)                       # per year × stage: passing share, CVs, means
    towns = indicator_trend(ds, level="township")      # per year × 镇街 × stage: passing share
    schools = indicator_trend(ds, level="school")      # per school-stage unit: pass flag per year

The resource indicators of every year are computed in one vectorised call
(:func:`jxedu.analysis.indicators.resource_indicators` with ``year="all"``); the assurance items are
computed year by year (:func:`jxedu.analysis.assurance.assurance_items`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxedu.analysis.assurance import assurance_items
from jxedu.core import standards as std
from jxedu.core.dataset import Dataset
from jxedu.core.settings import Settings

__all__ = ["ASSURANCE_TREND_ITEMS", "assurance_trend", "indicator_trend"]

#: Numeric assurance / plan items followed over the years (keys of :func:`assurance_items`).
ASSURANCE_TREND_ITEMS: tuple[str, ...] = (
    "class_size",
    "school_size",
    "music_art_rooms",
    "training_completion",
    "certificate_share",
    "rotation_share",
    "rotation_backbone_share",
    "plan_rotations",
    "plan_honoured_teachers",
    "plan_smart_campus",
    "plan_pe_art_every_school",
)


_LEVELS = ("county", "township", "school")


def indicator_trend(ds: Dataset, *, level: str = "county", settings: Settings | None = None,
                    indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    """Resource indicators for every year of the data, at county, 镇街 or school level.

    Parameters
    ----------
    ds
        The data set.
    level
        ``"county"``: one row per year × stage — ``units, passing_units, passing_share`` (0–1),
        ``cv_within`` (indicators whose CV is within the limit, of 7), ``cv_limit``, and per
        indicator key ``cv_<key>`` and ``mean_<key>`` (county mean = student-weighted).
        ``"township"``: one row per year × 镇街 × stage (with 全县 rows) — ``units, passing, failing,
        passing_share``. ``"school"``: one row per school-stage unit — ``school_id, name, township,
        stage``, one column per year (``"2024"`` …) with the unit's pass flag (``<NA>`` when the
        unit is not in that year), ``years_in_data``, ``years_passing`` and ``passes_latest``.
    settings
        Run settings.
    indicators
        The resource indicators of every year (``resource_indicators(ds, year="all")``) when the caller
        has them (:attr:`jxedu.analysis.assessment.Assessment.indicators_all_years`).

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    ValueError
        Unknown ``level``.
    """
    from jxedu.analysis import indicators as ind_mod

    if level not in _LEVELS:
        raise ValueError(f"level must be one of {_LEVELS}, got {level!r}")
    ind = indicators if indicators is not None else ind_mod.resource_indicators(ds, year="all", settings=settings)
    if level == "township":
        return ind_mod.by_township(ind, with_county=True)
    if level == "school":
        return _school_trend(ind)

    bal = ind_mod.county_balance(ind, settings=settings)
    g = ind.groupby(["year", "stage"], sort=True).agg(units=("passes", "size"), passing_units=("passes", "sum"))
    g["passing_units"] = g["passing_units"].astype(int)
    g["passing_share"] = g["passing_units"] / g["units"]
    g["cv_within"] = bal.groupby(["year", "stage"])["within_limit"].sum().reindex(g.index).fillna(0).astype(int)
    g["cv_limit"] = [std.threshold("cv_limit", st) for _, st in g.index]
    cv = bal.pivot_table(index=["year", "stage"], columns="key", values="cv", aggfunc="first")
    mean = bal.pivot_table(index=["year", "stage"], columns="key", values="county_mean", aggfunc="first")
    for k in ind_mod.KEYS:
        g[f"cv_{k}"] = cv[k].reindex(g.index) if k in cv else np.nan
        g[f"mean_{k}"] = mean[k].reindex(g.index) if k in mean else np.nan
    out = g.reset_index()
    order = {st: i for i, st in enumerate(ind_mod.STAGES)}
    return out.sort_values(["year", "stage"], key=lambda s: s.map(order) if s.name == "stage" else s).reset_index(
        drop=True)


def _school_trend(ind: pd.DataFrame) -> pd.DataFrame:
    ids = ["school_id", "name", "township", "stage"]
    d = ind[["year", *ids, "passes"]].copy()
    d["year"] = d["year"].astype(int).astype(str)
    # the latest name and 镇街 of each unit label all its years
    last = d.sort_values("year").groupby(["school_id", "stage"]).tail(1).set_index(["school_id", "stage"])
    wide = d.pivot_table(index=["school_id", "stage"], columns="year", values="passes", aggfunc="first")
    years = sorted(wide.columns)
    wide = wide[years].astype("boolean")
    out = last[["name", "township"]].join(wide).reset_index()
    out["years_in_data"] = out[years].notna().sum(axis=1)
    out["years_passing"] = out[years].fillna(False).astype(bool).sum(axis=1)
    latest = [next((r[y] for y in reversed(years) if pd.notna(r[y])), pd.NA) for _, r in out.iterrows()]
    out["passes_latest"] = pd.array(latest, dtype="boolean")
    out = out[["school_id", "name", "township", "stage", *years, "years_in_data", "years_passing", "passes_latest"]]
    return out.sort_values(["township", "school_id", "stage"]).reset_index(drop=True)


def assurance_trend(
    ds: Dataset,
    *,
    settings: Settings | None = None,
    items: tuple[str, ...] | list[str] = ASSURANCE_TREND_ITEMS,
) -> pd.DataFrame:
    """The numeric assurance and county-plan items for every year of the data.

    Parameters
    ----------
    ds
        The data set.
    settings
        Run settings.
    items
        Item keys to keep (default :data:`ASSURANCE_TREND_ITEMS`).

    Returns
    -------
    pandas.DataFrame
        One row per year × item: ``year, item_key, value, target, unit, status`` (values in ``unit``;
        ratios in %; what each value measures is the ``measures`` column of the item catalogue) and
        ``roster_from_latest`` (the value reads the latest 教师 roster, the year having none of its
        own). Years where an item cannot be computed have status ``no_data`` and NaN.

    Notes
    -----
    An undated 教师 roster is one snapshot: rotation eligibility, backbone status and 最美教师 of past
    years are read from it as it stands (teachers who left are not seen), and ``roster_from_latest``
    marks them; a roster with a 学年 column is read year by year (:mod:`jxedu.core.roster`).
    """
    frames = []
    for y in ds.years:
        it = assurance_items(ds, year=y, settings=settings)
        it = it[it["item_key"].isin(items)]
        it = it.assign(year=y, roster_from_latest=[bool(f.get("roster_from_latest", False)) for f in it["facts"]])
        frames.append(it[["year", "item_key", "value", "target", "unit", "status", "roster_from_latest"]])
    out = pd.concat(frames, ignore_index=True)
    order = {k: i for i, k in enumerate(items)}
    out = out.sort_values(["item_key", "year"], key=lambda s: s.map(order) if s.name == "item_key" else s)
    return out.reset_index(drop=True)




