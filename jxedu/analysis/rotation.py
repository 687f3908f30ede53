"""Teacher rotation (交流轮岗), training and honours: where each year stands and who could rotate next.

Rules and assumptions (each is either a standard read from :mod:`jxedu.core.standards` or a setting of
:mod:`jxedu.core.settings`; nothing here is a hard-coded threshold):

* **Eligibility** (:func:`eligible_teachers`, the ONE place of the rule — other modules call it).
  A teacher on the roster (教师 table) is eligible for rotation in school year ``Y`` when

  - ``Y − 本校任教起始年份 ≥ rotation_min_years`` (setting, default **6** years at the same school), and
  - the teacher is **not** within ``rotation_exclude_years_to_retirement`` years of retirement
    (setting, default **5**): with ``age = Y − 出生年份`` and the statutory ``retirement_age`` by
    gender (setting, default 男 60, 女 55; unknown gender uses the male age), the teacher is
    excluded when ``retirement_age − age ≤ 5``. A man aged 54 (6 years to go) is eligible, a man
    aged 55 (5 years to go) is not; a woman aged 49 is eligible, a woman aged 50 is not.

  The roster of year ``Y`` is read (:func:`jxedu.core.roster.roster_of_year`): with a 学年 column in
  the 教师 table, that year's roster; without one, the bureau's latest roster, and for past years the
  rule is applied to it as it stands — teachers who have since left or changed school are not seen
  (:func:`jxedu.core.roster.from_latest_roster` marks those years). Teachers are identified
  by the pseudonymous 教师编号 only; names and ID numbers never enter jxedu (dropped on load).
* **Backbone** (骨干): 骨干级别 县级, 市级 or 省级, as recorded on the roster.
* **PE/art teachers**: 任教学科 containing 体育, 音乐, 美术 or 艺术 (:data:`PE_ART_SUBJECT_KEYS`).
* **The two national ratios** (教督〔2017〕6号 保障程度第11项): rotated ≥ 10 % of eligible
  (``rotation_share_of_eligible``) and backbone ≥ 20 % of rotated (``backbone_share_of_rotated``).
  The share of eligible is computed against the county's eligible teachers of the same year.
* **Which rotations count.** Compulsory education only, on both sides of every ratio: a rotation of a
  teacher whose 任教学段 (on the roster) is 高中 is left out of every count, as the eligible pool
  leaves out 高中 teachers; a rotated teacher missing from the roster (stage unknown) is counted.
* **The county plan's target**, when the county's 规划目标 table sets one (``plan_rotations_per_year``,
  e.g. a plan's “年均交流轮岗教师 400 名以上”): the year's count *and* the average per year over the
  plan's years present in the 交流轮岗 table (from the row's 起始年份 to the year assessed) are both
  compared with it (:func:`plan_progress`); the setting ``rotation_target_basis`` (default ``average``)
  says which decides. The setting ``rotation_target_moves`` says which rotations count: ``all``
  (default: every compulsory-stage rotation) or ``toward_rural_weak`` — from a 城区/镇区 school to a
  乡村 school or a weak school (``toward_target``; always shown beside). Without the table there is
  no county target and nothing is compared with one. Target and ratios are county targets: the rows
  of a 镇街 or a school show its contribution (teachers it sent).
* **Weak schools** (薄弱学校): schools with at least one unit (小学部/初中部) failing the resource
  indicators of the year (``passes`` False in :func:`jxedu.analysis.indicators.resource_indicators`;
  :func:`weak_schools` reads them from that frame). Every function accepts ``weak=`` (学校标识码, or a
  mapping year → 学校标识码) to use sets already known; without it they are computed once.
* **Gap filling** (:func:`gap_filling`): the 学段统计 counts of the receiving school are taken as
  *before* the rotated-in teachers arrive; *after* adds each rotated-in teacher to the unit of their
  任教学段 (to the school's first stage when it does not teach that stage).
* **Planning the next year** (:func:`plan_next_year`): see its docstring for the greedy rule.

Frames have English column keys and English codes; the Chinese words are in the vocabulary
(``jxedu/data/vocabulary/fields-teachers.csv``, ``words-teachers.csv``) and the tables, charts and
the flow map in :mod:`jxedu.present.teachers`.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from jxedu.analysis.indicators import township_sort_key
from jxedu.core import roster
from jxedu.core.county import PLAN_HONOURS, PLAN_PE_ART, PLAN_ROTATIONS
from jxedu.core.errors import DataError
from jxedu.core.numeric import ceil_count
from jxedu.core.schema import COMPULSORY_STAGES
from jxedu.core.settings import Settings
from jxedu.core.settings import resolve_settings as _settings
from jxedu.core.standards import ASSESSED_STAGES, threshold
from jxedu.core.vocabulary import COUNTY

__all__ = [
    "AREA_ORDER",
    "BACKBONE_LEVELS",
    "COUNTY_ROW",
    "GAP_STATUSES",
    "PE_ART_SUBJECT_KEYS",
    "PLAN_REASONS",
    "SENDING_AREAS",
    "RotationPlan",
    "direction_matrix",
    "eligible_teachers",
    "gap_filling",
    "is_pe_art_subject",
    "pe_art_needs",
    "plan_by_township",
    "plan_next_year",
    "plan_progress",
    "rotation_direction",
    "rotation_records",
    "rotation_summary",
    "training_honours",
    "weak_by_year",
    "weak_schools",
]

#: 骨干级别 codes that count as 县级以上骨干教师 (:data:`jxedu.core.roster.BACKBONE_LEVELS`).
BACKBONE_LEVELS: tuple[str, ...] = roster.BACKBONE_LEVELS
#: Substrings of 任教学科 that make a 体育/艺术（音乐、美术）专任教师.
PE_ART_SUBJECT_KEYS: tuple[str, ...] = ("体育", "音乐", "美术", "艺术")
#: Stages of compulsory education (the only ones rotation planning looks at).
COMPULSORY: tuple[str, ...] = COMPULSORY_STAGES
#: 城乡分类 codes of sending schools for the county plan's target.
SENDING_AREAS: tuple[str, ...] = ("urban", "town")
#: Name of the county-wide row of summaries (:data:`jxedu.core.vocabulary.COUNTY`).
COUNTY_ROW = COUNTY
#: Order of 城乡分类 codes in matrices and charts.
AREA_ORDER: tuple[str, ...] = ("urban", "town", "rural")
#: Code of the total row of :func:`direction_matrix` (word kind ``direction``).
TOTAL_ROW = "total"
#: Gap statuses of :func:`gap_filling`, in display order (word kind ``gap_status``).
GAP_STATUSES: tuple[str, ...] = ("closed", "narrowed", "open", "no_gap")
#: Reasons of a planned rotation, one per step of :func:`plan_next_year` (word kind ``plan_reason``).
PLAN_REASONS: tuple[str, ...] = ("pe_art_gap", "backbone_gap", "backbone_share", "pupils_per_teacher")

#: Float slack when a ratio is compared with its threshold (a ratio equal to it meets it).
_EPS = 1e-9


# --- small helpers ----------------------------------------------------------------------------


def is_pe_art_subject(subject: pd.Series) -> pd.Series:
    """True where 任教学科 is 体育, 音乐, 美术 or 艺术 (substring match, e.g. 体育与健康).

    Parameters
    ----------
    subject
        The ``subject`` column of the teachers table.

    Returns
    -------
    pandas.Series of bool
    """
    s = subject.astype("string").fillna("")
    mask = pd.Series(False, index=subject.index)
    for key in PE_ART_SUBJECT_KEYS:
        mask |= s.str.contains(key, regex=False)
    return mask.astype(bool)


def _teachers(ds, year: int | None = None) -> pd.DataFrame:
    """The roster of ``year`` (the latest for ``None``), whitelisted columns and the two flags."""
    ds.require("teachers")
    t = roster.roster_of_year(ds.teachers, year)
    keep = [
        c
        for c in (
            "teacher_id", "school_id", "stage", "subject", "gender", "birth_year", "backbone_level",
            "start_year", "training_hours", "honour_year",
        )
        if c in t.columns
    ]
    # Only whitelisted columns travel further: nothing personal can leak through a join.
    t = t[keep].copy()
    t["is_backbone"] = roster.is_backbone(t["backbone_level"])
    t["is_pe_art"] = is_pe_art_subject(t["subject"])
    return t


def _schools(ds) -> pd.DataFrame:
    s = pd.DataFrame(ds.schools[["school_id", "name", "township", "urban_rural"]])
    return s.rename(columns={"name": "school_name"})


def _rotations(ds) -> pd.DataFrame:
    ds.require("rotations")
    return ds.rotations


def _rotation_years(ds, year: int | None) -> list[int]:
    """Years to summarise: every year of the rotations table (``None``) or the one asked for."""
    rot = _rotations(ds)
    years = sorted(int(y) for y in rot["year"].dropna().unique())
    if year is None:
        return years
    if int(year) not in years:
        raise DataError(
            f"交流轮岗表中没有该学年 (unknown_year): {year}；可用学年：{'、'.join(map(str, years)) or '无'}"
        )
    return [int(year)]


def _one_rotation_year(ds, year: int | None) -> int:
    years = _rotation_years(ds, year)
    if not years:
        raise DataError("交流轮岗表为空 (empty_table): 交流轮岗")
    return years[-1]


def _stats_year(ds, year: int) -> int:
    """The 学段统计 year matching ``year`` (the latest one at or before it; else the first)."""
    years = ds.years
    before = [y for y in years if y <= year]
    return before[-1] if before else years[0]


def _township_key(col: pd.Series) -> pd.Series:
    """Sort key: 街道 first, then by name (as :attr:`Dataset.townships_list`)."""
    if col.name == "township":
        return col.map(township_sort_key)
    return col


# --- weak schools -----------------------------------------------------------------------------


def weak_schools(indicators: pd.DataFrame, *, year: int | None = None) -> set[str]:
    """学校标识码 of the schools with a unit failing the resource indicators.

    Parameters
    ----------
    indicators
        Resource indicators of school-stage units (``school_id``, ``passes`` and, to pick a year,
        ``year``), e.g. ``Assessment.indicators`` or
        :func:`jxedu.analysis.indicators.resource_indicators`.
    year
        Only the rows of this year (default every row of the frame).

    Returns
    -------
    set of str
    """
    ind = indicators if year is None else indicators[indicators["year"] == int(year)]
    return set(ind.loc[~ind["passes"].astype(bool), "school_id"].astype(str))


def weak_by_year(indicators: pd.DataFrame) -> dict[int, set[str]]:
    """:func:`weak_schools` of every year of a several-year indicator frame (``year="all"``)."""
    return {int(y): weak_schools(g) for y, g in indicators.groupby("year")}


def _weak_lookup(ds, years: Iterable[int], weak, settings: Settings | None = None) -> dict[int, set[str]]:
    """Weak schools of each year: the ``weak`` given (one set for all years, or per year), else from
    the resource indicators (computed once for all the years asked)."""
    years = [int(y) for y in years]
    if weak is not None and not isinstance(weak, Mapping):
        fixed = set(map(str, weak))
        return {y: fixed for y in years}
    if weak is None:
        from jxedu.analysis.indicators import resource_indicators

        weak = weak_by_year(resource_indicators(ds, year="all", settings=settings))
    by_year = {int(k): set(map(str, v)) for k, v in weak.items()}
    return {y: by_year.get(_stats_year(ds, y), set()) for y in years}


# --- eligibility ------------------------------------------------------------------------------


def eligible_teachers(ds, *, year: int | None = None, settings: Settings | None = None) -> pd.DataFrame:
    """Teachers eligible for rotation in a school year (the single home of the rule).

    Rule (module docstring): a compulsory-stage teacher (任教学段 小学 or 初中; the 高中部 teachers of
    完全中学 and 十二年一贯制 schools are outside the 义务教育 rotation rule) with
    ``year − 本校任教起始年份 ≥ rotation_min_years`` (default 6) and more than
    ``rotation_exclude_years_to_retirement`` (default 5) years before the ``retirement_age`` of the
    teacher's gender (default 男 60, 女 55; unknown gender: male age). The three numbers are settings.

    Parameters
    ----------
    ds
        The data set (needs the 教师 table).
    year
        School year the rule is applied to; default the latest year of 学段统计. May be a future
        year (planning).
    settings
        Run settings; default :func:`jxedu.core.settings.get_settings`.

    Returns
    -------
    pandas.DataFrame
        One row per eligible teacher: ``teacher_id, school_id, township, stage, subject, gender,
        backbone_level, is_backbone, is_pe_art, years_at_school, age, years_to_retirement``. No
        name, no ID number.

    Raises
    ------
    MissingTableError
        Without the 教师 table.
    """
    s = _settings(settings)
    y = ds.latest_year if year is None else int(year)
    t = _teachers(ds, y)
    t["years_at_school"] = y - t["start_year"].astype(float)
    t["age"] = y - t["birth_year"].astype(float)
    ages = s.retirement_age
    male_age = float(ages.get("male", 60))
    ret = t["gender"].map({k: float(v) for k, v in ages.items()}) if "gender" in t else None
    ret = pd.Series(male_age, index=t.index) if ret is None else ret.astype(float).fillna(male_age)
    t["years_to_retirement"] = ret - t["age"]
    ok = (
        t["stage"].isin(ASSESSED_STAGES)
        & (t["years_at_school"] >= s.rotation_min_years)
        & (t["years_to_retirement"] > s.rotation_exclude_years_to_retirement)
    )
    cols = [
        "teacher_id", "school_id", "stage", "subject", "gender", "backbone_level", "is_backbone",
        "is_pe_art", "years_at_school", "age", "years_to_retirement",
    ]
    out = t.loc[ok, [c for c in cols if c in t.columns]].reset_index(drop=True)
    for c in ("years_at_school", "age", "years_to_retirement"):
        out[c] = out[c].astype(int)
    out.insert(2, "township", out["school_id"].map(_schools(ds).set_index("school_id")["township"]))
    return out


# --- what happened ----------------------------------------------------------------------------


def rotation_records(ds, *, year: int | None = None, weak=None, settings: Settings | None = None) -> pd.DataFrame:
    """Rotations with the attributes every summary needs (one row per rotation).

    Parameters
    ----------
    ds
        The data set (needs 交流轮岗 and 教师).
    year
        One school year, or ``None`` for every year of the 交流轮岗 table.
    weak
        学校标识码 of weak schools (the same for every year), or a mapping year → 学校标识码 (the
        year of 学段统计 matching each rotation year, see :func:`weak_by_year`); default from the
        resource indicators of each year.
    settings
        Run settings (only for the default weak schools).

    Returns
    -------
    pandas.DataFrame
        ``year, teacher_id, from_school_id, to_school_id, stage, subject, backbone_level,
        is_backbone, is_pe_art, from_school_name, from_township, from_urban_rural, to_school_name,
        to_township, to_urban_rural, to_weak, toward_rural, toward_target``. Rotations of 高中
        teachers (任教学段 on the roster) are left out: the rule, the eligible pool and the plan are
        those of compulsory education.
    """
    years = _rotation_years(ds, year)
    rot = _rotations(ds)
    rot = rot[rot["year"].isin(years)][["year", "teacher_id", "from_school_id", "to_school_id"]].copy()
    cols = ["teacher_id", "stage", "subject", "backbone_level", "is_backbone", "is_pe_art"]
    if roster.is_dated(ds.teachers):  # each rotation year reads the roster of its year
        t = pd.concat([_teachers(ds, y)[cols].assign(year=y) for y in years], ignore_index=True)
        rot = rot.merge(t, on=["year", "teacher_id"], how="left")
    else:
        rot = rot.merge(_teachers(ds)[cols], on="teacher_id", how="left")
    rot = rot[rot["stage"].isna() | rot["stage"].isin(COMPULSORY)]  # 高中 teachers: outside the rule
    rot["is_backbone"] = rot["is_backbone"].astype("boolean").fillna(False).astype(bool)
    rot["is_pe_art"] = rot["is_pe_art"].astype("boolean").fillna(False).astype(bool)
    sch = _schools(ds)
    for side in ("from", "to"):
        rot = rot.merge(
            sch.rename(columns={c: f"{side}_{c}" for c in sch.columns if c != "school_id"}).rename(
                columns={"school_id": f"{side}_school_id"}
            ),
            on=f"{side}_school_id",
            how="left",
        )
    rot["year"] = rot["year"].astype(int)
    weak_of = _weak_lookup(ds, years, weak, settings)
    rot["to_weak"] = [str(s) in weak_of[y] for y, s in zip(rot["year"], rot["to_school_id"], strict=True)]
    sending = rot["from_urban_rural"].isin(SENDING_AREAS)
    rot["toward_rural"] = sending & (rot["to_urban_rural"] == "rural")
    rot["toward_target"] = sending & ((rot["to_urban_rural"] == "rural") | rot["to_weak"])
    return rot.reset_index(drop=True)


_COUNTY_COLUMNS = ["year", "rotated", "toward_target", "toward_rural", "toward_weak", "rotation_target",
                   "plan_counted", "plan_average", "meets_rotation_target", "eligible", "rotation_share",
                   "meets_rotation_share", "backbone_rotated", "backbone_share", "meets_backbone_share"]
#: Codes of the setting ``rotation_target_moves`` and ``rotation_target_basis``.
TARGET_MOVES: tuple[str, ...] = ("all", "toward_rural_weak")
TARGET_BASES: tuple[str, ...] = ("average", "yearly")

_COUNT_COLUMNS = ("rotated", "rotated_out", "rotated_in", "toward_target", "toward_rural", "toward_weak", "eligible",
                  "backbone_rotated")


def rotation_summary(
    ds,
    *,
    year: int | None = None,
    by: str = "county",
    weak=None,
    settings: Settings | None = None,
    records: pd.DataFrame | None = None,
    eligible: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rotations per year against the county plan's target and the 10 % / 20 % ratios.

    Parameters
    ----------
    ds
        The data set (needs 交流轮岗 and 教师).
    year
        One school year, or ``None`` for every year of the 交流轮岗 table (the trend).
    by
        ``"county"`` (one row per year), ``"township"`` or ``"school"``. For 镇街/学校 rows the
        ratios use the teachers the unit *sent* (``rotated_out``) and its own eligible teachers;
        ``rotated_in`` shows what it received. The plan's target applies to the county only (its
        average since the plan began needs every year: ``year=None``).
    weak
        Weak schools (see :func:`rotation_records`); not used when ``records`` is given.
    settings
        Run settings (eligibility rule).
    records
        :func:`rotation_records` already computed (of ``year``, or of every year); read from the
        data when omitted.
    eligible
        :func:`eligible_teachers` of ``year`` already computed (with one ``year`` only).

    Returns
    -------
    pandas.DataFrame
        County: ``year, rotated, toward_target, toward_rural, toward_weak, rotation_target,
        plan_counted, plan_average, meets_rotation_target`` (:func:`plan_progress`; NaN/NA in a year
        the county plan sets no target), ``eligible, rotation_share, meets_rotation_share,
        backbone_rotated, backbone_share, meets_backbone_share``. 镇街/学校: ``year``, the unit columns
        (``township``; ``school_id, school_name, township, urban_rural``), ``eligible, rotated_out,
        rotated_in, backbone_rotated, toward_target`` and the ratio columns; every 镇街 (school) of
        the data appears, with zeros when it sent and received nobody.

    Raises
    ------
    DataError
        Unknown ``by`` or year, or an empty 交流轮岗 table.
    """
    if by not in ("county", "township", "school"):
        raise DataError(f"汇总层级无效 (bad_by): {by}；可选 county、township、school")
    if records is None:
        years = _rotation_years(ds, year)
        if not years:
            raise DataError("交流轮岗表为空 (empty_table): 交流轮岗")
        records = rotation_records(ds, year=year, weak=weak, settings=settings)
    else:
        years = [int(year)] if year is not None else sorted(int(y) for y in records["year"].unique())
    if eligible is not None and len(years) != 1:
        raise DataError("只能为一个学年提供符合交流条件的教师 (bad_eligible)")
    sch = _schools(ds)
    rows = []
    for y in years:
        r = records[records["year"] == y]
        elig = eligible if eligible is not None else eligible_teachers(ds, year=y, settings=settings)
        if by == "county":
            rows.append(_county_row(y, r, elig))
        else:
            rows.extend(_unit_rows(y, r, elig, sch, by))
    df = pd.DataFrame(rows)
    for c in _COUNT_COLUMNS:
        if c in df.columns:
            df[c] = df[c].astype(int)
    _add_ratios(df, df["rotated"] if by == "county" else df["rotated_out"])
    if by == "county":
        return _with_plan(df, ds, _settings(settings))[_COUNTY_COLUMNS]
    keys = ["year", "township"] if by == "township" else ["year", "township", "school_id"]
    return df.sort_values(keys, key=_township_key).reset_index(drop=True)


def plan_progress(counts: pd.DataFrame, target, year: int, *, settings: Settings | None = None) -> dict | None:
    """The year's rotations against the county plan's target: the year's count and the average per
    year since the plan began, both compared with the target.

    The average is over the years of ``counts`` (the years of the 交流轮岗 table) from the target's
    起始年份 (from the first year of ``counts`` when the row gives none) to ``year``: e.g. a plan from
    2024 assessed in 2026 averages the counts of 2024, 2025 and 2026 — a year missing from the table
    is not counted as zero, it is left out.

    Parameters
    ----------
    counts
        Per year: ``year, rotated, toward_target`` (:func:`rotation_summary` county rows, or the same
        counts of :func:`jxedu.analysis.assurance.rotation_ratios`).
    target
        The plan's target (:class:`jxedu.core.county.PlanTarget`) for ``year``, or ``None``.
    year
        The school year assessed.
    settings
        ``rotation_target_moves`` (which rotations count) and ``rotation_target_basis`` (which figure
        decides).

    Returns
    -------
    dict or None
        ``None`` without a target (or without a count for ``year``); else ``year, target, moves,
        basis, counted`` (the year's count), ``average``, ``average_years`` (the years averaged),
        ``meets_yearly``, ``meets_average``, ``meets`` (by ``basis``), ``short_yearly``,
        ``short_average`` (whole teachers missing, 0 when met), ``rotated``, ``toward_target``,
        ``document``, ``start``.
    """
    if target is None:
        return None
    s = _settings(settings)
    col = "rotated" if s.rotation_target_moves == "all" else "toward_target"
    c = counts.set_index(counts["year"].astype(int))
    if int(year) not in c.index:
        return None
    first = target.start if target.start is not None else int(c.index.min())
    years = [int(y) for y in c.index if first <= int(y) <= int(year)]
    yearly = int(c.loc[int(year), col])
    average = float(np.mean([float(c.loc[y, col]) for y in years]))
    meets_yearly, meets_average = target.meets(yearly), target.meets(average)
    return {"year": int(year), "target": float(target.value), "moves": s.rotation_target_moves,
            "basis": s.rotation_target_basis, "counted": yearly, "average": average, "average_years": years,
            "meets_yearly": meets_yearly, "meets_average": meets_average,
            "meets": meets_average if s.rotation_target_basis == "average" else meets_yearly,
            "short_yearly": max(0, ceil_count(target.value - yearly)),
            "short_average": max(0, ceil_count(target.value - average - _EPS)),
            "rotated": int(c.loc[int(year), "rotated"]), "toward_target": int(c.loc[int(year), "toward_target"]),
            "document": target.document, "start": target.start}


def _with_plan(df: pd.DataFrame, ds, s: Settings) -> pd.DataFrame:
    """County rows with the plan's target of each year, the count toward it, its average since the plan
    began and the verdict (NaN/NA where the county set no target)."""
    df = df.copy()
    target, counted, average, meets = [], [], [], []
    for y in df["year"].astype(int):
        p = plan_progress(df, ds.plan_target(PLAN_ROTATIONS, y), y, settings=s)
        target.append(np.nan if p is None else p["target"])
        counted.append(np.nan if p is None else p["counted"])
        average.append(np.nan if p is None else p["average"])
        meets.append(pd.NA if p is None else p["meets"])
    df["rotation_target"] = target
    df["plan_counted"] = counted
    df["plan_average"] = average
    df["meets_rotation_target"] = pd.array(meets, dtype="boolean")
    return df


def _county_row(year: int, r: pd.DataFrame, elig: pd.DataFrame) -> dict:
    return {
        "year": year,
        "rotated": len(r),
        "toward_target": int(r["toward_target"].sum()),
        "toward_rural": int(r["toward_rural"].sum()),
        "toward_weak": int(r["to_weak"].sum()),
        "eligible": len(elig),
        "backbone_rotated": int(r["is_backbone"].sum()),
    }


def _unit_rows(year: int, r: pd.DataFrame, elig: pd.DataFrame, sch: pd.DataFrame, by: str) -> list[dict]:
    """One row per 镇街 or school: what it sent, what it received, its eligible teachers."""
    key = "township" if by == "township" else "school_id"
    out_counts = r.groupby(f"from_{key}").agg(
        rotated_out=("teacher_id", "size"),
        backbone_rotated=("is_backbone", "sum"),
        toward_target=("toward_target", "sum"),
    )
    in_counts = r.groupby(f"to_{key}").agg(rotated_in=("teacher_id", "size"))
    el = elig.groupby(key).size().rename("eligible")
    units = sch[["township"]].drop_duplicates() if by == "township" else sch.copy()
    counts = pd.DataFrame(el).join(out_counts, how="outer").join(in_counts, how="outer")
    g = units.set_index(key).join(counts)
    g[counts.columns] = g[counts.columns].fillna(0)
    g = g.reset_index()
    g.insert(0, "year", year)
    return g.to_dict("records")


def _add_ratios(df: pd.DataFrame, sent: pd.Series) -> None:
    """Share of eligible teachers rotated and backbone share of the rotated, with their flags."""
    eligible = df["eligible"].where(df["eligible"] > 0)
    df["rotation_share"] = sent / eligible
    df["backbone_share"] = df["backbone_rotated"] / sent.where(sent > 0)
    df["meets_rotation_share"] = df["rotation_share"].fillna(0) >= threshold("rotation_share_of_eligible") - _EPS
    df["meets_backbone_share"] = df["backbone_share"].fillna(0) >= threshold("backbone_share_of_rotated") - _EPS


def rotation_direction(records: pd.DataFrame) -> pd.DataFrame:
    """Rotations counted by sending and receiving 镇街 and 城乡分类.

    Parameters
    ----------
    records
        :func:`rotation_records` (any years).

    Returns
    -------
    pandas.DataFrame
        ``year, from_township, to_township, from_urban_rural, to_urban_rural, rotated`` — one row per
        combination that occurs. A 镇街's rows (sending or receiving) add up to the rotations it
        took part in; :func:`direction_matrix` turns any selection of rows into the 城乡 matrix.
    """
    keys = ["year", "from_township", "to_township", "from_urban_rural", "to_urban_rural"]
    g = records.groupby(keys, dropna=False).size().rename("rotated").reset_index()
    g["rotated"] = g["rotated"].astype(int)
    return g.sort_values(keys, key=_township_key).reset_index(drop=True)


def direction_matrix(direction: pd.DataFrame) -> pd.DataFrame:
    """Rotations by 城乡分类, sending (rows) → receiving (columns), with totals.

    Parameters
    ----------
    direction
        :func:`rotation_direction` rows (e.g. one year's, or those of one 镇街).

    Returns
    -------
    pandas.DataFrame
        ``from_urban_rural`` (``urban``, ``town``, ``rural``, then :data:`TOTAL_ROW`), ``to_urban``,
        ``to_town``, ``to_rural`` and ``rotated`` (the row's total); integer counts.
    """
    mat = direction.pivot_table(index="from_urban_rural", columns="to_urban_rural", values="rotated",
                                aggfunc="sum", fill_value=0)
    mat = mat.reindex(index=list(AREA_ORDER), columns=list(AREA_ORDER), fill_value=0).astype(int)
    mat.loc[TOTAL_ROW] = mat.sum(axis=0)
    out = mat.rename(columns={a: f"to_{a}" for a in AREA_ORDER})
    out["rotated"] = out.sum(axis=1)
    out.columns.name = None
    return out.rename_axis("from_urban_rural").reset_index()


# --- do rotations fill the gaps? -----------------------------------------------------------


def _units(ds, year: int) -> pd.DataFrame:
    """Compulsory-stage units of 学段统计 in ``year`` with PE/art and backbone counts."""
    st = ds.stage_stats
    st = st[(st["year"] == year) & st["stage"].isin(COMPULSORY)].copy()
    st["pe_art"] = st["pe_teachers"] + st["music_teachers"] + st["art_teachers"]
    return st[["school_id", "stage", "students", "teachers", "pe_art", "backbone_teachers"]].rename(
        columns={"backbone_teachers": "backbone"}
    )


def _unit_stage(units: pd.DataFrame, school_ids: pd.Series, stages: pd.Series) -> pd.Series:
    """Stage of the receiving unit: the teacher's stage if the school teaches it, else its first."""
    have = set(zip(units["school_id"], units["stage"], strict=True))
    first = units.sort_values("stage", key=lambda s: s.map({"primary": 0, "junior": 1})).drop_duplicates(
        "school_id").set_index("school_id")["stage"]
    return pd.Series(
        [st if (sid, st) in have else first.get(sid, st) for sid, st in zip(school_ids, stages, strict=True)],
        index=school_ids.index,
    )


def _gap_status(before: pd.Series, after: pd.Series, thr: float) -> pd.Series:
    status = np.where(
        before >= thr, "no_gap", np.where(after >= thr, "closed", np.where(after > before, "narrowed", "open"))
    )
    return pd.Series(status, index=before.index)


_GAP_COLUMNS = ["year", "township", "school_id", "school_name", "urban_rural", "to_weak", "stage", "students",
                "rotated_in", "rotated_in_pe_art", "rotated_in_backbone",
                "pe_art_before", "pe_art_after", "pe_art_per_100_before", "pe_art_per_100_after", "pe_art_gap_status",
                "backbone_before", "backbone_after", "backbone_per_100_before", "backbone_per_100_after",
                "backbone_gap_status"]


def gap_filling(ds, *, year: int | None = None, weak=None, records: pd.DataFrame | None = None,
                settings: Settings | None = None) -> pd.DataFrame:
    """Whether the year's rotations fill the PE/art and backbone gaps of the receiving schools.

    For every receiving unit (school × 学段): PE/art teachers per 100 students and backbone teachers
    per 100 students before (学段统计 of the year) and after counting the rotated-in teachers, with a
    status each against ``pe_art_teachers_per_100`` and ``backbone_teachers_per_100`` of its stage:
    ``no_gap`` (already met), ``closed``, ``narrowed``, ``open`` (no better).

    Parameters
    ----------
    ds
        The data set (needs 交流轮岗, 教师, 学段统计).
    year
        School year (default: latest of 交流轮岗).
    weak
        Weak schools (see :func:`rotation_records`); not used when ``records`` is given.
    records
        :func:`rotation_records` of ``year`` already computed.
    settings
        Run settings (only for the default weak schools).

    Returns
    -------
    pandas.DataFrame
        One row per receiving unit (``township`` is the receiving school's), sorted by the PE/art
        status (:data:`GAP_STATUSES`) then school.
    """
    if records is None:
        y = _one_rotation_year(ds, year)
        records = rotation_records(ds, year=y, weak=weak, settings=settings)
    else:
        y = ds.year_or_latest(year)
        records = records[records["year"] == y]
    units = _units(ds, _stats_year(ds, y))
    df = _received(records, units).merge(units, on=["school_id", "stage"], how="left")
    df["students"] = df["students"].fillna(0).astype(int)
    for c in ("pe_art", "backbone"):
        df[c] = df[c].fillna(0).astype(int)
    per100 = 100.0 / df["students"].where(df["students"] > 0)
    for kind in ("pe_art", "backbone"):
        df[f"{kind}_before"] = df[kind]
        df[f"{kind}_after"] = df[kind] + df[f"rotated_in_{kind}"]
        df[f"{kind}_per_100_before"] = df[f"{kind}_before"] * per100
        df[f"{kind}_per_100_after"] = df[f"{kind}_after"] * per100
    for kind, key in (("pe_art", "pe_art_teachers_per_100"), ("backbone", "backbone_teachers_per_100")):
        df[f"{kind}_gap_status"] = "no_gap"
        for st in COMPULSORY:
            m = df["stage"] == st
            df.loc[m, f"{kind}_gap_status"] = _gap_status(
                df.loc[m, f"{kind}_per_100_before"].fillna(np.inf), df.loc[m, f"{kind}_per_100_after"].fillna(np.inf),
                threshold(key, st))
    df = df.merge(_schools(ds), on="school_id", how="left")
    weak_ids = set(records.loc[records["to_weak"], "to_school_id"].astype(str))
    df["to_weak"] = df["school_id"].astype(str).isin(weak_ids)
    df.insert(0, "year", y)
    order = {s: i for i, s in enumerate(GAP_STATUSES)}
    df = df.sort_values(["pe_art_gap_status", "school_id"],
                        key=lambda s: s.map(order) if s.name.endswith("status") else s)
    return df[_GAP_COLUMNS].reset_index(drop=True)


def _received(records: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Teachers received per unit (school × the stage they teach there): all, PE/art, backbone."""
    rec = records.assign(stage=_unit_stage(units, records["to_school_id"], records["stage"].fillna("primary")))
    got = rec.groupby(["to_school_id", "stage"]).agg(
        rotated_in=("teacher_id", "size"),
        rotated_in_pe_art=("is_pe_art", "sum"),
        rotated_in_backbone=("is_backbone", "sum"),
    ).reset_index().rename(columns={"to_school_id": "school_id"})
    for c in ("rotated_in", "rotated_in_pe_art", "rotated_in_backbone"):
        got[c] = got[c].astype(int)
    return got


# --- planning the next year ------------------------------------------------------------------


def pe_art_thresholds(target: float | None) -> dict[str, float]:
    """PE/art teachers per 100 pupils a unit needs, per stage: the county plan's ``target`` when it
    sets one, else the national resource standard of the stage (``pe_art_teachers_per_100``)."""
    if target is not None:
        return {st: float(target) for st in COMPULSORY}
    return {st: threshold("pe_art_teachers_per_100", st) for st in COMPULSORY}


def pe_art_needs(ds, *, year: int | None = None, plan: RotationPlan | pd.DataFrame | None = None,
                 target: float | None = None) -> pd.DataFrame:
    """PE/art teachers each school unit must hire or receive to reach its standard per 100 students.

    The standard is the county plan's ``target`` (``plan_pe_art_per_100_every_school``) when given, else
    the national resource standard of the unit's stage (:func:`pe_art_thresholds`):
    ``pe_art_required = ceil(standard × students / 100)``, ``pe_art_gap = max(required − pe_art, 0)``;
    with a ``plan`` from :func:`plan_next_year` the PE/art teachers it sends to the unit are
    ``pe_art_planned_in`` and ``pe_art_to_hire = max(gap − planned_in, 0)``.

    Parameters
    ----------
    ds
        The data set.
    year
        School year of 学段统计 (default latest).
    plan
        Optional plan of :func:`plan_next_year` (or its ``moves``).
    target
        The county plan's PE/art teachers per 100 pupils (``None``: the national standard per stage).

    Returns
    -------
    pandas.DataFrame
        ``township, school_id, school_name, urban_rural, stage, students, pe_art,
        pe_art_teachers_per_100, pe_art_target, pe_art_required, pe_art_gap, pe_art_planned_in,
        pe_art_to_hire``; units with a gap first (largest first).
    """
    y = ds.year_or_latest(year)
    thr = pe_art_thresholds(target)
    u = _units(ds, y)
    u = u[u["students"] > 0].copy()
    u["pe_art_teachers_per_100"] = u["pe_art"] * 100.0 / u["students"]
    u["pe_art_target"] = u["stage"].map(thr).astype(float)
    u["pe_art_required"] = ceil_count(u["pe_art_target"] * u["students"] / 100.0).astype(int)
    u["pe_art_gap"] = (u["pe_art_required"] - u["pe_art"]).clip(lower=0).astype(int)
    moves = plan.moves if isinstance(plan, RotationPlan) else plan
    if moves is not None and len(moves):
        p = moves[moves["is_pe_art"]].groupby(["to_school_id", "to_stage"]).size().rename("pe_art_planned_in")
        p.index.names = ["school_id", "stage"]
        u = u.merge(p.reset_index(), on=["school_id", "stage"], how="left")
    else:
        u["pe_art_planned_in"] = 0
    u["pe_art_planned_in"] = u["pe_art_planned_in"].fillna(0).astype(int)
    u["pe_art_to_hire"] = (u["pe_art_gap"] - u["pe_art_planned_in"]).clip(lower=0).astype(int)
    u = u.merge(_schools(ds), on="school_id", how="left")
    cols = ["township", "school_id", "school_name", "urban_rural", "stage", "students", "pe_art",
            "pe_art_teachers_per_100", "pe_art_target", "pe_art_required", "pe_art_gap", "pe_art_planned_in",
            "pe_art_to_hire"]
    return u.sort_values(["pe_art_gap", "school_id"], ascending=[False, True])[cols].reset_index(drop=True)


@dataclass(frozen=True)
class RotationPlan:
    """A proposal of next year's rotations (:func:`plan_next_year`) and its sizes.

    Attributes
    ----------
    moves
        One row per proposed rotation (教师编号 only, never names): ``order, plan_year, teacher_id,
        subject, stage, backbone_level, is_backbone, is_pe_art, from_school_id, from_school_name,
        from_township, from_urban_rural, to_school_id, to_school_name, to_township, to_urban_rural,
        to_weak, to_stage, reason`` (a code of :data:`PLAN_REASONS`).
    plan_year
        The school year planned for.
    rotation_target
        The county plan's yearly count aimed at (``None``: the county set no target).
    eligible
        Eligible teachers in the plan year (not rotating in the base year).
    needed
        Rotations needed: the target or the 10 % of the eligible, whichever is larger.
    backbone_needed
        Backbone teachers needed among them (20 %).
    """

    moves: pd.DataFrame
    plan_year: int
    rotation_target: int | None
    eligible: int
    needed: int
    backbone_needed: int

    @property
    def planned(self) -> int:
        """Rotations planned."""
        return len(self.moves)

    @property
    def shortfall(self) -> int:
        """Rotations still missing (no suitable teacher left to send)."""
        return max(self.needed - self.planned, 0)

    @property
    def backbone_planned(self) -> int:
        """Backbone teachers among the planned rotations."""
        return int(self.moves["is_backbone"].sum())

    @property
    def rotation_share(self) -> float:
        """Planned rotations per eligible teacher (NaN without eligible teachers)."""
        return self.planned / self.eligible if self.eligible else float("nan")

    @property
    def backbone_share(self) -> float:
        """Backbone share of the planned rotations (NaN when nothing is planned)."""
        return self.backbone_planned / self.planned if self.planned else float("nan")

    def figures(self) -> dict[str, float]:
        """Every size of the plan by its vocabulary key."""
        return {"plan_year": self.plan_year, "rotation_target": self.rotation_target, "eligible": self.eligible,
                "rotations_needed": self.needed, "rotations_planned": self.planned,
                "rotations_short": self.shortfall, "rotation_share": self.rotation_share,
                "backbone_needed": self.backbone_needed, "backbone_planned": self.backbone_planned,
                "backbone_share": self.backbone_share}


def plan_next_year(
    ds,
    *,
    year: int | None = None,
    target: int | None = None,
    settings: Settings | None = None,
    weak: Iterable[str] | None = None,
) -> RotationPlan:
    """Propose the next school year's rotations: who could go where (教师编号 only, never names).

    The rule (greedy, largest gaps first; every step is deterministic):

    1. **Size.** Plan year ``P = year + 1``. Eligible teachers are those of :func:`eligible_teachers`
       for ``P``, minus teachers already rotating in ``year``. The plan needs
       ``n = max(target, ceil(10 % × eligible))`` teachers (target: the county plan's
       ``plan_rotations_per_year`` when its 规划目标 table sets one, else none) of whom ``ceil(20 % × n)``
       backbone.
    2. **Who may go.** Eligible teachers of 城区/镇区 schools that are not weak, of 小学/初中. A
       sending unit keeps at least 0.9 PE/art and 1.0 backbone teachers per 100 students: it gives
       only PE/art (backbone) teachers above ``ceil(0.9 × students / 100)``
       (``ceil(1.0 × students / 100)``).
    3. **Where to.** Receiving units are the 小学/初中 units of 乡村 schools and of weak schools; the
       teacher's 任教学段 must match the unit.
    4. **Phase 1 — PE/art:** while some receiving unit is below 0.9 PE/art teachers per 100 students,
       the unit with the lowest value gets an eligible PE/art teacher.
    5. **Phase 2 — backbone:** while some unit is below 1.0 backbone per 100, the lowest gets an
       eligible backbone teacher; then, until the 20 % share is reached, the unit with the lowest
       backbone per 100 gets one.
    6. **Phase 3 — the rest:** until ``n`` is reached, the unit with the most students per 专任教师
       (counting teachers already planned in) gets an eligible teacher of its stage.

    Within a step the teacher comes from a sending school of the same 镇街 when there is one, else
    from the sending unit with the most spare teachers of the kind; ties by 教师编号.

    Parameters
    ----------
    ds
        The data set (needs 教师 and 学段统计; 交流轮岗 optional).
    year
        Base school year (default latest of 学段统计); the plan is for ``year + 1``.
    target
        Rotations wanted (default: the county plan's yearly target for the plan year, if its 规划目标
        table sets one; else only the national 10 % of the eligible teachers).
    settings
        Run settings (eligibility rule).
    weak
        Weak schools of ``year`` (default from the resource indicators of ``year``).

    Returns
    -------
    RotationPlan
    """
    y = ds.year_or_latest(year)
    if target is None:
        plan = ds.plan_target(PLAN_ROTATIONS, y + 1)
        target = None if plan is None else ceil_count(plan.value)
    if target is not None and int(target) < 0:
        raise DataError(f"目标人数不能为负 (bad_target): {target}")
    weak_set = _weak_lookup(ds, [y], weak, settings)[y]
    elig = _free_eligible(ds, y, settings)
    needed = max(int(target or 0), ceil_count(threshold("rotation_share_of_eligible") * len(elig)))
    backbone_needed = ceil_count(threshold("backbone_share_of_rotated") * needed)
    units = _plan_units(ds, y, weak_set)
    pe = ds.plan_target(PLAN_PE_ART, y + 1)
    greedy = _Greedy(units, elig, needed, backbone_needed, pe_art_target=None if pe is None else pe.value)
    greedy.run()
    moves = _plan_moves(greedy, ds, y + 1, weak_set)
    return RotationPlan(moves=moves, plan_year=y + 1, rotation_target=None if target is None else int(target),
                        eligible=len(elig), needed=needed, backbone_needed=backbone_needed)


def _free_eligible(ds, year: int, settings: Settings | None) -> pd.DataFrame:
    """Teachers eligible in ``year + 1`` who are not rotating in ``year`` (step 1)."""
    elig = eligible_teachers(ds, year=year + 1, settings=settings)
    if ds.rotations is not None:
        busy = set(ds.rotations.loc[ds.rotations["year"] == year, "teacher_id"])
        elig = elig[~elig["teacher_id"].isin(busy)]
    return elig.sort_values("teacher_id").reset_index(drop=True)


def _plan_units(ds, year: int, weak_set: set[str]) -> pd.DataFrame:
    """The year's compulsory units with pupils, their school's 镇街/城乡分类 and whether weak."""
    sch = _schools(ds).set_index("school_id")
    units = _units(ds, year).merge(sch, left_on="school_id", right_index=True, how="left")
    units = units[units["students"] > 0].copy()
    units["weak"] = units["school_id"].astype(str).isin(weak_set)
    return units


class _Greedy:
    """State and steps of the greedy rule of :func:`plan_next_year` (steps 2–6)."""

    def __init__(self, units: pd.DataFrame, eligible: pd.DataFrame, needed: int, backbone_needed: int, *,
                 pe_art_target: float | None = None) -> None:
        self.needed = needed
        self.backbone_needed = backbone_needed
        self.pe_thr = pe_art_thresholds(pe_art_target)
        self.bb_thr = {st: threshold("backbone_teachers_per_100", st) for st in COMPULSORY}
        send = units[units["urban_rural"].isin(SENDING_AREAS) & ~units["weak"]]
        recv = units[(units["urban_rural"] == "rural") | units["weak"]]
        self.spare_pe, self.spare_bb = self._spares(send)
        keys = list(zip(eligible["school_id"], eligible["stage"], strict=True))
        self.pool = eligible[[k in self.spare_pe for k in keys]].reset_index(drop=True)
        self.teachers = {r.teacher_id: r for r in self.pool.itertuples(index=False)}
        self.used: set[str] = set()
        self.state = {(r.school_id, r.stage): {"students": int(r.students), "teachers": int(r.teachers),
                                               "pe_art": int(r.pe_art), "backbone": int(r.backbone),
                                               "township": r.township}
                      for r in recv.itertuples()}
        self.rows: list[dict] = []

    def _spares(self, send: pd.DataFrame) -> tuple[dict, dict]:
        """Step 2: PE/art and backbone teachers a sending unit has above its own needs."""
        pe, bb = {}, {}
        for r in send.itertuples():
            pe[(r.school_id, r.stage)] = int(r.pe_art - ceil_count(self.pe_thr[r.stage] * r.students / 100.0))
            bb[(r.school_id, r.stage)] = int(r.backbone - ceil_count(self.bb_thr[r.stage] * r.students / 100.0))
        return pe, bb

    def run(self) -> None:
        """Steps 4–6, in order."""
        self._phase("pe_art", lambda u: self._per100(u, "pe_art"),
                    lambda u: self._per100(u, "pe_art") < self.pe_thr[u[1]] - _EPS, "pe_art_gap", self._full)
        self._phase("backbone", lambda u: self._per100(u, "backbone"),
                    lambda u: self._per100(u, "backbone") < self.bb_thr[u[1]] - _EPS, "backbone_gap", self._full)
        self._phase("backbone", lambda u: self._per100(u, "backbone"), lambda u: True, "backbone_share",
                    lambda: self._full() or self._backbone_count() >= self.backbone_needed)
        self._phase("any", self._pupils_per_teacher, lambda u: True, "pupils_per_teacher", self._full)

    def _full(self) -> bool:
        return len(self.rows) >= self.needed

    def _backbone_count(self) -> int:
        return sum(bool(self.teachers[r["teacher_id"]].is_backbone) for r in self.rows)

    def _per100(self, unit, field: str) -> float:
        s = self.state[unit]
        return s[field] * 100.0 / s["students"]

    def _pupils_per_teacher(self, unit) -> float:
        s = self.state[unit]
        return -s["students"] / max(s["teachers"], 1)

    def _phase(self, kind: str, score, still_open, reason: str, stop) -> None:
        """Pop the unit with the lowest score while it is open and candidates exist."""
        heap = [(score(u), u) for u in self.state if still_open(u)]
        heapq.heapify(heap)
        while heap and not stop():
            sc, u = heapq.heappop(heap)
            if sc != score(u):  # stale entry
                if still_open(u):
                    heapq.heappush(heap, (score(u), u))
                continue
            t = self._candidate(u[1], kind, self.state[u]["township"])
            if t is None:
                continue  # nobody of this stage and kind left for this unit
            self._assign(u, t, reason)
            if still_open(u):
                heapq.heappush(heap, (score(u), u))

    def _candidate(self, stage: str, kind: str, township: str):
        """Best free teacher of a stage and kind (pe_art / backbone / any) for a receiving 镇街."""
        best, best_key = None, None
        for tid, t in self.teachers.items():
            if tid in self.used or t.stage != stage or not self._may_go(t, kind):
                continue
            k = (t.school_id, t.stage)
            spare = self.spare_pe[k] if kind == "pe_art" else self.spare_bb[k] if kind == "backbone" else 0
            plain = 0 if (kind != "any" or not (t.is_pe_art or t.is_backbone)) else 1
            rank = (plain, t.township != township, -spare, tid)
            if best_key is None or rank < best_key:
                best, best_key = t, rank
        return best

    def _may_go(self, t, kind: str) -> bool:
        """Of the kind asked, and PE/art and backbone teachers only from a sending unit's spare."""
        if (kind == "pe_art" and not t.is_pe_art) or (kind == "backbone" and not t.is_backbone):
            return False
        k = (t.school_id, t.stage)
        return not (t.is_pe_art and self.spare_pe[k] <= 0) and not (t.is_backbone and self.spare_bb[k] <= 0)

    def _assign(self, unit, t, reason: str) -> None:
        self.used.add(t.teacher_id)
        k = (t.school_id, t.stage)
        self.spare_pe[k] -= int(t.is_pe_art)
        self.spare_bb[k] -= int(t.is_backbone)
        s = self.state[unit]
        s["teachers"] += 1
        s["pe_art"] += int(t.is_pe_art)
        s["backbone"] += int(t.is_backbone)
        self.rows.append({"teacher_id": t.teacher_id, "to_school_id": unit[0], "to_stage": unit[1], "reason": reason})


_PLAN_COLUMNS = ["order", "plan_year", "teacher_id", "subject", "stage", "backbone_level", "is_backbone", "is_pe_art",
                 "from_school_id", "from_school_name", "from_township", "from_urban_rural", "to_school_id",
                 "to_school_name", "to_township", "to_urban_rural", "to_weak", "to_stage", "reason"]


def _plan_moves(greedy: _Greedy, ds, plan_year: int, weak_set: set[str]) -> pd.DataFrame:
    """The planned rotations with the teacher's and both schools' attributes."""
    plan = pd.DataFrame(greedy.rows, columns=["teacher_id", "to_school_id", "to_stage", "reason"])
    plan.insert(0, "order", np.arange(1, len(plan) + 1))
    plan.insert(1, "plan_year", plan_year)
    who = greedy.pool.set_index("teacher_id")[["subject", "stage", "backbone_level", "is_backbone", "is_pe_art",
                                                "school_id"]]
    plan = plan.join(who, on="teacher_id").rename(columns={"school_id": "from_school_id"})
    sch = _schools(ds).set_index("school_id")
    for side in ("from", "to"):
        plan = plan.join(sch.add_prefix(f"{side}_"), on=f"{side}_school_id")
    plan["to_weak"] = plan["to_school_id"].astype(str).isin(weak_set)
    plan["is_backbone"] = plan["is_backbone"].astype(bool)
    plan["is_pe_art"] = plan["is_pe_art"].astype(bool)
    return plan[_PLAN_COLUMNS]


def plan_by_township(plan: RotationPlan | pd.DataFrame, ds) -> pd.DataFrame:
    """Planned rotations each 镇街 would send and receive (every 镇街 of the data, 街道 first).

    Parameters
    ----------
    plan
        :func:`plan_next_year` (or its ``moves``).
    ds
        The data set (the 镇街 list).

    Returns
    -------
    pandas.DataFrame
        ``plan_year, township, planned_out, planned_in, backbone_planned_out, pe_art_planned_out``.
    """
    moves = plan.moves if isinstance(plan, RotationPlan) else plan
    out = moves.groupby("from_township").agg(planned_out=("teacher_id", "size"),
                                             backbone_planned_out=("is_backbone", "sum"),
                                             pe_art_planned_out=("is_pe_art", "sum"))
    into = moves.groupby("to_township").size().rename("planned_in")
    g = pd.DataFrame(index=pd.Index(ds.townships_list, name="township")).join(out).join(into).fillna(0)
    g = g.astype(int).reset_index()
    year = int(moves["plan_year"].iloc[0]) if len(moves) else (plan.plan_year if isinstance(plan, RotationPlan)
                                                                  else ds.latest_year + 1)
    g.insert(0, "plan_year", year)
    return g[["plan_year", "township", "planned_out", "planned_in", "backbone_planned_out", "pe_art_planned_out"]]


# --- training and honours --------------------------------------------------------------------


def training_honours(ds, *, year: int | None = None) -> dict[str, pd.DataFrame]:
    """Training completion (5 years, 360 学时) and 最美教师 per year against the county plan's target.

    Parameters
    ----------
    ds
        The data set (needs 教师 for the roster figures; 学段统计's optional
        完成360学时培训教师数 gives the per-year trend when filled).
    year
        Last year of the honours series (default latest of 学段统计).

    Returns
    -------
    dict
        ``"training"``: per 镇街 and 全县 from the roster's 小学/初中 teachers (as assurance item 9;
        高中部 teachers are outside the rule) — ``township, teachers, trained, trained_share,
        meets_training`` (trained = 近五年培训学时 ≥ ``training_hours_required``; an empty cell counts
        as not trained). ``"training_trend"``: per year from the 小学/初中 rows of 学段统计 —
        ``year, teachers, trained, trained_share, meets_training`` (empty when the column is
        empty). ``"honours"``: per year from the first 最美教师年份 (or the first data year) to
        ``year`` — ``year, honoured, honours_target, meets_honours`` (NaN/NA in the years the county
        plan sets no 最美教师 target).
    """
    y = ds.year_or_latest(year)
    return {"training": _training(ds), "training_trend": _training_trend(ds), "honours": _honours(ds, y)}


def _trained_share(df: pd.DataFrame) -> None:
    df["trained_share"] = df["trained"] / df["teachers"].where(df["teachers"] > 0)
    df["meets_training"] = df["trained_share"].fillna(0) >= threshold("training_completion") - 1e-12


def _training(ds) -> pd.DataFrame:
    t = _teachers(ds)
    t = t[t["stage"].isin(COMPULSORY)].copy()  # 专任教师 of 小学/初中, as assurance item 9
    hours = t["training_hours"] if "training_hours" in t else pd.Series(np.nan, index=t.index)
    t["trained"] = pd.to_numeric(hours, errors="coerce").astype(float).fillna(0) >= threshold("training_hours_required")
    t = t.merge(_schools(ds)[["school_id", "township"]], on="school_id", how="left")
    g = t.groupby("township").agg(teachers=("teacher_id", "size"), trained=("trained", "sum")).reset_index()
    county = pd.DataFrame([{"township": COUNTY, "teachers": int(g["teachers"].sum()),
                            "trained": int(g["trained"].sum())}])
    g = pd.concat([g, county], ignore_index=True)
    g["trained"] = g["trained"].astype(int)
    _trained_share(g)
    return g.sort_values("township", key=lambda s: s.map(township_sort_key)).reset_index(drop=True)


def _training_trend(ds) -> pd.DataFrame:
    st = ds.stage_stats
    if "trained_teachers" not in st or not st["trained_teachers"].notna().any():
        return pd.DataFrame(columns=["year", "teachers", "trained", "trained_share", "meets_training"])
    s2 = st[st["trained_teachers"].notna() & st["stage"].isin(COMPULSORY)]
    trend = s2.groupby("year").agg(teachers=("teachers", "sum"), trained=("trained_teachers", "sum")).reset_index()
    _trained_share(trend)
    return trend


def _honours(ds, year: int) -> pd.DataFrame:
    # 最美教师 may teach any stage; a dated roster repeats a teacher's 最美教师年份 in later years: each
    # teacher and year counts once, whichever rosters name it
    t = ds.teachers
    t = t.drop_duplicates(["teacher_id", "honour_year"]) if "honour_year" in t else t
    hy = (pd.to_numeric(t["honour_year"], errors="coerce").dropna().astype(int) if "honour_year" in t
          else pd.Series([], dtype=int))
    first = int(min(hy.min(), year)) if len(hy) else ds.years[0]
    years = list(range(first, year + 1))
    counts = hy.value_counts()
    honours = pd.DataFrame({"year": years, "honoured": [int(counts.get(v, 0)) for v in years]})
    targets = [ds.plan_target(PLAN_HONOURS, v) for v in years]
    honours["honours_target"] = [np.nan if t is None else t.value for t in targets]
    honours["meets_honours"] = pd.array([pd.NA if t is None else t.meets(n)
                                         for t, n in zip(targets, honours["honoured"], strict=True)], dtype="boolean")
    return honours
