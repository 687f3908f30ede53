"""Tests of jxedu.publish.sections: the sections of the PDF bulletins.

Figures are checked against values worked out from the demo CSV files with plain pandas (the
rule written beside each), never against the module's own output.
"""

from __future__ import annotations

import dataclasses
import re
import shutil

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import jxedu  # noqa: E402
from jxedu.core.config import DEMO_DIR  # noqa: E402
from jxedu.core.errors import DataError  # noqa: E402
from jxedu.publish import sections as rc  # noqa: E402

TOWNSHIP = "金乡街道"
YEAR = 2026


@pytest.fixture(scope="module")
def a():
    return rc.open_assessment(None)


@pytest.fixture(scope="module")
def csv():
    read = lambda name: pd.read_csv(DEMO_DIR / name, encoding="utf-8-sig", dtype={"学校标识码": str})  # noqa: E731
    return {"schools": read("学校.csv"), "stats": read("学段统计.csv"), "classes": read("班级.csv")}


def text_of(obj) -> str:
    """Visible text of an HTML display object (tags stripped, whitespace removed)."""
    h = obj.data if hasattr(obj, "data") else obj._repr_html_()
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", h))


# --- small pieces -------------------------------------------------------------------------------


def test_figure_closes_and_embeds_png():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    f = rc.Figure(fig, caption="图 <测试>")
    assert plt.get_fignums() == []  # closed: the inline backend will not show it a second time
    h = f._repr_html_()
    assert h.startswith('<figure class="report-figure"><img') and "data:image/png;base64," in h
    assert "图 &lt;测试&gt;" in h
    assert repr(f) == "[图：图 <测试>]"


# --- data and cache -----------------------------------------------------------------------------


def test_open_assessment_is_cached_until_files_change(tmp_path):
    data = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, data)
    a = rc.open_assessment(data)
    assert rc.open_assessment(data) is a
    f = data / "说明.csv"
    f.write_text(f.read_text(encoding="utf-8-sig") + "\n", encoding="utf-8")  # size changes
    assert rc.open_assessment(data) is not a


def test_unknown_township_is_a_named_error(a):
    with pytest.raises(DataError, match="unknown_township"):
        rc.headline(a.scope("不存在镇"))


# --- sections -----------------------------------------------------------------------------------


def test_synthetic_notice(a):
    assert a.ds.synthetic
    h = rc.synthetic_notice(a).data
    assert h.startswith('<div class="synthetic-notice" style="border:2px solid #c0392b;')
    assert h.endswith(">本数据为合成演示数据，数字由程序随机生成，不代表金乡县的真实情况。</div>")
    real = jxedu.assess(dataclasses.replace(a.ds, synthetic=False, cache={}))
    assert rc.synthetic_notice(real).data == ""


def test_title_names_the_county_from_the_data_and_the_scope(a):
    assert "金乡县金乡街道义务教育优质均衡发展监测报告" in text_of(rc.title(a.township(TOWNSHIP)))
    t = text_of(rc.title(a))
    assert "金乡县义务教育优质均衡发展监测报告" in t and "2026学年" in t
    other = jxedu.assess(dataclasses.replace(a.ds, meta={**a.ds.meta, "县名": "某某县"}, cache={}))
    assert "某某县义务教育优质均衡发展监测报告" in text_of(rc.title(other))


def test_headline_of_a_township(a, csv):
    t = text_of(rc.headline(a.township(TOWNSHIP)))
    sch, st, cl = csv["schools"], csv["stats"], csv["classes"]
    ids = set(sch.loc[sch["所属镇街"] == TOWNSHIP, "学校标识码"])
    s = st[(st["学年"] == YEAR) & st["学段"].isin(["小学", "初中"]) & st["学校标识码"].isin(ids)]
    # schools with a compulsory stage, and their pupils (thousands separators)
    assert f"学校（有义务教育学段）{s['学校标识码'].nunique()}所" in t
    prim, jun = int(s.loc[s["学段"] == "小学", "在校生数"].sum()), int(s.loc[s["学段"] == "初中", "在校生数"].sum())
    assert f"{prim + jun:,}人（小学{prim:,}人，初中{jun:,}人）" in t
    # assessed units: a 小学/初中 row with pupils; a 教学点 only from 50 pupils (none in the town centre)
    kinds = sch.set_index("学校标识码")["办学类型"]
    units = s[(s["在校生数"] > 0) & ~((s["学校标识码"].map(kinds) == "教学点") & (s["在校生数"] < 50))]
    n_prim, n_jun = (units["学段"] == "小学").sum(), (units["学段"] == "初中").sum()
    assert re.search(rf"小学资源配置达标学校\d+/{n_prim}所", t)
    assert re.search(rf"初中资源配置达标学校\d+/{n_jun}所", t)
    # classes over the standard size: 小学 > 45, 初中 > 50
    c = cl[(cl["学年"] == YEAR) & cl["学校标识码"].isin(ids)]
    over_p = int(((c["学段"] == "小学") & (c["学生数"] > 45)).sum())
    over_j = int(((c["学段"] == "初中") & (c["学生数"] > 50)).sum())
    assert f"小学超过45人的班级{over_p}个（共{int((c['学段'] == '小学').sum())}个班）" in t
    assert f"初中超过50人的班级{over_j}个" in t
    assert "差异系数" not in t  # CVs are a county figure
    assert "全县指标" in t and "≥400" not in t  # its share of the rotations, no county target


def test_headline_of_the_county_has_cvs_and_targets(a, csv):
    t = text_of(rc.headline(a))
    assert re.search(r"小学校际差异系数（最大）0\.\d{3}（", t)  # 3 decimals
    assert "≤0.50" in t and "≤0.45" in t
    cl = csv["classes"]
    c = cl[cl["学年"] == YEAR]
    over = int(((c["学段"] == "小学") & (c["学生数"] > 45)).sum() + ((c["学段"] == "初中") & (c["学生数"] > 50)).sum())
    assert over == 22  # demo README: 22 classes over the standard in 2026
    # 金乡's plan (规划目标.csv): 年均 ≥ 400 from 2024 on. Rotations of 小学/初中 teachers (the roster's 任教学段)
    # counted from the CSVs per year; the headline shows their 2024–2026 average beside the 2026 count.
    rot = pd.read_csv(DEMO_DIR / "交流轮岗.csv", encoding="utf-8-sig", dtype=str)
    stage = pd.read_csv(DEMO_DIR / "教师.csv", encoding="utf-8-sig", dtype=str).set_index("教师编号")["任教学段"]
    rot = rot[rot["教师编号"].map(stage).isin(["小学", "初中"])]
    per_year = rot.groupby("学年").size()
    average = sum(int(per_year[str(y)]) for y in (2024, 2025, 2026)) / 3
    assert f"交流轮岗（县规划目标）2024–2026学年年均{average:.1f}人年均≥400人（金政办字〔2024〕20号）" in t
    assert f"2026学年{int(per_year['2026'])}人" in t


def test_township_share_of_the_rotations(a, csv):
    # 金乡街道's schools sent n of the county's rotations of 2026 (from the 交流轮岗 CSV, by the sending school)
    rot = pd.read_csv(DEMO_DIR / "交流轮岗.csv", encoding="utf-8-sig", dtype=str)
    rot = rot[rot["学年"] == str(YEAR)]
    ids = set(csv["schools"].loc[csv["schools"]["所属镇街"] == TOWNSHIP, "学校标识码"])
    sent, total = int(rot["派出学校标识码"].isin(ids).sum()), len(rot)
    t = text_of(rc.headline(a.township(TOWNSHIP)))
    assert f"{sent}人，占全县{total}人的{sent / total * 100:.1f}%" in t


def test_priorities_open_with_counts_and_costs(a):
    t = text_of(rc.priorities(a.township(TOWNSHIP)))
    assert t.startswith("优先整改事项")
    n = len(a.township(TOWNSHIP).priorities)
    assert f"共有需整改的事项{n}项" in t and "（估算" in t
    assert f"共{n}行，此处列出前{rc.PRIORITY_ROWS}行；全部事项见本报告附表“全部整改事项”" in t
    county = text_of(rc.priorities(a))
    assert "全县目标未达到" in county and "差异系数预警" in county and "各镇街整改事项与估算投入" in county


def test_county_schools_section_lists_only_failing_units(a):
    h = rc.schools_section(a).data
    n_fail = int((~a.indicators["passes"]).sum())
    failing = h.split("未达标学校（学段）")[1]
    assert failing.count("<tr>") - 1 == n_fail
    assert "王丕街道" in h and "鸡黍镇" in h  # the per-镇街 pass table


def test_sections_render_without_teacher_ids(a):
    ids = re.compile(r"T\d{6}")
    for f in (rc.priorities, rc.headline, rc.rotation_section, rc.access_section, rc.class_size_section,
              rc.schools_section, rc.overdue_section, rc.appendix):
        for scope in (a.township(TOWNSHIP), a):
            h = f(scope).data
            assert h and not ids.search(h), f.__name__


def test_key_figures_are_plain_text(a):
    k = rc.key_figures(a.township(TOWNSHIP))
    assert k.splitlines()[0] == "金乡街道 2026学年"
    assert "<" not in k and "优先整改事项" in k


def test_township_without_schools_gets_notes_not_errors(a):
    # every school of 鸡黍镇 dropped (its 村居 and boundary stay): its report says so section by section
    ds = a.ds
    keep = ds.schools["township"] != "鸡黍镇"
    ids = set(ds.schools.loc[keep, "school_id"])

    def only(df):
        return None if df is None else df[df["school_id"].isin(ids)]

    sub = dataclasses.replace(ds, schools=ds.schools[keep], stage_stats=only(ds.stage_stats),
                              facilities=only(ds.facilities), classes=only(ds.classes),
                              special_rooms=only(ds.special_rooms), teachers=only(ds.teachers),
                              rotations=None, cache={})
    view = jxedu.assess(sub).township("鸡黍镇")
    for f in (rc.priorities, rc.headline, rc.schools_section, rc.access_section, rc.class_size_section,
              rc.projection_section, rc.appendix):
        assert f(view).data, f.__name__
    assert "没有需要整改的学校事项" in text_of(rc.priorities(view))


def test_county_access_names_both_baselines(a):
    # the county report sets the distances it reports (就近入学) beside the scenarios' 现状 (按学位容量分配);
    # the 就近入学 column is the same figure as the key-figure table above it
    section = rc.access_section(a)
    h = section.data
    assert "两种现状口径" in h and "就近入学（最近学校）" in h and "按学位容量分配" in h
    d = a.distance_summary("primary")
    towns = d[d["township"] != "全县"]
    beyond = int(towns["beyond_pupils"].sum())  # the 13 镇街 add up to the county row
    assert len(towns) == 13 and beyond == int(d.loc[d["township"] == "全县", "beyond_pupils"].iloc[0])
    row = text_of(section).split("两种现状口径")[1]
    assert f"{beyond:,}" in row
    assert "两种现状口径" not in rc.access_section(a.township(TOWNSHIP)).data  # a 镇长 needs one figure


def test_township_cost_table_shows_zero_yearly_cost_not_a_dash(a):
    # a 镇街 whose items need no new teacher (buildings, rooms, equipment) costs 0 a year: shown 0.0, not “—”
    p = a.priorities
    no_yearly = [t for t, g in p.groupby("township") if g["cost_year"].isna().all()]
    assert no_yearly  # the demo has such 镇街 (金乡街道's items are rooms and buildings)
    t = text_of(rc.priorities(a)).split("各镇街整改事项与估算投入")[1]
    for town in no_yearly:
        row = t.split(town, 1)[1][:40]
        assert re.match(r"\d+\d+[\d,]+\.\d0\.0", row), (town, row)


# --- 逾期整改事项 ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small():
    """The two-school county of the ledger tests: A (金乡街道) fails backbone and has a class of 46; B
    (羊山镇) meets everything."""
    from tests.publish.test_ledger import make_ds

    return jxedu.assess(make_ds())


def test_overdue_items_of_the_county(small):
    t = text_of(rc.overdue_section(small, as_of="2025-10-31"))
    # the plan's deadline 2025-09-30; 2025-10-31 is 31 days later, past the plan's deadline: all 挂牌督导.
    # County items not met: the 小学 pass rate (A fails backbone), the 小学 backbone CV (0.5 and 1.5 per
    # 100 weighted by 1000 and 200 pupils: mean 0.667, sd 0.373, CV 0.559 > 0.50) and the class item.
    assert t.startswith("逾期整改事项截至2025年10月31日，全县事项中已过完成时限仍未达标的3项，其中挂牌督导3项")
    head = "事项完成时限逾期（天）责任单位挂牌督导"
    rows = t.split(head)[1].split("完成时限默认为")[0]
    assert rows == ("资源配置达标学校（小学）2025-09-3031县教体局（牵头）、县发改局、县财政局、各镇街是"
                    "每百名学生拥有县级以上骨干教师数差异系数（小学）2025-09-3031县教体局（牵头）、县财政局、县发改局是"
                    "班额（政府保障第5项）2025-09-3031县教体局（牵头）、县自然资源和规划局、各镇街是")
    assert "挂牌督导：逾期超过90天，或县实施方案时限之后仍逾期的事项" in t
    assert re.search(r"另有\d+项需佐证材料或数据不足的事项已过完成时限", t)  # evidence: the planner's, in the ledger
    # the schools' items per 镇街: A's backbone and class items, both 31 days; 羊山镇 has none
    per_town = t.split("各镇街学校事项逾期情况")[1]
    assert per_town.startswith("镇街逾期未达标事项（项）其中挂牌督导（项）最长逾期（天）金乡街道2231")
    assert "羊山镇" not in per_town


def test_overdue_items_of_a_township_are_its_own(small):
    t = text_of(rc.overdue_section(small.township("金乡街道"), as_of="2025-10-31"))
    assert "金乡街道学校事项中已过完成时限仍未达标的2项，其中挂牌督导2项" in t
    assert "甲小学每百名学生拥有县级以上骨干教师数（小学）2025-09-3031县教体局是" in t
    assert "甲小学班额（政府保障第5项）2025-09-3031县教体局（牵头）、县自然资源和规划局、金乡街道办事处是" in t
    assert "资源配置达标学校" not in t and "差异系数" not in t and "需佐证材料" not in t  # nothing of the county's
    quiet = text_of(rc.overdue_section(small.township("羊山镇"), as_of="2025-10-31"))
    assert "羊山镇学校事项中没有已过完成时限仍未达标的事项" in quiet and "<table" not in rc.overdue_section(
        small.township("羊山镇"), as_of="2025-10-31").data


def test_nothing_is_overdue_on_the_deadline_day(small):
    t = text_of(rc.overdue_section(small, as_of="2025-09-30"))
    assert "全县事项中没有已过完成时限仍未达标的事项" in t and "各镇街学校事项逾期情况" not in t


def test_the_report_date_comes_from_the_environment(small, monkeypatch):
    monkeypatch.setenv("JXEDU_AS_OF", "2025-10-01")
    assert "截至2025年10月1日" in text_of(rc.overdue_section(small))
    assert "逾期（天）" in rc.overdue_section(small).data  # one day past 2025-09-30


def test_demo_overdue_section_is_dated_by_the_test_session(a):
    # conftest fixes JXEDU_AS_OF = 2026-09-01 for every report the tests render
    t = text_of(rc.overdue_section(a))
    assert "截至2026年9月1日" in t
    # 2025-09-30 → 2026-09-01: 31+30+31+31+28+31+30+31+30+31+31 = 335 days to 2026-08-31, 336 to 2026-09-01
    assert "2025-09-30336" in t


# --- the plan's further tasks -------------------------------------------------------------------


def test_plan_tasks_section_of_the_county(a):
    s = pd.read_csv(DEMO_DIR / "满意度调查.csv", encoding="utf-8-sig")
    s = s[s["学年"] == YEAR]
    # pooled: (满意问卷 + 走访满意) ÷ (有效问卷 + 实地走访), every row of the year (sums skip empty cells)
    rate = (s["满意问卷数"].sum() + s["走访满意人数"].sum()) / (s["有效问卷数"].sum() + s["实地走访人数"].sum())
    d = pd.read_csv(DEMO_DIR / "控辍保学台账.csv", encoding="utf-8-sig")
    open_cases = int(d["状态"].isin(["劝返中", "其他"]).sum())
    text = text_of(rc.plan_tasks_section(a))
    assert "其他评估任务" in text and "对照国家标准和县规划目标" in text
    assert f"社会认可度{100 * rate:.1f}%" in text and "标准≥85%" in text
    assert f"未销号{open_cases}人，目标动态清零" in text
    assert "其他评估任务的评估事项（全县）" in text  # the items with their status


def test_plan_tasks_section_of_a_township_has_no_county_verdict(a):
    text = text_of(rc.plan_tasks_section(a.township("化雨镇")))
    assert "达标要求是全县指标" in text and "标准≥" not in text and "相关评估事项" not in text


def test_plan_tasks_section_names_the_missing_tables(a):
    ds = dataclasses.replace(a.ds, survey=None, special_groups=None, dropouts=None, after_school=None, alliances=None,
                             rural_projects=None, cache={})
    text = text_of(rc.plan_tasks_section(jxedu.assess(ds)))
    for table in ("满意度调查", "特殊群体", "控辍保学台账", "课后服务与作业", "集团化与联盟", "强镇筑基与百强学校"):
        assert f"缺少{table}" in text, table
    assert "社会认可度：缺少满意度调查表，仍需佐证材料" in text
