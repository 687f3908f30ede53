"""What a planner reads of the county plan's further tasks: 社会认可度, 特殊群体, 控辍保学, “双减”,
集团化办学与城乡学校共同体, 强镇筑基 and 百强乡镇学校.

Every table takes a scope (the county's assessment or a 镇街 view) and shows the scope's rows of the
county-wide measure. The targets (85 %, 95 %, 100 % …) are county targets: the county's tables carry a
✓/✗ per 镇街 to find the laggards, a 镇街's table shows its figures without a verdict. A table whose
data are missing is a note saying which table it needs and what it would show — never zeros.

No pupil identifier ever reaches a table here: the 控辍保学 tables count cases per 镇街 and month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from jxedu.analysis.assessment import assessment_of, township_of
from jxedu.core import vocabulary as vocab
from jxedu.core.county import PLAN_ALLIANCE, PLAN_DROPOUT
from jxedu.core.vocabulary import COUNTY, fmt
from jxedu.present import style
from jxedu.present.assurance import item_texts
from jxedu.present.tables import Table, table
from jxedu.present.text import Note

__all__ = [
    "ITEMS",
    "SHOWS",
    "after_school_table",
    "alliance_coverage_table",
    "alliance_groups_table",
    "dropout_chart",
    "dropout_monthly_table",
    "dropout_table",
    "grades_text",
    "items_table",
    "key_figure_lines",
    "low_satisfaction_table",
    "missing_text",
    "projects_table",
    "special_groups_table",
    "survey_table",
    "survey_township_table",
    "uncovered_schools_table",
]

#: What each measure's section shows (the note of a missing table says it).
SHOWS: dict[str, str] = {
    "satisfaction": "按调查对象（学生、家长、教师、校长、人大代表和政协委员、社会人士）的问卷与走访满意度及社会认可度",
    "special_group_rates": "各镇街残疾儿童少年入学率、随迁子女在公办学校和政府购买学位就读比例、留守儿童建档比例",
    "dropout_cases": "辍学学生工作台账的各镇街未销号人数和逐月新增、复学人数",
    "after_school": "各校课后服务参与率、作业公示和各年级书面作业时长",
    "alliance_coverage": "农村中小学加入教育集团或城乡学校共同体的覆盖率和未加入的学校",
    "rural_projects": "强镇筑基试点镇和百强乡镇中学、小学的创建状态",
}


def _is_county(scope) -> bool:
    return township_of(scope) is None


def _pct(x) -> str:
    return fmt(x, "pct1")


def _n(x) -> str:
    return fmt(x, "int")


def missing_text(scope, measure: str) -> str:
    """Why a section's table is missing and what it would show (empty when the data have it)."""
    reason = assessment_of(scope).missing(measure)
    if reason is None:
        return ""
    return f"{reason}：有此表时这里给出{SHOWS.get(measure, '本节内容')}；缺少时该事项仍按“需佐证材料”或“数据不足”列入台账（不按 0 计）。"


def _absent(scope, measure: str, caption: str) -> Table | None:
    text = missing_text(scope, measure)
    return Table(pd.DataFrame(), caption=caption, notes=[text]) if text else None


#: The title of these tasks (national items and the county's own plan tasks alike).
TITLE = "其他评估任务"


def _plan_note(scope, key: str, text) -> str:
    """``县规划目标：<text>（文号）`` when the county's 规划目标 sets ``key`` for the year, else ``""``
    (a county that set none hears of no target); ``text`` makes the words from the target as written
    (:func:`jxedu.core.vocabulary.plan_value`)."""
    a = assessment_of(scope)
    t = a.ds.plan_target(key, a.year)
    if t is None:
        return ""
    return f"县规划目标：{text(vocab.plan_value(t))}" + (f"（{t.document}）" if t.document else "") + "。"


def _county_note(scope) -> list[str]:
    return [] if _is_county(scope) else ["达标要求是全县指标，本表列出本镇街的情况，不作达标判断。"]


# --- 社会认可度 --------------------------------------------------------------------------------


def survey_table(scope) -> Table:
    """Satisfaction of the scope per respondent group (every group pooled last)."""
    a = assessment_of(scope)
    caption = f"社会认可度（{scope.name}，{a.year}学年）"
    absent = _absent(scope, "satisfaction", caption)
    if absent is not None:
        return absent
    s = scope.satisfaction
    s = s.loc[s["township"] == scope.name].assign(meets_satisfaction=lambda d: d["meets"])
    cols = ["respondent", "valid", "satisfied", "visits", "satisfied_visits", "questionnaire_rate", "visit_rate",
            "satisfaction"] + (["meets_satisfaction"] if _is_county(scope) else [])
    notes = ["社会认可度 =（满意问卷 + 走访满意人数）÷（有效问卷 + 实地走访人数）；全县和每类调查对象都要达到 "
             f"{vocab.threshold_value('satisfaction')}（教督〔2017〕6号）。"] + _county_note(scope)
    return table(s.reset_index(drop=True), cols, words={"respondent": "respondent"}, caption=caption, notes=notes,
                 empty="本年度没有调查记录。")


def survey_township_table(scope) -> Table:
    """Every group pooled per 镇街 (a 镇街 view: its own row)."""
    a = assessment_of(scope)
    caption = f"各镇街社会认可度（{a.year}学年）"
    absent = _absent(scope, "satisfaction", caption)
    if absent is not None:
        return absent
    s = scope.satisfaction
    s = s.loc[(s["township"] != COUNTY) & (s["respondent"] == "all")].assign(meets_satisfaction=lambda d: d["meets"])
    cols = ["township", "respondents", "satisfied_all", "questionnaire_rate", "visit_rate", "satisfaction"] + (
        ["meets_satisfaction"] if _is_county(scope) else [])
    return table(s.reset_index(drop=True), cols, caption=caption,
                 notes=["按学校调查的问卷计入学校所属镇街；全县层面的调查只计入全县。"] + _county_note(scope))


def low_satisfaction_table(scope, *, max_rows: int | None = None) -> Table:
    """Schools × groups under the target, lowest first."""
    a = assessment_of(scope)
    caption = f"满意度低于{vocab.threshold_value('satisfaction')}的学校（{scope.name}）"
    absent = _absent(scope, "school_satisfaction", caption)
    if absent is not None:
        return absent
    s = scope.school_satisfaction
    low = s.loc[s["meets"].fillna(True).eq(False)].sort_values(["satisfaction", "school_id"])
    return table(low.reset_index(drop=True), ["township", "name", "respondent", "valid", "satisfied", "satisfaction"],
                 words={"respondent": "respondent"}, caption=caption, max_rows=max_rows, rest="完整清单见分析笔记本 07",
                 empty=f"{a.year}学年各校各类调查对象的满意度均不低于{vocab.threshold_value('satisfaction')}。")


# --- 特殊群体 ----------------------------------------------------------------------------------


def special_groups_table(scope) -> Table:
    """残疾儿童少年入学率, 随迁子女 and 留守儿童 per 镇街 (the county: every 镇街 and 全县, with verdicts)."""
    a = assessment_of(scope)
    caption = f"残疾儿童少年、随迁子女和留守儿童（{a.year}学年）"
    absent = _absent(scope, "special_group_rates", caption)
    if absent is not None:
        return absent
    g = scope.special_group_rates
    cols = ["township", "disabled_school_age", "disabled_enrolled", "disabled_rate", "migrant_eligible",
            "migrant_placed", "migrant_rate", "left_behind", "left_behind_care", "care_rate"]
    if _is_county(scope):
        cols[4:4] = ["meets_disabled"]
        cols[8:8] = ["meets_migrant"]
        cols.append("meets_care")
    s = a.settings
    notes = [f"入学率 =（随班就读 + 特殊教育学校 + 送教上门）÷ 适龄残疾儿童少年，全县要求 {vocab.threshold_value('disabled_enrolment')}；"
             f"随迁子女在公办学校和政府购买学位就读比例全县要求 {vocab.threshold_value('migrant_public_share')}；"
             f"留守儿童建立关爱帮扶档案的比例按设置项 left_behind_care_min（{s.left_behind_care_min * 100:g}%）。",
             *_county_note(scope)]
    return table(g.reset_index(drop=True), cols, short=True, caption=caption, notes=notes)


# --- 控辍保学 ----------------------------------------------------------------------------------


def dropout_table(scope) -> Table:
    """Cases of the 辍学学生工作台账 per 镇街: all, the year's, open and how the others closed."""
    a = assessment_of(scope)
    caption = "辍学学生工作台账（各镇街）"
    absent = _absent(scope, "dropout_cases", caption)
    if absent is not None:
        return absent
    d = scope.dropout_by_township
    return table(d.reset_index(drop=True), ["township", "cases", "distinct_pupils", "cases_year", "open", "returned",
                                            "home_taught", "special_school"],
                 labels={"cases_year": f"{a.year}学年新增（人次）"}, caption=caption,
                 notes=["按辍学学生所在学校的镇街统计；“劝返中”“其他”为未销号。"
                        + _plan_note(scope, PLAN_DROPOUT, lambda v: "辍学学生动态清零" if v == "0" else f"未销号不超过 {v} 人")
                        + "学生只以化名编号登记，本表只列人数。"])


def dropout_monthly_table(scope) -> Table:
    """Pupils who left and came back per month, and the cases open at each month's end (the scope's)."""
    caption = f"控辍保学逐月情况（{scope.name}）"
    absent = _absent(scope, "dropout_monthly", caption)
    if absent is not None:
        return absent
    m = scope.dropout_monthly
    m = m.loc[m["township"] == scope.name]
    return table(m.reset_index(drop=True), ["month", "left", "returned", "open_end"], caption=caption,
                 notes=["送教上门、转入特殊教育学校而未填复学日期的，从辍学当月起按已销号计。"],
                 empty="本镇街没有辍学学生记录。")


def dropout_chart(scope, *, size: str | tuple[float, float] = "a4") -> Figure | Note:
    """Bars of pupils who left and came back per month, and the line of open cases (the scope's)."""
    text = missing_text(scope, "dropout_monthly")
    if text:
        return Note(text)
    m = scope.dropout_monthly
    m = m.loc[m["township"] == scope.name]
    fig, ax = style.new_figure(size=size, title=f"控辍保学逐月情况（{scope.name}）")
    if m.empty:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "没有辍学学生记录", ha="center", va="center")
        return fig
    x = np.arange(len(m))
    ax.bar(x - 0.2, m["left"], width=0.4, color=style.THRESHOLD_COLOR, label=vocab.field("left").label)
    ax.bar(x + 0.2, m["returned"], width=0.4, color=style.STAGE_COLORS["primary"], label=vocab.field("returned").label)
    ax.plot(x, m["open_end"], color=style.NEUTRAL_COLOR, marker="o", label=vocab.field("open_end").label)
    ax.set_xticks(x, m["month"], rotation=60, fontsize="x-small")
    ax.set_ylabel("人")
    ax.legend(loc="upper left", fontsize="small")
    return fig


# --- “双减” ------------------------------------------------------------------------------------


def grades_text(grades: list[int]) -> str:
    """Grades as a planner writes them (``五年级、六年级``; ``无`` for none)."""
    names = "一二三四五六七八九"
    return "、".join(f"{names[g - 1]}年级" for g in grades) or "无"


def after_school_table(scope, *, only_failing: bool = True, max_rows: int | None = None) -> Table:
    """Schools and their 双减 checks: 课后服务 offered and taken up, 作业公示, homework minutes."""
    a = assessment_of(scope)
    caption = f"课后服务与作业{'未达标的学校' if only_failing else ''}（{scope.name}，{a.year}学年）"
    absent = _absent(scope, "after_school", caption)
    if absent is not None:
        return absent
    f = scope.after_school
    f = f.assign(grades_over=[grades_text(g) for g in f["grades_over"]], meets_after_school=f["meets"],
                 worst_excess=f["worst_excess"].where(f["worst_excess"] > 0))
    if only_failing:
        f = f.loc[f["meets"].fillna(True).eq(False)]
    s = a.settings
    notes = [f"课后服务参与率 = 参加课后服务学生 ÷ 义务教育在校生，按设置项 after_school_participation_min"
             f"（{s.after_school_participation_min * 100:g}%）；书面作业平均时长：小学一、二年级不布置，三至六年级"
             f"不超过 {vocab.threshold_value('homework_minutes_max', 'primary_upper')} 分钟，初中不超过 "
             f"{vocab.threshold_value('homework_minutes_max', 'junior')} 分钟（中办发〔2021〕40号）。"]
    return table(f.reset_index(drop=True), ["township", "name", "compulsory_pupils", "offers", "participation",
                                            "homework_published", "grades_over", "worst_excess", "meets_after_school"],
                 short=True, caption=caption, notes=notes, max_rows=max_rows, rest="完整清单见分析笔记本 07 和台账",
                 empty="各校课后服务、作业公示和书面作业时长均达标。")


# --- 集团化办学与城乡学校共同体 ------------------------------------------------------------------


def alliance_coverage_table(scope) -> Table:
    """Rural schools covered by a group, per 镇街 (the county: every 镇街 and 全县)."""
    a = assessment_of(scope)
    caption = f"集团化办学与城乡学校共同体覆盖农村中小学（{a.year}学年）"
    absent = _absent(scope, "alliance_coverage", caption)
    if absent is not None:
        return absent
    areas = "、".join(vocab.word(x) for x in a.settings.alliance_areas)
    return table(scope.alliance_coverage_by_township.reset_index(drop=True),
                 ["township", "rural_schools", "covered_schools", "uncovered_schools", "coverage"], caption=caption,
                 notes=[f"农村中小学：城乡分类为{areas}的学校（设置项 alliance_areas），含教学点。"
                        + _plan_note(scope, PLAN_ALLIANCE, lambda v: f"农村中小学覆盖率 {v}"),
                        *_county_note(scope)])


def uncovered_schools_table(scope, *, max_rows: int | None = None) -> Table:
    """The rural schools no group covers."""
    caption = f"尚未加入教育集团或城乡学校共同体的农村学校（{scope.name}）"
    absent = _absent(scope, "alliance_coverage", caption)
    if absent is not None:
        return absent
    c = scope.alliance_coverage
    return table(c.loc[~c["covered"]].reset_index(drop=True), ["township", "name", "school_type", "urban_rural"],
                 caption=caption, max_rows=max_rows, rest="完整清单见台账", empty="农村中小学均已加入教育集团或城乡学校共同体。")


def alliance_groups_table(scope) -> Table:
    """The groups with a school in the scope: kind, lead school, members, the 镇街 they span."""
    caption = f"教育集团与城乡学校共同体（{scope.name}）"
    absent = _absent(scope, "alliance_groups", caption)
    if absent is not None:
        return absent
    g = scope.alliance_groups
    g = g.assign(townships_text=["、".join(t) for t in g["townships"]])
    return table(g.reset_index(drop=True), ["alliance", "alliance_kind", "lead_name", "members", "townships_text"],
                 caption=caption, empty="没有教育集团或城乡学校共同体的记录。")


def projects_table(scope) -> Table:
    """The 强镇筑基 pilot towns and the 百强乡镇中学/小学 of the scope."""
    caption = f"强镇筑基试点与百强乡镇学校（{scope.name}）"
    absent = _absent(scope, "rural_projects", caption)
    if absent is not None:
        return absent
    return table(scope.rural_projects.reset_index(drop=True),
                 ["project", "township", "name", "project_level", "project_status", "since_year"],
                 caption=caption, empty="没有强镇筑基试点或百强乡镇学校的记录。")


# --- key figures -------------------------------------------------------------------------------


def _survey_line(scope) -> str:
    if missing_text(scope, "satisfaction"):
        return "社会认可度：缺少满意度调查表，仍需佐证材料。"
    s = scope.satisfaction
    row = s.loc[(s["township"] == scope.name) & (s["respondent"] == "all")]
    if row.empty:
        return f"社会认可度：{assessment_of(scope).year}学年没有{scope.name}的调查记录。"
    r = row.iloc[0]
    line = f"社会认可度 {_pct(r['satisfaction'])}（{_n(r['respondents'])} 人次）"
    groups = s.loc[(s["township"] == scope.name) & (s["respondent"] != "all")]
    low = groups.loc[groups["meets"].fillna(True).eq(False)]
    if _is_county(scope):
        line += f"，标准 {vocab.threshold_text('satisfaction')}"
    if len(low):
        line += "；低于标准的调查对象：" + "、".join(f"{vocab.word(g, 'respondent')} {_pct(v)}"
                                              for g, v in zip(low["respondent"], low["satisfaction"]))
    return line


def _special_lines(scope) -> list[str]:
    if missing_text(scope, "special_group_rates"):
        return ["残疾儿童少年入学率、随迁子女就读比例、留守儿童关爱：缺少特殊群体表，仍需佐证材料。"]
    g = scope.special_group_rates
    row = g.loc[g["township"] == scope.name]
    if row.empty:
        return [f"特殊群体：{assessment_of(scope).year}学年没有{scope.name}的记录。"]
    r = row.iloc[0]
    county = _is_county(scope)
    return [
        f"残疾儿童少年入学率 {_pct(r['disabled_rate'])}（适龄 {_n(r['disabled_school_age'])} 人，已入学 "
        f"{_n(r['disabled_enrolled'])} 人）" + (f"，标准 {vocab.threshold_text('disabled_enrolment')}" if county else ""),
        f"随迁子女在公办学校和政府购买学位就读比例 {_pct(r['migrant_rate'])}（符合条件 {_n(r['migrant_eligible'])} 人）"
        + (f"，标准 {vocab.threshold_text('migrant_public_share')}" if county else ""),
        f"留守儿童 {_n(r['left_behind'])} 人，已建立关爱帮扶档案 {_n(r['left_behind_care'])} 人（{_pct(r['care_rate'])}）",
    ]


def _dropout_line(scope) -> str:
    if missing_text(scope, "dropout_cases"):
        return "控辍保学：缺少控辍保学台账，无法统计辍学学生。"
    a = assessment_of(scope)
    d = scope.dropout_by_township
    r = d.loc[d["township"] == scope.name].iloc[0]
    t = a.ds.plan_target(PLAN_DROPOUT, a.year) if _is_county(scope) else None
    goal = "" if t is None else ("，目标动态清零" if t.value == 0 else f"，目标不超过 {vocab.plan_value(t)} 人")
    return (f"辍学学生工作台账 {_n(r['cases'])} 人次（{a.year}学年新增 {_n(r['cases_year'])} 人次），"
            f"未销号 {_n(r['open'])} 人{goal}")


def _after_school_line(scope) -> str:
    if missing_text(scope, "after_school"):
        return "课后服务与作业：缺少课后服务与作业表，仍需佐证材料。"
    f = scope.after_school
    if f.empty:
        return f"课后服务与作业：{assessment_of(scope).year}学年没有{scope.name}学校的记录。"
    offering = f.loc[f["offers"].fillna(False).astype(bool)]
    pupils = f["compulsory_pupils"].sum(min_count=1)
    rate = offering["participants"].sum(min_count=1) / pupils if pupils else float("nan")
    bad = f.loc[f["meets"].fillna(True).eq(False)]
    no_service = int(f["offers"].fillna(True).eq(False).sum())
    return (f"课后服务参与率 {_pct(rate)}（{_n(len(f))} 所学校，{_n(no_service)} 所未开展）；"
            f"课后服务、作业公示或书面作业时长未达标的学校 {_n(len(bad))} 所")


def _alliance_line(scope) -> str:
    if missing_text(scope, "alliance_coverage"):
        return "集团化办学与城乡学校共同体：缺少集团化与联盟表，无法计算农村中小学覆盖率。"
    a = assessment_of(scope)
    c = scope.alliance_coverage_by_township
    r = c.loc[c["township"] == scope.name].iloc[0]
    return (f"农村中小学加入教育集团或城乡学校共同体 {_n(r['covered_schools'])} / {_n(r['rural_schools'])} 所"
            f"（{_pct(r['coverage'])}）"
            + (f"，县规划目标 {vocab.plan_value(t)}" if _is_county(scope) and (t := a.ds.plan_target(PLAN_ALLIANCE, a.year))
               else "")
            + (f"；未加入 {_n(r['uncovered_schools'])} 所" if r["uncovered_schools"] else ""))


def _projects_line(scope) -> str:
    if missing_text(scope, "rural_projects"):
        return "强镇筑基与百强乡镇学校：缺少强镇筑基与百强学校表，仍需佐证材料。"
    p = scope.rural_projects
    towns = p.loc[p["project"] == "strong_town"]
    top = p.loc[p["project"] != "strong_town"]
    town_text = "、".join(f"{t}（{vocab.word(lv, 'project_level') if isinstance(lv, str) else ''}"
                         f"{vocab.word(st, 'project_status')}）" for t, lv, st in
                         zip(towns["township"], towns["project_level"], towns["project_status"])) or "无"
    return (f"强镇筑基试点：{town_text}；百强乡镇中学、小学已认定 {_n((top['project_status'] == 'recognised').sum())} 所、"
            f"创建中 {_n((top['project_status'] == 'in_progress').sum())} 所")


def key_figure_lines(scope) -> list[str]:
    """The scope's figures of the plan's further tasks, one sentence each (the first line names the scope)."""
    a = assessment_of(scope)
    return [f"{scope.name} {a.year}学年 {TITLE}", _survey_line(scope), *_special_lines(scope),
            _dropout_line(scope), _after_school_line(scope), _alliance_line(scope), _projects_line(scope)]


#: The assessment items of the plan's further tasks, in the order of this section.
ITEMS: tuple[str, ...] = ("satisfaction", "disabled_enrolment", "migrant_public_share", "left_behind_care",
                          "homework_burden", "after_school_service", "plan_dropout_ledger", "plan_alliance_coverage",
                          "plan_strong_towns", "plan_top_rural_schools")


def items_table(scope, *, compact: bool = False) -> Table:
    """The county's items of these tasks with their status — computed from the tables, or evidence when a
    table is missing (a 镇街 view: a note, the items are county targets). ``compact`` leaves out the
    category and the detail (for the PDF, where the key figures above carry the detail)."""
    caption = f"{TITLE}的评估事项（全县）"
    if not _is_county(scope):
        return Table(pd.DataFrame(), caption=caption, notes=["这些事项是全县指标，请在全县版本中查看；上面各表列出本镇街的情况。"])
    a = assessment_of(scope)
    items = pd.concat([a.assurance, a.checklist], ignore_index=True)
    items = items.loc[items["item_key"].isin(ITEMS)]
    items = items.assign(_o=items["item_key"].map({k: i for i, k in enumerate(ITEMS)})).sort_values("_o")
    shown = item_texts(items.drop(columns="_o").reset_index(drop=True), a.settings)
    cols = (["item_name", "value", "target", "unit", "status", "gap"] if compact
            else ["category", "item_name", "value", "target", "unit", "status", "gap", "detail"])
    return table(shown, cols,
                 formats={"value": "g", "target": "g"}, words={"category": "item_category", "status": "status"},
                 caption=caption, notes=["“需佐证材料”的事项请在台账（jxedu ledger）中登记状态；补充相应的表后由数据计算。"])
