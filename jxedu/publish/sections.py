"""Sections of the PDF bulletins (定期通报): one function per section, returning display objects.

The report notebooks (``notebooks/township_report.ipynb``, ``notebooks/county_report.ipynb``) are a
sequence of calls into this module with Chinese prose between them, so every section looks the same
in JupyterLab and in the PDF that :mod:`jxedu.publish.reports` renders. Every function takes a
*scope*: the county's :class:`~jxedu.analysis.assessment.Assessment` or a 镇街 view of it
(``a.scope(township)``) — a 镇街's figures are the county-wide figures filtered to it, never
recomputed on a subset. County targets (the CVs, the plan's yearly rotations, 最美教师 …) carry
their verdict in the county report only; a 镇街 report shows the 镇街's contribution.

The first section after the title is 优先整改事项: what to fix first, what it takes, what it costs
(估算) and who is responsible. Lists that are long are shown in part with a note saying how many
more there are and where (the appendix at the end of the report, or the ledger); nothing is cut
silently. Tables are :class:`~jxedu.present.tables.Table` objects of the presentation layer, so every
figure carries its unit and the vocabulary's format.

Only aggregates are shown: no teacher name, ID number or 教师编号 ever reaches a report.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from jxedu import assess
from jxedu.analysis import deadlines
from jxedu.analysis.assessment import Assessment, assessment_of, township_of
from jxedu.core import standards as std
from jxedu.core import vocabulary as vocab
from jxedu.core.county import PLAN_ROTATIONS
from jxedu.core.schema import COMPULSORY_STAGES
from jxedu.core.vocabulary import fmt
from jxedu.ingest.reader import open_dataset, resolve_data_dir
from jxedu.present import access as show_access
from jxedu.present import assurance as show_assurance
from jxedu.present import classes as show_classes
from jxedu.present import indicators as show_indicators
from jxedu.present import plan_tasks as show_plan_tasks
from jxedu.present import priorities as show_priorities
from jxedu.present import staticmap
from jxedu.present import teachers as show_teachers
from jxedu.present.escape import html_attr, html_text
from jxedu.present.tables import Table, table
from jxedu.publish import ledger

__all__ = [
    "FIGURE_DPI",
    "FIGURE_WIDTH_IN",
    "PRIORITY_ROWS",
    "Figure",
    "access_section",
    "appendix",
    "class_size_section",
    "cv_section",
    "evidence_section",
    "headline",
    "key_figures",
    "layout_figure",
    "open_assessment",
    "overdue_section",
    "plan_tasks_section",
    "priorities",
    "projection_section",
    "rotation_section",
    "schools_section",
    "synthetic_notice",
    "title",
]

#: Width of report figures: the text width of an A4 page with 15 mm margins (180 mm).
FIGURE_WIDTH_IN = 7.0  # inches
#: Resolution of report figures.
FIGURE_DPI = 150  # dots per inch
#: Rows of 优先整改事项 on the first page; the rest are in the appendix.
PRIORITY_ROWS = 12  # rows
#: Rows of the other long lists in the body of a report (the appendix has them all).
LIST_ROWS = 10  # rows
#: Environment variable naming a pickled assessment computed once for a whole batch of reports.
ASSESSMENT_ENV = "JXEDU_REPORT_ASSESSMENT"

_STAGES = COMPULSORY_STAGES


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


def _table(t: Table, *, css: str = "report-table") -> str:
    return t.to_html(css=css)


def _note(text: str) -> str:
    return f'<p class="note">{html_text(text)}</p>' if text else ""


def _para(text: str) -> str:
    return f"<p>{html_text(text)}</p>"


def _list(lines: list[str]) -> str:
    return '<ul class="figures">' + "".join(f"<li>{html_text(x)}</li>" for x in lines if x) + "</ul>"


def _h(text: str, level: int = 3) -> str:
    return f"<h{level}>{html_text(text)}</h{level}>"


def _block(*parts: str, css: str = "report-block") -> HTML:
    """One section's pieces kept together where the page allows (a heading never ends a page)."""
    return HTML(f'<div class="{css}">' + "".join(p for p in parts if p) + "</div>")


def _is_county(scope) -> bool:
    return township_of(scope) is None


def _n(x) -> str:
    return fmt(x, "int")


def _pct(x) -> str:
    return fmt(x, "pct1")


# --- the data of a report -----------------------------------------------------------------------

_OPENED: dict[tuple, Assessment] = {}


def _signature(path: Path) -> tuple:
    """Path plus the size and modification time of every file under it (cache key)."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return (str(path),) + tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)


def open_assessment(data_dir: str | os.PathLike | None = None, *, year: int | None = None) -> Assessment:
    """The assessment a report notebook reads: computed once per process (and once per batch).

    A worker rendering many reports in one kernel (see :mod:`jxedu.publish.reports`) loads the data
    and computes the county once; the cache key includes every file's size and modification time,
    so edited data are read again. When :data:`ASSESSMENT_ENV` names a pickled assessment of the same
    data and year (``jxedu reports`` writes one before the batch starts), it is loaded instead of
    computed, so the county is computed once for the whole batch.

    Parameters
    ----------
    data_dir
        ``None`` for the demo data; otherwise a workbook or folder
        (:func:`jxedu.ingest.reader.resolve_data_dir`).
    year
        School year (``None`` = latest).

    Returns
    -------
    Assessment
    """
    path = resolve_data_dir(data_dir)
    key = (_signature(path), year)
    found = _OPENED.get(key)
    if found is None:
        _OPENED.clear()
        found = _OPENED[key] = _load_batch_assessment(key) or assess(open_dataset(path), year=year)
    return found


def _load_batch_assessment(key: tuple) -> Assessment | None:
    import pickle

    target = os.environ.get(ASSESSMENT_ENV)
    if not target or not Path(target).is_file():
        return None
    with open(target, "rb") as fh:
        stored_key, a = pickle.load(fh)  # written by jxedu.publish.reports for this batch only
    return a if stored_key == key else None


def batch_assessment_key(data_dir: str | os.PathLike | None, *, year: int | None) -> tuple:
    """The key under which :func:`open_assessment` finds a batch's precomputed assessment."""
    return (_signature(resolve_data_dir(data_dir)), year)


# --- title --------------------------------------------------------------------------------------


def title(scope) -> HTML:
    """The title block: county (from the data), 镇街, school year, data source, the date the bulletin counts
    from (统计日期: ``jxedu reports --as-of``, :func:`jxedu.analysis.deadlines.as_of_date`) and, when it
    differs, the day it was made."""
    a = assessment_of(scope)
    county = a.county_name
    bureau = a.ds.bureau
    heading = "全县汇总" if _is_county(scope) else scope.name
    source = Path(str(a.ds.source)).name
    as_of, today = deadlines.as_of_date(), dt.date.today()
    dates = f"统计日期：{as_of:%Y年%m月%d日}" + (f" · 生成日期：{today:%Y年%m月%d日}" if today != as_of else "")
    return HTML(
        '<div class="report-title">'
        f'<div class="report-kicker">{html_text(bureau)} · 义务教育优质均衡发展定期通报</div>'
        f"<h1>{html_text(county if _is_county(scope) else county + heading)}义务教育优质均衡发展监测报告</h1>"
        f'<div class="report-meta">{a.year}学年 · 数据：{html_text(source)} · {dates}</div></div>'
    )


def synthetic_notice(scope) -> HTML:
    """A red-bordered box when the data are the synthetic demo set (empty otherwise); the mark is also
    on every page's header (:mod:`jxedu.publish.reports`)."""
    a = assessment_of(scope)
    if not a.ds.synthetic:
        return HTML("")
    style = "border:2px solid #c0392b;color:#c0392b;padding:6px 10px;font-weight:bold;margin:6px 0"
    return HTML(f'<div class="synthetic-notice" style="{style}">{html_text(vocab.synthetic_notice(a.county_name))}</div>')


# --- 优先整改事项 ---------------------------------------------------------------------------------


def _tier_counts(p: pd.DataFrame) -> str:
    counts = p["tier"].value_counts()
    return "，".join(f"{show_priorities.TIER_WORDS[t].split('、', 1)[1]} {int(counts.get(t, 0))} 项" for t in (1, 2, 3))


def _county_targets(a: Assessment) -> list[str]:
    """The county items the data show not met (verdicts of county targets: county report only)."""
    items = show_assurance.item_texts(a.assurance, a.settings)
    bad = items.loc[items["status"] == "not_met"]
    return [f"{r.item_name}：现状 {fmt(r.value, 'g')} {r.unit}，{r.gap or r.detail}" for r in bad.itertuples()]


def _cv_warning_lines(a: Assessment) -> list[str]:
    w = a.cv_warnings
    out = []
    for r in w.itertuples(index=False):
        status = "超过上限" if r.status == "over" else f"接近上限（预警：达到上限的 {fmt(1 - a.settings.cv_warning_margin, 'pct1')} 以上）"
        out.append(f"{vocab.word(r.stage)}{vocab.field(r.key).label}校际差异系数 {fmt(r.cv, 'dec3')}，"
                   f"上限 {fmt(r.cv_limit, 'dec2')}：{status}")
    return out


def _priority_css(scope) -> str:
    return "report-table priority-table" + (" county-priorities" if _is_county(scope) else "")


def _township_cost_table(a: Assessment) -> Table:
    p = a.priorities
    g = p.groupby("township", sort=False).agg(
        items=("tier", "size"), tier1=("tier", lambda t: int((t == 1).sum())),
        # an item without a yearly part (a building, a room) adds nothing a year: 0, not unknown
        cost=("cost", lambda c: c.sum(min_count=1)), cost_year=("cost_year", lambda c: c.sum(min_count=0)))
    order = {t: i for i, t in enumerate(a.townships)}
    g = g.reset_index().sort_values("township", key=lambda s: s.map(order))
    g = g.assign(cost_wan=g["cost"] / 10000, cost_year_wan=g["cost_year"] / 10000)
    total = pd.DataFrame([{"township": vocab.COUNTY, "items": g["items"].sum(), "tier1": g["tier1"].sum(),
                           "cost_wan": g["cost_wan"].sum(min_count=1), "cost_year_wan": g["cost_year_wan"].sum()}])
    return table(pd.concat([g, total], ignore_index=True), ["township", "items", "tier1", "cost_wan", "cost_year_wan"],
                 caption="各镇街整改事项与估算投入",
                 notes=["估算：按附表所列单位造价计算，待各部门核实；一次性投入不含征地。"
                        "每年人员经费为 0 的镇街，其整改事项都不需要增加教师。"])


def priorities(scope, *, max_rows: int = PRIORITY_ROWS) -> HTML:
    """优先整改事项: the scope's actions ranked by severity, with amounts, 估算 costs, responsible units
    and the deadline; the county adds its own targets not met and the CVs near their limit (预警).

    Parameters
    ----------
    scope
        The county's assessment or a 镇街 view.
    max_rows
        Rows shown here; every row is in the appendix (:func:`appendix`).

    Returns
    -------
    IPython.display.HTML
    """
    a = assessment_of(scope)
    p = scope.priorities
    parts = [_h("优先整改事项", 2)]
    if p.empty:
        parts.append(_para(f"{scope.name}{a.year}学年没有需要整改的学校事项。"))
    else:
        parts.append(_para(
            f"{scope.name}共有需整改的事项 {_n(len(p))} 项（{_tier_counts(p)}），按严重程度排列："
            f"先列资源配置未达标（含低于标准 85% 底线）的学校，再列学校规模和班额超标，最后是其他短板和学位缺口。"
            f"{show_priorities.cost_total_text(scope)}。完成时限：{show_priorities.deadline_text(a)}。"))
    if _is_county(scope):
        targets = _county_targets(a)
        warnings = _cv_warning_lines(a)
        if targets:
            parts += [_h("全县目标未达到"), _list(targets)]
        if warnings:
            parts += [_h("差异系数预警"), _list(warnings),
                      _note("差异系数是全县指标，单项改进措施见“校际差异系数”一节。")]
        parts.append(_table(_township_cost_table(a)))
        parts.append(_h("需优先整改的学校（全县前列）"))
    if not p.empty:
        parts.append(_table(show_priorities.priorities_table(
            scope, max_rows=max_rows, rest="全部事项见本报告附表“全部整改事项”"), css=_priority_css(scope)))
    return _block(*parts, css="report-block priorities")


# --- key figures ----------------------------------------------------------------------------------


def _headline_rows(scope) -> list[tuple[str, str, str, bool | None]]:
    """(item, current value, standard, met) rows of the headline box; ``met`` is ``None`` where the
    figure has no standard at this scope."""
    a = assessment_of(scope)
    county = _is_county(scope)
    rows: list[tuple[str, str, str, bool | None]] = []
    s = scope.township_summary
    s = s.loc[s["township"] == scope.name].iloc[0]
    rows.append(("学校（有义务教育学段）", f"{_n(s['schools'])} 所", vocab.MISSING, None))
    rows.append(("义务教育在校生", f"{_n(s['students'])} 人（小学 {_n(s['students_primary'])} 人，初中 "
                 f"{_n(s['students_junior'])} 人）", vocab.MISSING, None))
    ind = scope.indicators
    for st in _STAGES:
        u = ind[ind["stage"] == st]
        if len(u):
            k = int(u["passes"].sum())
            rows.append((f"{vocab.word(st)}资源配置达标学校", f"{k} / {len(u)} 所（{_pct(k / len(u))}）", "全部达标",
                         k == len(u)))
    if county:
        for st in _STAGES:
            b = a.balance[a.balance["stage"] == st]
            if len(b):
                worst = b.loc[b["cv"].idxmax()]
                rows.append((f"{vocab.word(st)}校际差异系数（最大）",
                             f"{fmt(worst['cv'], 'dec3')}（{vocab.field(worst['key']).short}）",
                             f"≤ {fmt(worst['cv_limit'], 'dec2')}", bool(b["within_limit"].all())))
    if a.missing("class_sizes") is None:
        cs = scope.class_sizes
        cs = cs[cs["township"] == scope.name]
        for st in _STAGES:
            r = cs[cs["stage"] == st]
            if len(r):
                over = int(r["over_cap"].iloc[0])
                rows.append((f"{vocab.word(st)}超过 {_n(std.threshold('class_size_max', st))} 人的班级",
                             f"{_n(over)} 个（共 {_n(r['classes'].iloc[0])} 个班）", "0 个", over == 0))
    sizes = scope.school_tables["sizes"]
    rows.append(("超过规模上限的学校", f"{_n((~sizes['meets']).sum())} 所", "0 所", bool(sizes["meets"].all())))
    rows += _capacity_rows(scope)
    rows += _access_rows(scope)
    rows += _rotation_rows(scope)
    return rows


def _capacity_rows(scope) -> list[tuple[str, str, str, bool | None]]:
    a = assessment_of(scope)
    if a.missing("township_needs") is not None:
        return []
    needs = a.township_needs["central"]
    horizon = int(needs["year"].max())
    if _is_county(scope):
        sel = needs.loc[needs["year"] == horizon].groupby("stage")[["net_classroom_shortfall"]].sum()
        new = needs.loc[(needs["year"] == horizon) & needs["new_school"]].groupby("stage")["township"].apply(list)
    else:
        sel = needs.loc[(needs["year"] == horizon) & (needs["township"] == scope.name)].set_index("stage")
        new = None
    rows = []
    for st in _STAGES:
        if st not in sel.index:
            continue
        gap = int(sel.loc[st, "net_classroom_shortfall"])
        if _is_county(scope):
            where = new.get(st, []) if new is not None else []
            how = f"（需新建学校：{'、'.join(where)}）" if where else ""
        else:
            how = "（需新建学校）" if bool(sel.loc[st, "new_school"]) else ("（需扩建学校）" if gap else "")
        rows.append((f"到 {horizon} 学年{vocab.word(st)}教室缺口（中方案）", f"{_n(gap)} 间{how}", vocab.MISSING, None))
    return rows


def _access_rows(scope) -> list[tuple[str, str, str, bool | None]]:
    a = assessment_of(scope)
    if a.missing("access") is not None:
        return []
    rows = []
    for st in _STAGES:
        d = scope.distance_summary(st)
        d = d.loc[d["township"] == scope.name].iloc[0]
        text = f"{_n(d['beyond_pupils'])} 人（占 {_pct(d['beyond_share'])}）"
        if a.missing("coverage") is None:
            c = scope.coverage_summary(st)
            c = c.loc[c["township"] == scope.name].iloc[0]
            text += f"，校车覆盖 {_n(c['covered_pupils'])} 人，未覆盖 {_n(c['uncovered_pupils'])} 人"
        else:
            text += f"，{vocab.NO_BUS_DATA}"
        rows.append((f"{vocab.word(st)}学龄儿童超出步行距离{show_access.straight_note(scope)}", text, vocab.MISSING, None))
    return rows


def _rotation_rows(scope) -> list[tuple[str, str, str, bool | None]]:
    a = assessment_of(scope)
    if a.missing("rotation_by_township") is not None or a.missing("eligible_teachers") is not None:
        return []
    county = a.rotation_by_township
    total = int(county["rotated_out"].sum())
    if _is_county(scope):
        r = a.rotation_ratios
        return [
            *_plan_rotation_rows(a, r),
            ("交流轮岗占符合条件教师比例", _pct(r["share"]), vocab.threshold_text("rotation_share_of_eligible"),
             None if pd.isna(r["share"]) else bool(std.meets(r["share"], "rotation_share_of_eligible"))),
            ("交流教师中骨干教师占比", _pct(r["backbone_share"]), vocab.threshold_text("backbone_share_of_rotated"),
             None if pd.isna(r["backbone_share"]) else bool(std.meets(r["backbone_share"], "backbone_share_of_rotated"))),
        ]
    row = scope.rotation_by_township.iloc[0]
    share = row["rotated_out"] / total if total else float("nan")
    return [("本镇街学校派出交流轮岗教师",
             f"{_n(row['rotated_out'])} 人，占全县 {_n(total)} 人的 {_pct(share)}（其中到乡村、薄弱学校 "
             f"{_n(row['toward_target'])} 人；接收 {_n(row['rotated_in'])} 人）", "全县指标", None)]


def _plan_rotation_rows(a: Assessment, r: dict) -> list[tuple[str, str, str, bool | None]]:
    """The county plan's rotation target in the headline box: the year's count and the average since
    the plan began, the one the setting ``rotation_target_basis`` names with the verdict (no row when
    the county set no target)."""
    target = a.plan_target(PLAN_ROTATIONS)
    p = r.get("plan")
    if target is None:
        return []
    moves = "交流轮岗" if a.settings.rotation_target_moves == "all" else "城镇学校到乡村、薄弱学校交流轮岗"
    standard = f"年均 {vocab.plan_text(target)}" + (f"（{target.document}）" if target.document else "")
    if p is None:
        return [(f"{moves}（县规划目标）", f"交流轮岗表中无{a.year}学年记录", standard, None)]
    years = p["average_years"]
    span = f"{years[0]}学年" if len(years) == 1 else f"{years[0]}–{years[-1]}学年"
    average = (f"{span}年均 {fmt(p['average'], 'dec1')} 人", p["meets_average"])
    yearly = (f"{a.year}学年 {_n(p['counted'])} 人（城镇到乡村、薄弱学校 {_n(p['toward_target'])} 人）",
              p["meets_yearly"])
    first, second = (average, yearly) if p["basis"] == "average" else (yearly, average)
    return [(f"{moves}（县规划目标）", first[0], standard, bool(first[1])),
            (f"{moves}（{'当年' if p['basis'] == 'average' else '规划以来年均'}，参考）", second[0], standard, None)]


def _status_html(ok: bool | None) -> str:
    if ok is None:
        return '<span class="status-na">—</span>'
    return '<span class="status-pass">✓ 达标</span>' if ok else '<span class="status-fail">✗ 未达标</span>'


def headline(scope) -> HTML:
    """The headline box: the scope's key figures against the standards (verdicts only where the figure
    has a standard at this scope; a 镇街's share of a county target has none)."""
    a = assessment_of(scope)
    rows = _headline_rows(scope)
    head = "".join(f"<th>{h}</th>" for h in ("项目", "现状", "标准", "结论"))
    body = "".join(f"<tr><td>{html_text(x)}</td><td>{html_text(v)}</td><td>{html_text(s)}</td>"
                   f"<td>{_status_html(ok)}</td></tr>" for x, v, s, ok in rows)
    n_bad = sum(1 for r in rows if r[3] is False)
    verdict = "各项有标准的指标均已达标。" if n_bad == 0 else f"有 {n_bad} 项未达到标准，见“优先整改事项”和下文各节。"
    docs = a.ds.plan_documents
    plan = f"和{a.county_name}规划目标（{'、'.join(docs)}）" if docs else ("和县级规划目标" if a.ds.plan_targets is not None else "")
    intro = (f"下表把关键数字与国家县域义务教育优质均衡发展标准（教督〔2017〕6号）{plan}对照；"
             "“结论”只对在本范围内有标准的项目给出判断" + ("" if _is_county(scope) else "，全县目标见全县汇总") + "。")
    return _block(
        _h("关键数字", 2), _para(intro),
        '<div class="headline-box">'
        f'<div class="headline-title">{html_text(scope.name)} · {a.year}学年 关键数字</div>'
        f'<table class="report-table headline-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        f'<p class="headline-verdict">{html_text(verdict)}</p></div>')


def key_figures(scope) -> str:
    """The headline figures as plain text, one a line (for notebook check cells)."""
    a = assessment_of(scope)
    lines = [f"{scope.name} {a.year}学年"]
    for item, value, standard, ok in _headline_rows(scope):
        verdict = "" if ok is None else ("；达标" if ok else "；未达标")
        std_text = "" if standard == vocab.MISSING else f"（标准 {standard}{verdict}）"
        lines.append(f"{item}：{value}{std_text}")
    p = scope.priorities
    lines.append(f"优先整改事项：{_n(len(p))} 项（{_tier_counts(p)}）；{show_priorities.cost_total_text(scope)}")
    return "\n".join(lines)


# --- resource indicators ------------------------------------------------------------------------


def schools_section(scope) -> HTML:
    """Every school-stage unit of a 镇街 with its seven values (the county: passing per 镇街, then the
    failing units)."""
    parts = [_h("学校资源配置达标情况", 2),
             _para("每所学校（一贯制学校按学部）7 项资源配置指标；达标须 7 项中至少 "
                   f"{fmt(std.threshold('pass_min_indicators'), 'g')} 项达到标准，其余不低于标准的 "
                   f"{vocab.threshold_value('pass_floor_ratio')}。")]
    if _is_county(scope):
        parts.append(_table(show_indicators.passing_table(scope)))
        parts.append(_h("未达标学校（学段）"))
        parts.append(_table(show_indicators.failing_table(scope)))
    else:
        parts.append(_table(show_indicators.schools_table(scope), css="report-table school-table"))
    return _block(*parts)


def cv_section(a: Assessment) -> HTML:
    """The county's CVs per stage against their limits, the warnings and the single fixes (county only)."""
    parts = [_h("校际差异系数", 2),
             _para(f"各项资源配置指标的校际差异系数（按学生数加权），小学不超过 {fmt(std.threshold('cv_limit', 'primary'), 'dec2')}、"
                   f"初中不超过 {fmt(std.threshold('cv_limit', 'junior'), 'dec2')} 为达标；差异系数是全县指标。"),
             _table(show_indicators.balance_table(a))]
    warnings = _cv_warning_lines(a)
    if warnings:
        parts += [_h("预警"), _list(warnings)]
    fixes = show_indicators.cv_fixes_table(a)
    if not fixes.empty:
        parts += [_h("单项改进措施"), _table(fixes)]
    return _block(*parts)


# --- layout -------------------------------------------------------------------------------------


def layout_figure(scope) -> HTML:
    """学校布局: the static map — the 镇街 zoomed to, failing schools named, the legend in the frame."""
    fig = staticmap.layout_map(scope, size=(FIGURE_WIDTH_IN, 5.4), label_failing=True)
    caption = ("学校按资源配置达标情况着色" + ("，未达标学校标注校名" if not _is_county(scope) else "，并标注各镇街")
               + "；村居圆点大小表示学龄人口。")
    return _block(_h("学校布局", 2), Figure(fig, caption=caption)._repr_html_(), css="report-block figure-block")


# --- access and buses ---------------------------------------------------------------------------


def access_section(scope) -> HTML:
    """上学距离与公交助学, both stages: pupils beyond walking distance, covered and not, and the
    uncovered villages named (most pupils first; all of them in the appendix). The county report
    also sets the two baselines side by side (就近入学 vs 按学位容量分配, the scenarios' 现状)."""
    a = assessment_of(scope)
    head = _h("上学距离与公交助学", 2)
    if a.missing("access") is not None:
        return _block(head, _note(a.missing("access") + "：无法计算上学距离与校车覆盖。"))
    parts = [head, _para(str(show_access.walk_limits_note(scope)).lstrip("> ")),
             _table(show_access.key_figures_table(scope))]
    if _is_county(scope):  # the distances above beside the layout scenarios' baseline, each named
        parts.append(_table(show_access.baselines_table(scope)))
    if a.missing("coverage") is not None:  # the table above says 无公交数据 and why (never 0 %)
        return _block(*parts)
    where = "各镇街报告的附表" if _is_county(scope) else "本报告附表"
    for st in _STAGES:
        t = show_access.uncovered_table(scope, st, max_rows=LIST_ROWS)
        t.notes = [n.replace("。", f"；完整清单见{where}。", 1) if n.startswith("共 ") else n for n in t.notes]
        parts += [_h(f"{vocab.word(st)}：超出步行距离且未被校车覆盖的村居"), _table(t)]
    return _block(*parts)


# --- teachers -----------------------------------------------------------------------------------


def rotation_section(scope) -> HTML:
    """Teacher rotation: the county against its targets (and each 镇街's backbone share); a 镇街's
    contribution without a verdict on the county targets."""
    a = assessment_of(scope)
    head = _h("教师交流轮岗", 2)
    if a.missing("rotation_by_township") is not None:
        return _block(head, _note(a.missing("rotation_by_township") + "：无法统计交流轮岗。"))
    parts = [head, _list([line for line in show_teachers.key_figure_lines(scope)[1:] if "全县指标" not in line])]
    if _is_county(scope):
        parts.append(_backbone_by_township(a))
    else:
        rows = _rotation_rows(scope)
        if rows:
            parts.append(_para(rows[0][1] + "。交流轮岗人数、比例与骨干占比是全县目标，本报告只列本镇街的贡献。"))
    return _block(*parts)


def _backbone_by_township(a: Assessment) -> str:
    """The county's rotation conclusion checks each 镇街's backbone share of the teachers it sent."""
    t = a.rotation_by_township
    thr = std.threshold("backbone_share_of_rotated")
    low = t.loc[(t["rotated_out"] > 0) & (t["backbone_share"] < thr)]
    shown = table(t, ["township", "eligible", "rotated_out", "backbone_rotated", "backbone_share", "rotated_in"],
                  caption="各镇街派出交流轮岗教师与骨干占比")
    line = (f"派出教师中骨干教师占比低于 {vocab.threshold_value('backbone_share_of_rotated')} 的镇街："
            + "、".join(f"{r.township}（{_pct(r.backbone_share)}）" for r in low.itertuples())
            if len(low) else f"各镇街派出教师中骨干教师占比均不低于 {vocab.threshold_value('backbone_share_of_rotated')}。")
    return _table(shown) + _para(line)


# --- class sizes and places ---------------------------------------------------------------------


def class_size_section(scope) -> HTML:
    """Class sizes against 45/50 and every class over the limit (the list in full in the appendix)."""
    a = assessment_of(scope)
    head = _h("班额", 2)
    if a.missing("class_sizes") is not None:
        return _block(head, _note(a.missing("class_sizes") + "：无法核查班额。"))
    parts = [head, _para(f"标准班额：小学不超过 {_n(std.threshold('class_size_max', 'primary'))} 人，初中不超过 "
                         f"{_n(std.threshold('class_size_max', 'junior'))} 人。"),
             _list(show_classes.key_figure_lines(scope)[1:])]
    over = show_classes.oversize_table(scope, max_rows=LIST_ROWS)
    if not over.empty:
        over.notes = [n.replace("。", "；完整清单见台账“超标准班额明细”工作表。", 1) if n.startswith("共 ") else n
                      for n in over.notes]
        parts.append(_table(over))
    return _block(*parts)


def projection_section(scope) -> HTML:
    """Enrolment and classrooms to the projection horizon: per variant, the classroom gap per stage
    (需新建学校 when the 镇街's schools cannot absorb it) and the chart of history and projection."""
    a = assessment_of(scope)
    head = _h("在校生与学位预测", 2)
    if a.missing("projections") is not None:
        return _block(head, _note(a.missing("projections") + "：无法预测学位需求。"))
    parts = [head, _para(f"按年级递进法推算到 {show_classes.horizon(scope)} 学年，给出低、中、高三个"
                         "方案；教室缺口按中方案，已扣除同镇街其他学校的富余教室。"),
             _list(show_classes.projection_figure_lines(scope)[1:]), _table(show_classes.township_needs_table(scope))]
    fig = show_classes.projection_chart(scope)
    if hasattr(fig, "savefig"):
        parts.append(Figure(fig, caption="在校生历史与预测（低、中、高方案）。")._repr_html_())
    return _block(*parts)


# --- evidence items -----------------------------------------------------------------------------


def evidence_section(a: Assessment) -> HTML:
    """The items that need documents as evidence, listed (county only): each with its requirement."""
    items = show_assurance.item_texts(a.checklist, a.settings)
    shown = items.assign(category=items["category"])
    t = table(shown, ["category", "item_name", "target", "unit"], formats={"target": "g"},
              words={"category": "item_category"},
              notes=["以上事项需由规划人员收集佐证材料，在整改台账（jxedu ledger）中记录状态。"])
    return _block(_h("需佐证材料的评估事项", 2), _para(f"以下 {len(items)} 项需要佐证材料，数据无法判定："), _table(t))


# --- overdue items -------------------------------------------------------------------------------

_LEDGER: list = []  # [(assessment, as_of, ledger frame)]: the last one built, for the 镇街 reports of a batch


def _ledger_items(a: Assessment, as_of: dt.date) -> pd.DataFrame:
    """The ledger's items of the assessment as of a date (built once per assessment and date)."""
    if _LEDGER and _LEDGER[0][0] is a and _LEDGER[0][1] == as_of:
        return _LEDGER[0][2]
    items = ledger.build_ledger(a, as_of=as_of)
    _LEDGER[:] = [(a, as_of, items)]
    return items


def _date_text(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _overdue_frame(items: pd.DataFrame) -> pd.DataFrame:
    """Overdue items not met, most days first (then in the ledger's order), with the columns of the table."""
    d = items.assign(order=range(len(items)))
    d = d.loc[d["overdue_days"].notna() & (d["status"] == ledger.OPEN)]
    d = d.sort_values(["overdue_days", "order"], ascending=[False, True], kind="stable")
    return d.assign(name=d["school"], item_name=d["item"], deadline=[f"{x:%Y-%m-%d}" for x in d["deadline"]],
                    overdue_days=d["overdue_days"].astype(int), supervised=d["supervision"] == ledger.SUPERVISED)


def _township_overdue_table(over: pd.DataFrame, a: Assessment) -> Table:
    """Per 镇街: its schools' overdue items, how many are 挂牌督导, the longest overdue."""
    g = over.groupby("township", sort=False).agg(overdue_items=("key", "size"),
                                                 supervised_items=("supervised", "sum"),
                                                 max_overdue_days=("overdue_days", "max")).reset_index()
    order = {t: i for i, t in enumerate(a.townships)}
    g = g.sort_values("township", key=lambda s: s.map(order))
    return table(g, ["township", "overdue_items", "supervised_items", "max_overdue_days"],
                 caption="各镇街学校事项逾期情况", notes=["各校逾期事项的清单见各镇街报告和整改台账。"])


def overdue_section(scope, *, as_of: dt.date | str | None = None) -> HTML:
    """逾期整改事项: items past their deadline (完成时限) that the data show not met, with the deadline,
    days overdue, responsible units and the 挂牌督导 flag.

    The county report lists the county's own items (全县) in full and counts the schools' items per
    镇街; a 镇街 report lists its own schools' items, nothing of the county's. Deadlines are the
    plan's (:func:`jxedu.analysis.deadlines.plan_deadline`); items that need evidence or lack data
    are counted, not judged (their status is the planner's, in the ledger).

    Parameters
    ----------
    scope
        The county's assessment or a 镇街 view.
    as_of
        The date the report counts from (:func:`jxedu.analysis.deadlines.as_of_date`: default
        ``$JXEDU_AS_OF``, which ``jxedu reports --as-of`` sets, else today).

    Returns
    -------
    IPython.display.HTML
    """
    a = assessment_of(scope)
    as_of = deadlines.as_of_date(as_of)
    items = _ledger_items(a, as_of)
    county = _is_county(scope)
    mine = items.loc[items["township"] == (vocab.COUNTY if county else scope.name)]
    over = _overdue_frame(mine)
    unknown = int((mine["overdue_days"].notna() & (mine["status"] != ledger.OPEN)).sum())
    plan = deadlines.plan_deadline(a)
    s = a.settings
    who = "全县事项" if county else f"{scope.name}学校事项"
    parts = [_h("逾期整改事项", 2)]
    if over.empty:
        parts.append(_para(f"截至{_date_text(as_of)}，{who}中没有已过完成时限仍未达标的事项。"))
    else:
        parts.append(_para(f"截至{_date_text(as_of)}，{who}中已过完成时限仍未达标的 {_n(len(over))} 项，"
                           f"其中挂牌督导 {_n(int(over['supervised'].sum()))} 项，按逾期天数排列。"))
        cols = (["item_name"] if county else ["name", "item_name"]) + ["deadline", "overdue_days", "responsible",
                                                                       "supervised"]
        parts.append(_table(table(over, cols)))
    default = (f"完成时限默认为县实施方案的时限（{_date_text(plan)}），个别事项按方案另定的时限" if plan is not None else
               "数据中没有“通过国家督导评估年份”（“规划目标”表的目标项），尚无完成时限的事项由规划人员在整改台账中填写")
    notes = [f"{default}；规划人员在整改台账中改定的完成时限以台账为准。挂牌督导：逾期超过 {_n(s.supervision_overdue_days)} 天"
             + ("，或县实施方案时限之后仍逾期" if s.supervision_after_plan_deadline and plan is not None else "") + "的事项。"]
    if unknown:
        notes.append(f"另有 {_n(unknown)} 项需佐证材料或数据不足的事项已过完成时限，是否完成以台账中规划人员的记录为准。")
    parts += [_note(n) for n in notes]
    if county:
        schools = _overdue_frame(items.loc[items["township"] != vocab.COUNTY])
        if not schools.empty:
            parts.append(_table(_township_overdue_table(schools, a)))
    return _block(*parts)


# --- appendix -----------------------------------------------------------------------------------


def appendix(scope) -> HTML:
    """附表: every priority, every uncovered village, and the unit costs behind the estimates."""
    a = assessment_of(scope)
    parts = [_h("附表", 2)]
    if not scope.priorities.empty:
        parts += [_h("全部整改事项"), _table(show_priorities.priorities_table(scope), css=_priority_css(scope))]
    if a.missing("coverage") is None and not _is_county(scope):  # the county's are in each 镇街's appendix
        for st in _STAGES:
            t = show_access.uncovered_table(scope, st, max_rows=None)
            if not t.empty:
                parts += [_h(f"超出步行距离且未被校车覆盖的村居（{vocab.word(st)}）"), _table(t)]
    parts += [_h("估算所用单位造价"), _table(show_priorities.costs_table(a))]
    return _block(*parts, css="report-block appendix")



# --- the plan's further tasks ---------------------------------------------------------------------


def plan_tasks_section(scope) -> HTML:
    """其他评估任务: 社会认可度, 特殊群体, 控辍保学, “双减”, 集团化办学 — one line each, then the
    scope's tables of those that have data (the county: the items with their status; a 镇街: its own
    figures, the targets being the county's). A missing table is named with what it would show."""
    a = assessment_of(scope)
    lines = show_plan_tasks.key_figure_lines(scope)[1:]
    against = "国家标准和县规划目标" if a.ds.plan_targets is not None else "国家标准"
    parts = [_h(show_plan_tasks.TITLE, 2),
             _para("社会认可度、特殊群体、控辍保学、“双减”和集团化办学的现状" +
                   (f"，对照{against}。" if _is_county(scope) else "；达标要求是全县指标，本节只列本镇街的情况。")),
             _list(lines)]
    missing = [show_plan_tasks.missing_text(scope, m) for m in show_plan_tasks.SHOWS]
    missing = [m for m in missing if m]
    if missing:
        parts.append(_note("以下表缺失：" + "；".join(missing)))
    if _is_county(scope):  # per 镇街 tables; a 镇街's single row says no more than its lines above
        parts.append(_table(show_plan_tasks.items_table(scope, compact=True), css="report-table items-table"))
        for measure, make in (("special_group_rates", show_plan_tasks.special_groups_table),
                              ("dropout_cases", show_plan_tasks.dropout_table)):
            if a.missing(measure) is None:
                parts.append(_table(make(scope)))
    # the schools behind the figures, where there are any (the lines above say when there are none)
    for measure, make in (("after_school", show_plan_tasks.after_school_table),
                          ("alliance_coverage", show_plan_tasks.uncovered_schools_table),
                          ("school_satisfaction", show_plan_tasks.low_satisfaction_table)):
        if a.missing(measure) is None:
            t = make(scope, max_rows=LIST_ROWS)
            if not t.empty:
                parts.append(_table(t))
    return _block(*parts)
