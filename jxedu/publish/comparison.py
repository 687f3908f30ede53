"""The 方案比选 PDF: two to five layout scenarios side by side, a document the bureau can send.

:func:`comparison_pdf` writes one A4 PDF (WeasyPrint, the report stylesheet, the offline URL fetcher
of :mod:`jxedu.publish.reports`): a title naming every scenario, the two baselines
(:func:`jxedu.present.access.baselines_table`), the comparison table
(:func:`jxedu.present.scenarios.comparison_table`: indicators, CVs, distances, bus, costs, pupils
moved), then per scenario what it does, a static map of its changes, where the pupils go and its
估算 costs, and how the evaluation works. The file appears whole or not at all (written in the
target's folder under a temporary name, then moved with ``os.replace``).

Every text from the data or a scenario file (scenario, school and 镇街 names) is escaped: tables
through :meth:`~jxedu.present.tables.Table.to_html`, notes by :mod:`jxedu.present.scenarios`, titles
and headings here with :mod:`jxedu.present.escape` (HTML text, ``<title>``, the CSS page header).
"""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Sequence
from pathlib import Path

from jxedu.core.errors import ReportError, ScenarioError
from jxedu.core.tempfiles import temp_file
from jxedu.planning import scenarios as sc
from jxedu.present import access, escape
from jxedu.present import scenarios as present
from jxedu.present.text import Note, synthetic_notice
from jxedu.publish.reports import REPORT_CSS, html_to_pdf

__all__ = ["MAX_SCENARIOS", "comparison_html", "comparison_pdf"]

#: Scenarios one comparison may hold (besides the baseline).
MAX_SCENARIOS = 5  # scenarios


def _note_html(note: Note) -> str:
    """A presentation note (Markdown whose data text is already escaped) as HTML; raw HTML is not
    passed through."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).render(str(note))


def _figure_html(fig) -> str:
    """A matplotlib figure as an inline PNG (no file, no network)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" style="width:100%" alt="">'


def _check(results: Sequence[sc.ScenarioResult]) -> None:
    if not 1 <= len(results) <= MAX_SCENARIOS:
        raise ScenarioError(f"一次比选 1 至 {MAX_SCENARIOS} 个方案 (too_many_scenarios): 给出了 {len(results)} 个")


def comparison_html(ds, baseline: sc.ScenarioResult, results: Sequence[sc.ScenarioResult]) -> str:
    """The 方案比选 document as standalone HTML (images inline, no external resource).

    Parameters
    ----------
    ds
        The data set (county name, 镇街 boundaries, the synthetic mark).
    baseline
        :func:`jxedu.planning.scenarios.evaluate` without a scenario.
    results
        One to :data:`MAX_SCENARIOS` evaluated scenarios, in the order to show.

    Returns
    -------
    str
    """
    import jxedu

    _check(results)
    a = jxedu.assess(ds, year=baseline.year)
    names = [present.result_name(r) for r in results]
    esc = escape.html_text
    title = f"{ds.county_name}学校布局调整方案比选"
    parts = [
        '<div class="report-title"><div class="report-kicker">学校布局调整 · 方案比选</div>',
        f"<h1>{esc(title)}</h1>",
        f'<div class="report-meta">{esc(str(baseline.year))}学年 · 比选方案：{esc("、".join(names))}</div></div>',
    ]
    notice = synthetic_notice(a)
    if notice:
        parts.append(f'<div class="synthetic-notice">{_note_html(Note(str(notice).lstrip("> ")))}</div>')
    parts += ["<h2>一、现状的两种口径</h2>", access.baselines_table(a).to_html(),
              "<h2>二、方案对比（全县）</h2>",
              present.comparison_table([baseline, *results]).to_html(css="jx-table comparison-table")]
    for i, (res, name) in enumerate(zip(results, names, strict=True), 1):
        parts += [f'<h2 style="break-before: page">{_chinese_number(i + 2)}、方案{i}：{esc(name)}</h2>',
                  _note_html(present.scenario_note(res)),
                  _note_html(present.headline(baseline, res)),
                  _figure_html(present.change_figure(ds, res)),
                  "<h3>学生去向</h3>", present.moves_table(res, max_rows=12).to_html(),
                  present.cost_table(res).to_html()]
    parts += [f"<h2>{_chinese_number(len(results) + 3)}、评估方法</h2>", _note_html(present.model_note(a))]
    css = REPORT_CSS.read_text(encoding="utf-8")
    header = (f'@page {{ @top-center {{ content: "{escape.css_string(title)}"; }} }}\n'
              ".comparison-table { table-layout: fixed; }\n"
              ".comparison-table th:first-child { width: 26%; }\n"
              ".comparison-table td.num { white-space: normal; word-break: break-all; }\n"
              "img { break-inside: avoid; }")
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{escape.title_text(title + '：' + '、'.join(names))}</title><style>{css}\n{header}</style></head>"
            f"<body>{''.join(parts)}</body></html>")


_NUMBERS = "一二三四五六七八九十"


def _chinese_number(n: int) -> str:
    return _NUMBERS[n - 1] if 1 <= n <= 10 else str(n)


def comparison_pdf(ds, baseline: sc.ScenarioResult, results: Sequence[sc.ScenarioResult],
                   out: str | os.PathLike) -> Path:
    """Write the 方案比选 PDF atomically.

    Parameters
    ----------
    ds, baseline, results
        As :func:`comparison_html`.
    out
        The PDF file to write (its folder is created).

    Returns
    -------
    Path
        The PDF written.

    Raises
    ------
    ReportError
        The PDF could not be written (the target is left as it was).
    ScenarioError
        No scenario, or more than :data:`MAX_SCENARIOS`.
    """
    _check(results)
    target = Path(out)
    if target.suffix.lower() != ".pdf":
        raise ReportError(f"输出文件应以 .pdf 结尾 (bad_output): {target.name}")
    target.parent.mkdir(parents=True, exist_ok=True)
    text = comparison_html(ds, baseline, results)
    tmp = temp_file(target.parent, f".tmp-{target.stem}-", suffix=".pdf")
    try:
        html_to_pdf(text, tmp)
        os.replace(tmp, target)
    except OSError as exc:
        raise ReportError(f"无法写出方案比选 PDF (unwritable_output): {target}: {exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return target.resolve()
