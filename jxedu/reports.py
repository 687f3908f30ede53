"""Batch reports: one PDF per 镇街 and one for the county, from parameterised notebooks.

For each report the pipeline is: papermill executes the report notebook with its parameters →
nbconvert renders HTML without code or prompts → WeasyPrint writes an A4 PDF with page numbers, a
header naming the 镇街 and the year, and the CJK font embedded. Output names are predictable::

    reports/<year>/<镇街>.pdf    (+ .html and the executed .ipynb beside it)
    reports/<year>/全县.pdf

Each file appears whole or not at all (rendered in a temporary folder, then moved with
``os.replace``). Jobs run in a bounded process pool (or on a Dask cluster); one failing 镇街 does not
stop the others, and the summary names each failure with its cell and error.

Known papermill pitfalls handled here: kernel port races when many kernels start at once (a job whose
kernel fails to start is retried once) and ``cwd`` not being thread-safe (every path passed is
absolute; ``cwd`` is never changed).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import tempfile
import time
import traceback
import unicodedata
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from jxedu._errors import ReportError
from jxedu.config import COUNTY_NAME, NOTEBOOKS_DIR, PACKAGE_DIR, REPORTS_DIR

#: Report notebooks.
TOWNSHIP_NOTEBOOK = NOTEBOOKS_DIR / "township_report.ipynb"
COUNTY_NOTEBOOK = NOTEBOOKS_DIR / "county_report.ipynb"
#: File stem of the county summary.
COUNTY_STEM = "全县"
#: Stylesheet of the PDF reports.
REPORT_CSS = PACKAGE_DIR / "data" / "report.css"
#: Kernel used to execute notebooks.
KERNEL_NAME = "python3"
#: Seconds papermill waits for a kernel to start.
KERNEL_START_TIMEOUT = 120  # seconds
#: How many times a job whose kernel failed to start is tried again.
KERNEL_RETRIES = 1


@dataclass(frozen=True)
class ReportJob:
    """One notebook to execute (and, for reports, render to PDF).

    Attributes
    ----------
    title
        What the job is about, as shown to the planner (镇街 name, or 全县).
    notebook
        Absolute path of the notebook to execute.
    parameters
        papermill parameters.
    out_dir
        Absolute output folder.
    stem
        Safe file stem of the outputs.
    pdf
        Render HTML and PDF (reports) or only keep the executed notebook (analysis notebooks).
    header
        Text of the running header of the PDF pages.
    """

    title: str
    notebook: Path
    parameters: dict
    out_dir: Path
    stem: str
    pdf: bool = True
    header: str = ""


@dataclass
class JobResult:
    """Outcome of one job."""

    job: ReportJob
    ok: bool
    seconds: float
    outputs: list[Path] = field(default_factory=list)
    error: str | None = None
    cell: int | None = None
    attempts: int = 1


# -- names --------------------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def safe_stem(name: str) -> str:
    """Turn a name from the data into a file stem that cannot leave its folder.

    Path separators, control and reserved characters become ``_``; leading dots and spaces are
    removed; an empty result is an error.

    Parameters
    ----------
    name
        A 镇街 name as written in the data.

    Returns
    -------
    str

    Raises
    ------
    ReportError
        When nothing usable is left of the name.
    """
    stem = unicodedata.normalize("NFKC", str(name)).strip()
    stem = _UNSAFE.sub("_", stem)
    stem = stem.lstrip(". ")
    stem = stem[:100]
    if not stem or set(stem) <= {"_", "."}:
        raise ReportError(f"无法用作文件名的镇街名称 (unsafe_name): {name!r}")
    return stem


def _inside(folder: Path, stem: str, suffix: str) -> Path:
    path = (folder / f"{stem}{suffix}").resolve()
    if path.parent != folder.resolve():
        raise ReportError(f"输出路径越出输出文件夹 (path_escape): {stem!r}")
    return path


# -- planning -----------------------------------------------------------------------------------


def plan_reports(
    data: str | Path,
    *,
    year: int | None = None,
    townships: list[str] | None = None,
    out: str | Path | None = None,
    county: bool = True,
) -> list[ReportJob]:
    """List the report jobs for a data set: one per 镇街 (from the data) and the county.

    Parameters
    ----------
    data
        Data set path.
    year
        School year; ``None`` = the latest in the data.
    townships
        Only these 镇街 (each must exist in the data); ``None`` = all. The county summary is
        included only when all 镇街 are rendered, unless ``county`` is forced.
    out
        Output root (default ``reports/``); files go to ``<out>/<year>/``.
    county
        Include the county summary.

    Returns
    -------
    list of ReportJob
    """
    import jxedu

    data = Path(data).resolve()
    ds = jxedu.load(data)
    year = ds.year_or_latest(year)
    known = ds.townships_list
    if townships:
        unknown = [t for t in townships if t not in known]
        if unknown:
            raise ReportError(
                f"数据中没有这些镇街 (unknown_township): {'、'.join(unknown)}；可用：{'、'.join(known)}"
            )
        names = [t for t in known if t in set(townships)]
        county = county and len(names) == len(known)
    else:
        names = known
    out_dir = (Path(out) if out else REPORTS_DIR).resolve() / str(year)
    county_name = ds.meta.get("县名", COUNTY_NAME)
    jobs = []
    stems: set[str] = set()
    for name in names:
        stem = safe_stem(name)
        if stem in stems or stem == COUNTY_STEM:
            raise ReportError(f"两个镇街的文件名相同 (duplicate_name): {stem}")
        stems.add(stem)
        _inside(out_dir, stem, ".pdf")
        jobs.append(
            ReportJob(
                title=name,
                notebook=TOWNSHIP_NOTEBOOK,
                parameters={"data_dir": str(data), "year": year, "township": name},
                out_dir=out_dir,
                stem=stem,
                header=f"{county_name} · {name} · {year}学年 义务教育优质均衡发展监测报告",
            )
        )
    if county:
        jobs.append(
            ReportJob(
                title=COUNTY_STEM,
                notebook=COUNTY_NOTEBOOK,
                parameters={"data_dir": str(data), "year": year},
                out_dir=out_dir,
                stem=COUNTY_STEM,
                header=f"{county_name} · 全县汇总 · {year}学年 义务教育优质均衡发展监测报告",
            )
        )
    return jobs


def plan_notebooks(data: str | Path, *, year: int | None = None, out: str | Path | None = None) -> list[ReportJob]:
    """List the analysis notebooks (``notebooks/0*.ipynb``) to execute on a data set.

    Outputs go to ``<out>/<year>/notebooks/<name>.ipynb`` (no PDF).
    """
    import jxedu

    data = Path(data).resolve()
    ds = jxedu.load(data)
    year = ds.year_or_latest(year)
    out_dir = (Path(out) if out else REPORTS_DIR / str(year) / "notebooks").resolve()
    jobs = []
    for nb in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")):
        params = {"data_dir": str(data), "year": year}
        jobs.append(ReportJob(title=nb.stem, notebook=nb.resolve(), parameters=params, out_dir=out_dir,
                              stem=nb.stem, pdf=False))
    return jobs


# -- one job ------------------------------------------------------------------------------------


def _notebook_parameters(notebook: Path) -> set[str]:
    """Names defined in the notebook's ``parameters`` cell (papermill warns on unknown ones)."""
    import papermill

    return set(papermill.inspect_notebook(str(notebook)))


def _is_kernel_start_failure(exc: BaseException) -> bool:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return False
    text = f"{type(exc).__name__}: {exc}"
    return any(
        key in text
        for key in ("Kernel died", "kernel_info", "Address already in use", "ZMQError", "TimeoutError",
                    "Kernel didn't respond", "DeadKernelError")
    )


def _execute(job: ReportJob, target: Path) -> None:
    import papermill

    known = _notebook_parameters(job.notebook)
    params = {k: v for k, v in job.parameters.items() if k in known}
    papermill.execute_notebook(
        str(job.notebook),
        str(target),
        parameters=params,
        kernel_name=KERNEL_NAME,
        progress_bar=False,
        start_timeout=KERNEL_START_TIMEOUT,
        cwd=None,
    )


def notebook_to_html(notebook: Path, *, title: str, header: str = "") -> str:
    """Render an executed notebook as a standalone HTML page without code or prompts.

    Parameters
    ----------
    notebook
        Executed notebook.
    title
        Page title.
    header
        Running header text for the PDF pages.

    Returns
    -------
    str
        The HTML document (images inline as data URIs; no external resources).
    """
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(notebook), as_version=4)
    exporter = HTMLExporter(template_name="basic")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    # stream output (stdout/stderr prints) is not report content; warnings must not leak into PDFs
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if o.get("output_type") != "stream"
                            or o.get("name") == "stdout"]
    body, _ = exporter.from_notebook_node(nb)
    css = REPORT_CSS.read_text(encoding="utf-8")
    header_css = f'@page {{ @top-center {{ content: "{_css_string(header)}"; }} }}' if header else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>{css}\n{header_css}</style></head>"
        f"<body>{body}</body></html>"
    )


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _offline_fetcher(url: str, *args, **kwargs):
    """WeasyPrint URL fetcher that allows only inline data (reports never reach the network)."""
    from weasyprint import default_url_fetcher

    if url.startswith("data:"):
        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"external resource refused in report: {url[:80]}")


def html_to_pdf(html_text: str, target: Path) -> None:
    """Write an A4 PDF of an HTML report with WeasyPrint (CJK font embedded)."""
    from weasyprint import HTML

    HTML(string=html_text, url_fetcher=_offline_fetcher).write_pdf(str(target))


def run_job(job: ReportJob) -> JobResult:
    """Execute one job; never raises (errors are returned in the result).

    Parameters
    ----------
    job
        The job.

    Returns
    -------
    JobResult
    """
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    job.out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{job.stem}-", dir=job.out_dir))
    attempts = 0
    try:
        executed = tmp / f"{job.stem}.ipynb"
        while True:
            attempts += 1
            try:
                _execute(job, executed)
                break
            except PapermillExecutionError as exc:
                _keep_failed(job, executed)
                return JobResult(job, False, time.perf_counter() - start, error=f"{exc.ename}: {exc.evalue}",
                                 cell=exc.exec_count or exc.cell_index, attempts=attempts)
            except Exception as exc:  # noqa: BLE001 - a kernel that fails to start is retried once
                if attempts <= KERNEL_RETRIES and _is_kernel_start_failure(exc):
                    time.sleep(1.0)
                    continue
                return JobResult(job, False, time.perf_counter() - start,
                                 error=f"{type(exc).__name__}: {exc}", attempts=attempts)
        files = [executed]
        if job.pdf:
            html_text = notebook_to_html(executed, title=job.title, header=job.header)
            html_file = tmp / f"{job.stem}.html"
            html_file.write_text(html_text, encoding="utf-8")
            pdf_file = tmp / f"{job.stem}.pdf"
            html_to_pdf(html_text, pdf_file)
            files += [html_file, pdf_file]
        outputs = []
        for f in files:
            final = _inside(job.out_dir, job.stem, f.suffix)
            os.replace(f, final)
            outputs.append(final)
        return JobResult(job, True, time.perf_counter() - start, outputs=outputs, attempts=attempts)
    except Exception as exc:  # noqa: BLE001 - one failing report must not stop the others
        last = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        where = f" ({Path(last.filename).name}:{last.lineno})" if last else ""
        return JobResult(job, False, time.perf_counter() - start, error=f"{type(exc).__name__}: {exc}{where}",
                         attempts=attempts)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _keep_failed(job: ReportJob, executed: Path) -> None:
    """Keep the executed notebook of a failed job under ``_failed/`` for diagnosis."""
    if executed.exists():
        failed = job.out_dir / "_failed"
        failed.mkdir(exist_ok=True)
        os.replace(executed, failed / f"{job.stem}.ipynb")


# -- many jobs ----------------------------------------------------------------------------------


def run_jobs(
    jobs: list[ReportJob],
    *,
    workers: int = 2,
    dask_address: str | None = None,
    progress: bool = True,
) -> list[JobResult]:
    """Run jobs in a bounded process pool (or on a Dask cluster), with a progress bar.

    Parameters
    ----------
    jobs
        Jobs to run.
    workers
        Parallel processes (each runs one kernel at a time). ``1`` runs in this process.
    dask_address
        Address of an existing Dask scheduler (``tcp://host:8786``) or a ``distributed.Client``;
        when given, jobs run there instead of the local pool.
    progress
        Show a progress bar on stderr.

    Returns
    -------
    list of JobResult
        In the order of ``jobs``.
    """
    from tqdm import tqdm

    if workers < 1:
        raise ReportError(f"并行进程数至少为 1 (bad_workers): {workers}")
    results: dict[int, JobResult] = {}
    bar = tqdm(total=len(jobs), desc="生成报告", unit="份", disable=not progress, leave=True)
    try:
        if dask_address is not None:
            from distributed import Client, as_completed as dask_completed

            client = dask_address if isinstance(dask_address, Client) else Client(dask_address)
            futures = client.map(run_job, jobs, pure=False)
            index = {f.key: i for i, f in enumerate(futures)}
            for fut in dask_completed(futures):
                results[index[fut.key]] = fut.result()
                bar.set_postfix_str(jobs[index[fut.key]].title)
                bar.update()
            if not isinstance(dask_address, Client):
                client.close()
        elif workers == 1 or len(jobs) <= 1:
            for i, job in enumerate(jobs):
                bar.set_postfix_str(job.title)
                results[i] = run_job(job)
                bar.update()
        else:
            with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
                futs = {pool.submit(run_job, job): i for i, job in enumerate(jobs)}
                for fut in as_completed(futs):
                    i = futs[fut]
                    results[i] = fut.result()
                    bar.set_postfix_str(jobs[i].title)
                    bar.update()
    finally:
        bar.close()
    return [results[i] for i in range(len(jobs))]


def format_summary(results: list[JobResult]) -> str:
    """Chinese summary of a batch: counts, output folder, and each failure with cell and error."""
    ok = [r for r in results if r.ok]
    bad = [r for r in results if not r.ok]
    lines = [f"完成 {len(ok)} 份，失败 {len(bad)} 份 (done {len(ok)}, failed {len(bad)})"]
    if ok:
        lines.append(f"输出文件夹 (output): {ok[0].job.out_dir}")
    for r in bad:
        cell = f"第 {r.cell} 个代码单元格" if r.cell is not None else "执行前或渲染时"
        lines.append(f"  失败 (failed) {r.job.title}：{cell}出错 — {r.error}")
    if bad and any((r.job.out_dir / "_failed").exists() for r in bad):
        lines.append(f"  出错的笔记本保存在 (failed notebooks kept in): {bad[0].job.out_dir / '_failed'}")
    return "\n".join(lines)


def cli_reports(
    data: Path,
    *,
    year: int | None = None,
    townships: list[str] | None = None,
    workers: int = 2,
    out: Path | None = None,
    dask_address: str | None = None,
) -> int:
    """``jxedu reports``: render the PDF reports; exit 1 if any report failed."""
    jobs = plan_reports(data, year=year, townships=townships, out=out)
    results = run_jobs(jobs, workers=workers, dask_address=dask_address)
    print(format_summary(results))
    return 0 if all(r.ok for r in results) else 1


def cli_notebooks(data: Path, *, year: int | None = None, out: Path | None = None, workers: int = 2) -> int:
    """``jxedu notebooks``: execute every analysis notebook; exit 1 if any failed."""
    jobs = plan_notebooks(data, year=year, out=out)
    results = run_jobs(jobs, workers=workers)
    print(format_summary(results))
    return 0 if all(r.ok for r in results) else 1
