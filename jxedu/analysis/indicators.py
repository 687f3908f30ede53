"""Resource indicators of the 2017 national method (资源配置 7 项) and the county balance (差异系数).

The method (教督〔2017〕6号, see ``shared/reference/moe-2017-indicators.md`` §1) assesses every
school-stage **unit**: a plain 小学 or 初中 is one unit; a 九年一贯制学校 gives a 小学部 and a 初中部;
a 十二年一贯制学校 gives a 小学部 and a 初中部 (its 高中部 is left out); a 完全中学 gives its 初中部; a
教学点 with at least ``settings.teaching_point_min_students`` students is a 小学 unit of its own.

Per unit, seven values (:data:`jxedu.core.standards.RESOURCE_KEYS`) are compared with the thresholds of
``jxedu/data/standards.csv``. A unit **passes** when at least ``pass_min_indicators`` (6) of the 7
reach the standard and every value that misses reaches at least ``pass_floor_ratio`` (85 %) of it.

The county balance is the **student-weighted**, population-form coefficient of variation of each
value among the units of a stage (:func:`weighted_cv`); it must not exceed ``cv_limit`` (0.50 小学,
0.45 初中).

Typical use::

    import jxedu
    from jxedu.analysis import indicators
    ds = jxedu.load("data/demo")
    ind = indicators.resource_indicators(ds)          # one row per unit
    bal = indicators.county_balance(ind)              # one row per stage × indicator
    indicators.summary(ds)                            # the JSON-ready dict of `jxedu indicators --json`

Comparisons
-----------
Values are compared **unrounded** with their thresholds. To keep decimal thresholds exact despite
binary floating point (``0.85 × 4.505`` is ``3.8292499999999996`` in a float), every comparison of a
value with a threshold allows a relative tolerance of :data:`REL_TOL` (1e-9), far below anything a
count, an area or a sum of money can express. CVs are compared with their limit without tolerance,
unrounded unless ``settings.cv_compare_rounded`` (then rounded to 3 decimals first).
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from jxedu.core import standards as std
from jxedu.core.dataset import Dataset
from jxedu.core.settings import Settings
from jxedu.core.settings import resolve_settings as _settings
from jxedu.core.vocabulary import COUNTY

__all__ = [
    "KEYS",
    "REL_TOL",
    "SPECS",
    "KEY_ORDER",
    "SPLIT_WEIGHTS",
    "STAGES",
    "STAGE_ORDER",
    "by_township",
    "township_sort_key",
    "county_balance",
    "failing_units",
    "indicators_long",
    "meets_threshold",
    "resource_indicators",
    "score_units",
    "summary",
    "summary_from",
    "units",
    "weighted_cv",
]

#: The seven indicator keys, in the order of the national form.
KEYS: tuple[str, ...] = std.RESOURCE_KEYS
#: The assessed stages.
STAGES: tuple[str, ...] = std.ASSESSED_STAGES

#: Weights (per student, dimensionless) by which the four shared facility items of a school are
#: split between its 部: share of 部 s = w_s·P_s / Σ_t w_t·P_t over the stages the school type
#: teaches. Source: 教督〔2017〕6号 (reference §1.2, tag [V]): 九年一贯制 1 : 1.1; 完全中学
#: 初中 : 高中 1 : 1.2; 十二年一贯制 1 : 1.1 : 1.32. Single-stage types take the whole school.
#: Method constants — candidates for the standards table (owned by the lead).
def _split_weights() -> dict[str, dict[str, float]]:
    """Weights of students by stage for splitting shared facilities (from the standards table)."""
    tab = std.standards()
    weights: dict[str, dict[str, float]] = {
        "primary": {"primary": 1.0},
        "teaching_point": {"primary": 1.0},
        "junior": {"junior": 1.0},
    }
    for school_type in ("nine_year", "complete_middle", "twelve_year"):
        rows = tab[tab["key"] == f"split_weight_{school_type}"]
        weights[school_type] = {str(r.stage): float(r.value) for r in rows.itertuples()}
    return weights


#: Split weights per school type and stage (single-stage types take the whole; the others from the
#: standards table rows ``split_weight_<type>``: 1 : 1.1, 1 : 1.2, 1 : 1.1 : 1.32).
SPLIT_WEIGHTS: dict[str, dict[str, float]] = _split_weights()

#: Relative tolerance of value-versus-threshold comparisons (dimensionless; float-noise guard).
REL_TOL = 1e-9


@dataclass(frozen=True)
class IndicatorSpec:
    """How one indicator is computed from a unit's columns.

    Attributes
    ----------
    key
        Indicator key.
    numerator
        Column of :func:`units` holding the numerator (teachers, ㎡, 元, rooms).
    per
        Students per which the value is expressed (100 for “每百名学生”, 1 for “生均”).
    unit
        Unit of the numerator (``"人"``, ``"㎡"``, ``"元"``, ``"间"``).
    whole
        The numerator comes in whole units (teachers, rooms): shortfalls are rounded up to integers.
    shared
        One of the four shared facility items split between 部 by weighted students.
    """

    key: str
    numerator: str
    per: float
    unit: str
    whole: bool
    shared: bool


#: Computation of the seven indicators.
SPECS: dict[str, IndicatorSpec] = {
    s.key: s
    for s in (
        IndicatorSpec("qualified_teachers_per_100", "qualified_teachers", 100.0, "人", True, False),
        IndicatorSpec("backbone_teachers_per_100", "backbone_teachers", 100.0, "人", True, False),
        IndicatorSpec("pe_art_teachers_per_100", "pe_art_teachers", 100.0, "人", True, False),
        IndicatorSpec("teaching_area_per_student", "teaching_area", 1.0, "㎡", False, True),
        IndicatorSpec("sports_area_per_student", "sports_area", 1.0, "㎡", False, True),
        IndicatorSpec("equipment_value_per_student", "equipment_value", 1.0, "元", False, True),
        IndicatorSpec("multimedia_rooms_per_100", "multimedia_rooms", 100.0, "间", True, True),
    )
}

#: Shared facility columns of :func:`units` (the unit's share) and their whole-school totals.
SHARED_COLUMNS: tuple[str, ...] = ("teaching_area", "sports_area", "equipment_value", "multimedia_rooms")

_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
#: Sort order of stage codes and of indicator keys (the national form's order).
STAGE_ORDER = {s: i for i, s in enumerate(("primary", "junior", "senior"))}
KEY_ORDER = {k: i for i, k in enumerate(KEYS)}
_TEACHER_COLUMNS = ("teachers", "qualified_teachers", "backbone_teachers", "pe_teachers", "music_teachers", "art_teachers")


# --- helpers --------------------------------------------------------------------------------------


def _years(ds: Dataset, year) -> list[int]:
    """Years to compute: ``None`` → latest, an int → that year, ``"all"`` → every year."""
    if isinstance(year, str) and year == "all":
        return ds.years
    return [ds.year_or_latest(year)]


def meets_threshold(values: np.ndarray, thresholds: np.ndarray, op: str) -> np.ndarray:
    """Compare values with thresholds using ``op`` with the relative tolerance :data:`REL_TOL` (the
    one home of the float-safe comparison of a value with a standard).

    NaN values never meet a threshold.
    """
    v = np.asarray(values, dtype=float)
    t = np.asarray(thresholds, dtype=float)
    slack = REL_TOL * np.abs(t)
    if op in (">=", ">"):
        t = t - slack if op == ">=" else t + slack
    else:
        t = t + slack if op == "<=" else t - slack
    with np.errstate(invalid="ignore"):
        return _OPS[op](v, t) & ~np.isnan(v)


def _threshold_table() -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Per key: thresholds by stage code (``STAGES`` order, NaN appended for unknown), and operator."""
    table = std.resource_thresholds()
    values, ops = {}, {}
    for key in KEYS:
        values[key] = np.append(table.loc[key, list(STAGES)].to_numpy(dtype=float), np.nan)
        key_ops = {str(std.rule(key, st)["op"]) for st in STAGES}
        if len(key_ops) != 1:  # pragma: no cover - the table is the lead's; guard against a mixed edit
            raise ValueError(f"mixed operators for {key}: {key_ops}")
        ops[key] = key_ops.pop()
    return values, ops


def _stage_codes(stages) -> np.ndarray:
    """Index of each stage in ``STAGES``; ``len(STAGES)`` for anything else."""
    code = pd.Categorical(np.asarray(stages, dtype=object), categories=list(STAGES)).codes
    return np.where(code < 0, len(STAGES), code)


def township_sort_key(name) -> tuple[int, str]:
    """Sort key of a 镇街 name: 街道 first, then 镇, each by name; the county row 全县 last.

    The one ordering of 镇街 in every table of the package (as :attr:`Dataset.townships_list`).

    Parameters
    ----------
    name
        镇街 name (or ``"全县"``).

    Returns
    -------
    tuple
        ``(group, name)`` with group 0 for 街道, 1 for the others, 2 for 全县.
    """
    if name == COUNTY:
        return (2, "")
    return (0 if str(name).endswith("街道") else 1, str(name))


def _none_if_nan(x) -> float | None:
    """Plain float, ``None`` for NaN/None (JSON null)."""
    if x is None:
        return None
    f = float(x)
    return None if math.isnan(f) else f


# --- units ----------------------------------------------------------------------------------------


def units(ds: Dataset, *, year: int | str | None = None, settings: Settings | None = None) -> pd.DataFrame:
    """The school-stage units of a year, with their students, teachers and facility shares.

    Parameters
    ----------
    ds
        The data set (needs 学校, 学段统计, 办学条件).
    year
        School year; ``None`` for the latest, ``"all"`` for every year (column ``year`` tells them
        apart).
    settings
        Run settings (``teaching_point_min_students``); defaults to :func:`jxedu.core.settings.get_settings`.

    Returns
    -------
    pandas.DataFrame
        One row per 小学/初中 row of 学段统计 — including the units that are left out, with
        ``included = False`` and the reason in ``excluded_reason`` (a code: ``small_teaching_point`` —
        a 教学点 under ``settings.teaching_point_min_students``, ``no_students``, ``stage_not_taught``
        — the school type does not teach the stage, ``unknown_school``). Columns: ``year, school_id, name, township, urban_rural, school_type,
        stage, students, teachers, qualified_teachers, backbone_teachers, pe_teachers,
        music_teachers, art_teachers, pe_art_teachers, weighted_students, facility_share,
        teaching_area, sports_area, equipment_value, multimedia_rooms`` (the unit's shares: ㎡ net
        of indoor sports rooms; ㎡ of 体育馆 + 运动场地; 元; rooms, fractional for split schools),
        ``school_teaching_area, school_sports_area, school_equipment_value,
        school_multimedia_rooms`` (whole-school totals), ``facilities_missing, included,
        excluded_reason``.

    Notes
    -----
    Teachers are those of the 部 (学段统计 of that stage: teachers by the stage they teach), or with
    ``settings.unit_teachers = "split"`` the school's teachers of every stage split like the shared
    facilities; the teaching area is net of indoor sports rooms unless
    ``settings.teaching_area_net_of_indoor_sports`` is off. The
    facility share of 部 s is ``w_s·P_s / Σ_t w_t·P_t`` with :data:`SPLIT_WEIGHTS` over the stages
    of the school's type present in 学段统计 that year (so a school teaching a single stage — e.g. a
    branch campus — takes the whole). A school-year without an 办学条件 row has NaN facility values
    (flag ``facilities_missing``): those indicators then count as not met.
    """
    s = _settings(settings)
    years = _years(ds, year)
    ss = ds.stage_stats
    ss = ss.loc[ss["year"].isin(years)]
    sch = ds.schools
    n_sch = len(sch)

    # Row positions of each 学段统计 row's school (−1: not in 学校) and of its 办学条件 row.
    sch_index = pd.Index(sch["school_id"].to_numpy(dtype=object))
    ids = ss["school_id"].to_numpy(dtype=object)
    pos = sch_index.get_indexer(ids)
    known = pos >= 0

    def school_attr(col: str) -> np.ndarray:
        vals = np.append(sch[col].to_numpy(dtype=object), None)
        return vals[np.where(known, pos, n_sch)]

    school_type = school_attr("school_type")
    stage = ss["stage"].to_numpy(dtype=object)
    year_arr = ss["year"].to_numpy(dtype=np.int64)
    students = ss["students"].to_numpy(dtype=float)

    # Split weight of each row: SPLIT_WEIGHTS[type][stage], NaN when the type does not teach it.
    types = list(SPLIT_WEIGHTS)
    all_stages = ["primary", "junior", "senior"]
    wmat = np.full((len(types) + 1, len(all_stages) + 1), np.nan)
    for i, t in enumerate(types):
        for j, st in enumerate(all_stages):
            wmat[i, j] = SPLIT_WEIGHTS[t].get(st, np.nan)
    tcode = pd.Categorical(school_type, categories=types).codes
    scode = pd.Categorical(stage, categories=all_stages).codes
    weight = wmat[tcode, scode]  # code −1 picks the all-NaN last row / column
    wp = np.nan_to_num(weight) * students
    group_key = year_arr * (n_sch + 1) + np.where(known, pos, n_sch)
    _, ginv = np.unique(group_key, return_inverse=True)
    weighted = np.bincount(ginv, weights=wp)[ginv]

    keep = (scode == 0) | (scode == 1)  # 小学, 初中
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(weighted > 0, wp / weighted, np.nan)

    fac = ds.facilities
    fac = fac.loc[fac["year"].isin(years)]
    fac_pos = sch_index.get_indexer(fac["school_id"].to_numpy(dtype=object))
    fac_key = fac["year"].to_numpy(dtype=np.int64) * (n_sch + 1) + np.where(fac_pos >= 0, fac_pos, n_sch)
    frow = pd.Index(fac_key).get_indexer(group_key)
    has_fac = (frow >= 0) & known

    def fac_total(values: np.ndarray) -> np.ndarray:
        return np.where(has_fac, np.append(values.astype(float), np.nan)[np.where(has_fac, frow, len(values))], np.nan)

    f = {c: fac[c].to_numpy(dtype=float) for c in ("teaching_area", "indoor_sports_area", "sports_ground_area",
                                                  "equipment_value_wan", "multimedia_rooms")}  # fmt: skip
    totals = {
        "teaching_area": fac_total(f["teaching_area"] - f["indoor_sports_area"] if s.teaching_area_net_of_indoor_sports
                                   else f["teaching_area"]),  # ㎡, net of indoor sports rooms (setting)
        "sports_area": fac_total(f["indoor_sports_area"] + f["sports_ground_area"]),  # ㎡
        "equipment_value": fac_total(f["equipment_value_wan"] * 10000.0),  # 万元 → 元
        "multimedia_rooms": fac_total(f["multimedia_rooms"]),  # rooms
    }

    tp_min = s.teaching_point_min_students
    reason = np.full(len(ss), None, dtype=object)
    reason[students <= 0] = "no_students"
    reason[(school_type == "teaching_point") & (students < tp_min)] = "small_teaching_point"
    reason[np.isnan(weight)] = "stage_not_taught"
    reason[~known] = "unknown_school"

    order = np.lexsort((scode[keep], pd.factorize(ids[keep], sort=True)[0], year_arr[keep]))
    rows = np.flatnonzero(keep)[order]
    teach = {c: _unit_teacher_counts(ss[c].to_numpy(dtype=float), ginv, share, s)[rows] for c in _TEACHER_COLUMNS}
    data = {
        "year": year_arr[rows], "school_id": ids[rows], "name": school_attr("name")[rows],
        "township": school_attr("township")[rows], "urban_rural": school_attr("urban_rural")[rows],
        "school_type": school_type[rows], "stage": stage[rows], "students": students[rows], **teach,
        "pe_art_teachers": teach["pe_teachers"] + teach["music_teachers"] + teach["art_teachers"],
        "weighted_students": weighted[rows], "facility_share": share[rows],
        **{c: share[rows] * totals[c][rows] for c in SHARED_COLUMNS},
        **{f"school_{c}": totals[c][rows] for c in SHARED_COLUMNS},
        "facilities_missing": ~has_fac[rows], "included": np.array([r is None for r in reason[rows]], dtype=bool),
        "excluded_reason": reason[rows],
    }  # fmt: skip
    return pd.DataFrame(data)


def _unit_teacher_counts(counts: np.ndarray, group: np.ndarray, share: np.ndarray, s: Settings) -> np.ndarray:
    """Teachers of each 学段统计 row's 部: its own (``unit_teachers = "stage"``), or the school-year's
    teachers of every stage pooled and split by the facility share (``"split"``)."""
    if s.unit_teachers == "stage":
        return counts
    pooled = np.bincount(group, weights=np.nan_to_num(counts))[group]
    return np.where(np.isnan(share), counts, pooled * share)


# --- indicators -----------------------------------------------------------------------------------


def resource_indicators(
    ds: Dataset, *, year: int | str | None = None, settings: Settings | None = None
) -> pd.DataFrame:
    """The seven resource indicators of every included unit, met flags and the pass rule.

    Parameters
    ----------
    ds
        The data set.
    year
        School year; ``None`` for the latest, ``"all"`` for every year.
    settings
        Run settings.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`units` (included units only) plus, per key of :data:`KEYS`: the value
        (column named by the key), ``threshold_<key>``, ``met_<key>`` (bool, value ≥ threshold,
        unrounded) and ``ratio_<key>`` (value ÷ threshold); then ``indicators_met`` (count of the
        seven), ``below_floor`` (count of misses under 85 % of their threshold) and ``passes``.
    """
    u = units(ds, year=year, settings=settings)
    return score_units(u.loc[u["included"]].reset_index(drop=True))


def score_units(u: pd.DataFrame) -> pd.DataFrame:
    """The seven values, met flags and the pass rule for a frame of included units (the one home
    of the pass rule; scenarios score their changed units through it).

    Parameters
    ----------
    u
        Included units with the columns of :func:`units` (``stage``, ``students`` and the
        numerators of :data:`SPECS`).

    Returns
    -------
    pandas.DataFrame
        ``u`` plus the columns described in :func:`resource_indicators`.
    """
    out = u.copy()
    floor = std.threshold("pass_floor_ratio")
    floor_op = str(std.rule("pass_floor_ratio")["op"])
    students = out["students"].to_numpy(dtype=float)
    stage_code = _stage_codes(out["stage"])
    thr_table, thr_ops = _threshold_table()
    n = len(out)
    met_count = np.zeros(n, dtype=int)
    below = np.zeros(n, dtype=int)
    ok_all = np.ones(n, dtype=bool)
    new: dict[str, np.ndarray] = {}
    for key, spec in SPECS.items():
        with np.errstate(invalid="ignore", divide="ignore"):
            val = spec.per * out[spec.numerator].to_numpy(dtype=float) / students
        thr, op = thr_table[key][stage_code], thr_ops[key]
        met = meets_threshold(val, thr, op)
        floor_ok = meets_threshold(val, floor * thr, floor_op)
        new[key] = val
        new[f"threshold_{key}"] = thr
        new[f"met_{key}"] = met
        with np.errstate(invalid="ignore", divide="ignore"):
            new[f"ratio_{key}"] = val / thr
        met_count += met
        below += ~met & ~floor_ok
        ok_all &= met | floor_ok
    pass_min = std.threshold("pass_min_indicators")
    pass_op = str(std.rule("pass_min_indicators")["op"])
    new["indicators_met"] = met_count
    new["below_floor"] = below
    new["passes"] = _OPS[pass_op](met_count, pass_min) & ok_all
    return pd.concat([out, pd.DataFrame(new, index=out.index)], axis=1)


def indicators_long(ind_df: pd.DataFrame) -> pd.DataFrame:
    """One row per unit × indicator.

    Parameters
    ----------
    ind_df
        Output of :func:`resource_indicators`.

    Returns
    -------
    pandas.DataFrame
        Columns ``year, school_id, name, township, stage, students, facility_share, key, value,
        threshold, met, ratio, numerator, unit_passes, indicators_met`` (``numerator`` is the unit's
        teachers / ㎡ / 元 / rooms of that indicator).
    """
    base = ["year", "school_id", "name", "township", "stage", "students", "facility_share", "indicators_met"]
    parts = []
    for key, spec in SPECS.items():
        p = ind_df[base].copy()
        p["key"] = key
        p["value"] = ind_df[key].to_numpy()
        p["threshold"] = ind_df[f"threshold_{key}"].to_numpy()
        p["met"] = ind_df[f"met_{key}"].to_numpy()
        p["ratio"] = ind_df[f"ratio_{key}"].to_numpy()
        p["numerator"] = ind_df[spec.numerator].to_numpy(dtype=float)
        p["school_total"] = (
            ind_df[f"school_{spec.numerator}"].to_numpy(dtype=float) if spec.shared else p["numerator"].to_numpy()
        )
        p["unit_passes"] = ind_df["passes"].to_numpy()
        parts.append(p)
    if not parts or ind_df.empty:
        cols = base + ["key", "value", "threshold", "met", "ratio", "numerator", "school_total", "unit_passes"]
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)


# --- county balance -------------------------------------------------------------------------------


def weighted_cv(values, weights) -> float:
    """Student-weighted coefficient of variation, population form.

    ``X̄ = ΣP·X / ΣP``, ``S = sqrt(ΣP·(X − X̄)² / ΣP)``, ``CV = S / X̄`` (reference §1.1).

    Parameters
    ----------
    values
        The units' indicator values X_i.
    weights
        Their students P_i (non-negative).

    Returns
    -------
    float
        The CV; NaN when there is no unit with a value, no student, or the mean is 0. Pairs where
        the value is NaN are left out.

    Examples
    --------
    >>> round(weighted_cv([279/45, 137/37, 935/89, 160/76, 402/55], [45, 37, 89, 76, 55]), 4)
    0.5153
    """
    x = np.asarray(values, dtype=float)
    p = np.asarray(weights, dtype=float)
    if x.shape != p.shape:
        raise ValueError(f"values and weights differ in length: {x.shape} vs {p.shape}")
    if (p < 0).any():
        raise ValueError("weights must be non-negative")
    keep = ~np.isnan(x) & ~np.isnan(p)
    x, p = x[keep], p[keep]
    total = p.sum()
    if total <= 0:
        return float("nan")
    mean = (p * x).sum() / total
    if mean == 0:
        return float("nan")
    return float(np.sqrt((p * (x - mean) ** 2).sum() / total) / mean)


def county_balance(ind_df: pd.DataFrame, *, settings: Settings | None = None) -> pd.DataFrame:
    """County mean and student-weighted CV per stage and indicator, against the CV limit.

    Parameters
    ----------
    ind_df
        Output of :func:`resource_indicators` (one or several years).
    settings
        Run settings (``cv_compare_rounded``).

    Returns
    -------
    pandas.DataFrame
        One row per year × stage × key: ``year, stage, key, units, students, threshold,
        county_mean`` (= the county aggregate ratio ΣP·X/ΣP), ``cv, cv_limit, within_limit``
        (unrounded: the national form shows means to 2 and CVs to 3 decimals, which is the
        presentation's job). Units with a missing value (no 办学条件 row) are left out of that
        indicator.
    """
    s = _settings(settings)
    cols = ["year", "stage", "key", "units", "students", "threshold", "county_mean", "cv", "cv_limit",
            "within_limit"]
    if ind_df.empty:
        return pd.DataFrame(columns=cols)
    # Group codes of year × stage; weighted sums per group with np.bincount (one pass per key).
    stage_code = pd.Categorical(ind_df["stage"].to_numpy(dtype=object), categories=list(STAGES)).codes
    combined = ind_df["year"].to_numpy(dtype=np.int64) * len(STAGES) + stage_code
    uniq, codes = np.unique(combined, return_inverse=True)
    n_groups = len(uniq)
    g_year, g_stage = uniq // len(STAGES), np.array(STAGES, dtype=object)[uniq % len(STAGES)]
    p = ind_df["students"].to_numpy(dtype=float)
    parts = []
    for key in KEYS:
        x = ind_df[key].to_numpy(dtype=float)
        ok = ~np.isnan(x)
        c, px, pk = codes[ok], x[ok], p[ok]
        n = np.bincount(c, minlength=n_groups)
        tot = np.bincount(c, weights=pk, minlength=n_groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.bincount(c, weights=pk * px, minlength=n_groups) / tot
            ss = np.bincount(c, weights=pk * (px - mean[c]) ** 2, minlength=n_groups)
            cv = np.where(mean != 0, np.sqrt(ss / tot) / mean, np.nan)
        parts.append(pd.DataFrame({
            "year": g_year, "stage": g_stage, "key": key,
            "units": n, "students": tot, "county_mean": mean, "cv": cv,
        }).loc[n > 0])  # fmt: skip
    out = pd.concat(parts, ignore_index=True)
    out["stage"] = out["stage"].astype(object)
    table = std.resource_thresholds()
    out["threshold"] = [float(table.loc[k, st]) for k, st in zip(out["key"], out["stage"], strict=True)]
    out["cv_limit"] = out["stage"].map({st: std.threshold("cv_limit", st) for st in STAGES})
    cv_cmp = out["cv"].round(3) if s.cv_compare_rounded else out["cv"]
    within = np.zeros(len(out), dtype=bool)
    for st in STAGES:
        op = _OPS[str(std.rule("cv_limit", st)["op"])]
        m = (out["stage"] == st).to_numpy()
        within[m] = op(cv_cmp[m].to_numpy(dtype=float), out.loc[m, "cv_limit"].to_numpy(dtype=float))
    out["within_limit"] = within & out["cv"].notna().to_numpy()
    out["_so"] = out["stage"].map(STAGE_ORDER)
    out["_ko"] = out["key"].map(KEY_ORDER)
    out = out.sort_values(["year", "_so", "_ko"]).reset_index(drop=True)
    return out[cols]


# --- summary and aggregation ----------------------------------------------------------------------


def summary(ds: Dataset, *, year: int | None = None, settings: Settings | None = None) -> dict:
    """Everything ``jxedu indicators --json`` prints, as plain Python types.

    Parameters
    ----------
    ds
        The data set.
    year
        School year; ``None`` for the latest.
    settings
        Run settings.

    Returns
    -------
    dict
        ``{"year": 2024, "stages": {"primary": {"units", "passing_units", "cv": {key: float},
        "county_mean": {key: float}, "cv_limit"}, "junior": {…}}, "schools": [{"school_id",
        "stage", "values": {key: float}, "indicators_met", "passes"}, …]}`` — full precision;
        NaN becomes ``None`` (JSON null).
    """
    y = ds.year_or_latest(year)
    ind = resource_indicators(ds, year=y, settings=settings)
    bal = county_balance(ind, settings=settings)
    return summary_from(y, ind, bal)


def summary_from(year: int, ind: pd.DataFrame, bal: pd.DataFrame) -> dict:
    """The dict of :func:`summary` from an indicator and a balance frame of that year."""
    stages: dict[str, dict] = {}
    for st in STAGES:
        sub = ind.loc[ind["stage"] == st]
        b = bal.loc[bal["stage"] == st].set_index("key")
        stages[st] = {
            "units": int(len(sub)),
            "passing_units": int(sub["passes"].sum()),
            "cv": {k: _none_if_nan(b["cv"].get(k)) for k in KEYS},
            "county_mean": {k: _none_if_nan(b["county_mean"].get(k)) for k in KEYS},
            "cv_limit": float(std.threshold("cv_limit", st)),
        }
    records = ind[["school_id", "stage", *KEYS, "indicators_met", "passes"]].to_dict("records")
    schools = [
        {
            "school_id": str(r["school_id"]),
            "stage": str(r["stage"]),
            "values": {k: _none_if_nan(r[k]) for k in KEYS},
            "indicators_met": int(r["indicators_met"]),
            "passes": bool(r["passes"]),
        }
        for r in records
    ]
    return {"year": int(year), "stages": stages, "schools": schools}


def by_township(ind_df: pd.DataFrame, *, with_county: bool = True) -> pd.DataFrame:
    """Units and passing units per 镇街 and stage.

    Parameters
    ----------
    ind_df
        Output of :func:`resource_indicators`.
    with_county
        Append rows for the whole county (``township = "全县"``).

    Returns
    -------
    pandas.DataFrame
        ``year, township, stage, units, passing, failing, passing_share`` (share 0–1).
    """
    d = ind_df[["year", "township", "stage", "passes"]].copy()
    d["township"] = d["township"].astype(object)
    frames = [d]
    if with_county:
        c = d.copy()
        c["township"] = COUNTY
        frames.append(c)
    d = pd.concat(frames, ignore_index=True)
    out = d.groupby(["year", "township", "stage"], sort=False).agg(units=("passes", "size"), passing=("passes", "sum"))
    out = out.reset_index()
    out["passing"] = out["passing"].astype(int)
    out["failing"] = out["units"] - out["passing"]
    out["passing_share"] = out["passing"] / out["units"]
    order = {t: i for i, t in enumerate(sorted(out["township"].unique(), key=township_sort_key))}
    out["_to"] = out["township"].map(order)
    out["_so"] = out["stage"].map(STAGE_ORDER)
    return out.sort_values(["year", "_to", "_so"]).drop(columns=["_to", "_so"]).reset_index(drop=True)


def failing_units(ind_df: pd.DataFrame) -> pd.DataFrame:
    """The units that do not pass, with which indicators they miss.

    Returns
    -------
    pandas.DataFrame
        ``year, school_id, name, township, stage, students, indicators_met, below_floor`` and one
        ``met_<key>`` flag per indicator (the rows of ``ind_df`` whose ``passes`` is False).
    """
    cols = ["year", "school_id", "name", "township", "stage", "students", "indicators_met", "below_floor",
            *(f"met_{k}" for k in KEYS)]
    return ind_df.loc[~ind_df["passes"], cols]






