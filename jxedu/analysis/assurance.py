"""Government-assurance, quality and county-plan items of the 2017 method that the data can answer.

The national method (教督〔2017〕6号) has, besides the seven resource indicators
(:mod:`jxedu.analysis.indicators`), 15 government-assurance items (政府保障程度), 9 quality items (教育质量) and
social recognition (社会认可度); the county plan (金政办字〔2024〕20号) adds its own targets. Some of
them are numbers the bureau's data can answer; the rest are documents (evidence) that the planner
tracks as a checklist in the progress ledger (:mod:`jxedu.publish.ledger`).

Typical use::

    from jxedu.analysis.assurance import assurance_items, oversize_classes
    items = assurance_items(ds, year=2024)          # one row per item, status 达标/未达标/…
    big = oversize_classes(ds, year=2024)           # every class over 45 (小学) / 50 (初中)

Every threshold comes from :mod:`jxedu.core.standards`; every unverified value from
:mod:`jxedu.core.settings`.

Which schools are assessed
--------------------------
The school-level items (rooms, school size, PE/art teachers per school) consider every school with
compulsory-stage (小学/初中) students in the year, except a 教学点 below
``settings.teaching_point_min_students`` students (the same cut as the resource indicators). Only the
compulsory stages count: the 高中部 of a 完全中学 or 十二年一贯制学校 is left out of students, classes and
teachers. The class-size item looks at every compulsory-stage class in the 班级 table.
"""

from __future__ import annotations

import operator
from functools import lru_cache

import numpy as np
import pandas as pd

from jxedu.core import standards as std
from jxedu.core.dataset import Dataset
from jxedu.core.numeric import ceil_count
from jxedu.core.schema import COMPULSORY_STAGES, LABELS
from jxedu.core.settings import Settings
from jxedu.core.settings import resolve_settings as _settings

__all__ = [
    "CATEGORY_ASSURANCE",
    "CATEGORY_PLAN",
    "CATEGORY_QUALITY",
    "CATEGORY_RECOGNITION",
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
    "rotation_ratios",
    "school_tables",
    "school_sizes",
]

# --- vocabulary ---------------------------------------------------------------------------------

STATUS_MET = "达标"
STATUS_NOT_MET = "未达标"
STATUS_NO_DATA = "数据不足"
STATUS_EVIDENCE = "需佐证材料"
#: The statuses an assurance item can have.
STATUSES: tuple[str, ...] = (STATUS_MET, STATUS_NOT_MET, STATUS_NO_DATA, STATUS_EVIDENCE)

CATEGORY_ASSURANCE = "政府保障程度"
CATEGORY_QUALITY = "教育质量"
CATEGORY_PLAN = "县域规划目标"
#: Social recognition (satisfaction) and the one-vote veto items: evidence only.
CATEGORY_RECOGNITION = "社会认可度"

#: Columns of :func:`assurance_items` and :func:`checklist_items`.
ITEM_COLUMNS: tuple[str, ...] = (
    "item_key",
    "category",
    "ref",
    "item_zh",
    "value",
    "target",
    "unit",
    "status",
    "gap",
    "detail",
    "source",
    "evidence",
)

_COMPULSORY: tuple[str, ...] = COMPULSORY_STAGES
_BACKBONE_LEVELS = frozenset({"county", "city", "province"})


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


def _v(key: str, stage: str = "all", *, pct: bool = False) -> str:
    """A threshold as shown in Chinese text: ``2000``, ``0.9``, or ``10%`` with ``pct``."""
    v = _thr(key, stage)
    return f"{round(100 * v, 1):g}%" if pct else f"{v:g}"


def _num(s: pd.Series) -> pd.Series:
    """Numeric float series with NaN for missing values (nullable ints and strings alike)."""
    return pd.to_numeric(s, errors="coerce").astype(float)


def _pct(x: float) -> float:
    """Fraction -> percent, 1 decimal as the national form keeps ratios (NaN stays NaN)."""
    return float("nan") if pd.isna(x) else round(100.0 * float(x), 1)


def _source(key: str) -> str:
    """Source text of a standard (any stage: the rows of one key share their source document)."""
    df = std.standards()
    m = df.loc[df["key"] == key, "source"]
    return str(m.iloc[0]) if len(m) else str(std.rule(key)["source"])


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
        without compulsory-stage students and 教学点 below the cut are left out.
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
    out = out[~small_point].copy()
    out["migrant_share"] = out["migrant_students"] / out["students"]
    out["has_junior"] = out["junior_students"] > 0
    return out.sort_values(["township", "school_id"]).reset_index(drop=True)


def school_tables(ds: Dataset, *, year: int | None = None, settings: Settings | None = None) -> dict[str, pd.DataFrame]:
    """The per-school tables of one year, computed once: ``schools`` (:func:`assessed_schools`),
    ``rooms`` (:func:`music_art_rooms`), ``sizes`` (:func:`school_sizes`), ``pe_art``
    (:func:`pe_art_by_school`)."""
    s = _settings(settings)
    year = ds.year_or_latest(year)
    sch = assessed_schools(ds, year=year, settings=s)
    return {
        "schools": sch,
        "rooms": music_art_rooms(ds, year=year, settings=s, schools=sch),
        "sizes": school_sizes(ds, year=year, settings=s, schools=sch),
        "pe_art": pe_art_by_school(ds, year=year, settings=s, schools=sch),
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
        max_class, relaxation`` (Chinese, empty if none), ``music_area_min, art_area_min,
        music_rooms, music_rooms_ok, art_rooms, art_rooms_ok, music_short, art_short, meets``
        (``<NA>`` when no room data), ``source`` (Chinese).
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
        music_min, art_min, reasons = music_std, art_std, []
        if s.room_area_relaxation:
            if pd.notna(r.built_year) and bool(_meets(r.built_year, "room_relax_built_year")):
                music_min = min(music_min, _thr("music_room_area_min_pre2016"))
                art_min = min(art_min, _thr("art_room_area_min_pre2016"))
                reasons.append(f"{int(r.built_year)}年建成（{_v('room_relax_built_year')}年及以前）")
            if (r.urban_rural == "rural" and pd.notna(largest)
                    and bool(_meets(largest, "small_rural_max_class_size"))):
                small = _thr("room_area_min_small_rural", "junior" if r.has_junior else "primary")
                music_min, art_min = min(music_min, small), min(art_min, small)
                reasons.append(f"农村小规模学校（最大班额{int(largest)}人）")
        rows.append({
            "school_id": r.school_id, "name": r.name, "township": r.township,
            "classes": r.classes, "rooms_needed": needed, "max_class": largest,
            "relaxation": "；".join(reasons), "music_area_min": music_min, "art_area_min": art_min,
        })
    out = pd.DataFrame(rows, columns=["school_id", "name", "township", "classes", "rooms_needed",
                                      "max_class", "relaxation", "music_area_min", "art_area_min"])

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
        out["source"] = "专用教室表（已核面积）"
    else:
        fac = ds.facilities
        fac = fac[_num(fac["year"]) == year].set_index("school_id")
        for kind in ("music", "art"):
            col = f"{kind}_rooms"
            counts = _num(fac[col]) if col in fac.columns else pd.Series(np.nan, index=fac.index)
            out[col] = out["school_id"].map(counts)
            out[f"{kind}_rooms_ok"] = out[col]
        out["source"] = "办学条件表房间数（无面积数据，未核面积）"
    for kind in ("music", "art"):
        out[f"{kind}_short"] = (out["rooms_needed"] - out[f"{kind}_rooms_ok"]).clip(lower=0)
    known = out["music_rooms_ok"].notna() & out["art_rooms_ok"].notna()
    meets = (out["music_short"] == 0) & (out["art_short"] == 0)
    out["meets"] = pd.array([bool(m) if k else pd.NA for m, k in zip(meets, known)], dtype="boolean")
    out.loc[~known, "source"] = "无专用教室数据"
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
        migrant_share, built_year, cap, relaxation`` (Chinese reason, empty if none), ``excess``
        (students above the cap, 0 if within), ``meets``.
    """
    s = _settings(settings)
    year = ds.year_or_latest(year)
    sch = assessed_schools(ds, year=year, settings=s) if schools is None else schools
    caps = std.school_size_caps(sch["school_type"], sch["built_year"], sch["migrant_share"],
                                relaxation=s.school_size_relaxation)
    reasons = [
        "；".join(([f"{int(b)}年建成（{_v('school_size_relax_built_year')}年及以前）"] if age else [])
                 + ([f"随迁子女占{_pct(m)}%"] if mig else []))
        for b, m, age, mig in zip(sch["built_year"], sch["migrant_share"], caps["relaxed_by_age"],
                                  caps["relaxed_by_migrants"], strict=True)
    ]
    out = sch[["school_id", "name", "township", "school_type", "students", "migrant_share", "built_year"]].copy()
    out["cap"] = caps["cap"].to_numpy()
    out["relaxation"] = reasons
    out["excess"] = (out["students"] - out["cap"]).clip(lower=0)
    out["meets"] = out["students"] <= out["cap"]
    return out


# --- item 5: class size -------------------------------------------------------------------------


def _band(students: float) -> str:
    """MOE class-size band of a class (偏大班额 / 大班额 / 超大班额), empty below 46."""
    if students >= _thr("class_band_super"):
        return "超大班额"
    if students >= _thr("class_band_big"):
        return "大班额"
    if students >= _thr("class_band_large"):
        return "偏大班额"
    return ""


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
        ``school_id, name, township, stage, stage_zh, grade, class_name, students, limit, excess,
        band`` (MOE band 偏大班额/大班额/超大班额), sorted by 镇街, school, grade, class.

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
    over["band"] = [_band(v) for v in over["students"]]
    over["stage_zh"] = over["stage"].map(LABELS)
    over = over.merge(_school_attrs(ds)[["school_id", "name", "township"]], on="school_id", how="left")
    cols = ["school_id", "name", "township", "stage", "stage_zh", "grade", "class_name", "students",
            "limit", "excess", "band"]
    return over.sort_values(["township", "school_id", "grade", "class_name"])[cols].reset_index(drop=True)


# --- PE/art teachers per school (county plan) ---------------------------------------------------


def pe_art_by_school(
    ds: Dataset,
    *,
    year: int | None = None,
    settings: Settings | None = None,
    schools: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """体育 + 音乐 + 美术 专任教师 per 100 students of each whole school (county plan: ≥ 0.9 everywhere).

    Unlike the resource indicator, which is per 部, the plan's target is per school: all compulsory
    stages of the school together. ``schools``: as for :func:`music_art_rooms`.

    Returns
    -------
    pandas.DataFrame
        One row per assessed school: ``school_id, name, township, students, pe_art_teachers,
        per_100, target, short_teachers`` (whole teachers to add), ``meets``.
    """
    s = _settings(settings)
    sch = assessed_schools(ds, year=year, settings=s) if schools is None else schools
    target = _thr("plan_pe_art_per_100_every_school")
    out = sch[["school_id", "name", "township", "students", "pe_art_teachers"]].copy()
    out["per_100"] = 100.0 * out["pe_art_teachers"] / out["students"]
    out["target"] = target
    out["short_teachers"] = [ceil_count(target * n / 100.0 - t) for n, t in
                             zip(out["students"], out["pe_art_teachers"])]
    out["meets"] = _meets(out["per_100"], "plan_pe_art_per_100_every_school")
    return out


# --- item 11: rotation --------------------------------------------------------------------------


def rotation_ratios(ds: Dataset, *, year: int | None = None, settings: Settings | None = None) -> dict:
    """The two ratios of item 11 and the county plan's count, for one school year.

    Eligibility is the package's one rule, :func:`jxedu.analysis.rotation.eligible_teachers` (settings
    ``rotation_min_years``, ``rotation_exclude_years_to_retirement``, ``retirement_age``). Rotated
    teachers are the distinct 教师编号 of the 交流轮岗 table in the year
    (:func:`jxedu.analysis.rotation.rotation_records`); a rotated teacher is a backbone teacher when the
    roster gives 骨干级别 县级 or above (one missing from the roster counts as not backbone and is
    reported in ``unmatched``). ``toward_target`` counts the rotations the county plan's 400 counts:
    from a 城区/镇区 school to a 乡村 or weak school (rules of :mod:`jxedu.analysis.rotation`).

    Returns
    -------
    dict
        ``eligible, rotated, rotated_backbone, unmatched, toward_target, toward_rural`` (ints) and
        ``share`` (rotated ÷ eligible), ``backbone_share`` (backbone ÷ rotated); fractions, NaN when
        the denominator is 0. ``recorded`` is False when the 交流轮岗 table has no row of the year
        (then ``rotated = 0`` and the items built on it are 数据不足).
    """
    from jxedu.analysis.rotation import eligible_teachers, rotation_records

    ds.require("teachers", "rotations")
    s = _settings(settings)
    year = ds.year_or_latest(year)
    elig = eligible_teachers(ds, year=year, settings=s)
    recorded = year in set(_num(ds.rotations["year"]).dropna().astype(int))
    if recorded:
        rec = rotation_records(ds, year=year).drop_duplicates("teacher_id")
    else:
        rec = pd.DataFrame({"teacher_id": [], "is_backbone": [], "toward_target": [], "toward_rural": []})
    known = set(ds.teachers["teacher_id"])
    n_elig, n_rot = len(elig), len(rec)
    n_bb = int(rec["is_backbone"].astype(bool).sum())
    return {
        "recorded": recorded,
        "eligible": n_elig,
        "rotated": n_rot,
        "rotated_backbone": n_bb,
        "unmatched": int((~rec["teacher_id"].isin(known)).sum()),
        "toward_target": int(rec["toward_target"].astype(bool).sum()),
        "toward_rural": int(rec["toward_rural"].astype(bool).sum()),
        "share": n_rot / n_elig if n_elig else float("nan"),
        "backbone_share": n_bb / n_rot if n_rot else float("nan"),
    }


# --- the item table -----------------------------------------------------------------------------


def _item(key: str, category: str, ref: str, item_zh: str, *, value=np.nan, target=np.nan, unit: str = "",
          status: str, gap: str = "", detail: str = "", source: str = "", evidence: bool = False) -> dict:
    return {"item_key": key, "category": category, "ref": ref, "item_zh": item_zh, "value": value,
            "target": target, "unit": unit, "status": status, "gap": gap, "detail": detail,
            "source": source, "evidence": evidence}


def _ratio_from_stats_or_roster(ds: Dataset, year: int, stats_col: str, roster_ok) -> tuple[float, bool, str, int, int]:
    """(ratio, partial, how, numerator, denominator) from 学段统计 or, failing that, the 教师 roster."""
    ss = _year_stats(ds, year)
    if stats_col in ss.columns and _num(ss[stats_col]).notna().any():
        num, den = _num(ss[stats_col]), _num(ss["teachers"])
        have = num.notna() & den.notna()
        partial = bool((~have).any())
        n, d = float(num[have].sum()), float(den[have].sum())
        how = "学段统计" + (f"（{int((~have).sum())} 条学段记录未填报）" if partial else "")
        return (n / d if d else float("nan")), partial, how, int(n), int(d)
    if ds.teachers is not None:
        t = ds.teachers[ds.teachers["stage"].isin(_COMPULSORY)]
        ok = roster_ok(t)
        have = ok.notna()
        partial = bool((~have).any())
        n, d = int(ok[have].astype(bool).sum()), int(have.sum())
        how = "教师名册" + (f"（{int((~have).sum())} 名教师未填报）" if partial else "")
        return (n / d if d else float("nan")), partial, how, n, d
    return float("nan"), True, "无数据", 0, 0


def assurance_items(
    ds: Dataset,
    *,
    year: int | None = None,
    settings: Settings | None = None,
    include_checklist: bool = False,
    tables: dict[str, pd.DataFrame] | None = None,
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
        Append the evidence items of :func:`checklist_items` (status 需佐证材料).
    tables
        :func:`school_tables` of the same year and settings, if already computed.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ITEM_COLUMNS`: ``item_key`` (stable English key), ``category``
        (政府保障程度 / 教育质量 / 县域规划目标 / 社会认可度), ``ref`` (item number in the method),
        ``item_zh``, ``value`` and ``target`` (in ``unit``; ratios in %), ``status`` (达标 / 未达标 /
        数据不足 / 需佐证材料), ``gap`` (what is missing, in numbers), ``detail`` (a Chinese sentence),
        ``source`` (from the standards table), ``evidence`` (True for checklist items).

    Notes
    -----
    A 100 % rule (training, certificates, 智慧校园) computed on partly missing data is 未达标 when
    the known part already fails and 数据不足 when the known part passes. Items whose table is
    missing are 数据不足.
    """
    s = _settings(settings)
    year = ds.year_or_latest(year)
    items: list[dict] = []
    tables = tables if tables is not None else school_tables(ds, year=year, settings=s)

    # item 3: music/art rooms
    rooms = tables["rooms"]
    known = rooms["meets"].notna()
    bad = rooms[known & ~rooms["meets"].fillna(True).astype(bool)]
    src_note = "" if ds.special_rooms is not None else "（无专用教室表，按办学条件表房间数计，未核面积）"
    if not known.any():
        st = STATUS_NO_DATA
    elif len(bad):
        st = STATUS_NOT_MET
    else:
        st = STATUS_MET if known.all() else STATUS_NO_DATA
    items.append(_item(
        "music_art_rooms", CATEGORY_ASSURANCE, "政府保障第3项", f"每{_v('room_classes_per_room')}个班级配备音乐、美术专用教室各1间以上且面积达标",
        value=len(bad), target=0, unit="所", status=st,
        gap=(f"{len(bad)} 所学校缺音乐教室 {int(bad['music_short'].sum())} 间、美术教室 {int(bad['art_short'].sum())} 间"
             if len(bad) else ""),
        detail=(f"{len(rooms)} 所学校中 {int(known.sum()) - len(bad)} 所达标、{len(bad)} 所未达标"
                + (f"、{int((~known).sum())} 所无数据" if (~known).any() else "")
                + f"；音乐教室≥{_thr('music_room_area_min'):g}㎡、美术教室≥{_thr('art_room_area_min'):g}㎡"
                + ("（已按设置适用过渡期放宽面积）" if s.room_area_relaxation else "（未适用放宽）") + src_note + "。"),
        source=_source("room_classes_per_room")))

    # item 4: school size
    sizes = tables["sizes"]
    over = sizes[~sizes["meets"]]
    items.append(_item(
        "school_size", CATEGORY_ASSURANCE, "政府保障第4项", f"学校规模不超过{_v('school_size_max', 'single_stage')}人（九年一贯制、十二年一贯制不超过{_v('school_size_max', 'through')}人）",
        value=len(over), target=0, unit="所", status=STATUS_NOT_MET if len(over) else STATUS_MET,
        gap=f"{len(over)} 所学校超规模，合计超出 {int(over['excess'].sum())} 人" if len(over) else "",
        detail=(f"{len(sizes)} 所学校中 {len(over)} 所超过规模上限"
                + (f"（{'、'.join(over['name'].astype(str).head(5))}{'等' if len(over) > 5 else ''}）" if len(over) else "")
                + (f"；已按设置适用{_v('school_size_relax_built_year')}年及以前建成或随迁子女超过{_v('school_size_relax_migrant_share', pct=True)}学校的放宽上限。" if s.school_size_relaxation else "。")),
        source=_source("school_size_max")))

    # item 5: class size
    if ds.classes is None:
        items.append(_item("class_size", CATEGORY_ASSURANCE, "政府保障第5项", f"小学、初中所有班级学生数分别不超过{_v('class_size_max', 'primary')}人、{_v('class_size_max', 'junior')}人",
                           target=0, unit="个", status=STATUS_NO_DATA, detail="缺少班级表，无法核查班额。",
                           source=_source("class_size_max")))
    else:
        oc = oversize_classes(ds, year=year)
        by = oc.groupby("stage").size()
        items.append(_item(
            "class_size", CATEGORY_ASSURANCE, "政府保障第5项", f"小学、初中所有班级学生数分别不超过{_v('class_size_max', 'primary')}人、{_v('class_size_max', 'junior')}人",
            value=len(oc), target=0, unit="个", status=STATUS_NOT_MET if len(oc) else STATUS_MET,
            gap=(f"超标准班额 {len(oc)} 个（小学 {int(by.get('primary', 0))} 个、初中 {int(by.get('junior', 0))} 个），"
                 f"共超出 {int(oc['excess'].sum())} 人" if len(oc) else ""),
            detail=(f"超标准班额 {len(oc)} 个，涉及 {oc['school_id'].nunique()} 所学校；其中大班额（{_v('class_band_big')}–{_thr('class_band_super') - 1:g}人）"
                    f"{int((oc['band'] == '大班额').sum())} 个、超大班额（{_v('class_band_super')}人及以上）{int((oc['band'] == '超大班额').sum())} 个。"),
            source=_source("class_size_max")))

    # item 9: 360-hour training
    req = _thr("training_hours_required")
    val, partial, how, n, d = _ratio_from_stats_or_roster(
        ds, year, "trained_teachers", lambda t: (_num(t["training_hours"]) >= req).where(_num(t["training_hours"]).notna())
        if "training_hours" in t else pd.Series(np.nan, index=t.index))
    items.append(_item(
        "training_completion", CATEGORY_ASSURANCE, "政府保障第9项", f"教师5年{_v('training_hours_required')}学时培训完成率达到{_v('training_completion', pct=True)}",
        value=_pct(val), target=_pct(_thr("training_completion")), unit="%",
        status=_status_ratio(val, "training_completion", partial=partial),
        gap=f"尚有 {d - n} 名专任教师未完成{_v('training_hours_required')}学时培训" if d > n else "",
        detail=f"完成 {n} 人 / 专任教师 {d} 人（来源：{how}）。" if d else "学段统计与教师名册均无培训数据。",
        source=_source("training_completion")))

    # item 11: rotation
    rr = None
    if ds.teachers is not None and ds.rotations is not None:
        rr = rotation_ratios(ds, year=year, settings=s)
        if not rr["recorded"]:
            rr = None
    if rr is None:
        for key, zh, tkey in (("rotation_share", f"交流轮岗教师不低于符合交流条件教师数的{_v('rotation_share_of_eligible', pct=True)}", "rotation_share_of_eligible"),
                              ("rotation_backbone_share", f"交流轮岗教师中骨干教师不低于{_v('backbone_share_of_rotated', pct=True)}", "backbone_share_of_rotated")):
            items.append(_item(key, CATEGORY_ASSURANCE, "政府保障第11项", zh, target=_pct(_thr(tkey)), unit="%",
                               status=STATUS_NO_DATA, detail=f"缺少教师表或交流轮岗表，或交流轮岗表中无{year}学年记录。",
                               source=_source(tkey)))
    else:
        share_key, bb_key = "rotation_share_of_eligible", "backbone_share_of_rotated"
        need_rot = max(0, ceil_count(_thr(share_key) * rr["eligible"]) - rr["rotated"])
        need_bb = max(0, ceil_count(_thr(bb_key) * rr["rotated"]) - rr["rotated_backbone"])
        rule_txt = (f"符合交流条件：在同一学校任教满{s.rotation_min_years}年、距法定退休年龄超过"
                    f"{s.rotation_exclude_years_to_retirement}年的教师")
        items.append(_item(
            "rotation_share", CATEGORY_ASSURANCE, "政府保障第11项", f"交流轮岗教师不低于符合交流条件教师数的{_v('rotation_share_of_eligible', pct=True)}",
            value=_pct(rr["share"]), target=_pct(_thr(share_key)), unit="%",
            status=_status_ratio(rr["share"], share_key, partial=False),
            gap=f"还需交流 {need_rot} 人" if need_rot else "",
            detail=f"{year}学年交流轮岗 {rr['rotated']} 人，符合交流条件教师 {rr['eligible']} 人（{rule_txt}）。",
            source=_source(share_key)))
        items.append(_item(
            "rotation_backbone_share", CATEGORY_ASSURANCE, "政府保障第11项", f"交流轮岗教师中骨干教师不低于{_v('backbone_share_of_rotated', pct=True)}",
            value=_pct(rr["backbone_share"]), target=_pct(_thr(bb_key)), unit="%",
            status=_status_ratio(rr["backbone_share"], bb_key, partial=False),
            gap=f"交流人数不变时还需 {need_bb} 名县级以上骨干教师参加交流" if need_bb else "",
            detail=(f"交流轮岗 {rr['rotated']} 人中县级以上骨干教师 {rr['rotated_backbone']} 人"
                    + (f"；{rr['unmatched']} 人不在教师名册中，按非骨干计" if rr["unmatched"] else "") + "。"),
            source=_source(bb_key)))

    # item 12: certificates
    val, partial, how, n, d = _ratio_from_stats_or_roster(
        ds, year, "certified_teachers", lambda t: t["certified"].astype("boolean"))
    items.append(_item(
        "certificate_share", CATEGORY_ASSURANCE, "政府保障第12项", f"专任教师持有教师资格证上岗率达到{_v('certificate_share', pct=True)}",
        value=_pct(val), target=_pct(_thr("certificate_share")), unit="%",
        status=_status_ratio(val, "certificate_share", partial=partial),
        gap=f"{d - n} 名专任教师未持教师资格证" if d > n else "",
        detail=f"持证 {n} 人 / 专任教师 {d} 人（来源：{how}）。" if d else "无持证数据。",
        source=_source("certificate_share")))

    # item 15 (context): 随迁子女
    sch = tables["schools"]
    mig = sch["migrant_students"]
    if mig.notna().any():
        share = float(mig.sum()) / float(sch.loc[mig.notna(), "students"].sum())
        items.append(_item(
            "migrant_share", CATEGORY_ASSURANCE, "政府保障第15项", "随迁子女在校生占比（参考）",
            value=_pct(share), unit="%", status=STATUS_EVIDENCE, evidence=True,
            detail=(f"在校随迁子女 {int(mig.sum())} 人，占填报学校在校生的 {_pct(share)}%；"
                    f"第15项“符合条件的随迁子女在公办学校和政府购买学位就读比例≥"
                    f"{_pct(_thr('migrant_public_share'))}%”需佐证材料。"),
            source=_source("migrant_public_share")))
    else:
        items.append(_item("migrant_share", CATEGORY_ASSURANCE, "政府保障第15项", "随迁子女在校生占比（参考）",
                           unit="%", status=STATUS_NO_DATA, detail="学段统计未填报随迁子女数。",
                           source=_source("migrant_public_share")))

    # quality item 1 (estimate): junior three-year retention
    items.append(_retention_item(ds, year))

    # county plan: PE/art at every school
    pe = tables["pe_art"]
    low = pe[~pe["meets"]]
    items.append(_item(
        "plan_pe_art_every_school", CATEGORY_PLAN, "县实施方案", f"每所学校每百名学生体育和艺术专任教师数不低于{_v('plan_pe_art_per_100_every_school')}人",
        value=len(low), target=0, unit="所", status=STATUS_NOT_MET if len(low) else STATUS_MET,
        gap=f"{len(low)} 所学校共缺体育、艺术专任教师 {int(low['short_teachers'].sum())} 人" if len(low) else "",
        detail=f"{len(pe)} 所学校中 {len(low)} 所低于每百名学生{_thr('plan_pe_art_per_100_every_school'):g}人（按全校义务教育学段计）。",
        source=_source("plan_pe_art_per_100_every_school")))

    # county plan: rotations per year (city/town -> rural or weak schools)
    target_rot = _thr("plan_rotations_per_year")
    plan_zh = f"每年城镇学校向乡村和薄弱学校交流轮岗教师不少于{_v('plan_rotations_per_year')}人"
    if rr is None:
        items.append(_item("plan_rotations", CATEGORY_PLAN, "县实施方案", plan_zh, target=target_rot, unit="人",
                           status=STATUS_NO_DATA, detail=f"缺少教师表或交流轮岗表，或交流轮岗表中无{year}学年记录。",
                           source=_source("plan_rotations_per_year")))
    else:
        n = rr["toward_target"]
        items.append(_item(
            "plan_rotations", CATEGORY_PLAN, "县实施方案", plan_zh, value=n, target=target_rot, unit="人",
            status=STATUS_MET if _meets(n, "plan_rotations_per_year") else STATUS_NOT_MET,
            gap=f"还差 {int(target_rot - n)} 人" if n < target_rot else "",
            detail=(f"{year}学年交流轮岗共 {rr['rotated']} 人，其中由城区、镇区学校到乡村或薄弱学校 {n} 人"
                    f"（到乡村学校 {rr['toward_rural']} 人；薄弱学校指资源配置有学部未达标的学校）。"),
            source=_source("plan_rotations_per_year")))

    # county plan: 最美教师
    target_h = _thr("plan_honoured_teachers_per_year")
    hy = _num(ds.teachers["honour_year"]) if ds.teachers is not None and "honour_year" in ds.teachers else None
    if hy is None or hy.isna().all():
        items.append(_item("plan_honoured_teachers", CATEGORY_PLAN, "县实施方案", f"每年评选“最美教师”不少于{_v('plan_honoured_teachers_per_year')}人",
                           target=target_h, unit="人", status=STATUS_NO_DATA,
                           detail="教师表未填写最美教师年份。", source=_source("plan_honoured_teachers_per_year")))
    else:
        n = int((hy == year).sum())
        items.append(_item(
            "plan_honoured_teachers", CATEGORY_PLAN, "县实施方案", f"每年评选“最美教师”不少于{_v('plan_honoured_teachers_per_year')}人",
            value=n, target=target_h, unit="人",
            status=STATUS_MET if _meets(n, "plan_honoured_teachers_per_year") else STATUS_NOT_MET,
            gap=f"还差 {int(target_h - n)} 人" if n < target_h else "",
            detail=f"{year}年评选“最美教师” {n} 人（按教师名册中的最美教师年份统计）。",
            source=_source("plan_honoured_teachers_per_year")))

    # county plan: 智慧校园
    fac = ds.facilities[_num(ds.facilities["year"]) == year]
    fac = fac[fac["school_id"].isin(sch["school_id"])]
    sc = fac["smart_campus"].astype("boolean") if "smart_campus" in fac else pd.Series(pd.NA, index=fac.index, dtype="boolean")
    have = sc.notna()
    n_yes, n_known = int(sc[have].sum()), int(have.sum())
    val = n_yes / n_known if n_known else float("nan")
    items.append(_item(
        "plan_smart_campus", CATEGORY_PLAN, "县实施方案", f"智慧校园覆盖率{_v('plan_target_year')}年达到{_v('plan_smart_campus_coverage', pct=True)}",
        value=_pct(val), target=_pct(_thr("plan_smart_campus_coverage")), unit="%",
        status=_status_ratio(val, "plan_smart_campus_coverage", partial=bool((~have).any()) or len(fac) < len(sch)),
        gap=f"{n_known - n_yes} 所学校尚未建成智慧校园" if n_known > n_yes else "",
        detail=(f"{n_known} 所填报学校中 {n_yes} 所为智慧校园" + (f"，{int((~have).sum())} 所未填报" if (~have).any() else "") + "。")
        if n_known else "办学条件表未填报智慧校园。",
        source=_source("plan_smart_campus_coverage")))

    out = pd.DataFrame(items, columns=list(ITEM_COLUMNS))
    if include_checklist:
        out = pd.concat([out, checklist_items(settings=s)], ignore_index=True)
    out["value"] = out["value"].astype(float)
    out["target"] = out["target"].astype(float)
    return out


def _retention_item(ds: Dataset, year: int) -> dict:
    """Junior three-year retention, estimated as grade-9 students ÷ grade-7 students two years earlier.

    The official rate needs graduates, transfers and deaths, which the data do not hold; the
    estimate is shown as context and the item stays 需佐证材料.
    """
    key = "junior_retention"
    base = _item(key, CATEGORY_QUALITY, "教育质量第1项", f"初中三年巩固率达到{_v('junior_retention', pct=True)}以上",
                 target=_pct(_thr(key)), unit="%", status=STATUS_EVIDENCE, evidence=True,
                 source=_source(key))
    if ds.classes is None or (year - 2) not in set(_num(ds.classes["year"]).dropna().astype(int)):
        base["detail"] = "需佐证材料（数据中无两年前的班级表，无法估算）。"
        return base
    c = ds.classes
    g9 = _num(c.loc[(_num(c["year"]) == year) & (_num(c["grade"]) == 9), "students"]).sum()
    g7 = _num(c.loc[(_num(c["year"]) == year - 2) & (_num(c["grade"]) == 7), "students"]).sum()
    if not g7:
        base["detail"] = "需佐证材料（两年前无七年级学生数据）。"
        return base
    base["value"] = _pct(g9 / g7)
    base["detail"] = (f"估算：{year}学年九年级 {int(g9)} 人 ÷ {year - 2}学年七年级 {int(g7)} 人 = {_pct(g9 / g7)}%"
                      "（未扣除转入转出和死亡，仅供参考；正式巩固率需佐证材料）。")
    return base


#: Evidence items: (key, category, ref, Chinese requirement, target key or None).
_CHECKLIST: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("layout_plan", CATEGORY_ASSURANCE, "政府保障第1项", "按照国家规定要求合理规划学校布局", None),
    ("four_unified", CATEGORY_ASSURANCE, "政府保障第2项",
     "城乡学校建设标准、教师编制标准、生均公用经费基准定额、基本装备配置标准“四统一”", None),
    ("small_school_funding", CATEGORY_ASSURANCE, "政府保障第6项", "不足{t}名学生的学校按{t}名学生核定公用经费",
     "small_school_funded_as"),
    ("special_ed_funding", CATEGORY_ASSURANCE, "政府保障第7项", "特殊教育学校生均公用经费不低于{special_ed}元", None),
    ("teacher_pay", CATEGORY_ASSURANCE, "政府保障第8项", "教师平均工资收入水平不低于当地公务员平均工资收入水平",
     "teacher_pay_ratio"),
    ("staffing", CATEGORY_ASSURANCE, "政府保障第10项", "县级教育行政部门在核定的教职工编制总额和岗位总量内统筹分配各校教职工编制和岗位数量", None),
    ("nearby_enrolment_primary", CATEGORY_ASSURANCE, "政府保障第13项", "城区和镇区公办小学就近划片入学比例达到{t}",
     "nearby_enrolment_share|primary"),
    ("nearby_enrolment_junior", CATEGORY_ASSURANCE, "政府保障第13项", "城区和镇区公办初中就近划片入学比例达到{t}以上",
     "nearby_enrolment_share|junior"),
    ("quality_hs_quota", CATEGORY_ASSURANCE, "政府保障第14项", "优质高中招生名额分配比例不低于{t}，并向农村初中倾斜",
     "quality_hs_quota_share"),
    ("migrant_public_share", CATEGORY_ASSURANCE, "政府保障第15项",
     "留守儿童关爱体系健全，全县符合条件的随迁子女在公办学校和政府购买学位就读的比例不低于{t}", "migrant_public_share"),
    ("disabled_enrolment", CATEGORY_QUALITY, "教育质量第2项", "残疾儿童少年入学率达到{t}以上", "disabled_enrolment"),
    ("charter_digital", CATEGORY_QUALITY, "教育质量第3项", "所有学校制定章程，实现学校管理与教学信息化", None),
    ("training_budget", CATEGORY_QUALITY, "教育质量第4项", "教师培训经费占学校年度公用经费预算总额的{t}以上",
     "training_budget_share"),
    ("ict_use", CATEGORY_QUALITY, "教育质量第5项", "教师能熟练运用信息化手段组织教学，设施设备利用率达到较高水平", None),
    ("moral_education", CATEGORY_QUALITY, "教育质量第6项", "德育工作、校园文化建设水平达到良好以上", None),
    ("curriculum", CATEGORY_QUALITY, "教育质量第7项", "课程开齐开足，教学秩序规范，综合实践活动有效开展（含劳动教育）", None),
    ("homework_burden", CATEGORY_QUALITY, "教育质量第8项", "无过重课业负担（“双减”工作）", None),
    ("quality_monitoring", CATEGORY_QUALITY, "教育质量第9项",
     "国家义务教育质量监测相关科目学生学业水平达到Ⅲ级以上，且校际差异率低于{t}", "monitoring_gap_rate"),
    ("satisfaction", CATEGORY_RECOGNITION, "社会认可度", "学生、家长、教师、校长、人大代表、政协委员及其他群众满意度达到{t}以上",
     "satisfaction"),
    ("veto_items", CATEGORY_RECOGNITION, "一票否决",
     "无考试招生、违规择校、重点校重点班、编制长期空缺或长期聘用编外教师、重大安全责任事故或严重违纪违规、弄虚作假、"
     "校外培训治理不力等一票否决情形", None),
)


def checklist_items(*, settings: Settings | None = None) -> pd.DataFrame:
    """The items that are evidence (documents) rather than numbers, status 需佐证材料.

    Government-assurance items 1, 2, 6, 7, 8, 10, 13, 14, 15, quality items 2–9, social recognition
    and the one-vote veto items. The planner records their status in the progress ledger
    (:mod:`jxedu.publish.ledger`), which keeps it across exports.

    Parameters
    ----------
    settings
        Run settings (the special-education funding floor ``special_ed_funding_min`` [U]).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ITEM_COLUMNS`; ``target`` in ``unit`` (ratios in %) where the item has a
        number, else NaN.
    """
    s = _settings(settings)
    rows = []
    for key, cat, ref, zh, tkey in _CHECKLIST:
        target, unit, source = np.nan, "", "教督〔2017〕6号"
        if key == "special_ed_funding":
            target, unit = float(s.special_ed_funding_min), "元/生·年"
            source = "教督〔2017〕6号 政府保障程度第7项（设置项 special_ed_funding_min，待核实）"
        elif tkey is not None:
            k, _, stage = tkey.partition("|")
            r = std.rule(k, stage or "all")
            target, unit, source = float(r["value"]), str(r["unit"]), str(r["source"])
            if unit == "比例":
                target, unit = _pct(target), "%"
        shown = f"{target:g}%" if unit == "%" else f"{target:g}"
        zh = zh.format(special_ed=f"{s.special_ed_funding_min:g}", t=shown)
        rows.append(_item(key, cat, ref, zh, target=target, unit=unit, status=STATUS_EVIDENCE,
                          detail="需提供佐证材料，由规划人员在台账中记录状态。", source=source, evidence=True))
    out = pd.DataFrame(rows, columns=list(ITEM_COLUMNS))
    out["value"] = out["value"].astype(float)
    out["target"] = out["target"].astype(float)
    return out
