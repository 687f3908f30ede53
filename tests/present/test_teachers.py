"""Tests of jxedu.present.teachers on the hand-built roster of tests/analysis/test_rotation.py.

The roster gets an 办学条件 table so that it can be assessed: U1, T1, R1 and R2 have ample facilities,
W1 has none. By the resource indicators W1 (4 facility indicators missing), R1 (backbone 0.5 and
PE/art 0.5 per 100 students, both below 85 % of the standard) and R2 (0.67 and 0.33) are weak; U1
and T1 pass. The five 2024 rotations (A U1→R1, C U1→W1, E T1→R2, G R1→U1, B U1→T1) then count
toward the county target as with ``weak=["W1"]``: A, C and E.
"""

from __future__ import annotations

import json
import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import jxedu
from jxedu.core.dataset import Dataset
from jxedu.core.errors import DataError
from jxedu.core.settings import get_settings
from jxedu.present import teachers
from jxedu.present.tables import Table
from jxedu.present.text import Note
from tests.analysis.test_rotation import _roster


def _assessable(ds: Dataset) -> Dataset:
    big = {"teaching_area": 100_000.0, "indoor_sports_area": 0.0, "sports_ground_area": 100_000.0,
           "equipment_value_wan": 10_000.0, "multimedia_rooms": 1_000.0}
    ds.facilities = pd.DataFrame([{"year": 2024, "school_id": s, **big} for s in ("U1", "T1", "R1", "R2")])
    return ds


@pytest.fixture
def a():
    return jxedu.assess(_assessable(_roster()))


def _rows(t: Table) -> dict[str, list[str]]:
    """First column → the row's cells."""
    f = t.frame
    return {r[0]: list(r[1:]) for r in f.itertuples(index=False, name=None)}


_BAD_CELLS = {"nan", "NaN", "None", "True", "False", "<NA>", "NaT"}


def _readable(t: Table) -> None:
    """Chinese headers (no English key), no raw NaN/True/False/None in a cell."""
    for h in t.frame.columns:
        assert not re.search(r"[A-Za-z_]", str(h)), h
    for v in t.frame.to_numpy().ravel():
        assert str(v) not in _BAD_CELLS, v


def test_weak_schools_come_from_the_assessment(a):
    assert a._weak_by_year[2024] == {"R1", "R2", "W1"}  # noqa: SLF001 - the fixture's premise


def test_county_key_figures(a):
    lines = teachers.key_figure_lines(a)
    assert lines[0] == "2024学年交流轮岗（全县）"
    # 5 rotated, 3 of them city/town → rural/weak; the plan's 400 a year (open from the table's first year,
    # 2023) against the average (1 + 5) / 2 = 3.0 (not met); 5 of 11 eligible = 45.5 % ≥ 10 %; backbone A, E:
    # 2 of 5 = 40.0 % ≥ 20 %.
    assert lines[1] == ("交流轮岗教师 5 人，其中城镇学校到乡村或薄弱学校 3 人；县规划目标年均 ≥ 400 人（金政办字〔2024〕20号）："
                        "2023–2024学年年均 3.0 人、本学年 5 人，✗ 未达标（按年均人数）")
    assert lines[2] == "符合交流条件的教师 11 人，交流比例 45.5%（要求 ≥ 10%）：✓ 达标"
    assert lines[3] == "交流的骨干教师 2 人，占交流教师 40.0%（要求 ≥ 20%）：✓ 达标"
    note = teachers.key_figures(a)
    assert isinstance(note, Note) and note.startswith("2024学年交流轮岗（全县）\n\n- 交流轮岗教师 5 人")


def test_township_key_figures_show_the_contribution_without_verdict(a):
    lines = teachers.key_figure_lines(a.township("羊山镇"))
    # 羊山镇 sent E (T1 镇区 → R2 乡村, toward the target) and G (R1 → U1); received A and B; eligible
    # E, G, N4–N6 = 5 → 2 / 5 = 40.0 %; backbone sent: E → 1 / 2 = 50.0 %.
    assert lines[1] == "派出教师 2 人（其中到乡村或薄弱学校 1 人），接收教师 2 人"
    assert lines[2] == "符合交流条件的教师 5 人，派出教师占 40.0%"
    assert lines[3] == "派出的骨干教师 1 人，占派出教师 50.0%"
    assert not any("达标" in line or "✓" in line or "✗" in line for line in lines[:4])
    assert "全县指标" in lines[4]


def test_trend_table(a):
    t = teachers.trend_table(a)
    _readable(t)
    rows = _rows(t)
    # 2023: X only (1 of 13 eligible = 7.7 % < 10 %); 2024 as above.
    assert rows["2023"][:2] == ["1", "1"]  # rotated 1; X U1 → R1 is toward the target
    assert "7.7%" in rows["2023"] and rows["2023"][rows["2023"].index("7.7%") + 1] == "✗"
    assert rows["2024"][0] == "5" and "45.5%" in rows["2024"]
    assert "交流比例达标" in t.frame.columns and "达到目标" in t.frame.columns
    v = teachers.trend_table(a.township("羊山镇"))
    _readable(v)
    assert not any("达标" in h for h in v.frame.columns)  # no verdict for a 镇街
    # 2024: sent 2, toward the target 1, received 2, eligible 5.
    assert _rows(v)["2024"][:4] == ["2", "1", "2", "5"]


def test_township_view_equals_county_row(a):
    county = _rows(teachers.township_table(a))
    for name in ("金乡街道", "羊山镇", "胡集镇"):
        view = teachers.township_table(a.township(name))
        assert list(_rows(view)) == [name]
        assert _rows(view)[name] == county[name]
    # 金乡街道: eligible 6, sent 3, received 1, toward target 2 (A, C), 50.0 %, backbone 1, 33.3 %.
    assert county["金乡街道"] == ["6", "3", "1", "2", "50.0%", "1", "33.3%"]
    # 胡集镇 sent nobody and has no eligible teacher: the shares are not defined.
    assert county["胡集镇"] == ["0", "0", "2", "0", "—", "0", "—"]


def test_school_table_lists_active_schools(a):
    t = teachers.school_table(a)
    _readable(t)
    # All five schools sent or received someone; the view of 胡集镇 has R2 and W1.
    assert len(t) == 5
    assert sorted(teachers.school_table(a.township("胡集镇")).frame["学校"]) == ["胡集镇丙小学", "胡集镇乙村小学"]


def test_direction_table(a):
    t = teachers.direction_table(a)
    _readable(t)
    assert list(t.frame.columns) == ["派出学校城乡分类", "到城区学校（人）", "到镇区学校（人）", "到乡村学校（人）", "合计（人）"]
    assert _rows(t) == {"城区": ["0", "2", "1", "3"], "镇区": ["0", "0", "1", "1"], "乡村": ["1", "0", "0", "1"],
                        "合计": ["1", "2", "2", "5"]}
    # 胡集镇 took part in C (城区 U1 → 镇区 W1) and E (镇区 T1 → 乡村 R2).
    assert _rows(teachers.direction_table(a.township("胡集镇"))) == {
        "城区": ["0", "1", "0", "1"], "镇区": ["0", "0", "1", "1"], "乡村": ["0", "0", "0", "0"],
        "合计": ["0", "1", "1", "2"]}


def test_gap_table_and_summary(a):
    t = teachers.gap_table(a)
    _readable(t)
    f = t.frame.set_index("学校")
    # R1 receives A (体育, backbone): PE/art 0.50 → 1.00 per 100, 已补齐; R2 receives E: PE/art 未改善.
    assert f.loc["羊山镇甲村小学", "体艺缺口"] == "已补齐"
    assert f.loc["羊山镇甲村小学", "交流前体艺（人/百生）"] == "0.50"
    assert f.loc["胡集镇乙村小学", "体艺缺口"] == "未改善"
    assert f.loc["胡集镇丙小学", "薄弱学校"] == "是"
    s = teachers.gap_summary(a)
    # PE/art: R1 closed, R2 open, W1, T1, U1 no gap. Backbone: R1 and R2 closed, the others no gap.
    assert "体育艺术教师：接收学校（学段）共 5 所，其中 已补齐 1 所、缩小 0 所、未改善 1 所、原本无缺口 3 所。" in s
    assert "骨干教师：接收学校（学段）共 5 所，其中 已补齐 2 所、缩小 0 所、未改善 0 所、原本无缺口 3 所。" in s


def test_plan_table_and_figures(a):
    t = teachers.plan_table(a)
    _readable(t)
    assert "教师编号" in t.frame.columns and len(t) == a.rotation_plan.planned
    assert set(t.frame["安排理由"]) <= {"补体育艺术教师缺口", "补骨干教师缺口", "使骨干教师占比达标", "补充师资（生师比较高）"}
    fig = teachers.plan_figures(a)
    assert "2025学年交流计划（建议，全县）" in fig and "需交流 400 人" in fig
    view = a.township("金乡街道")
    moves = a.rotation_plan.moves
    sent_or_received = moves.loc[(moves["from_township"] == "金乡街道") | (moves["to_township"] == "金乡街道")]
    assert len(teachers.plan_table(view)) == len(sent_or_received)  # the county's list, filtered
    assert "派出或接收" in teachers.plan_table(view).notes[-1]
    assert "计划派出" in teachers.plan_figures(view)


def test_training_and_honours(a):
    t = teachers.training_table(a)
    _readable(t)
    # Every roster teacher has 400 学时 ≥ 360: 金乡街道 8 of 8, 全县 15 of 15 = 100.0 %.
    rows = _rows(t)
    assert rows["金乡街道"] == ["8", "8", "100.0%", "✓"]
    assert rows["全县"] == ["15", "15", "100.0%", "✓"]
    v = teachers.training_table(a.township("金乡街道"))
    assert _rows(v) == {"金乡街道": ["8", "8", "100.0%"]}
    h = teachers.honours_table(a)
    _readable(h)
    assert teachers.honours_table(a.township("金乡街道")).empty


def test_pe_art_table(a):
    t = teachers.pe_art_table(a)
    _readable(t)
    f = t.frame.set_index("学校")
    # R1: 200 students, 1 PE/art teacher; ceil(0.9 × 2) = 2 needed → gap 1.
    assert f.loc["羊山镇甲村小学", ["所需（人）", "缺口（人）"]].tolist() == ["2", "1"]
    # R2: 300 students, 1 → ceil(2.7) = 3 → gap 2.
    assert f.loc["胡集镇乙村小学", "缺口（人）"] == "2"


def test_rules_note_takes_numbers_from_settings(a):
    note = teachers.rules_note(a)
    assert "满 6 年" in note and "男 60 岁、女 55 岁" in note and "超过 5 年" in note
    b = jxedu.assess(a.ds, settings=get_settings(rotation_min_years=8))
    assert "满 8 年" in teachers.rules_note(b)


def test_charts(a, tmp_path):
    from jxedu.present import style

    for scope in (a, a.township("羊山镇")):
        for fig in (teachers.trend_chart(scope), teachers.direction_chart(scope),
                    teachers.direction_chart(scope, kind="heatmap")):
            style.savefig(fig, tmp_path / "chart.png")
    with pytest.raises(DataError, match="bad_kind"):
        teachers.direction_chart(a, kind="pie")
    plt.close("all")


def test_flow_map_keeps_names_as_text():
    ds = _assessable(_roster())
    sch = ds.schools.copy()
    sch.loc[sch["school_id"] == "R1", "name"] = "<script>alert(1)</script>"
    sch.loc[sch["school_id"] == "W1", "name"] = "`${alert(2)}`"
    ds.schools = sch
    b = jxedu.assess(ds)
    page = teachers.flow_map(b).get_root().render()
    assert "<script>alert(1)</script>" not in page
    # The names travel as one JSON payload (``<`` as \\u003c, so no ``</script>``) and are put on the
    # page with textContent; the payload holds them exactly as written.
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in page
    payload = json.loads(re.search(r"var data = (\{.*?\});\n", page).group(1))
    tips = {d["tip"][0].split("（")[0] for d in payload["schools"]}
    assert {"<script>alert(1)</script>", "`${alert(2)}`"} <= tips
    assert "p.textContent = text" in page
    # Layers named with their colours (the legend; folium writes the names as JSON) and the title.
    assert json.dumps("城镇学校到乡村或薄弱学校（线宽：人数）")[1:-1] in page
    assert "2024学年交流轮岗流向（全县）" in page
    # One line per sending → receiving pair: 5 in the county; 胡集镇's schools took part in C (U1 → W1)
    # and E (T1 → R2).
    assert payload_lines(page) == 5
    assert payload_lines(teachers.flow_map(b.township("胡集镇")).get_root().render()) == 2


def payload_lines(page: str) -> int:
    """Lines of the flow map's payload (its ``"path"`` entries; the inlined Leaflet is not counted)."""
    return json.dumps(json.loads(re.search(r"var data = (\{.*?\});\n", page).group(1))).count('"path"')


def test_missing_rotations_table():
    ds = _assessable(_roster())
    ds.rotations = None
    b = jxedu.assess(ds)
    t = teachers.trend_table(b)
    assert t.empty and "交流轮岗" in t.notes[0] and "missing_table" in t.notes[0]
    assert isinstance(teachers.flow_map(b), Note)
    assert "missing_table" in teachers.key_figure_lines(b)[0]
    assert teachers.direction_table(b).empty and isinstance(teachers.trend_chart(b), Note)


def test_rotations_without_the_teacher_roster_say_what_is_missing():
    # who rotated (stage, subject, 骨干) comes from 教师: without it the flow map is a note naming 教师
    ds = _assessable(_roster())
    ds.teachers = None
    note = teachers.flow_map(jxedu.assess(ds))
    assert isinstance(note, Note) and "教师" in str(note) and "missing_table" in str(note)
