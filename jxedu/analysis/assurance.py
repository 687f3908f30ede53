"""Government-assurance, quality and county-plan items of the 2017 method that the data can answer.

The national method (教督〔2017〕6号) has, besides the seven resource indicators
(:mod:`jxedu.analysis.indicators`), 15 government-assurance items (政府保障程度), 9 quality items (教育质量) and
social recognition (社会认可度); the county's own plan (实施方案) adds its targets — those its 规划目标
table sets (:meth:`jxedu.core.dataset.Dataset.plan_target`), and no others: a county without the table
has the national items only. Some of them are numbers the bureau's data can answer; the rest are
documents (evidence) that the planner tracks as a checklist in the progress ledger
(:mod:`jxedu.publish.ledger`).

Typical use::

    from jxedu.analysis.assurance import assurance_items, oversize_classes
    items = assurance_items(ds, year=2024)          # one row per item, status met/not_met/…
    big = oversize_classes(ds, year=2024)           # every class over 45 (小学) / 50 (初中)

Every threshold comes from :mod:`jxedu.core.standards`; every unverified value from
:mod:`jxedu.core.settings`.

Which schools are assessed
--------------------------
The school-level items (rooms, school size, PE/art teachers per school, 智慧校园) consider every school
with compulsory-stage (小学/初中) students in the year, 教学点 of any size included: the cut of
``settings.teaching_point_min_students`` concerns the units of the resource indicators only (setting
``school_checks_include_small_points``, default on; off leaves the small 教学点 out here too). Only the
compulsory stages count: the 高中部 of a 完全中学 or 十二年一贯制学校 is left out of students, classes and
teachers. The class-size item looks at every compulsory-stage class in the 班级 table. The county plan's
PE/art teachers per 100 pupils is checked per 部 (setting ``plan_pe_art_scope``, default ``"unit"``).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from jxedu.analysis import alliances, survey
from jxedu.analysis.after_school import after_school_schools
from jxedu.analysis.classsize import class_band
from jxedu.analysis.dropout import dropout_cases
from jxedu.analysis.special_groups import special_group_rates
from jxedu.core import roster
from jxedu.core import standards as std
from jxedu.core.county import PLAN_ALLIANCE, PLAN_DROPOUT, PLAN_HONOURS, PLAN_PE_ART, PLAN_ROTATIONS, PLAN_SMART_CAMPUS
from jxedu.core.dataset import Dataset
from jxedu.core.numeric import ceil_count
from jxedu.core.schema import COMPULSORY_STAGES
from jxedu.core.settings import Settings
from jxedu.core.settings import resolve_settings as _settings

__all__ = [
    "ITEM_COLUMNS",
    "STATUSES",
    "STATUS_EVIDENCE",
    "STATUS_MET",
    "STATUS_NO_DATA",
    "STATUS_NOT_MET",
    "assessed_schools",
    "assurance_items",
    "checklist_items",
    "music_art_rooms",
    "oversize_classes",
    "pe_art_by_school",
    "plan_task_keys",
    "rotation_ratios",
    "school_tables",
    "school_sizes",
]

# --- vocabulary ---------------------------------------------------------------------------------

#: Status codes of an item (Chinese words in ``jxedu/data/vocabulary/words-core.csv``, kind ``status``).
STATUS_MET = "met"
STATUS_NOT_MET = "not_met"
STATUS_NO_DATA = "no_data"
STATUS_EVIDENCE = "evidence"
#: The statuses an assurance item can have.
STATUSES: tuple[str, ...] = (STATUS_MET, STATUS_NOT_MET, STATUS_NO_DATA, STATUS_EVIDENCE)

#: Columns of :func:`assurance_items` and :func:`checklist_items`.
ITEM_COLUMNS: tuple[str, ...] = (
    "item_key",
    "category",
    "value",
    "target",
    "unit",
    "status",
    "facts",
    "source",
    "evidence",
)

_COMPULSORY: tuple[str, ...] = COMPULSORY_STAGES


# --- helpers ------------------------------------------------------------------------------------


_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}


@lru_cache(maxsize=None)
def _thr(key: str, stage: str = "all") -> float:
    """Cached :func:`jxedu.core.standards.threshold` (the lookup is called per school)."""
    return std.threshold(key, stage)


@lru_cache(maxsize=None)
def _op(key: str, stage: str = "all"):
    return _OPS[str(std.rule(key, stage)["op"])]


def _meets(value, key: str, stage: str = "all"):
    """Cached :func:`jxedu.core.standards.meets`: compare with the standard using its own operator."""
    return _op(key, stage)(value, _thr(key, stage))


def _num(s: pd.Series) -> pd.Series:
    """Numeric float series with NaN for missing values (nullable ints and strings alike)."""
    return pd.to_numeric(s, errors="coerce").astype(float)


def _pct(x: float) -> float:
    """Fraction -> percent, 1 decimal as the national form keeps ratios (NaN stays NaN)."""
    return float("nan") if pd.isna(x) else round(100.0 * float(x), 1)


def _school_attrs(ds: Dataset) -> pd.DataFrame:
    """The schools table without geometry, one row per school."""
    cols = [c for c in ("school_id", "name", "township", "school_type", "urban_rural", "built_year")
            if c in ds.schools.columns]
    out = pd.DataFrame(ds.schools[cols]).copy()
    if "built_year" not in out.columns:
        out["built_year"] = np.nan
    out["built_year"] = _num(out["built_year"])
    return out


def _year_stats(ds: Dataset, year: int) -> pd.DataFrame:
    """学段统计 rows of one year, compulsory stages only."""
    ss = ds.stage_stats
    return ss[(_num(ss["year"]) == year) & ss["stage"].isin(_COMPULSORY)].copy()


def assessed_schools(ds: Dataset, *, year: int | None = None, settings: Settings | None = None) -> pd.DataFrame:
    """Schools assessed by the school-level items, with their compulsory-stage totals.

    Parameters
    ----------
    ds
        The data set.
    year
        School year (default: the latest).
    settings
        Run settings (the 教学点 cut ``teaching_point_min_students``).

    Returns
    -------
    pandas.DataFrame
        One row per school with ``school_id, name, township, school_type, urban_rural, built_year,
        students, primary_students, junior_students, classes, teachers, pe_art_teachers,
        migrant_students`` (NaN when not reported), ``migrant_share``, ``has_junior``. Schools
        without compulsory-stage students are left out, and 教学点 below the cut only when
        ``settings.school_checks_include_small_points`` is off.
    """
    s = _settings(settings)
    year = ds.year_or_latest(year)
    ss = _year_stats(ds, year)
    ss = ss.assign(
        students=_num(ss["students"]),
        classes=_num(ss["classes"]),
        teachers=_num(ss["teachers"]),
        pe_art_teachers=_num(ss["pe_teachers"]) + _num(ss["music_teachers"]) + _num(ss["art_teachers"]),
        migrant_students=_num(ss["migrant_students"]) if "migrant_students" in ss else np.nan,
        primary_students=np.where(ss["stage"] == "primary", _num(ss["students"]), 0.0),
        junior_students=np.where(ss["stage"] == "junior", _num(ss["students"]), 0.0),
    )
    agg = ss.groupby("school_id", sort=True).agg(
        students=("students", "sum"),
        primary_students=("primary_students", "sum"),
        junior_students=("junior_students", "sum"),
        classes=("classes", "sum"),
        teachers=("teachers", "sum"),
        pe_art_teachers=("pe_art_teachers", "sum"),
        # min_count=1: all-missing stays NaN instead of becoming 0
        migrant_students=("migrant_students", lambda v: v.sum(min_count=1)),
    ).reset_index()
    out = _school_attrs(ds).merge(agg, on="school_id", how="inner")
    out = out[out["students"] > 0]
    small_point = (out["school_type"] == "teaching_point") & (out["students"] < s.teaching_point_min_students)
    if not s.school_checks_include_small_points:
        out = out[~small_point]
    out = out.copy()
    out["migrant_share"] = out["migrant_students"] / out["students"]
    out["has_junior"] = out["junior_students"] > 0
    return out.sort_values(["township", "school_id"]).reset_index(drop=True)


def school_tables(ds: Dataset, *, year: int | None = None, settings: Settings | None = None) -> dict[str, pd.DataFrame]:
    """The per-school tables of one year, computed once: ``schools`` (:func:`assessed_schools`),
    ``rooms`` (:func:`music_art_rooms`), ``sizes`` (:func:`school_sizes`), ``pe_art``
    (:func:`pe_art_by_school` against the county plan's target; no rows when the plan sets none)."""
    s = _settings(settings)
    year = ds.year_or_latest(year)
    sch = assessed_schools(ds, year=year, settings=s)
    pe = ds.plan_target(PLAN_PE_ART, year)
    return {
        "schools": sch,
        "rooms": music_art_rooms(ds, year=year, settings=s, schools=sch),
        "sizes": school_sizes(ds, year=year, settings=s, schools=sch),
        "pe_art": pe_art_by_school(ds, year=year, settings=s, schools=sch, target=None if pe is None else pe.value),
    }


def _status_ratio(value: float, key: str, *, partial: bool) -> str:
    """Status of a ratio item: partial data can confirm a failure but not a pass of a 100 % rule."""
    if pd.isna(value):
        return STATUS_NO_DATA
    ok = bool(_meets(value, key))
    if not ok:
        return STATUS_NOT_MET
    return STATUS_NO_DATA if partial else STATUS_MET


# --- item 3: music and art rooms -------------------------------------------------------------


def _max_class_size(ds: Dataset, year: int) -> pd.Series:
    """Largest compulsory-stage class per school in the year (empty without a 班级 table)."""
    if ds.classes is None:
        return pd.Series(dtype=float)
    c = ds.classes
    c = c[(_num(c["year"]) == year) & c["stage"].isin(_COMPULSORY)]
    return _num(c["students"]).groupby(c["school_id"]).max()


def music_art_rooms(
    ds: Dataset,
    *,
    year: int | None = None,
    settings: Settings | None = None,
    schools: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Music and art rooms per school against one of each per 12 classes, with their areas.

    Rooms of each kind needed = ``ceil(classes / 12)`` (at least 1), classes = the school's
    compulsory-stage classes (学段统计). A room counts only if its area reaches the minimum:
    音乐 96 ㎡, 美术 90 ㎡. With ``settings.room_area_relaxation`` (transitional rules [V1]): schools
    built in 2016 or earlier need 73 ㎡ / 67 ㎡; rural (乡村) small schools whose largest class is
    under 30 need 54 ㎡ (小学) / 61 ㎡ (a school with 初中 students) for both kinds; when both apply the
    lower minimum holds. Rooms come from the 专用教室 table (a room with 建成年份 after the school
    year did not exist yet and is not counted). Without that table, the counts of 办学条件
    (音乐/美术专用教室数) are used **without** an area check (``source`` says so).

    Parameters
    ----------
    ds
        The data set.
    year
        School year (default: the latest).
    settings
        Run settings.
    schools
        :func:`assessed_schools` of the same year and settings, if already computed (saves time).

    Returns
    -------
    pandas.DataFrame
        One row per assessed school: ``school_id, name, township, classes, rooms_needed,
        max_class, built_year, relaxed_by_age, relaxed_small_rural`` (the transitional relaxations that
        apply), ``music_area_min, art_area_min, music_rooms, music_rooms_ok, art_rooms, art_rooms_ok,
        music_short, art_short, meets`` (``<NA>`` when no room data), ``source`` (``rooms_table``: the
        专用教室 table, areas checked; ``facility_counts``: the counts of 办学条件, areas not checked;
        ``none``).
    """
    s = _settings(settings)
    year = ds.year_or_latest(year)
    sch = assessed_schools(ds, year=year, settings=s) if schools is None else schools
    per_room = float(_thr("room_classes_per_room"))
    music_std = _thr("music_room_area_min")
    art_std = _thr("art_room_area_min")
    maxc = _max_class_size(ds, year)

    rows = []
    for r in sch.itertuples(index=False):
        needed = ceil_count(float(r.classes) / per_room, floor=1) if pd.notna(r.classes) else 1
        largest = float(maxc.get(r.school_id, np.nan))
        music_min, art_min = music_std, art_std
        by_age = bool(s.room_area_relaxation and pd.notna(r.built_year)
                      and _meets(r.built_year, "room_relax_built_year"))
        small_rural = bool(s.room_area_relaxation and r.urban_rural == "rural" and pd.notna(largest)
                           and _meets(largest, "small_rural_max_class_size"))
        if by_age:
            music_min = min(music_min, _thr("music_room_area_min_pre2016"))
            art_min = min(art_min, _thr("art_room_area_min_pre2016"))
        if small_rural:
            small = _thr("room_area_min_small_rural", "junior" if r.has_junior else "primary")
            music_min, art_min = min(music_min, small), min(art_min, small)
        rows.append({
            "school_id": r.school_id, "name": r.name, "township": r.township,
            "classes": r.classes, "rooms_needed": needed, "max_class": largest, "built_year": r.built_year,
            "relaxed_by_age": by_age, "relaxed_small_rural": small_rural,
            "music_area_min": music_min, "art_area_min": art_min,
        })
    out = pd.DataFrame(rows, columns=["school_id", "name", "township", "classes", "rooms_needed", "max_class",
                                      "built_year", "relaxed_by_age", "relaxed_small_rural", "music_area_min",
                                      "art_area_min"])

    if ds.special_rooms is not None:
        rooms = ds.special_rooms.copy()
        rooms["area"] = _num(rooms["area"])
        built = _num(rooms["built_year"]) if "built_year" in rooms else pd.Series(np.nan, index=rooms.index)
        rooms = rooms[built.isna() | (built <= year)]
        mins = out.set_index("school_id")[["music_area_min", "art_area_min"]]
        rooms = rooms[rooms["school_id"].isin(mins.index)]
        need = np.where(rooms["room_type"] == "music",
                        mins["music_area_min"].reindex(rooms["school_id"]).to_numpy(),
                        mins["art_area_min"].reindex(rooms["school_id"]).to_numpy())
        rooms = rooms.assign(ok=rooms["area"].to_numpy() >= need)
        tot = rooms.groupby(["school_id", "room_type"]).size().unstack(fill_value=0)
        okc = rooms[rooms["ok"]].groupby(["school_id", "room_type"]).size().unstack(fill_value=0)
        for kind in ("music", "art"):
            out[f"{kind}_rooms"] = out["school_id"].map(tot[kind] if kind in tot else {}).fillna(0).astype(int)
            out[f"{kind}_rooms_ok"] = out["school_id"].map(okc[kind] if kind in okc else {}).fillna(0).astype(int)
        out["source"] = "rooms_table"
    else:
        fac = ds.facilities
        fac = fac[_num(fac["year"]) == year].set_index("school_id")
        for kind in ("music", "art"):
            col = f"{kind}_rooms"
            counts = _num(fac[col]) if col in fac.columns else pd.Series(np.nan, index=fac.index)
            out[col] = out["school_id"].map(counts)
            out[f"{kind}_rooms_ok"] = out[col]
        out["source"] = "facility_counts"
    for kind in ("music", "art"):
        out[f"{kind}_short"] = (out["rooms_needed"] - out[f"{kind}_rooms_ok"]).clip(lower=0)
    known = out["music_rooms_ok"].notna() & out["art_rooms_ok"].notna()
    meets = (out["music_short"] == 0) & (out["art_short"] == 0)
    out["meets"] = pd.array([bool(m) if k else pd.NA for m, k in zip(meets, known)], dtype="boolean")
    out.loc[~known, "source"] = "none"
    return out


# --- item 4: school size -------------------------------------------------------------------------


def school_sizes(
    ds: Dataset,
    *,
    year: int | None = None,
    settings: Settings | None = None,
    schools: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Compulsory-stage students per school against the school-size cap.

    Cap 2000 students; 2500 for 九年一贯制/十二年一贯制 (counting the 义务教育阶段 only). With
    ``settings.school_size_relaxation`` (transitional rule [V1]) the caps are 2400 / 3000 for
    schools built in 2010 or earlier or with more than 50 % 随迁子女. A 完全中学 counts its 初中
    students against 2000. ``schools``: as for :func:`music_art_rooms`.

    Returns
    -------
    pandas.DataFrame
        One row per assessed school: ``school_id, name, township, school_type, students,
        migrant_share, built_year, cap, relaxed_by_age, relaxed_by_migrants`` (the relaxed cap
        applies, :func:`jxedu.core.standards.school_size_caps`), ``excess`` (students above the cap, 0
        if within), ``meets``.
    """
    s = _settings(settings)
    year = ds.year_or_latest(year)
    sch = assessed_schools(ds, year=year, settings=s) if schools is None else schools
    caps = std.school_size_caps(sch["school_type"], sch["built_year"], sch["migrant_share"],
                                relaxation=s.school_size_relaxation)
    out = sch[["school_id", "name", "township", "school_type", "students", "migrant_share", "built_year"]].copy()
    out["cap"] = caps["cap"].to_numpy()
    out["relaxed_by_age"] = caps["relaxed_by_age"].to_numpy()
    out["relaxed_by_migrants"] = caps["relaxed_by_migrants"].to_numpy()
    out["excess"] = (out["students"] - out["cap"]).clip(lower=0)
    out["meets"] = out["students"] <= out["cap"]
    return out


# --- item 5: class size -------------------------------------------------------------------------


def oversize_classes(ds: Dataset, *, year: int | None = None) -> pd.DataFrame:
    """Every compulsory-stage class above the class-size limit (小学 45, 初中 50).

    Parameters
    ----------
    ds
        The data set (needs the 班级 table).
    year
        School year (default: the latest).

    Returns
    -------
    pandas.DataFrame
        ``school_id, name, township, stage, grade, class_name, students, limit, excess, band`` (MOE band
        code of :func:`jxedu.analysis.classsize.class_band`), sorted by 镇街, school, grade, class.

    Raises
    ------
    jxedu.MissingTableError
        Without a 班级 table.
    """
    ds.require("classes")
    year = ds.year_or_latest(year)
    c = ds.classes
    c = c[(_num(c["year"]) == year) & c["stage"].isin(_COMPULSORY)].copy()
    c["students"] = _num(c["students"])
    c["limit"] = c["stage"].map({st: _thr("class_size_max", st) for st in _COMPULSORY})
    over = c[c["students"] > c["limit"]].copy()
    over["excess"] = over["students"] - over["limit"]
    over["band"] = class_band(over["students"].to_numpy())
    over = over.merge(_school_attrs(ds)[["school_id", "name", "township"]], on="school_id", how="left")
    cols = ["school_id", "name", "township", "stage", "grade", "class_name", "students", "limit", "excess", "band"]
    return over.sort_values(["township", "school_id", "grade", "class_name"])[cols].reset_index(drop=True)


# --- PE/art teachers per school (county plan) ---------------------------------------------------


def pe_art_by_school(
    ds: Dataset,
    *,
    year: int | None = None,
    settings: Settings | None = None,
    schools: pd.DataFrame | None = None,
    target: float | None = None,
) -> pd.DataFrame:
    """体育 + 音乐 + 美术 专任教师 per 100 students against the county plan's target at every school.

    With ``settings.plan_pe_art_scope = "unit"`` (default) each 部 (小学部, 初中部) of a school is checked
    on its own, as the resource indicator 3: the 部's students and its own PE/art teachers (学段统计 of
    that stage). With ``"school"`` the compulsory stages of the whole school are taken together.
    ``schools``: as for :func:`music_art_rooms`. ``target``: PE/art teachers per 100 students (the
    规划目标 row ``plan_pe_art_per_100_every_school``); ``None`` — the county set none — gives no rows.

    Returns
    -------
    pandas.DataFrame
        One row per assessed school (``"school"``) or per 部 of an assessed school with students
        (``"unit"``): ``school_id, name, township, stage`` (the 部; ``None`` for a whole school),
        ``units`` (部 of the school with students), ``students, pe_art_teachers, per_100, target,
        short_teachers`` (whole teachers to add), ``meets`` and ``ledger_key`` (the ledger's 事项编号:
        ``school|<id>|plan_pe_art_every_school``, with the stage before the item for a 部 of a school
        with two 部).
    """
    s = _settings(settings)
    year = ds.year_or_latest(year)
    sch = assessed_schools(ds, year=year, settings=s) if schools is None else schools
    base = sch[["school_id", "name", "township"]]
    ss = _year_stats(ds, year)
    ss = ss.assign(students=_num(ss["students"]),
                   pe_art_teachers=_num(ss["pe_teachers"]) + _num(ss["music_teachers"]) + _num(ss["art_teachers"]))
    ss = ss[ss["school_id"].isin(sch["school_id"]) & (ss["students"] > 0)]
    n_units = ss.groupby("school_id").size()
    if s.plan_pe_art_scope == "unit":
        order = {st: i for i, st in enumerate(_COMPULSORY)}
        out = base.merge(ss[["school_id", "stage", "students", "pe_art_teachers"]], on="school_id", how="inner")
        out = out.assign(_o=out["stage"].map(order)).sort_values(["township", "school_id", "_o"]).drop(columns="_o")
    else:
        out = base.merge(sch[["school_id", "students", "pe_art_teachers"]], on="school_id").assign(stage=None)
    if target is None:
        out = out.iloc[0:0]
    out = out.reset_index(drop=True)
    out.insert(4, "units", out["school_id"].map(n_units).fillna(1).astype(int))
    out = out[["school_id", "name", "township", "stage", "units", "students", "pe_art_teachers"]]
    goal = float("nan") if target is None else float(target)
    out["per_100"] = 100.0 * out["pe_art_teachers"] / out["students"]
    out["target"] = goal
    out["short_teachers"] = [ceil_count(goal * n / 100.0 - t) for n, t in
                             zip(out["students"], out["pe_art_teachers"])]
    out["meets"] = out["per_100"] >= goal - 1e-12
    out["ledger_key"] = [f"school|{sid}|{st}|plan_pe_art_every_school" if st is not None and n > 1
                         else f"school|{sid}|plan_pe_art_every_school"
                         for sid, st, n in zip(out["school_id"], out["stage"], out["units"])]
    return out


# --- item 11: rotation --------------------------------------------------------------------------


def rotation_ratios(ds: Dataset, *, year: int | None = None, settings: Settings | None = None,
                    weak=None, records: pd.DataFrame | None = None) -> dict:
    """The two ratios of item 11 and the county plan's count, for one school year.

    Eligibility is the package's one rule, :func:`jxedu.analysis.rotation.eligible_teachers` (settings
    ``rotation_min_years``, ``rotation_exclude_years_to_retirement``, ``retirement_age``): teachers of
    小学/初中. Rotated teachers are the distinct 教师编号 of the 交流轮岗 table in the year, of the
    same stages (:func:`jxedu.analysis.rotation.rotation_records` leaves 高中 teachers out); a rotated
    teacher is a backbone teacher when the roster gives 骨干级别 县级 or above (one missing from the
    roster counts as not backbone and is reported in ``unmatched``). ``toward_target`` counts the
    rotations from a 城区/镇区 school to a 乡村 or weak school (rules of :mod:`jxedu.analysis.rotation`).
    ``plan`` compares them with the county plan's target (:func:`jxedu.analysis.rotation.plan_progress`:
    the year's count and the average since the plan began).

    ``weak``: the 学校标识码 of the weak schools (one set, or a mapping year → set), when the caller
    has them (:attr:`jxedu.analysis.assessment.Assessment.weak_schools`); else they are computed.
    ``records``: :func:`jxedu.analysis.rotation.rotation_records` of every year, if already computed.

    Returns
    -------
    dict
        ``eligible, rotated, rotated_backbone, unmatched, toward_target, toward_rural`` (ints) and
        ``share`` (rotated ÷ eligible), ``backbone_share`` (backbone ÷ rotated); fractions, NaN when
        the denominator is 0. ``recorded`` is False when the 交流轮岗 table has no row of the year
        (then ``rotated = 0`` and the items built on it are 数据不足). ``roster_from_latest``: the
        eligible pool and backbone status are read from the latest roster, not one of the year
        (:func:`jxedu.core.roster.from_latest_roster`). ``plan``: the plan progress dict, ``None``
        when the county plan sets no rotation target for the year.
    """
    from jxedu.analysis.rotation import eligible_teachers, plan_progress, rotation_records

    ds.require("teachers", "rotations")
    s = _settings(settings)
    year = ds.year_or_latest(year)
    elig = eligible_teachers(ds, year=year, settings=s)
    recorded = year in set(_num(ds.rotations["year"]).dropna().astype(int))
    target = ds.plan_target(PLAN_ROTATIONS, year)
    if records is None and (recorded or target is not None):
        records = rotation_records(ds, year=None if target is not None else year, weak=weak, settings=s)
    if recorded:
        rec = records[records["year"] == year].drop_duplicates("teacher_id")
    else:
        rec = pd.DataFrame({"teacher_id": [], "is_backbone": [], "toward_target": [], "toward_rural": []})
    known = set(roster.roster_of_year(ds.teachers, year)["teacher_id"])
    n_elig, n_rot = len(elig), len(rec)
    n_bb = int(rec["is_backbone"].astype(bool).sum())
    plan = None
    if target is not None and recorded:
        by_year = records.drop_duplicates(["year", "teacher_id"]).groupby("year").agg(
            rotated=("teacher_id", "size"), toward_target=("toward_target", "sum")).reset_index()
        plan = plan_progress(by_year, target, year, settings=s)
    return {
        "recorded": recorded,
        "roster_from_latest": roster.from_latest_roster(ds.teachers, year, latest_year=ds.latest_year),
        "eligible": n_elig,
        "rotated": n_rot,
        "rotated_backbone": n_bb,
        "unmatched": int((~rec["teacher_id"].isin(known)).sum()),
        "toward_target": int(rec["toward_target"].astype(bool).sum()),
        "toward_rural": int(rec["toward_rural"].astype(bool).sum()),
        "share": n_rot / n_elig if n_elig else float("nan"),
        "backbone_share": n_bb / n_rot if n_rot else float("nan"),
        "plan": plan,
    }


# --- the item table -----------------------------------------------------------------------------


def _item(key: str, *, value=np.nan, target=np.nan, unit: str = "", status: str, facts: dict | None = None,
          plan=None, document: str = "") -> dict:
    """One row of :func:`assurance_items`: category, source and evidence flag from the item catalogue;
    a county-plan item cites its own plan (``plan``: the :class:`jxedu.core.county.PlanTarget`, kept in
    ``facts["plan_target"]`` for the item's texts; ``document``: the plan's 文号 for a plan item with
    no target)."""
    cat = std.items().loc[key]
    standard, _, stage = cat["standard"].partition("/")
    facts = dict(facts or {})
    if plan is not None:
        facts["plan_target"] = plan
        source = plan.document or "县实施方案"
    elif cat["category"] == "plan":
        source = document or "县实施方案"
    else:
        source = std.source(standard) if standard else "教督〔2017〕6号"
    return {"item_key": key, "category": cat["category"], "value": value, "target": target, "unit": unit,
            "status": status, "facts": facts, "source": source, "evidence": bool(cat["evidence"])}


def _ratio_from_stats_or_roster(ds: Dataset, year: int, stats_col: str, roster_ok) -> dict:
    """A teacher ratio from 学段统计 or, failing that, the 教师 roster: ``ratio, partial, source,
    numerator, denominator, unreported``."""
    ss = _year_stats(ds, year)
    if stats_col in ss.columns and _num(ss[stats_col]).notna().any():
        num, den = _num(ss[stats_col]), _num(ss["teachers"])
        have = num.notna() & den.notna()
        n, d = float(num[have].sum()), float(den[have].sum())
        return {"ratio": n / d if d else float("nan"), "partial": bool((~have).any()), "source": "stage_stats",
                "numerator": int(n), "denominator": int(d), "unreported": int((~have).sum())}
    if ds.teachers is not None:
        t = roster.roster_of_year(ds.teachers, year)
        t = t[t["stage"].isin(_COMPULSORY)]
        ok = roster_ok(t)
        have = ok.notna()
        n, d = int(ok[have].astype(bool).sum()), int(have.sum())
        return {"ratio": n / d if d else float("nan"), "partial": bool((~have).any()), "source": "roster",
                "numerator": n, "denominator": d, "unreported": int((~have).sum()),
                "roster_from_latest": roster.from_latest_roster(ds.teachers, year, latest_year=ds.latest_year)}
    return {"ratio": float("nan"), "partial": True, "source": "none", "numerator": 0, "denominator": 0,
            "unreported": 0}


@dataclass(frozen=True)
class _Context:
    """What every item of one year reads: the data set, the year, the settings, the school tables."""

    ds: Dataset
    year: int
    settings: Settings
    tables: dict
    rotation: dict | None


def _rooms_item(c: _Context) -> dict:
    """Item 3: music and art rooms per 12 classes, with their areas."""
    rooms = c.tables["rooms"]
    known = rooms["meets"].notna()
    bad = rooms[known & ~rooms["meets"].fillna(True).astype(bool)]
    if not known.any():
        status = STATUS_NO_DATA
    elif len(bad):
        status = STATUS_NOT_MET
    else:
        status = STATUS_MET if known.all() else STATUS_NO_DATA
    facts = {"schools": len(rooms), "known": int(known.sum()), "failing": len(bad), "no_data": int((~known).sum()),
             "music_short": int(bad["music_short"].sum()), "art_short": int(bad["art_short"].sum()),
             "relaxation": bool(c.settings.room_area_relaxation), "areas_checked": c.ds.special_rooms is not None}
    return _item("music_art_rooms", value=len(bad), target=0, unit="所", status=status, facts=facts)


def _size_item(c: _Context) -> dict:
    """Item 4: school size against the cap."""
    sizes = c.tables["sizes"]
    over = sizes[~sizes["meets"]]
    facts = {"schools": len(sizes), "over": len(over), "excess": int(over["excess"].sum()),
             "names": over["name"].astype(str).tolist(), "relaxation": bool(c.settings.school_size_relaxation)}
    return _item("school_size", value=len(over), target=0, unit="所",
                 status=STATUS_NOT_MET if len(over) else STATUS_MET, facts=facts)


def _class_item(c: _Context) -> dict:
    """Item 5: every class within 45 (小学) / 50 (初中)."""
    if c.ds.classes is None:
        return _item("class_size", target=0, unit="个", status=STATUS_NO_DATA, facts={"missing": "classes"})
    oc = oversize_classes(c.ds, year=c.year)
    by = oc.groupby("stage").size()
    facts = {"classes": len(oc), "primary": int(by.get("primary", 0)), "junior": int(by.get("junior", 0)),
             "excess": int(oc["excess"].sum()), "schools": int(oc["school_id"].nunique()),
             "big": int((oc["band"] == "big").sum()), "super": int((oc["band"] == "super").sum())}
    return _item("class_size", value=len(oc), target=0, unit="个",
                 status=STATUS_NOT_MET if len(oc) else STATUS_MET, facts=facts)


def _training_item(c: _Context) -> dict:
    """Item 9: 5 years × 360 hours of training for every teacher."""
    req = _thr("training_hours_required")

    def roster_ok(t: pd.DataFrame) -> pd.Series:
        if "training_hours" not in t:
            return pd.Series(np.nan, index=t.index)
        h = _num(t["training_hours"])
        return (h >= req).where(h.notna())

    r = _ratio_from_stats_or_roster(c.ds, c.year, "trained_teachers", roster_ok)
    return _item("training_completion", value=_pct(r["ratio"]), target=_pct(_thr("training_completion")), unit="%",
                 status=_status_ratio(r["ratio"], "training_completion", partial=r["partial"]), facts=r)


def _rotation_items(c: _Context) -> list[dict]:
    """Item 11: rotated ≥ 10 % of the eligible teachers; backbone ≥ 20 % of the rotated."""
    rr = c.rotation
    share_key, bb_key = "rotation_share_of_eligible", "backbone_share_of_rotated"
    if rr is None:
        facts = {"missing": "rotations", "year": c.year}
        return [_item("rotation_share", target=_pct(_thr(share_key)), unit="%", status=STATUS_NO_DATA, facts=facts),
                _item("rotation_backbone_share", target=_pct(_thr(bb_key)), unit="%", status=STATUS_NO_DATA,
                      facts=facts)]
    facts = {**rr, "year": c.year, "min_years": c.settings.rotation_min_years,
             "years_to_retirement": c.settings.rotation_exclude_years_to_retirement,
             "need_rotated": max(0, ceil_count(_thr(share_key) * rr["eligible"]) - rr["rotated"]),
             "need_backbone": max(0, ceil_count(_thr(bb_key) * rr["rotated"]) - rr["rotated_backbone"])}
    return [
        _item("rotation_share", value=_pct(rr["share"]), target=_pct(_thr(share_key)), unit="%",
              status=_status_ratio(rr["share"], share_key, partial=False), facts=facts),
        _item("rotation_backbone_share", value=_pct(rr["backbone_share"]), target=_pct(_thr(bb_key)), unit="%",
              status=_status_ratio(rr["backbone_share"], bb_key, partial=False), facts=facts),
    ]


def _certificate_item(c: _Context) -> dict:
    """Item 12: every teacher holds a teacher certificate."""
    r = _ratio_from_stats_or_roster(c.ds, c.year, "certified_teachers", lambda t: t["certified"].astype("boolean"))
    return _item("certificate_share", value=_pct(r["ratio"]), target=_pct(_thr("certificate_share")), unit="%",
                 status=_status_ratio(r["ratio"], "certificate_share", partial=r["partial"]), facts=r)


def _migrant_item(c: _Context) -> dict:
    """Item 15 (context): the share of 随迁子女 among the pupils; the item itself needs evidence."""
    sch = c.tables["schools"]
    mig = sch["migrant_students"]
    if not mig.notna().any():
        return _item("migrant_share", unit="%", status=STATUS_NO_DATA, facts={"missing": "migrant_students"})
    share = float(mig.sum()) / float(sch.loc[mig.notna(), "students"].sum())
    return _item("migrant_share", value=_pct(share), unit="%", status=STATUS_EVIDENCE,
                 facts={"migrant": int(mig.sum()), "share": share,
                        "target": _pct(_thr("migrant_public_share"))})


def _retention_item(c: _Context) -> dict:
    """Quality item 1, estimated as grade-9 pupils ÷ grade-7 pupils two years earlier.

    The official rate needs graduates, transfers and deaths, which the data do not hold; the estimate
    is context and the item stays evidence. An estimate above 100 % (more grade-9 pupils than grade-7
    pupils two years before) is no retention rate but a sign of a data problem (pupils transferred in,
    an incomplete 班级 table, grades mistyped): its value is left empty and ``facts["implausible"]`` says
    so, with the estimate kept in ``facts["estimate"]``.
    """
    key, ds, year = "junior_retention", c.ds, c.year
    target = _pct(_thr(key))
    if ds.classes is None or (year - 2) not in set(_num(ds.classes["year"]).dropna().astype(int)):
        return _item(key, target=target, unit="%", status=STATUS_EVIDENCE, facts={"missing": "classes_two_years_ago"})
    cl = ds.classes
    g9 = _num(cl.loc[(_num(cl["year"]) == year) & (_num(cl["grade"]) == 9), "students"]).sum()
    g7 = _num(cl.loc[(_num(cl["year"]) == year - 2) & (_num(cl["grade"]) == 7), "students"]).sum()
    if not g7:
        return _item(key, target=target, unit="%", status=STATUS_EVIDENCE, facts={"missing": "grade7_two_years_ago"})
    estimate = g9 / g7
    implausible = bool(estimate > 1.0)
    return _item(key, value=np.nan if implausible else _pct(estimate), target=target, unit="%",
                 status=STATUS_EVIDENCE, facts={"grade9": int(g9), "grade7": int(g7), "year": year,
                                                "estimate": float(estimate), "implausible": implausible})


def _plan_pe_art_item(c: _Context) -> dict | None:
    """County plan: PE and art teachers at every school (``None`` when the plan sets no such target)."""
    plan = c.ds.plan_target(PLAN_PE_ART, c.year)
    if plan is None:
        return None
    pe = c.tables["pe_art"]
    low = pe[~pe["meets"]]
    facts = {"schools": int(pe["school_id"].nunique()), "rows": len(pe), "low": len(low),
             "low_schools": int(low["school_id"].nunique()), "short_teachers": int(low["short_teachers"].sum()),
             "scope": c.settings.plan_pe_art_scope}
    return _item("plan_pe_art_every_school", value=len(low), target=0,
                 unit="个" if c.settings.plan_pe_art_scope == "unit" else "所",
                 status=STATUS_NOT_MET if len(low) else STATUS_MET, facts=facts, plan=plan)


def _plan_rotations_item(c: _Context) -> dict | None:
    """County plan: teachers rotated a year — the year's count and the average since the plan began, both
    against the target (which decides: setting ``rotation_target_basis``); ``None`` without a target."""
    plan = c.ds.plan_target(PLAN_ROTATIONS, c.year)
    if plan is None:
        return None
    rr = c.rotation
    if rr is None or rr.get("plan") is None:
        return _item("plan_rotations", target=plan.value, unit="人", status=STATUS_NO_DATA,
                     facts={"missing": "rotations", "year": c.year}, plan=plan)
    p = rr["plan"]
    value = p["average"] if p["basis"] == "average" else p["counted"]
    return _item("plan_rotations", value=round(value, 1), target=plan.value, unit="人",
                 status=STATUS_MET if p["meets"] else STATUS_NOT_MET,
                 facts={**rr, "year": c.year, "progress": p}, plan=plan)


def _plan_honours_item(c: _Context) -> dict | None:
    """County plan: 最美教师 honoured a year (``None`` when the plan sets no such target)."""
    plan = c.ds.plan_target(PLAN_HONOURS, c.year)
    if plan is None:
        return None
    t = c.ds.teachers
    hy = _num(t["honour_year"]) if t is not None and "honour_year" in t else None
    if hy is None or hy.isna().all():
        return _item("plan_honoured_teachers", target=plan.value, unit="人", status=STATUS_NO_DATA,
                     facts={"missing": "honour_year"}, plan=plan)
    # a dated roster names a teacher once a year: each teacher honoured in the year counts once
    n = int(t.loc[(hy == c.year).to_numpy(), "teacher_id"].nunique())
    return _item("plan_honoured_teachers", value=n, target=plan.value, unit="人",
                 status=STATUS_MET if plan.meets(n) else STATUS_NOT_MET,
                 facts={"honoured": n, "year": c.year, "short": ceil_count(max(0.0, plan.value - n)),
                        "roster_from_latest": roster.from_latest_roster(t, c.year, latest_year=c.ds.latest_year)},
                 plan=plan)


def _plan_smart_campus_item(c: _Context) -> dict | None:
    """County plan: 智慧校园 at every school (``None`` when the plan sets no such target)."""
    plan = c.ds.plan_target(PLAN_SMART_CAMPUS, c.year)
    if plan is None:
        return None
    sch = c.tables["schools"]
    fac = c.ds.facilities[_num(c.ds.facilities["year"]) == c.year]
    fac = fac[fac["school_id"].isin(sch["school_id"])]
    sc = (fac["smart_campus"].astype("boolean") if "smart_campus" in fac
          else pd.Series(pd.NA, index=fac.index, dtype="boolean"))
    have = sc.notna()
    n_yes, n_known = int(sc[have].sum()), int(have.sum())
    val = n_yes / n_known if n_known else float("nan")
    partial = bool((~have).any()) or len(fac) < len(sch)
    if pd.isna(val):
        status = STATUS_NO_DATA
    elif not plan.meets(val):
        status = STATUS_NOT_MET
    else:
        status = STATUS_NO_DATA if partial else STATUS_MET
    return _item("plan_smart_campus", value=_pct(val), target=_pct(plan.value), unit="%", status=status,
                 facts={"yes": n_yes, "known": n_known, "unreported": int((~have).sum()), "deadline": plan.end},
                 plan=plan)


# --- the plan's further tasks (optional tables) ------------------------------------------------


def _computed(row: dict) -> dict:
    """An item the data answer although the catalogue lists it as evidence: its status follows the data."""
    row["evidence"] = False
    return row


def _has_year(df: pd.DataFrame | None, year: int) -> bool:
    return df is not None and bool((_num(df["year"]) == year).any())


def _survey_items(c: _Context) -> list[dict]:
    """社会认可度 from 满意度调查: overall and every group at ``satisfaction`` (85 %) or more."""
    if not _has_year(c.ds.survey, c.year):
        return []
    summ = survey.survey_summary(survey.satisfaction(c.ds, year=c.year))
    rate = summ["rate"]
    if pd.isna(rate):
        status = STATUS_NO_DATA
    else:
        status = STATUS_MET if _meets(rate, "satisfaction") and not summ["groups_low"] else STATUS_NOT_MET
    return [_computed(_item("satisfaction", value=_pct(rate), target=_pct(_thr("satisfaction")), unit="%",
                           status=status, facts={**summ, "year": c.year}))]


def _special_group_items(c: _Context) -> list[dict]:
    """残疾儿童少年入学率, 随迁子女 in public or purchased places, 留守儿童 with a care file (特殊群体)."""
    if not _has_year(c.ds.special_groups, c.year):
        return []
    rates = special_group_rates(c.ds, year=c.year, settings=c.settings)
    county = rates.iloc[-1]
    towns = rates.iloc[:-1]
    out = []
    for key, rate_col, flag, whole, part, target in (
            ("disabled_enrolment", "disabled_rate", "meets_disabled", "disabled_school_age", "disabled_enrolled",
             _pct(_thr("disabled_enrolment"))),
            ("migrant_public_share", "migrant_rate", "meets_migrant", "migrant_eligible", "migrant_placed",
             _pct(_thr("migrant_public_share"))),
            ("left_behind_care", "care_rate", "meets_care", "left_behind", "left_behind_care",
             _pct(c.settings.left_behind_care_min))):
        rate = county[rate_col]
        status = STATUS_NO_DATA if pd.isna(rate) else (STATUS_MET if bool(county[flag]) else STATUS_NOT_MET)
        low = towns.loc[towns[flag].fillna(True).eq(False)]
        facts = {"year": c.year, "whole": None if pd.isna(county[whole]) else int(county[whole]),
                 "part": None if pd.isna(county[part]) else int(county[part]), "rate": float(rate),
                 "townships_low": [(t, float(r)) for t, r in zip(low["township"], low[rate_col])],
                 "unreported": int(towns[rate_col].isna().sum())}
        if key == "disabled_enrolment":
            facts.update({k: None if pd.isna(county[k]) else int(county[k])
                          for k in ("disabled_mainstream", "disabled_special_school", "disabled_home")})
        if key == "migrant_public_share":
            facts.update({k: None if pd.isna(county[k]) else int(county[k]) for k in ("migrant_public", "migrant_purchased")})
        out.append(_computed(_item(key, value=_pct(rate), target=target, unit="%", status=status, facts=facts)))
    return out


def _after_school_items(c: _Context) -> list[dict]:
    """“双减”: homework (published, within the limits) and 课后服务 (offered, participation) from 课后服务与作业."""
    if not _has_year(c.ds.after_school, c.year):
        return []
    a = after_school_schools(c.ds, year=c.year, settings=c.settings)
    unpublished = a.loc[a["homework_published"].fillna(True).eq(False)]
    over = a.loc[a["meets_homework"].fillna(True).eq(False)]
    lower = a.loc[[any(g <= 2 for g in gs) for gs in a["grades_over"]]]
    bad = a.loc[a["homework_published"].fillna(True).eq(False) | a["meets_homework"].fillna(True).eq(False)]
    known = a["homework_published"].notna() | a["meets_homework"].notna()
    hw_status = STATUS_NO_DATA if not known.any() else (STATUS_NOT_MET if len(bad) else
                                                        (STATUS_MET if known.all() else STATUS_NO_DATA))
    homework = _computed(_item("homework_burden", value=len(bad), target=0, unit="所", status=hw_status, facts={
        "year": c.year, "schools": len(a), "unpublished": len(unpublished), "over": len(over),
        "lower_grades": len(lower), "unknown": int((~known).sum()),
        "names": bad["name"].astype(str).tolist()}))
    offering = a.loc[a["offers"].fillna(False).astype(bool)]
    pupils = float(a.loc[a["compulsory_pupils"].notna(), "compulsory_pupils"].sum())
    part = float(offering["participants"].sum(min_count=1)) if len(offering) else float("nan")
    rate = part / pupils if pupils and not pd.isna(part) else float("nan")
    not_offering = a.loc[a["offers"].fillna(True).eq(False)]
    low = a.loc[a["meets_participation"].fillna(True).eq(False) & a["offers"].fillna(False).astype(bool)]
    minimum = float(c.settings.after_school_participation_min)
    if pd.isna(rate):
        status = STATUS_NO_DATA
    else:
        status = STATUS_NOT_MET if len(not_offering) or rate < minimum - 1e-12 else STATUS_MET
    service = _computed(_item("after_school_service", value=_pct(rate), target=_pct(minimum), unit="%", status=status,
                              facts={"year": c.year, "schools": len(a), "not_offering": len(not_offering),
                                     "low": len(low), "participants": 0 if pd.isna(part) else int(part),
                                     "pupils": int(pupils), "rate": rate,
                                     "names": not_offering["name"].astype(str).tolist()}))
    return [homework, service]


def _dropout_item(c: _Context) -> dict | None:
    """County plan: the 辍学学生工作台账 with no open case (动态清零); ``None`` without the target."""
    plan = c.ds.plan_target(PLAN_DROPOUT, c.year)
    if plan is None:
        return None
    if c.ds.dropouts is None:
        return _item("plan_dropout_ledger", target=plan.value, unit="人", status=STATUS_NO_DATA,
                     facts={"missing": "dropouts"}, plan=plan)
    cases = dropout_cases(c.ds)
    cases = cases.loc[cases["year"].isna() | (cases["year"] <= c.year)]
    n_open = int(cases["open"].sum())
    this = cases.loc[cases["year"] == c.year]
    return _item("plan_dropout_ledger", value=n_open, target=plan.value, unit="人",
                 status=STATUS_MET if plan.meets(n_open) else STATUS_NOT_MET,
                 facts={"year": c.year, "cases": len(cases), "open": n_open, "cases_year": len(this),
                        "returned": int((cases["case_status"] == "returned").sum()),
                        "townships_open": cases.loc[cases["open"], "township"].value_counts().to_dict()},
                 plan=plan)


def _alliance_items(c: _Context) -> list[dict]:
    """County plan: groups cover every rural school; 强镇筑基 pilots and 百强 schools as listed."""
    plan = c.ds.plan_target(PLAN_ALLIANCE, c.year)
    out = []  # no coverage target in the county's plan: no item (the plan-task section still counts)
    if plan is not None and c.ds.alliances is None:
        out.append(_item("plan_alliance_coverage", target=_pct(plan.value), unit="%", status=STATUS_NO_DATA,
                         facts={"missing": "alliances"}, plan=plan))
    elif plan is not None:
        cov = alliances.coverage(c.ds, schools=c.tables["schools"], settings=c.settings)
        n, k = len(cov), int(cov["covered"].sum())
        share = k / n if n else float("nan")
        out.append(_item("plan_alliance_coverage", value=_pct(share), target=_pct(plan.value), unit="%",
                         status=STATUS_NO_DATA if pd.isna(share) else
                         (STATUS_MET if plan.meets(share) else STATUS_NOT_MET),
                         facts={"rural": n, "covered": k, "uncovered": n - k, "groups": int(c.ds.alliances["alliance"].nunique()),
                                "names": cov.loc[~cov["covered"], "name"].astype(str).tolist(),
                                "areas": list(c.settings.alliance_areas)}, plan=plan))
    if c.ds.rural_projects is not None:
        p = alliances.projects(c.ds)
        towns = p.loc[p["project"] == "strong_town"]
        top = p.loc[p["project"].isin(("top_junior", "top_primary"))]
        doc = "、".join(c.ds.plan_documents)
        out.append(_item("plan_strong_towns", value=len(towns), unit="个", status=STATUS_EVIDENCE, document=doc, facts={
            "towns": [(r.township, r.project_level, r.project_status) for r in towns.itertuples(index=False)]}))
        out.append(_item("plan_top_rural_schools", value=int((top["project_status"] == "recognised").sum()), unit="所",
                         status=STATUS_EVIDENCE, document=doc, facts={
                             "recognised": int((top["project_status"] == "recognised").sum()),
                             "in_progress": int((top["project_status"] == "in_progress").sum()),
                             "junior": int((top["project"] == "top_junior").sum()),
                             "primary": int((top["project"] == "top_primary").sum())}))
    return out


def plan_task_keys(ds: Dataset, *, year: int) -> set[str]:
    """The catalogue's evidence items that the plan-task tables answer for the year (left out of the checklist)."""
    keys = set()
    if _has_year(ds.survey, year):
        keys.add("satisfaction")
    if _has_year(ds.special_groups, year):
        keys |= {"disabled_enrolment", "migrant_public_share", "left_behind_care"}
    if _has_year(ds.after_school, year):
        keys |= {"homework_burden", "after_school_service"}
    if ds.rural_projects is not None:
        keys |= {"plan_strong_towns", "plan_top_rural_schools"}
    return keys


def _context(ds: Dataset, year: int, s: Settings, tables: dict, rotation: dict | None) -> _Context:
    rr = rotation
    if rr is None and ds.teachers is not None and ds.rotations is not None:
        rr = rotation_ratios(ds, year=year, settings=s)
    if rr is not None and not rr["recorded"]:
        rr = None
    return _Context(ds, year, s, tables, rr)


def assurance_items(
    ds: Dataset,
    *,
    year: int | None = None,
    settings: Settings | None = None,
    include_checklist: bool = False,
    tables: dict[str, pd.DataFrame] | None = None,
    rotation: dict | None = None,
) -> pd.DataFrame:
    """The assurance, quality and county-plan items the data can answer, one row per item.

    Parameters
    ----------
    ds
        The data set.
    year
        School year (default: the latest).
    settings
        Run settings (relaxations, rotation eligibility, 教学点 cut).
    include_checklist
        Append the evidence items of :func:`checklist_items` (status ``evidence``).
    tables
        :func:`school_tables` of the same year and settings, if already computed.
    rotation
        :func:`rotation_ratios` of the same year and settings, if already computed.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ITEM_COLUMNS`: ``item_key`` (stable English key of the item catalogue
        ``jxedu/data/items.csv``, which holds its Chinese name), ``category`` (``assurance``,
        ``quality``, ``recognition``, ``plan``), ``value`` and ``target`` (in ``unit``; ratios in %),
        ``status`` (:data:`STATUSES`), ``facts`` (the counts behind the value, for the sentences of
        :mod:`jxedu.present.assurance`), ``source`` (from the standards table), ``evidence``.

    Notes
    -----
    A 100 % rule (training, certificates, 智慧校园) computed on partly missing data is ``not_met`` when
    the known part already fails and ``no_data`` when the known part passes. Items whose table is
    missing are ``no_data``.
    """
    s = _settings(settings)
    year = ds.year_or_latest(year)
    tables = tables if tables is not None else school_tables(ds, year=year, settings=s)
    c = _context(ds, year, s, tables, rotation)
    items = [_rooms_item(c), _size_item(c), _class_item(c), _training_item(c), *_rotation_items(c),
             _certificate_item(c), _migrant_item(c), _retention_item(c),
             *_survey_items(c), *_special_group_items(c), *_after_school_items(c)]
    # the county plan's items: only the targets its 规划目标 table sets for the year
    items += [it for it in (_plan_pe_art_item(c), _plan_rotations_item(c), _plan_honours_item(c),
                            _plan_smart_campus_item(c), _dropout_item(c)) if it is not None]
    items += _alliance_items(c)
    out = pd.DataFrame(items, columns=list(ITEM_COLUMNS))
    if include_checklist:
        out = pd.concat([out, checklist_items(settings=s, computed=set(out["item_key"]))], ignore_index=True)
    out["value"] = out["value"].astype(float)
    out["target"] = out["target"].astype(float)
    return out


#: Evidence items whose target is a setting: key -> (setting, unit; a share is shown in %).
_SETTING_TARGETS: dict[str, tuple[str, str]] = {
    "special_ed_funding": ("special_ed_funding_min", "元/生·年"),
    "left_behind_care": ("left_behind_care_min", "%"),
    "after_school_service": ("after_school_participation_min", "%"),
}


def checklist_items(*, settings: Settings | None = None, computed: set[str] | frozenset = frozenset()) -> pd.DataFrame:
    """The items that are evidence (documents) rather than numbers, status ``evidence``.

    Government-assurance items 1, 2, 6, 7, 8, 10, 13, 14, 15, quality items 2–9, social recognition
    and the one-vote veto items (the rows of the item catalogue marked ``evidence`` that no
    computation answers). The planner records their status in the progress ledger
    (:mod:`jxedu.publish.ledger`), which keeps it across exports.

    Parameters
    ----------
    settings
        Run settings (the special-education funding floor ``special_ed_funding_min`` [U], the targets
        of 留守儿童 care and 课后服务).
    computed
        Item keys the data answered (:func:`assurance_items`): left out — e.g. 社会认可度 when the
        满意度调查 table is there (:func:`plan_task_keys`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ITEM_COLUMNS`; ``target`` in ``unit`` (ratios in %) where the item has a
        number, else NaN.
    """
    s = _settings(settings)
    computed = {"migrant_share", "junior_retention", *computed}
    rows = []
    for key, cat in std.items().iterrows():
        if not cat["evidence"] or key in computed or cat["category"] == "plan":
            continue  # a county-plan item comes from the county's own data (规划目标, 强镇筑基与百强学校)
        target, unit = np.nan, ""
        if key in _SETTING_TARGETS:
            name, unit = _SETTING_TARGETS[key]
            target = float(getattr(s, name))
            target = _pct(target) if unit == "%" else target
        elif cat["standard"]:
            k, _, stage = cat["standard"].partition("/")
            r = std.rule(k, stage or "all")
            target, unit = float(r["value"]), str(r["unit"])
            if unit == "比例":
                target, unit = _pct(target), "%"
        row = _item(key, target=target, unit=unit, status=STATUS_EVIDENCE)
        if key == "special_ed_funding":
            row["source"] = "教督〔2017〕6号 政府保障程度第7项（设置项 special_ed_funding_min，待核实）"
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(ITEM_COLUMNS))
    out["value"] = out["value"].astype(float)
    out["target"] = out["target"].astype(float)
    return out
