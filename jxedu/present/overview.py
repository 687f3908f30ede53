"""What a planner sees of the data overview (notebook 00): the data set per 镇街 and for the county."""

from __future__ import annotations

from matplotlib.figure import Figure

from jxedu.core import vocabulary as vocab
from jxedu.core.vocabulary import fmt
from jxedu.present import style
from jxedu.present.tables import Table, table

__all__ = ["key_figures", "problems_table", "students_chart", "township_table"]


def key_figures(scope) -> str:
    """The key figures of the year, one a line (compulsory stages): the county's, or a 镇街's."""
    if scope.name != vocab.COUNTY:
        r = scope.township_summary.iloc[0]
        return "\n".join([
            f"学年：{scope.year}—{scope.year + 1}",
            f"镇街：{scope.name}",
            f"学校：{fmt(r['schools'], 'int')} 所",
            f"在校生：{fmt(r['students'], 'int')} 人（小学 {fmt(r['students_primary'], 'int')} 人，"
            f"初中 {fmt(r['students_junior'], 'int')} 人）",
            f"班级：{fmt(r['classes'], 'int')} 个",
            f"专任教师：{fmt(r['teachers'], 'int')} 人",
        ])
    t = scope.county_totals
    return "\n".join(
        [
            f"学年：{t['year']}—{t['year'] + 1}",
            f"镇街：{t['townships']} 个",
            f"学校：{t['schools']} 所（有小学学段 {t['schools_primary']} 所，有初中学段 {t['schools_junior']} 所）",
            f"在校生：{fmt(t['students'], 'int')} 人（小学 {fmt(t['students_primary'], 'int')} 人，初中 {fmt(t['students_junior'], 'int')} 人）",
            f"班级：{fmt(t['classes'], 'int')} 个",
            f"专任教师：{fmt(t['teachers'], 'int')} 人",
        ]
    )


def township_table(scope) -> Table:
    """Schools, students by stage, classes, teachers, mean class size and student-teacher ratio per 镇街."""
    return table(scope.township_summary, notes=["义务教育学段（小学、初中）；平均班额 = 在校生 ÷ 班级数，生师比 = 在校生 ÷ 专任教师。"])


def students_chart(scope, *, title: str | None = None) -> Figure:
    """Stacked bars of 小学 and 初中 students per 镇街 (the county row left out)."""
    a = scope
    data = a.township_summary
    data = data.loc[data["township"] != vocab.COUNTY]
    fig, ax = style.new_figure(title=title or f"{a.year}学年 各镇街义务教育在校生")
    names = data["township"].astype(str).tolist()
    primary = data["students_primary"].to_numpy()
    junior = data["students_junior"].to_numpy()
    ax.bar(names, primary, color=style.STAGE_COLORS["primary"], label=vocab.word("primary"))
    ax.bar(names, junior, bottom=primary, color=style.STAGE_COLORS["junior"], label=vocab.word("junior"))
    ax.set_xlabel(vocab.field("township").label)
    ax.set_ylabel(vocab.header("students"))
    for label in ax.get_xticklabels():
        label.set(rotation=45, horizontalalignment="right", rotation_mode="anchor")
    ax.legend(title=vocab.field("stage").label)
    return fig


def problems_table(report, *, max_rows: int | None = 200) -> Table:
    """The problems of a data-set check (:func:`jxedu.validate`), errors first, each with its place.

    Parameters
    ----------
    report
        A :class:`~jxedu.ingest.problems.ValidationReport`.
    max_rows
        Show at most this many (a note says how many more and where the whole list is).
    """
    import pandas as pd

    frame = pd.DataFrame([p.to_dict() for p in report.problems],
                         columns=["severity", "message", "file", "sheet", "row", "column", "value", "expected"])
    frame = frame.sort_values("severity", key=lambda s: s.map({"error": 0, "warning": 1}), kind="stable")
    return table(frame, ["severity", "message", "file", "sheet", "row", "column", "value", "expected"],
                 formats={"value": "text"}, labels={"value": "单元格内容"}, max_rows=max_rows, rest="完整清单见命令 jxedu validate 的输出",
                 empty="未发现问题。", caption=report.summary())
