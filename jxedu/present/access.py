"""Access to school and school buses as a planner reads them: tables, charts, sentences and the
school table of the layout maps.

Every function takes an :class:`~jxedu.analysis.assessment.Assessment` or a
:class:`~jxedu.analysis.assessment.TownshipView` (``scope = a.scope(township)``) and reads the
assessment's measures — ``access(stage)``, ``distance_summary(stage)``, ``nearby_share(stage)``,
``coverage_summary(stage)``, ``uncovered(stage)``, ``catchments(stage)``, ``bus_routes``,
``bus_stops``, ``ride_times``, ``indicators`` — and never computes them again: a 镇街's figures are
the rows of the county-wide result that concern it (the nearest school of a village may lie in the
next 镇街, a bus route may serve schools of two 镇街).

Headers, units and formats come from the vocabulary (``fields-access.csv``, ``words-access.csv``);
tables are :class:`~jxedu.present.tables.Table`. Numbers that are settings — walking limits, how far
a pupil walks to a stop, the school-stop radius, the ages of a stage — are printed from the settings
(:func:`assumptions_table`, :func:`walk_limits_note`, :func:`coverage_rule_note`), never typed.

>>> import jxedu
>>> a = jxedu.assess(jxedu.open_data(None))                    # doctest: +SKIP
>>> nearby_table(a.township("王丕街道"), "primary")             # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from jxedu.analysis.assessment import Scope, assessment_of, township_of
from jxedu.core import standards
from jxedu.core import vocabulary as vocab
from jxedu.core.errors import DataError
from jxedu.core.schema import COMPULSORY_STAGES, FACILITIES, STAGE_STATS
from jxedu.planning import assignment as asg
from jxedu.present.escape import markdown_text
from jxedu.present.tables import Table, scope_columns, table
from jxedu.present.text import Note

__all__ = [
    "SCHOOL_GROUPS",
    "access_headline",
    "assumptions",
    "assumptions_table",
    "band_labels",
    "beyond_walk_table",
    "bus_headline",
    "catchment_table",
    "coverage_headline",
    "coverage_rule_note",
    "coverage_table",
    "distance_chart",
    "distance_table",
    "enrolment_band",
    "enrolment_bands",
    "key_figures",
    "key_figures_table",
    "layout_headline",
    "nearby_table",
    "no_bus_cells",
    "normalise_status",
    "place_name",
    "ride_time_table",
    "route_table",
    "school_counts",
    "school_counts_table",
    "school_table",
    "stop_table",
    "straight_note",
    "uncovered_table",
    "walk_limits_note",
]

#: What the functions take: the county's assessment or a 镇街 view of it.

#: Joins the items of a list cell (schools a route serves, routes calling at a stop).
LIST_SEP = "、"

# --- scope ---------------------------------------------------------------------------------------


def place_name(scope: Scope) -> str:
    """The county's name from the data, then the 镇街: ``金乡县``, ``金乡县王丕街道``."""
    return f"{scope.county_name}{township_of(scope) or ''}"


def _stage_word(stage: str) -> str:
    if stage not in COMPULSORY_STAGES:
        raise DataError(f"学段无效 (bad_stage): {stage}；可选 primary（小学）、junior（初中）")
    return vocab.word(stage)


def _unavailable(scope: Scope, measure: str, columns: Sequence[str], caption: str) -> Table | None:
    """An empty table saying which data are missing, or ``None`` when the measure can be computed."""
    reason = assessment_of(scope).missing(measure)
    if reason is None:
        return None
    return table(pd.DataFrame(columns=list(columns)), columns, caption=caption, notes=[f"{reason}。"])


def _scope_row(frame: pd.DataFrame, scope: Scope) -> pd.Series:
    """The row of a per-镇街 summary that is the scope: the county row, or the 镇街's only row."""
    rows = frame[frame["township"] == (township_of(scope) or vocab.COUNTY)]
    if rows.empty:  # a county of one 镇街 has no separate county row
        rows = frame.tail(1)
    return rows.iloc[0]


def _joined(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """List cells as text joined by 、 (an empty list shows —)."""
    out = pd.DataFrame(frame).copy()
    for c in columns:
        out[c] = [LIST_SEP.join(map(str, v)) if len(v) else None for v in out[c]]
    return out


def _m(metres: float) -> str:
    return f"{vocab.fmt(metres, 'm0')} 米"


# --- planning assumptions ------------------------------------------------------------------------


def assumptions(scope: Scope) -> pd.DataFrame:
    """The settings behind the access and bus figures: ``assumption, assumption_value, assumption_basis``.

    Parameters
    ----------
    scope
        An assessment or a 镇街 view (the settings are the assessment's).

    Returns
    -------
    pandas.DataFrame
    """
    a = assessment_of(scope)
    s = a.settings
    walk = s.walk_limit_m
    ages = {st: f"{min(v)}–{max(v)} 岁" for st, v in s.stage_ages.items()}
    rows = [
        ("小学步行距离上限", vocab.km_text(walk["primary"]), "规划假设（参照农村小学服务半径），不是国家标准；设置项 walk_limit_m"),
        ("初中步行距离上限", vocab.km_text(walk["junior"]), "规划假设（参照农村初中服务半径），不是国家标准；设置项 walk_limit_m"),
        ("村居到校车站点的步行距离", _m(s.bus_stop_access_m), "村居到站点的直线距离；设置项 bus_stop_access_m"),
        ("学校站点半径", _m(s.school_stop_radius_m), "站点距学校在此距离以内即视为服务该校；设置项 school_stop_radius_m"),
        ("校车速度（时刻表缺少时间时）", f"{vocab.fmt(s.bus_speed_kmh, 'g')} 公里/小时",
         "仅用于估算乘车时间；设置项 bus_speed_kmh"),
        ("小学学龄人口", ages.get("primary", vocab.MISSING), "村居年龄表中这些年龄之和；设置项 stage_ages"),
        ("初中学龄人口", ages.get("junior", vocab.MISSING), "村居年龄表中这些年龄之和；设置项 stage_ages"),
    ]
    if a.missing("access") is None:
        method = a.access("primary").attrs.get("method", "straight")
        basis = "有道路数据，沿道路计算（加上村居、学校到最近道路的直线距离）" if method == "network" \
            else "没有道路数据，按直线计算"
        rows.append(("距离计算方法", vocab.word(method, "distance_method"), basis))
    return pd.DataFrame(rows, columns=["assumption", "assumption_value", "assumption_basis"])


def assumptions_table(scope: Scope) -> Table:
    """The planning assumptions (walking limits, stop distances, ages …) as a table."""
    return table(assumptions(scope), caption="规划假设（可在设置中修改）")


def walk_limits_note(scope: Scope) -> Note:
    """One sentence with the walking limits of the settings (for notebook prose)."""
    walk = assessment_of(scope).settings.walk_limit_m
    return Note(f"步行距离上限（规划假设，可在设置中修改）：小学 {vocab.km_text(walk['primary'])}、初中 {vocab.km_text(walk['junior'])}。")


def coverage_rule_note(scope: Scope) -> Note:
    """The rule of school-bus coverage with the distances of the settings (for notebook prose)."""
    s = assessment_of(scope).settings
    return Note(
        f"校车线路的班次在距学校 {_m(s.school_stop_radius_m)}以内的站点停靠，即视为服务该校。"
        f"超出步行距离的村居，若 {_m(s.bus_stop_access_m)}以内有站点、且有早班车从该站开往其划片学校，"
        "即为校车覆盖；否则为未覆盖。"
    )


# --- schools of the layout -----------------------------------------------------------------------

#: Map layer of each kind of school: layer key -> school types (codes of :mod:`jxedu.core.schema`);
#: the Chinese names are the vocabulary's words of kind ``school_group``.
SCHOOL_GROUPS: dict[str, tuple[str, ...]] = {
    "primary": ("primary",),
    "junior": ("junior",),
    "through": ("nine_year", "twelve_year", "complete_middle"),
    "teaching_point": ("teaching_point",),
}
_GROUP_OF_TYPE: dict[str, str] = {t: g for g, types in SCHOOL_GROUPS.items() for t in types}
#: Columns of :func:`school_counts` per layer key.
_COUNT_KEYS = {"primary": "primary_schools", "junior": "junior_schools", "through": "through_schools",
               "teaching_point": "teaching_points"}
_BAND_MEDIUM_MAX = 999  # students: upper end of the 100–999 band (display only)

_STATUS_WORDS = {
    "达标": "pass", "pass": "pass", "通过": "pass", "接近达标": "near", "near": "near",
    "未达标": "fail", "不达标": "fail", "fail": "fail", "不参评": None, "未参评": None, "": None,
}
_STATUS_RANK = {"pass": 0, "near": 1, "fail": 2}


def _status_value(value) -> str | None:
    """One status value -> ``"pass"``/``"near"``/``"fail"``/``None`` (not assessed)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return "pass" if value else "fail"
    text = str(value).strip()
    if text not in _STATUS_WORDS:
        raise DataError(f"学校达标情况的取值无法识别 (bad_status): {text}；可用：达标、接近达标、未达标、不参评")
    return _STATUS_WORDS[text]


def _status_pairs(school_status):
    if isinstance(school_status, pd.DataFrame):
        col = next((c for c in ("status", "passes", "passed", "pass") if c in school_status.columns), None)
        if "school_id" not in school_status.columns or col is None:
            raise DataError(
                "学校达标情况表需要列 school_id 与 status/passes (missing_column): "
                f"现有列：{'、'.join(map(str, school_status.columns))}"
            )
        return zip(school_status["school_id"].astype(str), school_status[col], strict=True)
    if isinstance(school_status, pd.Series):
        return zip(school_status.index.astype(str), school_status.to_numpy(), strict=True)
    if isinstance(school_status, Mapping):
        return ((str(k), v) for k, v in school_status.items())
    raise DataError(f"school_status 应为字典、Series 或 DataFrame (bad_status_table): {type(school_status).__name__}")


def normalise_status(school_status) -> dict[str, str | None]:
    """Per-school status from a mapping, Series or DataFrame.

    Parameters
    ----------
    school_status
        * a mapping or Series ``school_id -> "达标"/"未达标"`` (also ``"接近达标"``, ``"不参评"``,
          ``True``/``False`` or ``"pass"``/``"near"``/``"fail"``), or
        * a DataFrame with a ``school_id`` column and one of ``status``, ``passes``, ``passed``,
          ``pass`` (e.g. ``a.indicators``: one row per school and stage).

        A school with several rows (one per 学段) gets its worst status: a 九年一贯制学校 passes only
        when both of its 部 pass.

    Returns
    -------
    dict
        ``school_id -> "pass" | "near" | "fail" | None``.
    """
    out: dict[str, str | None] = {}
    for sid, value in _status_pairs(school_status):
        status = _status_value(value)
        old = out.get(sid)
        if sid not in out or (status is not None and (old is None or _STATUS_RANK[status] > _STATUS_RANK[old])):
            out[sid] = status
    return out


def enrolment_bands(students, school_types, has_stats) -> np.ndarray:
    """Enrolment band of each school, for colouring before indicator results exist.

    Bands: ``small`` under the small-school funding floor (``small_school_funded_as``, 100 students),
    ``medium`` up to 999, ``large`` up to the school-size cap of the standard
    (:func:`jxedu.core.standards.school_size_caps` without the transitional relaxation: 2000; 2500
    for 九年/十二年一贯制), ``over`` above it, ``nodata`` without 学段统计 rows for the year.

    Parameters
    ----------
    students
        Compulsory-stage students per school.
    school_types
        Type codes (:data:`jxedu.core.schema.SCHOOL_TYPES` values).
    has_stats
        Whether each school has statistics for the year.

    Returns
    -------
    numpy.ndarray of str
    """
    n = np.asarray(students, dtype=float)
    types = list(school_types)
    nan = np.full(len(types), np.nan)
    cap = standards.school_size_caps(types, nan, nan, relaxation=False)["cap"].to_numpy(dtype=float)
    small = standards.threshold("small_school_funded_as")
    band = np.select([n < small, n <= _BAND_MEDIUM_MAX, n <= cap], ["small", "medium", "large"], "over")
    return np.where(np.asarray(has_stats, dtype=bool) & np.isfinite(n), band, "nodata").astype(object)


def enrolment_band(students, school_type: str, *, has_stats: bool = True) -> str:
    """:func:`enrolment_bands` of one school."""
    n = np.nan if students is None or pd.isna(students) else float(students)
    return str(enrolment_bands([n], [school_type], [has_stats])[0])


def band_labels() -> dict[str, str]:
    """Chinese legend labels of the enrolment bands (figures from the standards table)."""
    small = vocab.fmt(standards.threshold("small_school_funded_as"), "int")
    single = vocab.fmt(standards.threshold("school_size_max", "single_stage"), "int")
    through = vocab.fmt(standards.threshold("school_size_max", "through"), "int")
    return {
        "small": f"不足{small}人",
        "medium": f"{small}–{_BAND_MEDIUM_MAX}人",
        "large": f"{_BAND_MEDIUM_MAX + 1}人至规模上限",
        "over": f"超过规模上限（{single}人；九年/十二年一贯制{through}人）",
        "nodata": "本学年无统计",
    }


def _can_assess(ds) -> bool:
    """Whether the data hold every required column the resource indicators read."""
    for t in (FACILITIES, STAGE_STATS):
        frame = getattr(ds, t.key)
        if frame is None or frame.empty or any(c.required and c.key not in frame.columns for c in t.columns):
            return False
    return True


def school_table(scope: Scope, *, school_status=None) -> gpd.GeoDataFrame:
    """One row per school of the scope with its enrolment of the year and its status, for maps and
    the school counts.

    Parameters
    ----------
    scope
        An assessment (every school) or a 镇街 view (its schools).
    school_status
        Per-school status (see :func:`normalise_status`); ``None`` = the assessment's indicators
        (``a.indicators``: a school passes when each of its assessed 部 passes) when the data allow,
        else no status.

    Returns
    -------
    geopandas.GeoDataFrame
        WGS-84 points with ``school_id, name, school_type, group, township, urban_rural,
        students_primary, students_junior, students_senior, students`` (小学 + 初中), ``classes``
        (小学 + 初中), ``teachers`` (all stages), ``has_stats``, ``status`` (``pass``/``near``/
        ``fail``/None), ``band``, ``x``, ``y`` (UTM 50N metres). ``attrs``: ``year``, ``has_status``.
    """
    a = assessment_of(scope)
    ds, y = a.ds, a.year
    schools = ds.schools.copy()
    schools["school_id"] = schools["school_id"].astype(str)
    st = ds.stage_stats[ds.stage_stats["year"] == y].copy()
    st["school_id"] = st["school_id"].astype(str)
    students = st.pivot_table(index="school_id", columns="stage", values="students", aggfunc="sum")
    compulsory = st[st["stage"].isin(COMPULSORY_STAGES)]
    sid = schools["school_id"]
    for stage in ("primary", "junior", "senior"):
        col = students[stage] if stage in students.columns else pd.Series(dtype=float)
        schools[f"students_{stage}"] = sid.map(col).fillna(0).astype(int).to_numpy()
    schools["students"] = schools["students_primary"] + schools["students_junior"]
    schools["classes"] = _per_school(compulsory, "classes", sid)
    schools["teachers"] = _per_school(st, "teachers", sid)
    schools["has_stats"] = sid.isin(set(st["school_id"])).to_numpy()
    schools["group"] = schools["school_type"].map(_GROUP_OF_TYPE)
    if school_status is not None:
        status = normalise_status(school_status)
    elif _can_assess(ds):
        status = normalise_status(a.indicators[["school_id", "passes"]])
    else:
        status = {}
    schools["status"] = pd.Series([status.get(s) for s in sid], index=schools.index, dtype=object)
    schools["band"] = enrolment_bands(schools["students"], schools["school_type"], schools["has_stats"])
    township = township_of(scope)
    if township is not None:
        schools = schools[schools["township"] == township]
    schools.attrs.update(year=y, has_status=bool(status))
    return schools


def _per_school(stats: pd.DataFrame, column: str, school_ids: pd.Series) -> np.ndarray:
    """A column of 学段统计 summed per school (0 without rows; NaN when the data lack the column)."""
    if column not in stats.columns:
        return np.full(len(school_ids), np.nan)
    return school_ids.map(stats.groupby("school_id")[column].sum()).fillna(0).astype(int).to_numpy()


def school_counts(scope: Scope) -> pd.DataFrame:
    """Schools by kind and compulsory-stage students per 镇街 (the county: every 镇街, 街道 first,
    and a last row 全县; a 镇街: its row).

    Returns
    -------
    pandas.DataFrame
        ``township, primary_schools, junior_schools, through_schools, teaching_points, schools,
        compulsory_students``. Schools without statistics in the year are counted (they are in the
        学校 table).
    """
    t = school_table(scope)
    township = township_of(scope)
    names = scope.townships if township is None else [township]
    rows = []
    for name in names:
        sub = t[t["township"] == name]
        row = {"township": name, **{_COUNT_KEYS[g]: int((sub["group"] == g).sum()) for g in SCHOOL_GROUPS}}
        rows.append({**row, "schools": len(sub), "compulsory_students": int(sub["students"].sum())})
    out = pd.DataFrame(rows)
    if township is None:
        out = pd.concat([out, pd.DataFrame([{"township": vocab.COUNTY,
                                             **out.drop(columns="township").sum().to_dict()}])],
                        ignore_index=True)
    return out


def school_counts_table(scope: Scope) -> Table:
    """:func:`school_counts` as a table."""
    return table(
        school_counts(scope),
        caption=f"{place_name(scope)}各类学校（{scope.year}学年）",
        notes=["一贯制学校含九年一贯制、十二年一贯制学校和完全中学；义务教育在校生为小学、初中在校生之和。"],
    )


def layout_headline(scope: Scope) -> Note:
    """One line of key figures: schools by kind and compulsory-stage students.

    E.g. ``2026学年 金乡县：学校 151 所（小学 102 所、初中 22 所、一贯制学校 12 所、教学点 15 所），
    义务教育在校生 75,866 人``.
    """
    row = school_counts(scope).iloc[-1]
    kinds = "、".join(f"{vocab.word(g, 'school_group')} {vocab.fmt(row[_COUNT_KEYS[g]], 'int')} 所"
                      for g in SCHOOL_GROUPS)
    return Note(f"{scope.year}学年 {markdown_text(place_name(scope))}：学校 {vocab.fmt(row['schools'], 'int')} 所（{kinds}），"
                f"义务教育在校生 {vocab.fmt(row['compulsory_students'], 'int')} 人")


# --- distance to school --------------------------------------------------------------------------

_DISTANCE_COLUMNS = ["township", "villages", "pupils", "mean_m", "median_m", "p90_m", "max_m",
                     "beyond_pupils", "beyond_share"]
_NEARBY_COLUMNS = ["township", "villages", "pupils", "nearest_pupils", "nearby_share"]


def _method_word(scope: Scope, stage: str) -> str:
    return vocab.word(assessment_of(scope).access(stage).attrs.get("method", "straight"), "distance_method")


def straight_note(scope: Scope) -> str:
    """``（直线距离）`` when the distances of the scope are straight lines (no road layer), else ``""``."""
    a = assessment_of(scope)
    if a.missing("access") is not None or a.access("primary").attrs.get("method", "straight") != "straight":
        return ""
    return f"（{vocab.word('straight', 'distance_method')}）"


def no_bus_cells(t: Table, scope: Scope, keys: Sequence[str]) -> Table:
    """Write :data:`jxedu.core.vocabulary.NO_BUS_DATA` into the bus-coverage columns of a table when the
    data have no bus feed (a missing figure, never 0 %), with a note saying so."""
    if assessment_of(scope).missing("coverage_summary") is None or t.empty:
        return t
    for k in keys:
        for head in (vocab.header(k), vocab.header(k, short=True)):
            if head in t.frame.columns:
                t.frame[head] = vocab.NO_BUS_DATA
    t.notes.append(f"{vocab.NO_BUS_DATA}：数据中没有公交助学线路（GTFS，公交.zip），校车覆盖无法计算（不是 0）。")
    return t


def distance_table(scope: Scope, stage: str) -> Table:
    """Distance to the assigned school per 镇街 and the county (a 镇街: its row), weighted by pupils.

    Parameters
    ----------
    scope
        An assessment or a 镇街 view.
    stage
        ``"primary"`` or ``"junior"``.

    Returns
    -------
    Table
    """
    caption = f"{place_name(scope)}{_stage_word(stage)}学龄人口到划片学校的距离"
    cols = scope_columns(scope, _DISTANCE_COLUMNS)
    missing = _unavailable(scope, "distance_summary", cols, caption)
    if missing is not None:
        return missing
    limit = assessment_of(scope).access(stage).attrs["walk_limit_m"]
    return table(
        scope.distance_summary(stage), cols,
        caption=f"{caption}（{_method_word(scope, stage)}）",
        notes=["平均距离、中位距离和 90% 分位距离按学龄人口加权：中位距离以内住着一半的学龄人口。",
               f"步行距离上限 {vocab.km_text(limit)}（规划假设）。"],
    )


def nearby_table(scope: Scope, stage: str) -> Table:
    """就近入学比例 per 镇街 and the county (a 镇街: its row of the county-wide result)."""
    caption = f"{place_name(scope)}{_stage_word(stage)}就近入学比例"
    cols = scope_columns(scope, _NEARBY_COLUMNS)
    missing = _unavailable(scope, "nearby_share", cols, caption)
    if missing is not None:
        return missing
    return table(
        scope.nearby_share(stage), cols, caption=caption,
        notes=["就近入学比例：划片学校（所在镇街内最近的同学段学校）同时也是全县范围内最近学校的学龄人口占比；"
               "镇街边界附近的村居，最近的学校可能在邻近镇街。数据中只有村居的学龄人口，没有每个学生的实际就读学校，"
               "所以这是按划片规则的估算。"],
    )


#: A village's distance to school in whole metres: near the walking limit one decimal of a kilometre
#: would show 2.0 for a village 2,040 m away, beyond a 2 km limit.
_IN_METRES = {"formats": {"distance_m": "m0"}, "labels": {"distance_m": f"{vocab.field('distance_m').label}（米）"}}


def beyond_walk_table(scope: Scope, stage: str, *, max_rows: int | None = 20) -> Table:
    """The 村居 beyond walking distance of their assigned school, most pupils first.

    Parameters
    ----------
    scope
        An assessment or a 镇街 view.
    stage
        ``"primary"`` or ``"junior"``.
    max_rows
        Show at most this many rows (a note says how many there are); ``None`` = all.

    Returns
    -------
    Table
    """
    caption = f"{place_name(scope)}超出步行距离的村居（{_stage_word(stage)}）{straight_note(scope)}"
    cols = scope_columns(scope, ["township", "village_name", "pupils", "assigned_school_name", "distance_m",
                                   "assigned_outside"])
    missing = _unavailable(scope, "access", cols, caption)
    if missing is not None:
        return missing
    acc = scope.access(stage)
    far = acc[acc["beyond_walk"].astype(bool) & (acc["demand"] > 0)]
    far = far.sort_values(["demand", "distance_m"], ascending=[False, False], kind="stable")
    far = pd.DataFrame(far.drop(columns="geometry")).rename(columns={"name": "village_name", "demand": "pupils"})
    return table(far, cols, caption=caption, max_rows=max_rows, empty="没有超出步行距离的村居。", **_IN_METRES,
                 notes=["按学龄人口从多到少排列；这些村居的孩子需要校车（公交助学）或寄宿。"])


def access_headline(scope: Scope, stage: str) -> Note:
    """One line: villages, pupils, pupils beyond walking distance and the 就近入学 share of a stage."""
    word = _stage_word(stage)
    if assessment_of(scope).missing("access") is not None:
        return Note(f"{word}：{assessment_of(scope).missing('access')}")
    d = _scope_row(scope.distance_summary(stage), scope)
    near = _scope_row(scope.nearby_share(stage), scope)
    acc = scope.access(stage)
    n_far = int(acc["beyond_walk"].astype(bool).sum())
    limit = assessment_of(scope).access(stage).attrs["walk_limit_m"]
    return Note(
        f"{word}：村居 {vocab.fmt(d['villages'], 'int')} 个，学龄人口 {vocab.fmt(d['pupils'], 'int')} 人；"
        f"超出步行距离（{vocab.km_text(limit)}{'，按直线距离' if straight_note(scope) else ''}）的村居 {vocab.fmt(n_far, 'int')} 个、学龄人口 "
        f"{vocab.fmt(d['beyond_pupils'], 'int')} 人（{vocab.fmt(d['beyond_share'], 'pct1')}）；"
        f"就近入学比例 {vocab.fmt(near['nearby_share'], 'pct1')}"
    )


def distance_chart(scope: Scope, stage: str, *, title: str | None = None):
    """Cumulative share of pupils by distance to the assigned school, with the walking limit.

    Parameters
    ----------
    scope
        An assessment or a 镇街 view.
    stage
        ``"primary"`` or ``"junior"``.
    title
        Figure title; default names the place, the stage and the distance method.

    Returns
    -------
    matplotlib.figure.Figure
        (a :class:`~jxedu.present.text.Note` naming the missing table when the data have no 村居)
    """
    from jxedu.present import style

    if assessment_of(scope).missing("access") is not None:
        return Note(f"{_stage_word(stage)}：{assessment_of(scope).missing('access')}")
    acc = scope.access(stage)
    limit = float(assessment_of(scope).access(stage).attrs["walk_limit_m"])
    fig, ax = style.new_figure(
        title=title or f"{place_name(scope)}{_stage_word(stage)}学龄人口到划片学校的距离（{_method_word(scope, stage)}）"
    )
    d = acc["distance_m"].to_numpy(dtype=float) / 1000.0
    w = acc["demand"].to_numpy(dtype=float)
    m = np.isfinite(d) & (w > 0)
    order = np.argsort(d[m], kind="stable")
    x = d[m][order]
    y = np.cumsum(w[m][order]) / w[m].sum() * 100 if m.any() else np.array([])
    ax.step(np.r_[0.0, x], np.r_[0.0, y], where="post", color=style.STAGE_COLORS.get(stage, "#1f77b4"), linewidth=2)
    ax.axvline(limit / 1000.0, color="#B71C1C", linestyle="--", linewidth=1.2)
    ax.annotate(f"步行距离上限 {vocab.km_text(limit)}", xy=(limit / 1000.0, 5), xytext=(4, 0),
                textcoords="offset points", color="#B71C1C")
    ax.set_xlabel("到划片学校的距离（公里）")
    ax.set_ylabel("累计学龄人口占比（%）")
    ax.set_ylim(0, 100)
    ax.set_xlim(left=0)
    return fig


def catchment_table(scope: Scope, stage: str, *, max_rows: int | None = None) -> Table:
    """The schools' service areas of a stage: pupils and villages assigned, area; most pupils first."""
    caption = f"{place_name(scope)}{_stage_word(stage)}学校服务范围"
    cols = scope_columns(scope, ["name", "township", "pupils", "villages", "area_km2"])
    missing = _unavailable(scope, "catchments", cols, caption)
    if missing is not None:
        return missing
    cat = pd.DataFrame(scope.catchments(stage).drop(columns="geometry"))
    cat = cat.sort_values(["pupils", "name"], ascending=[False, True], kind="stable")
    return table(cat, cols, caption=caption, max_rows=max_rows,
                 notes=["服务范围：每个村居划给其划片学校，村居之间按中线（泰森多边形）在镇街内分区；"
                        "学龄人口为服务范围内各村居之和。"])


# --- school buses --------------------------------------------------------------------------------


def route_table(scope: Scope) -> Table:
    """The school-bus routes (of the county, or serving a school of the 镇街) and the schools they serve."""
    caption = f"{place_name(scope)}校车（公交助学）线路"
    cols = ["route_short_name", "route_long_name", "n_trips", "n_stops", "school_names", "length_m"]
    missing = _unavailable(scope, "bus_routes", cols, caption)
    if missing is not None:
        return missing
    routes = _joined(pd.DataFrame(scope.bus_routes.drop(columns="geometry")), ["school_names"])
    return table(routes, cols, caption=caption, empty="没有服务本镇街学校的校车线路。",
                 notes=["线路长度为班次最多的一趟沿站点（或线路走向）的长度。"])


def stop_table(scope: Scope, *, max_rows: int | None = None) -> Table:
    """The school-bus stops with the routes calling there."""
    caption = f"{place_name(scope)}校车站点"
    cols = ["stop_name", "route_names", "n_routes"]
    missing = _unavailable(scope, "bus_stops", cols, caption)
    if missing is not None:
        return missing
    stops = _joined(pd.DataFrame(scope.bus_stops.drop(columns="geometry")), ["route_names"])
    return table(stops, cols, caption=caption, max_rows=max_rows, empty="没有途经本镇街的校车站点。")


def ride_time_table(scope: Scope, *, max_rows: int | None = None) -> Table:
    """Ride time from each stop to each school its routes serve, on the first morning trip."""
    caption = f"{place_name(scope)}校车乘车时间（早班车）"
    cols = ["route_short_name", "stop_name", "school_name", "departure", "arrival", "ride_min", "ride_m",
            "estimated"]
    missing = _unavailable(scope, "ride_times", cols, caption)
    if missing is not None:
        return missing
    speed = vocab.fmt(assessment_of(scope).settings.bus_speed_kmh, "g")
    return table(scope.ride_times, cols, caption=caption, max_rows=max_rows, empty="没有开往本镇街学校的早班车。",
                 notes=["每个站点到其线路所服务学校，取最早的一趟早班车（上午到校的班次）；乘车距离为相邻站点直线距离之和。",
                        f"时刻表缺少时间时，按 {speed} 公里/小时估算乘车时间（“是”表示估算，到校时间为 {vocab.MISSING}）。"])


def bus_headline(scope: Scope) -> Note:
    """One line: routes, stops and schools served."""
    if assessment_of(scope).missing("bus_routes") is not None:
        return Note(str(assessment_of(scope).missing("bus_routes")))
    routes = scope.bus_routes
    township = township_of(scope)
    served = {s for ids in routes["school_ids"] for s in ids}
    if township is not None:
        own = set(assessment_of(scope).ds.schools.loc[lambda s: s["township"] == township, "school_id"].astype(str))
        served &= own
    return Note(f"{markdown_text(place_name(scope))}：校车线路 {vocab.fmt(len(routes), 'int')} 条，站点 "
                f"{vocab.fmt(len(scope.bus_stops), 'int')} 个，服务{'本镇街' if township else ''}学校 "
                f"{vocab.fmt(len(served), 'int')} 所")


_COVERAGE_COLUMNS = ["township", "villages", "pupils", "beyond_villages", "beyond_pupils", "covered_pupils",
                     "covered_share", "uncovered_pupils", "uncovered_villages"]


def coverage_table(scope: Scope, stage: str) -> Table:
    """Pupils beyond walking distance and how many a school bus covers, per 镇街 and the county."""
    caption = f"{place_name(scope)}校车覆盖（{_stage_word(stage)}）"
    cols = scope_columns(scope, _COVERAGE_COLUMNS)
    missing = _unavailable(scope, "coverage_summary", cols, caption)
    if missing is not None:
        return missing
    return table(scope.coverage_summary(stage), cols, caption=caption,
                 notes=[f"校车覆盖率 = 校车覆盖的学龄人口 ÷ 超出步行距离的学龄人口；无人超出步行距离时为 {vocab.MISSING}。"])


def coverage_headline(scope: Scope, stage: str) -> Note:
    """One line of the key coverage figures of a stage."""
    word = _stage_word(stage)
    reason = assessment_of(scope).missing("coverage_summary")
    if reason is not None:
        return Note(f"{word}：{reason}")
    s = _scope_row(scope.coverage_summary(stage), scope)
    f = vocab.fmt
    return Note(
        f"{word}：学龄人口 {f(s['pupils'], 'int')} 人，超出步行距离 {f(s['beyond_pupils'], 'int')} 人"
        f"（{f(s['beyond_villages'], 'int')} 个村居），其中校车覆盖 {f(s['covered_pupils'], 'int')} 人"
        f"（{f(s['covered_share'], 'pct1')}），未覆盖 {f(s['uncovered_pupils'], 'int')} 人"
        f"（{f(s['uncovered_villages'], 'int')} 个村居）"
    )


def uncovered_table(scope: Scope, stage: str, *, max_rows: int | None = 20) -> Table:
    """The 村居 beyond walking distance that no school bus links to their school, most pupils first:
    where 公交助学 must go next."""
    caption = f"{place_name(scope)}未被校车覆盖的村居（{_stage_word(stage)}）{straight_note(scope)}"
    cols = scope_columns(scope, ["township", "village_name", "pupils", "assigned_school_name", "distance_m",
                                   "nearest_stop_name", "nearest_stop_m"])
    missing = _unavailable(scope, "uncovered", cols, caption)
    if missing is not None:
        return missing
    return table(scope.uncovered(stage), cols, caption=caption, max_rows=max_rows, **_IN_METRES,
                 empty="超出步行距离的村居都有校车覆盖。",
                 notes=["按学龄人口从多到少排列；最近校车站点为离村居最近的任一站点，供新设站点或延伸线路时参考。"])


# --- key figures ---------------------------------------------------------------------------------


def key_figures(scope: Scope) -> pd.DataFrame:
    """Per stage: walking limit, pupils, those beyond it, the 就近入学 share and the bus coverage.

    Returns
    -------
    pandas.DataFrame
        ``stage, walk_limit_m, pupils, beyond_pupils, beyond_share, nearby_share, covered_share``
        (the scope's rows of the county-wide summaries; ``covered_share`` NaN without a bus feed).
    """
    a = assessment_of(scope)
    rows = []
    for stage in COMPULSORY_STAGES:
        d = _scope_row(scope.distance_summary(stage), scope)
        near = _scope_row(scope.nearby_share(stage), scope)
        cov = np.nan if a.missing("coverage_summary") else _scope_row(scope.coverage_summary(stage), scope)["covered_share"]
        rows.append({"stage": stage, "walk_limit_m": a.access(stage).attrs["walk_limit_m"], "pupils": d["pupils"],
                     "beyond_pupils": d["beyond_pupils"], "beyond_share": d["beyond_share"],
                     "nearby_share": near["nearby_share"], "covered_share": cov})
    return pd.DataFrame(rows)


def key_figures_table(scope: Scope) -> Table:
    """:func:`key_figures` as a table (both stages)."""
    caption = f"{place_name(scope)}上学距离与校车覆盖（{scope.year}学年）{straight_note(scope)}"
    cols = ["stage", "walk_limit_m", "pupils", "beyond_pupils", "beyond_share", "nearby_share", "covered_share"]
    missing = _unavailable(scope, "access", cols, caption)
    if missing is not None:
        return missing
    return no_bus_cells(table(key_figures(scope), cols, caption=caption, short=True), scope, ["covered_share"])


# --- the two baselines -----------------------------------------------------------------------------

_BASELINE_COLUMNS = ["stage", "pupils", "nearest_mean_m", "capacity_mean_m", "nearest_beyond", "capacity_beyond"]


def baselines(scope: Scope) -> pd.DataFrame:
    """Per stage the two baselines side by side: 就近入学（最近学校） and 按学位容量分配.

    Returns
    -------
    pandas.DataFrame
        ``stage, pupils, nearest_mean_m, nearest_beyond`` (each 村居's children at its assigned
        school, the nearest of the stage in its 镇街: ``scope.distance_summary``) and
        ``capacity_mean_m, capacity_beyond`` (the capacity-constrained assignment of
        :func:`jxedu.planning.assignment.baseline_summary`, the baseline of every layout scenario),
        for the scope's 村居.
    """
    a = assessment_of(scope)
    ctx = asg.context(a.ds, year=a.year, settings=a.settings)
    cap = asg.baseline_summary(ctx, township=township_of(scope)).set_index("stage")
    rows = []
    for stage in COMPULSORY_STAGES:
        if stage not in cap.index:
            continue
        d = _scope_row(scope.distance_summary(stage), scope)
        rows.append({"stage": stage, "pupils": d["pupils"], "nearest_mean_m": d["mean_m"],
                     "nearest_beyond": d["beyond_pupils"], "capacity_mean_m": cap.at[stage, "mean_m"],
                     "capacity_beyond": cap.at[stage, "beyond_pupils"]})
    return pd.DataFrame(rows, columns=_BASELINE_COLUMNS)


def baselines_table(scope: Scope) -> Table:
    """就近入学（最近学校） vs 按学位容量分配: the two baseline figures per stage, one sentence each.

    The distances of notebooks 02/03 and the county report are the first; the baseline of the layout
    scenarios (notebook 06, ``jxedu scenario``) is the second. Both are shown wherever both appear.

    Parameters
    ----------
    scope
        An assessment or a 镇街 view.

    Returns
    -------
    Table
    """
    caption = f"{place_name(scope)}上学距离的两种现状口径：就近入学（最近学校）与按学位容量分配"
    missing = _unavailable(scope, "distance_summary", _BASELINE_COLUMNS, caption)
    if missing is not None:
        return missing
    a = assessment_of(scope)
    caps = "、".join(f"{vocab.word(st)} {vocab.fmt(standards.threshold('class_size_max', st), 'int')} 人"
                     for st in COMPULSORY_STAGES)
    method = _method_word(scope, "primary")
    return table(baselines(scope), _BASELINE_COLUMNS, short=True, caption=f"{caption}（{method}）", notes=[
        "就近入学（最近学校）：每个村居的孩子都到所在镇街内最近的同学段学校，不论该校有没有学位——"
        "《学校布局》《校车》笔记本和县报告的上学距离用这一口径。",
        f"按学位容量分配：每所学校最多接收 班级数 × 班额上限（{caps}）名学生，最近的学校满了，孩子分到次近、"
        "有学位的学校（可跨镇街）——布局调整方案的“现状”用这一口径；两者之差是学位不足带来的额外路程。",
        f"步行距离上限：{'、'.join(f'{vocab.word(st)} {vocab.km_text(a.settings.walk_limit_m[st])}' for st in COMPULSORY_STAGES)}。",
    ])
