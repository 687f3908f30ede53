"""Class sizes (班额): distribution, over-size classes, MOE bands, trend and classes needed at the caps.

Rules (all thresholds from :mod:`jxedu.core.standards`):

* **Caps** (教督〔2017〕6号 保障程度第5项, ``class_size_max``): 小学 ≤ 45, 初中 ≤ 50 students per
  class. A class *over the cap* has more students than that (46 in 小学, 51 in 初中).
* **MOE bands** (``class_band_large`` 46, ``class_band_big`` 56, ``class_band_super`` 66):
  ≤ 35 小班, 36–45 正常 (standards ``class_band_normal``), 46–55 偏大班额, 56–65 大班额, 66+ 超大班额. The
  bands are the same for both stages; a 初中 class of 46–50 is 偏大 yet within its cap.
* Only 小学 and 初中 classes are analysed (高中 classes of 一贯制/完全中学 are left out).
* **Classes needed at the caps**: per school × grade, ``ceil(students / cap)``, against the classes
  held (rows of the 班级 table). Classes cannot mix grades.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxedu.analysis.indicators import township_sort_key
from jxedu.core.errors import DataError
from jxedu.core.schema import COMPULSORY_STAGES
from jxedu.core.standards import threshold

__all__ = [
    "BAND_LABELS",
    "BANDS",
    "COLUMN_LABELS",
    "class_band",
    "class_records",
    "class_size_summary",
    "class_size_trend",
    "classes_needed",
    "key_figures",
    "plot_class_size_histogram",
    "plot_class_size_trend",
    "stage_cap",
    "top_oversize_schools",
]

#: Band codes in order, smallest classes first.
BANDS: tuple[str, ...] = ("small", "normal", "large", "big", "super")


def _band_labels() -> dict[str, str]:
    """Chinese band names (MOE vocabulary) with the limits of the standards table."""
    n, lg, bg, sp = (int(threshold(k)) for k in ("class_band_normal", "class_band_large", "class_band_big",
                                                  "class_band_super"))
    return {
        "small": f"{n - 1}人及以下",
        "normal": f"正常（{n}–{lg - 1}人）",
        "large": f"偏大班额（{lg}–{bg - 1}人）",
        "big": f"大班额（{bg}–{sp - 1}人）",
        "super": f"超大班额（{sp}人及以上）",
    }


#: Chinese band names (MOE vocabulary), from ``class_band_*`` in the standards table.
BAND_LABELS: dict[str, str] = _band_labels()
#: Stages analysed.
STAGES: tuple[str, ...] = COMPULSORY_STAGES
#: Name of the county-wide row of summaries.
COUNTY_ROW = "全县"
#: First year of the trend the county plan looks at (or the first year in the data, if later).
TREND_SINCE = 2019  # school year

#: Chinese display headers (used by :func:`jxedu.analysis.rotation.to_chinese` too).
COLUMN_LABELS: dict[str, str] = {
    "year": "学年",
    "township": "镇街",
    "school_id": "学校标识码",
    "school_name": "学校名称",
    "urban_rural": "城乡分类",
    "stage": "学段",
    "grade": "年级",
    "classes": "班级数",
    "students": "学生数",
    "mean_size": "平均班额",
    "max_size": "最大班额",
    "cap": "班额上限",
    "over_cap": "超标班级数",
    "over_cap_share": "超标班级占比",
    "small": BAND_LABELS["small"],
    "normal": BAND_LABELS["normal"],
    "large": BAND_LABELS["large"],
    "big": BAND_LABELS["big"],
    "super": BAND_LABELS["super"],
    "classes_held": "现有班级数",
    "classes_needed": "按上限所需班级数",
    "extra_classes": "需增加班级数",
}


def stage_cap(stage: str) -> int:
    """Class-size cap of a stage (``class_size_max``): 45 (小学) or 50 (初中)."""
    if stage not in STAGES:
        raise DataError(f"学段无效 (bad_stage): {stage}；可选 primary（小学）、junior（初中）")
    return int(threshold("class_size_max", stage))


def class_band(size) -> np.ndarray:
    """MOE band code of each class size.

    Parameters
    ----------
    size
        Students per class (scalar or array).

    Returns
    -------
    numpy.ndarray of str
        ``small`` (≤ 35), ``normal`` (36–45), ``large`` (46–55), ``big`` (56–65), ``super`` (66+).
    """
    s = np.asarray(size, dtype=float)
    edges = [threshold("class_band_normal"), threshold("class_band_large"), threshold("class_band_big"),
             threshold("class_band_super")]
    idx = np.searchsorted(np.asarray(edges), s, side="right")
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
        ``year, school_id, school_name, township, urban_rural, stage, grade, class_name, students,
        cap, band, over_cap``.
    """
    ds.require("classes")
    c = ds.classes
    keep = c["stage"].isin(STAGES).to_numpy().copy()
    if years is not None:
        keep &= c["year"].isin(years).to_numpy()
    c = c.loc[keep, ["year", "school_id", "stage", "grade", "class_name", "students"]]
    c["year"] = c["year"].astype(int)
    c["grade"] = c["grade"].astype(int)
    c["students"] = c["students"].astype(int)
    c["cap"] = c["stage"].map({st: stage_cap(st) for st in STAGES}).astype(int)
    c["band"] = class_band(c["students"].to_numpy())
    c["over_cap"] = c["students"] > c["cap"]
    sch = pd.DataFrame(ds.schools[["school_id", "name", "township", "urban_rural"]]).rename(
        columns={"name": "school_name"})
    c = c.merge(sch, on="school_id", how="left")
    cols = ["year", "school_id", "school_name", "township", "urban_rural", "stage", "grade", "class_name",
            "students", "cap", "band", "over_cap"]
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


def _aggregate(c: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    # One indicator column per band, summed in the same groupby (vectorised; no crosstab).
    c = c.assign(**{b: (c["band"] == b).astype(int) for b in BANDS})
    out = c.groupby(keys, dropna=False).agg(
        classes=("students", "size"), students=("students", "sum"), mean_size=("students", "mean"),
        max_size=("students", "max"), over_cap=("over_cap", "sum"), **{b: (b, "sum") for b in BANDS})
    for col in ("classes", "students", "max_size", "over_cap", *BANDS):
        out[col] = out[col].astype(int)
    out["over_cap_share"] = out["over_cap"] / out["classes"].where(out["classes"] > 0)
    return out.reset_index()


def _township_order(s: pd.Series) -> pd.Series:
    if s.name == "township":
        return s.map(township_sort_key)
    if s.name == "stage":
        return s.map({"primary": 0, "junior": 1})
    return s


def class_size_summary(ds, *, year: int | None = None, by: str = "township") -> pd.DataFrame:
    """Class-size distribution of one year per stage and unit: bands, over-cap classes, mean/max.

    Parameters
    ----------
    ds
        The data set (needs 班级).
    year
        School year (default: latest of the 班级 table).
    by
        ``"county"``, ``"township"`` (with a 全县 row at the end) or ``"school"``.

    Returns
    -------
    pandas.DataFrame
        ``year, [township | school columns,] stage, classes, students, mean_size, max_size,
        over_cap, small, normal, large, big, super, over_cap_share``.
    """
    y = _year(ds, year)
    c = class_records(ds, years=[y])
    if by == "county":
        out = _aggregate(c, ["year", "stage"])
    elif by == "township":
        t = _aggregate(c, ["year", "township", "stage"])
        tot = _aggregate(c, ["year", "stage"]).assign(township=COUNTY_ROW)
        out = pd.concat([t, tot[t.columns]], ignore_index=True)
        out = out.sort_values(["township", "stage"], key=_township_order).reset_index(drop=True)
    elif by == "school":
        out = _aggregate(c, ["year", "township", "school_id", "school_name", "urban_rural", "stage"])
        out = out.sort_values(["township", "school_id", "stage"], key=_township_order).reset_index(drop=True)
    else:
        raise DataError(f"汇总层级无效 (bad_by): {by}；可选 county、township、school")
    return out


def class_size_trend(ds, *, since: int | None = TREND_SINCE, by: str = "county") -> pd.DataFrame:
    """Per year and stage since 2019 (or the first year in the data): classes, over-cap, bands.

    Parameters
    ----------
    ds
        The data set (needs 班级).
    since
        First year (default 2019; ``None`` for every year).
    by
        ``"county"`` or ``"township"``.

    Returns
    -------
    pandas.DataFrame
        As :func:`class_size_summary`, one row per year (and 镇街) and stage.
    """
    c = class_records(ds)
    if since is not None:
        c = c[c["year"] >= int(since)]
    if by == "county":
        out = _aggregate(c, ["year", "stage"])
    elif by == "township":
        out = _aggregate(c, ["year", "township", "stage"])
    else:
        raise DataError(f"汇总层级无效 (bad_by): {by}；可选 county、township")
    return out.sort_values([k for k in ("year", "township", "stage") if k in out], key=_township_order).reset_index(
        drop=True)


def top_oversize_schools(ds, *, year: int | None = None, n: int = 10) -> pd.DataFrame:
    """The schools with the most classes over the cap in a year.

    Parameters
    ----------
    ds
        The data set (needs 班级).
    year
        School year (default latest of 班级).
    n
        How many schools.

    Returns
    -------
    pandas.DataFrame
        ``township, school_id, school_name, urban_rural, classes, over_cap, over_cap_share,
        max_size, big, super``; only schools with at least one over-size class, most first.
    """
    y = _year(ds, year)
    c = class_records(ds, years=[y])
    g = _aggregate(c, ["township", "school_id", "school_name", "urban_rural"])
    g = g[g["over_cap"] > 0].sort_values(["over_cap", "max_size", "school_id"], ascending=[False, False, True])
    cols = ["township", "school_id", "school_name", "urban_rural", "classes", "over_cap", "over_cap_share",
            "max_size", "big", "super"]
    return g[cols].head(int(n)).reset_index(drop=True)


def classes_needed(ds, *, year: int | None = None) -> pd.DataFrame:
    """Classes needed at the caps per school × grade, against the classes held.

    ``classes_needed = ceil(students / cap)`` (cap 45 小学, 50 初中); ``extra_classes =
    max(classes_needed − classes_held, 0)``.

    Parameters
    ----------
    ds
        The data set (needs 班级).
    year
        School year (default latest of 班级).

    Returns
    -------
    pandas.DataFrame
        ``year, township, school_id, school_name, stage, grade, students, classes_held, cap,
        classes_needed, extra_classes``; rows with a shortfall first.
    """
    y = _year(ds, year)
    c = class_records(ds, years=[y])
    g = c.groupby(["year", "township", "school_id", "school_name", "stage", "grade"], dropna=False).agg(
        students=("students", "sum"), classes_held=("students", "size"), cap=("cap", "first")).reset_index()
    g["classes_needed"] = np.ceil(g["students"] / g["cap"]).astype(int)
    g["extra_classes"] = (g["classes_needed"] - g["classes_held"]).clip(lower=0).astype(int)
    g = g.sort_values(["extra_classes", "school_id", "grade"], ascending=[False, True, True])
    return g.reset_index(drop=True)


def plot_class_size_histogram(ds, *, year: int | None = None, title: str | None = None):
    """Histogram of class sizes per stage with the cap and the band edges marked.

    Parameters
    ----------
    ds
        The data set (needs 班级).
    year
        School year (default latest of 班级).
    title
        Figure title (Chinese).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from jxedu.present import style as plotting

    y = _year(ds, year)
    c = class_records(ds, years=[y])
    fig, axes = plotting.new_figure(ncols=2, size="wide", title=title or f"{y}学年班额分布", sharey=True)
    hi = int(max(c["students"].max() if len(c) else 0, 70)) + 2
    bins = np.arange(0, hi + 1, 2)
    for ax, st in zip(np.atleast_1d(axes), STAGES):
        s = c.loc[c["stage"] == st, "students"]
        cap = stage_cap(st)
        ax.hist(s, bins=bins, color=plotting.STAGE_COLORS[st], alpha=0.85)
        ax.axvline(cap + 0.5, color=plotting.STATUS_COLORS["fail"], linestyle="--", linewidth=1.5,
                   label=f"班额上限 {cap} 人")
        for edge in (threshold("class_band_big"), threshold("class_band_super")):
            ax.axvline(edge - 0.5, color=plotting.THRESHOLD_COLOR, linestyle=":", linewidth=1)
        n_over = int((s > cap).sum())
        ax.set_title(f"{plotting.STAGE_LABELS[st]}：{len(s)} 个班，超标 {n_over} 个")
        ax.set_xlabel("班额（人）")
        ax.legend(fontsize=8, loc="upper left")
    np.atleast_1d(axes)[0].set_ylabel("班级数")
    return fig


def plot_class_size_trend(trend: pd.DataFrame, *, title: str | None = None):
    """Lines of over-size classes and of 大班额/超大班额 per year and stage.

    Parameters
    ----------
    trend
        County-level output of :func:`class_size_trend`.
    title
        Figure title (Chinese).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from jxedu.present import style as plotting

    fig, ax = plotting.new_figure(size="a4", title=title or "超标班额变化趋势")
    for st in STAGES:
        t = trend[trend["stage"] == st]
        if t.empty:
            continue
        col = plotting.STAGE_COLORS[st]
        lab = plotting.STAGE_LABELS[st]
        ax.plot(t["year"], t["over_cap"], marker="o", color=col, label=f"{lab}超标班级（>{stage_cap(st)}人）")
        ax.plot(t["year"], t["big"] + t["super"], marker="s", linestyle="--", color=col,
                label=f"{lab}大班额及以上（≥56人）")
    ax.set_xlabel("学年")
    ax.set_ylabel("班级数")
    years = sorted(trend["year"].unique())
    ax.set_xticks(years, [str(int(v)) for v in years])
    ax.legend(fontsize=8)
    return fig


def key_figures(ds, *, year: int | None = None) -> str:
    """The year's key class-size figures as short Chinese text (for notebooks and reports).

    Returns
    -------
    str
        Per stage: classes, over-size classes against the cap, 大班额 and 超大班额.
    """
    y = _year(ds, year)
    s = class_size_summary(ds, year=y, by="county").set_index("stage")
    lines = [f"学年：{y}"]
    for st, lab in (("primary", "小学"), ("junior", "初中")):
        if st not in s.index:
            lines.append(f"{lab}：无班级数据")
            continue
        r = s.loc[st]
        lines.append(
            f"{lab}：{int(r['classes'])} 个班，平均班额 {r['mean_size']:.1f} 人，超过 {stage_cap(st)} 人的班级 "
            f"{int(r['over_cap'])} 个；大班额 {int(r['big'])} 个，超大班额 {int(r['super'])} 个"
        )
    return "\n".join(lines)
