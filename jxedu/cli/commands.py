"""What each ``jxedu`` command does and prints: one function per command, returning the exit code.

:mod:`jxedu.cli.app` parses the options and calls these; they call into the layers below and print
Chinese text (rich tables) or exactly one JSON object.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import pandas as pd

from jxedu import assess, load
from jxedu.analysis import deadlines, indicators
from jxedu.core import vocabulary as vocab
from jxedu.ingest import demo
from jxedu.ingest.problems import Problem, ValidationReport
from jxedu.ingest.reader import validate_path
from jxedu.planning import scenarios
from jxedu.present import assurance as show_assurance
from jxedu.present import indicators as show_indicators
from jxedu.present.tables import table
from jxedu.publish import ledger, reports


def cli_validate(path: str | Path, *, as_json: bool = False) -> int:
    """The ``jxedu validate`` command: print the report, exit 1 on errors, 0 otherwise.

    Parameters
    ----------
    path
        Excel workbook or folder.
    as_json
        Print JSON instead of the Chinese text.

    Returns
    -------
    int
        Exit code.
    """
    try:
        report = validate_path(path)
    except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback
        report = ValidationReport(
            [Problem("error", "internal_error",
                     f"检查时出现意外错误（{type(exc).__name__}），请把此信息反馈给开发人员")],
            Path(path),
        )
    if as_json:
        print(report.to_json())
    else:
        _print_report(report)
    return 0 if report.ok else 1


def _print_report(report: ValidationReport) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False, soft_wrap=True)
    for line in report.to_text().splitlines():
        text = escape(line)
        if line.lstrip().startswith("错误"):
            console.print(f"[red]{text}[/red]")
        elif line.lstrip().startswith("警告"):
            console.print(f"[yellow]{text}[/yellow]")
        elif line.startswith("【"):
            console.print(f"[bold]{text}[/bold]")
        else:
            console.print(text)


def cli_indicators(data: str | Path, *, year: int | None = None, as_json: bool = False) -> int:
    """``jxedu indicators DATA [--year Y] [--json]``.

    Parameters
    ----------
    data
        Workbook or folder.
    year
        School year (default latest).
    as_json
        Print exactly one JSON object on stdout instead of the Chinese summary:
        :func:`jxedu.analysis.indicators.summary_from` plus ``items``, every assurance, quality,
        社会认可度 and county-plan item (:func:`jxedu.present.assurance.item_records`).

    Returns
    -------
    int
        Exit code 0.
    """
    a = assess(load(data), year=year)
    if as_json:
        out = {**indicators.summary_from(a.year, a.indicators, a.balance), "items": show_assurance.item_records(a)}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return 0
    con = _console()
    con.print(f"[bold]资源配置指标与差异系数 — {a.year}学年[/bold]")
    con.print(f"数据：{a.ds.source}", soft_wrap=True, highlight=False)
    if a.ds.synthetic:
        con.print(f"[yellow]注意：{vocab.synthetic_notice(a.county_name)}[/yellow]")
    county = a.passing.loc[a.passing["township"] == vocab.COUNTY]
    _print_table(con, table(county, ["stage", "units", "passing", "failing", "passing_share"],
                            caption="参评学校（学段）与达标情况"))
    _print_table(con, show_indicators.balance_table(a))
    failing = show_indicators.failing_table(a)
    if failing.empty:
        con.print("[green]全部参评学校（学段）均达标。[/green]")
        return 0
    failing.caption = f"未达标学校（学段）：{len(failing)} 个"
    _print_table(con, failing)
    return 0


def _console():
    from rich.console import Console

    return Console(soft_wrap=False, width=max(Console().width, 100))


def _print_table(con, t) -> None:
    """A presentation :class:`~jxedu.present.tables.Table` as a rich table (numbers right-aligned)."""
    from rich.markup import escape
    from rich.table import Table as RichTable

    rt = RichTable(title=escape(t.caption) if t.caption else None)
    for h in t.frame.columns:
        # fold, never "…": a narrow terminal wraps a school name or a missed indicator, it does not cut it
        rt.add_column(escape(str(h)), justify="right" if h in t.numeric else "left", overflow="fold")
    for row in t.frame.itertuples(index=False, name=None):
        rt.add_row(*(escape(str(v)).replace("；", "\n") for v in row))
    con.print(rt)
    for note in t.notes:
        con.print(escape(note), highlight=False)


def cli_ledger(data: str | os.PathLike, *, year: int | None = None, out: str | os.PathLike,
               as_of: dt.date | str | None = None) -> int:
    """``jxedu ledger DATA --year Y --out FILE.xlsx [--as-of YYYY-MM-DD]``: export or update the ledger;
    print a Chinese summary (with the overdue items and any 完成时限 cell that is not a date).

    Parameters
    ----------
    as_of
        The date of 逾期天数 and 挂牌督导 (:func:`jxedu.analysis.deadlines.as_of_date`; default today).

    Returns
    -------
    int
        Exit code 0.
    """
    as_of = deadlines.as_of_date(as_of)  # a bad date fails before any work
    ds = load(data)
    out = Path(out)
    existed = out.exists()
    written = ledger.export_ledger(assess(ds, year=year), out, as_of=as_of)
    summ = ledger.ledger_summary(written)
    y = written.attrs.get("year", ds.year_or_latest(year))
    lines = [f"台账已{'更新' if existed else '写入'} (ledger written): {out}",
             f"  数据学年 {y}；事项 {summ['total']} 条：" + "，".join(f"{st} {summ[st]}" for st in ledger.LEDGER_STATUSES),
             f"  截至 {as_of:%Y-%m-%d}：逾期 {summ['overdue']} 条，其中挂牌督导 {summ['supervised']} 条"]
    if existed:
        a = written.attrs
        lines.append(f"  与上一版匹配 {a.get('matched', 0)} 条，其中保留规划人员填写内容 {a.get('kept', 0)} 条；"
                     f"重新打开 {a.get('reopened', 0)} 条；"
                     f"不再出现的事项 {a.get('retired', 0)} 条（上一版备份：{out.stem}.bak.xlsx）")
        if a.get("overridden"):
            lines.append(f"  规划人员改写的工具列单元格 {a['overridden']} 处已保留，工具的新建议写在“备注”中")
        if a.get("not_kept"):
            lines.append(f"  注意：原文件中的{'、'.join(a['not_kept'])}无法由本工具保留，"
                         f"原文件另存为 {out.stem}.bak-{dt.date.today():%Y%m%d}.xlsx（不会被覆盖）")
        if a.get("added_columns"):
            lines.append("  新增列（添加在最右侧）：" + "、".join(f"“{ledger.COLUMNS[c]}”" for c in a["added_columns"]))
    lines += [f"  注意：{p}" for p in written.attrs.get("problems", [])]
    if ds.synthetic:
        lines.append("  注意：合成演示数据，非真实统计。")
    print("\n".join(lines))
    return 0


def cli_scenario(data: str | Path, scenarios_: str | Path | list, *, year: int | None = None, as_json: bool = False,
                 pdf: str | Path | None = None, rezone: bool | None = None) -> int:
    """``jxedu scenario DATA A.yaml [B.yaml …] [--json] [--pdf OUT.pdf] [--rezone]``.

    Evaluates each scenario (1 to 5) against the baseline and prints the comparison table (or one
    JSON object), and writes the 方案比选 PDF with ``--pdf``.

    Parameters
    ----------
    data
        Workbook or folder.
    scenarios_
        One scenario file or a list of them.
    year
        School year (default: each scenario's 基准学年, else the latest).
    as_json
        Print ``{"baseline": {...}, "scenarios": [{"name": ..., ...}], "scenario": <the first>}``;
        every summary carries ``pupils_moved`` and ``<stage>_pupils_moved``, the costs in 元.
    pdf
        Write the comparison PDF there (atomically).
    rezone
        ``True``: 重新划片 of the whole county for every scenario (``None``: each file's own).

    Returns
    -------
    int
        Exit code (0).
    """
    from jxedu.present import scenarios as present
    from jxedu.publish import comparison

    files = list(scenarios_) if isinstance(scenarios_, (list, tuple)) else [scenarios_]
    if not 1 <= len(files) <= comparison.MAX_SCENARIOS:
        from jxedu.core.errors import ScenarioError

        raise ScenarioError(f"一次比选 1 至 {comparison.MAX_SCENARIOS} 个方案 (too_many_scenarios): 给出了 {len(files)} 个")
    ds = load(data)
    results = [scenarios.evaluate(ds, f, year=year, rezone=rezone) for f in files]
    base = scenarios.evaluate(ds, year=results[0].year)
    if pdf is not None:
        written = comparison.comparison_pdf(ds, base, results, pdf)
    if as_json:
        items = [{"name": r.name, **r.summary} for r in results]
        print(json.dumps({"baseline": base.summary, "scenarios": items, "scenario": items[0]},
                         ensure_ascii=False, default=float))
    else:
        print(present.comparison_table([base, *results]).to_text())
        if pdf is not None:
            print(f"方案比选 PDF 已写出 (comparison PDF written): {written}")
    return 0


#: Voilà template of the web explorer (``jxedu/static/voila/templates/jxedu``: the lab template without
#: links to the internet).
EXPLORER_TEMPLATE = "jxedu"
#: The notebook the web explorer serves.
EXPLORER_NOTEBOOK = "explorer.ipynb"


def explorer_command(data: str | Path | None = None, *, port: int = 8866, ip: str = "127.0.0.1",
                     extra: list[str] | tuple[str, ...] = ()) -> tuple[list[str], dict]:
    """The Voilà command line and environment that serve the scenario explorer as a web page.

    Parameters
    ----------
    data
        The data set (``None``: the synthetic demo data).
    port, ip
        Where the page is served (default ``http://127.0.0.1:8866``; ``ip="0.0.0.0"`` lets colleagues
        on the office network open it).
    extra
        More Voilà options.

    Returns
    -------
    tuple
        ``(argv, env)`` for :func:`subprocess.run`.
    """
    from jxedu.core.config import NOTEBOOKS_DIR, PACKAGE_DIR
    from jxedu.present.widgets import DATA_ENV

    voila = Path(sys.executable).with_name("voila")
    argv = [str(voila) if voila.exists() else "voila", str(NOTEBOOKS_DIR / EXPLORER_NOTEBOOK),
            f"--template={EXPLORER_TEMPLATE}", f"--port={int(port)}", f"--Voila.ip={ip}", "--no-browser", *extra]
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(PACKAGE_DIR / "static"), env.get("JUPYTER_PATH")) if p)
    env[DATA_ENV] = str(Path(data).resolve()) if data is not None else ""
    env.setdefault("MPLBACKEND", "Agg")
    return argv, env


def cli_explorer(data: str | Path | None = None, *, port: int = 8866, ip: str = "127.0.0.1") -> int:
    """``jxedu explorer [DATA] [--port P]``: serve the scenario explorer until Ctrl-C.

    Returns
    -------
    int
        Voilà's exit code.
    """
    import subprocess

    if data is not None:
        load(data)  # a bad data set fails here, in Chinese, not inside the page
    argv, env = explorer_command(data, port=port, ip=ip)
    print(f"方案探索器网页 (scenario explorer): http://{'localhost' if ip in ('127.0.0.1', '0.0.0.0') else ip}:{port}/"
          "  按 Ctrl-C 停止 (Ctrl-C to stop)")
    return subprocess.run(argv, env=env, check=False).returncode


def cli_demo_data(out: Path, *, seed: int = demo.DEFAULT_SEED, scale: float = 1.0) -> int:
    """Command ``jxedu demo-data``: write the data set and print a one-line summary (Chinese).

    Returns
    -------
    int
        Exit code 0.
    """
    path = demo.generate(Path(out), seed=seed, scale=scale)
    schools = pd.read_csv(path / "学校.csv", encoding=demo._CSV_ENCODING, usecols=["学校标识码"])
    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    print(f"已生成合成演示数据 (demo data written): {path}  学校 {len(schools)} 所，"
          f"随机种子 {seed}，规模倍数 {scale:g}，共 {size / 1e6:.1f} MB")
    return 0


def cli_reports(
    data: Path,
    *,
    year: int | None = None,
    townships: list[str] | None = None,
    workers: int = 2,
    out: Path | None = None,
    dask_address: str | None = None,
    township_notebook: str | Path = reports.TOWNSHIP_NOTEBOOK,
    county_notebook: str | Path = reports.COUNTY_NOTEBOOK,
    reuse_kernel: bool = True,
    progress: bool = True,
    replace: bool = False,
    as_of: dt.date | str | None = None,
) -> int:
    """``jxedu reports``: render the PDF reports; print the summary; 1 if any report failed.

    Parameters
    ----------
    data
        Data set path.
    year, townships, out, township_notebook, county_notebook
        As :func:`plan_reports`.
    workers, dask_address, reuse_kernel, progress, replace
        As :func:`run_jobs`.
    as_of
        The date the reports count overdue items from: set as ``$JXEDU_AS_OF`` for the report kernels
        (:func:`jxedu.analysis.deadlines.as_of_date`; default: the variable as it is, else today).

    Returns
    -------
    int
        Exit code: 0 when every report was written, 1 otherwise.
    """
    previous = os.environ.get(deadlines.AS_OF_ENV)
    if as_of is not None:
        os.environ[deadlines.AS_OF_ENV] = f"{deadlines.as_of_date(as_of):%Y-%m-%d}"  # read by every report kernel
    try:
        jobs = reports.plan_reports(data, year=year, townships=townships, out=out,
                                    township_notebook=township_notebook, county_notebook=county_notebook)
        notes: list[str] = []
        with reports.batch_assessment(jobs):  # the county computed once, every report filters it
            results = reports.run_jobs(jobs, workers=workers, dask_address=dask_address, reuse_kernel=reuse_kernel,
                                       progress=progress, replace=replace, notes=notes)
    finally:
        if as_of is not None and previous is None:
            os.environ.pop(deadlines.AS_OF_ENV, None)
        elif as_of is not None:
            os.environ[deadlines.AS_OF_ENV] = previous
    print("\n".join([*(f"注意 (note): {n}" for n in notes), reports.format_summary(results)]))
    return 0 if all(r.ok for r in results) else 1


def cli_notebooks(data: Path, *, year: int | None = None, out: Path | None = None, workers: int = 2,
                  replace: bool = False, scenario: Path | None = None) -> int:
    """``jxedu notebooks``: execute every analysis notebook; exit 1 if any failed (``scenario``: the
    layout-scenario file of notebook 06, see :func:`jxedu.publish.reports.plan_notebooks`)."""
    jobs = reports.plan_notebooks(data, year=year, out=out, scenario=scenario)
    # the analysis notebooks differ from each other: each gets a fresh kernel
    notes: list[str] = []
    results = reports.run_jobs(jobs, workers=workers, reuse_kernel=False, replace=replace, notes=notes)
    print("\n".join([*(f"注意 (note): {n}" for n in notes), reports.format_summary(results)]))
    return 0 if all(r.ok for r in results) else 1
