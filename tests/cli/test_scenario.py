"""``jxedu scenario``: one or several scenarios, ``--json`` with pupils moved, ``--pdf`` 方案比选."""

from __future__ import annotations

import json
import time

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from jxedu.cli.app import app
from jxedu.core.errors import ReportError, ScenarioError
from jxedu.publish import comparison


def _run(*args):
    res = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    return res


def test_json_carries_pupils_moved_in_baseline_and_scenario(demo_dir):
    out = _run("scenario", demo_dir, "close_teaching_point", "--json")
    assert out.exit_code == 0
    doc = json.loads(out.stdout)
    assert doc["baseline"]["pupils_moved"] == 0 and doc["baseline"]["primary_pupils_moved"] == 0
    s = doc["scenario"]
    assert s["name"] == "关闭羊山镇袁堂教学点"
    # 袁堂教学点 has 24 students; only they move (to 胡集镇中心小学), nobody else
    assert s["pupils_moved"] == 24 and s["primary_pupils_moved"] == 24 and s["junior_pupils_moved"] == 0
    assert s["capital_cost_yuan"] == 0 and s["yearly_cost_yuan"] == 0
    assert doc["scenarios"][0] == s


def test_five_scenarios_side_by_side_in_a_pdf(demo_dir, tmp_path):
    names = ["close_teaching_point", "merge_small_primary", "new_urban_primary", "consolidate_yangshan",
             "enlarge_urban_primary"]
    target = tmp_path / "out" / "方案比选.pdf"
    t0 = time.perf_counter()
    out = _run("scenario", demo_dir, *names, "--pdf", target)
    seconds = time.perf_counter() - t0
    assert out.exit_code == 0, out.stderr
    assert seconds < 20  # the goal for a five-scenario comparison PDF
    text = "".join(p.extract_text() for p in PdfReader(target).pages)
    for title in ("关闭羊山镇袁堂教学点", "马庙镇石官庄小学并入新徐楼小学", "城区新建小学并增开化雨校车线路",
                  "羊山镇小规模学校撤并", "城区东城小学扩建12班"):
        assert title in text
    assert "估算" in text and "按学位容量分配" in text and "就近入学" in text
    assert "方案比选 PDF 已写出" in out.stdout
    assert [p.name for p in target.parent.iterdir()] == ["方案比选.pdf"]  # no temporary file left


def test_bad_scenario_is_a_named_error_without_traceback(demo_dir, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("名称: 坏\n调整:\n  - 类型: 关闭\n    学校: 999\n", encoding="utf-8")
    target = tmp_path / "x.pdf"
    out = CliRunner().invoke(app, ["scenario", str(demo_dir), "close_teaching_point", str(bad), "--pdf", str(target)])
    assert out.exit_code == 2
    assert "bad.yaml 第4行" in out.stderr  # the line of 学校: 999 and "unknown_school" in out.stderr
    assert "Traceback" not in out.stderr
    assert not target.exists()  # a failed run leaves no output
    out = CliRunner().invoke(app, ["scenario", str(demo_dir), *["close_teaching_point"] * 6])
    assert out.exit_code == 2 and "too_many_scenarios" in out.stderr


def test_pdf_failure_leaves_the_old_file(demo_dir, tmp_path, monkeypatch):
    import jxedu
    from jxedu.planning import scenarios as sc

    ds = jxedu.load(demo_dir)
    base, res = sc.evaluate(ds), sc.evaluate(ds, "close_teaching_point")
    target = tmp_path / "cmp.pdf"
    target.write_bytes(b"old")

    def boom(html_text, path):
        path.write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(comparison, "html_to_pdf", boom)
    with pytest.raises(ReportError, match="unwritable_output"):
        comparison.comparison_pdf(ds, base, [res], target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["cmp.pdf"]
    with pytest.raises(ScenarioError, match="too_many_scenarios"):
        comparison.comparison_pdf(ds, base, [res] * 6, target)


def test_names_are_escaped_in_the_html(demo_dir, tmp_path):
    import jxedu
    from jxedu.planning import scenarios as sc

    ds = jxedu.load(demo_dir)
    base = sc.evaluate(ds)
    res = sc.evaluate(ds, {"name": "<script>alert(1)</script>", "edits": [{"type": "close", "school": "3708282053"}]})
    html = comparison.comparison_html(ds, base, [res])
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_county_name_cannot_break_the_page_header_or_title(demo_dir):
    # the county name goes into the CSS page header and <title>: a quote, </style> or a line break stays text
    import dataclasses

    import jxedu
    from jxedu.planning import scenarios as sc

    ds = jxedu.load(demo_dir)
    ds = dataclasses.replace(ds, meta={**ds.meta, "县名": '金乡县"}</style><script>x()</script>\n'})
    base = sc.evaluate(ds)
    res = sc.evaluate(ds, {"name": "**关闭**[教学点](http://x)", "edits": [{"type": "close", "school": "3708282053"}]})
    page = comparison.comparison_html(ds, base, [res])
    assert "</style><script>" not in page and "<script>x()" not in page
    assert r'content: "金乡县\22 \7d \3c \2f style\3e ' in page  # CSS escapes inside the header string
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "\n" not in title and "&lt;/style&gt;" in title
    # the scenario name is shown as written: not emphasis, not a link
    assert "**关闭**[教学点](http://x)" in page
    assert "<strong>关闭" not in page and 'href="http://x"' not in page
