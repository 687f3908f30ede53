"""Class sizes (班额): distribution, over-size classes, MOE bands, trend and classes needed at the caps.

Rules (all thresholds from :mod:`jxedu.core.standards`):

* **Caps** (教督〔2017〕6号 保障程度第5项, ``class_size_max``): 小学 ≤ 45, 初中 ≤ 50 students per
  class. A class *over the cap* has more students than that (46 in 小学, 51 in 初中).
* **MOE bands** (:func:`class_band`, the one home of the rule; ``class_band_normal`` 36,
  ``class_band_large`` 46, ``class_band_big`` 56, ``class_band_super`` 66): ≤ 35 ``small``, 36–45
  ``normal``, 46–55 ``large`` (偏大班额), 56–65 ``big`` (大班额), 66+ ``super`` (超大班额). The bands are
  the same for both stages; a 初中 class of 46–50 is 偏大 yet within its cap.
* Only 小学 and 初中 classes are analysed (高中 classes of 一贯制/完全中学 are left out).
* **Classes needed at the caps**: per school × grade, ``ceil(students / cap)``
  (:func:`jxedu.core.numeric.ceil_count`), against the classes held (rows of the 班级 table).
  Classes cannot mix grades.

Every function reads the 班级 table through :func:`class_records`; a caller that has the records
already (the assessment) passes them as ``records=``. Frames have English keys and codes; the
Chinese words are in ``jxedu/data/vocabulary/fields-classes.csv`` and ``words-classes.csv``, the
tables and charts in :mod:`jxedu.present.classes`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxedu.analysis.indicators import township_sort_key
from jxedu.core.errors import DataError
from jxedu.core.numeric import ceil_count
from jxedu.core.schema import COMPULSORY_STAGES
from jxedu.core.standards import threshold
from jxedu.core.vocabulary import COUNTY

__all__ = [
    "BANDS",
    "BAND_COLUMNS",
    "BAND_EDGES",
    "COUNTY_ROW",
    "TREND_SINCE",
    "band_limits",
    "class_band",
    "class_records",
    "class_size_summary",
    "class_size_trend",
    "classes_needed",
    "stage_cap",
    "top_oversize_schools",
]

#: Band codes in order, smallest classes first (word kind ``class_band``).
BANDS: tuple[str, ...] = ("small", "normal", "large", "big", "super")
#: Column of the summaries counting the classes of each band.
BAND_COLUMNS: dict[str, str] = {b: f"band_{b}" for b in BANDS}
#: Standards giving the lower limit of each band above ``small``.
BAND_EDGES: tuple[str, ...] = ("class_band_normal", "class_band_large", "class_band_big", "class_band_super")
#: Stages analysed.
STAGES: tuple[str, ...] = COMPULSORY_STAGES
#: Name of the county-wide row of summaries (:data:`jxedu.core.vocabulary.COUNTY`).
COUNTY_ROW = COUNTY
#: First year of the trend the county plan looks at (or the first year in the data, if later).
TREND_SINCE = 2019  # school year


def stage_cap(stage: str) -> int:
    """Class-size cap of a stage (``class_size_max``): 45 (小学) or 50 (初中)."""
    if stage not in STAGES:
        raise DataError(f"学段无效 (bad_stage): {stage}；可选 primary（小学）、junior（初中）")
    return int(threshold("class_size_max", stage))


def band_limits() -> dict[str, tuple[int | None, int | None]]:
    """Smallest and largest class size of each band (``None``: no limit), from the standards table.

    >>> band_limits()["big"]
    (56, 65)
    """
    edges = [int(threshold(k)) for k in BAND_EDGES]
    lows = [None, *edges]
    highs = [e - 1 for e in edges] + [None]
    return {b: (lo, hi) for b, lo, hi in zip(BANDS, lows, highs, strict=True)}


def class_band(size) -> np.ndarray:
    """MOE band code of each class size (the one home of the rule).

    Parameters
    ----------
    size
        Students per class (scalar or array).

    Returns
    -------
    numpy.ndarray of str
        ``small`` (≤ 35), ``normal`` (36–45), ``large`` (46–55), ``big`` (56–65), ``super`` (66+).
    """
    s = np.atleast_1d(np.asarray(size, dtype=float))
    edges = np.asarray([threshold(k) for k in BAND_EDGES])
    idx = np.searchsorted(edges, s, side="right")
    return np.asarray(BANDS, dtype=object)[idx]


def class_records(ds, *, years: list[int] | None = None) -> pd.DataFrame:
    """The 班级 table for 小学/初中 with school attributes, cap, band and over-cap flag.

    Parameters
    ----------
    ds
        The data set (needs 班级).
    years
        Years to keep (default all).

    Returns
    -------
    pandas.DataFrame
        ``year, school_id, school_name, township, urban_rural, stage, grade, class_name,
        class_pupils, class_cap, class_band, is_over_cap`` — one row per class.
    """
    ds.require("classes")
    c = ds.classes
    keep = c["stage"].isin(STAGES).to_numpy().copy()
    if years is not None:
        keep &= c["year"].isin(years).to_numpy()
    c = c.loc[keep, ["year", "school_id", "stage", "grade", "class_name", "students"]]
    c = c.rename(columns={"students": "class_pupils"})
    c["year"] = c["year"].astype(int)
    c["grade"] = c["grade"].astype(int)
    c["class_pupils"] = c["class_pupils"].astype(int)
    c["class_cap"] = c["stage"].map({st: stage_cap(st) for st in STAGES}).astype(int)
    c["class_band"] = class_band(c["class_pupils"].to_numpy()) if len(c) else np.array([], dtype=object)
    c["is_over_cap"] = c["class_pupils"] > c["class_cap"]
    sch = pd.DataFrame(ds.schools[["school_id", "name", "township", "urban_rural"]]).rename(
        columns={"name": "school_name"})
    c = c.merge(sch, on="school_id", how="left")
    cols = ["year", "school_id", "school_name", "township", "urban_rural", "stage", "grade", "class_name",
            "class_pupils", "class_cap", "class_band", "is_over_cap"]
    return c[cols]


def _year(ds, year: int | None) -> int:
    ds.require("classes")
    years = sorted(int(y) for y in ds.classes["year"].unique())
    if not years:
        raise DataError("班级表为空 (empty_table): 班级")
    if year is None:
        return years[-1]
    if int(year) not in years:
        raise DataError(f"班级表中没有该学年 (unknown_year): {year}；可用学年：{'、'.join(map(str, years))}")
    return int(year)


def _records(ds, year: int | None, records: pd.DataFrame | None) -> pd.DataFrame:
    """The records of one year: those given (filtered to ``year`` when given), else read."""
    if records is None:
        return class_records(ds, years=[_year(ds, year)])
    return records if year is None else records[records["year"] == int(year)]


_SUMMARY_COUNTS = ("classes", "students", "max_class_size", "over_cap", *BAND_COLUMNS.values())


def _aggregate(c: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    # One indicator column per band, summed in the same groupby (vectorised; no crosstab).
    c = c.assign(**{col: (c["class_band"] == b).astype(int) for b, col in BAND_COLUMNS.items()})
    out = c.groupby(keys, dropna=False).agg(
        classes=("class_pupils", "size"), students=("class_pupils", "sum"), class_size=("class_pupils", "mean"),
        max_class_size=("class_pupils", "max"), over_cap=("is_over_cap", "sum"),
        **{col: (col, "sum") for col in BAND_COLUMNS.values()})
    for col in _SUMMARY_COUNTS:
        out[col] = out[col].astype(int)
    out["over_cap_share"] = out["over_cap"] / out["classes"].where(out["classes"] > 0)
    return out.reset_index()


def _township_order(s: pd.Series) -> pd.Series:
    """Sort key: 街道 first, then 镇 by name, 全县 last; 小学 before 初中."""
    if s.name == "township":
        return s.map(township_sort_key)
    if s.name == "stage":
        return s.map({"primary": 0, "junior": 1})
    return s


def _with_county(c: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows per 镇街 and the county rows (``township`` = :data:`COUNTY_ROW`) of the same keys."""
    t = _aggregate(c, [*keys, "township", "stage"])
    tot = _aggregate(c, [*keys, "stage"]).assign(township=COUNTY)
    out = pd.concat([t, tot[t.columns]], ignore_index=True)
    return out.sort_values([*keys, "township", "stage"], key=_township_order).reset_index(drop=True)


def class_size_summary(ds, *, year: int | None = None, by: str = "township",
                       records: pd.DataFrame | None = None) -> pd.DataFrame:
    """Class-size distribution of one year per stage and unit: bands, over-cap classes, mean/max.

    Parameters
    ----------
    ds
        The data set (needs 班级).
    year
        School year (default: latest of the 班级 table, or every row of ``records``).
    by
        ``"county"``, ``"township"`` (with the 全县 rows at the end) or ``"school"``.
    records
        :func:`class_records` of the year already computed.

    Returns
    -------
    pandas.DataFrame
        ``year, [township | school columns,] stage, classes, students, class_size (mean),
        max_class_size, over_cap, band_small … band_super, over_cap_share``.
    """
    c = _records(ds, year, records)
    if by == "county":
        return _aggregate(c, ["year", "stage"])
    if by == "township":
        return _with_county(c, ["year"])
    if by == "school":
        out = _aggregate(c, ["year", "township", "school_id", "school_name", "urban_rural", "stage"])
        return out.sort_values(["township", "school_id", "stage"], key=_township_order).reset_index(drop=True)
    raise DataError(f"汇总层级无效 (bad_by): {by}；可选 county、township、school")


def class_size_trend(ds, *, since: int | None = TREND_SINCE, by: str = "county",
                     records: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per year and stage since 2019 (or the first year in the data): classes, over-cap, bands.

    Parameters
    ----------
    ds
        The data set (needs 班级).
    since
        First year (default :data:`TREND_SINCE`; ``None`` for every year).
    by
        ``"county"``, or ``"township"`` (each 镇街's rows and the 全县 rows).
    records
        :func:`class_records` of every year already computed.

    Returns
    -------
    pandas.DataFrame
        As :func:`class_size_summary`, one row per year (and 镇街) and stage.
    """
    c = class_records(ds) if records is None else records
    if since is not None:
        c = c[c["year"] >= int(since)]
    if by == "county":
        out = _aggregate(c, ["year", "stage"])
        return out.sort_values(["year", "stage"], key=_township_order).reset_index(drop=True)
    if by == "township":
        return _with_county(c, ["year"])
    raise DataError(f"汇总层级无效 (bad_by): {by}；可选 county、township")


def top_oversize_schools(ds, *, year: int | None = None, n: int | None = 10,
                         records: pd.DataFrame | None = None) -> pd.DataFrame:
    """The schools with the most classes over the cap in a year.

    Parameters
    ----------
    ds
        The data set (needs 班级).
    year
        School year (default latest of 班级).
    n
        How many schools (``None``: all).
    records
        :func:`class_records` of the year already computed.

    Returns
    -------
    pandas.DataFrame
        ``township, school_id, school_name, urban_rural, classes, over_cap, over_cap_share,
        max_class_size, band_big, band_super``; only schools with at least one over-size class, most
        first.
    """
    c = _records(ds, year, records)
    g = _aggregate(c, ["township", "school_id", "school_name", "urban_rural"])
    g = g[g["over_cap"] > 0].sort_values(["over_cap", "max_class_size", "school_id"], ascending=[False, False, True])
    cols = ["township", "school_id", "school_name", "urban_rural", "classes", "over_cap", "over_cap_share",
            "max_class_size", "band_big", "band_super"]
    g = g[cols] if n is None else g[cols].head(int(n))
    return g.reset_index(drop=True)


def classes_needed(ds, *, year: int | None = None, records: pd.DataFrame | None = None) -> pd.DataFrame:
    """Classes needed at the caps per school × grade, against the classes held.

    ``classes_needed = ceil(students / cap)`` (cap 45 小学, 50 初中); ``extra_classes =
    max(classes_needed − classes_held, 0)``.

    Parameters
    ----------
    ds
        The data set (needs 班级).
    year
        School year (default latest of 班级).
    records
        :func:`class_records` of the year already computed.

    Returns
    -------
    pandas.DataFrame
        ``year, township, school_id, school_name, stage, grade, students, classes_held, class_cap,
        classes_needed, extra_classes``; rows with a shortfall first.
    """
    c = _records(ds, year, records)
    g = c.groupby(["year", "township", "school_id", "school_name", "stage", "grade"], dropna=False).agg(
        students=("class_pupils", "sum"), classes_held=("class_pupils", "size"),
        class_cap=("class_cap", "first")).reset_index()
    g["classes_needed"] = ceil_count(g["students"] / g["class_cap"]).astype(int)
    g["extra_classes"] = (g["classes_needed"] - g["classes_held"]).clip(lower=0).astype(int)
    g = g.sort_values(["extra_classes", "school_id", "grade"], ascending=[False, True, True])
    return g.reset_index(drop=True)
