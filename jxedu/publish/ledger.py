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
  体育艺术教师 ≥ 0.9 per 100 students per school.

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
Matched by 事项编号:

* 销号日期, 销号说明 and 备注 are always kept as the planner wrote them (and any column the planner
  added to the sheet).
* Evidence items (需佐证材料): the status the planner set (已达标 / 未达标 / 已销号 / …) is kept, and so
  is a 现状值 the planner typed in.
* Computed items: the status follows the data (未达标 / 已达标 / 数据不足), except that an item the
  planner closed (已销号) stays closed while the data show it met (or cannot tell) — and is
  **re-opened** (未达标, with a dated note appended to 备注) when the new data show it failing.
* An item of the old ledger that the new data no longer list (a shortfall whose school closed, …)
  is kept, with status 已达标 unless it was 已销号, and a dated note in 备注. Rows the planner added
  with a key of their own (or without a key) are kept unchanged.

The file is written atomically (temporary file + :func:`os.replace`); the previous file is copied
to ``<name>.bak.xlsx`` first. The input data are never modified.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from jxedu.analysis.assessment import Assessment
from jxedu.analysis.assurance import STATUS_EVIDENCE, STATUS_MET, STATUS_NO_DATA, STATUS_NOT_MET
from jxedu.analysis.indicators import KEYS, STAGES
from jxedu.core import responsibility
from jxedu.core import standards as std
from jxedu.core import vocabulary as vocab
from jxedu.core.errors import LedgerError
from jxedu.core.numeric import ceil_count
from jxedu.core.vocabulary import fmt
from jxedu.present import assurance as show_assurance
from jxedu.present import indicators as show_indicators

__all__ = [
    "COLUMNS",
    "LEDGER_SHEET",
    "LEDGER_STATUSES",
    "LedgerError",
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
    "status": "状态",
    "closed_on": "销号日期",
    "closed_note": "销号说明",
    "remarks": "备注",
    "key": "事项编号",
    "data_year": "数据学年",
}
#: Columns the planner writes; never overwritten by a re-export.
PLANNER_COLUMNS: tuple[str, ...] = ("closed_on", "closed_note", "remarks")
_WIDTHS = {"seq": 5, "category": 10, "township": 9, "school": 16, "item": 20, "requirement": 16, "value": 9,
           "target": 9, "gap": 24, "action": 28, "responsible": 18, "status": 9, "closed_on": 11,
           "closed_note": 18, "remarks": 20, "key": 44, "data_year": 8}  # characters
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
            "responsible": responsible, "status": status, "closed_on": None, "closed_note": None,
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
            f"school|{r.school_id}|plan_pe_art_every_school", "县域规划目标", "体育艺术专任教师配备（县实施方案）",
            township=r.township, school=r.name, requirement=f"全校每百名学生≥{r.target:g}人",
            value=round(float(r.per_100), 2), target=float(r.target),
            gap=f"缺 {int(r.short_teachers)} 人（现有 {int(r.pe_art_teachers)} 人，在校生 {int(r.students)} 人）"
            if status == OPEN else "",
            action=f"补充体育、艺术专任教师 {int(r.short_teachers)} 人" if status == OPEN else _KEEP_ACTION,
            responsible=_responsible("plan_pe_art_every_school", r.township), status=status, year=year,
            listed=status != MET, order=(1, r.township, r.school_id, 130)))
    return rows


def _extra_classes(g: pd.DataFrame) -> int:
    """Classes to add per grade so that no class exceeds the limit (students spread evenly)."""
    total = 0
    for _, grade in g.groupby(["stage", "grade"]):
        n, limit = float(grade["students"].sum()), float(grade["limit"].iloc[0])
        total += max(0, ceil_count(n / limit) - len(grade))
    return total


def build_ledger(a: Assessment, *, include_passing: bool = False) -> pd.DataFrame:
    """The ledger items of the assessment's school year.

    Parameters
    ----------
    a
        The assessment (:func:`jxedu.assess`): every figure of the ledger is read from it.
    include_passing
        Also return school items that meet their target (``listed`` False). :func:`write_ledger`
        uses them to update items of an older ledger that now pass; they are not written otherwise.

    Returns
    -------
    pandas.DataFrame
        English columns of :data:`COLUMNS` (without ``seq``) plus ``evidence`` (the planner sets the
        status) and ``listed`` (written even without an older ledger). ``attrs`` holds ``year``,
        ``source`` (file or folder name), ``synthetic`` and ``county``. The class-by-class list of the
        workbook comes from :func:`ledger_details`.
    """
    rows = _county_rows(a)
    rows += _resource_rows(a, include_passing)
    rows += _school_rows(a, include_passing)
    df = pd.DataFrame(rows)
    rank = _township_rank(a)
    df["_sort"] = [(o[0], 0, "", o[1], o[2]) if o[0] == 0 else (o[0], rank.get(o[1], 99), str(o[2]), o[3], 0)
                   for o in df["_order"]]
    df = df.sort_values("_sort", kind="stable").drop(columns=["_order", "_sort"]).reset_index(drop=True)
    for c in ("value", "target"):
        df[c] = df[c].astype(float)
    df.attrs.update({"year": int(a.year), "source": str(Path(a.ds.source).name), "synthetic": bool(a.ds.synthetic),
                     "county": a.county_name})
    return df


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


def merge_ledger(new: pd.DataFrame, previous: pd.DataFrame | None, *, today: dt.date | None = None) -> pd.DataFrame:
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

    Returns
    -------
    pandas.DataFrame
        The rows to write: English columns, plus any extra column of the older sheet. ``attrs``
        holds ``matched`` (rows found in the older ledger), ``kept`` (of those, rows with something
        the planner wrote), ``reopened`` and ``retired`` (older items no longer in the data).
    """
    today = today or dt.date.today()
    year = new.attrs.get("year", "")
    stamp = f"{today:%Y-%m-%d}"
    if previous is None or previous.empty:
        out = new[new["listed"].astype(bool)].copy()
        out.attrs.update(new.attrs, matched=0, kept=0, reopened=0, retired=0)
        return out.reset_index(drop=True)

    prev = previous.copy()
    extras = [c for c in prev.columns if c not in COLUMNS and c not in ("evidence", "listed")]
    has_key = prev["key"].map(lambda k: not _blank(k))
    dup = prev["key"].duplicated(keep="first") & has_key
    manual = prev[~has_key | dup]                       # rows we cannot match: kept unchanged
    by_key = {str(r["key"]).strip(): r for _, r in prev[has_key & ~dup].iterrows()}

    matched = kept = reopened = retired = 0
    rows = []
    new_keys = set()
    for _, r in new.iterrows():
        key = r["key"]
        new_keys.add(key)
        p = by_key.get(key)
        if p is None:
            if bool(r["listed"]):
                rows.append(r.to_dict())
            continue
        row = r.to_dict()
        matched += 1
        for c in (*PLANNER_COLUMNS, *extras):
            row[c] = p.get(c)
        kept += any(not _blank(p.get(c)) for c in (*PLANNER_COLUMNS, *extras))
        pst = p.get("status")
        pst = pst.strip() if isinstance(pst, str) else pst
        if not _blank(pst) and pst not in LEDGER_STATUSES:
            row["remarks"] = _append(row["remarks"], f"{stamp} 原状态“{pst}”无法识别，已按数据重置")
            pst = None
        if bool(r["evidence"]):
            if not _blank(pst):
                row["status"] = pst
            if _blank(row["value"]) and not _blank(p.get("value")):
                row["value"] = p.get("value")
        elif pst == CLOSED:
            if r["status"] == OPEN:
                row["status"] = OPEN
                row["remarks"] = _append(row["remarks"], f"{stamp} 复核未达标（{year}学年数据），重新打开")
                reopened += 1
            else:
                row["status"] = CLOSED
        rows.append(row)

    for key, p in by_key.items():
        if key in new_keys:
            continue
        row = {c: p.get(c) for c in prev.columns}
        if key.startswith(_OUR_PREFIXES):
            retired += 1
            if row.get("status") != CLOSED:
                if row.get("status") != MET:
                    row["remarks"] = _append(row.get("remarks"),
                                             f"{stamp} {year}学年数据中已无此事项，状态改为已达标")
                row["status"] = MET
        rows.append(row)
    for _, p in manual.iterrows():
        rows.append({c: p.get(c) for c in prev.columns})

    out = pd.DataFrame(rows)
    for c in (*COLUMNS, *extras):
        if c not in out.columns:
            out[c] = None
    out = out[[c for c in COLUMNS if c != "seq"] + extras + [c for c in ("evidence", "listed") if c in out.columns]]
    out.attrs.update(new.attrs, matched=matched, kept=kept, reopened=reopened, retired=retired, extras=extras)
    return out.reset_index(drop=True)


# --- reading and writing the workbook ----------------------------------------------------------


def _check_not_locked(path: Path) -> None:
    """Raise if Excel or LibreOffice has the file open (their lock files sit next to it)."""
    for lock in (path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")):
        if lock.exists():
            raise LedgerError(
                f"台账文件正在被 Excel/WPS/LibreOffice 打开 (ledger_locked): {path}；请先保存并关闭该文件后重试"
                f"（若确认未打开，可删除锁定文件 {lock.name}）。"
            )


def read_ledger(path: str | os.PathLike) -> pd.DataFrame:
    """Read a ledger workbook written by :func:`write_ledger` (and edited by a planner).

    The header row is found by its 事项编号 and 状态 cells (title rows above it are skipped); columns
    are matched by their Chinese header, so the planner may move or add columns. Columns the
    planner added are returned under their own header.

    Raises
    ------
    LedgerError
        The file cannot be opened (locked, not an .xlsx) or has no 台账 header row.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    _check_not_locked(path)
    try:
        wb = load_workbook(path, data_only=True)
    except PermissionError:
        raise LedgerError(f"无法读取台账文件，文件被占用或无权限 (ledger_locked): {path}") from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise LedgerError(f"台账文件无法解析，不是有效的 Excel 工作簿 (ledger_malformed): {path}：{exc}") from None
    ws = wb[LEDGER_SHEET] if LEDGER_SHEET in wb.sheetnames else wb.worksheets[0]
    zh_to_key = {v: k for k, v in COLUMNS.items()}
    header_row, headers = None, {}
    for i, row in enumerate(ws.iter_rows(min_row=1, max_row=10, values_only=True), start=1):
        cells = [str(c).strip() if c is not None else "" for c in row]
        if COLUMNS["key"] in cells and COLUMNS["status"] in cells:
            header_row = i
            headers = {j: zh_to_key.get(c, c) for j, c in enumerate(cells) if c}
            break
    if header_row is None:
        raise LedgerError(
            f"台账文件格式不符 (ledger_malformed): {path}；工作表“{ws.title}”前10行中找不到“事项编号”和“状态”表头。"
        )
    records = []
    for row in ws.iter_rows(min_row=header_row + 1, values_only=True):
        if all(_blank(c) for c in row):
            continue
        records.append({headers[j]: v for j, v in enumerate(row) if j in headers})
    wb.close()
    cols = list(dict.fromkeys(headers.values()))
    df = pd.DataFrame(records, columns=cols).astype(object)
    df = df.drop(columns=["seq"], errors="ignore")
    for c in COLUMNS:
        if c != "seq" and c not in df.columns:
            df[c] = None
    return df


def ledger_summary(df: pd.DataFrame) -> dict[str, int]:
    """Rows per status (every status of :data:`LEDGER_STATUSES`, 0 when absent) and ``total``."""
    counts = df["status"].value_counts()
    out = {st: int(counts.get(st, 0)) for st in LEDGER_STATUSES}
    out["total"] = len(df)
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
    return v


def write_ledger(
    ledger_df: pd.DataFrame,
    path: str | os.PathLike,
    *,
    previous: str | os.PathLike | pd.DataFrame | bool | None = None,
    details: dict[str, pd.DataFrame] | None = None,
    info: dict | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Write the ledger workbook, merged with an older ledger.

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

    Returns
    -------
    pandas.DataFrame
        The rows written (English columns); ``attrs`` has ``kept``, ``reopened``, ``retired``.

    Raises
    ------
    LedgerError
        The older ledger is open, locked or malformed, or the file cannot be written. Nothing is
        written then (the old file stays as it was).
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise LedgerError(f"台账文件须为 .xlsx (ledger_bad_suffix): {path}")
    meta = {"year": "", "source": "", "synthetic": False, **ledger_df.attrs, **(info or {})}
    if previous is None:
        previous = path if path.exists() else False
    if previous is False:
        prev_df = None
    elif isinstance(previous, pd.DataFrame):
        prev_df = previous
    else:
        prev_df = read_ledger(previous)
    merged = merge_ledger(ledger_df, prev_df, today=today)
    merged.attrs.update(meta)

    wb = _workbook(merged, meta, details or {}, today or dt.date.today())
    _check_not_locked(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".~jxedu-", suffix=".xlsx")
    os.close(fd)
    try:
        wb.save(tmp)
        if path.exists():
            shutil.copymode(path, tmp)
            shutil.copy2(path, path.with_name(f"{path.stem}.bak.xlsx"))
        else:  # mkstemp creates 0600; give the file the usual permissions
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except PermissionError:
        raise LedgerError(f"无法写入台账文件，文件被占用或无写权限 (ledger_locked): {path}；请关闭该文件后重试。") from None
    except OSError as exc:
        raise LedgerError(f"写入台账文件失败 (ledger_write_failed): {path}：{exc}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return merged


def _workbook(df: pd.DataFrame, meta: dict, details: dict[str, pd.DataFrame], today: dt.date):
    from openpyxl import Workbook
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    extras = list(meta.get("extras", df.attrs.get("extras", [])) or [])
    keys = [c for c in COLUMNS] + [c for c in extras if c not in COLUMNS]
    headers = [COLUMNS.get(k, k) for k in keys]
    col = {k: get_column_letter(i + 1) for i, k in enumerate(keys)}
    last_print = col[_PRINT_LAST]
    last_col = get_column_letter(len(keys))
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    center = Alignment(horizontal="center", vertical="top", wrap_text=True)

    wb = Workbook()
    ws = wb.active
    ws.title = LEDGER_SHEET
    year = meta.get("year", "")
    synthetic = bool(meta.get("synthetic"))
    ws["A1"] = f"{meta.get('county', '本县')}义务教育优质均衡发展整改台账（{year}学年数据）"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(f"A1:{last_print}1")
    summ = ledger_summary(df)
    sub = (f"生成日期：{today:%Y-%m-%d}　数据来源：{meta.get('source', '')}　事项 {summ['total']} 条："
           + "，".join(f"{st} {summ[st]}" for st in LEDGER_STATUSES))
    if synthetic:
        sub = "【合成演示数据，非真实统计，不得用于决策】　" + sub
    ws["A2"] = sub
    ws["A2"].font = Font(color="C00000" if synthetic else "000000", bold=synthetic)
    ws["A2"].alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    ws.merge_cells(f"A2:{last_print}2")
    ws.row_dimensions[2].height = 30

    head_fill = PatternFill("solid", fgColor="D9E1F2")
    for j, h in enumerate(headers, start=1):
        c = ws.cell(row=_HEADER_ROW, column=j, value=h)
        c.font = Font(bold=True)
        c.fill = head_fill
        c.alignment = center
        c.border = border
    fills = {st: PatternFill("solid", fgColor=rgb) for st, rgb in STATUS_FILLS.items()}
    first = _HEADER_ROW + 1
    for i, rec in enumerate(df.to_dict("records")):
        r = first + i
        for j, k in enumerate(keys, start=1):
            v = i + 1 if k == "seq" else _cell_value(rec.get(k))
            c = ws.cell(row=r, column=j, value=v)
            c.border = border
            c.alignment = center if k in ("seq", "status", "value", "target", "data_year", "closed_on") else wrap
            if isinstance(v, (dt.date, dt.datetime)):
                c.number_format = "yyyy-mm-dd"
        st = rec.get("status")
        if st in fills:
            ws[f"{col['status']}{r}"].fill = fills[st]
    last_row = max(first, first + len(df) - 1)

    for k, w in _WIDTHS.items():
        if k in col:
            ws.column_dimensions[col[k]].width = w
    for k in extras:
        ws.column_dimensions[col[k]].width = 16
    ws.freeze_panes = _FREEZE
    ws.auto_filter.ref = f"A{_HEADER_ROW}:{last_col}{last_row}"
    # colour whole rows by status, live (follows a status the planner changes in Excel)
    rng = f"A{first}:{last_col}{last_row}"
    for st, rgb in STATUS_FILLS.items():
        ws.conditional_formatting.add(
            rng, FormulaRule(formula=[f'${col["status"]}{first}="{st}"'], fill=PatternFill("solid", bgColor=rgb)))
    dv = DataValidation(type="list", formula1='"' + ",".join(LEDGER_STATUSES) + '"', allow_blank=False,
                        showErrorMessage=True, errorTitle="状态无效", error="请从下拉列表选择：" + "、".join(LEDGER_STATUSES))
    dv.add(f"{col['status']}{first}:{col['status']}{last_row + 500}")
    ws.add_data_validation(dv)
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
    ws.oddHeader.right.text = f"{meta.get('county', '本县')}整改台账 {year}学年" + (f"（{vocab.SYNTHETIC_MARK}）" if synthetic else "")

    _readme_sheet(wb, meta, summ, today)
    for name, frame in details.items():
        dws = wb.create_sheet(name[:31])
        dws.append(list(frame.columns))
        for c in dws[1]:
            c.font = Font(bold=True)
            c.fill = head_fill
        for rec in frame.itertuples(index=False):
            dws.append([_cell_value(v) for v in rec])
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
    return wb


def _readme_sheet(wb, meta: dict, summ: dict, today: dt.date) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    ws = wb.create_sheet(README_SHEET)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 90
    synthetic = bool(meta.get("synthetic"))
    rows: list[tuple[str, str]] = [
        ("台账说明", ""),
        ("数据学年", f"{meta.get('year', '')}学年（学年按起始年份计，如 2024 表示 2024—2025 学年）"),
        ("数据来源", str(meta.get("source", ""))),
        ("生成日期", f"{today:%Y-%m-%d}（jxedu 工作台导出）"),
        ("数据性质", "合成演示数据，非真实统计，不得用于决策" if synthetic else "县教体局业务数据"),
        ("评估依据", "《县域义务教育优质均衡发展督导评估办法》（教督〔2017〕6号）；金乡县实施方案（金政办字〔2024〕20号）。"
                     "各项标准值见 jxedu/data/standards.csv，待核实事项的取值见设置（jxedu.core.settings）。"),
        ("", ""),
        ("状态", "含义"),
        *[(st, STATUS_MEANING[st]) for st in LEDGER_STATUSES],
        ("", ""),
        ("填写与销号", "规划人员在“状态”列（下拉选择）、“销号日期”“销号说明”“备注”列填写；可增加自己的列。"),
        ("重新导出", "再次运行 jxedu ledger 输出到同一文件时，按“事项编号”匹配：规划人员填写的销号日期、销号说明、备注和自增列均保留；"
                     "需佐证材料事项保留规划人员填写的状态和现状值；已销号事项若新数据复核仍未达标，自动改为未达标并在备注中注明“重新打开”；"
                     "新数据中已不再出现的事项保留，状态改为已达标并在备注中注明。上一版文件备份为 *.bak.xlsx。"),
        ("事项编号", "county|事项 为全县事项；school|学校标识码|学段|指标 为学校事项。编号不含学年，同一事项跨年度保持同一行；请勿修改。"),
        ("责任单位", "按县实施方案职责分工整理（jxedu/data/responsible_units.csv，可由规划人员核实修改）。"),
        ("打印", "A4 横向、按页宽缩放、每页重复表头；事项编号、数据学年两列不打印。"),
    ]
    fills = {st: PatternFill("solid", fgColor=rgb) for st, rgb in STATUS_FILLS.items()}
    for i, (a, b) in enumerate(rows, start=1):
        ws.cell(row=i, column=1, value=a or None)
        cb = ws.cell(row=i, column=2, value=b or None)
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
    for k, st in enumerate((*LEDGER_STATUSES, "total"), start=1):
        ws.cell(row=start + k, column=1, value="合计" if st == "total" else st)
        ws.cell(row=start + k, column=2, value=summ[st])
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


# --- command line --------------------------------------------------------------------------------


def export_ledger(a: Assessment, out: str | os.PathLike, *, today: dt.date | None = None) -> pd.DataFrame:
    """Build the items of the assessment and write (or update) the ledger at ``out``; return the rows written."""
    ledger = build_ledger(a, include_passing=True)
    return write_ledger(ledger, out, details=ledger_details(a), today=today)


