"""Enrolment projection to 2030 (学位预测) and the classrooms it needs.

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
(cap 45 小学, 50 初中; ``class_size_max``), against **classrooms available = the most classes the
school held in one year of the last** :data:`AVAILABLE_YEARS` **years of the 班级 table** (the data
format has no classroom count; a school that once held that many classes has the rooms). A 镇街
needs a **new school** of a stage when its schools' classroom shortfall, after using the spare
classrooms of its other schools of the stage, reaches ``settings.new_school_min_classes`` (default
18 classes 小学, 12 初中).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from jxedu.analysis.indicators import township_sort_key
from jxedu.core.errors import DataError, SettingsError
from jxedu.core.settings import resolve_settings as _settings
from jxedu.core.standards import threshold

__all__ = [
    "AVAILABLE_YEARS",
    "COLUMN_LABELS",
    "ENTRY_YEARS",
    "GRADES",
    "PROGRESSION_PAIRS",
    "Rates",
    "classroom_needs",
    "enrolment_history",
    "estimate_rates",
    "key_figures",
    "project_variants",
    "plot_projection",
    "project_enrolment",
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
#: Chinese names of the variants.
VARIANT_LABELS: dict[str, str] = {"low": "低方案", "central": "中方案", "high": "高方案"}

#: Chinese display headers.
COLUMN_LABELS: dict[str, str] = {
    "variant": "方案",
    "year": "学年",
    "township": "镇街",
    "school_id": "学校标识码",
    "school_name": "学校名称",
    "urban_rural": "城乡分类",
    "stage": "学段",
    "grade": "年级",
    "students": "学生数",
    "projected": "预测值",
    "cap": "班额上限",
    "classes_needed": "所需班级数",
    "classrooms_available": "现有教室数（近年最多班级数）",
    "shortfall": "教室缺口",
    "spare": "富余教室",
    "net_shortfall": "镇街净缺口",
    "new_school": "需新建学校",
    "schools_short": "缺教室学校数",
}


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
        """The rates as a readable frame: one row per 镇街 (entry rate, p2 … p9)."""
        df = pd.DataFrame(self.progression[:, 1:], columns=[f"p{g}" for g in GRADES[1:]])
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


def estimate_rates(ds, *, to_year: int = 2030, history: pd.DataFrame | None = None) -> Rates:
    """Estimate progression ratios and entry rates per 镇街 from the history (see module doc).

    Parameters
    ----------
    ds
        The data set (needs 班级; 村居 for the intake from population).
    to_year
        Last year to project (sets the length of ``intake``).
    history
        Pre-computed :func:`enrolment_history` (computed when omitted).

    Returns
    -------
    Rates
    """
    e = enrolment_history(ds) if history is None else history
    years = sorted(e["year"].unique())
    y0 = int(years[-1])
    k_max = int(to_year) - y0
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
    to_year: int = 2030,
    variant: str | dict = "central",
    settings=None,
    rates: Rates | None = None,
) -> pd.DataFrame:
    """Project enrolment per school, stage and grade for every year to ``to_year``.

    Parameters
    ----------
    ds
        The data set (needs 班级; 村居 for the intake from population).
    to_year
        Last projected school year (default 2030).
    variant
        A name of ``settings.projection_variants`` (by default ``"low"``, ``"central"``, ``"high"``)
        or a dict with ``entry_factor`` and ``urban_shift``.
    settings
        Run settings (default :func:`jxedu.core.settings.get_settings`): the variant table.
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
    r = rates if rates is not None else estimate_rates(ds, to_year=to_year)
    y0 = r.base_year
    k_max = int(to_year) - y0
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
    c = c[c["stage"].isin(("primary", "junior"))]
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
        ``year, township, school_id, school_name, urban_rural, stage, students, cap, classes_needed,
        classrooms_available, shortfall, spare`` — ``classes_needed = Σ_grades ceil(round(students)
        / cap)``; ``shortfall = max(needed − available, 0)``, ``spare = max(available − needed, 0)``.
    """
    ds.require("classes")
    d = proj_df[["year", "school_id", "township", "urban_rural", "stage", "grade", "students"]].copy()
    caps = {st: int(threshold("class_size_max", st)) for st in ("primary", "junior")}
    d["cap"] = d["stage"].map(caps).astype(int)
    pupils = np.rint(d["students"].to_numpy(dtype=float))
    d["classes_needed"] = np.ceil(pupils / d["cap"].to_numpy()).astype(int)
    d["students"] = pupils
    g = d.groupby(["year", "township", "school_id", "urban_rural", "stage"], as_index=False).agg(
        students=("students", "sum"), cap=("cap", "first"), classes_needed=("classes_needed", "sum"))
    g = g.merge(_available(ds), on=["school_id", "stage"], how="left")
    g["classrooms_available"] = g["classrooms_available"].fillna(0).astype(int)
    g["students"] = g["students"].astype(int)
    g["shortfall"] = (g["classes_needed"] - g["classrooms_available"]).clip(lower=0).astype(int)
    g["spare"] = (g["classrooms_available"] - g["classes_needed"]).clip(lower=0).astype(int)
    names = pd.DataFrame(ds.schools[["school_id", "name"]]).rename(columns={"name": "school_name"})
    g = g.merge(names, on="school_id", how="left")
    cols = ["year", "township", "school_id", "school_name", "urban_rural", "stage", "students", "cap",
            "classes_needed", "classrooms_available", "shortfall", "spare"]
    return g[cols].sort_values(["year", "school_id", "stage"]).reset_index(drop=True)


def township_needs(needs: pd.DataFrame, *, settings=None) -> pd.DataFrame:
    """Per year, 镇街 and stage: classroom shortfall, spare rooms, net need and new-school flag.

    ``net_shortfall = max(Σ shortfall − Σ spare, 0)`` (spare rooms of the 镇街's other schools of the
    stage can absorb pupils by re-zoning); ``new_school`` when ``net_shortfall ≥``
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
        ``year, township, stage, students, classes_needed, classrooms_available, shortfall, spare,
        schools_short, net_shortfall, new_school``.
    """
    g = needs.assign(short=needs["shortfall"] > 0).groupby(["year", "township", "stage"], as_index=False).agg(
        students=("students", "sum"), classes_needed=("classes_needed", "sum"),
        classrooms_available=("classrooms_available", "sum"), shortfall=("shortfall", "sum"),
        spare=("spare", "sum"), schools_short=("short", "sum"))
    g["schools_short"] = g["schools_short"].astype(int)
    g["net_shortfall"] = (g["shortfall"] - g["spare"]).clip(lower=0).astype(int)
    min_classes = _settings(settings).new_school_min_classes
    g["new_school"] = g["net_shortfall"] >= g["stage"].map(min_classes)
    return g


def projection_summary(proj_df: pd.DataFrame) -> pd.DataFrame:
    """County enrolment per year and stage (rounded pupils), from :func:`project_enrolment`.

    Returns
    -------
    pandas.DataFrame
        Index year, columns ``primary``, ``junior``, ``total`` (integers).
    """
    t = proj_df.pivot_table(index="year", columns="stage", values="students", aggfunc="sum").reindex(
        columns=["primary", "junior"]).fillna(0)
    t["total"] = t.sum(axis=1)
    return t.round().astype(int)


def plot_projection(projections: dict[str, pd.DataFrame], ds=None, *, title: str | None = None,
                    township: str | None = None):
    """Lines of county enrolment per stage for each variant, with the history when ``ds`` is given.

    Parameters
    ----------
    projections
        Variant name -> :func:`project_enrolment` output.
    ds
        The data set (adds the history from the 班级 table).
    title
        Chart title (Chinese).
    township
        Only this 镇街's schools (projections made on the whole county).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from jxedu.present import style as plotting

    if township is not None:
        projections = {k: _only(v, township) for k, v in projections.items()}
    fig, ax = plotting.new_figure(size="a4", title=title or f"{township or ''}义务教育在校生预测")
    styles = {"low": ":", "central": "-", "high": "--"}
    for st in ("primary", "junior"):
        col = plotting.STAGE_COLORS[st]
        if ds is not None:
            h = enrolment_history(ds)
            if township is not None:
                h = h[h["township"] == township]
            h = h[_stage_of_grade(h["grade"]) == st].groupby("year")["students"].sum()
            ax.plot(h.index, h.to_numpy(), color=col, marker="o", label=f"{plotting.STAGE_LABELS[st]}（实际）")
        for name, proj in projections.items():
            s = projection_summary(proj)
            s = s[s.index >= proj.attrs.get("base_year", s.index.min())]
            ax.plot(s.index, s[st], color=col, linestyle=styles.get(name, "-."),
                    label=f"{plotting.STAGE_LABELS[st]}（{VARIANT_LABELS.get(name, name)}）")
    ax.set_xlabel("学年")
    ax.set_ylabel("在校生（人）")
    ax.legend(fontsize=7, ncol=2)
    return fig


def project_variants(ds, *, to_year: int = 2030, settings=None) -> dict[str, pd.DataFrame]:
    """Project every variant of ``settings.projection_variants`` (rates estimated once).

    Returns
    -------
    dict
        Variant name -> :func:`project_enrolment` output.
    """
    settings = _settings(settings)
    rates = estimate_rates(ds, to_year=to_year)
    return {v: project_enrolment(ds, to_year=to_year, variant=v, settings=settings, rates=rates)
            for v in settings.projection_variants}


def _only(proj: pd.DataFrame, township: str) -> pd.DataFrame:
    out = proj[proj["township"] == township]
    if out.empty:
        raise DataError(f"预测结果中没有该镇街的学校 (unknown_township): {township}")
    out = out.copy()
    out.attrs = dict(proj.attrs)
    return out


def key_figures(projections: dict[str, pd.DataFrame], ds, *, year: int = 2030, township: str | None = None) -> str:
    """Projected enrolment and classroom shortfall in ``year`` per variant, as Chinese text.

    Parameters
    ----------
    projections
        Output of :func:`project_variants`.
    ds
        The data set (classrooms available).
    year
        Projected year to report (default 2030).
    township
        Only this 镇街's schools (projections made on the whole county).

    Returns
    -------
    str
    """
    lines = [f"镇街：{township}"] if township else []
    for name, proj in projections.items():
        if township is not None:
            proj = _only(proj, township)
        s = projection_summary(proj)
        if year not in s.index:
            raise DataError(f"预测结果中没有该学年 (unknown_year): {year}")
        base = proj.attrs.get("base_year", s.index.min())
        needs = classroom_needs(proj[proj["year"] == year], ds)
        short = needs.groupby("stage")["shortfall"].sum()
        lines.append(
            f"{VARIANT_LABELS.get(name, name)} {year}年：小学 {int(s.loc[year, 'primary'])} 人，"
            f"初中 {int(s.loc[year, 'junior'])} 人，合计 {int(s.loc[year, 'total'])} 人"
            f"（{base}年 {int(s.loc[base, 'total'])} 人）；教室缺口 小学 {int(short.get('primary', 0))} 间，"
            f"初中 {int(short.get('junior', 0))} 间"
        )
    return "\n".join(lines)
