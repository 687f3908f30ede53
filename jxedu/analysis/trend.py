"""Any year, and the trend across years: resource indicators and assurance items per year.

Typical use::

    from jxedu.analysis.trend import indicator_trend, assurance_trend, plot_trend
    county = indicator_trend(ds)                       # per year × stage: passing share, CVs, means
    towns = indicator_trend(ds, level="township")      # per year × 镇街 × stage: passing share
    schools = indicator_trend(ds, level="school")      # per school-stage unit: pass flag per year
    fig, ax = plot_trend(county, what="passing_share")

The resource indicators of every year are computed in one vectorised call
(:func:`jxedu.analysis.indicators.resource_indicators` with ``year="all"``); the assurance items are
computed year by year (:func:`jxedu.analysis.assurance.assurance_items`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxedu.analysis.assurance import STATUS_NO_DATA, assurance_items
from jxedu.core import standards as std
from jxedu.core.dataset import Dataset
from jxedu.core.schema import LABELS
from jxedu.core.settings import Settings

__all__ = ["ASSURANCE_TREND_ITEMS", "VALUE_LABELS", "assurance_trend", "indicator_trend", "plot_assurance_trend", "plot_trend"]

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

#: What the value of each followed item measures (chart titles; Chinese with the unit).
VALUE_LABELS: dict[str, str] = {
    "class_size": "超标准班额（个）",
    "school_size": "超规模学校（所）",
    "music_art_rooms": "音乐美术专用教室未达标学校（所）",
    "training_completion": "360学时培训完成率（%）",
    "certificate_share": "教师持证率（%）",
    "rotation_share": "交流轮岗占符合条件教师（%）",
    "rotation_backbone_share": "交流教师中骨干教师（%）",
    "plan_rotations": "城镇向乡村、薄弱学校交流（人）",
    "plan_honoured_teachers": "“最美教师”（人）",
    "plan_smart_campus": "智慧校园覆盖率（%）",
    "plan_pe_art_every_school": "体育艺术教师不足的学校（所）",
}

_LEVELS = ("county", "township", "school")


def indicator_trend(ds: Dataset, *, level: str = "county", settings: Settings | None = None) -> pd.DataFrame:
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
    ind = ind_mod.resource_indicators(ds, year="all", settings=settings)
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
        One row per year × item: ``year, item_key, item_zh, value_zh`` (what the value measures,
        :data:`VALUE_LABELS`), ``value, target, unit, status`` (values in ``unit``; ratios in %). Years where an item cannot be computed have status 数据不足 and NaN.

    Notes
    -----
    The 教师 roster is one snapshot: rotation eligibility and 最美教师 of past years are read from
    it as it stands (teachers who left are not seen).
    """
    frames = []
    for y in ds.years:
        it = assurance_items(ds, year=y, settings=settings)
        it = it[it["item_key"].isin(items)]
        frames.append(it.assign(year=y)[["year", "item_key", "item_zh", "value", "target", "unit", "status"]])
    out = pd.concat(frames, ignore_index=True)
    out.insert(3, "value_zh", out["item_key"].map(VALUE_LABELS).fillna(out["item_zh"]))
    order = {k: i for i, k in enumerate(items)}
    out = out.sort_values(["item_key", "year"], key=lambda s: s.map(order) if s.name == "item_key" else s)
    return out.reset_index(drop=True)


# --- plots ---------------------------------------------------------------------------------------


def plot_trend(trend: pd.DataFrame, *, what: str = "passing_share", size: str = "wide"):
    """Chart of the county trend (:func:`indicator_trend` with ``level="county"``).

    Parameters
    ----------
    trend
        The county trend frame.
    what
        ``"passing_share"``: share of passing units per stage with the 100 % goal;
        ``"cv"``: one panel per stage with the CV of each indicator and the stage's limit.
    size
        A :data:`jxedu.present.style.FIGSIZE` key.

    Returns
    -------
    (matplotlib.figure.Figure, Axes or array of Axes)
    """
    from jxedu.analysis.indicators import KEYS, STAGES
    from jxedu.present import style as plotting

    years = sorted(trend["year"].unique())
    if what == "passing_share":
        fig, ax = plotting.new_figure(size=size, title="资源配置达标学校（学部）占比")
        for st in STAGES:
            d = trend[trend["stage"] == st]
            ax.plot(d["year"], 100 * d["passing_share"], marker="o", color=plotting.STAGE_COLORS[st],
                    label=LABELS[st])
        ax.axhline(100, color=plotting.THRESHOLD_COLOR, linestyle="--", linewidth=1, label="目标 100%")
        ax.set_ylabel("达标占比（%）")
        ax.set_ylim(0, 105)
        ax.set_xlabel("学年")
        ax.set_xticks(years)
        ax.legend(loc="lower right")
        return fig, ax
    if what == "cv":
        fig, axes = plotting.new_figure(ncols=len(STAGES), size=size, title="校际差异系数变化", sharey=True)
        axes = np.atleast_1d(axes)
        cmap = plotting.plt.get_cmap("tab10")
        for ax, st in zip(axes, STAGES):
            d = trend[trend["stage"] == st]
            for i, k in enumerate(KEYS):
                ax.plot(d["year"], d[f"cv_{k}"], marker=".", color=cmap(i), label=std.label(k, st))
            limit = std.threshold("cv_limit", st)
            ax.axhline(limit, color=plotting.THRESHOLD_COLOR, linestyle="--", linewidth=1)
            ax.text(years[0], limit, f" 上限 {limit:g}", va="bottom", fontsize="small")
            ax.set_title(LABELS[st])
            ax.set_xlabel("学年")
            ax.set_xticks(years)
        axes[0].set_ylabel("差异系数")
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize="small")
        return fig, axes
    raise ValueError(f"what must be 'passing_share' or 'cv', got {what!r}")


def plot_assurance_trend(
    trend: pd.DataFrame, *, items: list[str] | None = None, size: str | tuple[float, float] | None = None
):
    """Small multiples of :func:`assurance_trend`: one panel per item with its target line.

    Parameters
    ----------
    trend
        :func:`assurance_trend` output.
    items
        Item keys to draw (default: every item in ``trend``).
    size
        A :data:`jxedu.present.style.FIGSIZE` key or ``(width, height)`` in inches (default: 9 wide,
        2.6 per row of panels).

    Returns
    -------
    (matplotlib.figure.Figure, array of Axes)
    """
    from jxedu.present import style as plotting

    keys = list(items) if items is not None else list(dict.fromkeys(trend["item_key"]))
    ncols = min(3, len(keys))
    nrows = int(np.ceil(len(keys) / ncols))
    size = size if size is not None else (9.0, 2.6 * nrows)  # inches
    fig, axes = plotting.new_figure(nrows=nrows, ncols=ncols, size=size, title="保障程度与规划目标逐年变化")
    axes = np.atleast_1d(axes).ravel()
    years = sorted(trend["year"].unique())
    for ax, k in zip(axes, keys):
        d = trend[(trend["item_key"] == k) & (trend["status"] != STATUS_NO_DATA)]
        sel = trend.loc[trend["item_key"] == k]
        label = sel["value_zh"].iloc[0] if "value_zh" in sel else sel["item_zh"].iloc[0]
        ax.plot(d["year"], d["value"], marker="o", color=plotting.STAGE_COLORS["primary"])
        tgt = trend.loc[trend["item_key"] == k, "target"].dropna()
        if len(tgt):
            ax.axhline(float(tgt.iloc[-1]), color=plotting.THRESHOLD_COLOR, linestyle="--", linewidth=1)
        ax.set_title(label, fontsize="small")
        ax.set_xticks(years)
        ax.tick_params(axis="x", labelrotation=45, labelsize="x-small")
    for ax in axes[len(keys):]:
        ax.set_visible(False)
    return fig, axes
