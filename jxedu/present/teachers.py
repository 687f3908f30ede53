"""Teacher rotation (交流轮岗), training and honours as a planner reads them: tables, charts, sentences
and the rotation flow map.

Every function takes an :class:`~jxedu.analysis.assessment.Assessment` (the county) or a
:class:`~jxedu.analysis.assessment.TownshipView` (``scope = a.scope(township)``) and reads the
measures the assessment computed once (``a.rotations``, ``a.rotation_by_township`` …). A 镇街 sees
the county-wide figures filtered to it: rotations its schools sent or received. The county plan's
yearly target (when its 规划目标 table sets one) and the 10 % / 20 % ratios are county targets: a 镇街
view shows its contribution (派出 n 人 …), never a verdict on them.

>>> import jxedu
>>> from jxedu.present import teachers
>>> a = jxedu.assess(jxedu.open_data(None))                  # doctest: +SKIP
>>> print(teachers.key_figures(a))                           # doctest: +SKIP
>>> teachers.township_table(a.scope("金乡街道"))             # doctest: +SKIP
"""

from __future__ import annotations

import math
import re

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.template import Template
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from jxedu.analysis import rotation
from jxedu.analysis.assessment import Assessment, TownshipView, assessment_of, township_of
from jxedu.core import roster
from jxedu.core import standards as std
from jxedu.core import vocabulary as vocab
from jxedu.core.coords import wgs84_to_gcj02
from jxedu.core.county import PLAN_HONOURS, PLAN_PE_ART, PLAN_ROTATIONS
from jxedu.core.errors import DataError
from jxedu.present import escape, maps, style
from jxedu.present.tables import Table, table
from jxedu.present.text import Note

__all__ = [
    "AREA_COLORS",
    "direction_chart",
    "direction_table",
    "flow_map",
    "gap_summary",
    "gap_table",
    "honours_table",
    "key_figure_lines",
    "key_figures",
    "pe_art_table",
    "plan_figures",
    "plan_table",
    "rules_note",
    "school_table",
    "township_table",
    "training_table",
    "trend_chart",
    "trend_table",
]

#: One colour per 城乡分类 code (charts and the flow map).
AREA_COLORS: dict[str, str] = {"urban": "#C44E52", "town": "#DD8452", "rural": "#55A868"}
#: Ring colour of a weak receiving school on the flow map.
WEAK_COLOR = "#C62828"
#: Line colours of the flow map: rotations toward the county plan's target, and the others.
FLOW_COLORS: dict[str, str] = {"target": "#2F4B7C", "other": "#9E9E9E"}

_COUNTY_NOTE = "{target}交流比例（{share}）、骨干占比（{backbone}）是全县指标，见全县版本；此处为本镇街的贡献。"


# --- scope helpers -----------------------------------------------------------------------------


def _unavailable(scope, measure: str) -> str | None:
    """Why a measure cannot be computed (Chinese), or ``None``."""
    return assessment_of(scope).missing(measure)


def _empty_table(caption: str, note: str) -> Table:
    return Table(pd.DataFrame(), caption=caption, notes=[note])


def _int(v) -> str:
    return vocab.fmt(v, "int")


def _pct(v) -> str:
    return vocab.fmt(v, "pct1")


def _verdict(flag: bool) -> str:
    return f"{vocab.TICK} 达标" if flag else f"{vocab.CROSS} 未达标"


def _rotation_target(scope):
    """The county plan's rotation target (``None`` when the county set none)."""
    return assessment_of(scope).plan_target(PLAN_ROTATIONS)


def _target_text(t) -> str:
    """``年均 ≥ 400 人（某政办字〔2024〕20号）`` — the plan's rotation target as the rules cite it."""
    return f"年均 {vocab.plan_text(t)}" + (f"（{t.document}）" if t.document else "")


def _county_note(scope) -> str:
    t = _rotation_target(scope)
    return _COUNTY_NOTE.format(target=f"县规划目标（{_target_text(t)}）和" if t is not None else "",
                               share=vocab.threshold_text("rotation_share_of_eligible"),
                               backbone=vocab.threshold_text("backbone_share_of_rotated"))


def _markdown(scope, text: str) -> str:
    """A line of a Markdown note with the plan's 文号 (data, free text) escaped for Markdown."""
    t = _rotation_target(scope)
    return text.replace(t.document, escape.markdown_text(t.document)) if t is not None and t.document else text


def _moves_text(settings) -> str:
    """Which rotations count toward the plan's target (setting ``rotation_target_moves``)."""
    return ("全部义务教育学段交流" if settings.rotation_target_moves == "all"
            else "城镇学校到乡村或薄弱学校的交流")


def _year_row(frame: pd.DataFrame, year: int) -> pd.Series | None:
    rows = frame[frame["year"] == year]
    return None if rows.empty else rows.iloc[0]


# --- rules and key figures ---------------------------------------------------------------------


def rules_note(scope) -> Note:
    """The rules of this topic with their numbers from the settings and the standards table.

    Parameters
    ----------
    scope
        An assessment or a 镇街 view of one.

    Returns
    -------
    Note
        Markdown: eligibility (years at the school, retirement ages, years before retirement),
        the county plan's target, the two ratios, the PE/art and backbone standards, training.
    """
    a = assessment_of(scope)
    s = a.settings
    ages = s.retirement_age
    t = vocab.threshold_text
    target, pe, honours = _rotation_target(scope), a.plan_target(PLAN_PE_ART), a.plan_target(PLAN_HONOURS)
    lines = [
        f"- **符合交流条件**：在本校连续任教满 {s.rotation_min_years} 年（学年 − 本校任教起始年份 ≥ "
        f"{s.rotation_min_years}），且距法定退休年龄（男 {ages.get('male', 60)} 岁、女 {ages.get('female', 55)} 岁；"
        f"性别不详按男性）超过 {s.rotation_exclude_years_to_retirement} 年；只计小学、初中教师，交流人数也只计小学、"
        "初中教师的交流。"
        + ("教师表按学年分期填报，各学年按当年名册计算。" if roster.is_dated(a.ds.teachers)
           else "教师名册是最新一期的快照，往年的人数按这份名册推算。"),
    ]
    if target is not None:
        first = f"{target.start}学年" if target.start is not None else "交流轮岗表的第一个学年"
        lines.append(
            f"- **县规划目标**：交流轮岗教师{_target_text(target)}；计入{_moves_text(s)}（设置 rotation_target_moves），"
            f"按当年人数和自{first}以来的年均人数分别比较，以"
            f"{'年均' if s.rotation_target_basis == 'average' else '当年'}人数判断是否达标（设置 rotation_target_basis）；"
            "城区、镇区学校向乡村学校和薄弱学校（资源配置指标未达标的学校）的交流人数并列显示。")
    else:
        lines.append("- **县规划目标**：数据中没有“规划目标”表（或未设交流轮岗人数），只按国家标准判断。")
    lines += [
        f"- **国家标准**：交流轮岗教师占符合交流条件教师的比例 {t('rotation_share_of_eligible')}，"
        f"骨干教师占交流轮岗教师的比例 {t('backbone_share_of_rotated')}"
        f"（{std.rule('rotation_share_of_eligible')['source']}）。",
        f"- **接收学校的缺口**：每百名学生体育艺术教师 {_by_stage('pe_art_teachers_per_100')}、"
        f"骨干教师 {_by_stage('backbone_teachers_per_100')}"
        + (f"；县规划目标要求每所学校每百名学生体育艺术教师 {vocab.plan_text(pe)}。" if pe is not None else "。"),
        f"- **培训与表彰**：五年培训学时 {t('training_hours_required')}，完成率 {t('training_completion')}"
        + (f"；每年评选“最美教师”{vocab.plan_text(honours)}（县规划目标）。" if honours is not None else "。"),
    ]
    if township_of(scope) is not None:
        lines.append(f"- **{escape.markdown_text(scope.name)}**：交流轮岗由全县统筹，数字按全县计算；表中只列与本镇街有关的交流"
                     "（派出或接收学校在本镇街）。" + _county_note(scope))
    return Note(_markdown(scope, "\n".join(lines)))


def key_figure_lines(scope) -> list[str]:
    """The year's key rotation figures as plain sentences (the first names the year and scope).

    Parameters
    ----------
    scope
        The county (with the verdicts on the target and the ratios) or a 镇街 view (what it sent
        and received, no verdict).

    Returns
    -------
    list of str
    """
    a = assessment_of(scope)
    why = _unavailable(scope, "rotation_by_township")
    if why is not None:
        return [f"{a.year}学年交流轮岗（{scope.name}）：{why}"]
    r = _year_row(a.rotation_summary, a.year)
    if r is None:
        return [f"{a.year}学年交流轮岗（{scope.name}）：交流轮岗表中没有本学年的记录。"]
    if township_of(scope) is not None:
        return _township_lines(scope)
    t = vocab.threshold_text
    return [
        f"{a.year}学年交流轮岗（{scope.name}）",
        f"交流轮岗教师 {_int(r['rotated'])} 人，其中城镇学校到乡村或薄弱学校 {_int(r['toward_target'])} 人"
        + _target_line(a),
        f"符合交流条件的教师 {_int(r['eligible'])} 人，交流比例 {_pct(r['rotation_share'])}"
        f"（要求 {t('rotation_share_of_eligible')}）：{_verdict(bool(r['meets_rotation_share']))}",
        f"交流的骨干教师 {_int(r['backbone_rotated'])} 人，占交流教师 {_pct(r['backbone_share'])}"
        f"（要求 {t('backbone_share_of_rotated')}）：{_verdict(bool(r['meets_backbone_share']))}",
    ]


def _target_line(a: Assessment) -> str:
    """``；县规划目标 年均 ≥ 400 人：2024–2026学年年均 425 人、本学年 442 人，✓ 达标`` (empty without a
    target, or without rotations in the year)."""
    p = a.rotation_ratios.get("plan") if a.missing("rotation_ratios") is None else None
    if p is None:
        return ""
    years = p["average_years"]
    span = f"{years[0]}学年" if len(years) == 1 else f"{years[0]}–{years[-1]}学年"
    moves = "" if a.settings.rotation_target_moves == "all" else f"，计入{_moves_text(a.settings)}"
    return (f"；县规划目标{_target_text(_rotation_target(a))}{moves}："
            f"{span}年均 {vocab.fmt(p['average'], 'dec1')} 人、本学年 {_int(p['counted'])} 人，{_verdict(bool(p['meets']))}"
            f"（按{'年均' if p['basis'] == 'average' else '当年'}人数）")


def _township_lines(view: TownshipView) -> list[str]:
    r = view.rotation_by_township.iloc[0]
    return [
        f"{view.year}学年交流轮岗（{view.name}，按本镇街学校统计）",
        f"派出教师 {_int(r['rotated_out'])} 人（其中到乡村或薄弱学校 {_int(r['toward_target'])} 人），"
        f"接收教师 {_int(r['rotated_in'])} 人",
        f"符合交流条件的教师 {_int(r['eligible'])} 人，派出教师占 {_pct(r['rotation_share'])}",
        f"派出的骨干教师 {_int(r['backbone_rotated'])} 人，占派出教师 {_pct(r['backbone_share'])}",
        _county_note(view),
    ]


def key_figures(scope) -> Note:
    """:func:`key_figure_lines` as a short Markdown list (the first line its title)."""
    head, *rest = key_figure_lines(scope)
    return Note(_markdown(scope, "\n".join([head, "", *(f"- {line}" for line in rest)])))


# --- every year --------------------------------------------------------------------------------

_COUNTY_TREND = ["year", "rotated", "toward_target", "rotation_target", "plan_counted", "plan_average",
                 "meets_rotation_target", "eligible", "rotation_share", "meets_rotation_share", "backbone_rotated",
                 "backbone_share", "meets_backbone_share"]
#: Columns of the county trend that exist only where the county plan sets a rotation target.
_PLAN_TREND = ("rotation_target", "plan_counted", "plan_average", "meets_rotation_target")
_TOWNSHIP_TREND = ["year", "rotated_out", "toward_target", "rotated_in", "eligible", "rotation_share",
                   "backbone_rotated", "backbone_share"]


def _trend(scope) -> pd.DataFrame:
    return scope.rotation_township_trend if township_of(scope) is not None else assessment_of(scope).rotation_summary


def latest_roster_note(scope, years) -> str:
    """Which of ``years`` read the latest roster for lack of one of their own (empty when none does)."""
    ds = assessment_of(scope).ds
    old = [int(y) for y in years if roster.from_latest_roster(ds.teachers, int(y), latest_year=ds.latest_year)]
    if not old:
        return ""
    span = f"{old[0]}" if len(old) == 1 else (f"{old[0]}–{old[-1]}" if old == list(range(old[0], old[-1] + 1))
                                              else "、".join(map(str, old)))
    return (f"{span}学年的符合交流条件教师数和交流教师的骨干身份按最新一期教师名册推算（教师表没有这些学年的名册），"
            "此后离开或调动的教师不在其中。")


def trend_table(scope) -> Table:
    """Rotations of every year of the 交流轮岗 table (county: against the target and the ratios;
    a 镇街: what it sent and received); years read from the latest roster are named in a note."""
    caption = f"历年交流轮岗（{scope.name}）"
    why = _unavailable(scope, "rotation_summary")
    if why is not None:
        return _empty_table(caption, why)
    trend = _trend(scope)
    latest = latest_roster_note(scope, sorted(set(trend["year"])))
    if township_of(scope) is not None:
        return table(trend, _TOWNSHIP_TREND, short=True, caption=caption,
                     notes=["派出、骨干按本镇街学校派出的教师统计；符合交流条件的教师按本镇街学校统计。",
                            _county_note(scope)] + ([latest] if latest else []))
    planned = trend["rotation_target"].notna().any()
    cols = [c for c in _COUNTY_TREND if planned or c not in _PLAN_TREND]
    notes = ["“城镇→乡村/薄弱”只计派出学校为城区或镇区、接收学校为乡村学校或薄弱学校的交流；"
             "交流人数和交流比例只计小学、初中教师。"]
    if planned:
        notes.append(f"“计入目标”为{_moves_text(assessment_of(scope).settings)}；“年均”为规划起始学年至该学年各年的平均；"
                     "“达到目标”按设置 rotation_target_basis 判断；县规划目标未覆盖的学年显示“—”。")
    else:
        notes.append("数据中没有“规划目标”表（或未设交流轮岗人数），不显示县规划目标。")
    return table(trend, cols, short=True, caption=caption, notes=notes + ([latest] if latest else []))


def trend_chart(scope) -> Figure | Note:
    """Bars of the rotations per year; the county's with the plan's target line."""
    why = _unavailable(scope, "rotation_summary")
    if why is not None:
        return Note(why)
    t = _trend(scope)
    view = township_of(scope) is not None
    fig, ax = style.new_figure(size="a4", title=f"交流轮岗人数（{scope.name}）")
    x = t["year"].astype(int).astype(str)
    total = t["rotated_out"] if view else t["rotated"]
    ax.bar(x, total, color=style.NEUTRAL_COLOR, label=vocab.field("rotated_out" if view else "rotated").label)
    ax.bar(x, t["toward_target"], color=style.STAGE_COLORS["primary"], width=0.5,
           label=vocab.field("toward_target").label)
    if view:
        ax.plot(x, t["rotated_in"], color=AREA_COLORS["rural"], marker="o", label=vocab.field("rotated_in").label)
    elif _rotation_target(scope) is not None:
        target = _rotation_target(scope)
        ax.axhline(float(target.value), color=style.THRESHOLD_COLOR, linestyle="--",
                   label=f"{vocab.field('rotation_target').label} {_target_text(target)}")
        if t["plan_average"].notna().any():
            ax.plot(x, t["plan_average"], color=AREA_COLORS["urban"], marker="o",
                    label=vocab.field("plan_average").label)
    ax.set_xlabel(vocab.header("year"))
    ax.set_ylabel("人数（人）")
    ax.legend(loc="upper left", fontsize=8)
    return fig


# --- the year: 镇街, schools, direction ---------------------------------------------------------

_UNIT_COLUMNS = ["eligible", "rotated_out", "rotated_in", "toward_target", "rotation_share", "backbone_rotated",
                 "backbone_share"]


def township_table(scope) -> Table:
    """The year's rotations per 镇街: sent, received, eligible, shares of what it sent (no verdict:
    the ratios are county targets)."""
    caption = f"{assessment_of(scope).year}学年各镇街交流轮岗（{scope.name}）"
    why = _unavailable(scope, "rotation_by_township")
    if why is not None:
        return _empty_table(caption, why)
    return table(scope.rotation_by_township, ["township", *_UNIT_COLUMNS], short=True, caption=caption,
                 notes=["派出、骨干、交流比例按派出学校所在镇街统计；符合交流条件的教师按教师所在学校统计。"])


def school_table(scope) -> Table:
    """The year's rotations per school that sent or received a teacher."""
    caption = f"{assessment_of(scope).year}学年各学校交流轮岗（{scope.name}）"
    why = _unavailable(scope, "rotation_by_school")
    if why is not None:
        return _empty_table(caption, why)
    s = scope.rotation_by_school
    s = s[(s["rotated_out"] > 0) | (s["rotated_in"] > 0)]
    return table(s, ["township", "school_name", "urban_rural", *_UNIT_COLUMNS], short=True, caption=caption,
                 empty="本学年没有学校派出或接收交流教师。",
                 notes=["只列本学年派出或接收了交流教师的学校。"])


def _matrix(scope) -> pd.DataFrame:
    return rotation.direction_matrix(scope.rotation_direction)


def direction_table(scope) -> Table:
    """The year's rotations by 城乡分类 of the sending (rows) and receiving (columns) school."""
    caption = f"{assessment_of(scope).year}学年交流方向（{scope.name}，行：派出学校，列：接收学校）"
    why = _unavailable(scope, "rotation_direction")
    if why is not None:
        return _empty_table(caption, why)
    notes = ["本镇街学校之间的交流只计一次。"] if township_of(scope) is not None else []
    return table(_matrix(scope), ["from_urban_rural", "to_urban", "to_town", "to_rural", "rotated"],
                 words={"from_urban_rural": "direction"}, labels={"rotated": "合计（人）"},
                 caption=caption, notes=notes)


def direction_chart(scope, *, kind: str = "alluvial") -> Figure | Note:
    """The direction matrix as a two-column flow chart (``"alluvial"``) or a heat map (``"heatmap"``).

    Parameters
    ----------
    scope
        An assessment or a 镇街 view of one.
    kind
        ``"alluvial"`` (bands from sending to receiving, width ∝ count) or ``"heatmap"``.

    Returns
    -------
    matplotlib.figure.Figure
        Or a note when the 交流轮岗 table is missing.
    """
    if kind not in ("alluvial", "heatmap"):
        raise DataError(f"图表类型无效 (bad_kind): {kind}；可选 alluvial、heatmap")
    why = _unavailable(scope, "rotation_direction")
    if why is not None:
        return Note(why)
    m = _matrix(scope).set_index("from_urban_rural").loc[list(rotation.AREA_ORDER),
                                                         [f"to_{x}" for x in rotation.AREA_ORDER]]
    m.columns = list(rotation.AREA_ORDER)
    year = assessment_of(scope).year
    if kind == "heatmap":
        return _heatmap(m, f"{year}学年交流轮岗方向（{scope.name}）")
    return _alluvial(m, f"{year}学年交流轮岗流向（{scope.name}，派出 → 接收）")


def _area(code: str) -> str:
    return vocab.word(code, "direction")


def _heatmap(m: pd.DataFrame, title: str) -> Figure:
    fig, ax = style.new_figure(size="a4", title=title)
    ax.grid(False)
    values = m.to_numpy()
    im = ax.imshow(values, cmap="Blues")
    ax.set_xticks(range(m.shape[1]), [_area(c) for c in m.columns])
    ax.set_yticks(range(m.shape[0]), [_area(c) for c in m.index])
    ax.set_xlabel(vocab.header("to_urban_rural"))
    ax.set_ylabel(vocab.header("from_urban_rural"))
    vmax = max(int(values.max()), 1)
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            v = int(values[i, j])
            ax.text(j, i, _int(v), ha="center", va="center", color="white" if v > vmax / 2 else "black")
    fig.colorbar(im, ax=ax, label="人数（人）")
    return fig


def _alluvial(m: pd.DataFrame, title: str) -> Figure:
    fig, ax = style.new_figure(size="a4", title=title)
    ax.grid(False)
    ax.axis("off")
    total = float(m.to_numpy().sum()) or 1.0
    gap, width = 0.03, 0.12
    left_tot, right_tot = m.sum(axis=1), m.sum(axis=0)
    scale = (1 - gap * (len(left_tot) - 1)) / total

    def blocks(totals: pd.Series) -> dict[str, list[float]]:
        pos, y = {}, 1.0
        for k, v in totals.items():
            pos[k] = [y - v * scale, y]
            y -= v * scale + gap
        return pos

    lpos, rpos = blocks(left_tot), blocks(right_tot)
    lcur = {k: v[1] for k, v in lpos.items()}
    rcur = {k: v[1] for k, v in rpos.items()}
    for src in m.index:
        for dst in m.columns:
            h = float(m.loc[src, dst]) * scale
            if h <= 0:
                continue
            l_top, r_top = lcur[src], rcur[dst]
            lcur[src] -= h
            rcur[dst] -= h
            ax.add_patch(PathPatch(_band_path(width, 1 - width, l_top, r_top, h),
                                   facecolor=AREA_COLORS.get(src, style.NEUTRAL_COLOR), alpha=0.45, edgecolor="none"))
    # Blocks, with their labels outside (a small block has no room inside), and the column heads.
    for pos, x, tot, tx, ha in ((lpos, 0.0, left_tot, -0.02, "right"), (rpos, 1 - width, right_tot, 1.02, "left")):
        for k, (lo, hi) in pos.items():
            if hi - lo <= 0:
                continue
            ax.add_patch(Rectangle((x, lo), width, hi - lo, facecolor=AREA_COLORS.get(k, style.NEUTRAL_COLOR)))
            ax.text(tx, (lo + hi) / 2, f"{_area(k)} {_int(tot[k])} 人", ha=ha, va="center", fontsize=9)
    ax.text(width / 2, 1.04, "派出学校", ha="center", va="bottom", fontsize=9, fontweight="bold")
    ax.text(1 - width / 2, 1.04, "接收学校", ha="center", va="bottom", fontsize=9, fontweight="bold")
    ax.set_xlim(-0.28, 1.28)
    ax.set_ylim(-0.05, 1.1)
    return fig


def _band_path(x0: float, x1: float, l_top: float, r_top: float, h: float) -> MplPath:
    """A band of height ``h`` from ``(x0, l_top)`` to ``(x1, r_top)`` with smooth (Bézier) sides."""
    xm = (x0 + x1) / 2
    verts = [(x0, l_top), (xm, l_top), (xm, r_top), (x1, r_top),
             (x1, r_top - h), (xm, r_top - h), (xm, l_top - h), (x0, l_top - h), (x0, l_top)]
    codes = [MplPath.MOVETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4,
             MplPath.LINETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.CLOSEPOLY]
    return MplPath(verts, codes)


# --- gaps of the receiving schools -------------------------------------------------------------

_GAP_COLUMNS = ["township", "school_name", "urban_rural", "to_weak", "stage", "students", "rotated_in",
                "rotated_in_pe_art", "pe_art_per_100_before", "pe_art_per_100_after", "pe_art_gap_status",
                "rotated_in_backbone", "backbone_per_100_before", "backbone_per_100_after", "backbone_gap_status"]


def _by_stage(key: str) -> str:
    """A per-stage threshold as text: one value when the stages agree, else 小学 … 、初中 …."""
    texts = {st: vocab.threshold_text(key, st) for st in ("primary", "junior")}
    if texts["primary"] == texts["junior"]:
        return texts["primary"]
    return "、".join(f"{vocab.word(st)} {t}" for st, t in texts.items())


def _gap_rule() -> str:
    return ("“交流前”取学段统计中的教师数，“交流后”加上交流到该校的教师（按任教学科和骨干级别）。"
            f"标准：每百名学生体育艺术教师 {_by_stage('pe_art_teachers_per_100')}，"
            f"骨干教师 {_by_stage('backbone_teachers_per_100')}。")


def gap_table(scope) -> Table:
    """Every receiving school (× 学段) of the year: PE/art and backbone teachers per 100 students
    before and after the rotated-in teachers, with the status of each gap."""
    caption = f"{assessment_of(scope).year}学年接收学校的缺口是否补上（{scope.name}）"
    why = _unavailable(scope, "gap_filling")
    if why is not None:
        return _empty_table(caption, why)
    return table(scope.gap_filling, _GAP_COLUMNS, short=True, caption=caption,
                 words={"pe_art_gap_status": "gap_status", "backbone_gap_status": "gap_status"},
                 empty="本学年没有接收交流教师的学校。", notes=[_gap_rule()])


def gap_summary(scope) -> Note:
    """How many receiving units had each gap closed, narrowed or not improved (one sentence each)."""
    why = _unavailable(scope, "gap_filling")
    if why is not None:
        return Note(why)
    g = scope.gap_filling
    lines = []
    for kind, label in (("pe_art", "体育艺术教师"), ("backbone", "骨干教师")):
        counts = g[f"{kind}_gap_status"].value_counts()
        parts = "、".join(f"{vocab.word(s, 'gap_status')} {_int(counts.get(s, 0))} 所"
                         for s in rotation.GAP_STATUSES)
        lines.append(f"- {label}：接收学校（学段）共 {_int(len(g))} 所，其中 {parts}。")
    return Note("\n".join(lines))


# --- the flow map ------------------------------------------------------------------------------

_JS_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _FlowLayer(MacroElement):
    """Draws the rotation lines and schools from one JSON payload into existing feature groups.

    Every text (school names, counts) is data in the JSON and is put on the page with
    ``textContent``, never as HTML: a name can hold ``<``, `` ` `` or ``${…}`` and stays text.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var data = {{ this.payload }};
            var groups = {{ this.groups }};
            function tip(lines) {
                var div = document.createElement("div");
                lines.forEach(function (text, i) {
                    var p = document.createElement("div");
                    if (i === 0) { p.style.fontWeight = "bold"; }
                    p.textContent = text;
                    div.appendChild(p);
                });
                return div;
            }
            data.lines.forEach(function (d) {
                L.polyline(d.path, {weight: d.weight, color: d.color, opacity: 0.7})
                    .bindTooltip(tip(d.tip), {sticky: true}).addTo(groups[d.group]);
            });
            data.schools.forEach(function (d) {
                L.circleMarker(d.at, {radius: 5, color: d.color, weight: 1, fill: true, fillColor: d.color,
                                      fillOpacity: 0.9})
                    .bindTooltip(tip(d.tip)).addTo(groups[d.group]);
                if (d.weak) {
                    L.circleMarker(d.at, {radius: 9, color: {{ this.weak_color }}, weight: 3, fill: false})
                        .bindTooltip(tip(d.tip)).addTo(groups.weak);
                }
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, payload: dict, groups: dict[str, folium.FeatureGroup]) -> None:
        super().__init__()
        self._name = "RotationFlows"
        self.payload = escape.js_value(payload)
        names = {k: g.get_name() for k, g in groups.items()}
        if not all(_JS_NAME.match(k) and _JS_NAME.match(n) for k, n in names.items()):
            raise ValueError("feature group names must be JavaScript identifiers")
        self.groups = "{" + ", ".join(f"{k}: {n}" for k, n in names.items()) + "}"
        self.weak_color = escape.js_value(WEAK_COLOR)


def _swatch(color: str, *, ring: bool = False, line: bool = False) -> str:
    """A fixed HTML colour sample for a layer name (no data in it)."""
    if line:
        return (f'<span style="display:inline-block;width:22px;height:0;border-top:4px solid {color};'
                'vertical-align:middle;margin-right:4px;"></span>')
    fill = "transparent" if ring else color
    return (f'<span style="display:inline-block;width:10px;height:10px;border-radius:50%;background:{fill};'
            f'border:2px solid {color};vertical-align:middle;margin-right:4px;"></span>')


def _flow_payload(rec: pd.DataFrame, ds, gcj: bool) -> dict:
    """Lines (one per sending → receiving school) and schools of the map, in display coordinates."""
    pos = pd.DataFrame(ds.schools[["school_id", "name", "urban_rural", "lat", "lon"]]).dropna(
        subset=["lat", "lon"]).set_index("school_id")
    if gcj and len(pos):
        lon, lat = wgs84_to_gcj02(pos["lon"].to_numpy(float), pos["lat"].to_numpy(float))
        pos = pos.assign(lon=lon, lat=lat)
    pairs = rec.groupby(["from_school_id", "to_school_id"]).agg(
        n=("teacher_id", "size"), backbone=("is_backbone", "sum"), pe_art=("is_pe_art", "sum"),
        toward=("toward_target", "first"), to_weak=("to_weak", "first")).reset_index()
    pairs = pairs[pairs["from_school_id"].isin(pos.index) & pairs["to_school_id"].isin(pos.index)]
    lines = []
    for r in pairs.itertuples(index=False):
        a, b = pos.loc[r.from_school_id], pos.loc[r.to_school_id]
        tip = [f"{a['name']} → {b['name']}",
               f"{_int(r.n)} 人（骨干 {_int(r.backbone)} 人，体育艺术 {_int(r.pe_art)} 人）"]
        if r.to_weak:
            tip.append("接收学校为薄弱学校")
        lines.append({"path": [[round(float(a["lat"]), 6), round(float(a["lon"]), 6)],
                               [round(float(b["lat"]), 6), round(float(b["lon"]), 6)]],
                      "weight": round(1.5 + 2.0 * math.sqrt(int(r.n)), 2),
                      "color": FLOW_COLORS["target" if r.toward else "other"],
                      "group": "target" if r.toward else "other", "tip": tip})
    out_n = pairs.groupby("from_school_id")["n"].sum()
    in_n = pairs.groupby("to_school_id")["n"].sum()
    weak = set(pairs.loc[pairs["to_weak"].astype(bool), "to_school_id"])
    schools = []
    for sid in sorted(set(pairs["from_school_id"]) | set(pairs["to_school_id"])):
        p = pos.loc[sid]
        area = p["urban_rural"] if p["urban_rural"] in AREA_COLORS else "rural"
        tip = [f"{p['name']}（{vocab.word(p['urban_rural'])}）",
               f"派出 {_int(out_n.get(sid, 0))} 人，接收 {_int(in_n.get(sid, 0))} 人"]
        schools.append({"at": [round(float(p["lat"]), 6), round(float(p["lon"]), 6)], "color": AREA_COLORS[area],
                        "group": area, "weak": sid in weak, "tip": tip})
    return {"lines": lines, "schools": schools}


def flow_map(scope, *, basemap: str | None = "osm") -> folium.Map | Note:
    """Folium map of the year's rotations: a line per sending → receiving school, width ∝ count.

    Lines that count toward the county plan's target (城镇学校 → 乡村/薄弱学校) are dark, the others
    grey; schools are coloured by 城乡分类 and weak receiving schools ringed in red. The layer
    control names each layer with its colour (it is the legend). A 镇街 view shows the rotations its
    schools sent or received. Names from the data travel as JSON and are shown as text.

    Parameters
    ----------
    scope
        An assessment or a 镇街 view of one.
    basemap
        Base map of :func:`jxedu.present.maps.base_map` (``"amap"`` shifts the points to GCJ-02).

    Returns
    -------
    folium.Map
        Or a note when the 交流轮岗 table is missing.
    """
    why = _unavailable(scope, "rotations")
    if why is not None:
        return Note(why)
    a = assessment_of(scope)
    title = f"{a.year}学年交流轮岗流向（{scope.name}）"
    m = maps.base_map(basemap=basemap, title=title)
    if a.ds.townships is not None:
        maps.add_townships(m, a.ds.townships, highlight=scope.name if township_of(scope) is not None else None, labels=True)
    gcj = getattr(m, "jxedu_crs", "WGS84") == "GCJ02"
    payload = _flow_payload(scope.rotations, a.ds, gcj)
    names = {
        "target": f"{_swatch(FLOW_COLORS['target'], line=True)}城镇学校到乡村或薄弱学校（线宽：人数）",
        "other": f"{_swatch(FLOW_COLORS['other'], line=True)}其他交流",
        **{k: f"{_swatch(c)}{vocab.word(k)}学校" for k, c in AREA_COLORS.items()},
        "weak": f"{_swatch(WEAK_COLOR, ring=True)}薄弱学校（接收）",
    }
    groups = {k: folium.FeatureGroup(name=n).add_to(m) for k, n in names.items()}
    _FlowLayer(payload, groups).add_to(m)
    maps.add_legend(m, title=title, synthetic=a.ds.synthetic)
    folium.LayerControl(collapsed=False).add_to(m)
    points = [p["at"] for p in payload["schools"]]
    if points:
        lat, lon = np.array(points)[:, 0], np.array(points)[:, 1]
        m.fit_bounds([[float(lat.min()), float(lon.min())], [float(lat.max()), float(lon.max())]])
    return m


# --- the plan for next year --------------------------------------------------------------------


def _pe_art_standard(scope) -> str:
    """The PE/art teachers per 100 pupils a school needs: the county plan's, else the national standard."""
    pe = assessment_of(scope).plan_target(PLAN_PE_ART)
    return (f"{vocab.plan_value(pe)} 人（县规划目标）" if pe is not None
            else f"{_by_stage('pe_art_teachers_per_100')}（国家标准）")


def _plan_rule(scope) -> str:
    t = vocab.threshold_text
    return (f"按“先补最大缺口”的顺序安排：先把体育艺术教师派往每百名学生不足 "
            f"{_pe_art_standard(scope)}的乡村或薄弱学校，"
            f"再派骨干教师补每百名学生不足 {vocab.fmt(std.threshold('backbone_teachers_per_100', 'primary'), 'g')} "
            f"人的学校，并使骨干教师占比 {t('backbone_share_of_rotated')}，其余名额派往生师比最高的学校。"
            "派出学校只派富余的体育艺术和骨干教师（自身不低于上述标准），同一镇街优先。名单只列教师编号。")


def plan_figures(scope) -> Note:
    """The size of next year's plan (county), or what it asks of a 镇街 (sent, received)."""
    why = _unavailable(scope, "rotation_plan")
    if why is not None:
        return Note(why)
    a = assessment_of(scope)
    p = a.rotation_plan
    if township_of(scope) is not None:
        r = scope.rotation_plan_by_township.iloc[0]
        return Note("\n".join([
            f"{p.plan_year}学年交流计划（建议，全县编制）中的{scope.name}", "",
            f"- 计划派出 {_int(r['planned_out'])} 人（其中骨干教师 {_int(r['backbone_planned_out'])} 人、"
            f"体育艺术教师 {_int(r['pe_art_planned_out'])} 人），计划接收 {_int(r['planned_in'])} 人",
            f"- 全县计划交流 {_int(p.planned)} 人；名单按全县编制，见全县版本。",
        ]))
    return Note("\n".join([
        f"{p.plan_year}学年交流计划（建议，{scope.name}）", "",
        f"- 符合交流条件的教师 {_int(p.eligible)} 人（不含本学年已在交流的教师）",
        (f"- 需交流 {_int(p.needed)} 人：县规划目标 {_int(p.rotation_target)} 人与符合条件教师的 "
         f"{vocab.fmt(std.threshold('rotation_share_of_eligible'), 'pct1')} 取大" if p.rotation_target is not None else
         f"- 需交流 {_int(p.needed)} 人：符合条件教师的 {vocab.fmt(std.threshold('rotation_share_of_eligible'), 'pct1')}"
         "（数据中没有县规划目标的交流人数）"),
        f"- 计划交流 {_int(p.planned)} 人，尚缺 {_int(p.shortfall)} 人；交流比例 {_pct(p.rotation_share)}",
        f"- 其中骨干教师 {_int(p.backbone_planned)} 人（需 {_int(p.backbone_needed)} 人），"
        f"占 {_pct(p.backbone_share)}",
    ]))


_PLAN_COLUMNS = ["order", "teacher_id", "subject", "stage", "is_backbone", "is_pe_art", "from_township",
                 "from_school_name", "to_township", "to_school_name", "to_urban_rural", "to_weak", "reason"]


def plan_table(scope) -> Table:
    """The proposed rotations of next year, one row per teacher (教师编号 only, never a name)."""
    why = _unavailable(scope, "rotation_plan")
    caption = f"下一学年交流计划名单（建议，{scope.name}）"
    if why is not None:
        return _empty_table(caption, why)
    p = assessment_of(scope).rotation_plan
    notes = [_plan_rule(scope)]
    if township_of(scope) is not None:
        notes.append(f"名单按全县编制；此处列出{scope.name}派出或接收的教师。")
    return table(scope.rotation_plan_moves, _PLAN_COLUMNS, short=True, words={"reason": "plan_reason"},
                 caption=f"{p.plan_year}学年交流计划名单（建议，{scope.name}）", notes=notes,
                 empty="没有可安排交流的教师。")


def pe_art_table(scope) -> Table:
    """School units below the plan's PE/art teachers per 100 students: the gap, what the plan
    sends, what is left to hire."""
    caption = f"体育艺术教师不足的学校（{scope.name}）"
    why = _unavailable(scope, "pe_art_needs")
    if why is not None:
        return _empty_table(caption, why)
    n = scope.pe_art_needs
    n = n[n["pe_art_gap"] > 0]
    standard = _pe_art_standard(scope)
    return table(n, ["township", "school_name", "stage", "students", "pe_art", "pe_art_teachers_per_100",
                     "pe_art_target", "pe_art_required", "pe_art_gap", "pe_art_planned_in", "pe_art_to_hire"],
                 short=True, caption=caption, empty=f"所有学校都达到了每百名学生体育艺术教师 {standard}的配备要求。",
                 notes=[f"所需人数 = 向上取整（标准 × 在校生 ÷ 100），标准为每百名学生 {standard}；"
                        "“交流补充”来自上面的交流计划，其余需要招聘。"])


# --- training and honours ----------------------------------------------------------------------


def training_table(scope) -> Table:
    """Teachers of 小学/初中 who completed the five-year training hours, per 镇街 (and 全县)."""
    caption = f"教师培训完成情况（{scope.name}）"
    why = _unavailable(scope, "training_honours")
    if why is not None:
        return _empty_table(caption, why)
    cols = ["township", "teachers", "trained", "trained_share"]
    note = (f"按教师名册“近五年培训学时”统计，{vocab.threshold_text('training_hours_required')}为完成；"
            "未填写按未完成计。")
    if township_of(scope) is not None:
        return table(scope.training, cols, caption=caption, notes=[note])
    return table(scope.training, [*cols, "meets_training"], caption=caption, notes=[note])


def honours_table(scope) -> Table:
    """最美教师 per year against the county plan's yearly number (county only)."""
    caption = "历年“最美教师”评选人数"
    why = _unavailable(scope, "training_honours")
    if why is not None:
        return _empty_table(caption, why)
    if township_of(scope) is not None:
        return _empty_table(caption, "“最美教师”评选是全县指标，请在全县版本中查看。")
    honours = assessment_of(scope).training_honours["honours"]
    latest = latest_roster_note(scope, honours["year"])
    latest = [latest.replace("符合交流条件教师数和交流教师的骨干身份", "“最美教师”人数")] if latest else []
    if honours["honours_target"].notna().any():
        return table(honours, ["year", "honoured", "honours_target", "meets_honours"], caption=caption,
                     notes=["县规划目标未覆盖的学年显示“—”。"] + latest)
    return table(honours, ["year", "honoured"], caption=caption,
                 notes=["数据中没有“规划目标”表（或未设最美教师人数），只列评选人数。"] + latest)
