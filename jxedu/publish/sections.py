"""Sections of the PDF bulletins (定期通报): one function per section, returning display objects.

The report notebooks (``notebooks/township_report.ipynb``, ``notebooks/county_report.ipynb``) are a
sequence of calls into this module with Chinese prose between them, so every section looks the same
in JupyterLab and in the PDF that :mod:`jxedu.publish.reports` renders. Every function takes
``township=None`` for the county and a 镇街 name for that 镇街; every text a reader sees is Chinese.

The functions return :class:`IPython.display.HTML` (tables and text blocks, styled by
``jxedu/data/report.css``) or :class:`Figure` blocks (a PNG image with a caption, sized to the page
width); none returns a bare ``repr``. Numbers are rounded for display only (CV 3 decimals, means 2);
all comparisons are made by the analysis modules on unrounded values.

Only aggregates are shown: no teacher name, ID number or 教师编号 ever reaches a report.

Work done once per data set and year (indicators, shortfalls, coverage, ledger, projections) is
cached in :class:`ReportData`, so a notebook calling ten sections computes each input once.
"""

from __future__ import annotations

import base64
import io
import math
import os
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
from IPython.display import HTML

from jxedu.core import standards as std
from jxedu.core import vocabulary as vocab
from jxedu.core.config import COUNTY_NAME
from jxedu.core.dataset import Dataset
from jxedu.core.schema import COMPULSORY_STAGES, LABELS
from jxedu.present import indicators as show_indicators
from jxedu.present.escape import html_attr, html_text

__all__ = [
    "COUNTY_LABEL",
    "Figure",
    "ReportData",
    "bus_section",
    "class_size_section",
    "cv_table",
    "html_table",
    "headline",
    "key_figures",
    "layout_figure",
    "ledger_items",
    "open_report_data",
    "projection_figure",
    "report_data",
    "rotation_section",
    "school_table",
    "shortfall_table",
    "synthetic_notice",
    "title",
]

#: Name of the county scope in headings.
COUNTY_LABEL = "全县"
#: Width of report figures: the text width of an A4 page with 15 mm margins (180 mm).
FIGURE_WIDTH_IN = 7.0  # inches
#: Resolution of report figures.
FIGURE_DPI = 150  # dots per inch
#: Rows of long lists shown in a report (the rest is counted in a note).
MAX_ROWS = 25  # rows
#: Projection horizon of the class-size section.
PROJECTION_YEAR = 2030  # school year

_STAGES = COMPULSORY_STAGES
_NOTICE_STYLE = "border:2px solid #c0392b;color:#c0392b;padding:6px 10px;font-weight:bold;margin:6px 0"

#: Short Chinese column headers of the seven indicators (with units) for the school table.
INDICATOR_HEADERS: dict[str, str] = {
    "qualified_teachers_per_100": "高学历教师<br>人/百生",
    "backbone_teachers_per_100": "骨干教师<br>人/百生",
    "pe_art_teachers_per_100": "体艺教师<br>人/百生",
    "teaching_area_per_student": "生均用房<br>㎡",
    "sports_area_per_student": "生均场馆<br>㎡",
    "equipment_value_per_student": "生均设备<br>元",
    "multimedia_rooms_per_100": "多媒体教室<br>间/百生",
}
#: Display decimals of the seven indicators.
INDICATOR_DECIMALS: dict[str, int] = {
    "qualified_teachers_per_100": 2,
    "backbone_teachers_per_100": 2,
    "pe_art_teachers_per_100": 2,
    "teaching_area_per_student": 2,
    "sports_area_per_student": 2,
    "equipment_value_per_student": 0,
    "multimedia_rooms_per_100": 2,
}


# --- display objects ----------------------------------------------------------------------------


class Figure:
    """A matplotlib figure rendered once to PNG, shown as an image with a Chinese caption.

    The figure is closed after rendering, so notebooks show it once (not again through the inline
    backend), and the image is sized to the text width of the page (CSS class ``report-figure``).
    """

    def __init__(self, fig, *, caption: str = "", dpi: int = FIGURE_DPI):
        import matplotlib.pyplot as plt

        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
        plt.close(fig)
        self.png = buf.getvalue()
        self.caption = caption

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        cap = f"<figcaption>{html_text(self.caption)}</figcaption>" if self.caption else ""
        alt = html_attr(self.caption)
        return f'<figure class="report-figure"><img alt="{alt}" src="data:image/png;base64,{data}">{cap}</figure>'

    def __repr__(self) -> str:  # plain-text fallback, never a bare object repr
        return f"[图：{self.caption}]" if self.caption else "[图]"


def _esc(value: Any) -> str:
    """A value from the data as HTML text (:func:`jxedu.present.escape.html_text`); — when missing."""
    return html_text(value, missing="—")


def _fmt(value: Any, decimals: int = 0) -> str:
    """A number for display: thousands separators off (Chinese reports), fixed decimals, — for NaN."""
    if value is None or value is pd.NA:
        return "—"
    try:
        f = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(f):
        return "—"
    if decimals == 0:
        return f"{int(round(f))}"
    return f"{f:.{decimals}f}"


def _pct(value: float, decimals: int = 1) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value * 100:.{decimals}f}%"


def _status(ok: bool | None) -> str:
    if ok is None:
        return '<span class="status-na">—</span>'
    return '<span class="status-pass">达标</span>' if ok else '<span class="status-fail">未达标</span>'


def html_table(
    rows: list[list[str]],
    headers: list[str],
    *,
    css: str = "report-table",
    numeric: set[int] | None = None,
    nowrap: set[int] | None = None,
    raw: bool = True,
) -> str:
    """An HTML table from already formatted cells.

    Parameters
    ----------
    rows
        Cell texts; with ``raw`` they are inserted as they are (callers escape data with :func:`_esc`).
    headers
        Header texts (may hold ``<br>``).
    css
        Class of the ``<table>``.
    numeric
        Column positions aligned right.
    nowrap
        Column positions never wrapped (short words such as 学段).
    raw
        Cells are HTML already.
    """
    numeric = numeric or set()
    nowrap = nowrap or set()
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = []
    for r in rows:
        cells = []
        for i, c in enumerate(r):
            cls = ' class="num"' if i in numeric else (' class="nowrap"' if i in nowrap else "")
            cells.append(f"<td{cls}>{c if raw else _esc(c)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _frame_table(df: pd.DataFrame, *, numeric_from: int = 1, css: str = "report-table") -> str:
    """A display frame (Chinese headers, values already rounded) as an escaped HTML table."""
    rows = [[_esc(v) for v in row] for row in df.itertuples(index=False)]
    num = {i for i, c in enumerate(df.columns) if i >= numeric_from and pd.api.types.is_numeric_dtype(df[c])}
    return html_table(rows, [html_text(str(c)) for c in df.columns], css=css, numeric=num, nowrap={0})


def _note(text: str) -> str:
    return f'<p class="note">{html_text(text)}</p>'


def _more(n_total: int, n_shown: int, what: str) -> str:
    return _note(f"共 {n_total} {what}，此处列出前 {n_shown} 项；完整清单见台账（jxedu ledger）。") if n_total > n_shown else ""


# --- cached inputs ------------------------------------------------------------------------------


_DATASETS: dict[tuple, Dataset] = {}


def _signature(path: Path) -> tuple:
    """Path plus the size and modification time of every file under it (cache key)."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return (str(path),) + tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)


def open_report_data(data_dir: str | os.PathLike | None = None) -> Dataset:
    """Load the data set of a report notebook, once per process while its files are unchanged.

    A worker that renders many reports in one kernel (see :mod:`jxedu.publish.reports`) reads the data
    once; the cache key includes every file's size and modification time, so edited data are read
    again.

    Parameters
    ----------
    data_dir
        ``None`` for the demo data; otherwise a workbook or folder
        (:func:`jxedu.ingest.reader.resolve_data_dir`).

    Returns
    -------
    Dataset
    """
    from jxedu.ingest.reader import open_dataset, resolve_data_dir

    path = resolve_data_dir(data_dir)
    key = _signature(path)
    ds = _DATASETS.get(key)
    if ds is None:
        _DATASETS.clear()
        ds = open_dataset(path)
        _DATASETS[key] = ds
    return ds


@dataclass
class ReportData:
    """Inputs of the report sections for one data set and year: the assessment's measures."""

    ds: Dataset
    year: int
    _cache: dict = field(default_factory=dict)

    @property
    def assessment(self):
        from jxedu import assess

        return assess(self.ds, year=self.year)

    @property
    def indicators(self) -> pd.DataFrame:
        return self.assessment.indicators

    @property
    def balance(self) -> pd.DataFrame:
        return self.assessment.balance

    @property
    def shortfalls(self) -> pd.DataFrame:
        sf = self.assessment.shortfalls
        return sf.loc[~sf["unit_passes"].astype(bool)]

    @property
    def ledger(self) -> pd.DataFrame:
        from jxedu.publish import ledger

        if "ledger" not in self._cache:
            self._cache["ledger"] = ledger.build_ledger(self.assessment)
        return self._cache["ledger"]

    def coverage(self, stage: str) -> pd.DataFrame | None:
        """School-bus coverage of one stage (``None`` without 村居 or bus feed)."""
        a = self.assessment
        return None if a.missing("coverage") else a.coverage(stage)

    @property
    def projections(self) -> dict[str, pd.DataFrame] | None:
        a = self.assessment
        return None if a.missing("projections") else a.projections

    def units(self, township: str | None) -> pd.DataFrame:
        ind = self.indicators
        return ind if township is None else ind[ind["township"] == township]


_REPORT_DATA: dict[int, ReportData] = {}


def report_data(ds: Dataset, *, year: int | None = None) -> ReportData:
    """The cached :class:`ReportData` of a data set and year (``None`` = latest)."""
    y = ds.year_or_latest(year)
    key = id(ds)
    rd = _REPORT_DATA.get(key)
    if rd is None or rd.ds is not ds or rd.year != y:
        rd = ReportData(ds, y)
        _REPORT_DATA[key] = rd
        weakref.finalize(ds, _REPORT_DATA.pop, key, None)
    return rd


def _scope(township: str | None) -> str:
    return COUNTY_LABEL if township is None else township


def _county_name(ds: Dataset) -> str:
    return ds.meta.get("县名", COUNTY_NAME)


def _check_township(ds: Dataset, township: str | None) -> None:
    if township is not None:
        ds.subset_township(township)  # raises DataError naming the unknown 镇街


def _without_schools(ds: Dataset, township: str | None) -> bool:
    """Whether a named 镇街 has no school at all (its report shows notes instead of failing)."""
    return township is not None and not bool((ds.schools["township"] == township).any())


_NO_SCHOOLS_NOTE = "本镇街没有学校，此项不适用。"


# --- sections -----------------------------------------------------------------------------------


def title(ds: Dataset, *, year: int | None = None, township: str | None = None) -> HTML:
    """The title block: county, 镇街, school year, data source and date of the bulletin.

    Parameters
    ----------
    ds
        The data set.
    year
        School year (``None`` = latest).
    township
        镇街 name; ``None`` = county summary.

    Returns
    -------
    IPython.display.HTML
    """
    import datetime as dt

    _check_township(ds, township)
    y = ds.year_or_latest(year)
    county = _county_name(ds)
    scope = "全县汇总" if township is None else township
    source = Path(str(ds.source)).name
    return HTML(
        '<div class="report-title">'
        f'<div class="report-kicker">{html_text(county)}教育和体育局 · 义务教育优质均衡发展定期通报</div>'
        f"<h1>{html_text(scope)}义务教育优质均衡发展监测报告</h1>"
        f'<div class="report-meta">{y}学年 · 数据：{html_text(source)} · 生成日期：{dt.date.today():%Y年%m月%d日}</div>'
        "</div>"
    )


def synthetic_notice(ds: Dataset) -> HTML:
    """A red-bordered box when the data are the synthetic demo set (empty otherwise).

    Parameters
    ----------
    ds
        The data set.

    Returns
    -------
    IPython.display.HTML
    """
    if not ds.synthetic:
        return HTML("")
    # inline style as well, so that the box is red in JupyterLab too (report.css styles the PDF)
    return HTML(f'<div class="synthetic-notice" style="{_NOTICE_STYLE}">本报告使用合成演示数据，不代表金乡县真实情况</div>')


def _headline_rows(rd: ReportData, township: str | None) -> list[tuple[str, str, str, bool | None]]:
    """(item, current value, standard, met) rows of the headline box."""
    from jxedu.analysis import bus, classsize, rotation

    ds, y = rd.ds, rd.year
    sub = ds.subset_township(township)
    rows: list[tuple[str, str, str, bool | None]] = []
    ss = sub.stage_stats
    ss = ss[(ss["year"] == y) & ss["stage"].isin(_STAGES)]
    n_schools = ss["school_id"].nunique()
    students = {st: int(ss.loc[ss["stage"] == st, "students"].sum()) for st in _STAGES}
    rows.append(("学校（有义务教育学段）", f"{n_schools} 所", "—", None))
    rows.append(("义务教育在校生", f"{sum(students.values())} 人（小学 {students['primary']}，初中 {students['junior']}）",
                 "—", None))
    units = rd.units(township)
    for st in _STAGES:
        u = units[units["stage"] == st]
        if len(u):
            k = int(u["passes"].sum())
            rows.append((f"{LABELS[st]}资源配置达标", f"{k} / {len(u)} 所（{k / len(u):.0%}）", "全部达标", k == len(u)))
    if township is None:
        bal = rd.balance
        for st in _STAGES:
            b = bal[bal["stage"] == st]
            if len(b):
                worst = b.loc[b["cv"].idxmax()]
                limit = float(worst["cv_limit"])
                n_ok = int(b["within_limit"].sum())
                rows.append((f"{LABELS[st]}校际差异系数（最大）",
                             f"{worst['cv']:.3f}（{vocab.field(worst['key']).label}）；{n_ok}/{len(b)} 项达标",
                             f"≤ {limit:.2f}", bool(b["within_limit"].all())))
    if ds.classes is not None:
        s = classsize.class_size_summary(ds, year=y, by="township")
        s = s[s["township"] == _scope(township)] if township is not None else s[s["township"] == classsize.COUNTY_ROW]
        for st in _STAGES:
            r = s[s["stage"] == st]
            if len(r):
                over = int(r["over_cap"].iloc[0])
                cap = int(std.threshold("class_size_max", st))
                rows.append((f"{LABELS[st]}超过 {cap} 人的班级", f"{over} 个（共 {int(r['classes'].iloc[0])} 个班）",
                             "0 个", over == 0))
    if ds.rotations is not None and ds.teachers is not None:
        r = rotation.rotation_summary(ds, year=_rotation_year(ds, y), township=township).iloc[0]
        target = int(std.threshold("plan_rotations_per_year"))
        if township is None:
            rows.append(("城镇→乡村/薄弱学校交流轮岗", f"{int(r['toward_target'])} 人", f"≥ {target} 人/年",
                         bool(r["meets_target"])))
        else:
            rows.append(("派出交流轮岗教师", f"{int(r['rotated'])} 人（其中到乡村/薄弱学校 {int(r['toward_target'])} 人）",
                         f"全县 ≥ {target} 人/年", None))
        share_thr = std.threshold("rotation_share_of_eligible")
        rows.append(("交流轮岗占符合条件教师比例", _pct(float(r["rotation_share"])), f"≥ {share_thr:.0%}",
                     None if pd.isna(r["rotation_share"]) else bool(r["meets_rotation_share"])))
    for st in _STAGES:
        cov = rd.coverage(st)
        if cov is None:
            break
        c = cov if township is None else cov[cov["township"] == township]
        s = bus.coverage_summary(c, by=None).iloc[0]
        if s["beyond_pupils"] > 0:
            rows.append((f"{LABELS[st]}学龄儿童超出步行距离",
                         f"{int(s['beyond_pupils'])} 人，校车覆盖 {_pct(float(s['covered_share']))}",
                         "—", None))
    return rows


def _cap(stage: str) -> int:
    """Standard class size of a stage (students per class, from the standards table)."""
    return int(std.threshold("class_size_max", stage))


def _rotation_year(ds: Dataset, year: int) -> int:
    """The report year when the 交流轮岗 table has it, else its latest year."""
    years = sorted(int(v) for v in pd.to_numeric(ds.rotations["year"], errors="coerce").dropna().unique())
    return year if year in years or not years else years[-1]


def headline(ds: Dataset, *, year: int | None = None, township: str | None = None) -> HTML:
    """The headline box: key figures of the 镇街 (or county) against the standards.

    Rows: schools and pupils; units passing the seven resource indicators per stage; for the county
    the largest school-to-school CV per stage against its limit; classes over 45/50; teacher
    rotation against the 400 target and the 10 % ratio; pupils beyond walking distance and the
    share a school bus covers. Rows whose table is missing are left out.

    Parameters
    ----------
    ds
        The data set.
    year
        School year (``None`` = latest).
    township
        镇街 name; ``None`` = county.

    Returns
    -------
    IPython.display.HTML
    """
    _check_township(ds, township)
    rd = report_data(ds, year=year)
    rows = _headline_rows(rd, township)
    body = [[html_text(a), html_text(b), html_text(c), _status(d)] for a, b, c, d in rows]
    n_bad = sum(1 for r in rows if r[3] is False)
    verdict = ("各项可计算的指标均已达标。" if n_bad == 0 else f"有 {n_bad} 项未达到标准，见下文各节。")
    return HTML(
        '<div class="headline-box">'
        f'<div class="headline-title">{html_text(_scope(township))} · {rd.year}学年 关键数字</div>'
        + html_table(body, ["项目", "现状", "标准", "结论"], css="report-table headline-table")
        + f'<p class="headline-verdict">{html_text(verdict)}</p></div>'
    )


def key_figures(ds: Dataset, *, year: int | None = None, township: str | None = None) -> str:
    """The headline figures as plain Chinese text (for notebook check cells).

    Returns
    -------
    str
        One line per headline row: ``项目：现状（标准；结论）``.
    """
    _check_township(ds, township)
    rd = report_data(ds, year=year)
    lines = [f"{_scope(township)} {rd.year}学年"]
    for a, b, c, d in _headline_rows(rd, township):
        verdict = "" if d is None else ("；达标" if d else "；未达标")
        std_text = "" if c == "—" else f"（标准 {c}{verdict}）"
        lines.append(f"{a}：{b}{std_text}")
    return "\n".join(lines)


def school_table(
    ds: Dataset, *, year: int | None = None, township: str | None = None, only_failing: bool | None = None
) -> HTML:
    """The schools (school-stage units) with the seven indicator values and pass/fail.

    Values below the standard are marked; the last column says 达标/未达标 (CSS classes
    ``status-pass``/``status-fail``). For the county (``township=None``) the table lists the
    passing share per 镇街 followed by the failing units only.

    Parameters
    ----------
    ds
        The data set.
    year
        School year (``None`` = latest).
    township
        镇街 name; ``None`` = county.
    only_failing
        List only failing units (default: True for the county, False for a 镇街).

    Returns
    -------
    IPython.display.HTML
    """
    from jxedu.analysis import indicators

    _check_township(ds, township)
    rd = report_data(ds, year=year)
    units = rd.units(township)
    if only_failing is None:
        only_failing = township is None
    parts = []
    if township is None:
        towns = indicators.by_township(rd.indicators)
        rows = []
        for t, g in towns.groupby("township", sort=False):
            cells = [_esc(t)]
            for st in _STAGES:
                r = g[g["stage"] == st]
                if len(r):
                    r = r.iloc[0]
                    share = r["passing"] / r["units"]
                    cls = "status-pass" if r["failing"] == 0 else "status-fail"
                    cells.append(f'{int(r["passing"])}/{int(r["units"])}（<span class="{cls}">{share:.0%}</span>）')
                else:
                    cells.append("—")
            rows.append(cells)
        parts.append(html_table(rows, ["镇街", "小学达标/参评", "初中达标/参评"], numeric={1, 2}))
    shown = units[~units["passes"]] if only_failing else units
    if shown.empty:
        parts.append(_note("没有未达标的学校（学段）。" if only_failing else "没有参评学校（学段）。"))
        return HTML("".join(parts))
    headers = ["学校", "学段", *INDICATOR_HEADERS.values(), "达标<br>项数", "结论"]
    rows = []
    for _, r in shown.iterrows():
        where = "" if township is not None else f'<br><span class="small">{_esc(r["township"])}</span>'
        cells = [_esc(r["name"]) + where,
                 _esc(LABELS.get(r["stage"], r["stage"]))]
        for key in INDICATOR_HEADERS:
            txt = _fmt(r[key], INDICATOR_DECIMALS[key])
            cells.append(txt if bool(r[f"met_{key}"]) else f'<span class="below">{txt}</span>')
        cells.append(str(int(r["indicators_met"])))
        cells.append(_status(bool(r["passes"])))
        rows.append(cells)
    thr = std.resource_thresholds()
    std_row = ["<b>标准</b>", "小学/初中"] + [
        f"{_fmt(thr.loc[k, 'primary'], INDICATOR_DECIMALS[k] if INDICATOR_DECIMALS[k] == 0 else 1)}/"
        f"{_fmt(thr.loc[k, 'junior'], INDICATOR_DECIMALS[k] if INDICATOR_DECIMALS[k] == 0 else 1)}"
        for k in INDICATOR_HEADERS
    ] + [f"≥{int(std.threshold('pass_min_indicators'))}", ""]
    parts.append(html_table([std_row, *rows], headers, css="report-table school-table",
                            numeric=set(range(2, 2 + len(INDICATOR_HEADERS) + 1)), nowrap={1}))
    parts.append(_note("红色数值低于标准。达标：7 项中至少 6 项达到标准，且未达到的项不低于标准的 85%。"
                       "一贯制学校按学部分别参评，共用设施按加权学生数分摊。"))
    return HTML("".join(parts))


def cv_table(ds: Dataset, *, year: int | None = None) -> HTML:
    """The county's school-to-school CV of each indicator per stage against its limit.

    Parameters
    ----------
    ds
        The data set.
    year
        School year (``None`` = latest).

    Returns
    -------
    IPython.display.HTML
    """
    rd = report_data(ds, year=year)
    rows = []
    for _, r in rd.balance.iterrows():
        rows.append([_esc(LABELS.get(r["stage"], r["stage"])), _esc(vocab.field(r["key"]).label), _fmt(r["threshold"], 2),
                     _fmt(r["county_mean"], 2), _fmt(r["cv"], 3), _fmt(r["cv_limit"], 2),
                     _status(bool(r["within_limit"]))])
    return HTML(html_table(rows, ["学段", "指标", "标准值", "县域均值", "差异系数", "上限", "结论"], numeric={2, 3, 4, 5}))


def shortfall_table(ds: Dataset, *, year: int | None = None, township: str | None = None) -> HTML:
    """The least actions that make each failing unit pass, and their totals.

    For a 镇街: one row per action (school, stage, indicator, value, standard, action), then the
    totals of the 镇街. For the county: the totals per 镇街 (teachers, ㎡, 万元, rooms).

    Parameters
    ----------
    ds
        The data set.
    year
        School year (``None`` = latest).
    township
        镇街 name; ``None`` = county.

    Returns
    -------
    IPython.display.HTML
    """
    from jxedu.analysis import shortfalls

    _check_township(ds, township)
    rd = report_data(ds, year=year)
    sf = rd.shortfalls
    if township is not None:
        sf = sf[sf["township"] == township]
    plan = shortfalls.pass_plan(sf)
    if plan.empty:
        return HTML(_note("所有参评学校（学段）均已达标，无需整改措施。"))
    parts = []
    if township is not None:
        actions = show_indicators.action_texts(plan)
        rows = [[_esc(r["name"]), _esc(LABELS.get(r["stage"], r["stage"])), _esc(vocab.field(r["key"]).label),
                 _fmt(r["value"], 2), _fmt(r["threshold"], 2), _esc(actions[i])]
                for i, r in plan.head(MAX_ROWS).iterrows()]
        parts.append(html_table(rows, ["学校", "学段", "指标", "实际值", "标准值", "整改措施"], numeric={3, 4},
                                nowrap={0, 1}))
        parts.append(_more(len(plan), min(len(plan), MAX_ROWS), "项措施"))
    tot = shortfalls.totals(sf, scope="pass", with_county=township is None)
    disp = show_indicators.totals_table(SimpleNamespace(shortfall_totals=tot)).frame
    if township is not None:
        disp = disp.drop(columns="镇街")
        parts.append("<h4>合计</h4>")
    parts.append(_frame_table(disp, numeric_from=0 if township is not None else 1, css="report-table totals-table"))
    parts.append(_note("教师按学部相加；共用设施按学校计（取各学部所需的最大值）；设备经费单位为万元。"))
    return HTML("".join(parts))


def layout_figure(ds: Dataset, *, year: int | None = None, township: str | None = None) -> Figure:
    """Static map of the school layout (schools coloured 达标/未达标, villages, bus routes).

    Parameters
    ----------
    ds
        The data set.
    year
        School year (``None`` = latest).
    township
        镇街 name (highlighted and zoomed to); ``None`` = county.

    Returns
    -------
    Figure
    """
    from jxedu.analysis.assessment import assess
    from jxedu.present import staticmap

    _check_township(ds, township)
    rd = report_data(ds, year=year)
    fig = staticmap.layout_map(assess(ds, year=rd.year).scope(township), size=(FIGURE_WIDTH_IN, 5.6))
    return Figure(fig, caption=f"图 {_scope(township)}学校布局（{rd.year}学年）：颜色表示资源配置是否达标，点的大小表示在校生数")


def bus_section(ds: Dataset, *, year: int | None = None, township: str | None = None) -> HTML:
    """School-bus coverage: pupils beyond walking distance and the villages no bus links yet.

    Parameters
    ----------
    ds
        The data set (needs 村居 and the 公交 feed).
    year
        School year (``None`` = latest).
    township
        镇街 name; ``None`` = county (per-镇街 table).

    Returns
    -------
    IPython.display.HTML
    """
    from jxedu.analysis import bus
    from jxedu.analysis.assessment import assess
    from jxedu.present.access import uncovered_table

    _check_township(ds, township)
    rd = report_data(ds, year=year)
    if rd.coverage("primary") is None:
        return HTML(_note("数据中没有村居表或公交助学线路，无法计算校车覆盖。"))
    parts = []
    rows = []
    for st in _STAGES:
        cov = rd.coverage(st)
        if township is None:
            summ = bus.coverage_summary(cov, by="township")
            if st == "primary":
                per_town = summ
        c = cov if township is None else cov[cov["township"] == township]
        s = bus.coverage_summary(c, by=None).iloc[0]
        rows.append([LABELS[st], _fmt(s["pupils"]), _fmt(s["beyond_pupils"]), _fmt(s["beyond_villages"]),
                     _fmt(s["covered_pupils"]), _pct(float(s["covered_share"])), _fmt(s["uncovered_pupils"]),
                     _fmt(s["uncovered_villages"])])
    parts.append(html_table(rows, ["学段", "学龄人口", "超出步行<br>距离（人）", "涉及村居", "校车覆盖<br>（人）",
                                   "覆盖率", "未覆盖<br>（人）", "未覆盖<br>村居"], numeric=set(range(1, 8))))
    if township is None:
        t = per_town[per_town["township"] != "全县"] if "township" in per_town else per_town
        rows = [[_esc(r["township"]), _fmt(r["beyond_pupils"]), _fmt(r["covered_pupils"]),
                 _pct(float(r["covered_share"])), _fmt(r["uncovered_villages"])] for _, r in t.iterrows()]
        parts.append("<h4>各镇街（小学）</h4>")
        parts.append(html_table(rows, ["镇街", "超出步行距离（人）", "校车覆盖（人）", "覆盖率", "未覆盖村居"],
                                numeric={1, 2, 3, 4}))
    cov = rd.coverage("primary")
    c = cov if township is None else cov[cov["township"] == township]
    unc = uncovered_table(assess(ds, year=rd.year).scope(township), "primary", max_rows=None).frame
    if len(unc):
        n = 10
        parts.append("<h4>未覆盖、学龄人口最多的村居（小学）</h4>")
        parts.append(_frame_table(unc.head(n), numeric_from=1))
        if len(unc) > n:
            parts.append(_note(f"共 {len(unc)} 个村居超出步行距离且没有校车线路，此处列出学龄人口最多的 {n} 个。"))
    from jxedu.core.settings import get_settings

    st = get_settings()
    walk = st.walk_limit_m
    parts.append(_note(f"步行距离上限：小学 {walk['primary'] / 1000:g} 公里、初中 {walk['junior'] / 1000:g} 公里"
                       f"（规划假设，可在设置中修改）；村居到校车站点 {st.bus_stop_access_m:g} 米以内、"
                       "且线路通往划片学校的视为覆盖。"))
    return HTML("".join(parts))


def rotation_section(ds: Dataset, *, year: int | None = None, township: str | None = None) -> HTML:
    """Teacher rotation (交流轮岗) of the year against the 400 target and the 10 %/20 % ratios.

    Parameters
    ----------
    ds
        The data set (needs 教师 and 交流轮岗).
    year
        School year (``None`` = latest; the latest year of 交流轮岗 when it lacks this one).
    township
        镇街 name (teachers its schools sent); ``None`` = county, with a per-镇街 table.

    Returns
    -------
    IPython.display.HTML
    """
    from jxedu.analysis import rotation

    _check_township(ds, township)
    rd = report_data(ds, year=year)
    if ds.rotations is None or ds.teachers is None:
        return HTML(_note("数据中没有教师或交流轮岗表，无法统计交流轮岗。"))
    y = _rotation_year(ds, rd.year)
    text = rotation.key_figures(ds, year=y, township=township)
    items = "".join(f"<li>{html_text(line)}</li>" for line in text.splitlines())
    parts = [f'<ul class="figures">{items}</ul>']
    by = rotation.rotation_summary(ds, year=y, by="township")
    if township is None:
        by = by[by["township"] != rotation.COUNTY_ROW] if "township" in by else by
        rows = [[_esc(r["township"]), _fmt(r["eligible"]), _fmt(r["rotated_out"]), _fmt(r["rotated_in"]),
                 _pct(float(r["rotation_share"])), _pct(float(r["backbone_share"])),
                 _status(None if pd.isna(r["rotation_share"]) else bool(r["meets_rotation_share"]))]
                for _, r in by.iterrows()]
        parts.append(html_table(rows, ["镇街", "符合条件教师", "派出", "接收", "交流比例<br>（≥10%）",
                                       "骨干占比<br>（≥20%）", "交流比例<br>结论"], numeric={1, 2, 3, 4, 5}))
    return HTML("".join(parts))


def class_size_section(ds: Dataset, *, year: int | None = None, township: str | None = None) -> HTML:
    """Class sizes against 45/50 and the schools with over-size classes.

    Parameters
    ----------
    ds
        The data set (needs 班级).
    year
        School year (``None`` = latest).
    township
        镇街 name; ``None`` = county (per-镇街 table).

    Returns
    -------
    IPython.display.HTML
    """
    from jxedu.analysis import classsize

    _check_township(ds, township)
    rd = report_data(ds, year=year)
    if ds.classes is None:
        return HTML(_note("数据中没有班级表，无法统计班额。"))
    s = classsize.class_size_summary(ds, year=rd.year, by="township")
    parts = []
    if township is None:
        piv = s[s["stage"].isin(_STAGES)]
        rows = []
        for t, g in piv.groupby("township", sort=False):
            cells = [_esc(t)]
            for st in _STAGES:
                r = g[g["stage"] == st]
                cells += ["—", "—"] if r.empty else [_fmt(r["mean_size"].iloc[0], 1), _fmt(r["over_cap"].iloc[0])]
            rows.append(cells)
        parts.append(html_table(rows, ["镇街", "小学平均班额", "小学超45人班级", "初中平均班额", "初中超50人班级"],
                                numeric={1, 2, 3, 4}))
    else:
        g = s[(s["township"] == township) & s["stage"].isin(_STAGES)]
        rows = [[LABELS[r["stage"]], _fmt(r["classes"]), _fmt(r["students"]), _fmt(r["mean_size"], 1),
                 _fmt(r["max_size"]), f'{_fmt(r["over_cap"])}', _fmt(r["big"]), _fmt(r["super"])]
                for _, r in g.iterrows()]
        big, sup = int(std.threshold("class_band_big")), int(std.threshold("class_band_super"))  # students
        parts.append(html_table(rows, ["学段", "班级数", "学生数", "平均班额", "最大班额", "超标准班额",
                                       f"大班额<br>({big}–{sup - 1})", f"超大班额<br>(≥{sup})"],
                                numeric=set(range(1, 8))))
    top = classsize.top_oversize_schools(ds, year=rd.year, n=1000)
    if township is not None:
        top = top[top["township"] == township]
    if len(top):
        rows = [[_esc(r["school_name"]) + ("" if township else f'<br><span class="small">{_esc(r["township"])}</span>'),
                 _fmt(r["classes"]), _fmt(r["over_cap"]), _fmt(r["max_size"])] for _, r in top.head(10).iterrows()]
        parts.append("<h4>有超标准班额的学校</h4>")
        parts.append(html_table(rows, ["学校", "班级数", "超标准班额", "最大班额"], numeric={1, 2, 3}))
    else:
        parts.append(_note(f"本学年没有超过标准班额（小学 {_cap('primary')} 人、初中 {_cap('junior')} 人）的班级。"))
    proj = rd.projections
    if proj is not None and not _without_schools(ds, township):
        from jxedu.analysis import projection

        text = projection.key_figures(proj, ds, year=PROJECTION_YEAR, township=township)
        lines = [ln for ln in text.splitlines() if not ln.startswith("镇街：")]
        parts.append(f"<h4>{PROJECTION_YEAR}年在校生与教室预测</h4>")
        parts.append('<ul class="figures">' + "".join(f"<li>{html_text(ln)}</li>" for ln in lines) + "</ul>")
        parts.append(_note(f"教室缺口：按标准班额（小学 {_cap('primary')} 人、初中 {_cap('junior')} 人）需要的班级数"
                           "减去现有教室数，按学校计算后相加。"))
    return HTML("".join(parts))


def projection_figure(ds: Dataset, *, year: int | None = None, township: str | None = None) -> Figure | HTML:
    """Enrolment history and projection (three variants) per stage, as a figure.

    Parameters
    ----------
    ds
        The data set (needs 班级).
    year
        Unused (projections start from the latest year); kept for a uniform signature.
    township
        镇街 name; ``None`` = county.

    Returns
    -------
    Figure
        Or a note when the 班级 table is missing.
    """
    from jxedu.analysis import projection

    _check_township(ds, township)
    rd = report_data(ds, year=year)
    proj = rd.projections
    if proj is None:
        return HTML(_note("数据中没有班级表，无法预测在校生。"))
    if _without_schools(ds, township):
        return HTML(_note(_NO_SCHOOLS_NOTE))
    fig = projection.plot_projection(proj, ds, township=township, title=f"{_scope(township)}义务教育在校生：实际与预测")
    fig.set_size_inches(FIGURE_WIDTH_IN, 3.2)
    return Figure(fig, caption=f"图 {_scope(township)}在校生实际数与{PROJECTION_YEAR}年前的预测（低、中、高方案）")


def ledger_items(ds: Dataset, *, year: int | None = None, township: str | None = None) -> HTML:
    """The open items of the progress ledger (整改台账) for a 镇街 or the county.

    For a 镇街: its school items (every item listed is below target). For the county: the county
    items not yet met, after a count per status.

    Parameters
    ----------
    ds
        The data set.
    year
        School year (``None`` = latest).
    township
        镇街 name; ``None`` = county.

    Returns
    -------
    IPython.display.HTML
    """
    _check_township(ds, township)
    rd = report_data(ds, year=year)
    led = rd.ledger
    scope = township if township is not None else "全县"
    items = led[led["township"] == scope]
    if "listed" in items:
        items = items[items["listed"].astype(bool)]
    counts = items["status"].value_counts()
    summary = "；".join(f"{k} {int(v)} 项" for k, v in counts.items())
    parts = [_note(f"台账中{scope}的事项共 {len(items)} 项：{summary}。")]
    open_items = items[items["status"] == "未达标"]
    if open_items.empty:
        parts.append(_note("没有未达标事项。"))
        return HTML("".join(parts))
    shown = open_items.head(MAX_ROWS)
    if township is not None:
        rows = [[_esc(r["school"]), _esc(r["item"]), _esc(r["gap"]), _esc(r["action"]), _esc(r["responsible"])]
                for _, r in shown.iterrows()]
        headers = ["学校", "事项", "差距", "整改措施", "责任单位"]
    else:
        rows = [[_esc(r["category"]), _esc(r["item"]), _esc(r["gap"]), _esc(r["action"]), _esc(r["responsible"])]
                for _, r in shown.iterrows()]
        headers = ["类别", "事项", "差距", "整改措施", "责任单位"]
    parts.append(html_table(rows, headers, css="report-table ledger-table", nowrap={0}))
    parts.append(_more(len(open_items), len(shown), "项未达标事项"))
    return HTML("".join(parts))
