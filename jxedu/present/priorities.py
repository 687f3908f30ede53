"""优先整改事项: what a 镇长 reads first — each problem, what closes it, how much, an estimated cost,
who is responsible and by when.

Rows come from :attr:`jxedu.analysis.assessment.Assessment.priorities` (ranked by severity); this
module words them. Costs are estimates (估算) from the unit costs of :mod:`jxedu.core.costs` and are
always marked so; a cost that cannot be priced shows why, never 0.
"""

from __future__ import annotations

import pandas as pd

from jxedu.analysis.assessment import assessment_of
from jxedu.core import costs as unit_costs
from jxedu.core import responsibility
from jxedu.core import vocabulary as vocab
from jxedu.core.county import PLAN_TARGET_YEAR
from jxedu.core.vocabulary import fmt
from jxedu.present.tables import Table, table

__all__ = [
    "action_text",
    "cost_text",
    "cost_total_text",
    "costs_table",
    "deadline_text",
    "priorities_frame",
    "priorities_table",
    "problem_text",
    "responsible_text",
]

#: What the tier of a priority means.
TIER_WORDS = {1: "一、资源配置未达标（含低于标准85%底线）", 2: "二、学校规模与班额超标", 3: "三、其他短板与学位缺口"}

_ACTIONS: dict[str, str] = {
    "qualified_teachers_per_100": "补充高于规定学历的专任教师 {n} 人",
    "backbone_teachers_per_100": "培养、认定县级以上骨干教师 {n} 人",
    "pe_art_teachers_per_100": "补充体育、艺术专任教师 {n} 人",
    "teaching_area_per_student": "增加教学及辅助用房 {n} ㎡",
    "sports_area_per_student": "增加体育运动场馆面积 {n} ㎡",
    "equipment_value_per_student": "增加教学仪器设备 {n} 元",
    "multimedia_rooms_per_100": "增加网络多媒体教室 {n} 间",
}


#: Units of the amount codes.
_UNITS = {"teachers": "人", "m2": "㎡", "yuan": "元", "rooms": "间", "pupils": "人", "classes": "个", "classrooms": "间"}


def _stage(code) -> str:
    return "" if code is None or (isinstance(code, float) and pd.isna(code)) else vocab.word(code)


def _n(x) -> str:
    return fmt(x, "int")


def problem_text(r) -> str:
    """What is wrong, with the figure and the standard (a row of ``a.priorities``)."""
    if r.kind == "resource":
        name = vocab.field(r.key).short
        if pd.isna(r.value):
            return f"{name}：缺少办学条件数据"
        unit = vocab.field(r.key).unit
        floor = "，低于85%底线" if r.under_floor else ""
        return (f"{name} {fmt(r.value, 'dec2')}/{fmt(r.threshold, 'g')} {unit}"
                f"（达到标准的 {fmt(r.ratio, 'pct1')}{floor}）")
    if r.kind == "school_size":
        return f"在校生 {_n(r.value)} 人，超过规模上限 {_n(r.threshold)} 人 {_n(r.amount)} 人"
    if r.kind == "class_size":
        return f"超标准班额 {_n(r.amount)} 个（最大 {_n(r.value)} 人，上限 {_n(r.threshold)} 人）"
    if r.kind in ("music_rooms", "art_rooms"):
        what = "音乐" if r.kind == "music_rooms" else "美术"
        return f"{what}专用教室面积达标的 {_n(r.value)} 间，按班级数需 {_n(r.threshold)} 间"
    if r.kind == "pe_art_plan":
        return f"每百名学生体育艺术专任教师 {fmt(r.value, 'dec2')} 人（县规划目标 ≥ {fmt(r.threshold, 'g')} 人）"
    if r.kind == "capacity":
        return (f"预计 {int(r.school_amount)} 学年{_stage(r.stage)}需教室 {_n(r.value)} 间，现有 {_n(r.threshold)} 间，"
                f"扣除本镇街其他学校富余教室后缺 {_n(r.amount)} 间")
    raise ValueError(f"unknown priority kind {r.kind!r}")


def action_text(r) -> str:
    """What closes it and how much."""
    if r.kind == "resource":
        if pd.isna(r.amount):
            return "补充办学条件数据后核算"
        amount = r.school_amount if pd.isna(r.stage) or r.stage is None else r.amount
        text = _ACTIONS[r.key].format(n=_n(amount))
        if r.key == "equipment_value_per_student":
            text += f"（约 {fmt(amount / 10000, 'wan2')} 万元）"
        if (r.stage is None or pd.isna(r.stage)) and not pd.isna(r.school_amount):
            text += "（小学部、初中部共用，按各学部所需的最大值计）"
        elif r.school_amount != r.amount and not pd.isna(r.school_amount):
            text += f"（与其他学部按加权学生数分摊，学校层面需增加 {_n(r.school_amount)} {_UNITS[r.amount_unit]}）"
        return text
    if r.kind == "school_size":
        return f"新建、扩建学校或调整学区，分流约 {_n(r.amount)} 人（约需 {_n(r.school_amount)} 间教室）"
    if r.kind == "class_size":
        return f"增设班级、调整招生计划或学区，化解超标准班额 {_n(r.amount)} 个（约需增加 {_n(r.school_amount)} 个班及教室）"
    if r.kind in ("music_rooms", "art_rooms"):
        what = "音乐" if r.kind == "music_rooms" else "美术"
        return f"新建或改造{what}专用教室 {_n(r.amount)} 间（每间 ≥ {fmt(r.school_amount, 'g')} ㎡）并配齐设备"
    if r.kind == "pe_art_plan":
        return f"通过招聘、交流轮岗补充体育、艺术专任教师 {_n(r.amount)} 人"
    if r.kind == "capacity":
        how = "需新建学校" if r.key == "new_school" else "需扩建学校"
        return f"{how}：到 {int(r.school_amount)} 学年增加{_stage(r.stage)}教室 {_n(r.amount)} 间"
    raise ValueError(f"unknown priority kind {r.kind!r}")


def cost_text(r) -> str:
    """The estimated cost: capital in 万元, yearly in 万元/年, or why there is none."""
    parts = []
    if not pd.isna(r.cost):
        parts.append(f"约 {fmt(r.cost / 10000, 'dec1')} 万元")
    if not pd.isna(r.cost_year):
        parts.append(f"每年约 {fmt(r.cost_year / 10000, 'dec1')} 万元")
    if parts:
        return "；".join(parts) + "（估算）"
    if r.kind == "resource" and r.key == "backbone_teachers_per_100":
        return "以培养认定为主，不计购置费用"
    return "—（缺少数据，无法估算）"


def responsible_text(key: str, township) -> str:
    """The units responsible for an item (``jxedu/data/responsible_units.csv``; ``{镇街}`` = its government)."""
    return responsibility.responsible(key, None if pd.isna(township) else str(township))


def deadline_text(a) -> str:
    """The county plan's deadline for reaching the standard (``2025年``), marked 已逾期 when the school
    year assessed starts after it; ``未设定`` when the county's 规划目标 sets none (never a made-up year)."""
    target = a.plan_target(PLAN_TARGET_YEAR)
    if target is None:
        return "未设定"
    year = int(target.value)
    return f"{year}年" + ("（已逾期）" if a.year > year else "")


def priorities_frame(scope) -> pd.DataFrame:
    """The ranked rows of a scope with their Chinese texts: ``order, tier_text, problem, action, cost_text,
    responsible, deadline`` beside the analysis columns."""
    p = scope.priorities
    a = assessment_of(scope)
    if p.empty:
        return p.assign(order=[], tier_text=[], problem=[], action=[], cost_text=[], responsible=[], deadline=[],
                        stage_text=[])
    return p.assign(
        order=range(1, len(p) + 1),
        tier_text=[TIER_WORDS[t] for t in p["tier"]],
        problem=[problem_text(r) for r in p.itertuples(index=False)],
        action=[action_text(r) for r in p.itertuples(index=False)],
        cost_text=[cost_text(r) for r in p.itertuples(index=False)],
        responsible=[responsible_text(r.responsible_key, r.township) for r in p.itertuples(index=False)],
        deadline=deadline_text(a),
        stage_text=[_stage(s) if s is not None and not pd.isna(s) else "全校" if r.school_id else "—"
                    for s, r in zip(p["stage"], p.itertuples(index=False), strict=True)],
    )


def priorities_table(scope, *, tiers: tuple[int, ...] = (1, 2, 3), max_rows: int | None = None,
                     rest: str = "") -> Table:
    """The ranked list: 序号, 学校, 学段, 问题, 整改措施, 估算费用, 责任单位 (and 镇街 for the county)."""
    f = priorities_frame(scope)
    f = f.loc[f["tier"].isin(tiers)]
    cols = ["order", "name", "stage_text", "problem", "action", "cost_text", "responsible", "deadline"]
    if scope.name == vocab.COUNTY:
        cols.insert(1, "township")
    shown = f.assign(name=f["name"].fillna(f["township"] + "（镇街）"))
    return table(shown, cols, max_rows=max_rows, rest=rest, empty="没有需要整改的事项。")


def cost_total_text(scope) -> str:
    """The estimated total of the scope's actions: capital and yearly (估算)."""
    p = scope.priorities
    cap, year = p["cost"].sum(min_count=1), p["cost_year"].sum(min_count=1)
    parts = []
    if not pd.isna(cap):
        parts.append(f"一次性投入约 {fmt(cap / 10000, 'dec1')} 万元")
    if not pd.isna(year):
        parts.append(f"每年人员经费约 {fmt(year / 10000, 'dec1')} 万元")
    return ("；".join(parts) + "（估算，单位造价见附表）") if parts else "无可估算的费用。"


def costs_table(a) -> Table:
    """The unit costs behind the estimates, each with its source."""
    c = unit_costs.unit_costs(a.settings.unit_costs).reset_index()
    return table(c.rename(columns={"label": "cost_label", "value": "cost_value", "unit": "cost_unit",
                                   "source": "source"}),
                 ["cost_label", "cost_value", "cost_unit", "source"], caption="估算所用单位造价")
