"""Suggested school sites (p-median, maximal coverage) and a ranking of small schools to close.

* :func:`suggest_sites` chooses ``p`` sites among the existing schools of a stage and candidate
  sites (given by the planner, or a regular grid inside the county or one 镇街) with spopt's
  location-allocation models solved by HiGHS: ``PMedian`` (minimise child-metres; capacitated when
  ``capacitated=True``, using the capacities of :func:`jxedu.scenarios.evaluate`) and ``MCLP``
  (maximise the children within ``service_radius_m``, default the stage's walking limit). Schools
  the planner must keep are predefined facilities.
* :func:`pmedian_highs` is the same uncapacitated p-median written directly as a sparse MILP for
  HiGHS (``scipy.optimize.milp``) — no PuLP model building; ``bench/scenario.py`` compares it with
  spopt.
* :func:`closure_ranking` ranks the small schools of a stage (fewer than ``max_students``; default
  the 乡村小规模学校 line of 100 students, 国办发〔2018〕27号) by the travel their closure would add:
  each school is closed on its own and its children re-assigned by the capacity-constrained LP of
  :mod:`jxedu.scenarios` (the next nearest school with a free place).

Distances are the scenario module's: along the roads when the data set has a road layer, else
straight lines; demand is the 村居 school-age population of the stage.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from jxedu import scenarios as sc
from jxedu._errors import JxeduError
from jxedu.config import UTM50N, WGS84
from jxedu.schema import LABELS

__all__ = ["SiteSuggestion", "candidate_grid", "closure_ranking", "pmedian_highs", "suggest_sites"]

#: Grid spacing of candidate sites, metres.
GRID_SPACING_M = 2000.0  # metres
#: Small-school line: 乡村小规模学校 = fewer than 100 students (国办发〔2018〕27号).
SMALL_SCHOOL_MAX = 100  # students
#: Capacity of a new candidate site in the capacitated p-median: 36 classes (小学) / 30 classes
#: (初中) at the class-size cap — a planning assumption.
CANDIDATE_CLASSES = {"primary": 36, "junior": 30}  # classes


@dataclass
class SiteSuggestion:
    """Result of :func:`suggest_sites`.

    Attributes
    ----------
    sites
        Chosen sites: ``site_id, name, kind`` (现有学校/候选点), ``kept`` (predefined), ``lon, lat,
        x, y, pupils`` (children assigned; covered children for MCLP), ``mean_m``.
    objective
        Child-metres (p-median) or children covered (MCLP).
    summary
        Key figures (Chinese keys).
    seconds
        Solver wall time.
    """

    sites: pd.DataFrame
    objective: float
    summary: dict
    seconds: float


def candidate_grid(ds, *, spacing_m: float = GRID_SPACING_M, township: str | None = None) -> pd.DataFrame:
    """Regular grid of candidate sites inside the county (the 镇街 layer) or one 镇街.

    Parameters
    ----------
    ds
        The data set.
    spacing_m
        Grid spacing in metres.
    township
        Only inside this 镇街.

    Returns
    -------
    pandas.DataFrame
        ``site_id`` (G001…), ``name``, ``x, y`` (UTM metres), ``lon, lat`` (WGS-84).
    """
    import geopandas as gpd
    import shapely

    if ds.townships is not None and len(ds.townships):
        tw = ds.townships if township is None else ds.townships[ds.townships["township"] == township]
        area = shapely.union_all(tw.to_crs(UTM50N).geometry.to_numpy())
    else:
        v = ds.villages if township is None else ds.villages[ds.villages["township"] == township]
        area = shapely.convex_hull(shapely.multipoints(v[["x", "y"]].to_numpy(float)))
    if area is None or area.is_empty:
        raise JxeduError(f"无法生成候选点 (no_area)：{township or '全县'}没有边界或村居")
    minx, miny, maxx, maxy = area.bounds
    xs = np.arange(minx + spacing_m / 2, maxx, spacing_m)
    ys = np.arange(miny + spacing_m / 2, maxy, spacing_m)
    gx, gy = np.meshgrid(xs, ys)
    pts = shapely.points(gx.ravel(), gy.ravel())
    inside = shapely.contains(area, pts)
    gx, gy = gx.ravel()[inside], gy.ravel()[inside]
    ll = gpd.GeoSeries(shapely.points(gx, gy), crs=UTM50N).to_crs(WGS84)
    ids = [f"G{i + 1:03d}" for i in range(len(gx))]
    return pd.DataFrame({"site_id": ids, "name": [f"候选点{i}" for i in ids], "x": gx, "y": gy,
                         "lon": ll.x.to_numpy(), "lat": ll.y.to_numpy()})


def _problem(ds, *, stage, year, candidates, spacing_m, township, method):
    ctx = sc._context(ds, year=year, method=method, settings=None)  # noqa: SLF001 - shared cache
    if stage not in ctx.stages:
        raise JxeduError(f"该学年没有此学段的学校 (no_schools): {LABELS.get(stage, stage)}")
    base = ctx.stages[stage]
    if isinstance(candidates, str) and candidates == "grid":
        candidates = candidate_grid(ds, spacing_m=spacing_m, township=township)
    cand = pd.DataFrame(columns=["site_id", "name", "x", "y", "lon", "lat"]) if candidates is None else candidates.copy()
    if len(cand) and not {"x", "y"} <= set(cand.columns):
        xy = np.array([sc._utm(lo, la) for lo, la in zip(cand["lon"], cand["lat"], strict=True)])  # noqa: SLF001
        cand["x"], cand["y"] = xy[:, 0], xy[:, 1]
    sch = base.sch
    sites = pd.concat([
        pd.DataFrame({"site_id": sch["school_id"], "name": sch["name"], "kind": "现有学校",
                      "x": sch["x"], "y": sch["y"], "lon": sch["lon"], "lat": sch["lat"],
                      "capacity": sch["classes"].to_numpy(float) * base.cap}),
        pd.DataFrame({"site_id": cand["site_id"].astype(str), "name": cand["name"], "kind": "候选点",
                      "x": cand["x"], "y": cand["y"], "lon": cand["lon"], "lat": cand["lat"],
                      "capacity": float(CANDIDATE_CLASSES[stage] * base.cap)}),
    ], ignore_index=True)
    keep = base.vil["demand"].to_numpy() > 0
    vxy = base.vxy[keep]
    cost_old = base.dist[keep] if base.dist is not None else np.hypot(
        vxy[:, None, 0] - sch["x"].to_numpy()[None, :], vxy[:, None, 1] - sch["y"].to_numpy()[None, :])
    cost_new = ctx.distances_from(cand[["x", "y"]].to_numpy(float), vxy) if len(cand) else np.zeros((len(vxy), 0))
    cost = np.hstack([cost_old, cost_new])
    return ctx, base, sites, cost, base.vil["demand"].to_numpy(float)[keep]


def suggest_sites(
    ds,
    *,
    stage: str = "primary",
    p: int,
    model: str = "pmedian",
    candidates: pd.DataFrame | str | None = "grid",
    spacing_m: float = GRID_SPACING_M,
    township: str | None = None,
    keep: tuple[str, ...] | list[str] = (),
    capacitated: bool = False,
    service_radius_m: float | None = None,
    year: int | None = None,
    method: str = "auto",
) -> SiteSuggestion:
    """Choose ``p`` school sites for a stage with spopt (p-median or maximal coverage).

    Parameters
    ----------
    ds
        The data set.
    stage
        ``"primary"`` or ``"junior"``.
    p
        Number of sites to open in total (kept schools included).
    model
        ``"pmedian"`` (minimise child-metres) or ``"mclp"`` (maximise children within
        ``service_radius_m``).
    candidates
        Extra sites: a frame with ``site_id, name`` and ``lon, lat`` (WGS-84) or ``x, y`` (UTM);
        ``"grid"`` (default) for :func:`candidate_grid`; ``None`` for the existing schools only.
    spacing_m, township
        Grid options.
    keep
        School ids that must stay (predefined facilities).
    capacitated
        p-median only: honour capacities (existing schools: classes × cap; candidates:
        :data:`CANDIDATE_CLASSES` × cap).
    service_radius_m
        MCLP radius; default the stage's walking limit.
    year, method
        As :func:`jxedu.scenarios.evaluate`.

    Returns
    -------
    SiteSuggestion
    """
    import pulp

    if model not in ("pmedian", "mclp"):
        raise JxeduError(f"未知的选址模型 (unknown_model): {model}；可用：pmedian（p-中位）、mclp（最大覆盖）")
    ctx, base, sites, cost, w = _problem(ds, stage=stage, year=year, candidates=candidates,
                                         spacing_m=spacing_m, township=township, method=method)
    ids = sites["site_id"].astype(str).tolist()
    unknown = [k for k in keep if str(k) not in ids]
    if unknown:
        raise JxeduError(f"必须保留的学校不在该学段学校中 (unknown_school): {'、'.join(map(str, unknown))}")
    pre = np.isin(np.array(ids, dtype=object), [str(k) for k in keep]).astype(int)
    if not 0 < p <= len(sites) or p < pre.sum():
        raise JxeduError(f"选址数量无效 (bad_p): p = {p}；应在 {max(pre.sum(), 1)} 与 {len(sites)} 之间")
    solver = pulp.HiGHS(msg=False)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        # spopt 0.7 builds its models with PuLP calls that PuLP 3.3 marks as deprecated for 4.0
        warnings.filterwarnings("ignore", message=r".*PuLP 4\.0", category=DeprecationWarning)
        m, chosen, objective, x = _spopt_solve(model, cost, w, p, pre, sites, capacitated, service_radius_m,
                                               base, solver)
    seconds = time.perf_counter() - t0
    if m.problem.status != 1:
        raise JxeduError(f"选址模型无可行解 (infeasible): {pulp.LpStatus[m.problem.status]}")
    return _suggestion(sites, chosen, x, cost, w, keep, base, service_radius_m, model, capacitated, objective,
                       seconds, stage)


def _spopt_solve(model, cost, w, p, pre, sites, capacitated, service_radius_m, base, solver):
    import pulp
    from spopt.locate import MCLP, PMedian

    if model == "pmedian":
        kw = {"predefined_facilities_arr": pre} if pre.any() else {}
        if capacitated:
            kw["facility_capacities"] = sites["capacity"].to_numpy(float)
            if kw["facility_capacities"].sum() < w.sum():
                raise JxeduError("候选学位总数不足以容纳全部学生 (insufficient_capacity)")
        m = PMedian.from_cost_matrix(cost, w, p_facilities=int(p), **kw).solve(solver)
        x = np.array([[v.value() or 0.0 for v in row] for row in m.cli_var_array]) if hasattr(m, "cli_var_array") else None
        chosen = np.array([bool(v.value() and v.value() > 0.5) for v in m.fac_vars])
        objective = float(pulp.value(m.problem.objective))
    elif model == "mclp":
        radius = float(service_radius_m) if service_radius_m is not None else base.walk_m
        kw = {"predefined_facilities_arr": pre} if pre.any() else {}
        m = MCLP.from_cost_matrix(cost, w, service_radius=radius, p_facilities=int(p), **kw).solve(solver)
        chosen = np.array([bool(v.value() and v.value() > 0.5) for v in m.fac_vars])
        objective = float(pulp.value(m.problem.objective))
        x = None
    else:
        raise JxeduError(f"未知的选址模型 (unknown_model): {model}；可用：pmedian（p-中位）、mclp（最大覆盖）")
    return m, chosen, objective, x


def _suggestion(sites, chosen, x, cost, w, keep, base, service_radius_m, model, capacitated, objective,
                seconds, stage) -> SiteSuggestion:
    out = sites[chosen].copy()
    out["kept"] = out["site_id"].isin([str(k) for k in keep])
    sub = cost[:, chosen]
    if x is not None and x.shape == cost.shape:
        share = x[:, chosen]
    else:  # nearest chosen site
        share = np.zeros_like(sub)
        share[np.arange(len(sub)), sub.argmin(axis=1)] = 1.0
    pupils = (share * w[:, None]).sum(axis=0)
    out["pupils"] = np.round(pupils).astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_m"] = (share * w[:, None] * sub).sum(axis=0) / pupils
    total_m = float((share * w[:, None] * sub).sum())
    radius = base.walk_m if service_radius_m is None else float(service_radius_m)
    within = float(w[(sub.min(axis=1) <= radius)].sum())
    summary = {
        "模型": {"pmedian": "p-中位" + ("（有容量约束）" if capacitated else ""), "mclp": "最大覆盖"}[model],
        "学段": LABELS[stage],
        "选址数": int(chosen.sum()),
        "其中现有学校": int((out["kind"] == "现有学校").sum()),
        "其中新址": int((out["kind"] == "候选点").sum()),
        "平均上学距离（米）": round(total_m / w.sum(), 0),
        f"{radius:.0f}米内学生占比（%）": round(100 * within / w.sum(), 1),
    }
    return SiteSuggestion(out.reset_index(drop=True), objective, summary, seconds)


def pmedian_highs(cost, weights, p: int, *, predefined=None, time_limit: float | None = None
                  ) -> tuple[np.ndarray, np.ndarray, float]:
    """Uncapacitated p-median as a sparse MILP solved by HiGHS (``scipy.optimize.milp``).

    min Σ w_i c_ij x_ij  s.t.  Σ_j x_ij = 1,  x_ij ≤ y_j,  Σ_j y_j = p,  y binary, x ≥ 0
    (``y_j = 1`` for predefined sites). The strong linking ``x_ij ≤ y_j`` keeps the LP
    relaxation tight; assignments come out integral at an integral ``y``.

    Parameters
    ----------
    cost
        (demand × sites) distances.
    weights
        Demand weights.
    p
        Sites to open.
    predefined
        Boolean mask of sites that must be open.
    time_limit
        Seconds (``None`` = no limit).

    Returns
    -------
    chosen : numpy.ndarray
        Boolean mask of open sites.
    assign : numpy.ndarray
        Site index of every demand point.
    objective : float
        Σ w·c of the assignment.
    """
    c = np.asarray(cost, dtype=float)
    w = np.asarray(weights, dtype=float)
    n, m = c.shape
    nx = n * m
    obj = np.r_[(w[:, None] * c).ravel(), np.zeros(m)]
    i_idx = np.repeat(np.arange(n), m)
    j_idx = np.tile(np.arange(m), n)
    a_assign = sparse.csr_array((np.ones(nx), (i_idx, np.arange(nx))), shape=(n, nx + m))
    a_link = sparse.csr_array((np.r_[np.ones(nx), -np.ones(nx)],
                               (np.r_[np.arange(nx), np.arange(nx)], np.r_[np.arange(nx), nx + j_idx])),
                              shape=(nx, nx + m))
    a_p = sparse.csr_array((np.ones(m), (np.zeros(m, dtype=np.int64), nx + np.arange(m))), shape=(1, nx + m))
    lb = np.zeros(nx + m)
    if predefined is not None:
        lb[nx:] = np.asarray(predefined, dtype=float)
    cons = [LinearConstraint(a_assign, 1, 1), LinearConstraint(a_link, -np.inf, 0), LinearConstraint(a_p, p, p)]
    integrality = np.r_[np.zeros(nx), np.ones(m)]
    opts = {"disp": False}
    if time_limit is not None:
        opts["time_limit"] = float(time_limit)
    res = milp(obj, constraints=cons, integrality=integrality, bounds=Bounds(lb, np.ones(nx + m)), options=opts)
    if res.x is None:
        raise JxeduError(f"p-中位求解失败 (solver_failed): {res.message}")
    chosen = res.x[nx:] > 0.5
    sub = np.where(chosen[None, :], c, np.inf)
    assign = sub.argmin(axis=1)
    return chosen, assign, float((w * c[np.arange(n), assign]).sum())


def closure_ranking(
    ds,
    *,
    stage: str = "primary",
    year: int | None = None,
    max_students: int = SMALL_SCHOOL_MAX,
    capacity: str = "classes",
    headroom: float = 1.0,
    method: str = "auto",
    labels: bool = False,
) -> pd.DataFrame:
    """Small schools ranked by the travel their closure would add (least first).

    Each school with fewer than ``max_students`` students of the stage is closed on its own; its
    children are re-assigned by the capacity-constrained LP of :func:`jxedu.scenarios.evaluate` (the
    next nearest school with a free place; chains of moves included).

    Parameters
    ----------
    ds
        The data set.
    stage
        ``"primary"`` or ``"junior"``.
    year
        School year (default latest).
    max_students
        Small-school line (students of the stage), default 100.
    capacity, headroom, method
        As :func:`jxedu.scenarios.evaluate`.
    labels
        Chinese headers.

    Returns
    -------
    pandas.DataFrame
        ``school_id, name, township, school_type, students, children`` (resident children assigned
        in the baseline), ``added_km`` (added child-kilometres per school day, one way),
        ``added_m_per_child`` (added metres per displaced child), ``added_beyond_walk`` (children newly
        beyond the walking limit), ``rank`` (1 = closure costs least travel).
    """
    ctx = sc._context(ds, year=year, method=method, settings=None)  # noqa: SLF001
    if stage not in ctx.stages:
        raise JxeduError(f"该学年没有此学段的学校 (no_schools): {LABELS.get(stage, stage)}")
    base = ctx.stages[stage]
    a0 = sc._baseline(ctx, stage, capacity, float(headroom))  # noqa: SLF001
    beyond0 = float(a0.x[a0.d > base.walk_m].sum())
    small = base.sch[base.sch["students"] < max_students]
    rows = []
    for sid in small["school_id"]:
        plan = sc._plan(ctx, sc.Scenario("x", edits=[sc.Edit("close", {"school": sid})]))  # noqa: SLF001
        r = sc._evaluate_stage(ctx, plan, stage, capacity=capacity, headroom=float(headroom))  # noqa: SLF001
        a1 = r["a1"]
        i = r["pos"][sid]
        kids = float(a0.x[a0.c == i].sum())
        added = a1.objective_m - a0.objective_m
        rows.append({"school_id": sid, "children": kids, "added_km": added / 1000.0,
                     "added_m_per_child": added / kids if kids > 0 else math.nan,
                     "added_beyond_walk": float(a1.x[a1.d > base.walk_m].sum()) - beyond0})
    out = small[["school_id", "name", "township", "school_type", "students"]].merge(pd.DataFrame(rows), on="school_id") \
        if rows else small[["school_id", "name", "township", "school_type", "students"]].assign(
            children=[], added_km=[], added_m_per_child=[], added_beyond_walk=[])
    out = out.sort_values(["added_km", "school_id"], kind="stable").reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    out["added_km"] = out["added_km"].round(1)
    out["added_m_per_child"] = out["added_m_per_child"].round(0)
    if labels:
        out = out.assign(school_type=out["school_type"].map(LABELS)).drop(columns=["school_id"]).rename(columns={
            "name": "学校", "township": "镇街", "school_type": "办学类型", "students": "在校生",
            "children": "划入学龄人口", "added_km": "增加的上学路程（人·公里/日）",
            "added_m_per_child": "每名分流学生增加距离（米）", "added_beyond_walk": "新增超出步行距离人数",
            "rank": "排序"})
    return out
