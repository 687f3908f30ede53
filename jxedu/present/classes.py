"""Class sizes, enrolment projection and classrooms as a planner reads them: tables, charts, sentences.

Every function takes an :class:`~jxedu.analysis.assessment.Assessment` (the county) or a
:class:`~jxedu.analysis.assessment.TownshipView` (``scope = a.scope(township)``) and reads what the
assessment computed once. The projection is made for the whole county (pupils move between 镇街 and
toward the county seat); a 镇街 sees the rows of its schools, so its figures add up to the county's.
The caps, bands and the projection horizon are printed from the standards table and the settings.

>>> import jxedu
>>> from jxedu.present import classes
>>> a = jxedu.assess(jxedu.open_data(None))                  # doctest: +SKIP
>>> print(classes.key_figures(a.scope("金乡街道")))          # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from jxedu.analysis import classsize, projection
from jxedu.analysis.assessment import assessment_of, township_of
from jxedu.core import vocabulary as vocab
from jxedu.core.errors import DataError
from jxedu.core.schema import COMPULSORY_STAGES, LABELS
from jxedu.present import style
from jxedu.present.tables import Table, table
from jxedu.present.text import Note

__all__ = [
    "band_note",
    "classes_needed_table",
    "horizon",
    "key_figure_lines",
    "key_figures",
    "oversize_table",
    "projection_chart",
    "projection_figure_lines",
    "projection_figures",
    "projection_note",
    "projection_table",
    "rates_table",
    "rules_note",
    "shortfall_table",
    "size_histogram",
    "township_needs_table",
    "township_table",
    "trend_chart",
    "trend_table",
    "variants_table",
]

#: Code of the base year's actual enrolment in :func:`projection_table` (word kind ``variant``).
ACTUAL = "actual"
#: Line style of each variant of the default settings in the projection chart (others: dash-dot).
VARIANT_STYLES: dict[str, str] = {"low": ":", "central": "-", "high": "--"}


# --- scope helpers -----------------------------------------------------------------------------


def _unavailable(scope, measure: str) -> str | None:
    return assessment_of(scope).missing(measure)


def _empty_table(caption: str, note: str) -> Table:
    return Table(pd.DataFrame(), caption=caption, notes=[note])


def _own_rows(scope, frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a frame with 全县 rows that belong to the scope: 全县's for the county (a view
    has its own rows only already)."""
    return frame[frame["township"] == scope.name]


def _int(v) -> str:
    return vocab.fmt(v, "int")


def _cap(stage: str) -> int:
    return classsize.stage_cap(stage)


def _variant(v: str) -> str:
    return vocab.word(v, "variant")


# --- rules -------------------------------------------------------------------------------------


def band_note() -> str:
    """The MOE class-size bands with their limits from the standards table (one sentence)."""
    parts = []
    for band, (lo, hi) in classsize.band_limits().items():
        name = vocab.word(band, "class_band")
        if lo is None:
            parts.append(f"{name} {hi} 人及以下")
        elif hi is None:
            parts.append(f"{name} {lo} 人及以上")
        else:
            parts.append(f"{name} {lo}–{hi} 人")
    return "班额分级（教育部）：" + "，".join(parts) + "。"


def _cap_text() -> str:
    return "、".join(f"{LABELS[st]} {_cap(st)} 人" for st in COMPULSORY_STAGES)


def rules_note(scope) -> Note:
    """The class-size rules with their numbers from the standards table (Markdown list)."""
    lines = [
        f"- **班额上限**：{_cap_text()}（教督〔2017〕6号 政府保障程度第5项）；超过上限的班级为超标班额。",
        f"- {band_note()}分级对小学、初中相同，所以初中 {classsize.band_limits()['large'][0]}–{_cap('junior')} "
        "人的班级属于偏大班额，但没有超过初中的上限。",
        "- 只统计小学、初中的班级（一贯制学校、完全中学的高中班级不计）。",
        "- **按上限需要的班级数** = 向上取整（某年级学生数 ÷ 班额上限），与现有班级数比较；班级不跨年级。",
    ]
    if township_of(scope) is not None:
        lines.append(f"- **{scope.name}**：数字为全县结果中本镇街的学校，与全县表中该镇街的一行相同。")
    return Note("\n".join(lines))


# --- class sizes of the year -------------------------------------------------------------------


def key_figure_lines(scope) -> list[str]:
    """The year's class-size figures per stage as plain sentences (the first names year and scope)."""
    a = assessment_of(scope)
    why = _unavailable(scope, "class_sizes")
    if why is not None:
        return [f"{a.year}学年班额（{scope.name}）：{why}"]
    s = _own_rows(scope, scope.class_sizes).set_index("stage")
    lines = [f"{a.year}学年班额（{scope.name}）"]
    for st in COMPULSORY_STAGES:
        if st not in s.index:
            lines.append(f"{LABELS[st]}：没有班级")
            continue
        r = s.loc[st]
        lines.append(
            f"{LABELS[st]}：{_int(r['classes'])} 个班，平均班额 {vocab.fmt(r['class_size'], 'dec1')} 人，"
            f"超过 {_cap(st)} 人的班级 {_int(r['over_cap'])} 个；其中大班额 {_int(r['band_big'])} 个，"
            f"超大班额 {_int(r['band_super'])} 个")
    return lines


def key_figures(scope) -> Note:
    """:func:`key_figure_lines` as a short Markdown list."""
    head, *rest = key_figure_lines(scope)
    return Note("\n".join([head, "", *(f"- {line}" for line in rest)]))


_SUMMARY_COLUMNS = ["stage", "classes", "students", "class_size", "max_class_size", "over_cap", "over_cap_share",
                    *classsize.BAND_COLUMNS.values()]


def township_table(scope) -> Table:
    """Class sizes of the year per 镇街 and stage (the county: every 镇街 and 全县)."""
    caption = f"{assessment_of(scope).year}学年各镇街班额（{scope.name}）"
    why = _unavailable(scope, "class_sizes")
    if why is not None:
        return _empty_table(caption, why)
    return table(scope.class_sizes, ["township", *_SUMMARY_COLUMNS], short=True, caption=caption,
                 notes=[f"班额上限：{_cap_text()}。", band_note()])


def size_histogram(scope) -> Figure | Note:
    """Histogram of the year's class sizes per stage with the cap and the 大班额 limits marked."""
    why = _unavailable(scope, "class_records")
    if why is not None:
        return Note(why)
    c = scope.class_records
    year = assessment_of(scope).year
    fig, axes = style.new_figure(ncols=2, size="wide", title=f"{year}学年班额分布（{scope.name}）", sharey=True)
    hi = int(max(c["class_pupils"].max() if len(c) else 0, 70)) + 2
    bins = np.arange(0, hi + 1, 2)
    limits = classsize.band_limits()
    for ax, st in zip(np.atleast_1d(axes), COMPULSORY_STAGES, strict=True):
        s = c.loc[c["stage"] == st, "class_pupils"]
        cap = _cap(st)
        ax.hist(s, bins=bins, color=style.STAGE_COLORS[st], alpha=0.85)
        ax.axvline(cap + 0.5, color=style.STATUS_COLORS["fail"], linestyle="--", linewidth=1.5,
                   label=f"{vocab.field('class_cap').label} {cap} 人")
        for band in ("big", "super"):
            ax.axvline(limits[band][0] - 0.5, color=style.THRESHOLD_COLOR, linestyle=":", linewidth=1,
                       label=f"{vocab.word(band, 'class_band')} ≥ {limits[band][0]} 人")
        ax.set_title(f"{LABELS[st]}：{_int(len(s))} 个班，超标 {_int(int((s > cap).sum()))} 个")
        ax.set_xlabel(vocab.header("class_pupils"))
        ax.legend(fontsize=8, loc="upper left")
    np.atleast_1d(axes)[0].set_ylabel("班级数（个）")
    return fig


# --- every year --------------------------------------------------------------------------------


def _trend(scope) -> pd.DataFrame:
    return _own_rows(scope, scope.class_trend)


def trend_table(scope) -> Table:
    """Classes, over-cap classes and bands per year and stage since the trend's first year."""
    caption = f"{classsize.TREND_SINCE}年以来的班额变化（{scope.name}）"
    why = _unavailable(scope, "class_trend")
    if why is not None:
        return _empty_table(caption, why)
    return table(_trend(scope), ["year", *_SUMMARY_COLUMNS], short=True, caption=caption, notes=[band_note()])


def trend_chart(scope) -> Figure | Note:
    """Lines of over-cap classes and of 大班额 and above per year and stage."""
    why = _unavailable(scope, "class_trend")
    if why is not None:
        return Note(why)
    t = _trend(scope)
    fig, ax = style.new_figure(size="a4", title=f"超标班额变化（{scope.name}）")
    big = classsize.band_limits()["big"][0]
    for st in COMPULSORY_STAGES:
        s = t[t["stage"] == st]
        if s.empty:
            continue
        col = style.STAGE_COLORS[st]
        ax.plot(s["year"], s["over_cap"], marker="o", color=col, label=f"{LABELS[st]}超标班级（>{_cap(st)}人）")
        ax.plot(s["year"], s["band_big"] + s["band_super"], marker="s", linestyle="--", color=col,
                label=f"{LABELS[st]}大班额及以上（≥{big}人）")
    ax.set_xlabel(vocab.header("year"))
    ax.set_ylabel("班级数（个）")
    years = sorted(t["year"].unique())
    ax.set_xticks(years, [str(int(v)) for v in years])
    ax.legend(fontsize=8)
    return fig


def oversize_table(scope, *, max_rows: int | None = None) -> Table:
    """Schools with classes over the cap, most first."""
    caption = f"{assessment_of(scope).year}学年有超标班额的学校（{scope.name}）"
    why = _unavailable(scope, "oversize_schools")
    if why is not None:
        return _empty_table(caption, why)
    return table(scope.oversize_schools, ["township", "school_name", "urban_rural", "classes", "over_cap",
                                          "over_cap_share", "max_class_size", "band_big", "band_super"],
                 short=True, caption=caption, max_rows=max_rows, rest="完整名单见台账",
                 empty=f"本学年没有超过班额上限（{_cap_text()}）的班级。")


def classes_needed_table(scope) -> Table:
    """School grades that need more classes to keep every class within the cap."""
    caption = f"{assessment_of(scope).year}学年按班额上限需要增加班级的年级（{scope.name}）"
    why = _unavailable(scope, "classes_needed")
    if why is not None:
        return _empty_table(caption, why)
    n = scope.classes_needed
    n = n[n["extra_classes"] > 0]
    return table(n, ["township", "school_name", "stage", "grade", "students", "classes_held", "class_cap",
                     "classes_needed", "extra_classes"], short=True, caption=caption,
                 empty="每个年级的现有班级数都够用。",
                 notes=["所需班级 = 向上取整（该年级学生数 ÷ 班额上限）。"])


# --- projection --------------------------------------------------------------------------------


def horizon(scope) -> int:
    """The last projected school year (the ``projection_to_year`` setting)."""
    return int(assessment_of(scope).settings.projection_to_year)


def _central(scope) -> str:
    return projection.central_variant(assessment_of(scope).settings.projection_variants)


def projection_note(scope) -> Note:
    """How the projection is made, with its horizon and numbers from the settings (Markdown)."""
    a = assessment_of(scope)
    s = a.settings
    mins = "、".join(f"{LABELS[st]} {s.new_school_min_classes[st]} 个班" for st in COMPULSORY_STAGES)
    lines = [
        f"- **预测到 {horizon(scope)} 年**（设置 `projection_to_year`），起点为班级表的最新学年。",
        f"- **年级递进法**：用最近 {projection.PROGRESSION_PAIRS} 对相邻学年各镇街的年级人数估计升级比例"
        "（某年级人数 ÷ 上一年低一年级人数）；用村居分年龄人口估计一年级入学率"
        f"（一年级人数 ÷ {projection.ENTRY_AGE} 岁人口，最近 {projection.ENTRY_YEARS} 年合计），"
        "把现有学生逐年升级、新生按人口入学，再按各校现在占镇街该年级的比例分到学校。",
        f"- **教室**：现有教室取各校近 {projection.AVAILABLE_YEARS} 年中班级数最多的一年（数据中没有教室数一项）；"
        f"所需班级按班额上限（{_cap_text()}）计算。镇街净缺口 = 缺教室学校的缺口 − 同镇街其他学校的富余教室；"
        f"净缺口达到一所新学校的规模（{mins}，设置 `new_school_min_classes`）时提示需新建学校。",
        "- 方案是规划假设，不是标准；可在设置文件的 `projection_variants` 项中调整。",
    ]
    if township_of(scope) is not None:
        lines.append(f"- **{scope.name}**：预测按全县计算（学生会跨镇街流动、向县城集中），此处为全县结果中本镇街的学校；"
                     "各镇街分别四舍五入到人，相加与全县可能差几人。")
    return Note("\n".join(lines))


def variants_table(scope) -> Table:
    """The projection variants of the settings: entry factor and yearly shift to the county seat."""
    v = assessment_of(scope).settings.projection_variants
    rows = pd.DataFrame([{"variant": k, "entry_factor": p["entry_factor"], "urban_shift": p["urban_shift"]}
                         for k, p in v.items()])
    return table(rows, ["variant", "entry_factor", "urban_shift"], words={"variant": "variant"},
                 caption=f"预测方案（预测到 {horizon(scope)} 年）",
                 notes=["入学人数系数乘以每年的一年级新生人数；转入城区比例为每年乡村学校学生转入城区学校的比例。"])


def rates_table(scope) -> Table:
    """Entry rate and progression ratios per 镇街 (the ratios carry repetition and migration)."""
    caption = f"各镇街入学率与升级比例（{scope.name}）"
    why = _unavailable(scope, "projection_rates")
    if why is not None:
        return _empty_table(caption, why)
    grades = [f"progression_{g}" for g in projection.GRADES[1:]]
    return table(scope.progression_rates, ["township", "entry_rate", *grades], caption=caption,
                 notes=[f"入学率 = 一年级人数 ÷ {projection.ENTRY_AGE} 岁人口；各年级列为升级比例 = 该年级人数 ÷ "
                        "上一年低一年级人数（大于 1 表示有学生转入，七年级为 0 表示本镇街没有初中）。"
                        "没有人口数据的镇街入学率为 —，新生人数沿用起点学年。"])


def _totals(proj: pd.DataFrame) -> pd.DataFrame:
    return projection.projection_summary(proj)


def projection_table(scope) -> Table:
    """Projected 在校生 per year and variant, after the base year's actual 在校生."""
    caption = f"在校生预测（{scope.name}，到 {horizon(scope)} 年）"
    why = _unavailable(scope, "projections")
    if why is not None:
        return _empty_table(caption, why)
    totals = {v: _totals(p) for v, p in scope.projections.items()}
    first = next(iter(scope.projections.values()))
    base = int(first.attrs["base_year"])
    if totals[next(iter(totals))].empty:
        return _empty_table(caption, f"{scope.name}没有学校的预测结果。")
    rows = [{"year": base, "variant": ACTUAL, **totals[next(iter(totals))].loc[base].to_dict()}]
    years = sorted(y for y in totals[next(iter(totals))].index if y > base)
    rows += [{"year": y, "variant": v, **t.loc[y].to_dict()} for y in years for v, t in totals.items()]
    df = pd.DataFrame(rows).rename(columns={"primary": "students_primary", "junior": "students_junior",
                                            "total": "students"})
    return table(df, ["year", "variant", "students_primary", "students_junior", "students"],
                 words={"variant": "variant"}, caption=caption,
                 notes=[f"{base}年为起点学年的实际在校生（班级表）；预测值为期望人数，四舍五入到人。"])


def projection_figure_lines(scope, *, year: int | None = None) -> list[str]:
    """Projected 在校生 and classroom shortfall in ``year`` (default the horizon) per variant.

    Parameters
    ----------
    scope
        An assessment or a 镇街 view of one.
    year
        A projected school year (default :func:`horizon`).

    Returns
    -------
    list of str
        One sentence per variant of the settings (the first line names the year and scope).
    """
    y = horizon(scope) if year is None else int(year)
    why = _unavailable(scope, "projections")
    if why is not None:
        return [f"{y}年在校生预测（{scope.name}）：{why}"]
    lines = [f"{y}年在校生与教室预测（{scope.name}）"]
    for v, proj in scope.projections.items():
        s = _totals(proj)
        if s.empty:
            return [lines[0], f"{scope.name}没有学校的预测结果。"]
        if y not in s.index:
            raise DataError(f"预测结果中没有该学年 (unknown_year): {y}")
        base = int(proj.attrs.get("base_year", s.index.min()))
        needs = scope.classroom_needs[v]
        short = needs[needs["year"] == y].groupby("stage")["classroom_shortfall"].sum()
        lines.append(
            f"{_variant(v)}：小学 {_int(s.loc[y, 'primary'])} 人，初中 {_int(s.loc[y, 'junior'])} 人，"
            f"合计 {_int(s.loc[y, 'total'])} 人（{base}年 {_int(s.loc[base, 'total'])} 人）；"
            f"教室缺口 小学 {_int(short.get('primary', 0))} 间，初中 {_int(short.get('junior', 0))} 间")
    return lines


def projection_figures(scope, *, year: int | None = None) -> Note:
    """:func:`projection_figure_lines` as a short Markdown list."""
    head, *rest = projection_figure_lines(scope, year=year)
    return Note("\n".join([head, "", *(f"- {line}" for line in rest)]))


def projection_chart(scope, *, title: str | None = None) -> Figure | Note:
    """在校生 per stage: the history of the 班级 table and each variant's projection.

    Parameters
    ----------
    scope
        An assessment or a 镇街 view of one (its schools' rows of the county-wide projection).
    title
        Chart title (default names the scope and the horizon).
    """
    why = _unavailable(scope, "projections")
    if why is not None:
        return Note(why)
    fig, ax = style.new_figure(size="a4", title=title or f"义务教育在校生：实际与预测（{scope.name}）")
    history = scope.enrolment_history
    history = history.assign(stage=np.where(history["grade"] <= 6, "primary", "junior"))
    for st in COMPULSORY_STAGES:
        col = style.STAGE_COLORS[st]
        h = history[history["stage"] == st].groupby("year")["students"].sum()
        ax.plot(h.index, h.to_numpy(), color=col, marker="o", label=f"{LABELS[st]}（实际）")
        for v, proj in scope.projections.items():
            s = _totals(proj)
            s = s[s.index >= proj.attrs.get("base_year", s.index.min())]
            ax.plot(s.index, s[st], color=col, linestyle=VARIANT_STYLES.get(v, "-."),
                    label=f"{LABELS[st]}（{_variant(v)}）")
    ax.set_xlabel(vocab.header("year"))
    ax.set_ylabel(vocab.header("students"))
    ax.legend(fontsize=7, ncol=2)
    return fig


_NEEDS_COLUMNS = ["students", "classes_needed", "classrooms_available", "classroom_shortfall", "spare_classrooms"]


def township_needs_table(scope, *, year: int | None = None, variant: str | None = None) -> Table:
    """Per 镇街 and stage in ``year`` (default the horizon): classrooms needed, available, the net
    shortfall after spare rooms, and whether a new school is called for."""
    y = horizon(scope) if year is None else int(year)
    v = _central(scope) if variant is None else variant
    caption = f"{y}年各镇街教室需求（{_variant(v)}，{scope.name}）"
    why = _unavailable(scope, "township_needs")
    if why is not None:
        return _empty_table(caption, why)
    t = scope.township_needs[v]
    return table(t[t["year"] == y], ["township", "stage", *_NEEDS_COLUMNS, "schools_short",
                                     "net_classroom_shortfall", "new_school"], short=True, caption=caption)


def shortfall_table(scope, *, year: int | None = None, variant: str | None = None) -> Table:
    """Schools short of classrooms in ``year`` (default the horizon), largest shortfall first."""
    y = horizon(scope) if year is None else int(year)
    v = _central(scope) if variant is None else variant
    caption = f"{y}年缺教室的学校（{_variant(v)}，{scope.name}）"
    why = _unavailable(scope, "classroom_needs")
    if why is not None:
        return _empty_table(caption, why)
    n = scope.classroom_needs[v]
    n = n[(n["year"] == y) & (n["classroom_shortfall"] > 0)].sort_values(
        ["classroom_shortfall", "school_id"], ascending=[False, True])
    return table(n, ["township", "school_name", "urban_rural", "stage", *_NEEDS_COLUMNS], short=True,
                 caption=caption, empty="没有缺教室的学校。")
