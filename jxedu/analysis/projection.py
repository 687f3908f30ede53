"""Enrolment projection (学位预测) to the horizon of the settings and the classrooms it needs.

The horizon is the ``projection_to_year`` setting (default 2030), the last school year projected.

Method (grade-progression ratios, the cohort-component method of school planning), all vectorised
over every school at once:

1. **History.** Enrolment by year × school × grade (年级 1–9) from the 班级 table; the same summed per
   镇街 (the school's 所属镇街).
2. **Progression ratios** per 镇街 and grade ``g = 2…9``: ``p[t, g] = Σ_y E[y, t, g] / Σ_y E[y−1, t, g−1]``
   pooled over the last :data:`PROGRESSION_PAIRS` pairs of consecutive years. The ratio carries the
   history's repetition, drop-out and net migration between 镇街 (a 街道 whose schools draw pupils
   from the towns has ratios above 1; a 镇 without an 初中 has ``p[t, 7] = 0``). No pair of years:
   ratio 1. No pupils in ``g − 1``: ratio 1 (nothing to carry).
3. **Entry rate** to grade 1 per 镇街: ``r[t] = Σ_j E[Y0−j, t, 1] / Σ_j pop[t, 6+j]`` for the last
   :data:`ENTRY_YEARS` years ``j`` present, where ``pop[t, a]`` is the 村居 population of age ``a``
   (a snapshot taken as of the base year ``Y0``, the latest year of the 班级 table; a child aged
   ``6+j`` in ``Y0`` was 6 in ``Y0−j``). The grade-1 intake in ``Y0+k`` is
   ``r[t] × pop[t, 6−k] × entry_factor`` for ``k ≤ 6``; after that (no child of that cohort is born
   yet in the snapshot) the ``Y0+6`` intake is held. A 镇街 without population (or with no child of
   the ages used) keeps its base-year intake × ``entry_factor``.
4. **Carry forward** ``E[Y0+k, t, g] = p[t, g] × E[Y0+k−1, t, g−1]``.
5. **Allocate to schools** by each school's share of its 镇街's enrolment in that grade in ``Y0``.
   Pupils of a 镇街 × grade that had no school in ``Y0`` cannot be placed and are reported in
   ``df.attrs["unallocated"]``.
6. **Migration toward the county seat** (``urban_shift``, share per year): after ``k`` years a share
   ``1 − (1 − m)^k`` of every 乡村 school's projected pupils moves to the 城区 schools teaching that
   grade, split by their projected enrolment in the grade (a grade no 城区 school teaches stays put).

Variants (``settings.projection_variants``, :class:`jxedu.core.settings.Settings`; planning assumptions, not
standards; the defaults):

======== ============== ===================================================================
variant  entry_factor   urban_shift (share of 乡村 school pupils moving to 城区 schools / year)
======== ============== ===================================================================
low      0.95           0.000
central  1.00           0.005
high     1.05           0.010
======== ============== ===================================================================

``entry_factor`` scales the grade-1 intake of every projected year (births side: fewer or more
children of the cohorts not yet at school, or a different share of them entering a public school).

Classrooms (:func:`classroom_needs`): classes needed = Σ over grades ``ceil(round(students) / cap)``
(cap 45 小学, 50 初中; ``class_size_max``; :func:`jxedu.core.numeric.ceil_count`), against
**classrooms available = the most classes the school held in one year of the last**
:data:`AVAILABLE_YEARS` **years of the 班级 table** (the data
format has no classroom count; a school that once held that many classes has the rooms). A 镇街
needs a **new school** of a stage when its schools' classroom shortfall, after using the spare
classrooms of its other schools of the stage, reaches ``settings.new_school_min_classes`` (default
18 classes 小学, 12 初中).

Frames have English keys and codes (variant names are codes of the settings); the Chinese words are
in ``jxedu/data/vocabulary/fields-classes.csv`` and ``words-classes.csv``, the tables, charts and
sentences in :mod:`jxedu.present.classes`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from jxedu.analysis.indicators import township_sort_key
from jxedu.core.errors import DataError, SettingsError
from jxedu.core.numeric import ceil_count
from jxedu.core.schema import COMPULSORY_STAGES
from jxedu.core.settings import Settings
from jxedu.core.settings import resolve_settings as _settings
from jxedu.core.standards import threshold

__all__ = [
    "AVAILABLE_YEARS",
    "ENTRY_YEARS",
    "GRADES",
    "PROGRESSION_PAIRS",
    "Rates",
    "central_variant",
    "classroom_needs",
    "enrolment_history",
    "estimate_rates",
    "project_enrolment",
    "project_variants",
    "projection_summary",
    "township_needs",
    "variant_params",
]

#: Compulsory grades (1–6 小学, 7–9 初中).
GRADES: tuple[int, ...] = tuple(range(1, 10))
#: Pairs of consecutive years pooled for the progression ratios (the most recent ones).
PROGRESSION_PAIRS = 3  # year pairs
#: Years of grade-1 intake pooled for the entry rate.
ENTRY_YEARS = 3  # years
#: Age of entry to grade 1.
ENTRY_AGE = 6  # years
#: Recent years of the 班级 table whose largest class count is taken as classrooms available.
AVAILABLE_YEARS = 3  # years
#: The variant of the tables that show one variant, when the settings have it.
CENTRAL = "central"


def _stage_of_grade(g):
    return np.where(np.asarray(g) <= 6, "primary", "junior")


def variant_params(variant: str | dict, settings=None) -> dict[str, float]:
    """Parameters of a variant: a name of ``settings.projection_variants`` (default
    :func:`jxedu.core.settings.get_settings`) or a dict with ``entry_factor`` and ``urban_shift``."""
    table = dict(_settings(settings).projection_variants)
    if isinstance(variant, dict):
        p = dict(variant)
    elif variant in table:
        p = dict(table[variant])
    else:
        raise SettingsError(f"预测方案无效 (bad_variant): {variant}；可选 {'、'.join(table)}")
    missing = {"entry_factor", "urban_shift"} - set(p)
    if missing:
        raise SettingsError(f"预测方案缺少参数 (missing_variant_parameter): {'、'.join(sorted(missing))}")
    if not 0 <= float(p["urban_shift"]) < 1 or float(p["entry_factor"]) < 0:
        raise SettingsError(f"预测方案参数超出范围 (bad_variant_parameter): {p}")
    return {"entry_factor": float(p["entry_factor"]), "urban_shift": float(p["urban_shift"])}


def enrolment_history(ds) -> pd.DataFrame:
    """Enrolment by year × school × grade (1–9) from the 班级 table.

    Returns
    -------
    pandas.DataFrame
        ``year, school_id, township, urban_rural, grade, students`` (integers).
    """
    ds.require("classes")
    c = ds.classes
    c = c.loc[c["grade"].isin(GRADES).to_numpy(), ["year", "school_id", "grade", "students"]]
    e = c.groupby(["year", "school_id", "grade"], as_index=False)["students"].sum()
    e["year"] = e["year"].astype(int)
    e["grade"] = e["grade"].astype(int)
    sch = pd.DataFrame(ds.schools[["school_id", "township", "urban_rural"]])
    e = e.merge(sch, on="school_id", how="left")
    if e["township"].isna().any():
        bad = sorted(e.loc[e["township"].isna(), "school_id"].astype(str).unique())[:5]
        raise DataError(f"班级表中的学校不在学校表中 (unknown_school): {'、'.join(bad)}")
    return e[["year", "school_id", "township", "urban_rural", "grade", "students"]]


@dataclass
class Rates:
    """Estimated rates per 镇街.

    Attributes
    ----------
    base_year
        Last year of the history (``Y0``).
    townships
        镇街 names, the row order of the arrays.
    progression
        ``(T, 9)`` array; column ``g−1`` holds ``p[t, g]`` (column 0, grade 1, is unused: NaN).
    entry_rate
        ``(T,)`` grade-1 enrolment per child aged 6 (NaN where no population).
    intake
        ``(T, K)`` projected grade-1 intake for ``Y0+1 … Y0+K`` before the variant factor.
    base
        ``(T, 9)`` base-year enrolment per 镇街 and grade.
    school_base
        Base-year rows of :func:`enrolment_history` (school × grade), for the allocation.
    """

    base_year: int
    townships: list[str]
    progression: np.ndarray
    entry_rate: np.ndarray
    intake: np.ndarray
    base: np.ndarray
    school_base: pd.DataFrame

    def table(self) -> pd.DataFrame:
        """The rates as a frame: one row per 镇街 — ``township, entry_rate, progression_2 …
        progression_9`` (``progression_g`` = ``p[t, g]``, pupils of grade ``g`` per pupil of grade
        ``g − 1`` a year before)."""
        df = pd.DataFrame(self.progression[:, 1:], columns=[f"progression_{g}" for g in GRADES[1:]])
        df.insert(0, "entry_rate", self.entry_rate)
        df.insert(0, "township", self.townships)
        return df


def _population(ds, townships: list[str]) -> np.ndarray | None:
    """``(T, 15)`` 村居 population by township and single year of age (None without villages)."""
    if ds.villages is None:
        return None
    v = pd.DataFrame(ds.villages)
    cols = [f"age_{a}" for a in range(15)]
    missing = [c for c in cols if c not in v.columns]
    if missing:
        raise DataError(f"村居表缺少年龄列 (missing_column): {'、'.join(missing)}")
    pop = v.groupby("township")[cols].sum().reindex(townships).fillna(0)
    return pop.to_numpy(dtype=float)


def _to_year(to_year: int | None, settings: Settings | None) -> int:
    return int(_settings(settings).projection_to_year if to_year is None else to_year)


def estimate_rates(ds, *, to_year: int | None = None, history: pd.DataFrame | None = None,
                   settings: Settings | None = None) -> Rates:
    """Estimate progression ratios and entry rates per 镇街 from the history (see module doc).

    Parameters
    ----------
    ds
        The data set (needs 班级; 村居 for the intake from population).
    to_year
        Last year to project (sets the length of ``intake``); default the ``projection_to_year``
        setting.
    history
        Pre-computed :func:`enrolment_history` (computed when omitted).
    settings
        Run settings (default :func:`jxedu.core.settings.get_settings`): the horizon.

    Returns
    -------
    Rates
    """
    to_year = _to_year(to_year, settings)
    e = enrolment_history(ds) if history is None else history
    years = sorted(e["year"].unique())
    y0 = int(years[-1])
    k_max = to_year - y0
    if k_max < 1:
        raise DataError(f"预测终止年份应晚于最新学年 (bad_to_year): {to_year} ≤ {y0}")
    townships = sorted(e["township"].unique(), key=township_sort_key)
    t_idx = {t: i for i, t in enumerate(townships)}
    ny, nt = len(years), len(townships)
    y_idx = {y: i for i, y in enumerate(years)}
    et = np.zeros((ny, nt, 9))
    g = e.groupby(["year", "township", "grade"])["students"].sum()
    yi = np.array([y_idx[y] for y in g.index.get_level_values(0)])
    ti = np.array([t_idx[t] for t in g.index.get_level_values(1)])
    gi = g.index.get_level_values(2).to_numpy() - 1
    np.add.at(et, (yi, ti, gi), g.to_numpy(dtype=float))

    # Progression: pooled over the last PROGRESSION_PAIRS consecutive pairs.
    pairs = [(years[i - 1], years[i]) for i in range(1, ny) if years[i] - years[i - 1] == 1][-PROGRESSION_PAIRS:]
    num = np.zeros((nt, 9))
    den = np.zeros((nt, 9))
    for a, b in pairs:
        num[:, 1:] += et[y_idx[b], :, 1:]
        den[:, 1:] += et[y_idx[a], :, :-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        prog = np.where(den > 0, num / np.where(den > 0, den, 1), 1.0)
    prog[:, 0] = np.nan

    base = et[y_idx[y0]]
    pop = _population(ds, townships)
    intake = np.repeat(base[:, [0]], k_max, axis=1)  # fallback: hold base intake
    entry = np.full(nt, np.nan)
    if pop is not None:
        e_num = np.zeros(nt)
        e_den = np.zeros(nt)
        for j in range(ENTRY_YEARS):
            if (y0 - j) in y_idx and ENTRY_AGE + j < pop.shape[1]:
                e_num += et[y_idx[y0 - j], :, 0]
                e_den += pop[:, ENTRY_AGE + j]
        ok = e_den > 0
        entry[ok] = e_num[ok] / e_den[ok]
        ks = np.arange(1, k_max + 1)
        ages = np.maximum(ENTRY_AGE - ks, 0)  # k > 6: the youngest cohort's intake is held
        from_pop = entry[:, None] * pop[:, ages]
        intake = np.where(ok[:, None], from_pop, intake)
    school_base = e[e["year"] == y0].reset_index(drop=True)
    return Rates(base_year=y0, townships=townships, progression=prog, entry_rate=entry, intake=intake, base=base,
                 school_base=school_base)


def project_enrolment(
    ds,
    *,
    to_year: int | None = None,
    variant: str | dict = CENTRAL,
    settings=None,
    rates: Rates | None = None,
) -> pd.DataFrame:
    """Project enrolment per school, stage and grade for every year to ``to_year``.

    Parameters
    ----------
    ds
        The data set (needs 班级; 村居 for the intake from population).
    to_year
        Last projected school year (default the ``projection_to_year`` setting).
    variant
        A name of ``settings.projection_variants`` (by default ``"low"``, ``"central"``, ``"high"``)
        or a dict with ``entry_factor`` and ``urban_shift``.
    settings
        Run settings (default :func:`jxedu.core.settings.get_settings`): the variant table and the
        horizon.
    rates
        Pre-computed :func:`estimate_rates` (to reuse across variants).

    Returns
    -------
    pandas.DataFrame
        ``year, school_id, township, urban_rural, stage, grade, students, projected`` — the base
        year's actual enrolment (``projected`` False) and each projected year; ``students`` is a
        float (expected pupils). ``df.attrs``: ``variant``, ``base_year``, ``unallocated`` (pupils
        per year that no school could take).
    """
    p = variant_params(variant, settings)
    to_year = _to_year(to_year, settings)
    r = rates if rates is not None else estimate_rates(ds, to_year=to_year, settings=settings)
    y0 = r.base_year
    k_max = to_year - y0
    if k_max < 1 or r.intake.shape[1] < k_max:
        raise DataError(f"预测终止年份无效 (bad_to_year): {to_year}")
    t_idx = {t: i for i, t in enumerate(r.townships)}

    # Township projection, shape (K+1, T, 9).
    nt = len(r.townships)
    proj_t = np.zeros((k_max + 1, nt, 9))
    proj_t[0] = r.base
    for k in range(1, k_max + 1):
        proj_t[k, :, 0] = r.intake[:, k - 1] * p["entry_factor"]
        proj_t[k, :, 1:] = r.progression[:, 1:] * proj_t[k - 1, :, :-1]

    # Schools and their base-year shares, shape (S, 9).
    eb = r.school_base
    sch = eb[["school_id", "township", "urban_rural"]].drop_duplicates("school_id").sort_values("school_id")
    sch = sch.reset_index(drop=True)
    s_idx = {s: i for i, s in enumerate(sch["school_id"])}
    ns = len(sch)
    base_s = np.zeros((ns, 9))
    np.add.at(base_s, (eb["school_id"].map(s_idx).to_numpy(), eb["grade"].to_numpy() - 1),
              eb["students"].to_numpy(dtype=float))
    town_of = sch["township"].map(t_idx).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(r.base[town_of] > 0, base_s / np.where(r.base[town_of] > 0, r.base[town_of], 1), 0.0)
    proj_s = proj_t[:, town_of, :] * share[None, :, :]  # (K+1, S, 9)
    has_school = np.zeros((nt, 9), dtype=bool)
    np.logical_or.at(has_school, town_of, base_s > 0)
    lost = (proj_t * ~has_school[None]).sum(axis=(1, 2))

    # Migration toward the county seat.
    m = p["urban_shift"]
    if m > 0:
        rural = (sch["urban_rural"] == "rural").to_numpy()
        urban = (sch["urban_rural"] == "urban").to_numpy()
        f = 1.0 - (1.0 - m) ** np.arange(k_max + 1)  # (K+1,)
        urban_tot = proj_s[:, urban, :].sum(axis=1)  # (K+1, 9)
        can = urban_tot > 0
        moved = (proj_s[:, rural, :] * f[:, None, None]).sum(axis=1) * can  # (K+1, 9)
        proj_s[:, rural, :] *= np.where(can, 1.0 - f[:, None], 1.0)[:, None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            ushare = np.where(can[:, None, :], proj_s[:, urban, :] / np.where(can, urban_tot, 1)[:, None, :], 0.0)
        proj_s[:, urban, :] += ushare * moved[:, None, :]

    # Long frame: only school × grade cells the school teaches (share > 0).
    kk, ss, gg = np.nonzero(np.broadcast_to(share > 0, proj_s.shape))
    out = pd.DataFrame({
        "year": y0 + kk,
        "school_id": sch["school_id"].to_numpy()[ss],
        "township": sch["township"].to_numpy()[ss],
        "urban_rural": sch["urban_rural"].to_numpy()[ss],
        "stage": _stage_of_grade(gg + 1),
        "grade": gg + 1,
        "students": proj_s[kk, ss, gg],
        "projected": kk > 0,
    })
    out["stage"] = out["stage"].astype(str)
    out = out.sort_values(["year", "school_id", "grade"]).reset_index(drop=True)
    out.attrs["variant"] = variant if isinstance(variant, str) else "custom"
    out.attrs["base_year"] = y0
    out.attrs["unallocated"] = {int(y0 + k): float(lost[k]) for k in range(k_max + 1)}
    return out


def _available(ds) -> pd.DataFrame:
    """Classrooms available per school × stage: most classes held in one of the last years."""
    c = ds.classes
    c = c[c["stage"].isin(COMPULSORY_STAGES)]
    years = sorted(int(y) for y in c["year"].unique())[-AVAILABLE_YEARS:]
    n = c[c["year"].isin(years)].groupby(["year", "school_id", "stage"]).size().rename("n").reset_index()
    return n.groupby(["school_id", "stage"])["n"].max().rename("classrooms_available").reset_index()


def classroom_needs(proj_df: pd.DataFrame, ds) -> pd.DataFrame:
    """Classes needed at the caps per year, school and stage against classrooms available.

    Parameters
    ----------
    proj_df
        Output of :func:`project_enrolment`.
    ds
        The data set (班级 for the classrooms available, 学校 for names).

    Returns
    -------
    pandas.DataFrame
        ``year, township, school_id, school_name, urban_rural, stage, students, class_cap,
        classes_needed, classrooms_available, classroom_shortfall, spare_classrooms`` — ``students``
        the expected pupils (a float, as :func:`project_enrolment`: summed, they agree with
        :func:`projection_summary`), ``classes_needed = Σ_grades ceil(round(students) / cap)``; ``classroom_shortfall =
        max(needed − available, 0)``, ``spare_classrooms = max(available − needed, 0)``.
    """
    ds.require("classes")
    d = proj_df[["year", "school_id", "township", "urban_rural", "stage", "grade", "students"]].copy()
    caps = {st: int(threshold("class_size_max", st)) for st in COMPULSORY_STAGES}
    d["class_cap"] = d["stage"].map(caps).astype(int)
    pupils = np.rint(d["students"].to_numpy(dtype=float))  # a grade's expected pupils → whole pupils
    d["classes_needed"] = ceil_count(pupils / d["class_cap"].to_numpy()).astype(int)
    g = d.groupby(["year", "township", "school_id", "urban_rural", "stage"], as_index=False).agg(
        students=("students", "sum"), class_cap=("class_cap", "first"), classes_needed=("classes_needed", "sum"))
    g = g.merge(_available(ds), on=["school_id", "stage"], how="left")
    g["classrooms_available"] = g["classrooms_available"].fillna(0).astype(int)
    g["classroom_shortfall"] = (g["classes_needed"] - g["classrooms_available"]).clip(lower=0).astype(int)
    g["spare_classrooms"] = (g["classrooms_available"] - g["classes_needed"]).clip(lower=0).astype(int)
    names = pd.DataFrame(ds.schools[["school_id", "name"]]).rename(columns={"name": "school_name"})
    g = g.merge(names, on="school_id", how="left")
    cols = ["year", "township", "school_id", "school_name", "urban_rural", "stage", "students", "class_cap",
            "classes_needed", "classrooms_available", "classroom_shortfall", "spare_classrooms"]
    return g[cols].sort_values(["year", "school_id", "stage"]).reset_index(drop=True)


def township_needs(needs: pd.DataFrame, *, settings=None) -> pd.DataFrame:
    """Per year, 镇街 and stage: classroom shortfall, spare rooms, net need and new-school flag.

    ``net_classroom_shortfall = max(Σ shortfall − Σ spare, 0)`` (spare rooms of the 镇街's other
    schools of the stage can absorb pupils by re-zoning); ``new_school`` when the net shortfall ≥
    ``settings.new_school_min_classes`` of the stage.

    Parameters
    ----------
    needs
        Output of :func:`classroom_needs`.
    settings
        Run settings (default :func:`jxedu.core.settings.get_settings`): the new-school size.

    Returns
    -------
    pandas.DataFrame
        ``year, township, stage, students, classes_needed, classrooms_available,
        classroom_shortfall, spare_classrooms, schools_short, net_classroom_shortfall, new_school``.
    """
    g = needs.assign(short=needs["classroom_shortfall"] > 0).groupby(
        ["year", "township", "stage"], as_index=False).agg(
        students=("students", "sum"), classes_needed=("classes_needed", "sum"),
        classrooms_available=("classrooms_available", "sum"), classroom_shortfall=("classroom_shortfall", "sum"),
        spare_classrooms=("spare_classrooms", "sum"), schools_short=("short", "sum"))
    g["schools_short"] = g["schools_short"].astype(int)
    g["net_classroom_shortfall"] = (g["classroom_shortfall"] - g["spare_classrooms"]).clip(lower=0).astype(int)
    min_classes = _settings(settings).new_school_min_classes
    g["new_school"] = g["net_classroom_shortfall"] >= g["stage"].map(min_classes)
    order = {"primary": 0, "junior": 1}
    return g.sort_values(["year", "township", "stage"], key=lambda s: s.map(township_sort_key) if s.name == "township"
                         else s.map(order) if s.name == "stage" else s).reset_index(drop=True)


def projection_summary(proj_df: pd.DataFrame) -> pd.DataFrame:
    """Enrolment per year and stage of the schools of a projection (the county's, or a 镇街's rows).

    Parameters
    ----------
    proj_df
        :func:`project_enrolment` output, or rows of it.

    Returns
    -------
    pandas.DataFrame
        Index year, columns ``primary``, ``junior`` (pupils rounded to whole pupils) and ``total``
        (their sum), integers.
    """
    t = proj_df.pivot_table(index="year", columns="stage", values="students", aggfunc="sum").reindex(
        columns=list(COMPULSORY_STAGES)).fillna(0)
    t = t.round().astype(int)
    t["total"] = t.sum(axis=1)
    t.columns.name = None
    return t


def project_variants(ds, *, to_year: int | None = None, settings=None,
                     rates: Rates | None = None) -> dict[str, pd.DataFrame]:
    """Project every variant of ``settings.projection_variants`` (rates estimated once).

    Parameters
    ----------
    ds
        The data set (needs 班级).
    to_year
        Last projected school year (default the ``projection_to_year`` setting).
    settings
        Run settings (variants, horizon).
    rates
        Pre-computed :func:`estimate_rates` (to the same horizon).

    Returns
    -------
    dict
        Variant name -> :func:`project_enrolment` output.
    """
    settings = _settings(settings)
    rates = rates if rates is not None else estimate_rates(ds, to_year=to_year, settings=settings)
    return {v: project_enrolment(ds, to_year=to_year, variant=v, settings=settings, rates=rates)
            for v in settings.projection_variants}


def central_variant(variants) -> str:
    """The variant a one-variant table shows: ``central`` when there is one, else the first.

    Parameters
    ----------
    variants
        Variant names (a ``projection_variants`` table, or the projections keyed by variant).
    """
    names = list(variants)
    if not names:
        raise SettingsError("没有预测方案 (no_variant): projection_variants")
    return CENTRAL if CENTRAL in names else names[0]
