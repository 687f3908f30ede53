"""What a planner sees of the resource indicators, the county balance and what closes the gaps.

Every function takes a *scope*: the county's :class:`~jxedu.analysis.assessment.Assessment` or a
:class:`~jxedu.analysis.assessment.TownshipView` of one 镇街 (``a.scope(township)``); the figures
of a 镇街 are the county-wide figures filtered to it. The county balance (差异系数) exists for the
whole county only: its functions take the assessment.

>>> import jxedu
>>> from jxedu.present import indicators as show
>>> a = jxedu.assess(jxedu.open_data(None))       # doctest: +SKIP
>>> show.failing_table(a.township("王丕街道"))       # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from jxedu.analysis.indicators import KEYS, SPECS, STAGES
from jxedu.core import standards as std
from jxedu.core import vocabulary as vocab
from jxedu.core.vocabulary import fmt
from jxedu.present import style
from jxedu.present.tables import Table, scope_columns, table

__all__ = [
    "action_texts",
    "balance_table",
    "cv_chart",
    "cv_fix_texts",
    "cv_fixes_table",
    "failing_table",
    "key_figures",
    "missed_texts",
    "passing_chart",
    "passing_table",
    "plan_table",
    "rules_table",
    "schools_table",
    "totals_table",
    "trend_chart",
]

#: What each indicator's shortfall needs, as an action (``{n}`` = the amount, formatted).
_ACTIONS: dict[str, str] = {
    "qualified_teachers_per_100": "补充高于规定学历的专任教师 {n} 人",
    "backbone_teachers_per_100": "新增县级以上骨干教师 {n} 人",
    "pe_art_teachers_per_100": "补充体育、艺术专任教师 {n} 人",
    "teaching_area_per_student": "增加教学及辅助用房 {n} ㎡",
    "sports_area_per_student": "增加体育运动场馆面积 {n} ㎡",
    "equipment_value_per_student": "增加教学仪器设备 {n} 元",
    "multimedia_rooms_per_100": "增加网络多媒体教室 {n} 间",
}


def _stage_word(stage: str) -> str:
    return vocab.word(stage)


# --- sentences ------------------------------------------------------------------------------------


def key_figures(scope) -> str:
    """The key figures as plain text: units and passing units per stage, and (county) the CVs.

    Parameters
    ----------
    scope
        The assessment (county) or a 镇街 view.

    Returns
    -------
    str
    """
    ind = scope.indicators
    lines = [f"{scope.year}学年 {scope.name} 资源配置指标"]
    for st in STAGES:
        sub = ind.loc[ind["stage"] == st]
        n, k = len(sub), int(sub["passes"].sum())
        share = fmt(k / n, "pct1") if n else vocab.MISSING
        lines.append(f"{_stage_word(st)}：参评 {n} 个，达标 {k} 个（{share}）")
    if scope.name != vocab.COUNTY:
        lines.append("差异系数是全县指标，见全县汇总。")
        return "\n".join(lines)
    bal = scope.balance
    for st in STAGES:
        b = bal.loc[bal["stage"] == st].set_index("key")
        lines.append(f"{_stage_word(st)}差异系数（上限 {fmt(std.threshold('cv_limit', st), 'dec2')}）：")
        for key in KEYS:
            cv = b["cv"].get(key, np.nan)
            mark = "" if pd.isna(cv) else (vocab.TICK if bool(b["within_limit"].get(key)) else f"{vocab.CROSS} 超过上限")
            lines.append(f"  {vocab.field(key).short}：{fmt(cv, 'dec3')} {mark}".rstrip())
    return "\n".join(lines)


def missed_texts(ind: pd.DataFrame) -> pd.Series:
    """Per unit, the indicators it misses: ``骨干教师 0.67/1（66.7%）；…`` (empty when none)."""
    out = []
    for _, r in ind.iterrows():
        parts = []
        for key in KEYS:
            if r[f"met_{key}"]:
                continue
            v, t = r[key], r[f"threshold_{key}"]
            name = vocab.field(key).short
            parts.append(f"{name} 缺数据" if pd.isna(v) else
                         f"{name} {fmt(v, 'dec2')}/{fmt(t, 'g')}（{fmt(v / t, 'pct1')}）")
        out.append("；".join(parts))
    return pd.Series(out, index=ind.index, dtype=object)


def action_texts(sf: pd.DataFrame) -> pd.Series:
    """The action that closes each shortfall (:func:`jxedu.analysis.shortfalls.shortfalls_from` rows)."""
    texts = []
    for r in sf.itertuples(index=False):
        if pd.isna(r.amount):
            texts.append("缺少办学条件数据，无法计算缺口")
            continue
        text = _ACTIONS[r.key].format(n=fmt(r.amount, "int"))
        if r.key == "equipment_value_per_student":
            text += f"（约 {fmt(r.amount / 10000, 'wan2')} 万元）"
        if r.shared and r.facility_share < 1 - 1e-12:
            text += f"（与其他学部按加权学生数分摊，学校层面需增加 {fmt(r.school_amount, 'int')} {r.unit}）"
        texts.append(text)
    return pd.Series(texts, index=sf.index, dtype=object)


def cv_fix_texts(fx: pd.DataFrame) -> pd.Series:
    """The single change of each CV fix (:func:`jxedu.analysis.shortfalls.cv_fixes_from` rows)."""
    goal = {"threshold": "达到标准值", "county_mean": "达到县域均值"}
    texts = []
    for r in fx.itertuples(index=False):
        split = bool(SPECS[r.key].shared) and r.school_amount != r.amount
        text = (f"{r.name}（{_stage_word(r.stage)}）{goal[r.target]}：{_ACTIONS[r.key].format(n=fmt(r.amount, 'int'))}"
                + (f"（与其他学部按加权学生数分摊，学校层面需增加 {fmt(r.school_amount, 'int')} {r.unit}）" if split else "")
                + f"，差异系数降至 {fmt(r.new_cv, 'dec3')}" + ("" if r.sufficient else "（单项不足以达标）"))
        texts.append(text)
    return pd.Series(texts, index=fx.index, dtype=object)


# --- tables ---------------------------------------------------------------------------------------


def rules_table(a) -> Table:
    """The rules behind the figures: the pass rule, the CV limits, the 教学点 cut and the split
    weights, each with its value and its source (standards table or setting)."""
    s = a.settings
    w = {k: std.threshold(k, st) for k, st in (("split_weight_nine_year", "junior"),
                                               ("split_weight_complete_middle", "senior"),
                                               ("split_weight_twelve_year", "senior"))}
    rows = [
        ("达标：7 项中至少达到的项数", f"{fmt(std.threshold('pass_min_indicators'), 'g')} 项",
         std.source("pass_min_indicators")),
        ("达标：未达到的项不低于标准的比例", vocab.threshold_value("pass_floor_ratio"), std.source("pass_floor_ratio")),
        ("小学校际差异系数上限", fmt(std.threshold("cv_limit", "primary"), "dec2"), std.source("cv_limit")),
        ("初中校际差异系数上限", fmt(std.threshold("cv_limit", "junior"), "dec2"), std.source("cv_limit")),
        ("教学点单独参评的在校生下限", f"{s.teaching_point_min_students} 人",
         "设置 teaching_point_min_students（待核实，默认 50）"),
        ("差异系数取整后再与上限比较", vocab.YES if s.cv_compare_rounded else vocab.NO,
         "设置 cv_compare_rounded（待核实，默认不取整）"),
        ("共用设施分摊权重（小学 : 初中 : 高中）",
         f"九年一贯制 1 : {fmt(w['split_weight_nine_year'], 'g')}；完全中学（初中 : 高中）1 : "
         f"{fmt(w['split_weight_complete_middle'], 'g')}；十二年一贯制 1 : 1.1 : {fmt(w['split_weight_twelve_year'], 'g')}",
         std.source("split_weight_nine_year")),
    ]
    frame = pd.DataFrame(rows, columns=["rule", "rule_value", "source"])
    return table(frame)



def balance_table(a) -> Table:
    """County mean and student-weighted CV of every indicator per stage, against the limit."""
    return table(a.balance, ["stage", "key", "threshold", "county_mean", "cv", "cv_limit", "within_limit", "units"],
                 caption=f"{a.year}学年 各项指标县域均值与校际差异系数",
                 notes=["差异系数按学生数加权计算，与上限比较时不取整。"])


def passing_table(scope) -> Table:
    """Units and passing units per 镇街 and stage (the county adds a 全县 row)."""
    return table(scope.passing, ["township", "stage", "units", "passing", "failing", "passing_share"])


def schools_table(scope, *, only_failing: bool = False) -> Table:
    """Every unit (school × 学段) with its seven values, the number met and whether it passes."""
    ind = scope.indicators
    if only_failing:
        ind = ind.loc[~ind["passes"]]
    return table(ind, scope_columns(scope, ["township", "name", "stage", *KEYS, "indicators_met", "passes"]), short=True,
                 empty="没有参评学校。" if not only_failing else "全部参评学校（学段）均达标。")


def failing_table(scope) -> Table:
    """The units that do not pass, with each missed indicator: value / standard (share of it)."""
    ind = scope.indicators
    f = ind.loc[~ind["passes"]]
    shown = f.assign(missed=missed_texts(f))
    return table(shown, scope_columns(scope, ["township", "name", "stage", "students", "indicators_met", "below_floor",
                                              "missed"]),
                 empty="全部参评学校（学段）均达标。")


def plan_table(scope) -> Table:
    """The least actions that make each failing unit pass (mandatory misses first)."""
    plan = scope.pass_plan
    shown = plan.assign(action=action_texts(plan))
    return table(shown, scope_columns(scope, ["township", "name", "stage", "key", "value", "threshold", "ratio",
                                              "under_floor", "action"]),
                 empty="全部参评学校（学段）均达标，无需整改。")


def totals_table(scope) -> Table:
    """What the least plans need, summed per 镇街 (the county adds a 全县 row): teachers, ㎡, 万元, rooms."""
    tot = scope.shortfall_totals
    shown = tot.assign(equipment_wan=tot["equipment_value"] / 10000)
    return table(shown, ["township", "units_to_fix", "qualified_teachers", "backbone_teachers", "pe_art_teachers",
                         "teaching_area", "sports_area", "equipment_wan", "multimedia_rooms"],
                 notes=["教师按学部相加；共用设施按学校计（取各学部所需的最大值）。"],
                 empty="全部参评学校（学段）均达标，无需整改。")


def cv_fixes_table(a) -> Table:
    """Single changes that bring a CV over (or near) its limit back under it (county only)."""
    fx = a.cv_fixes
    shown = fx.assign(action=cv_fix_texts(fx))
    return table(shown, ["stage", "key", "cv", "cv_limit", "township", "name", "action", "new_cv", "sufficient"],
                 empty="所有差异系数都明显低于上限（低于上限的 90%），无需单项措施。")


# --- charts ---------------------------------------------------------------------------------------


def cv_chart(a, *, size: str = "wide") -> Figure:
    """Bar chart of each indicator's CV per stage, with the limit line (county only)."""
    b = a.balance
    fig, axes = style.new_figure(ncols=len(STAGES), size=size, sharex=True, title=f"{a.year}学年 各指标校际差异系数")
    labels = [vocab.field(k).short for k in KEYS]
    for ax, st in zip(np.atleast_1d(axes), STAGES, strict=True):
        sb = b.loc[b["stage"] == st].set_index("key").reindex(list(KEYS))
        cv = sb["cv"].to_numpy(dtype=float)
        limit = std.threshold("cv_limit", st)
        within = [None if np.isnan(c) else bool(w) for c, w in zip(cv, sb["within_limit"].fillna(False), strict=True)]
        ax.barh(labels, np.nan_to_num(cv), color=style.status_colors(within))
        ax.axvline(limit, color=style.THRESHOLD_COLOR, linestyle="--", linewidth=1.2)
        ax.set_xlim(0, max(limit, float(np.nanmax(cv)) if np.isfinite(cv).any() else 0.0) * 1.18)
        for i, c in enumerate(cv):
            if not np.isnan(c):
                ax.text(c, i, f" {fmt(c, 'dec3')}", va="center", fontsize="small")
        ax.set_title(f"{_stage_word(st)}（上限 {fmt(limit, 'dec2')}）")
        ax.set_xlabel(vocab.field("cv").label)
        ax.invert_yaxis()
        ax.grid(True, axis="x", color="#DDDDDD", linewidth=0.8)
        ax.grid(False, axis="y")
    fig.legend(handles=style.legend_handles({"pass": style.STATUS_COLORS["pass"], "fail": style.STATUS_COLORS["fail"]},
                                            {"pass": "不超过上限", "fail": "超过上限"}),
               loc="outside lower center", ncols=2, frameon=False)
    return fig


def passing_chart(scope, *, size: str = "wide") -> Figure:
    """Share of passing units per 镇街 and stage (bars; the dashed line is 100 %)."""
    t = scope.passing
    t = t.loc[t["township"] != vocab.COUNTY]
    names = list(dict.fromkeys(t["township"]))
    fig, ax = style.new_figure(size=size, title=f"{scope.year}学年 各镇街达标学校占比")
    width = 0.8 / len(STAGES)
    x = np.arange(len(names))
    for i, st in enumerate(STAGES):
        share = t.loc[t["stage"] == st].set_index("township")["passing_share"].reindex(names)
        ax.bar(x + (i - (len(STAGES) - 1) / 2) * width, share.to_numpy(dtype=float) * 100, width,
               color=style.STAGE_COLORS[st], label=_stage_word(st))
    ax.set_xticks(x, names, rotation=45 if len(names) > 4 else 0, ha="right" if len(names) > 4 else "center")
    ax.set_ylabel(vocab.header("passing_share"))
    ax.set_ylim(0, 118)
    ax.axhline(100, color=style.THRESHOLD_COLOR, linestyle="--", linewidth=1)
    ax.legend(frameon=False, ncols=len(STAGES), loc="upper right")
    return fig


def trend_chart(a, *, what: str = "passing_share", size: str = "wide") -> Figure:
    """The county's trend over every year of the data (county only).

    Parameters
    ----------
    a
        The assessment (its ``indicator_trend``).
    what
        ``"passing_share"``: share of passing units per stage with the 100 % goal; ``"cv"``: one panel
        per stage with the CV of each indicator and the stage's limit.
    size
        A :data:`jxedu.present.style.FIGSIZE` key.

    Returns
    -------
    matplotlib.figure.Figure
    """
    trend = a.indicator_trend
    years = sorted(trend["year"].unique())
    if what == "passing_share":
        fig, ax = style.new_figure(size=size, title="资源配置达标学校（学段）占比")
        for st in STAGES:
            d = trend[trend["stage"] == st]
            ax.plot(d["year"], 100 * d["passing_share"], marker="o", color=style.STAGE_COLORS[st],
                    label=_stage_word(st))
        ax.axhline(100, color=style.THRESHOLD_COLOR, linestyle="--", linewidth=1, label="目标 100%")
        ax.set_ylabel(vocab.header("passing_share"))
        ax.set_ylim(0, 105)
        ax.set_xlabel(vocab.field("year").label)
        ax.set_xticks(years)
        ax.legend(loc="lower right")
        return fig
    if what == "cv":
        fig, axes = style.new_figure(ncols=len(STAGES), size=size, title="校际差异系数变化", sharey=True)
        axes = np.atleast_1d(axes)
        cmap = style.plt.get_cmap("tab10")
        for ax, st in zip(axes, STAGES, strict=True):
            d = trend[trend["stage"] == st]
            for i, k in enumerate(KEYS):
                ax.plot(d["year"], d[f"cv_{k}"], marker=".", color=cmap(i), label=vocab.field(k).short)
            limit = std.threshold("cv_limit", st)
            ax.axhline(limit, color=style.THRESHOLD_COLOR, linestyle="--", linewidth=1)
            ax.text(years[0], limit, f" 上限 {fmt(limit, 'dec2')}", va="bottom", fontsize="small")
            ax.set_title(_stage_word(st))
            ax.set_xlabel(vocab.field("year").label)
            ax.set_xticks(years)
        axes[0].set_ylabel(vocab.field("cv").label)
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=4, fontsize="small")
        return fig
    raise ValueError(f"what must be 'passing_share' or 'cv', got {what!r}")


def roster_check_table(scope, *, only_differing: bool = True) -> Table:
    """The 部 whose typed 高于规定学历 or 骨干 counts differ from the 教师 roster (or every 部 compared).

    Parameters
    ----------
    scope
        An assessment or a 镇街 view.
    only_differing
        Only the 部 where a count differs (default), else every 部 with teachers on the roster.

    Returns
    -------
    Table
        A note instead of rows when there is no roster, or none of the year.
    """
    a = getattr(scope, "assessment", scope)
    caption = f"学段统计填报数与教师名册核对（{scope.name}，{a.year}学年）"
    why = a.missing("roster_check")
    if why is not None:
        return Table(pd.DataFrame(), caption=caption, notes=[why + "：无法核对高于规定学历和骨干教师人数。"])
    check = scope.roster_check
    rule = ("高于规定学历：小学专任教师最高学历专科及以上、初中本科及以上；骨干：骨干级别县级及以上。"
            "资源配置指标按学段统计的填报数计算，请核实不一致的学部。")
    if check.empty and not len(a.roster_check):
        return Table(pd.DataFrame(), caption=caption,
                     notes=[f"教师表没有{a.year}学年的名册（名册为最新一期时只核对最新学年），未核对。"])
    shown = check.loc[check["differs"]] if only_differing else check
    notes = [rule, f"核对 {len(check)} 个学部，{int(check['differs'].sum())} 个不一致。"]
    return table(shown.reset_index(drop=True),
                 ["township", "name", "stage", "students", "qualified_teachers", "roster_qualified",
                  "qualified_per_100", "roster_qualified_per_100", "backbone_teachers", "roster_backbone"],
                 caption=caption, notes=notes, empty="各学部填报的高于规定学历、骨干教师人数与教师名册一致。")
