"""What a planner reads of the assurance, quality, recognition and county-plan items.

The analysis (:func:`jxedu.analysis.assurance.assurance_items`) gives each item a status code and
the counts behind it (``facts``); this module turns them into the item's Chinese name (from the
item catalogue ``jxedu/data/items.csv``, thresholds filled in from the standards table), what is
missing (``gap``) and how it was found (``detail``). The ledger and the reports use the same texts.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from jxedu.analysis.assurance import STATUS_NO_DATA
from jxedu.core import standards as std
from jxedu.core import vocabulary as vocab
from jxedu.core.settings import Settings
from jxedu.core.vocabulary import fmt
from jxedu.present import style
from jxedu.present.tables import Table, table

__all__ = [
    "item_action",
    "item_name",
    "item_records",
    "item_short",
    "item_texts",
    "items_table",
    "room_source_text",
    "rooms_relaxation_text",
    "size_relaxation_text",
    "trend_chart",
]


def _t(key: str, stage: str = "all") -> str:
    """A threshold's value as written in a sentence (``10%``, ``2000``)."""
    return vocab.threshold_value(key, stage)


#: Which rotations count toward the plan's target (setting ``rotation_target_moves``), as the item says.
_MOVES_TEXT = {"all": "义务教育学校教师交流轮岗", "toward_rural_weak": "城镇学校向乡村和薄弱学校交流轮岗教师"}


def _fill(text: str, settings: Settings, plan=None) -> str:
    text = text.replace("{setting:special_ed_funding_min}", f"{settings.special_ed_funding_min:g}")
    for share in ("left_behind_care_min", "after_school_participation_min"):  # shares, written in %
        text = text.replace(f"{{setting:{share}}}", f"{100 * float(getattr(settings, share)):g}%")
    if plan is not None:  # a county-plan item: its own target, deadline and counting rule
        text = (text.replace("{plan:v}", vocab.plan_value(plan))
                .replace("{plan:end}", f"{plan.end}年" if plan.end is not None else "")
                .replace("{plan:moves}", _MOVES_TEXT[settings.rotation_target_moves]))
    return vocab.fill_thresholds(text)


def item_name(key: str, settings: Settings, plan=None) -> str:
    """The requirement of an item, e.g. ``交流轮岗教师不低于符合交流条件教师数的10%``; a county-plan item
    names its own target (``plan``: the :class:`jxedu.core.county.PlanTarget` of its facts)."""
    return _fill(std.items().loc[key, "name"], settings, plan)


def item_short(key: str) -> str:
    """The short name of an item with its place in the method, e.g. ``班额（政府保障第5项）``."""
    cat = std.items().loc[key]
    short, ref = cat["short"] or cat["name"], cat["ref"]
    return short if ref in short or short in ref else f"{short}（{ref}）"


def item_action(key: str, settings: Settings) -> str:
    """The county-level action of an item (empty when the catalogue gives none)."""
    return _fill(std.items().loc[key, "action"], settings)


def _pct(x) -> str:
    return fmt(x, "pct1")


def _missing_rotation(f: dict) -> tuple[str, str]:
    return "", f"缺少教师表或交流轮岗表，或交流轮岗表中无{f['year']}学年记录。"


def _rooms(f: dict) -> tuple[str, str]:
    gap = (f"{f['failing']} 所学校缺音乐教室 {f['music_short']} 间、美术教室 {f['art_short']} 间" if f["failing"] else "")
    detail = (f"{f['schools']} 所学校中 {f['known'] - f['failing']} 所达标、{f['failing']} 所未达标"
              + (f"、{f['no_data']} 所无数据" if f["no_data"] else "")
              + f"；音乐教室≥{_t('music_room_area_min')}㎡、美术教室≥{_t('art_room_area_min')}㎡"
              + ("（已按设置适用过渡期放宽面积）" if f["relaxation"] else "（未适用放宽）")
              + ("" if f["areas_checked"] else "（无专用教室表，按办学条件表房间数计，未核面积）") + "。")
    return gap, detail


def _size(f: dict) -> tuple[str, str]:
    gap = f"{f['over']} 所学校超规模，合计超出 {fmt(f['excess'], 'int')} 人" if f["over"] else ""
    names = f["names"]
    detail = (f"{f['schools']} 所学校中 {f['over']} 所超过规模上限"
              + (f"（{'、'.join(names[:5])}{'等' if len(names) > 5 else ''}）" if names else "")
              + (f"；已按设置适用{_t('school_size_relax_built_year')}年及以前建成或随迁子女超过"
                 f"{_t('school_size_relax_migrant_share')}学校的放宽上限。" if f["relaxation"] else "。"))
    return gap, detail


def _classes(f: dict) -> tuple[str, str]:
    if f.get("missing"):
        return "", "缺少班级表，无法核查班额。"
    gap = (f"超标准班额 {f['classes']} 个（小学 {f['primary']} 个、初中 {f['junior']} 个），共超出 {fmt(f['excess'], 'int')} 人"
           if f["classes"] else "")
    detail = (f"超标准班额 {f['classes']} 个，涉及 {f['schools']} 所学校；其中{vocab.word('big', 'class_band')} "
              f"{f['big']} 个、{vocab.word('super', 'class_band')} {f['super']} 个。")
    return gap, detail


def _latest_roster(f: dict) -> str:
    """The mark of a figure read from the latest roster for another year (empty otherwise)."""
    return ("（教师表无该学年名册，按最新一期名册推算：此后离开或调动的教师不在其中）"
            if f.get("roster_from_latest") else "")


def _source_text(f: dict) -> str:
    how = {"stage_stats": "学段统计", "roster": "教师名册"}.get(f["source"], "无数据")
    if f["source"] == "stage_stats" and f["unreported"]:
        how += f"（{f['unreported']} 条学段记录未填报）"
    elif f["source"] == "roster" and f["unreported"]:
        how += f"（{f['unreported']} 名教师未填报）"
    if f["source"] == "roster":
        how += _latest_roster(f)
    return how


def _training(f: dict) -> tuple[str, str]:
    n, d = f["numerator"], f["denominator"]
    gap = f"尚有 {d - n} 名专任教师未完成{_t('training_hours_required')}学时培训" if d > n else ""
    detail = f"完成 {n} 人 / 专任教师 {d} 人（来源：{_source_text(f)}）。" if d else "学段统计与教师名册均无培训数据。"
    return gap, detail


def _rotation(f: dict) -> tuple[str, str]:
    if f.get("missing"):
        return _missing_rotation(f)
    gap = f"还需交流 {f['need_rotated']} 人" if f["need_rotated"] else ""
    detail = (f"{f['year']}学年交流轮岗 {f['rotated']} 人，符合交流条件教师 {f['eligible']} 人（符合交流条件："
              f"在同一学校任教满{f['min_years']}年、距法定退休年龄超过{f['years_to_retirement']}年的教师）"
              f"{_latest_roster(f)}。")
    return gap, detail


def _rotation_backbone(f: dict) -> tuple[str, str]:
    if f.get("missing"):
        return _missing_rotation(f)
    gap = f"交流人数不变时还需 {f['need_backbone']} 名县级以上骨干教师参加交流" if f["need_backbone"] else ""
    detail = (f"交流轮岗 {f['rotated']} 人中县级以上骨干教师 {f['rotated_backbone']} 人"
              + (f"；{f['unmatched']} 人不在教师名册中，按非骨干计" if f["unmatched"] else "") + _latest_roster(f) + "。")
    return gap, detail


def _certificates(f: dict) -> tuple[str, str]:
    n, d = f["numerator"], f["denominator"]
    gap = f"{d - n} 名专任教师未持教师资格证" if d > n else ""
    return gap, (f"持证 {n} 人 / 专任教师 {d} 人（来源：{_source_text(f)}）。" if d else "无持证数据。")


def _migrants(f: dict) -> tuple[str, str]:
    if f.get("missing"):
        return "", "学段统计未填报随迁子女数。"
    return "", (f"在校随迁子女 {fmt(f['migrant'], 'int')} 人，占填报学校在校生的 {_pct(f['share'])}；"
                f"第15项“符合条件的随迁子女在公办学校和政府购买学位就读比例≥{_t('migrant_public_share')}”需佐证材料。")


def _retention(f: dict) -> tuple[str, str]:
    if f.get("missing") == "classes_two_years_ago":
        return "", "需佐证材料（数据中无两年前的班级表，无法估算）。"
    if f.get("missing"):
        return "", "需佐证材料（两年前无七年级学生数据）。"
    y = f["year"]
    if f.get("implausible"):
        return ("估算值超过 100%，数据有问题，请核查", f"{y}学年九年级 {fmt(f['grade9'], 'int')} 人多于 {y - 2}学年七年级 "
                f"{fmt(f['grade7'], 'int')} 人（估算 {_pct(f['estimate'])}），不能作为巩固率：可能有转入学生、两年前的"
                "班级表不全或年级填错，请核查班级表；正式巩固率需佐证材料。")
    return "", (f"估算：{y}学年九年级 {fmt(f['grade9'], 'int')} 人 ÷ {y - 2}学年七年级 {fmt(f['grade7'], 'int')} 人 = "
                f"{_pct(f['grade9'] / f['grade7'])}（未扣除转入转出和死亡，仅供参考；正式巩固率需佐证材料）。")


def _cite(f: dict) -> str:
    """`` 某政办字〔2024〕20号`` — the plan's 文号 of a county-plan item (with a leading space), when given."""
    doc = f["plan_target"].document if f.get("plan_target") is not None else ""
    return f" {doc}" if doc else ""


def _plan_pe_art(f: dict) -> tuple[str, str]:
    if f.get("scope", "school") == "unit":
        gap = (f"{f['low_schools']} 所学校的 {f['low']} 个学部共缺体育、艺术专任教师 {f['short_teachers']} 人"
               if f["low"] else "")
        return gap, (f"{f['schools']} 所学校的 {f['rows']} 个学部中 {f['low']} 个低于每百名学生"
                     f"{vocab.plan_value(f['plan_target'])}人（按学部计：一贯制学校的小学部、初中部分别核查；"
                     f"县规划目标{_cite(f)}）。")
    gap = f"{f['low']} 所学校共缺体育、艺术专任教师 {f['short_teachers']} 人" if f["low"] else ""
    return gap, (f"{f['schools']} 所学校中 {f['low']} 所低于每百名学生{vocab.plan_value(f['plan_target'])}人"
                 f"（按全校义务教育学段计；县规划目标{_cite(f)}）。")


def _years_text(years: list[int]) -> str:
    return f"{years[0]}学年" if len(years) == 1 else f"{years[0]}–{years[-1]}学年"


def _plan_rotations(f: dict) -> tuple[str, str]:
    if f.get("missing"):
        return _missing_rotation(f)
    p = f["progress"]
    target = vocab.fmt(p["target"], "g")
    counted = "交流轮岗" if p["moves"] == "all" else "城镇学校到乡村或薄弱学校的交流"
    average = (f"{_years_text(p['average_years'])}年均 {vocab.fmt(p['average'], 'dec1')} 人"
               f"（{'达到' if p['meets_average'] else '未达到'}目标 {target} 人）")
    yearly = f"{p['year']}学年 {p['counted']} 人（{'达到' if p['meets_yearly'] else '未达到'}）"
    short = p["short_average"] if p["basis"] == "average" else p["short_yearly"]
    gap = f"{'年均' if p['basis'] == 'average' else '当年'}还差 {short} 人" if not p["meets"] else ""
    beside = ("" if p["moves"] != "all" else
              f"其中由城区、镇区学校到乡村或薄弱学校 {f['toward_target']} 人（占 {_pct(f['toward_target'] / f['rotated'])}"
              f"，到乡村学校 {f['toward_rural']} 人；薄弱学校指资源配置有学部未达标的学校）" if f["rotated"] else "")
    basis = "按规划以来年均判断" if p["basis"] == "average" else "按当年人数判断"
    return gap, (f"计入目标的{counted}：{average}；{yearly}；{basis}（设置 rotation_target_basis）"
                 + (f"。{f['year']}学年义务教育学段交流轮岗共 {f['rotated']} 人，{beside}" if beside else "")
                 + f"。依据：县规划目标{_cite(f)}。")


def _plan_honours(f: dict) -> tuple[str, str]:
    if f.get("missing"):
        return "", "教师表未填写最美教师年份。"
    gap = f"还差 {f['short']} 人" if f["short"] else ""
    return gap, f"{f['year']}年评选“最美教师” {f['honoured']} 人（按教师名册中的最美教师年份统计）{_latest_roster(f)}。"


def _plan_smart(f: dict) -> tuple[str, str]:
    if not f["known"]:
        return "", "办学条件表未填报智慧校园。"
    gap = f"{f['known'] - f['yes']} 所学校尚未建成智慧校园" if f["known"] > f["yes"] else ""
    due = f"，期限 {f['deadline']} 年" if f.get("deadline") is not None else ""
    return gap, (f"{f['known']} 所填报学校中 {f['yes']} 所为智慧校园"
                 + (f"，{f['unreported']} 所未填报" if f["unreported"] else "") + f"（县规划目标{_cite(f)}{due}）。")


def _low_towns(f: dict) -> str:
    low = f.get("townships_low") or []
    return ("；低于要求的镇街：" + "、".join(f"{t}（{_pct(r)}）" for t, r in low)) if low else ""


def _satisfaction(f: dict) -> tuple[str, str]:
    if pd.isna(f["rate"]):
        return "", f"满意度调查表{f['year']}学年没有有效问卷或走访记录。"
    groups = "、".join(f"{vocab.word(g, 'respondent')} {_pct(r)}" for g, r in f["group_rates"].items())
    low = "、".join(vocab.word(g, "respondent") for g in f["groups_low"])
    gap = f"调查对象中{low}低于{_t('satisfaction')}" if low else ""
    towns = "、".join(f["townships_low"])
    return gap, (f"{f['year']}学年问卷与走访 {fmt(f['respondents'], 'int')} 人次，满意 {fmt(f['satisfied'], 'int')} 人次，"
                 f"社会认可度 {_pct(f['rate'])}；分调查对象：{groups}" + (f"；低于{_t('satisfaction')}的镇街：{towns}" if towns else "")
                 + "（按满意度调查表计算）。")


def _rate_detail(f: dict, what: str, whole: str, part: str) -> str:
    if f["whole"] is None:
        return f"特殊群体表未填报{whole}。"
    return (f"{f['year']}学年{whole} {fmt(f['whole'], 'int')} 人，{part} {fmt(f['part'], 'int')} 人，{what} {_pct(f['rate'])}"
            + _low_towns(f) + (f"；{f['unreported']} 个镇街未填报" if f["unreported"] else "") + "。")


def _disabled(f: dict) -> tuple[str, str]:
    gap = (f"尚有 {fmt(f['whole'] - f['part'], 'int')} 名适龄残疾儿童少年未入学" if f["whole"] and f["part"] is not None
           and f["whole"] > f["part"] else "")
    detail = _rate_detail(f, "入学率", "适龄残疾儿童少年", "已入学（随班就读、特殊教育学校、送教上门）")
    return gap, detail


def _migrant_public(f: dict) -> tuple[str, str]:
    return "", _rate_detail(f, "就读比例", "符合条件的随迁子女", "在公办学校和政府购买学位就读")


def _left_behind(f: dict) -> tuple[str, str]:
    gap = (f"{fmt(f['whole'] - f['part'], 'int')} 名留守儿童尚未建立关爱帮扶档案" if f["whole"] and f["part"] is not None
           and f["whole"] > f["part"] else "")
    return gap, _rate_detail(f, "建档比例", "留守儿童", "已建立关爱帮扶档案")


def _homework(f: dict) -> tuple[str, str]:
    parts = [f"{f['unpublished']} 所未公示作业" if f["unpublished"] else "",
             f"{f['over']} 所书面作业超过规定时长" if f["over"] else "",
             f"其中 {f['lower_grades']} 所给一、二年级布置书面作业" if f["lower_grades"] else ""]
    gap = "，".join(p for p in parts if p)
    names = f["names"]
    return gap, (f"{f['year']}学年 {f['schools']} 所学校中 {len(names)} 所作业公示或书面作业时长未达标"
                 + (f"（{'、'.join(names[:5])}{'等' if len(names) > 5 else ''}）" if names else "")
                 + (f"；{f['unknown']} 所未填报" if f["unknown"] else "") + "（按课后服务与作业表）。")


def _after_school(f: dict) -> tuple[str, str]:
    gap = f"{f['not_offering']} 所学校未开展课后服务" if f["not_offering"] else ""
    return gap, (f"{f['year']}学年参加课后服务 {fmt(f['participants'], 'int')} 人 / 义务教育在校生 {fmt(f['pupils'], 'int')} 人"
                 f"（{_pct(f['rate'])}）；{f['low']} 所开展课后服务的学校参与率低于要求。")


def _dropout(f: dict) -> tuple[str, str]:
    if f.get("missing"):
        return "", "缺少控辍保学台账，无法统计辍学学生（请按模板填报辍学学生工作台账）。"
    towns = "、".join(f"{t} {n} 人" for t, n in f["townships_open"].items())
    gap = f"尚有 {f['open']} 名辍学学生未销号（{towns}）" if f["open"] else ""
    return gap, (f"辍学学生工作台账截至{f['year']}学年共 {f['cases']} 人次（本学年新增 {f['cases_year']} 人次），"
                 f"已复学 {f['returned']} 人，未销号 {f['open']} 人（学生以化名编号登记，报告只列人数）。")


def _alliance(f: dict) -> tuple[str, str]:
    if f.get("missing"):
        return "", "缺少集团化与联盟表，无法计算农村中小学覆盖率。"
    names = f["names"]
    gap = (f"{f['uncovered']} 所农村学校尚未加入（{'、'.join(names[:5])}{'等' if len(names) > 5 else ''}）"
           if f["uncovered"] else "")
    areas = "、".join(vocab.word(x) for x in f["areas"])
    return gap, (f"{f['groups']} 个教育集团和城乡学校共同体覆盖农村中小学 {f['covered']} / {f['rural']} 所"
                 f"（农村：城乡分类为{areas}，设置项 alliance_areas）。")


def _strong_towns(f: dict) -> tuple[str, str]:
    towns = "、".join(f"{t}（{vocab.word(lv, 'project_level') if isinstance(lv, str) else ''}{vocab.word(st, 'project_status')}）"
                      for t, lv, st in f["towns"])
    return "", f"强镇筑基试点镇：{towns or '无'}（按强镇筑基与百强学校表；建设成效需佐证材料）。"


def _top_schools(f: dict) -> tuple[str, str]:
    return "", (f"百强乡镇中学 {f['junior']} 所、百强乡镇小学 {f['primary']} 所，其中已认定 {f['recognised']} 所、创建中 "
                f"{f['in_progress']} 所（按强镇筑基与百强学校表）。")


#: Sentences of the computed items: key -> facts -> (gap, detail).
_SENTENCES: dict[str, Callable[[dict], tuple[str, str]]] = {
    "music_art_rooms": _rooms,
    "school_size": _size,
    "class_size": _classes,
    "training_completion": _training,
    "rotation_share": _rotation,
    "rotation_backbone_share": _rotation_backbone,
    "certificate_share": _certificates,
    "migrant_share": _migrants,
    "junior_retention": _retention,
    "plan_pe_art_every_school": _plan_pe_art,
    "plan_rotations": _plan_rotations,
    "plan_honoured_teachers": _plan_honours,
    "plan_smart_campus": _plan_smart,
    "satisfaction": _satisfaction,
    "disabled_enrolment": _disabled,
    "migrant_public_share": _migrant_public,
    "left_behind_care": _left_behind,
    "homework_burden": _homework,
    "after_school_service": _after_school,
    "plan_dropout_ledger": _dropout,
    "plan_alliance_coverage": _alliance,
    "plan_strong_towns": _strong_towns,
    "plan_top_rural_schools": _top_schools,
}
_EVIDENCE_DETAIL = "需提供佐证材料，由规划人员在台账中记录状态。"


def item_texts(items: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """``items`` with the Chinese ``item_name``, ``gap`` and ``detail`` of each item.

    Parameters
    ----------
    items
        :func:`jxedu.analysis.assurance.assurance_items` (and/or ``checklist_items``) rows.
    settings
        The settings they were computed with (names citing a setting).

    Returns
    -------
    pandas.DataFrame
    """
    names, gaps, details = [], [], []
    for r in items.itertuples(index=False):
        names.append(item_name(r.item_key, settings, (r.facts or {}).get("plan_target")))
        # a checklist row (no facts) of an item the data could answer reads as evidence
        answered = r.item_key in _SENTENCES and (bool(r.facts) or r.status != "evidence")
        gap, detail = _SENTENCES[r.item_key](r.facts) if answered else ("", _EVIDENCE_DETAIL)
        gaps.append(gap)
        details.append(detail)
    return items.assign(item_name=names, gap=gaps, detail=details)


def _plain_number(x) -> float | None:
    """A number for JSON: ``None`` (never 0) when it could not be computed."""
    return None if x is None or pd.isna(x) else float(x)


def item_records(a) -> list[dict]:
    """Every item of the catalogue (assurance, quality, 社会认可度, county plan) as a plain record, the
    ``items`` of ``jxedu indicators --json``.

    Parameters
    ----------
    a
        The assessment (county-wide: the items are county items).

    Returns
    -------
    list of dict
        One per item, in the order of :attr:`Assessment.assurance` then :attr:`Assessment.checklist`:
        ``key``, ``name`` (Chinese short name with its place in the method), ``requirement`` (the
        requirement, thresholds filled in), ``category`` and ``category_name``, ``value`` and
        ``target`` in ``unit`` (ratios in %; ``None`` when not computable or not a number, never 0),
        ``unit`` (``None`` when the item has no number), ``status`` (达标 / 未达标 / 需佐证材料 /
        数据不足), ``status_code`` (``met`` …) and ``source`` (the standard's document or the plan's 文号).
    """
    items = item_texts(pd.concat([a.assurance, a.checklist], ignore_index=True), a.settings)
    return [
        {"key": r.item_key, "name": item_short(r.item_key), "requirement": r.item_name,
         "category": r.category, "category_name": vocab.word(r.category, "item_category"),
         "value": _plain_number(r.value), "target": _plain_number(r.target), "unit": r.unit or None,
         "status": vocab.word(r.status, "status"), "status_code": r.status, "source": r.source}
        for r in items.itertuples(index=False)
    ]


def items_table(a, *, include_checklist: bool = False) -> Table:
    """The items the data can answer (and, with ``include_checklist``, the evidence items)."""
    items = a.assurance if not include_checklist else pd.concat([a.assurance, a.checklist], ignore_index=True)
    shown = item_texts(items, a.settings)
    return table(shown, ["category", "item_name", "value", "target", "unit", "status", "gap", "detail"],
                 formats={"value": "g", "target": "g"}, words={"category": "item_category", "status": "status"},
                 notes=["需要佐证材料的项目请在台账（jxedu ledger）中登记状态。"])


# --- school-level tables ------------------------------------------------------------------------


def rooms_relaxation_text(r) -> str:
    """Why a school's room-area minimum is relaxed (empty when it is not)."""
    parts = []
    if r.relaxed_by_age:
        parts.append(f"{int(r.built_year)}年建成（{_t('room_relax_built_year')}年及以前）")
    if r.relaxed_small_rural:
        parts.append(f"农村小规模学校（最大班额{int(r.max_class)}人）")
    return "；".join(parts)


def size_relaxation_text(r) -> str:
    """Why a school's size cap is relaxed (empty when it is not)."""
    parts = []
    if r.relaxed_by_age:
        parts.append(f"{int(r.built_year)}年建成（{_t('school_size_relax_built_year')}年及以前）")
    if r.relaxed_by_migrants:
        parts.append(f"随迁子女占{_pct(r.migrant_share)}")
    return "；".join(parts)


#: How the rooms of a school were counted.
_ROOM_SOURCES = {"rooms_table": "专用教室表（已核面积）", "facility_counts": "办学条件表房间数（无面积数据，未核面积）",
                 "none": "无专用教室数据"}


def room_source_text(code: str) -> str:
    """Where a school's room counts come from (Chinese)."""
    return _ROOM_SOURCES[code]


def trend_chart(a, *, items: list[str] | None = None, size: str | tuple[float, float] | None = None) -> Figure:
    """Small multiples of the items followed over the years: one panel per item with its target line.

    Parameters
    ----------
    a
        The assessment (its ``assurance_trend``; county only).
    items
        Item keys to draw (default: every item of the trend).
    size
        A :data:`jxedu.present.style.FIGSIZE` key or ``(width, height)`` in inches (default: 9 wide,
        2.6 per row of panels).

    Returns
    -------
    matplotlib.figure.Figure
    """
    trend = a.assurance_trend
    keys = list(items) if items is not None else list(dict.fromkeys(trend["item_key"]))
    ncols = min(3, len(keys))
    nrows = int(np.ceil(len(keys) / ncols))
    size = size if size is not None else (9.0, 2.6 * nrows)  # inches
    fig, axes = style.new_figure(nrows=nrows, ncols=ncols, size=size, title="保障程度与规划目标逐年变化")
    axes = np.atleast_1d(axes).ravel()
    years = sorted(trend["year"].unique())
    for ax, k in zip(axes, keys, strict=False):
        sel = trend.loc[trend["item_key"] == k]
        d = sel.loc[sel["status"] != STATUS_NO_DATA]
        ax.plot(d["year"], d["value"], marker="o", color=style.STAGE_COLORS["primary"])
        old = d.loc[d["roster_from_latest"].astype(bool)] if "roster_from_latest" in d else d.iloc[:0]
        if len(old):  # read from the latest roster: hollow markers (named in the figure's note)
            ax.plot(old["year"], old["value"], linestyle="none", marker="o", markerfacecolor="white",
                    color=style.STAGE_COLORS["primary"])
        tgt = sel["target"].dropna()
        if len(tgt):
            ax.axhline(float(tgt.iloc[-1]), color=style.THRESHOLD_COLOR, linestyle="--", linewidth=1)
        ax.set_title(std.items().loc[k, "measures"] or item_short(k), fontsize="small")
        ax.set_xticks(years)
        ax.tick_params(axis="x", labelrotation=45, labelsize="x-small")
    for ax in axes[len(keys):]:
        ax.set_visible(False)
    if "roster_from_latest" in trend and trend["roster_from_latest"].astype(bool).any():
        fig.text(0.01, 0.005, "空心点：教师表没有该学年的名册，按最新一期名册推算。", fontsize="x-small")
    return fig
