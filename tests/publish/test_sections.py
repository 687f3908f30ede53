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

from jxedu.core.config import DEMO_DIR  # noqa: E402
from jxedu.core.errors import DataError  # noqa: E402
from jxedu.publish import sections as rc  # noqa: E402

TOWNSHIP = "金乡街道"
YEAR = 2026


@pytest.fixture(scope="module")
def ds():
    return rc.open_report_data(None)


@pytest.fixture(scope="module")
def csv():
    read = lambda name: pd.read_csv(DEMO_DIR / name, encoding="utf-8-sig", dtype={"学校标识码": str})  # noqa: E731
    return {"schools": read("学校.csv"), "stats": read("学段统计.csv"), "classes": read("班级.csv")}


def text_of(obj) -> str:
    """Visible text of an HTML display object (tags stripped, whitespace removed)."""
    h = obj.data if hasattr(obj, "data") else obj._repr_html_()
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", h))


# --- small pieces -------------------------------------------------------------------------------


def test_fmt_rounds_for_display():
    assert rc._fmt(0.123456, 3) == "0.123"
    assert rc._fmt(2.005, 2) in ("2.00", "2.01")  # binary float; display only
    assert rc._fmt(1834.4) == "1834"
    assert rc._fmt(float("nan"), 2) == "—"
    assert rc._pct(0.221044) == "22.1%"


def test_html_table_escapes_data():
    h = rc.html_table([[rc._esc("<script>x</script>"), "1"]], ["学校", "数"], numeric={1})
    assert "<script>" not in h and "&lt;script&gt;" in h
    assert '<td class="num">1</td>' in h


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


def test_open_report_data_is_cached_until_files_change(tmp_path):
    data = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, data)
    a = rc.open_report_data(data)
    assert rc.open_report_data(data) is a
    f = data / "说明.csv"
    f.write_text(f.read_text(encoding="utf-8-sig") + "\n", encoding="utf-8")  # size changes
    assert rc.open_report_data(data) is not a


def test_unknown_township_is_a_named_error(ds):
    with pytest.raises(DataError, match="unknown_township"):
        rc.headline(ds, township="不存在镇")


# --- sections -----------------------------------------------------------------------------------


def test_synthetic_notice(ds):
    assert ds.synthetic
    h = rc.synthetic_notice(ds).data
    assert h.startswith('<div class="synthetic-notice" style="border:2px solid #c0392b;')
    assert h.endswith('>本报告使用合成演示数据，不代表金乡县真实情况</div>')
    assert rc.synthetic_notice(dataclasses.replace(ds, synthetic=False)).data == ""


def test_title_names_scope_and_year(ds):
    assert "金乡街道义务教育优质均衡发展监测报告" in text_of(rc.title(ds, township=TOWNSHIP))
    t = text_of(rc.title(ds))
    assert "全县汇总义务教育优质均衡发展监测报告" in t and "2026学年" in t


def test_headline_of_a_township(ds, csv):
    t = text_of(rc.headline(ds, year=YEAR, township=TOWNSHIP))
    sch, st, cl = csv["schools"], csv["stats"], csv["classes"]
    ids = set(sch.loc[sch["所属镇街"] == TOWNSHIP, "学校标识码"])
    s = st[(st["学年"] == YEAR) & st["学段"].isin(["小学", "初中"]) & st["学校标识码"].isin(ids)]
    # schools with a compulsory stage, and their pupils
    assert f"学校（有义务教育学段）{s['学校标识码'].nunique()}所" in t
    prim, jun = int(s.loc[s["学段"] == "小学", "在校生数"].sum()), int(s.loc[s["学段"] == "初中", "在校生数"].sum())
    assert f"{prim + jun}人（小学{prim}，初中{jun}）" in t
    # assessed units: a 小学/初中 row with pupils; a 教学点 only from 50 pupils (none in the town centre)
    kinds = sch.set_index("学校标识码")["办学类型"]
    units = s[(s["在校生数"] > 0) & ~((s["学校标识码"].map(kinds) == "教学点") & (s["在校生数"] < 50))]
    n_prim, n_jun = (units["学段"] == "小学").sum(), (units["学段"] == "初中").sum()
    assert re.search(rf"小学资源配置达标\d+/{n_prim}所", t)
    assert re.search(rf"初中资源配置达标\d+/{n_jun}所", t)
    # classes over the standard size: 小学 > 45, 初中 > 50
    c = cl[(cl["学年"] == YEAR) & cl["学校标识码"].isin(ids)]
    over_p = int(((c["学段"] == "小学") & (c["学生数"] > 45)).sum())
    over_j = int(((c["学段"] == "初中") & (c["学生数"] > 50)).sum())
    assert f"小学超过45人的班级{over_p}个（共{int((c['学段'] == '小学').sum())}个班）" in t
    assert f"初中超过50人的班级{over_j}个" in t
    assert "差异系数" not in t  # CVs are a county figure


def test_headline_of_the_county_has_cvs(ds, csv):
    t = text_of(rc.headline(ds, year=YEAR))
    assert re.search(r"小学校际差异系数（最大）0\.\d{3}（", t)  # 3 decimals
    assert "≤0.50" in t and "≤0.45" in t
    cl = csv["classes"]
    c = cl[cl["学年"] == YEAR]
    over = int(((c["学段"] == "小学") & (c["学生数"] > 45)).sum() + ((c["学段"] == "初中") & (c["学生数"] > 50)).sum())
    assert over == 22  # demo README: 22 classes over the standard in 2026
    assert "城镇→乡村/薄弱学校交流轮岗" in t and "≥400人/年" in t


def test_school_table_lists_every_unit_of_the_township(ds, csv):
    h = rc.school_table(ds, year=YEAR, township=TOWNSHIP).data
    sch = csv["schools"]
    rows = h.count("<tr>") - 2  # header and standard rows
    assert rows == 18  # 11 小学 + 7 初中 units (counted from the CSVs in test_headline_of_a_township)
    second = sch.loc[sch["学校标识码"] == "3708282001", "学校名称"].iloc[0]  # 完全中学: its 初中部 only
    assert h.count(f"<td>{second}</td>") == 1
    assert h.count("status-pass") + h.count("status-fail") == rows
    assert "class=\"below\"" in h  # values below the standard are marked


def test_county_school_table_lists_only_failing_units(ds):
    h = rc.school_table(ds, year=YEAR).data
    assert h.count('<span class="status-pass">达标</span>') == 0
    assert "王丕街道" in h and "鸡黍镇" in h  # per-镇街 pass table


def test_sections_render_without_teacher_ids(ds):
    ids = re.compile(r"T\d{6}")
    for f in (rc.rotation_section, rc.ledger_items, rc.bus_section, rc.class_size_section, rc.shortfall_table):
        for tw in (TOWNSHIP, None):
            h = f(ds, year=YEAR, township=tw).data
            assert h and not ids.search(h), f.__name__


def test_key_figures_are_plain_text(ds):
    k = rc.key_figures(ds, year=YEAR, township=TOWNSHIP)
    assert k.splitlines()[0] == "金乡街道 2026学年"
    assert "<" not in k


def test_township_without_schools_gets_notes_not_errors(ds):
    # every school of 鸡黍镇 dropped (its 村居 stay): the class-size and projection sections of its
    # report say so instead of failing the whole 镇街 report with unknown_township
    keep = ds.schools["township"] != "鸡黍镇"
    ids = set(ds.schools.loc[keep, "school_id"])

    def only(df):
        return None if df is None else df[df["school_id"].isin(ids)]

    sub = dataclasses.replace(ds, schools=ds.schools[keep], stage_stats=only(ds.stage_stats),
                              facilities=only(ds.facilities), classes=only(ds.classes),
                              special_rooms=only(ds.special_rooms), teachers=only(ds.teachers),
                              rotations=None)
    assert text_of(rc.projection_figure(sub, township="鸡黍镇")) == text_of(rc.HTML(rc._note(rc._NO_SCHOOLS_NOTE)))
    html = text_of(rc.class_size_section(sub, township="鸡黍镇"))
    assert "本学年没有超过标准班额" in html and "年在校生与教室预测" not in html
