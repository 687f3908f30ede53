"""Suggested school sites (p-median, maximal coverage) and a ranking of small schools to close.

* :func:`suggest_sites` chooses ``p`` sites among the existing schools of a stage and candidate
  sites (given by the planner, or a regular grid inside the county or one 镇街): **p-median**
  (总出行距离最小 — minimise child-metres; capacitated when ``capacitated=True``, using the
  capacities of :func:`jxedu.planning.assignment.stage_capacity`) or **maximal coverage** (覆盖人数最多 —
  maximise the children within ``service_radius_m``, default the stage's walking limit; capacitated
  too). Schools the planner must keep are fixed open (``keep``; ``keep="existing"`` = all existing
  schools of the stage, so the model only places new sites).
* The models are written directly as sparse MILPs for HiGHS (``scipy.optimize.milp``) —
  :func:`pmedian_highs`, :func:`mclp_highs` — with a time limit and a relative MIP gap; the achieved
  gap is reported. spopt (``PMedian`` through PuLP) is the named baseline in ``bench/scenario.py``
  (``pip install -e .[bench]``).
* :func:`closure_ranking` ranks the small schools of a stage (fewer than ``max_students``; default
  ``settings.small_school_max_students``, the 乡村小规模学校 line of 100 students, 国办发〔2018〕27号)
  by the travel their closure would add: each school is closed on its own (a one-edit scenario,
  :func:`jxedu.planning.scenarios.resolve`) and its children re-assigned by the capacity-constrained
  LP (:func:`jxedu.planning.scenarios.reassign_stage`: the next nearest school with a free place).

Sparse p-median (:func:`pmedian_highs`)
---------------------------------------
Open ``y_j ∈ {0, 1}``; assignment ``x_ij ∈ [0, 1]`` only for the ``k`` nearest sites of each demand
point (plus its nearest site that must stay open); ``Σ_j x_ij + z_i = 1``; ``x_ij ≤ y_j``;
``Σ_i w_i x_ij ≤ cap_j y_j`` (capacitated); ``Σ_j y_j = p``; minimise
``Σ w_i d_ij x_ij + Σ w_i D_i z_i``. Where ``z_i`` is used, ``k`` grows fourfold for that demand
point and the model is solved again (at most :data:`MAX_ROUNDS` rounds).

* **Uncapacitated**: ``D_i`` is the distance to the nearest site outside the candidate set, and
  ``z_i`` needs no open site, so the restricted model is a *relaxation* of the full n × m model:
  when no ``z_i`` is used the answer is that of the full model, and the reported gap is a true gap.
* **Capacitated**: ``z_i`` is a child without a place, priced at :data:`UNSERVED_PENALTY` × the
  longest distance. The k-nearest restriction is then a heuristic (a child may only spill over to
  the k nearest sites). It is checked at run time: where some children land on a demand point's
  k-th site (the restriction binds — a farther site might have been better) or are left without a
  place, ``k`` grows fourfold for that point and the model is solved again, until it no longer
  binds or :data:`MAX_ROUNDS` rounds or the time limit are reached; then
  ``LocationSolution.k_binding`` (``summary["k_binding"]``) says so and the presentation warns
  that the plan may be worse than the full model's. The reported MIP gap is the one of the last
  restricted model.

The children are finally assigned to the chosen sites exactly (nearest open site; with capacities,
the transportation LP of :func:`jxedu.planning.assignment.assign` over all chosen sites), and the
objective is reported for that assignment.

Distances are those of the assignment context (:func:`jxedu.planning.assignment.context`): along
the roads when the data set has a road layer, else straight lines; demand is the 村居 school-age
population of the stage. Capacitated assignments may split a 村居 between schools. The results are
suggestions for planning: every site needs an on-site check (land, roads, safety, 学区 rules) before
it enters a plan. Frames have English keys and codes; :mod:`jxedu.present.scenarios` shows them.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from jxedu.core.config import UTM50N
from jxedu.core.errors import OptimizationError
from jxedu.core.schema import LABELS
from jxedu.core.settings import resolve_settings
from jxedu.planning import assignment as asg
from jxedu.planning import scenarios as sc

__all__ = ["EXCLUSIONS", "MODELS", "SITE_KINDS", "LocationSolution", "OptimizationError", "SiteSuggestion",
           "candidate_grid", "closure_ranking", "describe_sites", "mclp_highs", "pmedian_highs", "site_exclusions",
           "suggest_sites"]

# Planning assumptions read from the settings (:class:`jxedu.core.settings.Settings`): grid spacing of
# candidate sites (``candidate_grid_spacing_m``, 2000 m), small-school line (``small_school_max_students``,
# 100 students), classes of a new candidate site (``new_site_classes``, 36 小学 / 30 初中).
#: Candidate sites per demand point in the sparse p-median (nearest first; grown where needed).
K_NEAREST = 12  # sites
#: Solver time limit for one suggestion.
TIME_LIMIT_S = 60.0  # seconds
#: Relative MIP gap at which HiGHS stops (0.001 = the answer is within 0.1 % of the optimum).
MIP_GAP = 1e-3  # fraction
#: At most this many rounds of the sparse p-median (k grows fourfold where the relaxation needs it).
MAX_ROUNDS = 4  # rounds
#: Capacitated p-median: a child left without a place in the k-nearest model costs this many times the
#: longest distance (then k grows for that 村居).
UNSERVED_PENALTY = 1.5  # × longest distance
#: Location models of :func:`suggest_sites`.
MODELS: tuple[str, ...] = ("pmedian", "mclp")
#: Kinds of site (codes of ``SiteSuggestion.sites["kind"]``).
SITE_KINDS: tuple[str, ...] = ("existing", "candidate")


@dataclass
class LocationSolution:
    """Result of :func:`pmedian_highs` / :func:`mclp_highs`.

    Attributes
    ----------
    chosen
        Boolean mask of the open sites (m).
    flows
        (n × m) share of each demand point's weight assigned to each site (rows sum to 1): nearest
        open site, or the capacity-constrained transportation LP when capacities are given.
    objective
        p-median: Σ w·d of ``flows``; MCLP: weight covered within the radius.
    gap
        Relative gap between ``objective`` and the solver's bound (0 = proven optimal).
    status
        ``"optimal"`` (within the MIP gap) or ``"time_limit"``.
    k
        Largest number of candidate sites of one demand point in the last round (p-median).
    rounds
        MILPs solved (p-median: k grown where the relaxation sent demand beyond the k nearest).
    over
        Weight over capacity per site (capacitated, only when the time limit stopped the search).
    seconds
        Wall time.
    k_binding
        p-median: the k-nearest restriction still bound in the last round (children on a demand
        point's k-th site, or without a place) — the answer may be worse than the full model's.
    """

    chosen: np.ndarray
    flows: np.ndarray
    objective: float
    gap: float
    status: str
    k: int
    rounds: int
    over: np.ndarray
    seconds: float
    k_binding: bool = False

    @property
    def assign(self) -> np.ndarray:
        """Site index taking the largest share of each demand point."""
        return self.flows.argmax(axis=1)


@dataclass
class SiteSuggestion:
    """Result of :func:`suggest_sites`.

    Attributes
    ----------
    sites
        Chosen sites: ``site_id, name, kind`` (:data:`SITE_KINDS`), ``kept`` (must stay), ``lon, lat,
        x, y, capacity, township`` (a candidate's: of its nearest 村居), ``near_village, road_m``
        (candidates: :func:`describe_sites`), ``pupils`` (children assigned), ``assigned_mean_m``
        (their mean distance).
    objective
        Child-metres (p-median) or children covered (MCLP).
    summary
        Key figures: ``location_model`` (:data:`MODELS`), ``capacitated, stage, chosen_sites,
        kept_sites, existing_sites, new_sites, candidate_places`` (places of a candidate site; NaN
        without candidates), ``mean_distance_m, service_radius_m,
        within_radius_share`` (children with a chosen site within the radius, 0–1),
        ``placed_within_radius_share`` (capacitated MCLP: within the radius *and* with a place),
        ``over_capacity`` (capacitated, when any), ``mip_gap`` (0–1), ``solver_status``
        (``optimal``/``time_limit``), ``solve_seconds``; p-median also ``k_nearest`` (candidate sites
        per 村居 in the last round) and ``k_binding`` (the restriction still binds);
        ``candidate_clearance_m`` (setting) and ``road_layer`` (whether ``road_m`` could be measured).
    seconds
        Solver wall time.
    gap
        Achieved relative MIP gap (0 = proven optimal).
    status
        ``"optimal"`` or ``"time_limit"``.
    """

    sites: pd.DataFrame
    objective: float
    summary: dict
    seconds: float
    gap: float = 0.0
    status: str = "optimal"

    def new_sites(self) -> pd.DataFrame:
        """The chosen candidate sites (新址): ``site_id, name, township, near_village, road_m, lon, lat,
        pupils, assigned_mean_m``."""
        new = self.sites[self.sites["kind"] == "candidate"]
        return new[["site_id", "name", "township", "near_village", "road_m", "lon", "lat", "pupils",
                    "assigned_mean_m"]].reset_index(drop=True)


#: Why a candidate site cannot be used (codes of :func:`site_exclusions`).
EXCLUSIONS: tuple[str, ...] = ("outside", "on_school", "unbuildable")


def _area(ds, township: str | None):
    """The county (union of the 镇街 layer) or one 镇街 in UTM metres; without the layer the convex
    hull of the 村居."""
    import shapely

    if ds.townships is not None and len(ds.townships):
        tw = ds.townships if township is None else ds.townships[ds.townships["township"] == township]
        return shapely.union_all(tw.to_crs(UTM50N).geometry.make_valid().to_numpy())
    v = ds.villages if township is None else ds.villages[ds.villages["township"] == township]
    return shapely.convex_hull(shapely.multipoints(v[["x", "y"]].to_numpy(float)))


def site_exclusions(ds, x, y, *, settings=None) -> np.ndarray:
    """Why each candidate point cannot hold a new school (``""`` when it can).

    * ``"outside"`` — outside the county (the union of the 镇街 layer; not checked without it);
    * ``"on_school"`` — within ``settings.candidate_clearance_m`` (300 m) of an existing school;
    * ``"unbuildable"`` — inside a polygon of the optional 不可建设 layer.

    Parameters
    ----------
    ds
        The data set.
    x, y
        UTM 50N metres.
    settings
        Run settings (``candidate_clearance_m``).

    Returns
    -------
    numpy.ndarray
        One code of :data:`EXCLUSIONS` or ``""`` per point (the first that applies, in that order).
    """
    import shapely
    from scipy.spatial import cKDTree

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    out = np.full(len(x), "", dtype=object)
    if not len(x):
        return out
    pts = shapely.points(x, y)
    if ds.townships is not None and len(ds.townships):
        out[~shapely.contains(_area(ds, None), pts)] = "outside"
    clearance = float(resolve_settings(settings).candidate_clearance_m)
    sch = ds.schools[["x", "y"]].to_numpy(float)
    if len(sch) and clearance > 0:
        d, _ = cKDTree(sch).query(np.c_[x, y], k=1)
        out[(out == "") & (d < clearance)] = "on_school"
    if ds.unbuildable is not None and len(ds.unbuildable):
        zone = shapely.union_all(ds.unbuildable.to_crs(UTM50N).geometry.make_valid().to_numpy())
        out[(out == "") & shapely.intersects(zone, pts)] = "unbuildable"
    return out


def describe_sites(ds, x, y) -> pd.DataFrame:
    """Where candidate points are, in words a planner knows: nearest 村居, its 镇街, nearest road.

    Parameters
    ----------
    ds
        The data set (村居; 道路 when present).
    x, y
        UTM 50N metres.

    Returns
    -------
    pandas.DataFrame
        ``near_village`` (name of the nearest 村居), ``township`` (its 镇街), ``village_m`` (straight
        line to it), ``road_m`` (straight line to the nearest road of the 道路 layer; NaN without
        one), ``name`` (``<村居>附近``, numbered when two sites share a 村居: ``李铺村附近（2）``).
    """
    import shapely
    from scipy.spatial import cKDTree

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    v = ds.villages
    d, i = cKDTree(v[["x", "y"]].to_numpy(float)).query(np.c_[x, y], k=1)
    out = pd.DataFrame({"near_village": v["name"].to_numpy(dtype=object)[i],
                        "township": v["township"].to_numpy(dtype=object)[i], "village_m": d})
    out["road_m"] = np.nan
    if ds.roads is not None and len(ds.roads) and len(x):
        roads = ds.roads.to_crs(UTM50N).geometry.to_numpy()
        tree = shapely.STRtree(roads)
        (_, _j), dist = tree.query_nearest(shapely.points(x, y), return_distance=True, all_matches=False)
        out["road_m"] = dist
    seen: dict[str, int] = {}
    names = []
    for vil in out["near_village"]:
        seen[vil] = seen.get(vil, 0) + 1
        names.append(f"{vil}附近" + (f"（{seen[vil]}）" if seen[vil] > 1 else ""))
    out["name"] = names
    return out


def candidate_grid(ds, *, spacing_m: float | None = None, township: str | None = None,
                   settings=None) -> pd.DataFrame:
    """Regular grid of candidate sites inside the county (the 镇街 layer) or one 镇街, named.

    Points on an existing school, outside the county or in the 不可建设 layer are left out
    (:func:`site_exclusions`); each is named after its nearest 村居 (:func:`describe_sites`).

    Parameters
    ----------
    ds
        The data set.
    spacing_m
        Grid spacing in metres (None: ``settings.candidate_grid_spacing_m``, default 2000).
    township
        Only inside this 镇街.
    settings
        Run settings (default :func:`jxedu.core.settings.get_settings`).

    Returns
    -------
    pandas.DataFrame
        ``site_id`` (G001…), ``name`` (``<村居>附近``), ``near_village, township, village_m, road_m``,
        ``x, y`` (UTM metres), ``lon, lat`` (WGS-84).
    """
    import shapely

    s = resolve_settings(settings)
    spacing_m = float(s.candidate_grid_spacing_m if spacing_m is None else spacing_m)
    if spacing_m <= 0:
        raise OptimizationError(f"候选点网格间距应为正数 (bad_spacing): {spacing_m}")
    area = _area(ds, township)
    if area is None or area.is_empty:
        raise OptimizationError(f"无法生成候选点 (no_area)：{township or '全县'}没有边界或村居")
    minx, miny, maxx, maxy = area.bounds
    gx, gy = np.meshgrid(np.arange(minx + spacing_m / 2, maxx, spacing_m),
                         np.arange(miny + spacing_m / 2, maxy, spacing_m))
    inside = shapely.contains(area, shapely.points(gx.ravel(), gy.ravel()))
    gx, gy = gx.ravel()[inside], gy.ravel()[inside]
    ok = site_exclusions(ds, gx, gy, settings=s) == ""
    gx, gy = gx[ok], gy[ok]
    lon, lat = asg.lonlat(gx, gy)
    ids = [f"G{i + 1:03d}" for i in range(len(gx))]
    out = pd.DataFrame({"site_id": ids}).join(describe_sites(ds, gx, gy))
    return out.assign(x=gx, y=gy, lon=lon, lat=lat)


# --- the problem of a stage ----------------------------------------------------------------------


_EXCLUSION_WORDS = {"outside": "在县域外", "on_school": "在现有学校上（距离不足 candidate_clearance_m）",
                    "unbuildable": "在不可建设区域内"}


def _candidates(ds, candidates, *, spacing_m, township, settings) -> pd.DataFrame:
    """Candidate sites with ``site_id, name, x, y, lon, lat`` and where they are (grid, a planner's
    table, or none); a planner's site outside the county, on a school or unbuildable is an error."""
    if isinstance(candidates, str):
        if candidates != "grid":
            raise OptimizationError(f"未知的候选点 (unknown_candidates): {candidates}；可用：grid（网格）、表格或 None")
        return candidate_grid(ds, spacing_m=spacing_m, township=township, settings=settings)
    if candidates is None:
        return pd.DataFrame(columns=["site_id", "name", "x", "y", "lon", "lat"])
    cand = candidates.copy()
    if len(cand) and not {"x", "y"} <= set(cand.columns):
        cand["x"], cand["y"] = asg.utm_xy(cand["lon"].to_numpy(float), cand["lat"].to_numpy(float))
    if len(cand) and not {"lon", "lat"} <= set(cand.columns):
        cand["lon"], cand["lat"] = asg.lonlat(cand["x"].to_numpy(float), cand["y"].to_numpy(float))
    if not len(cand):
        return cand
    why = site_exclusions(ds, cand["x"], cand["y"], settings=settings)
    if (why != "").any():
        bad = "、".join(f"{sid}（{_EXCLUSION_WORDS[w]}）" for sid, w in zip(cand["site_id"], why, strict=True) if w)
        raise OptimizationError(f"候选点不能用于新建学校 (bad_site): {bad}")
    where = describe_sites(ds, cand["x"], cand["y"])
    if "name" in cand.columns:
        where = where.drop(columns="name")
    cand = cand.drop(columns=[c for c in where.columns if c in cand.columns]).reset_index(drop=True).join(where)
    return cand


def _site_table(inputs: asg.StageInputs, cand: pd.DataFrame, candidate_places: float) -> pd.DataFrame:
    """Existing schools of the stage (places: classes × cap), then the candidates."""
    sch = inputs.sch
    sites = pd.concat([
        pd.DataFrame({"site_id": sch["school_id"].astype(str), "name": sch["name"], "kind": "existing",
                      "x": sch["x"], "y": sch["y"], "lon": sch["lon"], "lat": sch["lat"],
                      "capacity": asg.stage_capacity(inputs, capacity="classes"), "near_village": None,
                      "township": sch["township"], "road_m": np.nan}),
        pd.DataFrame({"site_id": cand["site_id"].astype(str), "name": cand["name"], "kind": "candidate",
                      "x": cand["x"], "y": cand["y"], "lon": cand["lon"], "lat": cand["lat"],
                      "capacity": float(candidate_places),
                      **{c: cand[c] if c in cand.columns else np.nan
                         for c in ("near_village", "township", "road_m")}}),
    ], ignore_index=True)
    if sites["site_id"].duplicated().any():
        dup = sites.loc[sites["site_id"].duplicated(), "site_id"].tolist()
        raise OptimizationError(f"候选点编号与学校编号重复 (duplicate_site): {'、'.join(dup)}")
    return sites


def _problem(ds, *, stage, year, candidates, spacing_m, township, method, candidate_classes, settings):
    """The stage's inputs, the site table, the (villages with children × sites) cost and the weights."""
    ctx = asg.context(ds, year=year, method=method, settings=settings)
    if stage not in ctx.stages:
        raise OptimizationError(f"该学年没有此学段的学校 (no_schools): {LABELS.get(stage, stage)}")
    inputs = ctx.stages[stage]
    cand = _candidates(ds, candidates, spacing_m=spacing_m, township=township, settings=ctx.settings)
    n_classes = ctx.settings.new_site_classes[stage] if candidate_classes is None else candidate_classes
    sites = _site_table(inputs, cand, n_classes * inputs.cap)
    keep = inputs.vil["demand"].to_numpy() > 0
    vxy = inputs.vxy[keep]
    cost_new = ctx.distances_from(cand[["x", "y"]].to_numpy(float), vxy) if len(cand) else np.zeros((len(vxy), 0))
    cost = np.hstack([inputs.school_distances()[keep], cost_new])
    return inputs, sites, cost, inputs.vil["demand"].to_numpy(float)[keep]


def _kept(sites: pd.DataFrame, keep) -> np.ndarray:
    """Mask of the sites that must stay open."""
    ids = sites["site_id"].astype(str).tolist()
    if isinstance(keep, str):
        if keep != "existing":
            raise OptimizationError(f"keep 应为学校标识码列表或 \"existing\"（全部现有学校） (bad_keep): {keep}")
        keep = tuple(sites.loc[sites["kind"] == "existing", "site_id"])
    unknown = [s for s in keep if str(s) not in ids]
    if unknown:
        raise OptimizationError(f"必须保留的学校不在该学段学校中 (unknown_school): {'、'.join(map(str, unknown))}")
    return np.isin(np.array(ids, dtype=object), [str(s) for s in keep])


def suggest_sites(
    ds,
    *,
    stage: str = "primary",
    p: int | None = None,
    new_sites: int | None = None,
    model: str = "pmedian",
    candidates: pd.DataFrame | str | None = "grid",
    spacing_m: float | None = None,
    township: str | None = None,
    keep: tuple[str, ...] | list[str] | str = (),
    capacitated: bool = False,
    candidate_classes: int | None = None,
    service_radius_m: float | None = None,
    k: int = K_NEAREST,
    time_limit: float = TIME_LIMIT_S,
    mip_gap: float = MIP_GAP,
    year: int | None = None,
    method: str = "auto",
    settings=None,
) -> SiteSuggestion:
    """Choose ``p`` school sites for a stage (p-median or maximal coverage, sparse MILP for HiGHS).

    Parameters
    ----------
    ds
        The data set.
    stage
        ``"primary"`` or ``"junior"``.
    p
        Number of sites open in total (kept schools included).
    new_sites
        Instead of ``p``: the number of sites besides the kept ones (``p`` = kept + ``new_sites``;
        with ``keep="existing"`` the number of new sites placed).
    model
        ``"pmedian"`` (总出行距离最小: minimise child-metres) or ``"mclp"`` (覆盖人数最多: maximise
        children within ``service_radius_m``).
    candidates
        Extra sites: a frame with ``site_id``, optional ``name``, and ``lon, lat`` (WGS-84) or
        ``x, y`` (UTM); ``"grid"`` (default) for :func:`candidate_grid`; ``None`` for the existing
        schools only.
    spacing_m, township
        Grid options (``spacing_m`` None: ``settings.candidate_grid_spacing_m``).
    keep
        School ids that must stay open, or ``"existing"`` for all existing schools of the stage
        (then ``p`` − their number new sites are placed).
    capacitated
        Honour capacities: existing schools classes × cap (:func:`jxedu.planning.assignment.stage_capacity`),
        candidates ``candidate_classes`` × cap. p-median: every child needs a place; MCLP: a child
        counts as covered only with a place at a site within the radius.
    candidate_classes
        Classes of a new site; None: ``settings.new_site_classes`` of the stage (36 小学, 30 初中).
    service_radius_m
        MCLP radius; default the stage's walking limit.
    k
        p-median: candidate sites per 村居 (nearest first; see :func:`pmedian_highs`).
    time_limit
        Solver time limit, seconds.
    mip_gap
        Relative MIP gap at which the solver stops.
    year, method
        As :func:`jxedu.planning.scenarios.evaluate`.
    settings
        Run settings (default :func:`jxedu.core.settings.get_settings`): walking limits, grid spacing,
        classes of a new site.

    Returns
    -------
    SiteSuggestion

    Raises
    ------
    OptimizationError
        Unknown model or school, invalid ``p``, capacities too small for the children, or no
        solution within the time limit.
    """
    if model not in MODELS:
        raise OptimizationError(f"未知的选址模型 (unknown_model): {model}；可用：pmedian（p-中位）、mclp（最大覆盖）")
    inputs, sites, cost, w = _problem(ds, stage=stage, year=year, candidates=candidates, spacing_m=spacing_m,
                                      township=township, method=method, candidate_classes=candidate_classes,
                                      settings=settings)
    pre = _kept(sites, keep)
    if (p is None) == (new_sites is None):
        raise OptimizationError(f"请给出 p（选址总数）或 new_sites（保留学校之外的选址数）之一 (bad_p): p = {p}，"
                                f"new_sites = {new_sites}")
    if p is None:
        p = int(pre.sum()) + _check_count(new_sites)
    cap = sites["capacity"].to_numpy(float) if capacitated else None
    places = float(sites.loc[sites["kind"] == "candidate", "capacity"].max()) if (sites["kind"] == "candidate").any() \
        else float("nan")
    radius = float(service_radius_m) if service_radius_m is not None else float(inputs.walk_m)
    if model == "pmedian":
        sol = pmedian_highs(cost, w, p, predefined=pre, capacity=cap, k=k, time_limit=time_limit, mip_gap=mip_gap)
    else:
        sol = mclp_highs(cost, w, p, radius=radius, predefined=pre, capacity=cap, time_limit=time_limit,
                         mip_gap=mip_gap)
    out = _suggestion(sites, sol, cost, w, pre, radius=radius, model=model, capacitated=capacitated, stage=stage,
                      candidate_places=places)
    out.summary |= {"candidate_clearance_m": float(resolve_settings(settings).candidate_clearance_m),
                    "road_layer": ds.roads is not None and len(ds.roads) > 0}
    return out


def _suggestion(sites, sol: LocationSolution, cost, w, pre, *, radius, model, capacitated, stage,
                candidate_places) -> SiteSuggestion:
    chosen = sol.chosen
    out = sites[chosen].copy()
    out["kept"] = pre[chosen]
    sub = cost[:, chosen]
    placed = sol.flows[:, chosen] * w[:, None]
    pupils = placed.sum(axis=0)
    out["pupils"] = np.round(pupils).astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        out["assigned_mean_m"] = (placed * sub).sum(axis=0) / pupils
    summary = {
        "location_model": model,
        "capacitated": bool(capacitated),
        "stage": stage,
        "chosen_sites": int(chosen.sum()),
        "kept_sites": int(pre[chosen].sum()),
        "existing_sites": int((out["kind"] == "existing").sum()),
        "new_sites": int((out["kind"] == "candidate").sum()),
        "candidate_places": candidate_places,
        "mean_distance_m": float((placed * sub).sum() / w.sum()),
        "service_radius_m": float(radius),
        "within_radius_share": float(w[(sub.min(axis=1) <= radius)].sum() / w.sum()),
    }
    if model == "mclp" and capacitated:
        summary["placed_within_radius_share"] = float(sol.objective / w.sum())
    if capacitated and sol.over.sum() > 0:
        summary["over_capacity"] = int(round(sol.over.sum()))
    summary |= {"mip_gap": float(sol.gap), "solver_status": sol.status, "solve_seconds": float(sol.seconds)}
    if model == "pmedian":
        summary |= {"k_nearest": int(sol.k), "k_binding": bool(sol.k_binding)}
    return SiteSuggestion(out.reset_index(drop=True), sol.objective, summary, sol.seconds, sol.gap, sol.status)


# --- the sparse MILPs ----------------------------------------------------------------------------


def _check_count(n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise OptimizationError(f"新址数量应为非负整数 (bad_p): new_sites = {n}")
    return int(n)


def _check_p(p, pre: np.ndarray, m: int) -> int:
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or not max(int(pre.sum()), 1) <= p <= m:
        raise OptimizationError(f"选址数量无效 (bad_p): p = {p}；应为 {max(int(pre.sum()), 1)} 到 {m} 之间的整数"
                                "（不少于必须保留的学校数）")
    return int(p)


def _check_capacity(cap: np.ndarray, w: np.ndarray, p: int, pre: np.ndarray) -> None:
    """The p sites with the most places (kept ones included) must hold every child."""
    if cap.shape != pre.shape or (cap < 0).any() or not np.isfinite(cap).all():
        raise OptimizationError("学位容量无效 (bad_capacity)：每个选址需要一个非负的容量")
    best = cap[pre].sum() + np.sort(cap[~pre])[::-1][: p - int(pre.sum())].sum()
    if best + 1e-9 < w.sum():
        raise OptimizationError(
            f"学位容量不足以容纳全部学生 (insufficient_capacity)：{p} 个选址最多提供 {best:.0f} 个学位，"
            f"学生 {w.sum():.0f} 人。请增加选址数 p、提高新址的班级数，或改用不考虑容量的模型")


def _solve(obj, a, lo, hi, lb, integrality, deadline, mip_gap):
    """One MILP for HiGHS (variables in [lb, 1]); a named error when it has no answer."""
    opts = {"disp": False, "mip_rel_gap": float(mip_gap), "time_limit": max(deadline - time.perf_counter(), 0.5)}
    res = milp(obj, constraints=[LinearConstraint(a, lo, hi)], integrality=integrality,
               bounds=Bounds(lb, np.ones(len(lb))), options=opts)
    if res.status == 2:
        raise OptimizationError("选址模型无可行解 (infeasible)：请检查选址数 p、容量和必须保留的学校")
    if res.x is None:
        raise OptimizationError(f"在时间上限内没有找到可行的选址方案 (no_solution): {res.message}；请放宽时间上限"
                                "（time_limit）或减少候选点")
    return res


def _final_flows(c, w, chosen, cap):
    """Exact assignment to the chosen sites: nearest one, or the capacity LP of :func:`jxedu.planning.assignment.assign`."""
    n, m = c.shape
    flows = np.zeros((n, m))
    over = np.zeros(m)
    idx = np.flatnonzero(chosen)
    if cap is None:
        flows[np.arange(n), idx[c[:, idx].argmin(axis=1)]] = 1.0
    else:
        f, ov = asg.assign(w, c[:, idx], cap[idx])
        pos = w > 0
        flows[np.ix_(pos, idx)] = f[pos] / w[pos, None]
        zero = np.flatnonzero(~pos)  # weightless points: nearest chosen site
        flows[zero, idx[c[np.ix_(zero, idx)].argmin(axis=1)]] = 1.0
        over[idx] = ov
    return flows, over


def _members(c: np.ndarray, rank: np.ndarray, k_row: np.ndarray, pre: np.ndarray) -> np.ndarray:
    """(n × m) the sites of each demand point in this round: its k nearest and its nearest kept one."""
    n = c.shape[0]
    member = rank < k_row[:, None]
    if pre.any():  # the nearest kept site of every demand point: an open site always in reach
        kp = np.flatnonzero(pre)
        member[np.arange(n), kp[c[:, kp].argmin(axis=1)]] = True
    return member


@dataclass
class _Milp:
    """One round's sparse p-median: objective, constraint matrix and bounds, and where ``z`` lives."""

    obj: np.ndarray
    a: sparse.csr_array
    lo: np.ndarray
    hi: np.ndarray
    lb: np.ndarray
    integrality: np.ndarray
    zr: np.ndarray  # demand points with an escape variable z
    zs: np.ndarray  # column of each z
    xr: np.ndarray  # demand point of each assignment variable x
    xc: np.ndarray  # site of each x


def _pmedian_model(c, w, p: int, pre, cap, member, scale: float) -> _Milp:
    """Variables y (m sites) | x (member pairs) | z (escape of each demand point); rows: assignment
    (= 1) | links x − y ≤ 0 where y is free | Σ y = p | capacity (capacitated)."""
    n, m = c.shape
    rows, cols = np.nonzero(member)
    beyond = np.where(member, np.inf, c).min(axis=1)
    if cap is not None:  # capacitated: z_i = children left without a place, at a penalty
        beyond = np.where(np.isfinite(beyond), UNSERVED_PENALTY * max(float(c.max()), 1.0), np.inf)
    zr = np.flatnonzero(np.isfinite(beyond))
    n_x, n_z = len(rows), len(zr)
    nv = m + n_x + n_z
    xs, zs = m + np.arange(n_x), m + n_x + np.arange(n_z)
    lk = np.flatnonzero(~pre[cols])  # a kept site is open anyway: no link row
    n_l = len(lk)
    parts = [
        (np.ones(n_x), rows, xs), (np.ones(n_z), zr, zs),
        (np.ones(n_l), n + np.arange(n_l), xs[lk]), (-np.ones(n_l), n + np.arange(n_l), cols[lk]),
        (np.ones(m), np.full(m, n + n_l), np.arange(m)),
    ]
    lo, hi = [np.ones(n), np.full(n_l, -np.inf), [p]], [np.ones(n), np.zeros(n_l), [p]]
    n_rows = n + n_l + 1
    if cap is not None:
        parts += [(w[rows], n_rows + cols, xs), (-cap, n_rows + np.arange(m), np.arange(m))]
        lo.append(np.full(m, -np.inf))
        hi.append(np.zeros(m))
        n_rows += m
    data, ri, ci = (np.concatenate(t) for t in zip(*parts, strict=True))
    return _Milp(
        obj=np.r_[np.zeros(m), w[rows] * c[rows, cols], w[zr] * beyond[zr]] / scale,
        a=sparse.csr_array((data, (ri, ci)), shape=(n_rows, nv)),
        lo=np.concatenate(lo), hi=np.concatenate(hi),
        lb=np.r_[pre.astype(float), np.zeros(n_x + n_z)],
        integrality=np.r_[np.ones(m), np.zeros(n_x + n_z)], zr=zr, zs=zs, xr=rows, xc=cols,
    )


def _nearest_rank(c: np.ndarray) -> np.ndarray:
    """Rank of each site among the sites of each demand point (0 = nearest)."""
    n, m = c.shape
    order = np.argsort(c, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(m), (n, m)), axis=1)
    return rank


def pmedian_highs(
    cost,
    weights,
    p: int,
    *,
    predefined=None,
    capacity=None,
    k: int | None = K_NEAREST,
    time_limit: float = TIME_LIMIT_S,
    mip_gap: float = MIP_GAP,
) -> LocationSolution:
    """p-median (optionally capacitated) as a sparse MILP solved by HiGHS (``scipy.optimize.milp``).

    Only the ``k`` nearest sites of each demand point (plus its nearest predefined one) get an
    assignment variable; ``k`` grows where that is not enough (see the module docstring: exact for
    the uncapacitated model, a heuristic restriction for the capacitated one). With ``k=None`` the
    full n × m model is solved at once.

    Parameters
    ----------
    cost
        (n demand points × m sites) distances.
    weights
        Demand weights (n), > 0.
    p
        Sites to open (predefined ones included).
    predefined
        Boolean mask of sites that must be open.
    capacity
        Places per site (m); ``None`` = uncapacitated. Assignments may split a demand point.
    k
        Candidate sites per demand point (first round).
    time_limit
        Seconds for all rounds together.
    mip_gap
        Relative MIP gap at which HiGHS stops.

    Returns
    -------
    LocationSolution

    Raises
    ------
    OptimizationError
        Invalid ``p``, capacities that cannot hold the demand, or no solution in time.
    """
    t0 = time.perf_counter()
    deadline = t0 + float(time_limit)
    c = np.asarray(cost, dtype=float)
    w = np.asarray(weights, dtype=float)
    n, m = c.shape
    pre = np.zeros(m, bool) if predefined is None else np.asarray(predefined, dtype=bool)
    p = _check_p(p, pre, m)
    cap = None if capacity is None else np.asarray(capacity, dtype=float)
    if cap is not None:
        _check_capacity(cap, w, p, pre)
    rank = _nearest_rank(c)
    k_row = np.full(n, m if k is None else min(max(int(k), 1), m))
    scale = max(float(w.sum()), 1e-9)  # objective in mean metres per child: well scaled for HiGHS
    rounds = 0
    while True:
        rounds += 1
        model = _pmedian_model(c, w, p, pre, cap, _members(c, rank, k_row, pre), scale)
        res = _solve(model.obj, model.a, model.lo, model.hi, model.lb, model.integrality, deadline, mip_gap)
        grow = _binding_rows(model, res.x, rank, k_row, m, capacitated=cap is not None)
        if not len(grow) or rounds >= MAX_ROUNDS or time.perf_counter() >= deadline:
            break
        k_row[grow] = np.minimum(4 * k_row[grow], m)
    chosen = res.x[:m] > 0.5
    flows, over = _final_flows(c, w, chosen, cap)
    objective = float((flows * w[:, None] * c).sum())
    bound = scale * (res.mip_dual_bound if res.mip_dual_bound is not None else res.fun)
    gap = max(objective - bound, 0.0) / objective if objective > 0 else 0.0
    status = "optimal" if res.status == 0 and gap <= mip_gap + 1e-9 else "time_limit"
    return LocationSolution(chosen, flows, objective, gap, status, int(k_row.max()), rounds, over,
                            time.perf_counter() - t0, k_binding=bool(len(grow)))


def _binding_rows(model: _Milp, x: np.ndarray, rank: np.ndarray, k_row: np.ndarray, m: int, *,
                  capacitated: bool) -> np.ndarray:
    """Demand points whose k-nearest restriction binds in a round's answer: their escape ``z`` is
    used, or (capacitated) some of their weight lands on their k-th site while farther sites exist."""
    rows = model.zr[x[model.zs] > 1e-6]
    if capacitated:
        xs = x[m: m + len(model.xr)]
        r, c = model.xr, model.xc
        at_k = (xs > 1e-6) & (rank[r, c] == k_row[r] - 1) & (k_row[r] < m)
        rows = np.union1d(rows, r[at_k])
    return rows[k_row[rows] < m] if len(rows) else rows


def _mclp_model(c, w, p: int, radius: float, cap):
    """Coverage sets C_i = {j : c_ij ≤ radius}. Uncapacitated: y | z (covered), z_i ≤ Σ_{j∈C_i} y_j.
    Capacitated: y | x (placed), Σ_j x_ij ≤ 1, x_ij ≤ y_j, Σ_i w_i x_ij ≤ cap_j y_j. Both Σ y = p."""
    n, m = c.shape
    rows, cols = np.nonzero(c <= float(radius))
    if cap is None:
        ur = np.unique(rows)
        zpos = np.full(n, -1)
        zpos[ur] = np.arange(len(ur))
        nz = len(ur)
        data = np.r_[np.ones(nz), -np.ones(len(rows)), np.ones(m)]
        ri = np.r_[np.arange(nz), zpos[rows], np.full(m, nz)]
        ci = np.r_[m + np.arange(nz), cols, np.arange(m)]
        a = sparse.csr_array((data, (ri, ci)), shape=(nz + 1, m + nz))
        return np.r_[np.zeros(m), -w[ur]], a, np.r_[np.full(nz, -np.inf), p], np.r_[np.zeros(nz), p]
    nx = len(rows)
    xs = m + np.arange(nx)
    data = np.r_[np.ones(nx), np.ones(nx), -np.ones(nx), np.ones(m), w[rows], -cap]
    ri = np.r_[rows, n + np.arange(nx), n + np.arange(nx), np.full(m, n + nx), n + nx + 1 + cols,
               n + nx + 1 + np.arange(m)]
    ci = np.r_[xs, xs, cols, np.arange(m), xs, np.arange(m)]
    a = sparse.csr_array((data, (ri, ci)), shape=(n + nx + 1 + m, m + nx))
    lo = np.r_[np.full(n, -np.inf), np.full(nx, -np.inf), p, np.full(m, -np.inf)]
    hi = np.r_[np.ones(n), np.zeros(nx), p, np.zeros(m)]
    return np.r_[np.zeros(m), -w[rows]], a, lo, hi


def mclp_highs(
    cost,
    weights,
    p: int,
    *,
    radius: float,
    predefined=None,
    capacity=None,
    time_limit: float = TIME_LIMIT_S,
    mip_gap: float = MIP_GAP,
) -> LocationSolution:
    """Maximal covering location (optionally capacitated) as a sparse MILP solved by HiGHS.

    Coverage sets ``C_i = {j : cost_ij ≤ radius}`` (sparse). Uncapacitated: ``z_i ≤ Σ_{j∈C_i} y_j``,
    maximise ``Σ w_i z_i``. Capacitated: ``x_ij ∈ [0, 1]`` for ``j ∈ C_i``, ``Σ_j x_ij ≤ 1``,
    ``x_ij ≤ y_j``, ``Σ_i w_i x_ij ≤ cap_j y_j``, maximise ``Σ w_i x_ij`` (covered *with a place*).
    ``Σ y = p``; predefined sites open.

    Parameters
    ----------
    cost
        (n × m) distances.
    weights
        Demand weights (n).
    p
        Sites to open.
    radius
        Coverage radius, same unit as ``cost``.
    predefined
        Boolean mask of sites that must be open.
    capacity
        Places per site; ``None`` = uncapacitated.
    time_limit
        Seconds.
    mip_gap
        Relative MIP gap at which HiGHS stops.

    Returns
    -------
    LocationSolution
        ``objective`` = weight covered; ``flows`` = every demand point assigned to the nearest
        chosen site (with capacities: the capacity LP of :func:`jxedu.planning.assignment.assign`).
    """
    t0 = time.perf_counter()
    c = np.asarray(cost, dtype=float)
    w = np.asarray(weights, dtype=float)
    m = c.shape[1]
    pre = np.zeros(m, bool) if predefined is None else np.asarray(predefined, dtype=bool)
    p = _check_p(p, pre, m)
    cap = None if capacity is None else np.asarray(capacity, dtype=float)
    obj, a, lo, hi = _mclp_model(c, w, p, radius, cap)
    nv = a.shape[1]
    res = _solve(obj, a, lo, hi, np.r_[pre.astype(float), np.zeros(nv - m)], np.r_[np.ones(m), np.zeros(nv - m)],
                 t0 + float(time_limit), mip_gap)
    chosen = res.x[:m] > 0.5
    objective = float(w[(c[:, chosen] <= float(radius)).any(axis=1)].sum()) if cap is None else float(-res.fun)
    flows, over = _final_flows(c, w, chosen, cap)
    bound = -res.mip_dual_bound if res.mip_dual_bound is not None else objective
    gap = max(bound - objective, 0.0) / objective if objective > 0 else 0.0
    status = "optimal" if res.status == 0 else "time_limit"
    return LocationSolution(chosen, flows, objective, gap, status, m, 1, over, time.perf_counter() - t0)


# --- closure ranking -----------------------------------------------------------------------------


def closure_ranking(
    ds,
    *,
    stage: str = "primary",
    year: int | None = None,
    max_students: int | None = None,
    capacity: str = "classes",
    headroom: float = 1.0,
    method: str = "auto",
    settings=None,
) -> pd.DataFrame:
    """Small schools ranked by the travel their closure would add (least first).

    Each school with fewer than ``max_students`` students of the stage is closed on its own; its
    children are re-assigned by the capacity-constrained LP (the next nearest school with a free
    place; chains of moves included) exactly as :func:`jxedu.planning.scenarios.evaluate` does.

    Parameters
    ----------
    ds
        The data set.
    stage
        ``"primary"`` or ``"junior"``.
    year
        School year (default latest).
    max_students
        Small-school line (students of the stage); None: ``settings.small_school_max_students``
        (default 100).
    capacity, headroom, method
        As :func:`jxedu.planning.scenarios.evaluate`.
    settings
        Run settings (default :func:`jxedu.core.settings.get_settings`).

    Returns
    -------
    pandas.DataFrame
        ``school_id, name, township, school_type, students, children`` (resident children assigned
        in the baseline), ``added_km`` (added child-kilometres per school day, one way),
        ``added_m_per_child`` (added metres per displaced child), ``added_beyond_walk`` (children newly
        beyond the walking limit), ``rank`` (1 = closure costs least travel). Unrounded.
        ``attrs``: ``stage``, ``max_students`` (the small-school line used) and ``method`` (distances
        along roads, ``network``, or straight lines, ``straight``).
    """
    ctx = asg.context(ds, year=year, method=method, settings=settings)
    if max_students is None:
        max_students = ctx.settings.small_school_max_students
    if stage not in ctx.stages:
        raise OptimizationError(f"该学年没有此学段的学校 (no_schools): {LABELS.get(stage, stage)}")
    inputs = ctx.stages[stage]
    a0 = asg.baseline_assignment(ctx, stage, capacity=capacity, headroom=float(headroom))
    beyond0 = float(a0.x[a0.d > inputs.walk_m].sum())
    cols = ["school_id", "name", "township", "school_type", "students"]
    small = inputs.sch.loc[inputs.sch["students"] < max_students, cols]
    rows = []
    for sid in small["school_id"]:
        plan = sc.resolve(ctx, sc.Scenario(edits=[sc.Edit("close", {"school": sid})]))
        a1 = sc.reassign_stage(ctx, plan, stage, capacity=capacity, headroom=float(headroom)).a1
        kids = float(a0.x[a0.c == int(np.flatnonzero(inputs.sch["school_id"] == sid)[0])].sum())
        added = a1.objective_m - a0.objective_m
        rows.append({"school_id": sid, "children": kids, "added_km": added / 1000.0,
                     "added_m_per_child": added / kids if kids > 0 else math.nan,
                     "added_beyond_walk": float(a1.x[a1.d > inputs.walk_m].sum()) - beyond0})
    extra = pd.DataFrame(rows, columns=["school_id", "children", "added_km", "added_m_per_child", "added_beyond_walk"])
    out = small.merge(extra, on="school_id", how="inner")
    out = out.sort_values(["added_km", "school_id"], kind="stable").reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    out.attrs.update(stage=stage, max_students=int(max_students), method=ctx.method)
    return out
