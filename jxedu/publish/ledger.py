"""The progress ledger (整改台账, 销号管理): one row per item, re-exported without losing the planner's work.

The county checks its items off one by one (销号管理) until every school and every county item meets
the standard, and keeps checking every year after. :func:`build_ledger` lists the items of one school
year; :func:`write_ledger` writes the print-ready Excel workbook and, when a ledger already exists,
**merges** with it so that what the planner wrote stays.

Items
-----
* County items (镇街 = 全县): every school-stage unit passing the resource indicators (per stage), the
  CV of each stage × indicator, the assurance / quality / county-plan items of
  :func:`jxedu.analysis.assurance.assurance_items` and the evidence checklist of
  :func:`jxedu.analysis.assurance.checklist_items`. All are always listed.
* School items, listed while below target: each school × stage × resource indicator below its
  standard (:func:`jxedu.analysis.shortfalls.shortfalls`, with the amount and action), music and art rooms,
  school size, classes over 45/50 (one row per school; every class on the sheet 超标准班额明细) and
  体育艺术教师 ≥ 0.9 per 100 students per school (per 部 of a school with two 部:
  ``school|<id>|<stage>|plan_pe_art_every_school``, setting ``plan_pe_art_scope``). With the plan-task
  tables: the 双减 checks of each school (``school|<id>|after_school``) and each rural school outside
  every education group or 城乡学校共同体 (``school|<id>|alliance_membership``).

The item key (事项编号)
-----------------------
A stable text key without the year, so that the same item keeps one row across exports and years::

    county|training_completion              county|cv|primary|sports_area_per_student
    county|resource_pass|junior             school|3708281234|primary|sports_area_per_student
    school|3708281234|class_size            school|3708281234|music_rooms

An item that persists from 2024 to 2025 is the same row: its 销号 history stays with it. The year of
the figures is in the column 数据学年 and the sheet title.

Re-export rules (:func:`merge_ledger`)
--------------------------------------
An existing ledger file is **updated in place** (the planner's own workbook is opened, changed and
saved), never rebuilt: comments (批注), formulas, the planner's own columns, rows and sheets, column
widths, the row order, filters, frozen panes and the print area all stay. Only the cells of the
tool's columns whose value changes are written; new items are appended below the last row (styled
like it), and the filter, print area, row colours and the 状态 drop-down are extended to them.

Matched by 事项编号:

* 销号日期, 销号说明 and 备注 are always kept as the planner wrote them (and any column the planner
  added to the sheet).
* The tool's columns (事项, 现状值, 差距, 整改措施, 责任单位 …): a cell the planner changed since the
  tool wrote it (or filled with a formula) is **kept**, and the tool's new value is noted once in 备注
  (``2025-04-01 “整改措施”保留规划人员填写的内容；jxedu 按2024学年数据的建议：…``). What the tool
  wrote is recorded in the very hidden sheet ``_jxedu`` (:class:`LedgerRecord`); in a ledger without
  it (older jxedu) only 整改措施 and 责任单位 are treated so, the other columns follow the data.
* Evidence items (需佐证材料): the status the planner set (已达标 / 未达标 / 已销号 / …) is kept, and so
  is a 现状值 the planner typed in.
* Computed items: the status follows the data (未达标 / 已达标 / 数据不足), except that an item the
  planner closed (已销号) stays closed while the data show it met (or cannot tell) — and is
  **re-opened** (未达标, with a dated note appended to 备注) when the new data show it failing.
* An item of the old ledger that the new data no longer list (a shortfall whose school closed, …)
  is kept, with status 已达标 unless it was 已销号, and a dated note in 备注. Rows the planner added
  with a key of their own (or without a key) are kept unchanged.
* The sheets 说明 and 超标准班额明细 are the tool's: rewritten, unless the planner changed one since —
  then it is kept, renamed ``<name>（<date>前）``, beside the new one.

Deadlines (完成时限, 逾期天数, 挂牌督导)
------------------------------------
* 完成时限: the tool writes the plan's deadline of the item (:func:`jxedu.analysis.deadlines.plan_deadline`);
  a date the planner typed instead is kept like 备注 (no note). A cell that is not a date (``年底前``)
  is kept as typed; every export returns a problem naming the file, sheet, row and column
  (``attrs["problems"]``, printed by ``jxedu ledger``) and 备注 gets a dated note once; its overdue
  days count from the plan's deadline.
* 逾期天数 and 挂牌督导 are computed at every export from the row's 完成时限 and status as of ``as_of``
  (default today; ``jxedu ledger --as-of``): overdue when the date is past the deadline and the status
  is not 已达标/已销号; 挂牌督导 by the rule of :func:`jxedu.analysis.deadlines.supervised`. Both are
  highlighted by conditional formats whose formulas compare the cell with fixed words only.
  Rows the planner added are left as they are.
* A ledger written before these columns existed gets them added right of its last column (its
  layout and print area stay); a column the planner deleted since is not added back.

Text from the data is written as text, never as a formula (:func:`jxedu.core.xlsx.set_cell`): a
school named ``=HYPERLINK("…")`` stays that name.

The file is written atomically (temporary file ``.~jxedu-…xlsx`` + :func:`os.replace`; one left by
an interrupted export is removed by the next); the previous file is copied to ``<name>.bak.xlsx``
first, and to ``<name>.bak-<date>.xlsx`` (never replaced) when it holds what openpyxl cannot carry
over (charts, images, pivot tables, macros). The input data are never modified.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from jxedu.analysis import deadlines
from jxedu.analysis.assessment import Assessment
from jxedu.analysis.assurance import STATUS_EVIDENCE, STATUS_MET, STATUS_NO_DATA, STATUS_NOT_MET
from jxedu.analysis.indicators import KEYS, STAGES
from jxedu.core import responsibility
from jxedu.core import standards as std
from jxedu.core import vocabulary as vocab
from jxedu.core.errors import LedgerError
from jxedu.core.numeric import ceil_count
from jxedu.core.settings import Settings
from jxedu.core.tempfiles import remove_stale, temp_file
from jxedu.core.vocabulary import fmt
from jxedu.core.xlsx import set_cell
from jxedu.ingest.problems import mask_personal
from jxedu.present import assurance as show_assurance
from jxedu.present import indicators as show_indicators
from jxedu.present import plan_tasks as show_plan_tasks

__all__ = [
    "COLUMNS",
    "LEDGER_SHEET",
    "LEDGER_STATUSES",
    "LedgerError",
    "LedgerRecord",
    "build_ledger",
    "ledger_summary",
    "merge_ledger",
    "read_ledger",
    "responsible_units",
    "write_ledger",
]


# --- vocabulary ---------------------------------------------------------------------------------

OPEN = "未达标"
MET = "已达标"
CLOSED = "已销号"
EVIDENCE = "需佐证材料"
NO_DATA = "数据不足"
#: Statuses of a ledger row, in legend order.
LEDGER_STATUSES: tuple[str, ...] = (OPEN, MET, CLOSED, EVIDENCE, NO_DATA)
_FROM_ITEM = {STATUS_MET: MET, STATUS_NOT_MET: OPEN, STATUS_NO_DATA: NO_DATA, STATUS_EVIDENCE: EVIDENCE}

#: Fill colours per status (light fills that print well; text stays black).
STATUS_FILLS: dict[str, str] = {
    OPEN: "FFC7CE",      # light red
    MET: "C6EFCE",       # light green
    CLOSED: "D9D9D9",    # grey
    EVIDENCE: "FFEB9C",  # light yellow
    NO_DATA: "DDEBF7",   # light blue
}
STATUS_MEANING: dict[str, str] = {
    OPEN: "数据显示尚未达到要求，需整改",
    MET: "数据显示已达到要求（尚未销号）",
    CLOSED: "规划人员已核实并销号；若新数据复核未达标将自动重新打开",
    EVIDENCE: "非数据可算事项，需佐证材料，由规划人员填写状态",
    NO_DATA: "数据缺失，无法判断，请补充数据",
}

#: Sheet names.
LEDGER_SHEET = "台账"
README_SHEET = "说明"
CLASS_SHEET = "超标准班额明细"
#: The very hidden sheet holding what the tool last wrote (:class:`LedgerRecord`).
RECORD_SHEET = "_jxedu"
RECORD_VERSION = 1
#: Start of the name of the temporary file of an export (removed by the next export if left behind).
TEMP_PREFIX = ".~jxedu-"

#: Ledger columns: English key -> Chinese header, in sheet order.
COLUMNS: dict[str, str] = {
    "seq": "序号",
    "category": "类别",
    "township": "镇街",
    "school": "学校",
    "item": "事项",
    "requirement": "指标/要求",
    "value": "现状值",
    "target": "目标值",
    "gap": "差距",
    "action": "整改措施",
    "responsible": "责任单位",
    "deadline": "完成时限",
    "status": "状态",
    "overdue_days": "逾期天数",
    "supervision": "挂牌督导",
    "closed_on": "销号日期",
    "closed_note": "销号说明",
    "remarks": "备注",
    "key": "事项编号",
    "data_year": "数据学年",
}
#: Columns the planner writes; never overwritten by a re-export.
PLANNER_COLUMNS: tuple[str, ...] = ("closed_on", "closed_note", "remarks")
_WIDTHS = {"seq": 5, "category": 10, "township": 9, "school": 16, "item": 20, "requirement": 16, "value": 9,
           "target": 9, "gap": 24, "action": 28, "responsible": 18, "deadline": 11, "status": 9,
           "overdue_days": 7, "supervision": 7, "closed_on": 11, "closed_note": 18, "remarks": 20, "key": 44,
           "data_year": 8}  # characters
_PRINT_LAST = "remarks"  # the print area ends here (事项编号 and 数据学年 are for matching, not printing)
_FREEZE = "E4"           # header rows and 序号…学校 stay visible
_HEADER_ROW = 3          # rows 1–2: title and subtitle
_OUR_PREFIXES = ("county|", "school|")

CATEGORY_RESOURCE = "资源配置"
CATEGORY_CV = "资源配置（校际差异系数）"
_CATEGORY_ORDER = {CATEGORY_RESOURCE: 0, CATEGORY_CV: 1, "政府保障程度": 2, "教育质量": 3, "社会认可度": 4,
                   "县域规划目标": 5}

_EVIDENCE_ACTION = "收集、整理佐证材料，核实后在台账中填写状态"
_KEEP_ACTION = "巩固成果，持续监测"


# --- responsible units --------------------------------------------------------------------------


def responsible_units() -> pd.DataFrame:
    """The responsible-unit table (:func:`jxedu.core.responsibility.responsible_units`)."""
    return responsibility.responsible_units()


def _responsible(key: str, township: str | None) -> str:
    return responsibility.responsible(key, township)


# --- building the items -------------------------------------------------------------------------


def _thr(key: str, stage: str = "all") -> float:
    return std.threshold(key, stage)


def _stage(code: str) -> str:
    return vocab.word(code)


def _row(key: str, category: str, item: str, *, township: str = vocab.COUNTY, school: str = "", requirement: str = "",
         value=np.nan, target=np.nan, gap: str = "", action: str = "", responsible: str = "", status: str,
         year: int, evidence: bool = False, listed: bool = True, order: tuple = ()) -> dict:
    return {"key": key, "category": category, "township": township, "school": school, "item": item,
            "requirement": requirement, "value": value, "target": target, "gap": gap, "action": action,
            "responsible": responsible, "deadline": None, "status": status, "overdue_days": None,
            "supervision": None, "closed_on": None, "closed_note": None,
            "remarks": None, "data_year": year, "evidence": evidence, "listed": listed, "_order": order}


def _township_rank(a: Assessment) -> dict[str, int]:
    return {t: i for i, t in enumerate(a.townships)}


def _county_rows(a: Assessment) -> list[dict]:
    rows = []
    items = show_assurance.item_texts(pd.concat([a.assurance, a.checklist], ignore_index=True), a.settings)
    for i, it in enumerate(items.itertuples(index=False)):
        status = _FROM_ITEM[it.status]
        evidence = bool(it.evidence) or status == EVIDENCE
        if evidence:
            action = _EVIDENCE_ACTION
        elif status == MET:
            action = _KEEP_ACTION
        else:
            action = show_assurance.item_action(it.item_key, a.settings)
        category = vocab.word(it.category, "item_category")
        rows.append(_row(
            f"county|{it.item_key}", category, show_assurance.item_short(it.item_key),
            requirement=it.item_name, value=it.value, target=it.target,
            gap="；".join(t for t in (it.gap, it.detail) if t), action=action,
            responsible=_responsible(it.item_key, None), status=status, year=a.year, evidence=evidence,
            order=(0, _CATEGORY_ORDER.get(category, 9), i)))
    return rows


def _resource_rows(a: Assessment, include_passing: bool) -> list[dict]:
    ind, bal, year = a.indicators, a.balance, a.year
    rows: list[dict] = []
    stage_order = {st: i for i, st in enumerate(STAGES)}
    key_order = {k: i for i, k in enumerate(KEYS)}
    pass_min = int(_thr("pass_min_indicators"))
    floor = _thr("pass_floor_ratio")

    # county: every unit passes, per stage
    for st in STAGES:
        sub = ind[ind["stage"] == st]
        n, ok = len(sub), int(sub["passes"].sum())
        share = 100.0 * ok / n if n else np.nan
        rows.append(_row(
            f"county|resource_pass|{st}", CATEGORY_RESOURCE, f"资源配置达标学校（{_stage(st)}）",
            requirement=f"每所学校（学部）7项指标至少{pass_min}项达到标准，其余不低于标准的{floor:.0%}",
            value=round(share, 1) if n else np.nan, target=100.0,
            gap=f"{n - ok} 个学校（学部）未达标（共 {n} 个）" if n > ok else f"共 {n} 个学校（学部）全部达标",
            action=("逐校补齐短板（明细见学校事项，标“学部达标最低整改项”者优先）" if n > ok else _KEEP_ACTION),
            responsible=_responsible("resource_pass", None),
            status=(NO_DATA if not n else (MET if ok == n else OPEN)), year=year,
            order=(0, 0, stage_order[st])))

    # county: CV per stage x indicator
    fixes = a.cv_fixes if len(bal) else pd.DataFrame()
    fix_texts = show_indicators.cv_fix_texts(fixes) if len(fixes) else pd.Series(dtype=object)
    for b in bal.itertuples(index=False):
        sel = (fixes["stage"] == b.stage) & (fixes["key"] == b.key) if len(fixes) else pd.Series(dtype=bool)
        first = fix_texts[sel].iloc[0] if len(fixes) and sel.any() else None
        if b.within_limit:
            action = _KEEP_ACTION + ("；已接近上限：" + first if first else "")
        elif first:
            action = "可选方案：" + first
        else:
            action = "资源向低于县域均值的学校倾斜"
        st_zh = _stage(b.stage)
        rows.append(_row(
            f"county|cv|{b.stage}|{b.key}", CATEGORY_CV, f"{vocab.field(b.key).label}差异系数（{st_zh}）",
            requirement=f"{st_zh}校际差异系数≤{fmt(b.cv_limit, 'dec2')}", value=round(b.cv, 3), target=b.cv_limit,
            gap=(f"县域均值 {fmt(b.county_mean, 'dec2')}" + ("" if b.within_limit else f"；超出上限 {fmt(b.cv - b.cv_limit, 'dec3')}")),
            action=action, responsible=_responsible("cv", None),
            status=(NO_DATA if pd.isna(b.cv) else (MET if b.within_limit else OPEN)), year=year,
            order=(0, 1, stage_order[b.stage] * 10 + key_order[b.key])))

    # schools: every unit x indicator below the standard
    sf = a.shortfalls
    actions = show_indicators.action_texts(sf)
    units_std = {(r.key, r.stage): r.unit for r in std.standards().itertuples()}
    seen = set()
    n_met = dict(zip(zip(ind["school_id"], ind["stage"]), ind["indicators_met"]))
    for r, act in zip(sf.itertuples(index=False), actions, strict=True):
        st_zh = _stage(r.stage)
        unit_std = units_std.get((r.key, r.stage), "")
        gap = ("缺少办学条件数据" if pd.isna(r.value) else
               f"达到标准的 {fmt(r.ratio, 'pct1')}" + ("，低于85%底线" if r.under_floor else ""))
        gap += f"；该学部7项中{int(n_met[(r.school_id, r.stage)])}项达标，学部{'已' if r.unit_passes else '未'}达标"
        action = act + ("（学部达标最低整改项）" if r.in_pass_plan else "")
        key = f"school|{r.school_id}|{r.stage}|{r.key}"
        seen.add(key)
        rows.append(_row(
            key, CATEGORY_RESOURCE, f"{vocab.field(r.key).label}（{st_zh}）", township=r.township, school=r.name,
            requirement=f"≥{r.threshold:g} {unit_std}", value=round(float(r.value), 2) if pd.notna(r.value) else np.nan,
            target=float(r.threshold), gap=gap, action=action, responsible=_responsible(r.key, r.township),
            status=NO_DATA if pd.isna(r.value) else OPEN, year=year,
            order=(1, r.township, r.school_id, stage_order[r.stage] * 10 + key_order[r.key])))
    if include_passing:
        from jxedu.analysis.indicators import indicators_long

        long = indicators_long(ind)
        for r in long[long["met"].astype(bool)].itertuples(index=False):
            key = f"school|{r.school_id}|{r.stage}|{r.key}"
            if key in seen:
                continue
            rows.append(_row(
                key, CATEGORY_RESOURCE, f"{vocab.field(r.key).label}（{_stage(r.stage)}）", township=r.township,
                school=r.name, requirement=f"≥{r.threshold:g} {units_std.get((r.key, r.stage), '')}",
                value=round(float(r.value), 2), target=float(r.threshold), action=_KEEP_ACTION,
                responsible=_responsible(r.key, r.township), status=MET, year=year, listed=False,
                order=(1, r.township, r.school_id, stage_order[r.stage] * 10 + key_order[r.key])))
    return rows


def _school_rows(a: Assessment, include_passing: bool) -> list[dict]:
    rows: list[dict] = []
    ds, year, tables = a.ds, a.year, a.school_tables

    def add(r: dict) -> None:
        if r["listed"] or include_passing:
            rows.append(r)

    rooms = tables["rooms"]
    for r in rooms.itertuples(index=False):
        for kind, zh, area in (("music", "音乐", r.music_area_min), ("art", "美术", r.art_area_min)):
            ok_rooms = getattr(r, f"{kind}_rooms_ok")
            short = getattr(r, f"{kind}_short")
            known = pd.notna(ok_rooms)
            status = NO_DATA if not known else (OPEN if short > 0 else MET)
            relax = show_assurance.rooms_relaxation_text(r)
            note = f"；适用放宽：{relax}" if relax else ""
            add(_row(
                f"school|{r.school_id}|{kind}_rooms", "政府保障程度", f"{zh}专用教室（政府保障第3项）",
                township=r.township, school=r.name,
                requirement=f"每{_thr('room_classes_per_room'):g}个班1间以上（本校{int(r.classes)}个班需{int(r.rooms_needed)}间），每间≥{area:g}㎡",
                value=float(ok_rooms) if known else np.nan, target=float(r.rooms_needed),
                gap=(f"缺 {int(short)} 间（现有 {int(getattr(r, f'{kind}_rooms'))} 间，面积达标 {int(ok_rooms)} 间）{note}"
                     if known and short > 0 else (show_assurance.room_source_text(r.source) if not known
                                                  else note.lstrip("；"))),
                action=(f"新建或改造{zh}专用教室 {int(short)} 间（每间≥{area:g}㎡）" if status == OPEN
                        else ("补充专用教室数据" if status == NO_DATA else _KEEP_ACTION)),
                responsible=_responsible(f"{kind}_rooms", r.township), status=status, year=year,
                listed=status != MET, order=(1, r.township, r.school_id, 100 + (kind == "art"))))

    sizes = tables["sizes"]
    for r in sizes.itertuples(index=False):
        status = MET if r.meets else OPEN
        relax = show_assurance.size_relaxation_text(r)
        add(_row(
            f"school|{r.school_id}|school_size", "政府保障程度", "学校规模（政府保障第4项）", township=r.township,
            school=r.name, requirement=f"义务教育阶段在校生≤{r.cap:g}人" + (f"（放宽：{relax}）" if relax else ""),
            value=float(r.students), target=float(r.cap), gap=f"超出 {int(r.excess)} 人" if r.excess > 0 else "",
            action=(f"通过新建、扩建学校或调整学区分流学生约 {int(r.excess)} 人" if status == OPEN else _KEEP_ACTION),
            responsible=_responsible("school_size", r.township), status=status, year=year, listed=status != MET,
            order=(1, r.township, r.school_id, 110)))

    oc = a.oversize_classes if ds.classes is not None else pd.DataFrame()
    if ds.classes is not None:
        sch = tables["schools"]
        by_school = {sid: g for sid, g in oc.groupby("school_id")} if len(oc) else {}
        for r in sch.itertuples(index=False):
            g = by_school.get(r.school_id)
            n = 0 if g is None else len(g)
            status = OPEN if n else MET
            if g is not None:
                listing = "、".join(f"{c.grade}年级{c.class_name} {int(c.students)}人" for c in g.head(6).itertuples())
                gap = (f"超标准班额 {n} 个，共超出 {int(g['excess'].sum())} 人，最大 {int(g['students'].max())} 人："
                       f"{listing}{'等' if n > 6 else ''}")
                action = f"增设班级、调整招生计划或学区，化解超标准班额 {n} 个（约需增加 {_extra_classes(g)} 个班）"
            else:
                gap, action = "", _KEEP_ACTION
            add(_row(
                f"school|{r.school_id}|class_size", "政府保障程度", "班额（政府保障第5项）", township=r.township,
                school=r.name, requirement=f"小学每班≤{_thr('class_size_max', 'primary'):g}人、初中每班≤{_thr('class_size_max', 'junior'):g}人", value=float(n), target=0.0, gap=gap,
                action=action, responsible=_responsible("class_size", r.township), status=status, year=year,
                listed=status != MET, order=(1, r.township, r.school_id, 120)))

    pe = tables["pe_art"]
    for r in pe.itertuples(index=False):
        status = MET if r.meets else OPEN
        add(_row(
            r.ledger_key, "县域规划目标", "体育艺术专任教师配备（县实施方案）",
            township=r.township, school=r.name if r.stage is None else f"{r.name}（{_stage(r.stage)}）",
            requirement=(f"全校每百名学生≥{r.target:g}人" if r.stage is None
                         else f"{_stage(r.stage)}每百名学生≥{r.target:g}人"),
            value=round(float(r.per_100), 2), target=float(r.target),
            gap=f"缺 {int(r.short_teachers)} 人（现有 {int(r.pe_art_teachers)} 人，在校生 {int(r.students)} 人）"
            if status == OPEN else "",
            action=f"补充体育、艺术专任教师 {int(r.short_teachers)} 人" if status == OPEN else _KEEP_ACTION,
            responsible=_responsible("plan_pe_art_every_school", r.township), status=status, year=year,
            listed=status != MET, order=(1, r.township, r.school_id, 130 + (r.stage == "junior"))))
    return rows


def _plan_task_rows(a: Assessment, include_passing: bool) -> list[dict]:
    """School items of the plan's further tasks: the 双减 checks per school (课后服务与作业) and the rural
    schools outside every education group or 城乡学校共同体 (集团化与联盟); none without their table."""
    rows: list[dict] = []
    year = a.year
    if a.missing("after_school") is None:
        limit = a.settings.after_school_participation_min
        for r in a.after_school.itertuples(index=False):
            status = NO_DATA if pd.isna(r.meets) else (MET if bool(r.meets) else OPEN)
            if status == MET and not include_passing:
                continue
            gaps, acts = [], []
            if pd.notna(r.offers) and not bool(r.offers):
                gaps.append("未开展课后服务")
                acts.append("开展课后服务")
            elif pd.notna(r.meets_participation) and not bool(r.meets_participation):
                gaps.append(f"课后服务参与率 {fmt(r.participation, 'pct1')}")
                acts.append("提高课后服务参与率")
            if pd.notna(r.homework_published) and not bool(r.homework_published):
                gaps.append("未公示作业")
                acts.append("建立作业公示制度")
            if r.grades_over:
                gaps.append(f"{show_plan_tasks.grades_text(r.grades_over)}书面作业超时（最多超出 {int(r.worst_excess)} 分钟）")
                acts.append("压减书面作业总量和时长")
            rows.append(_row(
                f"school|{r.school_id}|after_school", "教育质量", "课后服务与作业（“双减”）", township=r.township,
                school=r.name, requirement=(f"开展课后服务，参与率≥{100 * limit:g}%；公示作业；书面作业一二年级不布置、"
                                            f"三至六年级≤{_thr('homework_minutes_max', 'primary_upper'):g}分钟、"
                                            f"初中≤{_thr('homework_minutes_max', 'junior'):g}分钟"),
                value=np.nan if pd.isna(r.participation) else round(100 * float(r.participation), 1),
                target=100 * limit, gap="；".join(gaps) if gaps else ("课后服务与作业数据不全" if status == NO_DATA else ""),
                action="、".join(acts) if acts else (_KEEP_ACTION if status == MET else "补充课后服务与作业数据"),
                responsible=_responsible("after_school_schools", r.township), status=status, year=year,
                listed=status != MET, order=(1, r.township, r.school_id, 140)))
    if a.missing("alliance_coverage") is None:
        for r in a.alliance_coverage.itertuples(index=False):
            status = MET if r.covered else OPEN
            if status == MET and not include_passing:
                continue
            rows.append(_row(
                f"school|{r.school_id}|alliance_membership", "县域规划目标", "加入教育集团或城乡学校共同体（县实施方案）",
                township=r.township, school=r.name, requirement="农村中小学全部纳入教育集团或城乡学校共同体",
                value=float(len(r.alliances)), target=1.0, gap="" if r.covered else "尚未加入任何教育集团或城乡学校共同体",
                action=_KEEP_ACTION if r.covered else "纳入本镇街城乡学校共同体或就近的教育集团",
                responsible=_responsible("alliance_membership", r.township), status=status, year=year,
                listed=status != MET, order=(1, r.township, r.school_id, 150)))
    return rows


def _extra_classes(g: pd.DataFrame) -> int:
    """Classes to add per grade so that no class exceeds the limit (students spread evenly)."""
    total = 0
    for _, grade in g.groupby(["stage", "grade"]):
        n, limit = float(grade["students"].sum()), float(grade["limit"].iloc[0])
        total += max(0, ceil_count(n / limit) - len(grade))
    return total


def build_ledger(a: Assessment, *, include_passing: bool = False,
                 as_of: dt.date | str | None = None) -> pd.DataFrame:
    """The ledger items of the assessment's school year.

    Parameters
    ----------
    a
        The assessment (:func:`jxedu.assess`): every figure of the ledger is read from it.
    include_passing
        Also return school items that meet their target (``listed`` False). :func:`write_ledger`
        uses them to update items of an older ledger that now pass; they are not written otherwise.
    as_of
        The date that counts as today for 逾期天数 and 挂牌督导 (:func:`jxedu.analysis.deadlines.as_of_date`:
        default ``$JXEDU_AS_OF``, else today).

    Returns
    -------
    pandas.DataFrame
        English columns of :data:`COLUMNS` (without ``seq``) plus ``evidence`` (the planner sets the
        status) and ``listed`` (written even without an older ledger). ``deadline`` is the plan's
        (:func:`jxedu.analysis.deadlines.plan_deadline`), ``overdue_days`` the days past it as of
        ``as_of`` (``None`` when not overdue), ``supervision`` :data:`SUPERVISED` or ``None``.
        ``attrs`` holds ``year``, ``source`` (file or folder name), ``synthetic``, ``county``,
        ``as_of``, ``plan_deadline`` and the 挂牌督导 settings. The class-by-class list of the workbook
        comes from :func:`ledger_details`.
    """
    rows = _county_rows(a)
    rows += _resource_rows(a, include_passing)
    rows += _school_rows(a, include_passing)
    rows += _plan_task_rows(a, include_passing)
    df = pd.DataFrame(rows)
    rank = _township_rank(a)
    df["_sort"] = [(o[0], 0, "", o[1], o[2]) if o[0] == 0 else (o[0], rank.get(o[1], 99), str(o[2]), o[3], 0)
                   for o in df["_order"]]
    df = df.sort_values("_sort", kind="stable").drop(columns=["_order", "_sort"]).reset_index(drop=True)
    for c in ("value", "target"):
        df[c] = df[c].astype(float)
    df["deadline"] = [deadlines.plan_deadline(a, deadline_key(k)) for k in df["key"]]
    df.attrs.update({"year": int(a.year), "source": str(Path(a.ds.source).name), "synthetic": bool(a.ds.synthetic),
                     "county": a.county_name, "plan_documents": list(a.ds.plan_documents),
                     "as_of": deadlines.as_of_date(as_of),
                     "plan_deadline": deadlines.plan_deadline(a),
                     "supervision_overdue_days": int(a.settings.supervision_overdue_days),
                     "supervision_after_plan_deadline": bool(a.settings.supervision_after_plan_deadline)})
    marks = [_deadline_marks(st, d, df.attrs) for st, d in zip(df["status"], df["deadline"], strict=True)]
    df["overdue_days"] = pd.array([m[0] for m in marks], dtype=object)
    df["supervision"] = pd.array([m[1] for m in marks], dtype=object)
    return df


def deadline_key(key: str) -> str:
    """The key of an item's deadline and responsible unit from its 事项编号: ``county|cv|primary|…`` →
    ``cv``, ``county|class_size`` → ``class_size``, ``school|…|primary|sports_area_per_student`` →
    ``sports_area_per_student``, ``school|…|music_rooms`` → ``music_rooms``."""
    parts = str(key).split("|")
    return parts[1] if parts[0] == "county" and len(parts) > 1 else parts[-1]


#: 挂牌督导 column: the word of an item listed for supervision (blank otherwise).
SUPERVISED = "是"
#: Statuses of a finished item: never 逾期.
DONE_STATUSES: tuple[str, ...] = (MET, CLOSED)


def _deadline_marks(status, deadline, attrs: dict) -> tuple[int | None, str | None]:
    """(逾期天数, 挂牌督导) of an item with this status and deadline, as of ``attrs["as_of"]``."""
    if status in DONE_STATUSES:
        return None, None
    as_of = attrs.get("as_of") or dt.date.today()
    days = deadlines.overdue_days(deadline, as_of)
    base = Settings()  # the documented defaults, for a frame without the attrs of build_ledger
    rule = SimpleNamespace(
        supervision_overdue_days=attrs.get("supervision_overdue_days", base.supervision_overdue_days),
        supervision_after_plan_deadline=attrs.get("supervision_after_plan_deadline",
                                                  base.supervision_after_plan_deadline))
    plan_end = attrs.get("plan_deadline")
    return days, (SUPERVISED if deadlines.supervised(days, as_of=as_of, plan_deadline=plan_end, settings=rule)
                  else None)


def ledger_details(a: Assessment) -> dict[str, pd.DataFrame]:
    """Detail sheets of the workbook: ``{"超标准班额明细": every class over the limit}`` (Chinese headers)."""
    if a.ds.classes is None:
        return {}
    oc = a.oversize_classes
    shown = oc.assign(stage=[_stage(s) for s in oc["stage"]], band=[vocab.word(b, "class_band") for b in oc["band"]])
    return {CLASS_SHEET: shown.rename(columns={
        "school_id": "学校标识码", "name": "学校", "township": "镇街", "stage": "学段", "grade": "年级",
        "class_name": "班级", "students": "学生数", "limit": "班额上限", "excess": "超出人数", "band": "班额分级",
    })}


# --- merging with an older ledger ---------------------------------------------------------------


def _blank(x) -> bool:
    """True for an empty cell: None, NaN, NaT, <NA> or a string of blanks."""
    if x is None:
        return True
    if isinstance(x, str):
        return not x.strip()
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):  # array-like values are not blank
        return False


def _append(text, note: str) -> str:
    return note if _blank(text) else f"{text}；{note}"


def _number(x) -> float | None:
    if isinstance(x, bool):
        return None
    if isinstance(x, (int, float, np.integer, np.floating)):
        return float(x)
    if isinstance(x, str):
        try:
            return float(x.strip().replace(",", ""))
        except ValueError:
            return None
    return None


def _same(a, b) -> bool:
    """Whether two cell contents are the same for a planner (blank = blank, 92.5 = "92.5", spaces
    around text ignored)."""
    if _blank(a) or _blank(b):
        return _blank(a) and _blank(b)
    fa, fb = _number(a), _number(b)
    if fa is not None and fb is not None:
        return math.isclose(fa, fb, rel_tol=1e-9, abs_tol=1e-9)
    dates = (dt.date, dt.datetime, pd.Timestamp)
    if isinstance(a, dates) and isinstance(b, dates):
        return pd.Timestamp(a) == pd.Timestamp(b)
    return str(a).strip() == str(b).strip()


def _shown(v) -> str:
    """A value as the note about a suggestion shows it."""
    if _blank(v):
        return "（空）"
    f = _number(v)
    if f is not None and not isinstance(v, str):
        return f"{f:g}"
    return str(v)


#: Tool-written columns in which a planner's edit is detected (against what the tool last wrote),
#: kept, and the tool's new value noted in 备注.
EDITABLE_COLUMNS: tuple[str, ...] = ("category", "township", "school", "item", "requirement", "value", "target",
                                     "gap", "action", "responsible", "deadline", "data_year")
#: The tool's suggestions: a planner's text there is kept even when the ledger has no record of
#: what the tool wrote (a ledger of an older jxedu).
SUGGESTED_COLUMNS: tuple[str, ...] = ("action", "responsible")
#: The tool writes the plan's deadline; a 完成时限 the planner typed is theirs: kept like 备注, without a
#: note (a cell that is not a date gets one, :func:`_apply_deadlines`).
DEADLINE = "deadline"
#: Columns the tool computes from the deadline, the status and the date (rewritten at every export).
COMPUTED_COLUMNS: tuple[str, ...] = ("overdue_days", "supervision")
#: Tool columns of the ledgers of jxedu before 完成时限 (a ledger without them gets them added).
_COLUMNS_BEFORE_DEADLINES: tuple[str, ...] = tuple(c for c in COLUMNS if c not in (DEADLINE, *COMPUTED_COLUMNS))
_MISSING = object()


@dataclass
class LedgerRecord:
    """What jxedu last wrote into a ledger, kept in the workbook's very hidden sheet ``_jxedu``.

    Attributes
    ----------
    written
        Item key -> column -> the tool's value (what it wrote, or suggested where the planner's
        edit was kept).
    noted
        Item key -> column -> the suggestion already noted in 备注 (noted once, not at every export).
    sheets
        Tool-owned sheet name -> fingerprint of its cells as written (a sheet the planner changed is
        kept under another name instead of being replaced).
    cells
        ``"title"``, ``"subtitle"`` -> the text written (rewritten only while unchanged);
        ``"columns"`` -> the tool columns the sheet had (a column missing from it is the planner's
        choice; one missing from a ledger without this entry is added, :func:`_add_columns`).
    """

    written: dict[str, dict[str, object]] = field(default_factory=dict)
    noted: dict[str, dict[str, object]] = field(default_factory=dict)
    sheets: dict[str, str] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)

    @property
    def known(self) -> bool:
        """Whether the ledger had a record (written by this version of jxedu)."""
        return bool(self.written or self.sheets)


@dataclass
class _Row:
    """One row to write: its values, the sheet row it came from and the cells to (re)write."""

    values: dict
    source: int | None = None
    dirty: set = field(default_factory=set)
    key: str | None = None
    notes: list = field(default_factory=list)
    prev: dict | None = None  # the row as the older ledger had it

    def note(self, text: str) -> None:
        """Append a dated note to 备注."""
        self.values["remarks"] = _append(self.values.get("remarks"), text)
        self.notes.append(text)
        self.dirty.add("remarks")


def _merge(new: pd.DataFrame, prev: pd.DataFrame | None, *, record: LedgerRecord, formulas: set,
           today: dt.date) -> tuple[list[_Row], dict, LedgerRecord]:
    """The merge rules (module docstring) row by row.

    Returns the rows in the order of the old sheet (new items appended in the tool's order), the
    counts, and the record of what the tool wrote or suggests now.
    """
    year = new.attrs.get("year", "")
    stamp = f"{today:%Y-%m-%d}"
    out_record = LedgerRecord()
    counts = {"matched": 0, "kept": 0, "reopened": 0, "retired": 0, "overridden": 0}
    all_cols = [c for c in COLUMNS if c != "seq"]
    if prev is None or prev.empty:
        rows = []
        for rec in new[new["listed"].astype(bool)].to_dict("records"):
            rows.append(_Row(rec, None, set(all_cols), rec["key"]))
            out_record.written[rec["key"]] = {c: rec.get(c) for c in EDITABLE_COLUMNS}
        return rows, counts, out_record

    extras = [c for c in prev.columns if c not in COLUMNS and c not in ("evidence", "listed", "_row")]
    new_by_key = {r["key"]: r for r in new.to_dict("records")}
    seen: set[str] = set()
    rows: list[_Row] = []
    for p in prev.to_dict("records"):
        src = p.get("_row")
        src = None if _blank(src) else int(src)
        key = p.get("key")
        key = str(key).strip() if not _blank(key) else None
        if key is None or key in seen:  # rows we cannot match: kept unchanged
            rows.append(_Row({c: p.get(c) for c in prev.columns if c != "_row"}, src, set(), None))
            continue
        seen.add(key)
        r = new_by_key.get(key)
        if r is None:
            rows.append(_retired(p, src, key, stamp, year, counts, record, out_record))
            continue
        rows.append(_matched(r, p, src, key, extras, stamp, year, counts, record, formulas, out_record))
    for rec in new.to_dict("records"):
        if rec["key"] in seen or not bool(rec["listed"]):
            continue
        rows.append(_Row(rec, None, set(all_cols), rec["key"]))
        out_record.written[rec["key"]] = {c: rec.get(c) for c in EDITABLE_COLUMNS}
    return rows, counts, out_record


def _retired(p: dict, src, key: str, stamp: str, year, counts: dict, record: LedgerRecord,
             out_record: LedgerRecord) -> _Row:
    """An item of the old ledger that the new data no longer list."""
    row = _Row({c: p.get(c) for c in p if c != "_row"}, src, set(), key, prev=p)
    if key in record.written:
        out_record.written[key] = record.written[key]
        out_record.noted[key] = record.noted.get(key, {})
    if key.startswith(_OUR_PREFIXES):
        counts["retired"] += 1
        st = row.values.get("status")
        if st != CLOSED:
            if st != MET:
                row.note(f"{stamp} {year}学年数据中已无此事项，状态改为已达标")
            row.values["status"] = MET
            row.dirty.add("status")
    return row


def _matched(r: dict, p: dict, src, key: str, extras: list[str], stamp: str, year, counts: dict,
             record: LedgerRecord, formulas: set, out_record: LedgerRecord) -> _Row:
    """An item in both: the planner's columns and edits kept, the tool's columns updated."""
    counts["matched"] += 1
    values = dict(r)
    for c in (*PLANNER_COLUMNS, *extras):
        values[c] = p.get(c)
    counts["kept"] += any(not _blank(p.get(c)) for c in (*PLANNER_COLUMNS, *extras))
    row = _Row(values, src, set(), key, prev=p)
    last = record.written.get(key, {})
    noted_before = record.noted.get(key, {})
    written, noted = {}, {}
    evidence = bool(r.get("evidence"))
    for c in EDITABLE_COLUMNS:
        new, cur = r.get(c), p.get(c)
        written[c] = new
        prev_written = last.get(c, _MISSING)
        if (src, c) not in formulas:
            if _same(cur, new):
                continue  # nothing to change (the cell, its style and comment stay as they are)
            if _blank(cur) or (prev_written is not _MISSING and _same(cur, prev_written)):
                row.dirty.add(c)  # the tool's own earlier value: updated
                continue
            if (prev_written is _MISSING and c not in SUGGESTED_COLUMNS and c != DEADLINE
                    and not (evidence and c == "value")):
                row.dirty.add(c)  # no record (older ledger): data columns follow the data, as before
                continue
        # the planner wrote this cell (or a formula): it stays; the tool's new value is noted once
        values[c] = cur
        if c == DEADLINE:
            continue  # the planner's deadline: kept without a note (_apply_deadlines checks it is a date)
        counts["overridden"] += 1
        if _blank(new) or _same(new, noted_before.get(c)):
            if c in noted_before:
                noted[c] = noted_before[c]
            continue
        row.note(f"{stamp} “{COLUMNS[c]}”保留规划人员填写的内容；jxedu 按{year}学年数据的"
                 f"{'建议' if c in SUGGESTED_COLUMNS else '数值'}：{_shown(new)}")
        noted[c] = new
    out_record.written[key] = written
    if noted:
        out_record.noted[key] = noted
    _merge_status(row, r, p, stamp, year, counts)
    return row


def _merge_status(row: _Row, r: dict, p: dict, stamp: str, year, counts: dict) -> None:
    values = row.values
    pst = p.get("status")
    pst = pst.strip() if isinstance(pst, str) else pst
    if not _blank(pst) and pst not in LEDGER_STATUSES:
        row.note(f"{stamp} 原状态“{pst}”无法识别，已按数据重置")
        pst = None
    status = r["status"]
    if bool(r.get("evidence")):
        if not _blank(pst):
            status = pst
    elif pst == CLOSED:
        if r["status"] == OPEN:
            row.note(f"{stamp} 复核未达标（{year}学年数据），重新打开")
            counts["reopened"] += 1
        else:
            status = CLOSED
    values["status"] = status
    if not _same(status, p.get("status")):
        row.dirty.add("status")


def _apply_deadlines(rows: list[_Row], *, attrs: dict, record: LedgerRecord, out_record: LedgerRecord,
                     where: tuple[str, str], stamp: str) -> list[str]:
    """逾期天数 and 挂牌督导 of the merged rows, from each row's 完成时限 (the planner's where they typed one)
    and status, as of ``attrs["as_of"]``; returns the problems found.

    Rows the planner added (a key of their own, or none) stay as they are. A 完成时限 that is not a
    date is kept as the planner wrote it; the item's overdue days are counted from the plan's deadline
    instead, a problem (file, sheet, row, column, what was expected) is returned at every export and a
    dated note is added to 备注 once.
    """
    problems = []
    file, sheet = where
    for row in rows:
        key = row.key
        if key is None or not key.startswith(_OUR_PREFIXES):
            continue
        v = row.values
        cell = v.get(DEADLINE)
        d = deadlines.parse_date(cell)
        if d is None and not _blank(cell):
            d = deadlines.parse_date(out_record.written.get(key, {}).get(DEADLINE))
            shown = f"{d:%Y-%m-%d}" if d is not None else "（无）"
            text = mask_personal(str(cell).strip())[:40]
            at = f"第{row.source}行" if row.source is not None else ""
            problems.append(f"{file + ' ' if file else ''}工作表“{sheet}”{at}“{COLUMNS[DEADLINE]}”列：“{text}”不是日期"
                            f"（应为日期，如 2025-09-30）；已保留原内容，逾期天数按规划目标时限 {shown} 计算")
            noted = record.noted.get(key, {}).get(DEADLINE, _MISSING)
            if noted is _MISSING or not _same(cell, noted):
                row.note(f"{stamp} “{COLUMNS[DEADLINE]}”“{text}”不是日期，已保留；逾期天数按规划目标时限 {shown} 计算，"
                         "请改填日期（如 2025-09-30）")
            out_record.noted.setdefault(key, {})[DEADLINE] = cell
        days, supervision = _deadline_marks(v.get("status"), d, attrs)
        prev = row.prev or {}
        for c, new in (("overdue_days", days), ("supervision", supervision)):
            v[c] = new
            if row.source is None or not _same(new, prev.get(c)):
                row.dirty.add(c)
    return problems


def _rows_frame(rows: list[_Row], extras: list[str], attrs: dict, counts: dict) -> pd.DataFrame:
    out = pd.DataFrame([r.values for r in rows])
    for c in (*COLUMNS, *extras):
        if c not in out.columns:
            out[c] = None
    out = out[[c for c in COLUMNS if c != "seq"] + extras + [c for c in ("evidence", "listed") if c in out.columns]]
    out.attrs.update(attrs, **counts, extras=extras)
    return out.reset_index(drop=True)


def merge_ledger(new: pd.DataFrame, previous: pd.DataFrame | None, *, today: dt.date | None = None,
                 record: LedgerRecord | None = None, as_of: dt.date | str | None = None) -> pd.DataFrame:
    """Merge freshly built items with an older ledger (the rules of the module docstring).

    Parameters
    ----------
    new
        :func:`build_ledger` output (with ``include_passing=True`` so that older items that now pass
        get their current values).
    previous
        :func:`read_ledger` output, or ``None``.
    today
        Date written in automatic notes (default: today).
    record
        What the tool last wrote (:class:`LedgerRecord`, from the ledger file); ``None`` = no record.
    as_of
        The date of 逾期天数 and 挂牌督导 (default: ``new.attrs["as_of"]``, else ``today``).

    Returns
    -------
    pandas.DataFrame
        The rows to write, in the order of ``previous`` with new items after them: English columns,
        plus any extra column of the older sheet. ``attrs`` holds ``matched`` (rows found in the older
        ledger), ``kept`` (of those, rows with something the planner wrote), ``reopened``,
        ``retired`` (older items no longer in the data), ``overridden`` (cells of tool columns
        whose planner edit was kept), ``as_of`` and ``problems`` (完成时限 cells that are not dates).
    """
    today = today or dt.date.today()
    record = record or LedgerRecord()
    rows, counts, out_record = _merge(new, previous, record=record, formulas=set(), today=today)
    as_of = _as_of(as_of, new, today)
    problems = _apply_deadlines(rows, attrs={**new.attrs, "as_of": as_of}, record=record, out_record=out_record,
                                where=("", LEDGER_SHEET), stamp=f"{today:%Y-%m-%d}")
    extras = [c for c in (previous.columns if previous is not None else [])
              if c not in COLUMNS and c not in ("evidence", "listed", "_row")]
    out = _rows_frame(rows, extras, new.attrs, counts)
    out.attrs.update(as_of=as_of, problems=problems)
    return out


def _as_of(as_of, new: pd.DataFrame, today: dt.date) -> dt.date:
    """The date of 逾期天数: given, else the one :func:`build_ledger` used, else ``today``."""
    if as_of is not None:
        return deadlines.as_of_date(as_of)
    return new.attrs.get("as_of") or today


# --- reading the workbook ----------------------------------------------------------------------


def _check_not_locked(path: Path) -> None:
    """Raise if Excel or LibreOffice has the file open (their lock files sit next to it)."""
    for lock in (path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")):
        if lock.exists():
            raise LedgerError(
                f"台账文件正在被 Excel/WPS/LibreOffice 打开 (ledger_locked): {path}；请先保存并关闭该文件后重试"
                f"（若确认未打开，可删除锁定文件 {lock.name}）。"
            )


#: Parts of an .xlsx that openpyxl cannot carry over, and their Chinese names.
_NOT_KEPT_PARTS: tuple[tuple[str, str], ...] = (
    ("xl/charts/", "图表"),
    ("xl/media/", "图片"),
    ("xl/pivotTables/", "数据透视表"),
    ("xl/slicers/", "切片器"),
    ("xl/vbaProject.bin", "宏"),
    ("xl/threadedComments/", "线程批注（转为普通批注保留）"),
    ("xl/ctrlProps/", "表单控件"),
)


@dataclass
class _LedgerSheet:
    """An existing ledger as found: the workbook (with formulas) to update and the rows' values."""

    path: Path
    wb: object
    ws: object
    header_row: int
    cols: dict[str, int]
    frame: pd.DataFrame
    formulas: set
    record: LedgerRecord
    last_row: int
    not_kept: list[str]


def _open(path: Path, *, data_only: bool):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(path, data_only=data_only)
    except PermissionError:
        raise LedgerError(f"无法读取台账文件，文件被占用或无权限 (ledger_locked): {path}") from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise LedgerError(f"台账文件无法解析，不是有效的 Excel 工作簿 (ledger_malformed): {path}：{exc}") from None


def _read_record(wb) -> LedgerRecord:
    if RECORD_SHEET not in wb.sheetnames:
        return LedgerRecord()
    ws = wb[RECORD_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    if len(rows) < 4 or not rows[0] or rows[0][1] != RECORD_VERSION:
        return LedgerRecord()
    try:
        sheets = json.loads(rows[1][1] or "{}")
        cells = json.loads(rows[2][1] or "{}")
    except (TypeError, ValueError):
        return LedgerRecord()
    header = list(rows[3])
    rec = LedgerRecord(sheets=dict(sheets), cells=dict(cells))
    for values in rows[4:]:
        if not values or _blank(values[0]):
            continue
        key = str(values[0])
        for h, v in zip(header[1:], values[1:]):
            if not isinstance(h, str) or ":" not in h:
                continue
            kind, col = h.split(":", 1)
            if kind == "written":
                rec.written.setdefault(key, {})[col] = v
            elif kind == "noted" and not _blank(v):
                rec.noted.setdefault(key, {})[col] = v
    return rec


def _read_sheet(path: str | os.PathLike) -> _LedgerSheet:
    """Open a ledger: header row, columns, values (cached results of formulas), formula cells."""
    path = Path(path)
    _check_not_locked(path)
    wb = _open(path, data_only=False)
    values_wb = _open(path, data_only=True)
    name = LEDGER_SHEET if LEDGER_SHEET in wb.sheetnames else wb.sheetnames[0]
    ws, vws = wb[name], values_wb[name]
    zh_to_key = {v: k for k, v in COLUMNS.items()}
    header_row, cols = None, {}
    for i, row in enumerate(vws.iter_rows(min_row=1, max_row=10, values_only=True), start=1):
        cells = [str(c).strip() if c is not None else "" for c in row]
        if COLUMNS["key"] in cells and COLUMNS["status"] in cells:
            header_row = i
            for j, c in enumerate(cells, start=1):
                if c:
                    cols.setdefault(zh_to_key.get(c, c), j)
            break
    if header_row is None:
        raise LedgerError(
            f"台账文件格式不符 (ledger_malformed): {path}；工作表“{ws.title}”前10行中找不到“事项编号”和“状态”表头。"
        )
    records, formulas = [], set()
    last_row = header_row
    by_index = {j: k for k, j in cols.items()}
    formula_rows = {r[0].row: r for r in ws.iter_rows(min_row=header_row + 1) if r}
    for row in vws.iter_rows(min_row=header_row + 1):
        if not row:
            continue
        r = row[0].row
        vals = [c.value for c in row]
        fcells = formula_rows.get(r, ())
        is_formula = {c.column: True for c in fcells if c.data_type == "f"}
        if all(_blank(v) for v in vals) and not is_formula:
            continue
        last_row = r
        rec = {"_row": r}
        for c in row:
            k = by_index.get(c.column)
            if k is None:
                continue
            rec[k] = c.value
            if is_formula.get(c.column):
                formulas.add((r, k))
        records.append(rec)
    frame = pd.DataFrame(records, columns=["_row", *dict.fromkeys(cols)]).astype(object)
    frame = frame.drop(columns=["seq"], errors="ignore")
    for c in COLUMNS:
        if c != "seq" and c not in frame.columns:
            frame[c] = None
    values_wb.close()
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    not_kept = [zh for part, zh in _NOT_KEPT_PARTS if any(n.startswith(part) for n in names)]
    return _LedgerSheet(path, wb, ws, header_row, cols, frame, formulas, _read_record(wb), last_row, not_kept)


def read_ledger(path: str | os.PathLike) -> pd.DataFrame:
    """Read a ledger workbook written by :func:`write_ledger` (and edited by a planner).

    The header row is found by its 事项编号 and 状态 cells (title rows above it are skipped); columns
    are matched by their Chinese header, so the planner may move or add columns. Columns the
    planner added are returned under their own header. A formula gives its last computed value.

    Raises
    ------
    LedgerError
        The file cannot be opened (locked, not an .xlsx) or has no 台账 header row.
    """
    return _read_sheet(path).frame.drop(columns="_row").reset_index(drop=True)


def ledger_summary(df: pd.DataFrame) -> dict[str, int]:
    """Rows per status (every status of :data:`LEDGER_STATUSES`, 0 when absent), ``total``, and the rows
    ``overdue`` (a number of 逾期天数) and ``supervised`` (挂牌督导)."""
    counts = df["status"].value_counts()
    out = {st: int(counts.get(st, 0)) for st in LEDGER_STATUSES}
    out["total"] = len(df)
    days = df["overdue_days"] if "overdue_days" in df else pd.Series(dtype=object)
    out["overdue"] = int(sum(_number(d) is not None and not pd.isna(d) for d in days))
    sup = df["supervision"] if "supervision" in df else pd.Series(dtype=object)
    out["supervised"] = int(sum(isinstance(x, str) and x.strip() == SUPERVISED for x in sup))
    return out


def _cell_value(v):
    if _blank(v):
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, (list, tuple, dict, set)):
        return str(v)
    return v


# --- writing the workbook ----------------------------------------------------------------------


def write_ledger(
    ledger_df: pd.DataFrame,
    path: str | os.PathLike,
    *,
    previous: str | os.PathLike | pd.DataFrame | bool | None = None,
    details: dict[str, pd.DataFrame] | None = None,
    info: dict | None = None,
    today: dt.date | None = None,
    as_of: dt.date | str | None = None,
) -> pd.DataFrame:
    """Write the ledger workbook, merged with an older ledger.

    When the older ledger is a file, that workbook is updated in place: only the cells of the tool's
    columns that change are written, new items are appended below the last row, and everything else
    the planner did — comments, formulas, their own columns, rows and sheets, widths, row order,
    filters and the print area (extended to the new rows) — stays as it was.

    Parameters
    ----------
    ledger_df
        :func:`build_ledger` output (preferably with ``include_passing=True``).
    path
        The .xlsx to write.
    previous
        The older ledger to merge with: a path, a :func:`read_ledger` frame, ``False`` for none, or
        ``None`` (default) for the file at ``path`` if it exists — so the planner's work is never
        lost by accident.
    details
        Extra sheets (name → frame with Chinese headers), e.g. :func:`ledger_details`.
    info
        Overrides of ``ledger_df.attrs`` (``year``, ``source``, ``synthetic``) for the title and the
        说明 sheet.
    today
        Date of automatic notes (default: today).
    as_of
        The date of 逾期天数 and 挂牌督导 (default: the ``as_of`` of :func:`build_ledger`, else ``today``).

    Returns
    -------
    pandas.DataFrame
        The rows written (English columns), in sheet order; ``attrs`` has ``matched``, ``kept``,
        ``reopened``, ``retired``, ``overridden``, ``not_kept`` (content of the older file that
        openpyxl cannot carry over — charts, images …; the older file is then also kept as
        ``<name>.bak-<date>.xlsx``), ``as_of``, ``problems`` (完成时限 cells that are not dates, with
        file, sheet, row and column) and ``added_columns`` (tool columns added to an older ledger).

    Raises
    ------
    LedgerError
        The older ledger is open, locked or malformed, or the file cannot be written. Nothing is
        written then (the old file stays as it was).
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise LedgerError(f"台账文件须为 .xlsx (ledger_bad_suffix): {path}")
    today = today or dt.date.today()
    meta = {"year": "", "source": "", "synthetic": False, **ledger_df.attrs, **(info or {})}
    if previous is None:
        previous = path if path.exists() else False
    sheet = None
    if previous is False:
        prev_df = None
    elif isinstance(previous, pd.DataFrame):
        prev_df = previous
    else:
        sheet = _read_sheet(previous)
        prev_df = sheet.frame
    record = sheet.record if sheet is not None else LedgerRecord()
    rows, counts, new_record = _merge(ledger_df, prev_df, record=record,
                                      formulas=sheet.formulas if sheet is not None else set(), today=today)
    meta["as_of"] = _as_of(as_of, ledger_df, today)
    problems = _apply_deadlines(rows, attrs=meta, record=record, out_record=new_record,
                                where=(sheet.path.name, sheet.ws.title) if sheet is not None else (path.name, LEDGER_SHEET),
                                stamp=f"{today:%Y-%m-%d}")
    extras = [c for c in (prev_df.columns if prev_df is not None else [])
              if c not in COLUMNS and c not in ("evidence", "listed", "_row")]
    merged = _rows_frame(rows, extras, ledger_df.attrs, counts)
    merged.attrs.update(meta, extras=extras, not_kept=sheet.not_kept if sheet is not None else [], problems=problems,
                        added_columns=[])

    if sheet is None:
        wb = _workbook(merged, meta, details or {}, today, new_record)
    else:
        wb = _update_workbook(sheet, rows, merged, meta, details or {}, today, record, new_record)
    _write_record(wb, new_record)
    _save(wb, path, dated_backup=bool(sheet is not None and sheet.not_kept), today=today)
    return merged


def _save(wb, path: Path, *, dated_backup: bool, today: dt.date) -> None:
    """Save atomically (temporary file + rename); the previous file becomes ``<name>.bak.xlsx``."""
    _check_not_locked(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(path.parent, TEMP_PREFIX, suffix=".xlsx")  # left by an interrupted export
    tmp = temp_file(path.parent, TEMP_PREFIX, suffix=".xlsx")
    try:
        wb.save(tmp)
        if path.exists():
            shutil.copymode(path, tmp)
            shutil.copy2(path, path.with_name(f"{path.stem}.bak.xlsx"))
            if dated_backup:  # content openpyxl cannot carry over: a backup no later export replaces
                shutil.copy2(path, path.with_name(f"{path.stem}.bak-{today:%Y%m%d}.xlsx"))
        os.replace(tmp, path)
    except PermissionError:
        raise LedgerError(f"无法写入台账文件，文件被占用或无写权限 (ledger_locked): {path}；请关闭该文件后重试。") from None
    except OSError as exc:
        raise LedgerError(f"写入台账文件失败 (ledger_write_failed): {path}：{exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="999999")
    return SimpleNamespace(
        border=Border(left=thin, right=thin, top=thin, bottom=thin),
        wrap=Alignment(wrap_text=True, vertical="top"),
        center=Alignment(horizontal="center", vertical="top", wrap_text=True),
        head_fill=PatternFill("solid", fgColor="D9E1F2"),
        bold=Font(bold=True),
        fills={st: PatternFill("solid", fgColor=rgb) for st, rgb in STATUS_FILLS.items()},
    )


_CENTERED = ("seq", "status", "value", "target", "data_year", "closed_on", "deadline", "overdue_days", "supervision")


def _title_texts(meta: dict, summ: dict, today: dt.date) -> tuple[str, str]:
    year = meta.get("year", "")
    title = f"{meta.get('county', '本县')}义务教育优质均衡发展整改台账（{year}学年数据）"
    sub = (f"生成日期：{today:%Y-%m-%d}　数据来源：{meta.get('source', '')}　事项 {summ['total']} 条："
           + "，".join(f"{st} {summ[st]}" for st in LEDGER_STATUSES)
           + _overdue_text(meta, summ))
    if bool(meta.get("synthetic")):
        sub = "【合成演示数据，非真实统计，不得用于决策】　" + sub
    return title, sub


def _overdue_text(meta: dict, summ: dict) -> str:
    as_of = meta.get("as_of")
    if as_of is None:
        return ""
    return f"；截至 {as_of:%Y-%m-%d} 逾期 {summ.get('overdue', 0)} 条（挂牌督导 {summ.get('supervised', 0)} 条）"


def _print_header(meta: dict) -> str:
    year = meta.get("year", "")
    mark = f"（{vocab.SYNTHETIC_MARK}）" if bool(meta.get("synthetic")) else ""
    return f"{meta.get('county', '本县')}整改台账 {year}学年{mark}".replace("&", "&&")


def _workbook(df: pd.DataFrame, meta: dict, details: dict[str, pd.DataFrame], today: dt.date,
              record: LedgerRecord):
    from openpyxl import Workbook
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    extras = list(meta.get("extras", df.attrs.get("extras", [])) or [])
    keys = [c for c in COLUMNS] + [c for c in extras if c not in COLUMNS]
    headers = [COLUMNS.get(k, k) for k in keys]
    col = {k: get_column_letter(i + 1) for i, k in enumerate(keys)}
    last_print = col[_PRINT_LAST]
    last_col = get_column_letter(len(keys))
    st = _styles()

    wb = Workbook()
    ws = wb.active
    ws.title = LEDGER_SHEET
    synthetic = bool(meta.get("synthetic"))
    summ = ledger_summary(df)
    title, sub = _title_texts(meta, summ, today)
    set_cell(ws["A1"], title)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(f"A1:{last_print}1")
    set_cell(ws["A2"], sub)
    ws["A2"].font = Font(color="C00000" if synthetic else "000000", bold=synthetic)
    ws["A2"].alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    ws.merge_cells(f"A2:{last_print}2")
    ws.row_dimensions[2].height = 30
    record.cells.update(title=title, subtitle=sub)

    for j, h in enumerate(headers, start=1):
        c = ws.cell(row=_HEADER_ROW, column=j)
        set_cell(c, h)
        c.font = st.bold
        c.fill = st.head_fill
        c.alignment = st.center
        c.border = st.border
    first = _HEADER_ROW + 1
    for i, rec in enumerate(df.to_dict("records")):
        _write_row(ws, first + i, {k: j for j, k in enumerate(keys, start=1)}, rec, i + 1, st)
    last_row = max(first, first + len(df) - 1)

    for k, w in _WIDTHS.items():
        if k in col:
            ws.column_dimensions[col[k]].width = w
    for k in extras:
        ws.column_dimensions[col[k]].width = 16
    ws.freeze_panes = _FREEZE
    ws.auto_filter.ref = f"A{_HEADER_ROW}:{last_col}{last_row}"
    # 挂牌督导 and 逾期天数 stand out (before the row colours, so that they win over them)
    _deadline_formats(ws, col, first, last_row)
    record.cells["columns"] = [k for k in COLUMNS if k in col]
    # colour whole rows by status, live (follows a status the planner changes in Excel)
    rng = f"A{first}:{last_col}{last_row}"
    for status, rgb in STATUS_FILLS.items():
        ws.conditional_formatting.add(
            rng, FormulaRule(formula=[f'${col["status"]}{first}="{status}"'], fill=PatternFill("solid", bgColor=rgb)))
    dv = DataValidation(type="list", formula1='"' + ",".join(LEDGER_STATUSES) + '"', allow_blank=False,
                        showErrorMessage=True, errorTitle="状态无效", error="请从下拉列表选择：" + "、".join(LEDGER_STATUSES))
    dv.add(f"{col['status']}{first}:{col['status']}{last_row + _VALIDATION_SPARE}")
    ws.add_data_validation(dv)
    _deadline_validation(ws, col, first, last_row)
    # print: A4 landscape, fit to one page wide, header row repeated, key columns not printed
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
    ws.print_area = f"A1:{last_print}{last_row}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddHeader.right.text = _print_header(meta)

    _readme_sheet(wb, meta, summ, today, record)
    for name, frame in details.items():
        _detail_sheet(wb, name, frame, record, today)
    return wb


#: Rows below the last item that the status drop-down already covers (rows a planner adds).
_VALIDATION_SPARE = 500  # rows
#: Fill and font of a 挂牌督导 cell, font of a 逾期天数 cell.
SUPERVISION_FILL = "C00000"  # dark red
SUPERVISION_FONT = "FFFFFF"  # white
OVERDUE_FONT = "C00000"      # dark red
_EXCEL_2000_01_01 = 36526  # Excel's serial number of 2000-01-01: a 完成时限 must be a date after it


def _deadline_formats(ws, letters: dict[str, str], first: int, last: int) -> None:
    """Conditional formats of 挂牌督导 (dark red, white bold) and 逾期天数 (dark red bold), ahead of every
    other rule of the sheet.

    ``letters`` maps the column keys present to their letters. The formulas read only the sheet's
    own cells against fixed words (never text from the data).
    """
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill

    rules = []
    if "supervision" in letters:
        c = letters["supervision"]
        rules.append((f"{c}{first}:{c}{last}", FormulaRule(
            formula=[f'${c}{first}="{SUPERVISED}"'], fill=PatternFill("solid", bgColor=SUPERVISION_FILL),
            font=Font(bold=True, color=SUPERVISION_FONT))))
    if "overdue_days" in letters:
        c = letters["overdue_days"]
        rules.append((f"{c}{first}:{c}{last}", FormulaRule(
            formula=[f"AND(ISNUMBER(${c}{first}),${c}{first}>0)"], font=Font(bold=True, color=OVERDUE_FONT))))
    for cf in ws.conditional_formatting:  # existing rules move behind the new ones
        for rule in cf.rules:
            rule.priority = (rule.priority or 0) + len(rules)
    for priority, (ref, rule) in enumerate(rules, start=1):
        rule.priority = priority
        ws.conditional_formatting.add(ref, rule)


def _deadline_validation(ws, letters: dict[str, str], first: int, last: int) -> None:
    """A date check on 完成时限 (a warning: the planner may keep other text, the export notes it)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    if DEADLINE in letters:
        c = letters[DEADLINE]
        dv = DataValidation(type="date", operator="greaterThan", formula1=str(_EXCEL_2000_01_01), allow_blank=True,
                            showErrorMessage=True, errorStyle="warning", errorTitle="完成时限应为日期",
                            error="请填写日期，如 2025-09-30（非日期的内容会保留，但无法判断是否逾期）")
        dv.add(f"{c}{first}:{c}{last + _VALIDATION_SPARE}")
        ws.add_data_validation(dv)


def _add_columns(sheet: _LedgerSheet, old: LedgerRecord) -> list[str]:
    """Tool columns an older ledger lacks (完成时限, 逾期天数, 挂牌督导 for a ledger of jxedu before them),
    added right of its last column, so the planner's layout stays; a column the planner deleted
    (the record says the sheet had it) is not added back. Returns the keys added."""
    from copy import copy

    from openpyxl.utils import get_column_letter

    ws, cols = sheet.ws, sheet.cols
    had = old.cells.get("columns")
    had = set(had) if isinstance(had, list) else set(_COLUMNS_BEFORE_DEADLINES)
    missing = [c for c in COLUMNS if c not in cols and c not in had]
    if not missing:
        return []
    tool_last = max(j for k, j in cols.items() if k in had) if had & set(cols) else max(cols.values())
    old_last = max(max(cols.values()), ws.max_column)
    like = ws.cell(row=sheet.header_row, column=cols.get("status", tool_last))
    for i, c in enumerate(missing, start=1):
        j = old_last + i
        cell = ws.cell(row=sheet.header_row, column=j)
        set_cell(cell, COLUMNS[c])
        cell.font, cell.fill, cell.border, cell.alignment = (copy(like.font), copy(like.fill), copy(like.border),
                                                             copy(like.alignment))
        ws.column_dimensions[get_column_letter(j)].width = _WIDTHS.get(c, 12)
        cols[c] = j
    _widen_ranges(ws, tool_last, old_last + len(missing))
    last = max(sheet.last_row, sheet.header_row + 1)
    letters = {c: get_column_letter(cols[c]) for c in missing}
    _deadline_formats(ws, letters, sheet.header_row + 1, last)
    _deadline_validation(ws, letters, sheet.header_row + 1, last)
    return missing


def _widen_ranges(ws, tool_last: int, new_last: int) -> None:
    """Widen the filter and the conditional formats that reached the tool's last column to ``new_last``."""
    from openpyxl.formatting.formatting import ConditionalFormattingList
    from openpyxl.worksheet.cell_range import CellRange

    def widen(ref: str) -> str:
        out = []
        for part in str(ref).split():
            cr = CellRange(part)
            if tool_last <= cr.max_col < new_last:
                cr.expand(right=new_last - cr.max_col)
            out.append(cr.coord)
        return " ".join(out)

    if ws.auto_filter.ref:
        ws.auto_filter.ref = widen(ws.auto_filter.ref)
    rules = [(cf.sqref, cf.rules) for cf in ws.conditional_formatting]
    if rules:
        ws.conditional_formatting = ConditionalFormattingList()
        for sqref, cf_rules in rules:
            for rule in cf_rules:
                ws.conditional_formatting.add(widen(str(sqref)), rule)


def _write_row(ws, r: int, cols: dict[str, int], rec: dict, seq: int | None, st) -> None:
    """Write one new item row with the ledger's styles (every cell text-safe)."""
    for k, j in cols.items():
        if k == "seq":
            v = seq
        elif k in COLUMNS:
            v = _cell_value(rec.get(k))
        else:
            v = None  # a column of the planner: left empty for a new item
        c = ws.cell(row=r, column=j)
        set_cell(c, v)
        c.border = st.border
        c.alignment = st.center if k in _CENTERED else st.wrap
        if isinstance(v, (dt.date, dt.datetime)):
            c.number_format = "yyyy-mm-dd"
    status = rec.get("status")
    if "status" in cols and status in st.fills:
        ws.cell(row=r, column=cols["status"]).fill = st.fills[status]


def _update_workbook(sheet: _LedgerSheet, rows: list[_Row], merged: pd.DataFrame, meta: dict,
                     details: dict[str, pd.DataFrame], today: dt.date, old: LedgerRecord, record: LedgerRecord):
    """Apply the merge to the planner's own workbook: changed cells written, new rows appended."""
    from copy import copy

    ws, cols = sheet.ws, sheet.cols
    st = _styles()
    merged.attrs["added_columns"] = _add_columns(sheet, old)
    record.cells["columns"] = [k for k in COLUMNS if k in cols]
    for row in rows:
        if row.source is None:
            continue
        for c in sorted(row.dirty):
            if c not in cols:
                continue  # the planner removed this column
            cell = ws.cell(row=row.source, column=cols[c])
            if c == "remarks" and (row.source, c) in sheet.formulas:
                _note_in_comment(cell, row.notes)  # the planner's formula in 备注 stays
                continue
            set_cell(cell, _cell_value(row.values.get(c)))
            if isinstance(cell.value, (dt.date, dt.datetime)):
                cell.number_format = "yyyy-mm-dd"
            if c == "status" and row.values.get(c) in st.fills:
                cell.fill = st.fills[row.values[c]]
    # new items below the last row, styled like the row above them
    seqs = [_number(ws.cell(row=r.source, column=cols["seq"]).value) for r in rows
            if r.source is not None and "seq" in cols]
    seq = int(max([s for s in seqs if s is not None], default=0))
    old_last, r = sheet.last_row, sheet.last_row
    for row in rows:
        if row.source is not None:
            continue
        r += 1
        seq += 1
        _write_row(ws, r, cols, row.values, seq, st)
        if old_last > sheet.header_row:
            for j in cols.values():
                above, cell = ws.cell(row=old_last, column=j), ws.cell(row=r, column=j)
                cell.font, cell.alignment, cell.border = copy(above.font), copy(above.alignment), copy(above.border)
                if not isinstance(cell.value, (dt.date, dt.datetime)):
                    cell.number_format = above.number_format
    if r > old_last:
        _extend_ranges(ws, old_last, r)
    # title rows, when still as the tool wrote them
    title, sub = _title_texts(meta, ledger_summary(merged), today)
    if sheet.header_row == _HEADER_ROW:
        for ref, name, text, legacy in (("A1", "title", title, "整改台账（"), ("A2", "subtitle", sub, "生成日期：")):
            cur = ws[ref].value
            mine = old.cells.get(name)
            if (mine is not None and _same(cur, mine)) or (not old.known and isinstance(cur, str) and legacy in cur):
                set_cell(ws[ref], text)
                record.cells[name] = text
            elif mine is not None:
                record.cells[name] = mine
    ws.oddHeader.right.text = _print_header(meta)
    _readme_sheet(sheet.wb, meta, ledger_summary(merged), today, record, old=old)
    for name, frame in details.items():
        _detail_sheet(sheet.wb, name, frame, record, today, old=old)
    return sheet.wb


def _note_in_comment(cell, notes: list[str]) -> None:
    """Notes for a 备注 cell that holds the planner's formula: added to the cell's comment instead."""
    from openpyxl.comments import Comment

    old = cell.comment
    text = "\n".join(notes)
    if old is not None:
        cell.comment = Comment(f"{old.text}\n{text}", old.author or "jxedu")
    else:
        cell.comment = Comment(text, "jxedu")


def _extend_ranges(ws, old_last: int, new_last: int) -> None:
    """Grow every range that ended on the old last row (filter, print area, conditional formats,
    drop-downs) to the new last row, keeping its columns."""
    from openpyxl.formatting.formatting import ConditionalFormattingList
    from openpyxl.worksheet.cell_range import CellRange, MultiCellRange

    def grow(ref: str) -> str:
        out = []
        for part in str(ref).split():
            cr = CellRange(part)
            if cr.max_row == old_last:
                cr.expand(down=new_last - old_last)
            out.append(cr.coord)
        return " ".join(out)

    if ws.auto_filter.ref:
        ws.auto_filter.ref = grow(ws.auto_filter.ref)
    if ws.print_area:
        parts = []
        for area in str(ws.print_area).split(","):
            ref = area.split("!")[-1].replace("$", "")
            parts.append(grow(ref))
        ws.print_area = parts
    rules = [(cf.sqref, cf.rules) for cf in ws.conditional_formatting]
    if rules:
        ws.conditional_formatting = ConditionalFormattingList()
        for sqref, cf_rules in rules:
            ref = grow(str(sqref))
            for rule in cf_rules:
                ws.conditional_formatting.add(ref, rule)
    for dv in ws.data_validations.dataValidation:
        parts = []
        for cr in dv.sqref.ranges:
            cr = CellRange(cr.coord)
            if old_last <= cr.max_row < new_last + _VALIDATION_SPARE:
                cr.expand(down=new_last + _VALIDATION_SPARE - cr.max_row)
            parts.append(cr.coord)
        dv.sqref = MultiCellRange(" ".join(parts))


def _fingerprint(ws) -> str:
    """A hash of a sheet's cell values as Excel keeps them (45.0 and 45 are the same number)."""
    def norm(v):
        if isinstance(v, float) and v.is_integer():
            return int(v)
        return v

    h = hashlib.sha256()
    for row in ws.iter_rows(values_only=True):
        h.update(repr(tuple(norm(v) for v in row)).encode("utf-8"))
    return h.hexdigest()[:16]


def _tool_sheet(wb, name: str, old: LedgerRecord | None, today: dt.date):
    """A fresh sheet ``name`` at the place of the old one. The old one is replaced while unchanged
    since the tool wrote it; a sheet the planner edited is kept, renamed ``<name>（<date>前）``."""
    index = None
    if name in wb.sheetnames:
        prev = wb[name]
        index = wb.sheetnames.index(name)
        mine = old.sheets.get(name) if old is not None else None
        if old is not None and old.known and mine != _fingerprint(prev):
            base = f"{name[:20]}（{today:%Y%m%d}前）"
            new_name, k = base, 2
            while new_name in wb.sheetnames:
                new_name, k = f"{base[:28]}{k}", k + 1
            prev.title = new_name
            index += 1
        else:
            wb.remove(prev)
    return wb.create_sheet(name, index)


def _detail_sheet(wb, name: str, frame: pd.DataFrame, record: LedgerRecord, today: dt.date,
                  old: LedgerRecord | None = None) -> None:
    from openpyxl.utils import get_column_letter

    st = _styles()
    name = name[:31]
    dws = _tool_sheet(wb, name, old, today)
    for j, h in enumerate(frame.columns, start=1):
        c = dws.cell(row=1, column=j)
        set_cell(c, str(h))
        c.font = st.bold
        c.fill = st.head_fill
    for i, rec in enumerate(frame.itertuples(index=False), start=2):
        for j, v in enumerate(rec, start=1):
            set_cell(dws.cell(row=i, column=j), _cell_value(v))
    dws.freeze_panes = "A2"
    for j in range(1, len(frame.columns) + 1):
        dws.column_dimensions[get_column_letter(j)].width = 14
    if len(frame):
        dws.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
    dws.page_setup.orientation = "landscape"
    dws.page_setup.paperSize = dws.PAPERSIZE_A4
    dws.page_setup.fitToWidth = 1
    dws.page_setup.fitToHeight = 0
    dws.sheet_properties.pageSetUpPr.fitToPage = True
    dws.print_title_rows = "1:1"
    record.sheets[name] = _fingerprint(dws)


def _basis_text(meta: dict) -> str:
    """评估依据: the national method, and the county's own plan by its 文号 when its 规划目标 names one."""
    docs = [d for d in meta.get("plan_documents") or [] if d]
    plan = (f"；{meta.get('county', '本县')}实施方案（{'、'.join(docs)}），县级目标见数据“规划目标”表" if docs else
            "；数据中没有县规划目标（“规划目标”表），只列国家标准事项")
    return ("《县域义务教育优质均衡发展督导评估办法》（教督〔2017〕6号）" + plan + "。"
            "各项标准值见 jxedu/data/standards.csv，待核实事项的取值见设置（jxedu.core.settings）。")


def _readme_sheet(wb, meta: dict, summ: dict, today: dt.date, record: LedgerRecord,
                  old: LedgerRecord | None = None) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    ws = _tool_sheet(wb, README_SHEET, old, today)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 90
    synthetic = bool(meta.get("synthetic"))
    rows: list[tuple[str, str]] = [
        ("台账说明", ""),
        ("数据学年", f"{meta.get('year', '')}学年（学年按起始年份计，如 2024 表示 2024—2025 学年）"),
        ("数据来源", str(meta.get("source", ""))),
        ("生成日期", f"{today:%Y-%m-%d}（jxedu 工作台导出）"),
        *_as_of_rows(meta),
        ("数据性质", "合成演示数据，非真实统计，不得用于决策" if synthetic else "县教体局业务数据"),
        ("评估依据", _basis_text(meta)),
        ("", ""),
        ("状态", "含义"),
        *[(s, STATUS_MEANING[s]) for s in LEDGER_STATUSES],
        ("", ""),
        ("填写与销号", "规划人员在“状态”列（下拉选择）、“销号日期”“销号说明”“备注”列填写；可增加自己的列和行、批注、公式，"
                       "可调整列宽、排序和打印区域。"),
        ("重新导出", "再次运行 jxedu ledger 输出到同一文件时，在原工作簿上更新：按“事项编号”匹配，只改写工具列中数据变化的单元格，"
                     "新事项添加在最后一行之后；规划人员填写的完成时限、销号日期、销号说明、备注、自增的列和行、批注、公式、列宽、行序与打印区域均保留。"
                     "规划人员改写过的工具列（如整改措施、责任单位）保留其内容，工具的新建议写在备注中；"
                     "需佐证材料事项保留规划人员填写的状态和现状值；已销号事项若新数据复核仍未达标，自动改为未达标并在备注中注明“重新打开”；"
                     "新数据中已不再出现的事项保留，状态改为已达标并在备注中注明。上一版文件备份为 *.bak.xlsx。"),
        ("事项编号", "county|事项 为全县事项；school|学校标识码|学段|指标 为学校事项。编号不含学年，同一事项跨年度保持同一行；请勿修改。"),
        ("责任单位", "按县实施方案职责分工整理（jxedu/data/responsible_units.csv，可由规划人员核实修改）。"),
        *_deadline_rows(meta),
        ("打印", "A4 横向、按页宽缩放、每页重复表头；事项编号、数据学年两列不打印。"),
    ]
    fills = {s: PatternFill("solid", fgColor=rgb) for s, rgb in STATUS_FILLS.items()}
    for i, (a, b) in enumerate(rows, start=1):
        set_cell(ws.cell(row=i, column=1), a or None)
        cb = ws.cell(row=i, column=2)
        set_cell(cb, b or None)
        cb.alignment = Alignment(wrap_text=True, vertical="top")
        if a in fills:
            ws.cell(row=i, column=1).fill = fills[a]
        if a in ("台账说明", "状态"):
            ws.cell(row=i, column=1).font = Font(bold=True, size=12 if a == "台账说明" else 11)
            cb.font = Font(bold=True)
        if a == "数据性质" and synthetic:
            cb.font = Font(bold=True, color="C00000")
    start = len(rows) + 2
    ws.cell(row=start, column=1, value="状态统计").font = Font(bold=True)
    names = {"total": "合计", "overdue": "逾期", "supervised": "挂牌督导"}
    for k, s in enumerate((*LEDGER_STATUSES, "total", "overdue", "supervised"), start=1):
        ws.cell(row=start + k, column=1, value=names.get(s, s))
        ws.cell(row=start + k, column=2, value=summ[s])
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    record.sheets[README_SHEET] = _fingerprint(ws)


def _as_of_rows(meta: dict) -> list[tuple[str, str]]:
    as_of = meta.get("as_of")
    if as_of is None:
        return []
    return [("统计日期", f"{as_of:%Y-%m-%d}（逾期天数、挂牌督导按此日期计算；命令行 jxedu ledger --as-of 可指定）")]


def _deadline_rows(meta: dict) -> list[tuple[str, str]]:
    """The 说明 rows of 完成时限, 逾期天数 and 挂牌督导 (the rule as set)."""
    plan = meta.get("plan_deadline")
    days = meta.get("supervision_overdue_days", Settings().supervision_overdue_days)
    after = meta.get("supervision_after_plan_deadline", Settings().supervision_after_plan_deadline)
    if plan is not None:
        default = f"默认为县实施方案的时限 {plan:%Y-%m-%d}；方案另有时限的事项按其时限"
        supervised_after = f"，以及县实施方案时限 {plan:%Y-%m-%d} 之后仍逾期的全部事项" if after else ""
    else:
        default = "数据中没有“通过国家督导评估年份”（“规划目标”表的目标项）：除每年的目标外，完成时限由规划人员填写"
        supervised_after = ""
    return [
        ("完成时限", f"{default}（如智慧校园为其目标截止年份年底，每年的目标为当学年结束时；见 jxedu/data/deadlines.csv）。"
                     "规划人员可改填日期（如 2025-09-30），重新导出时保留；填写的内容不是日期时"
                     "保留原内容并在备注中注明，逾期天数按规划目标时限计算。旧版台账没有的“完成时限”“逾期天数”“挂牌督导”列添加在最右侧。"),
        ("逾期天数", "统计日期已过完成时限、状态不是已达标或已销号的事项记逾期天数（完成时限次日为第1天），深红色加粗显示；"
                     "每次导出按统计日期和当时的状态重新计算。"),
        ("挂牌督导", f"逾期超过 {days} 天的事项{supervised_after}"
                     "，标“是”并以深红色突出显示（设置项 supervision_overdue_days、supervision_after_plan_deadline）。"),
    ]


def _write_record(wb, record: LedgerRecord) -> None:
    """The very hidden sheet ``_jxedu``: what the tool wrote (never shown in Excel's sheet list)."""
    if RECORD_SHEET in wb.sheetnames:
        wb.remove(wb[RECORD_SHEET])
    ws = wb.create_sheet(RECORD_SHEET)
    ws.sheet_state = "veryHidden"
    set_cell(ws.cell(row=1, column=1), "jxedu 台账记录：工具上次写入的内容，用于识别规划人员的修改；请勿修改")
    ws.cell(row=1, column=2, value=RECORD_VERSION)
    set_cell(ws.cell(row=2, column=1), "sheets")
    set_cell(ws.cell(row=2, column=2), json.dumps(record.sheets, ensure_ascii=False))
    set_cell(ws.cell(row=3, column=1), "cells")
    set_cell(ws.cell(row=3, column=2), json.dumps(record.cells, ensure_ascii=False))
    header = ["key", *(f"written:{c}" for c in EDITABLE_COLUMNS), *(f"noted:{c}" for c in EDITABLE_COLUMNS)]
    for j, h in enumerate(header, start=1):
        ws.cell(row=4, column=j, value=h)
    for i, (key, written) in enumerate(record.written.items(), start=5):
        set_cell(ws.cell(row=i, column=1), key)
        noted = record.noted.get(key, {})
        for j, c in enumerate(EDITABLE_COLUMNS, start=2):
            set_cell(ws.cell(row=i, column=j), _cell_value(written.get(c)))
            if c in noted:
                set_cell(ws.cell(row=i, column=j + len(EDITABLE_COLUMNS)), _cell_value(noted[c]))
    # the planner's sheet stays the one Excel opens on
    if wb.active is ws:
        wb.active = 0


# --- command line --------------------------------------------------------------------------------


def export_ledger(a: Assessment, out: str | os.PathLike, *, today: dt.date | None = None,
                  as_of: dt.date | str | None = None) -> pd.DataFrame:
    """Build the items of the assessment and write (or update) the ledger at ``out``; return the rows written.

    ``as_of``: the date of 逾期天数 and 挂牌督导 (:func:`jxedu.analysis.deadlines.as_of_date`; default
    ``$JXEDU_AS_OF``, else ``today``, else the computer's date).
    """
    ledger = build_ledger(a, include_passing=True, as_of=as_of if as_of is not None else today)
    return write_ledger(ledger, out, details=ledger_details(a), today=today)
