"""Tests of jxedu.publish.reports: the batch of PDF bulletins (notebook → HTML → WeasyPrint).

The whole demo batch — 13 镇街 and the county — is rendered once (module fixture, about a minute on
two cores) and read as a 镇长 would: through the PDF's text layer. The other tests use a tiny stub
notebook that runs in a second or two.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from pypdf import PdfReader

import jxedu
from jxedu.cli import commands
from jxedu.core.config import DEMO_DIR
from jxedu.core.errors import ReportError
from jxedu.publish import reports

TOWNSHIP = "金乡街道"


# --- helpers ------------------------------------------------------------------------------------


def stub_notebook(path: Path, *, fail_for: str | None = None) -> Path:
    """A minimal report notebook: prints its 镇街; raises in its 2nd code cell for ``fail_for``."""
    params = new_code_cell('data_dir = None\nyear = None\ntownship = "示例镇"')
    params.metadata["tags"] = ["parameters"]
    cells = [
        params,
        new_code_cell(f'if township == {fail_for!r}:\n    raise ValueError("故意出错")'),
        new_code_cell('from IPython.display import HTML\nHTML(f"<h1>{township} {year}学年 报告</h1>")'),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.validate(nb)
    nbformat.write(nb, str(path))
    return path


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def embedded_fonts(path: Path) -> list[tuple[str, bool]]:
    """(BaseFont name, has an embedded font program) of every font used on any page."""
    found = []
    for page in PdfReader(str(path)).pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            descs = [font]
            if "/DescendantFonts" in font:
                descs = [d.get_object() for d in font["/DescendantFonts"]]
            for d in descs:
                fd = d.get("/FontDescriptor")
                fd = fd.get_object() if fd is not None else {}
                has_file = any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                found.append((str(d.get("/BaseFont", font.get("/BaseFont"))), has_file))
    return found


def fake_dataset(names: list[str]):
    """What plan_reports needs of a loaded data set: 镇街 names, years, the county's name."""
    return SimpleNamespace(townships_list=names, year_or_latest=lambda y: 2026 if y is None else int(y), meta={},
                           county_name="本县", synthetic=False)


# --- the demo report ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    """The whole demo batch, as `jxedu reports data/demo` renders it (the county computed once)."""
    out = tmp_path_factory.mktemp("reports")
    jobs = reports.plan_reports(DEMO_DIR, out=out)
    with reports.batch_assessment(jobs) as stored:
        assert stored is not None and stored.exists()
        results = reports.run_jobs(jobs, workers=2, progress=False)
    assert not stored.exists()  # the batch's assessment is removed when the batch ends
    return SimpleNamespace(out=out, jobs=jobs, results=results)


def test_demo_report_is_written(demo_report):
    names = jxedu.load(DEMO_DIR).townships_list
    assert [j.title for j in demo_report.jobs] == [*names, "全县"]
    assert all(r.ok for r in demo_report.results), [r.error for r in demo_report.results if not r.ok]
    folder = demo_report.out / "2026"
    expected = {f"{n}.{ext}" for n in [*names, "全县"] for ext in ("html", "ipynb", "pdf")}
    assert {p.name for p in folder.iterdir()} == expected | {reports.MANIFEST_NAME}
    man = reports.read_manifest(folder)
    assert man["data"] == str(DEMO_DIR.resolve())
    assert man["outputs"][TOWNSHIP] == [f"{TOWNSHIP}.ipynb", f"{TOWNSHIP}.html", f"{TOWNSHIP}.pdf"]


def test_demo_pdf_text_has_name_and_key_figures(demo_report):
    text = pdf_text(demo_report.out / "2026" / f"{TOWNSHIP}.pdf")
    flat = "".join(text.split())  # extract_text may break lines inside a phrase
    # Worked out from the CSV files directly (not through jxedu): the compulsory-stage pupils and
    # the schools with compulsory-stage rows of 金乡街道 in 2026.
    schools = pd.read_csv(DEMO_DIR / "学校.csv", encoding="utf-8-sig", dtype={"学校标识码": str})
    stats = pd.read_csv(DEMO_DIR / "学段统计.csv", encoding="utf-8-sig", dtype={"学校标识码": str})
    ids = set(schools.loc[schools["所属镇街"] == TOWNSHIP, "学校标识码"])
    s = stats[(stats["学年"] == 2026) & stats["学段"].isin(["小学", "初中"]) & stats["学校标识码"].isin(ids)]
    pupils = int(s["在校生数"].sum())
    n_schools = s["学校标识码"].nunique()
    assert pupils == 32287  # the demo README: 金乡街道 is the town centre; 20459 小学 + 11828 初中
    assert TOWNSHIP in flat
    assert f"{pupils:,}人" in flat  # thousands separators for 人
    assert f"{n_schools}所" in flat
    assert "本数据为合成演示数据" in flat  # the synthetic-data notice
    assert "¶" not in text  # no heading anchors
    assert "rc." not in text and "report_content" not in text  # no code in the report


def test_demo_pdf_embeds_a_cjk_font(demo_report):
    fonts = embedded_fonts(demo_report.out / "2026" / f"{TOWNSHIP}.pdf")
    cjk = [(name, emb) for name, emb in fonts if "CJK" in name or "SourceHan" in name or "WenQuanYi" in name]
    assert cjk, fonts
    assert all(emb for _, emb in cjk)


def test_demo_pdf_pages_have_header_and_numbers(demo_report):
    reader = PdfReader(str(demo_report.out / "2026" / f"{TOWNSHIP}.pdf"))
    n = len(reader.pages)
    assert n >= 2
    last = "".join((reader.pages[-1].extract_text() or "").split())
    assert f"第{n}页/共{n}页" in last
    assert f"{TOWNSHIP}·2026学年" in last  # running header


def test_demo_notebook_outputs_are_clean(demo_report):
    nb = nbformat.read(str(demo_report.out / "2026" / f"{TOWNSHIP}.ipynb"), as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert not (out.output_type == "stream" and out.name == "stderr"), out.text  # no warnings
            assert out.output_type != "error"
            if out.output_type in ("execute_result", "display_data"):
                assert set(out.data) != {"text/plain"}, out.data  # no bare repr
    params = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert params and f"township = '{TOWNSHIP}'" in params[0].source


def test_demo_report_has_no_teacher_ids(demo_report):
    html = (demo_report.out / "2026" / f"{TOWNSHIP}.html").read_text(encoding="utf-8")
    teachers = pd.read_csv(DEMO_DIR / "教师.csv", encoding="utf-8-sig", dtype=str)
    ids = teachers.iloc[:, 0].head(200)  # 教师编号 (first column)
    assert not any(t in html for t in ids)


# --- failures ---------------------------------------------------------------------------------


def test_one_failing_township_does_not_stop_the_others(tmp_path, capsys):
    nb = stub_notebook(tmp_path / "stub.ipynb", fail_for="王丕街道")
    out = tmp_path / "out"
    code = commands.cli_reports(DEMO_DIR, townships=["王丕街道", "金乡街道"], out=out, workers=1,
                               township_notebook=nb, progress=False)
    assert code == 1
    printed = capsys.readouterr().out
    assert "完成 1 份，失败 1 份" in printed
    failure = [ln for ln in printed.splitlines() if "失败 (failed)" in ln]
    assert len(failure) == 1
    # code cells of the executed notebook: parameters (1), injected parameters (2), the raising cell (3)
    assert "王丕街道：第 3 个代码单元格（if township == '王丕街道':）出错" in failure[0]
    assert "ValueError: 故意出错" in failure[0]
    folder = out / "2026"
    assert (folder / "金乡街道.pdf").is_file()
    assert not (folder / "王丕街道.pdf").exists()
    assert (folder / reports.FAILED_DIR / "王丕街道.ipynb").is_file()  # kept for diagnosis
    assert "金乡街道 2026学年 报告" in pdf_text(folder / "金乡街道.pdf")


def test_failure_in_a_fresh_kernel_names_the_cell(tmp_path):
    nb = stub_notebook(tmp_path / "stub.ipynb", fail_for="甲镇")
    job = reports.ReportJob(title="甲镇", notebook=nb, parameters={"township": "甲镇", "year": 2026},
                            out_dir=tmp_path / "out", stem="甲镇")
    res = reports.run_job(job, reuse_kernel=False)
    assert not res.ok and res.cell == 3 and res.error == "ValueError: 故意出错"  # after the injected cell
    assert res.cell_source.startswith("if township == '甲镇'")


def test_unknown_township_is_a_named_error():
    with pytest.raises(ReportError, match="unknown_township"):
        reports.plan_reports(DEMO_DIR, townships=["不存在镇"])


def test_county_summary_alone_or_beside_named_townships():
    # --township 全县 asks for the county summary; with 镇街 named too, both; one 镇街 alone: no summary
    stems = lambda jobs: [j.stem for j in jobs]  # noqa: E731
    assert stems(reports.plan_reports(DEMO_DIR, townships=["全县"])) == ["全县"]
    assert sorted(stems(reports.plan_reports(DEMO_DIR, townships=["全县", "化雨镇"]))) == ["全县", "化雨镇"]
    assert stems(reports.plan_reports(DEMO_DIR, townships=["化雨镇"])) == ["化雨镇"]


# --- names and paths ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "stem"),
    [("金乡街道", "金乡街道"), ("a/b", "a_b"), ("../../etc", "_.._etc"), ("..\\x", "_x"), (" 化雨镇 ", "化雨镇"),
     ("Ａ：Ｂ", "A_B")],  # full-width letters and colon are folded by NFKC, then the colon replaced
)
def test_safe_stem(name, stem):
    assert reports.safe_stem(name) == stem


@pytest.mark.parametrize("name", ["", "..", "/", " . "])
def test_safe_stem_refuses_empty_names(name):
    with pytest.raises(ReportError, match="unsafe_name"):
        reports.safe_stem(name)


def test_inside_refuses_escape(tmp_path):
    with pytest.raises(ReportError, match="path_escape"):
        reports._inside(tmp_path, "../x", ".pdf")
    assert reports._inside(tmp_path, "x", ".pdf") == (tmp_path / "x.pdf").resolve()


def test_hostile_names_stay_in_the_output_folder(tmp_path, monkeypatch):
    names = ["../../etc", "a/b"]
    monkeypatch.setattr(jxedu, "load", lambda path: fake_dataset(names))
    nb = stub_notebook(tmp_path / "stub.ipynb")
    out = tmp_path / "deep" / "out"
    jobs = reports.plan_reports(tmp_path, out=out, county=False, township_notebook=nb)
    assert [j.stem for j in jobs] == ["_.._etc", "a_b"]
    results = reports.run_jobs(jobs, workers=1, progress=False)
    assert all(r.ok for r in results), [r.error for r in results]
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == sorted(
        ["stub.ipynb", f"deep/out/2026/{reports.MANIFEST_NAME}"]
        + [f"deep/out/2026/{s}{ext}" for s in ("_.._etc", "a_b") for ext in (".html", ".ipynb", ".pdf")]
    )
    assert "../../etc 2026学年 报告" in pdf_text(out / "2026" / "_.._etc.pdf")  # the real name is shown


def test_duplicate_stems_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(jxedu, "load", lambda path: fake_dataset(["a/b", "a:b"]))
    with pytest.raises(ReportError, match="duplicate_name"):
        reports.plan_reports(tmp_path, out=tmp_path)


# --- reruns -------------------------------------------------------------------------------------


def test_rerun_overwrites_cleanly(tmp_path, monkeypatch):
    monkeypatch.setattr(jxedu, "load", lambda path: fake_dataset(["甲镇"]))
    nb = stub_notebook(tmp_path / "stub.ipynb")
    out = tmp_path / "out"
    folder = out / "2026"
    first = reports.run_jobs(reports.plan_reports(tmp_path, out=out, county=False, township_notebook=nb),
                             workers=1, progress=False)
    assert first[0].ok
    old = {p.name: p.stat().st_ino for p in folder.iterdir()}
    (folder / "甲镇.pdf").write_bytes(b"stale")  # a damaged file from an earlier run
    second = reports.run_jobs(reports.plan_reports(tmp_path, out=out, county=False, township_notebook=nb),
                              workers=1, progress=False)
    assert second[0].ok
    files = sorted(p.name for p in folder.iterdir())
    assert files == [reports.MANIFEST_NAME, "甲镇.html", "甲镇.ipynb", "甲镇.pdf"]  # no .tmp-* folder
    assert (folder / "甲镇.pdf").read_bytes().startswith(b"%PDF")
    assert all((folder / n).stat().st_ino != ino for n, ino in old.items())  # replaced, not appended


def test_success_clears_an_earlier_failure(tmp_path, monkeypatch):
    monkeypatch.setattr(jxedu, "load", lambda path: fake_dataset(["甲镇"]))
    out = tmp_path / "out"
    bad = stub_notebook(tmp_path / "bad.ipynb", fail_for="甲镇")
    good = stub_notebook(tmp_path / "good.ipynb")
    r1 = reports.run_jobs(reports.plan_reports(tmp_path, out=out, county=False, township_notebook=bad),
                          workers=1, progress=False)
    assert not r1[0].ok and (out / "2026" / "_failed" / "甲镇.ipynb").exists()
    r2 = reports.run_jobs(reports.plan_reports(tmp_path, out=out, county=False, township_notebook=good),
                          workers=1, progress=False)
    assert r2[0].ok and not (out / "2026" / "_failed" / "甲镇.ipynb").exists()


# --- process pool and Dask ------------------------------------------------------------------------


def test_process_pool_runs_jobs(tmp_path, monkeypatch):
    monkeypatch.setattr(jxedu, "load", lambda path: fake_dataset(["甲镇", "乙镇", "丙镇"]))
    nb = stub_notebook(tmp_path / "stub.ipynb", fail_for="乙镇")
    jobs = reports.plan_reports(tmp_path, out=tmp_path / "out", county=False, township_notebook=nb)
    results = reports.run_jobs(jobs, workers=2, progress=False)
    assert [(r.job.title, r.ok) for r in results] == [("甲镇", True), ("乙镇", False), ("丙镇", True)]


def test_dask_local_cluster(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(jxedu, "load", lambda path: fake_dataset(["甲镇", "乙镇"]))
    nb = stub_notebook(tmp_path / "stub.ipynb", fail_for="乙镇")
    jobs = reports.plan_reports(tmp_path, out=tmp_path / "out", county=False, township_notebook=nb)
    # a real worker process: jobs and results cross a process boundary (pickled), as on a cluster
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cl:
        with distributed.Client(cl) as client:
            results = reports.run_jobs(jobs, dask_address=client, progress=False)
    assert [(r.job.title, r.ok) for r in results] == [("甲镇", True), ("乙镇", False)]
    assert results[1].cell == 3
    assert (tmp_path / "out" / "2026" / "甲镇.pdf").is_file()


def test_workers_must_be_positive():
    with pytest.raises(ReportError, match="bad_workers"):
        reports.run_jobs([], workers=0)


def test_no_kernel_left_running(tmp_path, monkeypatch):
    monkeypatch.setattr(jxedu, "load", lambda path: fake_dataset(["甲镇"]))
    nb = stub_notebook(tmp_path / "stub.ipynb")
    reports.run_jobs(reports.plan_reports(tmp_path, out=tmp_path / "o", county=False, township_notebook=nb),
                     workers=1, progress=False)
    assert reports._all_sessions == []  # the in-process kernel was shut down


# --- what a 镇长 reads (issue 12) -------------------------------------------------------------------


def _pages(path: Path) -> list[str]:
    return ["".join((page.extract_text() or "").split()) for page in PdfReader(str(path)).pages]


def test_page_one_of_every_township_report_opens_with_the_priorities(demo_report):
    for name in jxedu.load(DEMO_DIR).townships_list:
        first = _pages(demo_report.out / "2026" / f"{name}.pdf")[0]
        assert "优先整改事项" in first, name
        assert first.index("优先整改事项") < first.index("关键数字") if "关键数字" in first else True


def test_every_failing_school_stage_is_named_in_its_township_report(demo_report):
    # Failing units read from the indicators; each must be named somewhere in its 镇街's PDF (the
    # priority list and its appendix list every one, not the first 25 in school order).
    a = jxedu.assess(jxedu.load(DEMO_DIR))
    failing = a.indicators.loc[~a.indicators["passes"]]
    for name, group in failing.groupby("township"):
        text = "".join(_pages(demo_report.out / "2026" / f"{name}.pdf"))
        missing = [s for s in group["name"] if s not in text]
        assert missing == [], (name, missing)


def test_the_reports_list_the_overdue_items_as_of_the_set_date(demo_report):
    # conftest sets JXEDU_AS_OF = 2026-09-01; the report kernels read it (the PDFs do not change by the day)
    county = "".join(pdf_text(demo_report.out / "2026" / "全县.pdf").split())
    assert "逾期整改事项截至2026年9月1日，全县事项中已过完成时限仍未达标的" in county
    assert "各镇街学校事项逾期情况" in county
    town = "".join(pdf_text(demo_report.out / "2026" / f"{TOWNSHIP}.pdf").split())
    assert f"截至2026年9月1日，{TOWNSHIP}学校事项中已过完成时限仍未达标的" in town
    assert "各镇街学校事项逾期情况" not in town


def test_every_page_of_every_report_carries_the_synthetic_mark(demo_report):
    for pdf in sorted((demo_report.out / "2026").glob("*.pdf")):
        pages = _pages(pdf)
        assert all("合成演示数据" in p for p in pages), (pdf.name, [i + 1 for i, p in enumerate(pages)
                                                               if "合成演示数据" not in p])


def test_no_township_report_judges_a_county_target(demo_report):
    # County targets: the plan's yearly rotations (≥ 400), the 10 % / 20 % shares, 最美教师 and the CVs.
    # A 镇街 report shows its contribution; no line pairs one of them with a verdict.
    county_words = ("≥400人", "交流比例", "骨干占比", "最美教师", "差异系数")
    for name in jxedu.load(DEMO_DIR).townships_list:
        for line in pdf_text(demo_report.out / "2026" / f"{name}.pdf").splitlines():
            flat = "".join(line.split())
            if any(w in flat for w in county_words):
                assert "未达标" not in flat and "✗" not in flat, (name, line)


def test_a_cost_worked_by_hand_from_the_unit_cost(demo_report):
    # 金乡县第二实验小学 (a plain 小学): sports ground needed = 7.5 ㎡ × its 2026 pupils − (室内体育用房 +
    # 运动场地面积), rounded up to whole ㎡; at the default 400 元/㎡ (jxedu/data/unit_costs.csv) the
    # report prints it in 万元 to one decimal. All read from the CSV files, not through jxedu.
    import math

    schools = pd.read_csv(DEMO_DIR / "学校.csv", encoding="utf-8-sig", dtype={"学校标识码": str})
    sid = schools.loc[schools["学校名称"] == "金乡县第二实验小学", "学校标识码"].iloc[0]
    stats = pd.read_csv(DEMO_DIR / "学段统计.csv", encoding="utf-8-sig", dtype={"学校标识码": str})
    fac = pd.read_csv(DEMO_DIR / "办学条件.csv", encoding="utf-8-sig", dtype={"学校标识码": str})
    pupils = int(stats.loc[(stats["学年"] == 2026) & (stats["学校标识码"] == sid), "在校生数"].sum())
    f = fac.loc[(fac["学年"] == 2026) & (fac["学校标识码"] == sid)].iloc[0]
    need = math.ceil(round(7.5 * pupils - (f["室内体育用房面积"] + f["运动场地面积"]), 6))
    wan = need * 400 / 10000
    text = "".join(_pages(demo_report.out / "2026" / "金乡街道.pdf"))
    assert f"增加体育运动场馆面积{need:,}㎡" in text
    assert f"约{wan:,.1f}万元（估算）" in text


# --- leftovers and the manifest -------------------------------------------------------------------


def _data(folder: Path, text: str) -> Path:
    """A data folder whose fingerprint depends on ``text`` (jxedu.load is faked in these tests)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "学校.csv").write_text(text, encoding="utf-8")
    return folder


def _batch(data: Path, out: Path, nb: Path, *, townships=None, replace=False, notes=None):
    jobs = reports.plan_reports(data, out=out, county=False, township_notebook=nb, townships=townships)
    return reports.run_jobs(jobs, workers=1, progress=False, replace=replace, notes=notes)


def test_leftovers_of_a_killed_batch_are_removed(tmp_path, monkeypatch):
    import os
    import time

    from jxedu.core.tempfiles import owner_tag

    monkeypatch.setattr(jxedu, "load", lambda path: fake_dataset(["甲镇"]))
    nb = stub_notebook(tmp_path / "stub.ipynb")
    folder = tmp_path / "out" / "2026"
    folder.mkdir(parents=True)
    host = owner_tag().split("-")[0]
    dead = folder / f".tmp-甲镇-{host}-{2 ** 22 + 1}-abc_123"   # its process has ended
    (dead / "sub").mkdir(parents=True)
    (dead / "sub" / "甲镇.pdf").write_bytes(b"half")
    mine = folder / f".tmp-乙镇-{owner_tag()}xyz"                 # this very process: still running
    mine.mkdir()
    old = folder / ".tmp-丙镇-k2j3h4"                               # an older jxedu's, 20 minutes old
    old.mkdir()
    os.utime(old, (time.time() - 1200, time.time() - 1200))
    notes: list[str] = []
    assert _batch(_data(tmp_path / "d", "x"), tmp_path / "out", nb, notes=notes)[0].ok
    assert not dead.exists() and not old.exists() and mine.exists()
    assert notes == [f"已删除上次中断留下的临时文件夹 2 个（{folder}）"]


def test_another_data_set_into_the_same_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(jxedu, "load", lambda path: fake_dataset(["甲镇", "乙镇"]))
    nb = stub_notebook(tmp_path / "stub.ipynb")
    out, folder = tmp_path / "out", tmp_path / "out" / "2026"
    a, b = _data(tmp_path / "a", "甲"), _data(tmp_path / "b", "乙")
    assert all(r.ok for r in _batch(a, out, nb))
    assert set(reports.read_manifest(folder)["outputs"]) == {"甲镇", "乙镇"}
    before = (folder / "甲镇.pdf").read_bytes()
    with pytest.raises(ReportError, match="output_other_data") as info:
        _batch(b, out, nb, townships=["甲镇"])
    assert "来自另一份数据" in str(info.value) and "--replace" in str(info.value)
    assert (folder / "甲镇.pdf").read_bytes() == before          # nothing touched
    # with --replace: the other data set's reports are removed, then this batch's written
    notes: list[str] = []
    assert _batch(b, out, nb, townships=["甲镇"], replace=True, notes=notes)[0].ok
    assert sorted(p.name for p in folder.iterdir()) == [reports.MANIFEST_NAME, "甲镇.html", "甲镇.ipynb", "甲镇.pdf"]
    man = reports.read_manifest(folder)
    assert man["data"] == str(b.resolve()) and set(man["outputs"]) == {"甲镇"}
    assert notes == [f"输出文件夹中原有的报告来自另一份数据（{a.resolve()}），已删除 6 个原有报告文件，全部重新生成（{folder}）"]


def test_changed_data_rewritten_whole_or_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(jxedu, "load", lambda path: fake_dataset(["甲镇", "乙镇"]))
    nb = stub_notebook(tmp_path / "stub.ipynb")
    out, folder = tmp_path / "out", tmp_path / "out" / "2026"
    data = _data(tmp_path / "d", "v1")
    assert all(r.ok for r in _batch(data, out, nb))
    _data(data, "v2")  # the planner corrects the data
    with pytest.raises(ReportError, match="数据已修改.*乙镇"):   # only 甲镇 again: 乙镇 would stay old
        _batch(data, out, nb, townships=["甲镇"])
    notes: list[str] = []
    assert all(r.ok for r in _batch(data, out, nb, notes=notes))  # every report again: fine
    assert notes[0].startswith("输出文件夹中原有的报告数据已修改")
    assert set(reports.read_manifest(folder)["outputs"]) == {"甲镇", "乙镇"}
    # same data, same settings: a partial run just adds to the folder
    assert _batch(data, out, nb, townships=["乙镇"])[0].ok
    assert set(reports.read_manifest(folder)["outputs"]) == {"甲镇", "乙镇"}


def test_other_settings_count_as_other_reports(tmp_path, monkeypatch):
    monkeypatch.setattr(jxedu, "load", lambda path: fake_dataset(["甲镇", "乙镇"]))
    nb = stub_notebook(tmp_path / "stub.ipynb")
    data = _data(tmp_path / "d", "v1")
    assert all(r.ok for r in _batch(data, tmp_path / "out", nb))
    settings = tmp_path / "s.yaml"
    settings.write_text("teaching_point_min_students: 60\n", encoding="utf-8")
    monkeypatch.setenv("JXEDU_SETTINGS", str(settings))
    with pytest.raises(ReportError, match="设置不同"):
        _batch(data, tmp_path / "out", nb, townships=["甲镇"])
