"""Layout scenarios and location models as a planner reads them: tables, sentences and the change map.

Every table is a :class:`~jxedu.present.tables.Table` made by :func:`~jxedu.present.tables.table`
from the plain frames of :mod:`jxedu.planning.scenarios` and :mod:`jxedu.planning.optimize`, with
the headers, units and words of ``jxedu/data/vocabulary/fields-scenarios.csv`` and
``words-scenarios.csv``. A scenario is evaluated county-wide; ``township=`` shows the rows of one
镇街 of that county-wide result (schools of the 镇街, moves from or to them, its 村居).

>>> from jxedu.planning import scenarios
>>> base = scenarios.evaluate(ds)                                   # doctest: +SKIP
>>> res = scenarios.evaluate(ds, "close_teaching_point")            # doctest: +SKIP
>>> comparison_table([base, res])                                   # doctest: +SKIP
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import folium
import numpy as np
import pandas as pd

from jxedu.analysis.assessment import assessment_of
from jxedu.analysis.indicators import township_sort_key
from jxedu.core import standards as std
from jxedu.core import vocabulary as vocab
from jxedu.core.config import UTM50N
from jxedu.core.coords import wgs84_to_gcj02
from jxedu.core.errors import JxeduError
from jxedu.core.schema import LABELS
from jxedu.planning import scenarios as sc
from jxedu.planning.optimize import SiteSuggestion
from jxedu.planning.scenario_file import Scenario
from jxedu.present import escape, maps, staticmap
from jxedu.present import style as plotting
from jxedu.present.tables import Table, table
from jxedu.present.text import Note

__all__ = [
    "CHANGE_COLORS",
    "NOT_EVALUATED",
    "attempt",
    "change_figure",
    "change_map",
    "closure_table",
    "comparison_table",
    "cost_table",
    "default_scenario",
    "headline",
    "model_note",
    "moves_table",
    "new_sites_table",
    "result_name",
    "rezone_text",
    "scenario_note",
    "school_changes_table",
    "site_summary_table",
    "skipped_note",
    "township_table",
    "unavailable_note",
]

#: Colour of each change status on the change map (most important first).
CHANGE_COLORS: dict[str, str] = {
    "closed": "#C62828",
    "merged": "#EF6C00",
    "opened": "#2E7D32",
    "enlarged": "#1565C0",
    "students_changed": "#6A1B9A",
    "unchanged": "#9E9E9E",
}
#: Colour of the lines from a 村居 to its new school.
_MOVE_COLOR = "#6A1B9A"
#: Header overrides of the comparison (the county-wide figures of a scenario).
_COMPARISON_LABELS = {"schools": "义务教育学校（所）", "students": "义务教育在校生（人）"}
_WORDS = {"stage": None, "change_status": "change_status", "school_type": None, "site_kind": "site_kind",
          "location_model": "location_model", "solver_status": "solver_status"}


#: What a section shows when nothing could be evaluated for it (the reason is said once, above it).
NOT_EVALUATED = Note("> 本节未计算：没有可评估的方案或数据，原因见上文“方案内容”。")


def _evaluated(fn):
    """A section of a result (a scenario, a ranking, a site suggestion): :data:`NOT_EVALUATED` when it
    is ``None``, the note itself when it is one (:func:`attempt`) — the notebook goes on when the data
    cannot answer it."""
    @functools.wraps(fn)
    def wrapper(result, *args, **kwargs):
        if result is None:
            return NOT_EVALUATED
        if isinstance(result, Note):
            return result
        return fn(result, *args, **kwargs)

    return wrapper


def attempt(make, *args, **kwargs):
    """``make(*args, **kwargs)`` (a planning call: :func:`jxedu.planning.optimize.suggest_sites` …), or a
    :class:`~jxedu.present.text.Note` with its Chinese message when the data cannot answer it (e.g. the
    schools' places are too few for a capacitated model) — the sections reading it show that note.
    """
    try:
        return make(*args, **kwargs)
    except JxeduError as exc:  # the data cannot answer this question: said in the section, not a traceback
        return Note(f"> 本节无法计算：{_esc(exc)}")


def default_scenario(ds, *, year: int | None = None) -> dict | None:
    """The example a notebook evaluates when no scenario file is given: close the 教学点 with the fewest
    pupils of the data (:func:`jxedu.planning.scenarios.smallest_teaching_point`); ``None`` without one.

    Parameters
    ----------
    ds
        The data set.
    year
        School year (default latest).

    Returns
    -------
    dict or None
        A scenario in the YAML format (:func:`jxedu.planning.scenario_file.parse_scenario`).
    """
    sid = sc.smallest_teaching_point(ds, year=year)
    if sid is None:
        return None
    name = str(ds.schools.set_index(ds.schools["school_id"].astype(str)).loc[sid, "name"])
    out = {"名称": f"关闭{name}",
           "说明": f"示例方案（按数据自动生成，不是本县的决定）：关闭在校生最少的教学点{name}，"
                   "学生按就近、有学位的原则分流到周边学校，教师随学生分流。",
           "调整": [{"类型": "关闭", "学校": sid}]}
    if year is not None:
        out["基准学年"] = int(year)
    return out


def unavailable_note(a, scenario) -> Note:
    """Why no scenario can be evaluated (empty when one can): the 村居 table is missing, or there is
    no scenario (no file given and no 教学点 in the data to close as the example)."""
    reason = a.missing("access")
    if reason is not None:
        return Note(f"> 本笔记本需要的数据缺失：{reason}。补充村居表（各村居的位置和学龄人口）后，本笔记本将评估布局调整方案、"
                    "比较各方案、排序小规模学校撤并并给出选址建议。")
    if scenario is None:
        return Note("> 数据中没有教学点，未自动生成示例方案：请把参数 `scenario` 设为方案文件（格式见 "
                    "`data/scenarios/README.md`），或运行 `jxedu notebooks 数据 --scenario 方案.yaml`。下面只列现状。")
    return Note("")


def skipped_note(skipped: dict[str, str]) -> Note:
    """The scenario files left out because their edits do not fit the data (e.g. the demo's examples
    on another county's data), each with the reason; empty when none was left out."""
    if not skipped:
        return Note("")
    lines = [f"- {_esc(name)}：{_esc(why)}" for name, why in skipped.items()]
    return Note("以下方案文件与本数据不符（多为演示数据的示例方案，学校标识码是演示数据的），未参加比较：\n\n"
                + "\n".join(lines))


def _esc(text) -> str:
    """Data text inside a Markdown note: HTML-escaped, Markdown punctuation escaped (a school name is
    never markup, a link or emphasis)."""
    return escape.markdown_text(text)


def result_name(result: sc.ScenarioResult) -> str:
    """The name a planner sees: the scenario's, else 现状 (baseline) or 自定义方案 (unnamed edits)."""
    if result.name:
        return str(result.name)
    return vocab.word("baseline" if result.is_baseline else "custom", "scenario")


def _words(keys: Sequence[str]) -> dict[str, str]:
    return {k: w for k, w in _WORDS.items() if k in keys and w is not None}


def _scoped(frame: pd.DataFrame, township: str | None, columns: Sequence[str] = ("township",)) -> pd.DataFrame:
    """Rows of a county-wide frame that concern one 镇街 (any of ``columns`` names it)."""
    if township is None:
        return frame
    mask = np.zeros(len(frame), dtype=bool)
    for c in columns:
        mask |= (frame[c] == township).to_numpy()
    return frame.loc[mask]


def _transposed(t: Table, first: str, names: list[str], *, caption: str, notes: Sequence[str]) -> Table:
    """A table of figures × results from one of results × figures (the first column names them)."""
    body = t.frame.drop(columns=[first]).T
    body.columns = names
    body = body.rename_axis(vocab.header("figure")).reset_index()
    return Table(body, numeric=names, caption=caption, notes=[*t.notes, *notes])


def _unique(names: list[str]) -> list[str]:
    out: list[str] = []
    for n in names:
        while n in out:
            n += "′"
        out.append(n)
    return out


# --- comparison ------------------------------------------------------------------------------------


def comparison_table(results: Sequence[sc.ScenarioResult], *, caption: str = "") -> Table:
    """Key figures of the baseline and the scenarios side by side (全县; one column per result).

    Parameters
    ----------
    results
        Results of :func:`jxedu.planning.scenarios.evaluate` (the first is usually the baseline).
    caption
        Title above the table.

    Returns
    -------
    Table
        One row per figure (平均上学距离、超出步行距离的学生、校车覆盖率、超大规模学校、需新增班级、
        各指标差异系数 …), one column per result, named after it.
    """
    results = [r for r in results if r is not None]  # a scenario the data could not evaluate
    if not results:
        return NOT_EVALUATED
    frame = sc.compare(list(results))
    names = _unique([result_name(r) for r in results])
    frame = frame.assign(scenario_name=names, rezone_text=[rezone_text(r) for r in results])
    for k in ("capital_cost", "yearly_cost"):  # 元 -> 万元, shown as 估算
        if f"{k}_yuan" in frame.columns:
            frame[f"{k}_wan"] = frame.pop(f"{k}_yuan") / 1e4
    keys = [k for k in frame.columns if k not in ("name", "baseline", "scenario_name", "rezone_text")]
    straight = any(r.method == "straight" for r in results)
    labels = {**_COMPARISON_LABELS, **({k: f"{vocab.header(k)}{_STRAIGHT}" for k in keys if k.endswith("_mean_m")}
                                       if straight else {})}
    t = table(frame, ["scenario_name", "rezone_text", *keys], labels=labels)
    _no_bus(t, ["scenario_name", "rezone_text", *keys], results)
    years = sorted({r.year for r in results})
    notes = [f"全县范围评估（{'、'.join(map(str, years))}学年）：现状为“按学位容量分配”的结果（见下方两种现状口径的说明）；"
             "校车覆盖率为超出步行距离的学生中有校车可乘的比例。",
             "转学的学生：在校生中因方案改到另一所学校的人数。重新划片为“否”时，只有被关闭、并入或缩减学校的学生，"
             "以及超出学校学位容量的学生转学，其他学生留在原校；列出镇街时，这些镇街村居的学生按就近、有学位的原则重新分配。",
             "建设投资和每年运行费用均为估算（单位造价及来源见各方案的费用表），两者分开列出，不相加。",
             f"学校规模上限：小学、初中、完全中学 {vocab.threshold_text('school_size_max', 'single_stage')}，"
             f"九年一贯制、十二年一贯制学校 {vocab.threshold_text('school_size_max', 'through')}（义务教育阶段在校生）。"]
    if any(r.summary.get("costs_incomplete") for r in results):
        notes.append("有方案的部分费用项目未写数量（如新建学校的体育运动场馆面积），未计入合计，见该方案的费用表。")
    if straight:
        notes.append(_STRAIGHT_NOTE)
    if not all(r.bus_data for r in results):
        notes.append(f"{vocab.NO_BUS_DATA}：数据中没有公交助学线路（GTFS，公交.zip），方案也未新增线路，校车覆盖无法计算"
                     "（不是 0）。")
    return _transposed(t, vocab.header("scenario_name"), names, caption=caption, notes=notes)


#: The distance method of a result without a road layer, as labels and notes say it.
_STRAIGHT = f"（{vocab.word('straight', 'distance_method')}）"
_STRAIGHT_NOTE = "上学距离为直线距离（数据中没有道路图层），实际路程更长。"
#: Figures of a result that need the bus feed (missing, not 0, without it).
_BUS_KEYS = tuple(f"{st}_{k}" for st in sc.STAGES for k in ("bus_share", "uncovered"))


def _no_bus(t: Table, columns: Sequence[str], results: Sequence[sc.ScenarioResult]) -> None:
    """Write 无公交数据 into the bus figures of the results that have no bus data (rows of ``t``)."""
    heads = dict(zip(columns, t.frame.columns, strict=True))
    frame = t.frame.astype(object)  # a copy: the cells of a formatted table are text
    for i, r in enumerate(results):
        if r.bus_data:
            continue
        for k in _BUS_KEYS:
            if k in heads:
                frame.iat[i, list(frame.columns).index(heads[k])] = vocab.NO_BUS_DATA
    t.frame = frame


def rezone_text(result: sc.ScenarioResult) -> str:
    """重新划片 of a result in words: 否 (only displaced pupils move) / 全县 / the 镇街 re-zoned; — for the baseline."""
    rz = result.rezone
    if rz is True:
        return "全县"
    if rz:
        return "、".join(sorted(rz, key=township_sort_key))
    return "否" if not result.is_baseline else "—"


def model_note(scope) -> Note:
    """How a scenario is evaluated, with the settings and standards in force (Markdown).

    Parameters
    ----------
    scope
        An assessment (:func:`jxedu.assess`) or a 镇街 view of one (its settings).

    Returns
    -------
    Note
    """
    s = assessment_of(scope).settings
    ages = "、".join(f"{LABELS[st]} {min(s.stage_ages[st])}–{max(s.stage_ages[st])} 岁" for st in sc.STAGES)
    caps = "、".join(f"{LABELS[st]} {vocab.fmt(std.threshold('class_size_max', st), 'int')} 人" for st in sc.STAGES)
    walk = "、".join(f"{LABELS[st]} {vocab.km_text(s.walk_limit_m[st])}" for st in sc.STAGES)
    return Note(
        f"各村居的学龄儿童（{ages}）按就近、有学位的原则分配到学校：全县范围（可跨镇街），容量约束的线性规划，"
        f"由 HiGHS 求解。学位容量 = 班级数 × 班额上限（{caps}）。步行距离上限：{walk}；村居 "
        f"{vocab.fmt(s.bus_stop_access_m, 'int')} 米内有校车站点、且有早班车开往学校时，算作有校车。"
        "现状即“按学位容量分配”的结果，与《学校布局》笔记本“就近入学（最近学校）”的距离不同，两者并列见"
        "“上学距离的两种现状口径”表。不重新划片时，只有被关闭、并入或缩减学校的学生和超出学校学位容量的学生转学，"
        "其他学生留在原校。学生总数在任何方案下都保持不变。")


def headline(baseline: sc.ScenarioResult, result: sc.ScenarioResult) -> Note:
    """The scenario's key figures in one plain paragraph (closures, distances, pupils beyond walking distance).

    Parameters
    ----------
    baseline, result
        From :func:`jxedu.planning.scenarios.evaluate`.

    Returns
    -------
    Note
    """
    if baseline is None or result is None:
        return NOT_EVALUATED
    s0, s1 = baseline.summary, result.summary
    parts = [f"{_esc(result_name(result))}（{result.year}学年）：关闭或并入 {vocab.fmt(s1['closed'], 'int')} 所、"
             f"新建 {vocab.fmt(s1['opened'], 'int')} 所学校"]
    how = _STRAIGHT if result.method == "straight" else ""
    for st in sc.STAGES:
        if f"{st}_mean_m" not in s1:
            continue
        d0, d1 = vocab.fmt(s0.get(f"{st}_mean_m"), "m0"), vocab.fmt(s1[f"{st}_mean_m"], "m0")
        b0, b1 = vocab.fmt(s0.get(f"{st}_beyond"), "int"), vocab.fmt(s1[f"{st}_beyond"], "int")
        if (d0, b0) == (d1, b1):
            parts.append(f"{LABELS[st]}平均上学距离{how}（{d1} 米）和超出步行距离的学生（{b1} 人）不变")
        else:
            parts.append(f"{LABELS[st]}平均上学距离{how}由 {d0} 米变为 {d1} 米，超出步行距离的学生由 {b0} 人变为 {b1} 人")
    same = s1["students"] == s0["students"]
    parts.append(f"义务教育在校生共 {vocab.fmt(s1['students'], 'int')} 人" + ("（总数不变）" if same else "")
                 + f"，其中 {vocab.fmt(s1.get('pupils_moved', 0), 'int')} 人转学")
    if "capital_cost_yuan" in s1:
        parts.append(f"建设投资估算 {vocab.fmt(s1['capital_cost_yuan'] / 1e4, 'wan2')} 万元，"
                     f"每年运行费用估算 {vocab.fmt(s1['yearly_cost_yuan'] / 1e4, 'wan2')} 万元")
    return Note("；".join(parts) + "。")


def _school_label(schools: pd.DataFrame, sid: str) -> str:
    names = schools.drop_duplicates("school_id").set_index("school_id")["name"]
    return f"{names[sid]}（{sid}）" if sid in names.index else str(sid)


def _edit_text(e, schools: pd.DataFrame) -> str:
    """One edit in a sentence (names from the result's school table)."""
    f = e.fields
    kind = vocab.word(e.kind, "edit_type")
    name = lambda sid: _school_label(schools, sid)  # noqa: E731
    if e.kind == "close":
        return f"{kind}：{name(f['school'])}"
    if e.kind == "merge":
        return f"{kind}：{name(f['school'])} 并入 {name(f['into'])}" + ("（保留校区）" if f.get("keep_campus") else "")
    if e.kind == "open":
        stages = "、".join(LABELS[s] for s in f["stages"])
        places = sum(f["capacity"].values())
        return f"{kind}：{f.get('name') or f.get('id') or '新建学校'}（{stages}，{vocab.fmt(places, 'int')} 个学位）"
    if e.kind == "enlarge":
        added = []
        if f.get("capacity"):
            added.append(f"学位 {vocab.fmt(sum(f['capacity'].values()), 'int')} 个")
        if f.get("classrooms"):
            added.append(f"教室 {vocab.fmt(sum(f['classrooms'].values()), 'int')} 间")
        if f.get("teachers"):
            added.append("教师")
        if f.get("facilities"):
            added.append("办学条件")
        return f"{kind}：{name(f['school'])}（增加{'、'.join(added)}）"
    if e.kind == "add_route":
        served = "、".join(name(s) for s in f["schools"])
        return f"{kind}：{f.get('name') or f.get('id') or ''}，{len(f['stops'])} 个站点，服务 {served}"
    if e.kind == "extend_route":
        return f"{kind}：线路 {f['route']} 增加 {len(f['stops'])} 个站点"
    return f"{kind}：{len(f['villages'])} 个村居划入 {name(f['school'])}"


@_evaluated
def scenario_note(result: sc.ScenarioResult) -> Note:
    """What the scenario does: its name, description and one line per edit (Markdown).

    Parameters
    ----------
    result
        From :func:`jxedu.planning.scenarios.evaluate` (its ``scenario`` and school names).

    Returns
    -------
    Note
    """
    scn = result.scenario if result.scenario is not None else Scenario()
    lines = [f"**{_esc(result_name(result))}**" + (f"（方案文件 {_esc(scn.source.name)}）" if scn.source else "")]
    if scn.description:
        lines += ["", _esc(scn.description)]
    if scn.edits:
        lines += [""] + [f"{i}. {_esc(_edit_text(e, result.schools))}" for i, e in enumerate(scn.edits, 1)]
    else:
        lines += ["", "不做任何调整。"]
    if result.rezone:
        lines += ["", f"重新划片：{_esc(rezone_text(result))}（该范围内村居的学生按就近、有学位的原则重新分配）。"]
    return Note("\n".join(lines))


# --- costs --------------------------------------------------------------------------------------------

_COST_COLUMNS = ["edit_text", "cost_item", "quantity_text", "unit_cost_text", "amount_wan", "cost_basis"]


@_evaluated
def cost_table(result: sc.ScenarioResult, *, caption: str = "") -> Table:
    """The 估算 costs of a scenario: one row per edit and item, capital (建设投资) and yearly (每年运行费用)
    apart, each with its unit cost and where that comes from.

    Parameters
    ----------
    result
        From :func:`jxedu.planning.scenarios.evaluate`.
    caption
        Title above the table (default 《方案名》估算费用).

    Returns
    -------
    Table
    """
    c = result.costs if result.costs is not None else pd.DataFrame(columns=["kind", "cost_yuan"])
    caption = caption or f"{result_name(result)}：估算费用"
    if c.empty:
        return table(pd.DataFrame(columns=_COST_COLUMNS), _COST_COLUMNS, caption=caption,
                     notes=["方案不新建、扩建学校，不增加教师和校车线路：没有估算费用（关闭、合并节省的费用不计）。"])
    rows = []
    edits = result.scenario.edits if result.scenario is not None else []
    for kind in ("capital", "yearly"):
        part = c[c["kind"] == kind]
        for r in part.itertuples(index=False):
            what = vocab.word(r.edit_type, "edit_type") + "：" + str(r.subject) if r.edit else "全县专任教师净增加"
            if r.edit and r.edit_type in ("add_route", "extend_route") and not r.subject and r.edit <= len(edits):
                what = vocab.word(r.edit_type, "edit_type")
            stage = f"（{LABELS[r.stage]}）" if isinstance(r.stage, str) else ""
            if r.basis == "not_given":
                qty, unit_cost, basis = "未写", vocab.MISSING, "方案未写数量，未计（不按零计）"
            else:
                dec = "dec1" if r.unit in ("公里", "人") else "int"
                qty = f"{vocab.fmt(r.quantity, dec)} {r.unit}"
                unit_cost = (f"{vocab.fmt(r.unit_cost, 'int')} {r.unit_cost_unit}" if isinstance(r.unit_cost_unit, str)
                             else "（方案给出金额）")
                basis = _basis_text(r)
            rows.append({"edit_text": what + stage, "cost_item": vocab.word(r.item, "cost_item"),
                         "quantity_text": qty, "unit_cost_text": unit_cost, "amount_wan": r.cost_yuan / 1e4,
                         "cost_basis": basis})
        rows.append({"edit_text": f"{vocab.word(kind, 'cost_kind')}合计", "cost_item": "", "quantity_text": "",
                     "unit_cost_text": "", "amount_wan": part["cost_yuan"].sum() / 1e4, "cost_basis": ""})
    notes = ["全部为估算：单位造价为规划假设（来源见“依据”列；本县可用设置 unit_costs 替换），建设投资是一次性投入，"
             "每年运行费用每年发生，两者不相加。关闭、合并学校节省的费用和腾出的校舍不计。"]
    if c["distance_method"].eq("straight").any():
        notes.append("校车线路长度为直线距离（数据中没有道路图层），实际线路更长。")
    return table(pd.DataFrame(rows), _COST_COLUMNS, caption=caption, notes=notes)


def _basis_text(r) -> str:
    """Where a cost row's quantity and unit cost come from, in one phrase."""
    how = {"given": "方案写明数量", "classrooms": "按教室数 × 每间 75 ㎡", "places": "按新增学位",
           "route_km": "按线路单程长度" + ("（直线距离）" if r.distance_method == "straight" else "（沿道路）"),
           "net_teachers": "全县专任教师净增加人数"}.get(r.basis, "")
    return f"{how}；{r.source}" if r.source and r.source != "方案文件给出" else how


# --- schools, moves and 镇街 -------------------------------------------------------------------------


@_evaluated
def school_changes_table(result: sc.ScenarioResult, *, township: str | None = None,
                         max_rows: int | None = None) -> Table:
    """School-stages whose status or students change, biggest change first.

    Parameters
    ----------
    result
        From :func:`jxedu.planning.scenarios.evaluate`.
    township
        Only the schools of this 镇街.
    max_rows
        Show at most this many rows (a note says how many more there are).

    Returns
    -------
    Table
    """
    df = _scoped(sc.school_changes(result), township)
    cols = ["name", "township", "stage", "change_status", "students_before", "students_after", "students_change",
            "classes_short"]
    return table(df, cols, words=_words(cols), max_rows=max_rows, rest="其余学校变化较小",
                 empty=f"{township or ''}没有学校的状态或在校生发生变化。")


@_evaluated
def moves_table(result: sc.ScenarioResult, *, township: str | None = None, max_rows: int | None = None,
                min_students: float = 0.5) -> Table:
    """Where the students of changed schools go (学生去向), whole students, largest first.

    Parameters
    ----------
    result
        From :func:`jxedu.planning.scenarios.evaluate`.
    township
        Only moves from or to a school of this 镇街.
    max_rows
        Show at most this many rows.
    min_students
        Leave out moves of fewer students (rounding remainders).

    Returns
    -------
    Table
    """
    df = _scoped(sc.moves(result, min_students=min_students), township, ("from_township", "to_township"))
    cols = ["stage", "from_name", "to_name", "students"]
    return table(df, cols, labels={"students": "转学学生（人）"}, words=_words(cols), max_rows=max_rows,
                 rest="其余为人数较少的去向", empty=f"{township or ''}没有学生需要转学。")


_TOWNSHIP_COLUMNS = ["township", "stage", "schools_before", "schools_after", "students_before", "students_after",
                     "pupils", "mean_before_m", "mean_after_m", "beyond_before", "beyond_after", "villages_changed",
                     "classes_short"]


@_evaluated
def township_table(result: sc.ScenarioResult, *, township: str | None = None, all_rows: bool = False) -> Table:
    """The scenario's effect per 镇街 and stage: schools, students, distances, pupils beyond walking distance.

    Parameters
    ----------
    result
        From :func:`jxedu.planning.scenarios.evaluate`.
    township
        Only this 镇街's rows (both stages, changed or not).
    all_rows
        For the county: every 镇街 and stage; by default only those the scenario changes (a note
        says how many are left out).

    Returns
    -------
    Table
    """
    df = _scoped(sc.township_figures(result), township)
    notes = ["学校和在校生按学校所在镇街统计；学龄人口、上学距离和超出步行距离的学生按村居所在镇街统计。"]
    if township is None and not all_rows:
        pairs = [("schools_before", "schools_after"), ("students_before", "students_after"),
                 ("mean_before_m", "mean_after_m"), ("beyond_before", "beyond_after")]
        changed = np.zeros(len(df), dtype=bool)
        for b, a in pairs:
            changed |= ~np.isclose(df[b].to_numpy(float), df[a].to_numpy(float), rtol=0, atol=0.5, equal_nan=True)
        changed |= (df["villages_changed"] > 0).to_numpy()
        if (~changed).any():
            notes.append(f"其余 {int((~changed).sum())} 个镇街学段没有变化，未列出。")
        df = df.loc[changed]
    if result.method == "straight":
        notes.append(_STRAIGHT_NOTE)
    return table(df, _TOWNSHIP_COLUMNS, short=True, words=_words(_TOWNSHIP_COLUMNS), notes=notes,
                 empty="方案没有改变任何镇街的学校、在校生或上学距离。")


# --- the change map ----------------------------------------------------------------------------------

_STATUS_ORDER = {s: i for i, s in enumerate(sc.CHANGE_STATUSES)}


def _display(m: folium.Map, lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates as drawn on the map: GCJ-02 on the 高德 base map, else WGS-84."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if getattr(m, "jxedu_crs", "WGS84") == "GCJ02":
        return wgs84_to_gcj02(lon, lat)
    return lon, lat


def _move_lines(m: folium.Map, villages: pd.DataFrame, schools: pd.DataFrame) -> None:
    """Dashed lines from each 村居 whose main school changes to its new school."""
    pos = schools.drop_duplicates("school_id").set_index("school_id")[["lon", "lat"]]
    ch = villages[villages["changed"] & villages["school_after"].isin(pos.index)]
    if ch.empty:
        return
    vlon, vlat = _display(m, ch["lon"], ch["lat"])
    target = pos.loc[ch["school_after"]]
    slon, slat = _display(m, target["lon"], target["lat"])
    feats = [{"type": "Feature",
              "properties": {"tip": maps.esc(f"{r.name}（{LABELS[r.stage]}{vocab.fmt(r.demand, 'int')}人）改到新学校")},
              "geometry": {"type": "LineString", "coordinates": [[a, b], [c, d]]}}
             for r, a, b, c, d in zip(ch.itertuples(index=False), vlon, vlat, slon, slat, strict=True)]
    folium.GeoJson({"type": "FeatureCollection", "features": feats}, name="改到新学校的村居",
                   style_function=lambda f: {"color": _MOVE_COLOR, "weight": 1.5, "opacity": 0.7, "dashArray": "4 4"},
                   tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False)).add_to(m)


def _school_points(m: folium.Map, schools: pd.DataFrame) -> list[str]:
    """Schools as circles coloured by their most important change, sized by students; returns the
    statuses drawn."""
    agg = schools.assign(_o=schools["change_status"].map(_STATUS_ORDER)).sort_values("_o").groupby(
        "school_id", sort=False).agg(name=("name", "first"), status=("change_status", "first"),
                                     before=("students_before", "sum"), after=("students_after", "sum"),
                                     lon=("lon", "first"), lat=("lat", "first"))
    drawn = []
    for status, color in CHANGE_COLORS.items():
        g = agg[agg["status"] == status]
        if g.empty:
            continue
        drawn.append(status)
        lon, lat = _display(m, g["lon"], g["lat"])
        word = vocab.word(status, "change_status")
        feats = [{"type": "Feature", "properties": {
            "tip": maps.esc(f"{r.name}：{word}，在校生 {vocab.fmt(r.before, 'int')} → {vocab.fmt(r.after, 'int')}"),
            "radius": round(3 + 2.5 * math.sqrt(max(r.after, r.before) / 100.0), 1)},
            "geometry": {"type": "Point", "coordinates": [x, y]}}
            for r, x, y in zip(g.itertuples(), lon, lat, strict=True)]
        folium.GeoJson(
            {"type": "FeatureCollection", "features": feats}, name=f"学校：{word}", show=True,
            marker=folium.CircleMarker(radius=5, weight=2, fill=True),
            style_function=lambda f, c=color, o=(0.25 if status == "closed" else 0.7): {
                "color": c, "fillColor": c, "fillOpacity": o, "radius": f["properties"]["radius"]},
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        ).add_to(m)
    return drawn


def _legend_items(statuses: Sequence[str]) -> str:
    dot = ('<div><span style="display:inline-block;width:11px;height:11px;border-radius:50%;background:{c};'
           'margin-right:4px;vertical-align:middle"></span>{w}</div>')
    items = "".join(dot.format(c=CHANGE_COLORS[s], w=maps.esc(vocab.word(s, "change_status"))) for s in statuses)
    return (f'<div style="font-weight:bold;margin-top:4px;">学校（圆圈大小：在校生）</div>{items}'
            f'<div><span style="color:{_MOVE_COLOR}">- - -</span> 村居改到新学校</div>')


def change_map(ds, result: sc.ScenarioResult, *, basemap: str | None = "osm", stage: str | None = None,
               township: str | None = None) -> folium.Map:
    """A folium map of what the scenario changes.

    Schools coloured by change (关闭 red, 并入 orange, 新建 green, 扩建 blue, 学生增减 purple,
    unchanged grey; circles sized by students) and dashed lines from each 村居 whose school changes
    to its new school; 镇街 boundaries; a Chinese legend. Names are escaped.

    Parameters
    ----------
    ds
        The data set (镇街 boundaries; the synthetic-data mark).
    result
        From :func:`jxedu.planning.scenarios.evaluate`.
    basemap
        As :func:`jxedu.present.maps.base_map` (``None`` = no tiles).
    stage
        Only one stage (default both).
    township
        Highlight this 镇街 and zoom to it (the map still shows the whole county's changes).

    Returns
    -------
    folium.Map
        (:data:`NOT_EVALUATED` when ``result`` is ``None``: no scenario could be evaluated.)
    """
    if result is None:
        return NOT_EVALUATED
    name = result_name(result)
    m = maps.base_map(basemap=basemap, title=f"学校布局调整：{name}")
    if ds.townships is not None:
        maps.add_townships(m, ds.townships, highlight=township, labels=False)
    v, s = result.villages, result.schools
    if stage is not None:
        v, s = v[v["stage"] == stage], s[s["stage"] == stage]
    _move_lines(m, v, s)
    drawn = _school_points(m, s)
    legend = maps.add_legend(m, title=name, synthetic=ds.synthetic)
    legend.body += _legend_items(drawn)
    folium.LayerControl(collapsed=True).add_to(m)
    focus = s if township is None else s[s["township"] == township]
    if len(focus):
        lon, lat = _display(m, focus["lon"], focus["lat"])
        m.fit_bounds([[float(np.nanmin(lat)), float(np.nanmin(lon))], [float(np.nanmax(lat)), float(np.nanmax(lon))]],
                     padding=(12, 12))
    return m


# --- the static change map (PDF) ------------------------------------------------------------------------


def change_figure(ds, result: sc.ScenarioResult, *, ax=None, size: tuple[float, float] = (6.3, 4.6)):
    """A static map (matplotlib, UTM metres) of what a scenario changes, for the PDF 方案比选.

    镇街 boundaries (or the county outline), every school as a grey dot, changed schools coloured as
    on :func:`change_map` and sized by students, lines from each 村居 whose school changes to its new
    school; scale bar, north arrow, a Chinese legend and the synthetic-data mark.

    Parameters
    ----------
    ds
        The data set.
    result
        From :func:`jxedu.planning.scenarios.evaluate`.
    ax
        Axes to draw on (a new figure when ``None``).
    size
        Figure size in inches when ``ax`` is None.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.lines import Line2D

    plotting.setup_fonts()
    if ax is None:
        fig, ax = plotting.new_figure(size=size)
        ax.grid(False)
    else:
        fig = ax.figure
    if ds.townships is not None and len(ds.townships):
        ds.townships.to_crs(UTM50N).plot(ax=ax, facecolor="#FAFAF5", edgecolor="#9E9E9E",
                                                          linewidth=0.6)
    else:
        staticmap.county_outline().to_crs(UTM50N).plot(ax=ax, facecolor="#FAFAF5",
                                                                         edgecolor="#9E9E9E", linewidth=0.8)
    s = result.schools.assign(_o=result.schools["change_status"].map(_STATUS_ORDER)).sort_values("_o")
    agg = s.groupby("school_id", sort=False).agg(status=("change_status", "first"), x=("x", "first"),
                                                 y=("y", "first"), before=("students_before", "sum"),
                                                 after=("students_after", "sum"))
    pos = agg[["x", "y"]]
    v = result.villages
    ch = v[v["changed"] & v["school_after"].isin(pos.index)]
    for r in ch.itertuples(index=False):
        t = pos.loc[r.school_after]
        ax.plot([r.x, t["x"]], [r.y, t["y"]], color=_MOVE_COLOR, linewidth=0.7, alpha=0.7, linestyle="--", zorder=3)
    handles = []
    for status in reversed(sc.CHANGE_STATUSES):
        g = agg[agg["status"] == status]
        if g.empty:
            continue
        size_pt = 6 if status == "unchanged" else 14 + 0.02 * np.maximum(g["before"], g["after"]).to_numpy(float)
        ax.scatter(g["x"], g["y"], s=size_pt, color=CHANGE_COLORS[status], zorder=4 if status == "unchanged" else 5,
                   edgecolors="white" if status == "unchanged" else "black", linewidths=0.3,
                   alpha=0.5 if status == "unchanged" else 0.9)
        handles.append(Line2D([], [], marker="o", linestyle="", color=CHANGE_COLORS[status], markersize=5,
                              label=vocab.word(status, "change_status")))
    if len(ch):
        handles.append(Line2D([], [], color=_MOVE_COLOR, linestyle="--", linewidth=1, label="村居改到新学校"))
    _zoom(ax, agg[agg["status"] != "unchanged"], ch)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title(f"{result_name(result)}", fontsize=11, fontweight="bold")
    ax.legend(handles=list(reversed(handles)), loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7,
              frameon=False)
    staticmap.add_scale_bar(ax, loc="lower left")
    staticmap.add_north_arrow(ax)
    if ds.synthetic:
        ax.text(0.99, 0.01, vocab.SYNTHETIC_MARK, transform=ax.transAxes, ha="right", va="bottom", fontsize=9,
                color="#C62828", fontweight="bold", zorder=7)
    return fig


#: Margin around what a scenario changes on its static map (metres).
_ZOOM_MARGIN_M = 6000.0  # metres


def _zoom(ax, changed: pd.DataFrame, villages: pd.DataFrame) -> None:
    """Zoom to the schools and 村居 a scenario changes (plus a margin), inside the county's extent."""
    xs = np.r_[changed["x"].to_numpy(float), villages["x"].to_numpy(float)]
    ys = np.r_[changed["y"].to_numpy(float), villages["y"].to_numpy(float)]
    if not len(xs):
        return
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    m = _ZOOM_MARGIN_M
    ax.set_xlim(max(x0, xs.min() - m), min(x1, xs.max() + m))
    ax.set_ylim(max(y0, ys.min() - m), min(y1, ys.max() + m))


# --- location models -----------------------------------------------------------------------------------


@_evaluated
def closure_table(ranking: pd.DataFrame, *, township: str | None = None, max_rows: int | None = None) -> Table:
    """Small schools ranked by the travel their closure would add (:func:`jxedu.planning.optimize.closure_ranking`).

    Parameters
    ----------
    ranking
        The ranking (county-wide; 排序 is the county rank).
    township
        Only the schools of this 镇街.
    max_rows
        Show at most this many rows.

    Returns
    -------
    Table
    """
    df = _scoped(ranking, township)
    cols = ["rank", "name", "township", "school_type", "students", "children", "added_km", "added_m_per_child",
            "added_beyond_walk"]
    notes = ["排序为全县排序；增加的上学路程为单程，负数表示学生改到更近的学校。"]
    if ranking.attrs.get("method") == "straight":
        notes.append(_STRAIGHT_NOTE)
    if "max_students" in ranking.attrs:
        stage = LABELS.get(ranking.attrs.get("stage"), "")
        notes.insert(0, f"小规模学校：{stage}在校生少于 {vocab.fmt(ranking.attrs['max_students'], 'int')} 人"
                        "（设置 small_school_max_students）。")
    return table(df, cols, words=_words(cols), max_rows=max_rows, rest="其余学校关闭后增加的路程更多",
                 notes=notes, empty="没有小规模学校。")


@_evaluated
def site_summary_table(suggestion: SiteSuggestion, *, caption: str = "") -> Table:
    """The key figures of a site suggestion as a two-column table (指标, 数值).

    Parameters
    ----------
    suggestion
        From :func:`jxedu.planning.optimize.suggest_sites`.
    caption
        Title above the table.

    Returns
    -------
    Table
    """
    s = suggestion.summary
    keys = [k for k in ("location_model", "capacitated", "stage", "chosen_sites", "kept_sites", "existing_sites",
                        "new_sites", "candidate_places", "mean_distance_m", "service_radius_m", "within_radius_share",
                        "placed_within_radius_share", "over_capacity", "mip_gap", "solver_status", "k_nearest",
                        "k_binding", "solve_seconds")
            if k in s]
    frame = pd.DataFrame([{"scenario_name": "数值", **{k: s[k] for k in keys}}])
    t = table(frame, ["scenario_name", *keys], words=_words(keys), formats={"mip_gap": "pct1"})
    notes = [f"最优性差距 {vocab.fmt(s.get('mip_gap'), 'pct1')}：所选方案的总路程最多比理论最优长这么多"
             "（0.0% 为已证明最优）。"]
    if s.get("k_binding"):
        notes.append(f"注意：每个村居只考虑最近的 {vocab.fmt(s.get('k_nearest'), 'int')} 处选址，这一限制仍起作用"
                     "（有学生被分到其中最远的一处），结果可能比不设限制的完整模型差；请放宽时间上限后重算。")
    elif "k_binding" in s:
        notes.append(f"每个村居考虑最近的 {vocab.fmt(s.get('k_nearest'), 'int')} 处选址；已检查：这一限制不影响结果。")
    if not s.get("road_layer", True):
        notes.append(_STRAIGHT_NOTE)
    notes.append("选址结果是规划参考：每个建议位置都需要实地核查用地、道路、安全和学区等条件。")
    return _transposed(t, vocab.header("scenario_name"), ["数值"], caption=caption, notes=notes)


def _location(lon, lat) -> list[str]:
    """``经度, 纬度`` with 5 decimals (about 1 m)."""
    return [vocab.MISSING if pd.isna(x) or pd.isna(y) else f"{x:.5f}, {y:.5f}" for x, y in zip(lon, lat, strict=True)]


@_evaluated
def new_sites_table(suggestion: SiteSuggestion) -> Table:
    """The new sites a suggestion chose: named by their nearest 村居 and 镇街, the straight-line
    distance to the nearest road, the position (WGS-84), children assigned and their mean distance.

    Parameters
    ----------
    suggestion
        From :func:`jxedu.planning.optimize.suggest_sites`.

    Returns
    -------
    Table
    """
    df = suggestion.new_sites()
    has_roads = bool(suggestion.summary.get("road_layer", True))
    road = [("无道路数据" if not has_roads else vocab.MISSING) if pd.isna(d) else vocab.fmt(d, "int")
            for d in df["road_m"]]
    df = df.assign(site_location=_location(df["lon"], df["lat"]), road_text=road, site_name=df["name"])
    cols = ["site_id", "site_name", "township", "road_text", "site_location", "pupils", "assigned_mean_m"]
    return table(df, cols, empty="没有选中新址。", notes=[
        "候选点以最近的村居命名，镇街为该村居所在镇街。候选点离现有学校至少 "
        f"{vocab.fmt(suggestion.summary.get('candidate_clearance_m'), 'int')} 米（设置 candidate_clearance_m），"
        "在县域内，也不在不可建设区域内（数据中有“不可建设”图层时）。"])
