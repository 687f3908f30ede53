"""The ``jxedu`` command line.

Each command is a thin wrapper: it parses options and calls one function of the package that does
the work and returns the exit code. Errors jxedu raises on purpose (:class:`jxedu.JxeduError`) are
printed in Chinese without a traceback, exit code 2.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from jxedu.core.errors import JxeduError

app = typer.Typer(
    name="jxedu",
    help="jxedu：县域义务教育优质均衡发展规划工作台 (planning workbench for quality-balanced compulsory education).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _friendly(fn):
    """Run a command; print JxeduError messages without a traceback (exit 2)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            code = fn(*args, **kwargs)
        except JxeduError as exc:
            typer.echo(f"错误 (error): {exc}", err=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            typer.echo("已中断 (interrupted)", err=True)
            raise typer.Exit(130) from None
        raise typer.Exit(int(code or 0))

    return wrapper


@app.callback()
def _options(
    settings: Annotated[
        Optional[Path],
        typer.Option("--settings", help="设置文件 YAML（教学点人数下限、步行距离等；见 jxedu/core/settings.py）"),
    ] = None,
) -> None:
    """jxedu：县域义务教育优质均衡发展规划工作台 (planning workbench for quality-balanced compulsory education)."""
    if settings is None:
        return
    from jxedu.core.settings import SETTINGS_ENV, get_settings

    try:
        get_settings(path=settings)
    except JxeduError as exc:
        typer.echo(f"错误 (error): {exc}", err=True)
        raise typer.Exit(2) from None
    os.environ[SETTINGS_ENV] = str(settings.resolve())


DataArg = Annotated[Path, typer.Argument(help="数据集：Excel 工作簿或文件夹 (data set: workbook or folder)")]
YearOpt = Annotated[Optional[int], typer.Option("--year", help="学年（起始年份，如 2024）；默认最新学年")]
AsOfOpt = Annotated[Optional[str], typer.Option(
    "--as-of", help="统计日期 YYYY-MM-DD：逾期天数与挂牌督导按此日期计算；默认今天（或环境变量 JXEDU_AS_OF）")]


@app.command()
@_friendly
def validate(
    path: DataArg,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出问题清单")] = False,
) -> int:
    """检查数据集，列出全部问题 (validate a data set; exit 1 on errors, 0 on warnings only)."""
    import jxedu.cli.commands as commands  # imported on use: `jxedu --help` stays fast

    return commands.cli_validate(path, as_json=as_json)


@app.command("demo-data")
@_friendly
def demo_data(
    out: Annotated[Path, typer.Argument(help="输出文件夹 (output folder)")],
    seed: Annotated[int, typer.Option(help="随机种子 (random seed)")] = 370828,
    scale: Annotated[float, typer.Option(help="规模倍数，1 = 金乡县 (scale; 1 = one county)")] = 1.0,
) -> int:
    """生成合成的金乡县演示数据 (write the synthetic demo data set)."""
    import jxedu.cli.commands as commands  # imported on use: `jxedu --help` stays fast

    return commands.cli_demo_data(out, seed=seed, scale=scale)


@app.command()
@_friendly
def indicators(
    data: DataArg,
    year: YearOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（供外部工具使用）")] = False,
) -> int:
    """计算资源配置指标与差异系数 (compute the 2017 resource indicators and CVs)."""
    import jxedu.cli.commands as commands  # imported on use: `jxedu --help` stays fast

    return commands.cli_indicators(data, year=year, as_json=as_json)


@app.command()
@_friendly
def ledger(
    data: DataArg,
    out: Annotated[Path, typer.Option("--out", help="台账 Excel 文件 (ledger .xlsx)")],
    year: YearOpt = None,
    as_of: AsOfOpt = None,
) -> int:
    """导出或更新销号管理台账 (export or update the progress ledger)."""
    import jxedu.cli.commands as commands  # imported on use: `jxedu --help` stays fast

    return commands.cli_ledger(data, year=year, out=out, as_of=as_of)


@app.command()
@_friendly
def scenario(
    data: DataArg,
    files: Annotated[list[Path], typer.Argument(
        help="方案文件 YAML，1 至 5 个 (scenario files, see data/scenarios/README.md)")],
    year: YearOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出对比结果")] = False,
    pdf: Annotated[Optional[Path], typer.Option("--pdf", help="写出方案比选 PDF (write the comparison PDF)")] = None,
    rezone: Annotated[bool, typer.Option("--rezone", help="全县重新划片（所有学生重新分配），替代方案文件中的设置")] = False,
) -> int:
    """评估布局调整方案并与现状对比；多个方案并列比选 (evaluate scenarios against the baseline)."""
    import jxedu.cli.commands as commands  # imported on use: `jxedu --help` stays fast

    return commands.cli_scenario(data, files, year=year, as_json=as_json, pdf=pdf, rezone=True if rezone else None)


@app.command()
@_friendly
def explorer(
    data: Annotated[Optional[Path], typer.Argument(help="数据集（默认合成演示数据）")] = None,
    port: Annotated[int, typer.Option("--port", help="端口 (port)")] = 8866,
    ip: Annotated[str, typer.Option("--ip", help="监听地址；0.0.0.0 让局域网内的同事也能打开")] = "127.0.0.1",
) -> int:
    """以网页提供布局调整方案探索器（Voilà，离线）(serve the scenario explorer as a web page)."""
    import jxedu.cli.commands as commands  # imported on use: `jxedu --help` stays fast

    return commands.cli_explorer(data, port=port, ip=ip)


@app.command()
@_friendly
def reports(
    data: DataArg,
    year: YearOpt = None,
    township: Annotated[Optional[list[str]], typer.Option("--township", help="只生成这些镇街（可重复；写 全县 即全县汇总）")] = None,
    workers: Annotated[int, typer.Option("--workers", help="并行进程数")] = 2,
    out: Annotated[Optional[Path], typer.Option("--out", help="输出文件夹，默认 reports/")] = None,
    dask: Annotated[Optional[str], typer.Option("--dask", help="Dask 集群地址 (scheduler address)")] = None,
    fresh_kernels: Annotated[
        bool, typer.Option("--fresh-kernels", help="每份报告启动新内核（较慢，便于排查问题）")
    ] = False,
    replace: Annotated[
        bool, typer.Option("--replace", help="输出文件夹中已有另一份数据（或设置）的报告时，先删除它们再生成")
    ] = False,
    as_of: AsOfOpt = None,
) -> int:
    """批量生成各镇街与全县 PDF 报告 (render the PDF reports)."""
    import jxedu.cli.commands as commands  # imported on use: `jxedu --help` stays fast

    return commands.cli_reports(data, year=year, townships=township, workers=workers, out=out, dask_address=dask,
                       reuse_kernel=not fresh_kernels, replace=replace, as_of=as_of)


@app.command()
@_friendly
def notebooks(
    data: DataArg,
    year: YearOpt = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="输出文件夹，默认 reports/<学年>/notebooks")] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="输出文件夹中已有另一份数据（或设置）的笔记本时，先删除它们再执行")
    ] = False,
    scenario: Annotated[
        Optional[Path], typer.Option("--scenario", help="布局调整方案文件 YAML（笔记本 06；默认关闭在校生最少的教学点）")
    ] = None,
) -> int:
    """执行全部分析笔记本 (execute every analysis notebook on a data set)."""
    import jxedu.cli.commands as commands  # imported on use: `jxedu --help` stays fast

    return commands.cli_notebooks(data, year=year, out=out, replace=replace, scenario=scenario)


def main() -> None:  # pragma: no cover - console entry point
    """Console entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
