"""Batch reports: one PDF per 镇街 and one for the county, from parameterised notebooks.

For each report the pipeline is: papermill executes the report notebook with its parameters →
nbconvert renders HTML without code or prompts → WeasyPrint writes an A4 PDF with page numbers, a
header naming the 镇街 and the year, and the CJK font embedded. Output names are predictable::

    reports/<year>/<镇街>.pdf    (+ .html and the executed .ipynb beside it)
    reports/<year>/全县.pdf

Each file appears whole or not at all (rendered in a temporary folder, then moved with
``os.replace``). Jobs run in a bounded process pool (or on a Dask cluster); one failing 镇街 does not
stop the others, and the summary names each failure with its cell and error.

Speed: by default each worker keeps **one kernel** for all its reports (:class:`KernelSession`):
papermill's parameter injection, nbclient execution, the namespace cleared between notebooks. The
kernel start, the imports, reading the data set and the county-wide analyses are then paid once per
worker instead of once per report (``bench/reports.py``: about 3.5× faster than a loop of the
``papermill``, ``jupyter nbconvert`` and ``weasyprint`` commands on the demo data).
``reuse_kernel=False`` runs every report in a fresh papermill kernel.

Known papermill pitfalls handled here: kernel port races when many kernels start at once (reused
kernels talk over IPC sockets, not TCP ports; a job whose kernel fails to start is retried once) and
``cwd`` not being thread-safe (every path passed is absolute; ``cwd`` is never changed).

Cells tagged ``report-skip`` (instructions for JupyterLab users, nbval check cells) are left out of
the HTML and PDF, and so is anything written to stderr.
"""

from __future__ import annotations

import atexit
import contextlib
import html
import os
import re
import shutil
import tempfile
import threading
import time
import traceback
import unicodedata
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from jxedu.core.config import NOTEBOOKS_DIR, PACKAGE_DIR, REPORTS_DIR
from jxedu.core.errors import ReportError
from jxedu.core.tempfiles import remove_stale, temp_dir
from jxedu.core.vocabulary import COUNTY, SYNTHETIC_MARK
from jxedu.present.escape import css_string, title_text

#: Report notebooks.
TOWNSHIP_NOTEBOOK = NOTEBOOKS_DIR / "township_report.ipynb"
COUNTY_NOTEBOOK = NOTEBOOKS_DIR / "county_report.ipynb"
#: File stem of the county summary.
COUNTY_STEM = COUNTY  # the county summary is 全县.pdf
#: Stylesheet of the PDF reports.
REPORT_CSS = PACKAGE_DIR / "data" / "report.css"
#: Cell tag of notebook cells left out of the PDF (instructions, check cells).
SKIP_TAG = "report-skip"
#: Kernel used to execute notebooks.
KERNEL_NAME = "python3"
#: Seconds papermill waits for a kernel to start.
KERNEL_START_TIMEOUT = 120  # seconds
#: Sub-folder of the output folder that keeps the executed notebooks of failed reports.
FAILED_DIR = "_failed"
#: Reports per Dask task (one kernel runs them one after the other).
DASK_BATCH = 8  # reports
#: Seconds a single cell may run.
CELL_TIMEOUT = 600  # seconds
#: How many times a job whose kernel failed to start is tried again.
KERNEL_RETRIES = 1
#: Start of the name of a report's temporary folder (one left by a killed batch is removed by the next).
TEMP_PREFIX = ".tmp-"
#: The output folder's manifest: which data set (fingerprint) and settings its reports come from.
MANIFEST_NAME = ".jxedu-manifest.json"
MANIFEST_FORMAT = 1


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
    cell_source: str = ""
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
    township_notebook: str | Path = TOWNSHIP_NOTEBOOK,
    county_notebook: str | Path = COUNTY_NOTEBOOK,
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
        included when all 镇街 are rendered or when ``全县`` is among the names (``["全县"]``: the
        county summary alone).
    out
        Output root (default ``reports/``); files go to ``<out>/<year>/``.
    county
        Include the county summary.
    township_notebook, county_notebook
        The report notebooks (default: the project's own).

    Returns
    -------
    list of ReportJob
    """
    import jxedu

    data = Path(data).resolve()
    ds = jxedu.load(data)
    year = ds.year_or_latest(year)
    known = ds.townships_list
    forced_county = bool(townships) and COUNTY in townships
    if forced_county:  # ``--township 全县``: the county summary, alone or beside the 镇街 named
        townships = [t for t in townships if t != COUNTY]
        names = []
    if townships:
        unknown = [t for t in townships if t not in known]
        if unknown:
            raise ReportError(
                f"数据中没有这些镇街 (unknown_township): {'、'.join(unknown)}；可用：{'、'.join(known)}"
            )
        names = [t for t in known if t in set(townships)]
        county = county and (len(names) == len(known) or forced_county)
    elif not forced_county:
        names = known
    out_dir = (Path(out) if out else REPORTS_DIR).resolve() / str(year)
    county_name = ds.county_name
    mark = f" · {SYNTHETIC_MARK}" if ds.synthetic else ""  # on every page of a report made from synthetic data
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
                notebook=Path(township_notebook).resolve(),
                parameters={"data_dir": str(data), "year": year, "township": name},
                out_dir=out_dir,
                stem=stem,
                header=f"{county_name} · {name} · {year}学年 义务教育优质均衡发展监测报告{mark}",
            )
        )
    if county:
        jobs.append(
            ReportJob(
                title=COUNTY_STEM,
                notebook=Path(county_notebook).resolve(),
                parameters={"data_dir": str(data), "year": year},
                out_dir=out_dir,
                stem=COUNTY_STEM,
                header=f"{county_name} · 全县汇总 · {year}学年 义务教育优质均衡发展监测报告{mark}",
            )
        )
    return jobs


@contextlib.contextmanager
def batch_assessment(jobs: list[ReportJob]):
    """Compute the county once for a batch of reports: every report kernel then loads it and filters.

    The assessment of the jobs' data set and year is computed in this process
    (:meth:`jxedu.analysis.assessment.Assessment.compute_all`), pickled into the output folder, and
    named by the environment variable :data:`jxedu.publish.sections.ASSESSMENT_ENV`, which the worker
    processes and their kernels inherit (:func:`jxedu.publish.sections.open_assessment` loads it when
    its data and year match). The file is removed when the batch ends, whatever happens.

    Parameters
    ----------
    jobs
        The batch (:func:`plan_reports`); jobs of several data sets or years share nothing.
    """
    import pickle

    from jxedu.publish import sections

    keys = {(j.parameters.get("data_dir"), j.parameters.get("year")) for j in jobs}
    if len(keys) != 1 or not jobs:
        yield None
        return
    (data_dir, year), = keys
    key = sections.batch_assessment_key(data_dir, year=year)
    a = sections.open_assessment(data_dir, year=year).compute_all()
    fd, tmp = tempfile.mkstemp(prefix="jxedu-assessment-", suffix=".pkl")  # private to this user (0600)
    previous = os.environ.get(sections.ASSESSMENT_ENV)
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump((key, a), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.environ[sections.ASSESSMENT_ENV] = tmp
        yield Path(tmp)
    finally:
        if previous is None:
            os.environ.pop(sections.ASSESSMENT_ENV, None)
        else:
            os.environ[sections.ASSESSMENT_ENV] = previous
        Path(tmp).unlink(missing_ok=True)


def plan_notebooks(data: str | Path, *, year: int | None = None, out: str | Path | None = None,
                   scenario: str | Path | None = None) -> list[ReportJob]:
    """List the analysis notebooks (``notebooks/0*.ipynb``) to execute on a data set.

    Outputs go to ``<out>/<year>/notebooks/<name>.ipynb`` (no PDF). ``scenario``: a scenario file
    (YAML) for the notebooks with a ``scenario`` parameter (06: layout scenarios); checked here, so a
    broken file is reported with its line before any notebook runs. ``None``: each notebook's default
    (06 closes the smallest 教学点 of the data).
    """
    import jxedu
    from jxedu.planning.scenario_file import load_scenario

    data = Path(data).resolve()
    ds = jxedu.load(data)
    year = ds.year_or_latest(year)
    out_dir = (Path(out) if out else REPORTS_DIR / str(year) / "notebooks").resolve()
    if scenario is not None:
        found = load_scenario(scenario).source  # the file (a bare name is looked up in data/scenarios/)
        scenario = str(Path(found).resolve()) if found is not None else str(scenario)
    jobs = []
    for nb in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")):
        params = {"data_dir": str(data), "year": year, **({"scenario": scenario} if scenario is not None else {})}
        jobs.append(ReportJob(title=nb.stem, notebook=nb.resolve(), parameters=params, out_dir=out_dir,
                              stem=nb.stem, pdf=False))
    return jobs


# -- one job ------------------------------------------------------------------------------------


def _notebook_parameters(notebook: Path) -> set[str]:
    """Names defined in the notebook's ``parameters`` cell (papermill warns on unknown ones)."""
    import papermill

    return set(papermill.inspect_notebook(str(notebook)))


class _CellFailed(Exception):
    """A notebook cell raised: error name and value, code-cell number (1-based) and cell index."""

    def __init__(self, ename: str, evalue: str, cell: int | None, source: str = ""):
        super().__init__(f"{ename}: {evalue}")
        self.ename, self.evalue, self.cell, self.source = ename, evalue, cell, source


def _is_kernel_start_failure(exc: BaseException) -> bool:
    if isinstance(exc, _CellFailed):
        return False
    text = f"{type(exc).__name__}: {exc}"
    return any(
        key in text
        for key in ("Kernel died", "kernel_info", "Address already in use", "ZMQError", "TimeoutError",
                    "Kernel didn't respond", "DeadKernelError", "RuntimeError: Kernel")
    )


def _execute(job: ReportJob, target: Path) -> None:
    """Execute with papermill in a fresh kernel (the plain path, ``reuse_kernel=False``)."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    known = _notebook_parameters(job.notebook)
    params = {k: v for k, v in job.parameters.items() if k in known}
    try:
        papermill.execute_notebook(
            str(job.notebook),
            str(target),
            parameters=params,
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            start_timeout=KERNEL_START_TIMEOUT,
            cwd=None,
        )
    except PapermillExecutionError as exc:
        raise _CellFailed(exc.ename, exc.evalue, exc.exec_count or exc.cell_index, exc.source or "") from None
    nb = nbformat.read(str(target), as_version=4)
    _readable_parameters(nb, params)
    nbformat.write(nb, str(target))


def _readable_parameters(nb, params: dict) -> None:
    """Write the injected parameters cell with Python literals (papermill escapes 金乡街道 as
    ``\\u91d1…``; a planner opening the executed notebook should read the name)."""
    lines = ["# Parameters"] + [f"{k} = {v!r}" for k, v in params.items()]
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = "\n".join(lines) + "\n"


class KernelSession:
    """One Jupyter kernel that executes report notebooks one after the other.

    Starting a kernel, importing jxedu and its libraries and loading the data set take most of
    the time of a small report; a worker that renders many reports keeps one kernel and runs each
    notebook in it after clearing the user namespace (``%reset -f``, all figures closed). The
    package's caches then survive between reports: the data set is read once
    (:func:`jxedu.publish.sections.open_report_data`, keyed on the files' sizes and times) and the
    county-wide analyses (indicators, coverage, ledger, projections) are computed once per data
    set and year. The kernel uses IPC sockets (no TCP ports, so no port races between workers)
    and is restarted after it dies.
    """

    def __init__(self, *, cwd: Path | None = None, kernel_name: str = KERNEL_NAME):
        self.cwd = cwd
        self.kernel_name = kernel_name
        self.km = None
        self._sockets: Path | None = None
        self.reports = 0

    # -- lifetime
    def start(self) -> None:
        """Start the kernel (if not running) and connect to it."""
        from jupyter_client import KernelManager

        if self.km is not None and self.km.is_alive():
            return
        self.shutdown()
        # IPC sockets live in a private folder; an absolute prefix, since the kernel's cwd differs
        self._sockets = Path(tempfile.mkdtemp(prefix="jxedu-kernel-"))
        km = KernelManager(kernel_name=self.kernel_name, transport="ipc", ip=str(self._sockets / "k"))
        env = dict(os.environ)
        env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
        env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        km.start_kernel(cwd=str(self.cwd or NOTEBOOKS_DIR), env=env)
        self.km = km
        self.reports = 0
        kc = self._client()  # fails here (and is retried) when the kernel does not come up
        kc.stop_channels()

    def _client(self):
        """A new client of the running kernel, ready. (A client that nbclient has driven is not
        reliable afterwards, so every notebook gets its own.)"""
        kc = self.km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=KERNEL_START_TIMEOUT)
        except RuntimeError:
            kc.stop_channels()
            self.shutdown()
            raise
        return kc

    def shutdown(self) -> None:
        """Stop the kernel (idempotent)."""
        if self.km is not None and self.km.has_kernel:
            self.km.shutdown_kernel(now=True)
        if self._sockets is not None:
            shutil.rmtree(self._sockets, ignore_errors=True)
        self.km = self._sockets = None

    @staticmethod
    def _reset(kc) -> None:
        code = ("get_ipython().run_line_magic('reset', '-f')\n"
                "import matplotlib.pyplot as _plt; _plt.close('all'); del _plt")
        reply = kc.execute_interactive(code, store_history=False, timeout=60, output_hook=lambda msg: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"Kernel reset failed: {reply['content'].get('evalue')}")

    # -- one notebook
    def execute(self, job: ReportJob, target: Path) -> None:
        """Execute ``job.notebook`` with its parameters; write the executed notebook to ``target``.

        Raises
        ------
        _CellFailed
            When a cell raises (the executed notebook, with the error, is written first).
        """
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, DeadKernelError
        from papermill.iorw import load_notebook_node
        from papermill.parameterize import parameterize_notebook

        self.start()
        kc = self._client()
        try:
            if self.reports:
                self._reset(kc)
            nb = load_notebook_node(str(job.notebook))  # papermill's reader: adds the metadata it needs
            known = _notebook_parameters(job.notebook)
            params = {k: v for k, v in job.parameters.items() if k in known}
            nb = parameterize_notebook(nb, params, kernel_name=self.kernel_name, language="python")
            _readable_parameters(nb, params)
            client = NotebookClient(nb, km=self.km, kernel_name=self.kernel_name,
                                    timeout=CELL_TIMEOUT, allow_errors=False,
                                    resources={"metadata": {"path": str(job.notebook.parent)}})
            client.kc = kc  # our client: nbclient must not create (and leak) one per notebook
            self.reports += 1
            try:
                client.execute()
            except CellExecutionError as exc:
                nbformat.write(nb, str(target))
                raise _CellFailed(exc.ename, exc.evalue, *_failed_cell(nb)) from None
            except DeadKernelError:
                nbformat.write(nb, str(target))
                self.shutdown()
                raise
            nbformat.write(nb, str(target))
        finally:
            kc.stop_channels()


def _failed_cell(nb) -> tuple[int | None, str]:
    """Execution number and source of the first code cell with an error output."""
    for cell in nb.cells:
        if cell.cell_type == "code" and any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return cell.get("execution_count"), cell.source
    return None, ""


_local = threading.local()
_all_sessions: list[KernelSession] = []


def _session() -> KernelSession:
    """This thread's kernel session (created on first use, stopped at exit of the process)."""
    sess = getattr(_local, "session", None)
    if sess is None:
        sess = KernelSession()
        _local.session = sess
        _all_sessions.append(sess)
    return sess


def shutdown_sessions() -> None:
    """Stop every kernel this process keeps for reuse."""
    while _all_sessions:
        _all_sessions.pop().shutdown()
    _local.__dict__.pop("session", None)


atexit.register(shutdown_sessions)


def notebook_to_html(notebook: Path, *, title: str, header: str = "") -> str:
    """Render an executed notebook as a standalone HTML page without code or prompts.

    The page is the cells' outputs in order — the report sections are HTML already (escaped where
    they carry data), images are inline data URIs, plain text is escaped into ``<pre>`` — so no
    template engine is needed; cells tagged ``report-skip`` (instructions, check cells) and stderr
    are left out.

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

    nb = nbformat.read(str(notebook), as_version=4)
    body = []
    for cell in nb.cells:
        if SKIP_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.cell_type == "markdown":
            body.append(_markdown_html(cell.source))
            continue
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            body.append(_output_html(out))
    css = REPORT_CSS.read_text(encoding="utf-8")
    # the title and the running header hold a 镇街 name from the data: escaped for their contexts
    header_css = f'@page {{ @top-center {{ content: "{css_string(" ".join(header.split()))}"; }} }}' if header else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        f"<title>{title_text(title)}</title><style>{css}\n{header_css}</style></head>"
        f"<body>{''.join(body)}</body></html>"
    )


def _output_html(out) -> str:
    """One cell output as HTML: its HTML, else its image, else its text (escaped)."""
    kind = out.get("output_type")
    if kind == "stream":
        return f"<pre>{html.escape(out.get('text', ''))}</pre>" if out.get("name") == "stdout" else ""
    if kind not in ("execute_result", "display_data"):
        return ""
    data = out.get("data", {})
    if "text/html" in data:
        value = data["text/html"]
        return "".join(value) if isinstance(value, list) else str(value)
    if "image/png" in data:
        return f'<img alt="" src="data:image/png;base64,{str(data["image/png"]).strip()}">'
    if "text/markdown" in data:
        return _markdown_html(str(data["text/markdown"]))
    if "text/plain" in data:
        return f"<pre>{html.escape(str(data['text/plain']))}</pre>"
    return ""


def _markdown_html(text: str) -> str:
    """A Markdown cell of a report notebook as HTML (headings and paragraphs; text escaped)."""
    parts = []
    for block in text.split("\n\n"):
        block = block.strip()
        if not block:
            continue
        level = len(block) - len(block.lstrip("#"))
        if 0 < level <= 4 and block[level:level + 1] == " ":
            parts.append(f"<h{level}>{html.escape(block[level + 1:].strip())}</h{level}>")
        else:
            parts.append(f"<p>{html.escape(block)}</p>")
    return "".join(parts)


def _offline_fetcher():
    """A WeasyPrint URL fetcher that allows only inline ``data:`` URLs (reports never reach the
    network or the file system)."""
    from weasyprint import urls

    if hasattr(urls, "URLFetcher"):  # WeasyPrint >= 68: fetcher objects
        return urls.URLFetcher(allowed_protocols=("data",))

    def fetch(url: str, *args, **kwargs):  # older WeasyPrint: a function
        if url.startswith("data:"):
            return urls.default_url_fetcher(url, *args, **kwargs)
        raise ValueError(f"external resource refused in report: {url[:80]}")

    return fetch


def html_to_pdf(html_text: str, target: Path) -> None:
    """Write an A4 PDF of an HTML report with WeasyPrint (CJK font embedded)."""
    from weasyprint import HTML

    HTML(string=html_text, url_fetcher=_offline_fetcher()).write_pdf(str(target))


def run_job(job: ReportJob, *, reuse_kernel: bool = False) -> JobResult:
    """Execute one job (and render its HTML and PDF); never raises (errors are in the result).

    Parameters
    ----------
    job
        The job.
    reuse_kernel
        Run the notebook in this thread's long-lived kernel (:class:`KernelSession`) instead of a
        fresh papermill kernel.

    Returns
    -------
    JobResult
    """
    start = time.perf_counter()
    job.out_dir.mkdir(parents=True, exist_ok=True)
    tmp = temp_dir(job.out_dir, f"{TEMP_PREFIX}{job.stem}-")
    attempts = 0
    try:
        executed = tmp / f"{job.stem}.ipynb"
        while True:
            attempts += 1
            try:
                if reuse_kernel:
                    _session().execute(job, executed)
                else:
                    _execute(job, executed)
                break
            except _CellFailed as exc:
                _keep_failed(job, executed)
                return JobResult(job, False, time.perf_counter() - start, error=f"{exc.ename}: {exc.evalue}",
                                 cell=exc.cell, cell_source=exc.source, attempts=attempts)
            except Exception as exc:  # noqa: BLE001 - a kernel that fails to start is retried once
                if attempts <= KERNEL_RETRIES and _is_kernel_start_failure(exc):
                    if reuse_kernel:
                        _session().shutdown()
                    time.sleep(1.0)
                    continue
                _keep_failed(job, executed)
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
        stale = job.out_dir / FAILED_DIR / f"{job.stem}.ipynb"
        stale.unlink(missing_ok=True)  # an earlier failure of this report is resolved
        return JobResult(job, True, time.perf_counter() - start, outputs=outputs, attempts=attempts)
    except Exception as exc:  # noqa: BLE001 - one failing report must not stop the others
        last = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        where = f" ({Path(last.filename).name}:{last.lineno})" if last else ""
        return JobResult(job, False, time.perf_counter() - start, error=f"{type(exc).__name__}: {exc}{where}",
                         attempts=attempts)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_batch(jobs: list[ReportJob], *, reuse_kernel: bool = True) -> list[JobResult]:
    """Run several jobs one after the other in this process (one kernel for all when reused).

    The kernel is stopped at the end, so a long-lived worker (a Dask worker) keeps no idle kernel.
    """
    try:
        return [run_job(job, reuse_kernel=reuse_kernel) for job in jobs]
    finally:
        if reuse_kernel:
            shutdown_sessions()


def _keep_failed(job: ReportJob, executed: Path) -> None:
    """Keep the executed notebook of a failed job under ``_failed/`` for diagnosis."""
    if executed.exists():
        failed = job.out_dir / FAILED_DIR
        failed.mkdir(exist_ok=True)
        os.replace(executed, failed / f"{job.stem}.ipynb")


# -- many jobs ----------------------------------------------------------------------------------


def run_jobs(
    jobs: list[ReportJob],
    *,
    workers: int = 2,
    dask_address=None,
    progress: bool = True,
    reuse_kernel: bool = True,
    replace: bool = False,
    notes: list[str] | None = None,
) -> list[JobResult]:
    """Run jobs in a bounded process pool (or on a Dask cluster), with a progress bar.

    Before the first job, each output folder is prepared (:func:`prepare_output`): temporaries of an
    interrupted batch are removed, and a folder holding reports of another data set (its manifest
    :data:`MANIFEST_NAME` says which) is refused unless ``replace``. After the last job the manifest
    lists the reports written.

    Parameters
    ----------
    jobs
        Jobs to run.
    workers
        Parallel processes (each runs one kernel at a time). ``1`` runs in this process.
    dask_address
        Address of an existing Dask scheduler (``tcp://host:8786``) or a ``distributed.Client``;
        when given, jobs run there (in tasks of :data:`DASK_BATCH` reports) instead of the local
        pool.
    progress
        Show a progress bar on stderr.
    reuse_kernel
        Each worker keeps one kernel for all its reports (:class:`KernelSession`; much faster);
        ``False`` starts a fresh papermill kernel per report.
    replace
        Remove the reports of another data set from the output folder instead of refusing.
    notes
        Receives Chinese notes on the output folder (leftovers removed, reports replaced).

    Returns
    -------
    list of JobResult
        In the order of ``jobs``.

    Raises
    ------
    ReportError
        ``workers`` below 1, or an output folder holding another data set's reports (without
        ``replace``).
    """
    from tqdm import tqdm

    if workers < 1:
        raise ReportError(f"并行进程数至少为 1 (bad_workers): {workers}")
    said = prepare_output(jobs, replace=replace)
    if notes is not None:
        notes.extend(said)
    results: dict[int, JobResult] = {}
    # The heaviest report (the county) first, so that it does not finish alone at the end.
    order = sorted(range(len(jobs)), key=lambda i: jobs[i].stem != COUNTY_STEM)
    pdf = any(job.pdf for job in jobs)
    bar = tqdm(total=len(jobs), desc="生成报告" if pdf else "执行笔记本", unit="份" if pdf else "个",
               disable=not progress, leave=True)
    try:
        if dask_address is not None:
            from distributed import Client
            from distributed import as_completed as dask_completed

            client = dask_address if isinstance(dask_address, Client) else Client(dask_address)
            try:
                batches = [order[k:k + DASK_BATCH] for k in range(0, len(order), DASK_BATCH)]
                futures = [client.submit(run_batch, [jobs[i] for i in b], reuse_kernel=reuse_kernel, pure=False)
                           for b in batches]
                index = {f.key: b for f, b in zip(futures, batches, strict=True)}
                for fut in dask_completed(futures):
                    for i, res in zip(index[fut.key], fut.result(), strict=True):
                        results[i] = res
                        bar.set_postfix_str(jobs[i].title)
                        bar.update()
            finally:
                if not isinstance(dask_address, Client):
                    client.close()
        elif workers == 1 or len(jobs) <= 1:
            try:
                for i in order:
                    bar.set_postfix_str(jobs[i].title)
                    results[i] = run_job(jobs[i], reuse_kernel=reuse_kernel)
                    bar.update()
            finally:
                shutdown_sessions()
        else:
            n = min(workers, len(jobs))
            with ProcessPoolExecutor(max_workers=n, mp_context=get_context("spawn")) as pool:
                futs = {pool.submit(run_job, jobs[i], reuse_kernel=reuse_kernel): i for i in order}
                for fut in as_completed(futs):
                    i = futs[fut]
                    results[i] = fut.result()
                    bar.set_postfix_str(jobs[i].title)
                    bar.update()
    finally:
        bar.close()
    done = [results[i] for i in range(len(jobs))]
    record_output(done)
    return done


# -- the output folder: leftovers and the manifest ------------------------------------------------


def _settings_fingerprint() -> str:
    import dataclasses
    import hashlib
    import json

    from jxedu.core.settings import get_settings

    text = json.dumps(dataclasses.asdict(get_settings()), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _origin(data: str | os.PathLike) -> dict:
    """What a batch's reports come from: the data set (path and fingerprint) and the settings."""
    from jxedu.ingest.reader import dataset_fingerprint

    return {"data": str(Path(data).resolve()), "fingerprint": dataset_fingerprint(data),
            "settings": _settings_fingerprint()}


def read_manifest(out_dir: str | os.PathLike) -> dict | None:
    """The manifest of an output folder, or ``None`` (absent or unreadable).

    Parameters
    ----------
    out_dir
        A folder ``<out>/<year>``.

    Returns
    -------
    dict or None
        ``data`` (path of the data set), ``fingerprint`` (:func:`jxedu.ingest.reader.dataset_fingerprint`),
        ``settings`` (fingerprint of the settings), ``outputs`` (report stem -> file names),
        ``updated`` (ISO time).
    """
    import json

    p = Path(out_dir) / MANIFEST_NAME
    try:
        man = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(man, dict) or man.get("format") != MANIFEST_FORMAT or not isinstance(man.get("outputs"), dict):
        return None
    return man


def _write_manifest(out_dir: Path, man: dict) -> None:
    import datetime as dt
    import json

    man = {**man, "format": MANIFEST_FORMAT, "updated": dt.datetime.now().isoformat(timespec="seconds")}
    tmp = out_dir / f"{MANIFEST_NAME}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(man, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, out_dir / MANIFEST_NAME)


def _by_folder(jobs: list[ReportJob]) -> dict[Path, list[ReportJob]]:
    groups: dict[Path, list[ReportJob]] = {}
    for job in jobs:
        groups.setdefault(job.out_dir, []).append(job)
    return groups


def prepare_output(jobs: list[ReportJob], *, replace: bool = False) -> list[str]:
    """Make each output folder of ``jobs`` ready: leftovers removed, another data set's reports refused.

    * Temporary folders ``.tmp-<stem>-…`` of an interrupted batch are removed
      (:func:`jxedu.core.tempfiles.remove_stale`).
    * The manifest says which data set and settings the folder's reports come from. The batch goes
      on when they are the same; when the same data set has changed and the batch rewrites every
      report of the folder; or with ``replace`` (the folder's reports are removed first). Otherwise
      new and old reports would mix silently: :class:`~jxedu.core.errors.ReportError`.
    * A folder with reports but no manifest (an older jxedu) gets a note.

    Parameters
    ----------
    jobs
        The batch (jobs without a ``data_dir`` parameter are not checked).
    replace
        Remove another data set's reports instead of refusing.

    Returns
    -------
    list of str
        Chinese notes for the planner.

    Raises
    ------
    ReportError
        The folder holds reports of another data set, or of other settings, that this batch would
        not all replace.
    """
    notes = []
    for out_dir, group in _by_folder(jobs).items():
        removed = remove_stale(out_dir, TEMP_PREFIX)
        if removed:
            notes.append(f"已删除上次中断留下的临时文件夹 {len(removed)} 个（{out_dir}）")
        data = group[0].parameters.get("data_dir")
        if data is None or not out_dir.is_dir():
            continue
        man = read_manifest(out_dir)
        if man is None:
            old = [f.name for f in out_dir.iterdir() if f.is_file() and f.suffix in (".pdf", ".html", ".ipynb")]
            if old:
                notes.append(f"输出文件夹中已有 {len(old)} 个来源不明的报告文件（{out_dir}）；同名的将被替换，"
                             "其余保留，请确认它们属于同一份数据")
            continue
        now = _origin(data)
        if (man.get("fingerprint"), man.get("settings")) == (now["fingerprint"], now["settings"]):
            continue
        stems_now = {j.stem for j in group}
        before = set(man["outputs"])
        same_data = man.get("data") == now["data"]
        what = ("设置不同" if man.get("fingerprint") == now["fingerprint"]
                else ("数据已修改" if same_data else f"来自另一份数据（{man.get('data')}）"))
        if not replace and not (same_data and before <= stems_now):
            left = "、".join(sorted(before - stems_now)[:5]) or "（无）"
            raise ReportError(
                f"输出文件夹中已有另一份数据或设置生成的报告 (output_other_data): {out_dir}：原有报告{what}，"
                f"生成于 {man.get('updated', '?')}；本次不会替换的原有报告：{left}。新旧报告会混在一起。"
                "请换一个输出文件夹（--out），或加 --replace 删除原有报告后重新生成。"
            )
        n = _remove_outputs(out_dir, man["outputs"])
        _write_manifest(out_dir, {**now, "outputs": {}})
        notes.append(f"输出文件夹中原有的报告{what}，已删除 {n} 个原有报告文件，全部重新生成（{out_dir}）")
    return notes


def _remove_outputs(out_dir: Path, outputs: dict) -> int:
    """Remove the files a manifest lists (only plain names inside ``out_dir``)."""
    n = 0
    for names in outputs.values():
        for name in names if isinstance(names, list) else []:
            p = out_dir / str(name)
            if p.parent == out_dir and p.name == str(name) and p.is_file():
                p.unlink()
                n += 1
    return n


def record_output(results: list[JobResult]) -> None:
    """Add the reports written by a batch to their folder's manifest (:data:`MANIFEST_NAME`)."""
    for out_dir, group in _by_folder([r.job for r in results]).items():
        data = group[0].parameters.get("data_dir")
        written = [r for r in results if r.job.out_dir == out_dir and r.ok]
        if data is None or not written or not out_dir.is_dir():
            continue
        now = _origin(data)
        man = read_manifest(out_dir)
        outputs = dict(man["outputs"]) if man is not None and man.get("fingerprint") == now["fingerprint"] else {}
        for r in written:
            outputs[r.job.stem] = [p.name for p in r.outputs]
        _write_manifest(out_dir, {**now, "outputs": outputs})


def format_summary(results: list[JobResult]) -> str:
    """Chinese summary of a batch: counts, output folder, and each failure with cell and error."""
    ok = [r for r in results if r.ok]
    bad = [r for r in results if not r.ok]
    lines = [f"完成 {len(ok)} 份，失败 {len(bad)} 份 (done {len(ok)}, failed {len(bad)})"]
    if ok:
        lines.append(f"输出文件夹 (output): {ok[0].job.out_dir}")
    for r in bad:
        cell = "执行前或渲染时"
        if r.cell is not None:
            first = next((ln.strip() for ln in r.cell_source.splitlines() if ln.strip() and not ln.startswith("#")), "")
            cell = f"第 {r.cell} 个代码单元格" + (f"（{first[:60]}）" if first else "")
        lines.append(f"  失败 (failed) {r.job.title}：{cell}出错 — {r.error}")
    if bad and any((r.job.out_dir / FAILED_DIR).exists() for r in bad):
        lines.append(f"  出错的笔记本保存在 (failed notebooks kept in): {bad[0].job.out_dir / FAILED_DIR}")
    return "\n".join(lines)


