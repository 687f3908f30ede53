"""Data overview: what a data set holds, per 镇街 and for the county (notebook 00 数据概览).

All figures cover compulsory education only (学段 小学 and 初中); 高中 rows of 十二年一贯制 schools
and 完全中学 are left out.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from jxedu.core.dataset import Dataset
from jxedu.core.schema import COMPULSORY_STAGES

__all__ = [
    "COMPULSORY_STAGES",
    "SUMMARY_COLUMNS",
    "TOTAL_LABEL",
    "county_totals",
    "format_county_totals",
    "plot_township_students",
    "township_summary",
]

#: English key -> Chinese column header of :func:`township_summary`.
SUMMARY_COLUMNS: dict[str, str] = {
    "schools": "学校数",
    "students_primary": "小学在校生数",
    "students_junior": "初中在校生数",
    "students": "在校生数合计",
    "classes": "班级数",
    "teachers": "专任教师数",
    "class_size": "平均班额",
    "student_teacher_ratio": "生师比",
}
#: Label of the county total row.
TOTAL_LABEL = "全县合计"



# --- summaries ----------------------------------------------------------------------------------


def _compulsory_stats(ds: Dataset, year: int) -> pd.DataFrame:
    """学段统计 rows of one year, compulsory stages only, with the school's 镇街."""
    ss = ds.stage_stats
    ss = ss[(ss["year"].astype(int) == year) & ss["stage"].isin(COMPULSORY_STAGES)]
    schools = ds.schools[["school_id", "township"]]
    return ss.merge(pd.DataFrame(schools), on="school_id", how="left", validate="many_to_one")


def _counts(stats: pd.DataFrame) -> pd.DataFrame:
    """Per 镇街 counts (English keys) from :func:`_compulsory_stats` rows."""
    by_stage = stats.pivot_table(
        index="township", columns="stage", values="students", aggfunc="sum", fill_value=0
    )
    out = pd.DataFrame(
        {
            "schools": stats.groupby("township")["school_id"].nunique(),
            "students_primary": by_stage.get("primary"),
            "students_junior": by_stage.get("junior"),
            "classes": stats.groupby("township")["classes"].sum(),
            "teachers": stats.groupby("township")["teachers"].sum(),
        }
    )
    return out.fillna(0).astype("int64")


def _add_ratios(df: pd.DataFrame) -> pd.DataFrame:
    """Add total students, mean class size and student-teacher ratio (NaN when divided by 0)."""
    df = df.copy()
    df["students"] = df["students_primary"] + df["students_junior"]
    df["class_size"] = (df["students"] / df["classes"].where(df["classes"] > 0)).round(1)
    df["student_teacher_ratio"] = (df["students"] / df["teachers"].where(df["teachers"] > 0)).round(1)
    return df


def township_summary(ds: Dataset, *, year: int | None = None, total: bool = True) -> pd.DataFrame:
    """The data set per 镇街: schools, students by stage, classes, teachers (compulsory stages).

    Parameters
    ----------
    ds
        The data set.
    year
        School year (start year, e.g. 2024); ``None`` for the latest in the data.
    total
        Append a county total row labelled :data:`TOTAL_LABEL`.

    Returns
    -------
    pandas.DataFrame
        Index 镇街 (every 镇街 of the data, 街道 first; a 镇街 without schools shows zeros), columns
        with Chinese headers (:data:`SUMMARY_COLUMNS`): 学校数 counts schools with at least one
        小学/初中 row in 学段统计 that year; 平均班额 = 在校生数合计 / 班级数 and
        生师比 = 在校生数合计 / 专任教师数, one decimal, empty when the divisor is 0.
    """
    y = ds.year_or_latest(year)
    stats = _compulsory_stats(ds, y)
    counts = _counts(stats).reindex(ds.townships_list, fill_value=0)
    if total:
        all_rows = stats.assign(township=TOTAL_LABEL)
        counts = pd.concat([counts, _counts(all_rows).reindex([TOTAL_LABEL], fill_value=0)])
    table = _add_ratios(counts)[list(SUMMARY_COLUMNS)].rename(columns=SUMMARY_COLUMNS)
    table.index.name = "镇街"
    return table


def county_totals(ds: Dataset, *, year: int | None = None) -> dict:
    """Key figures of the county for one year (compulsory stages).

    Parameters
    ----------
    ds
        The data set.
    year
        School year; ``None`` for the latest.

    Returns
    -------
    dict
        ``year``; ``townships`` (number of 镇街 in the data); ``schools`` (schools with a 小学 or
        初中 row that year), ``schools_primary``, ``schools_junior`` (a 九年一贯制 school counts in
        both); ``students``, ``students_primary``, ``students_junior``; ``classes``; ``teachers``
        (专任教师). All plain ``int``.
    """
    y = ds.year_or_latest(year)
    stats = _compulsory_stats(ds, y)
    by_stage = stats.groupby("stage")
    students = by_stage["students"].sum()
    schools = by_stage["school_id"].nunique()
    return {
        "year": y,
        "townships": len(ds.townships_list),
        "schools": int(stats["school_id"].nunique()),
        "schools_primary": int(schools.get("primary", 0)),
        "schools_junior": int(schools.get("junior", 0)),
        "students": int(stats["students"].sum()),
        "students_primary": int(students.get("primary", 0)),
        "students_junior": int(students.get("junior", 0)),
        "classes": int(stats["classes"].sum()),
        "teachers": int(stats["teachers"].sum()),
    }


def format_county_totals(totals: dict) -> str:
    """Chinese text of :func:`county_totals`, one figure a line (for notebooks and reports)."""
    t = totals
    return "\n".join(
        [
            f"学年：{t['year']}—{t['year'] + 1}",
            f"镇街：{t['townships']} 个",
            f"学校：{t['schools']} 所（有小学学段 {t['schools_primary']} 所，有初中学段 {t['schools_junior']} 所）",
            f"在校生：{t['students']} 人（小学 {t['students_primary']} 人，初中 {t['students_junior']} 人）",
            f"班级：{t['classes']} 个",
            f"专任教师：{t['teachers']} 人",
        ]
    )


# --- chart --------------------------------------------------------------------------------------


def plot_township_students(summary: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Stacked bar chart of 小学/初中 students per 镇街.

    Parameters
    ----------
    summary
        Output of :func:`township_summary` (the total row, if any, is left out).
    title
        Chart title; default 各镇街义务教育在校生数.

    Returns
    -------
    matplotlib.figure.Figure
        The chart.
    """
    from jxedu.present import style as plotting

    data = summary.drop(index=TOTAL_LABEL, errors="ignore")
    fig, ax = plotting.new_figure(title=title or "各镇街义务教育在校生数")
    names = [str(n) for n in data.index]
    primary = data[SUMMARY_COLUMNS["students_primary"]].to_numpy()
    junior = data[SUMMARY_COLUMNS["students_junior"]].to_numpy()
    ax.bar(names, primary, color=plotting.STAGE_COLORS["primary"], label="小学")
    ax.bar(names, junior, bottom=primary, color=plotting.STAGE_COLORS["junior"], label="初中")
    ax.set_xlabel("镇街")
    ax.set_ylabel("在校生数（人）")
    for label in ax.get_xticklabels():
        label.set(rotation=45, horizontalalignment="right", rotation_mode="anchor")
    ax.legend(title="学段")
    return fig
