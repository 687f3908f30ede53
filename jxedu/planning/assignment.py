"""Children assigned to schools with places: the capacity-constrained transportation LP and its inputs.

Shared by :mod:`jxedu.planning.scenarios` (re-assignment after the edits of a scenario) and
:mod:`jxedu.planning.optimize` (site suggestions, closure ranking).

* :func:`assign` solves the LP on explicit arrays; :func:`assign_stage` on the candidate pairs of
  one stage (each 村居's :data:`CANDIDATES_K` nearest open schools plus the flows an edit fixes).
* :func:`context` gathers, once per data set, school year, distance method and settings, what the
  assignment works on (:class:`Context`): the assessment (:func:`jxedu.assess`), per stage the
  village demand, the schools with their classes, road distances and grade shares
  (:class:`StageInputs`), and the bus stops and the schools their morning trips reach.
* :func:`baseline_assignment` is the assignment without edits (kept in the context).

The LP
------
Demand is assigned to the open schools of the stage by a transportation LP solved by HiGHS
(``scipy.optimize.linprog(method="highs-ds")``; the dual simplex returns a vertex, so with
whole-number demand and capacity every flow is a whole number of children). Cost = distance (along
the roads when the data set has a road layer and ``method="auto"``, else straight line) per child.
A school may take more than its capacity only at a penalty of :data:`OVERFLOW_PENALTY_M` metres per
child, so children are never lost: when no candidate has a free place, the nearest one is
over-filled and the overflow is reported. The assignment is county-wide (a child may be assigned
across a 镇街 boundary). With a ``prefer``-red assignment (the baseline), a pair outside it costs
``settings.stay_preference_m`` metres more: the LP has many equally good answers, and without this
tie-break a small edit could reshuffle children county-wide for no gain.

Capacity of an existing school-stage (:func:`stage_capacity`): ``"classes"`` = classes held × the
class-size cap (``class_size_max`` of the standards table: 45 小学, 50 初中); ``"enrolment"`` =
current students; either times ``headroom``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from jxedu.analysis import access, bus
from jxedu.analysis.assessment import Assessment, assess
from jxedu.core import standards as std
from jxedu.core.config import UTM50N, WGS84
from jxedu.core.errors import DataError, ScenarioError
from jxedu.core.schema import COMPULSORY_STAGES, GRADES_OF_STAGE, LABELS
from jxedu.core.settings import Settings, resolve_settings

__all__ = [
    "CANDIDATES_K",
    "CAPACITY_MODES",
    "METHODS",
    "NETWORK_MAX_CELLS",
    "OVERFLOW_PENALTY_M",
    "Assignment",
    "Context",
    "StageInputs",
    "assign",
    "assign_stage",
    "baseline_assignment",
    "baseline_summary",
    "context",
    "lonlat",
    "pair_known",
    "points_within",
    "road_distances",
    "solve_pairs",
    "stage_capacity",
    "utm_xy",
]

#: Stages the assignment handles (compulsory education).
STAGES: tuple[str, ...] = COMPULSORY_STAGES
#: Candidate schools per 村居 in the assignment LP (nearest open schools by straight line).
CANDIDATES_K = 10  # schools
#: Cost of one child over a school's capacity, in metres of travel: large, so that a school is
#: over-filled only when no candidate school has a free place.
OVERFLOW_PENALTY_M = 1_000_000.0  # metres per child
#: Network distances are used with ``method="auto"`` while schools × road nodes stays below this.
NETWORK_MAX_CELLS = 50_000_000  # matrix cells
#: Distance methods: roads when present (``auto``), roads required (``network``), straight lines.
METHODS: tuple[str, ...] = ("auto", "network", "straight")
#: Capacity rules of existing schools (see :func:`stage_capacity`).
CAPACITY_MODES: tuple[str, ...] = ("classes", "enrolment")


# --- geometry helpers ----------------------------------------------------------------------------


def utm_xy(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 degrees to UTM 50N metres (the distance system of every analysis).

    Parameters
    ----------
    lon, lat
        Degrees (scalars or arrays).

    Returns
    -------
    tuple of numpy.ndarray
        ``(x, y)`` in metres, float arrays of the input's shape.
    """
    x, y = Transformer.from_crs(WGS84, UTM50N, always_xy=True).transform(
        np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def lonlat(x, y) -> tuple[np.ndarray, np.ndarray]:
    """UTM 50N metres to WGS-84 degrees (the inverse of :func:`utm_xy`)."""
    lon, lat = Transformer.from_crs(UTM50N, WGS84, always_xy=True).transform(
        np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def points_within(a_xy: np.ndarray, b_xy: np.ndarray, radius_m: float) -> sparse.csr_array:
    """Sparse (a × b) indicator of the pairs within ``radius_m`` metres (straight line;
    :func:`jxedu.analysis.access.pairs_within`)."""
    rows, cols, _d = access.pairs_within(a_xy, b_xy, radius_m)
    return sparse.csr_array((np.ones(len(rows)), (rows, cols)), shape=(len(a_xy), len(b_xy)))


def pair_known(r_known, c_known, r, c, n_cols: int) -> np.ndarray:
    """Whether each pair ``(r[i], c[i])`` is among the pairs ``(r_known, c_known)`` (integer keys)."""
    known = np.asarray(r_known, dtype=np.int64) * n_cols + np.asarray(c_known, dtype=np.int64)
    return np.isin(np.asarray(r, dtype=np.int64) * n_cols + np.asarray(c, dtype=np.int64), known)


def road_distances(graph: access.RoadGraph, origins_xy: np.ndarray, schools_xy: np.ndarray) -> np.ndarray:
    """(origins × schools) distances along the roads in metres, both snap distances added.

    One Dijkstra run per distinct road node of the schools; where the roads do not connect an
    origin with a school, the straight line.

    Parameters
    ----------
    graph
        :func:`jxedu.analysis.access.road_graph`.
    origins_xy, schools_xy
        UTM 50N metres, ``(n, 2)`` and ``(m, 2)``.

    Returns
    -------
    numpy.ndarray
        ``(n, m)`` metres.
    """
    s_node, s_snap = graph.snap(schools_xy)
    v_node, v_snap = graph.snap(origins_xy)
    uniq, inv = np.unique(s_node, return_inverse=True)
    rows = csgraph.dijkstra(graph.matrix, directed=False, indices=uniq)  # (unique nodes × nodes)
    d = rows[inv][:, v_node].T + s_snap[None, :] + v_snap[:, None]
    straight = _straight(origins_xy, schools_xy)
    bad = ~np.isfinite(d)
    d[bad] = straight[bad]
    return d


def _straight(a_xy: np.ndarray, b_xy: np.ndarray) -> np.ndarray:
    return np.hypot(a_xy[:, None, 0] - b_xy[None, :, 0], a_xy[:, None, 1] - b_xy[None, :, 1])


# --- the LP ----------------------------------------------------------------------------------------


@dataclass
class Assignment:
    """Children of one stage assigned to schools.

    Attributes
    ----------
    flows
        Sparse (villages × schools) children.
    over
        Children over capacity per school.
    r, c, x, d
        Village row, school column, children and metres of each flow (the non-zero pairs).
    objective_m
        Child-metres (without the overflow penalty).
    """

    flows: sparse.csr_array
    over: np.ndarray
    r: np.ndarray
    c: np.ndarray
    x: np.ndarray
    d: np.ndarray
    objective_m: float

    def load(self, n_schools: int) -> np.ndarray:
        """Children assigned to each school."""
        return np.bincount(self.c, weights=self.x, minlength=n_schools)

    def main_school(self, n_villages: int) -> np.ndarray:
        """Per village the school column taking most of its children (-1 without children)."""
        out = np.full(n_villages, -1)
        best = np.zeros(n_villages)
        for r, c, x in zip(self.r, self.c, self.x, strict=True):
            if x > best[r]:
                best[r], out[r] = x, c
        return out

    def mean_distance(self, n_villages: int) -> np.ndarray:
        """Per village the child-weighted mean distance in metres (NaN without children)."""
        w = np.bincount(self.r, weights=self.x, minlength=n_villages)
        s = np.bincount(self.r, weights=self.x * self.d, minlength=n_villages)
        return np.divide(s, w, out=np.full(n_villages, np.nan), where=w > 0)


def assign(
    demand,
    cost,
    capacity,
    *,
    fixed=None,
    overflow_penalty: float = OVERFLOW_PENALTY_M,
) -> tuple[np.ndarray, np.ndarray]:
    """Capacity-constrained transportation LP (HiGHS dual simplex) on explicit arrays.

    Minimise Σ cost·x + penalty·Σ over subject to Σ_s x[v, s] = demand[v] and
    Σ_v x[v, s] ≤ capacity[s] + over[s], x, over ≥ 0. Pairs with a non-finite cost are not allowed.

    Parameters
    ----------
    demand
        Children per origin (n_v).
    cost
        (n_v × n_s) metres per child.
    capacity
        Places per school (n_s).
    fixed
        Optional (n_v × n_s) flows imposed before the LP (they use capacity).
    overflow_penalty
        Cost of one child over capacity (metres).

    Returns
    -------
    flows : numpy.ndarray
        (n_v × n_s) children, fixed flows included.
    over : numpy.ndarray
        Children over capacity per school.
    """
    dem = np.asarray(demand, dtype=float)
    c = np.asarray(cost, dtype=float)
    cap = np.asarray(capacity, dtype=float)
    fx = np.zeros_like(c) if fixed is None else np.asarray(fixed, dtype=float)
    free = dem - fx.sum(axis=1)
    rows, cols = np.nonzero(np.isfinite(c) & (free[:, None] > 0))
    x, over = solve_pairs(free, rows, cols, c[rows, cols], cap - fx.sum(axis=0), penalty=overflow_penalty)
    out = fx.copy()
    np.add.at(out, (rows, cols), x)
    return out, over


def solve_pairs(free, rows, cols, cost, cap_rem, *, penalty: float = OVERFLOW_PENALTY_M) -> tuple[np.ndarray, np.ndarray]:
    """The transportation LP over the allowed pairs only.

    Parameters
    ----------
    free
        Children still to assign per origin (n_v).
    rows, cols, cost
        The allowed pairs: origin row, school column, metres per child.
    cap_rem
        Places left per school (n_s; may be negative when fixed flows over-fill it).
    penalty
        Metres per child over capacity.

    Returns
    -------
    x : numpy.ndarray
        Children of each pair (whole numbers when the inputs are).
    over : numpy.ndarray
        Children over capacity per school.

    Raises
    ------
    DataError
        An origin with children has no allowed pair.
    """
    n_v, n_s, n_p = len(free), len(cap_rem), len(rows)
    act = np.flatnonzero(free > 0)
    if len(act) == 0:
        return np.zeros(n_p), np.maximum(-cap_rem, 0.0)
    row_pos = np.full(n_v, -1)
    row_pos[act] = np.arange(len(act))
    if (np.bincount(rows, minlength=n_v)[act] == 0).any():
        raise DataError("有村居没有可选的学校 (no_candidate)：请检查学校和距离数据")
    a_eq = sparse.csr_array((np.ones(n_p), (row_pos[rows], np.arange(n_p))), shape=(len(act), n_p + n_s))
    a_ub = sparse.csr_array(
        (np.r_[np.ones(n_p), -np.ones(n_s)], (np.r_[cols, np.arange(n_s)], np.r_[np.arange(n_p), n_p + np.arange(n_s)])),
        shape=(n_s, n_p + n_s),
    )
    res = linprog(
        np.r_[cost, np.full(n_s, penalty)], A_ub=a_ub, b_ub=cap_rem, A_eq=a_eq, b_eq=free[act],
        bounds=(0, None), method="highs-ds",
    )
    if res.status != 0:  # pragma: no cover - the overflow variables keep the LP feasible
        raise ScenarioError(f"学位分配求解失败 (solver_failed): {res.message}")
    x = res.x[:n_p]
    xi = np.rint(x)
    if np.abs(x - xi).max(initial=0.0) < 1e-6:  # a vertex of a transportation LP is integral
        x = xi
    return x, np.maximum(res.x[n_p:], 0.0)


# --- the inputs of one stage -------------------------------------------------------------------------


@dataclass
class StageInputs:
    """Everything about one stage that does not depend on a scenario.

    Attributes
    ----------
    stage
        ``"primary"`` or ``"junior"``.
    cap
        Students per class (``class_size_max``).
    walk_m
        Walking limit in metres (:func:`jxedu.analysis.access.walk_limit`).
    vil
        ``village_id, name, township, x, y, lon, lat, demand`` (:func:`jxedu.analysis.access.village_demand`).
    sch
        Existing schools of the stage (:func:`jxedu.analysis.access.stage_schools`) with ``classes``.
    dist
        (villages × schools) metres along the roads; ``None`` = straight line.
    grade_share
        school_id -> shares of the stage's students by grade (班级 table).
    linked
        Sparse (villages × schools): a bus stop within reach of the 村居 has a morning trip to the school.
    """

    stage: str
    cap: int
    walk_m: float
    vil: pd.DataFrame
    sch: pd.DataFrame
    dist: np.ndarray | None
    grade_share: dict
    linked: sparse.csr_array

    @property
    def vxy(self) -> np.ndarray:
        """Village points (UTM 50N metres)."""
        return self.vil[["x", "y"]].to_numpy(dtype=float)

    @property
    def sxy(self) -> np.ndarray:
        """School points (UTM 50N metres)."""
        return self.sch[["x", "y"]].to_numpy(dtype=float)

    def school_distances(self) -> np.ndarray:
        """(villages × existing schools) metres by the context's method."""
        return self.dist if self.dist is not None else _straight(self.vxy, self.sxy)


def stage_capacity(inputs: StageInputs, *, capacity: str = "classes", headroom: float = 1.0) -> np.ndarray:
    """Places of the existing schools of a stage: classes × cap (``"classes"``) or students
    (``"enrolment"``), times ``headroom``."""
    if capacity == "classes":
        cap = inputs.sch["classes"].to_numpy(float) * inputs.cap
    else:
        cap = inputs.sch["students"].to_numpy(float)
    return cap * headroom


# --- the context -------------------------------------------------------------------------------------


class Context:
    """What an assignment of one data set, school year, distance method and settings works on.

    Built by :func:`context` (kept in ``ds.cache``). Attributes: ``ds``, ``assessment``
    (:func:`jxedu.assess`), ``settings``, ``year``, ``graph`` (road graph or ``None``), ``method``
    (``"network"`` or ``"straight"``), ``stats`` (学段统计 of the year), ``stages`` (stage ->
    :class:`StageInputs`), and the bus: ``has_bus``, ``reach_m``, ``stop_ids``, ``stop_xy``, ``links``
    (morning ``stop_id, school_id, route_id``), ``route_ids``.
    """

    def __init__(self, ds, *, year: int, method: str, settings: Settings) -> None:
        self.ds = ds
        self.settings = settings
        self.year = year
        self.assessment: Assessment = assess(ds, year=year, settings=settings)
        ds.require("villages")
        self.graph = self._road_graph(method)
        self.method = "network" if self.graph is not None else "straight"
        ss = ds.stage_stats
        self.stats = ss[ss["year"] == self.year]
        self._bus_setup()
        self.stages: dict[str, StageInputs] = {}
        for st in STAGES:
            schools = self._stage_schools(st)
            if schools is not None:
                self.stages[st] = self._stage(st, schools)
        if not self.stages:
            raise DataError(f"该学年没有义务教育学校 (no_schools): {self.year}学年")
        self.baselines: dict = {}

    def _road_graph(self, method: str):
        ds = self.ds
        if method not in METHODS:
            raise ScenarioError(f"未知的距离方法 (unknown_method): {method}；可用：auto、network、straight")
        if method == "straight":
            return None
        if ds.roads is None or not len(ds.roads):
            if method == "network":
                ds.require("roads")
            return None
        graph = access.road_graph(ds)
        if method == "auto" and len(ds.schools) * graph.n_nodes > NETWORK_MAX_CELLS:
            return None
        return graph

    def _stage_schools(self, stage: str) -> pd.DataFrame | None:
        try:
            return access.stage_schools(self.ds, stage=stage, year=self.year)
        except DataError:
            return None

    # -- bus ------------------------------------------------------------------------------------
    def _bus_setup(self) -> None:
        self.reach_m = float(self.settings.bus_stop_access_m)
        self.stop_ids = np.array([], dtype=object)
        self.stop_xy = np.zeros((0, 2))
        self.links = pd.DataFrame(columns=["stop_id", "school_id", "route_id"])
        self.route_ids: set = set()
        self.has_bus = self.ds.gtfs_path is not None and Path(self.ds.gtfs_path).exists()
        if not self.has_bus:
            return
        a = self.assessment
        stops = a.bus_stops
        self.stop_ids = stops["stop_id"].to_numpy(dtype=object)
        self.stop_xy = stops[["x", "y"]].to_numpy(dtype=float)
        lk = bus.links(self.ds, feed=a.bus_feed, settings=self.settings)
        self.links = lk.loc[lk["morning"], ["stop_id", "school_id", "route_id"]].drop_duplicates()
        self.route_ids = set(a.bus_feed.routes["route_id"].astype(str))

    def linked(self, vxy: np.ndarray, school_ids: np.ndarray) -> sparse.csr_array:
        """Sparse (villages × schools): a stop within reach of the village has a morning trip to the school."""
        n_v, n_s = len(vxy), len(school_ids)
        if not len(self.stop_xy) or self.links.empty:
            return sparse.csr_array((n_v, n_s), dtype=bool)
        col = {s: j for j, s in enumerate(school_ids)}
        stop_pos = {s: i for i, s in enumerate(self.stop_ids)}
        lk = self.links[self.links["school_id"].isin(col)]
        stop_school = sparse.csr_array(
            (np.ones(len(lk)), ([stop_pos[s] for s in lk["stop_id"]], [col[s] for s in lk["school_id"]])),
            shape=(len(self.stop_ids), n_s),
        )
        near = points_within(vxy, self.stop_xy, self.reach_m)
        return ((near @ stop_school) > 0).astype(bool).tocsr()

    # -- one stage ------------------------------------------------------------------------------
    def _stage(self, stage: str, schools: pd.DataFrame) -> StageInputs:
        vil = access.village_demand(self.ds, stage=stage, year=self.year, settings=self.settings)
        vil = pd.DataFrame(vil.drop(columns="geometry")).reset_index(drop=True)
        sch = pd.DataFrame(schools.drop(columns="geometry"))
        classes = self.stats[self.stats["stage"] == stage].groupby("school_id")["classes"].sum()
        sch["classes"] = sch["school_id"].map(classes).fillna(0).astype("int64")
        sch = sch.reset_index(drop=True)
        vxy = vil[["x", "y"]].to_numpy(float)
        sxy = sch[["x", "y"]].to_numpy(float)
        return StageInputs(
            stage=stage,
            cap=int(std.threshold("class_size_max", stage)),
            walk_m=access.walk_limit(stage, settings=self.settings),
            vil=vil,
            sch=sch,
            dist=road_distances(self.graph, vxy, sxy) if self.graph is not None else None,
            grade_share=self._grade_shares(stage),
            linked=self.linked(vxy, sch["school_id"].to_numpy(dtype=object)),
        )

    def _grade_shares(self, stage: str) -> dict:
        """school_id -> shares of the stage's students by grade, from the year's classes."""
        if self.ds.classes is None:
            return {}
        c = self.assessment.class_records
        c = c[c["stage"] == stage]
        g = c.groupby(["school_id", "grade"])["class_pupils"].sum().unstack(fill_value=0)
        g = g.reindex(columns=list(GRADES_OF_STAGE[stage]), fill_value=0)
        g = g[g.sum(axis=1) > 0]
        return {sid: row.to_numpy(dtype=float) / row.sum() for sid, row in g.iterrows()}

    def distances_from(self, points_xy: np.ndarray, vxy: np.ndarray) -> np.ndarray:
        """(villages × points) distances from new points, by the context's method."""
        if self.graph is not None:
            return road_distances(self.graph, vxy, points_xy)
        return _straight(vxy, points_xy)

    def township_at(self, x: float, y: float) -> str | None:
        """镇街 of a point: the nearest 村居's."""
        v = self.ds.villages
        if not len(v):
            return None
        i = int(np.argmin(np.hypot(v["x"].to_numpy(float) - x, v["y"].to_numpy(float) - y)))
        return str(v["township"].iloc[i])


def context(ds, *, year: int | None = None, method: str = "auto", settings: Settings | None = None) -> Context:
    """The :class:`Context` of a data set, school year, distance method and settings (computed once,
    kept in ``ds.cache``).

    Parameters
    ----------
    ds
        The data set (needs 村居; uses 道路, 公交 and 班级 when present).
    year
        School year; ``None`` for the latest.
    method
        ``"auto"`` (roads when present and not too large), ``"network"`` or ``"straight"``.
    settings
        Run settings (walking limits, bus-stop reach, ``stay_preference_m``); ``None`` for the defaults.

    Returns
    -------
    Context
    """
    s = resolve_settings(settings)
    y = ds.year_or_latest(year)
    key = ("planning_context", y, method, repr(s))
    found = ds.cache.get(key)
    if found is None:
        found = ds.cache[key] = Context(ds, year=y, method=method, settings=s)
    return found


# --- assigning one stage ---------------------------------------------------------------------------


def _candidate_pairs(inputs: StageInputs, sxy: np.ndarray, open_mask: np.ndarray, free: np.ndarray):
    """The pairs of the LP: every 村居 with children left × its K nearest open schools."""
    open_idx = np.flatnonzero(open_mask)
    if len(open_idx) == 0:
        raise ScenarioError(f"{LABELS[inputs.stage]}没有开放的学校 (no_open_school)：方案关闭了该学段的全部学校")
    k = min(CANDIDATES_K, len(open_idx))
    act = np.flatnonzero(free > 0)
    _, j = cKDTree(sxy[open_idx]).query(inputs.vxy[act], k=k)
    j = np.asarray(j).reshape(len(act), k)
    return np.repeat(act, k), open_idx[j.reshape(-1)]


def _pair_distances(inputs: StageInputs, sxy: np.ndarray, dist_new: np.ndarray, r: np.ndarray, c: np.ndarray):
    """Metres of pairs (village r, school c): existing schools from the stage's matrix, new ones
    from ``dist_new``."""
    n_old = len(inputs.sch)
    d = np.empty(len(r))
    old = c < n_old
    if inputs.dist is not None:
        d[old] = inputs.dist[r[old], c[old]]
    else:
        d[old] = np.hypot(*(inputs.vxy[r[old]] - sxy[c[old]]).T)
    d[~old] = dist_new[r[~old], c[~old] - n_old]
    return d


def assign_stage(
    inputs: StageInputs,
    sxy: np.ndarray,
    dist_new: np.ndarray,
    open_mask: np.ndarray,
    capacity: np.ndarray,
    fixed: dict,
    *,
    prefer: Assignment | None = None,
    stay_preference_m: float,
) -> Assignment:
    """Assign a stage's children: the LP over each 村居's K nearest open schools, plus fixed flows.

    Parameters
    ----------
    inputs
        The stage (:class:`StageInputs`).
    sxy
        Points of the schools of the scenario (existing first, then new ones), UTM metres.
    dist_new
        (villages × new schools) metres.
    open_mask
        Which schools are open.
    capacity
        Places per school.
    fixed
        ``{(village row, school column): children}`` imposed before the LP (调整划片, merges).
    prefer
        The baseline: a pair outside it costs ``stay_preference_m`` metres more (tie-break).
    stay_preference_m
        Metres per child of that tie-break.

    Returns
    -------
    Assignment

    Raises
    ------
    ScenarioError
        The stage has no open school.
    """
    n_v, n_s = len(inputs.vil), len(sxy)
    demand = inputs.vil["demand"].to_numpy(dtype=float)
    f_rows = np.array([k[0] for k in fixed], dtype=np.int64)
    f_cols = np.array([k[1] for k in fixed], dtype=np.int64)
    f_amt = np.array(list(fixed.values()), dtype=float)
    free = np.maximum(demand - np.bincount(f_rows, weights=f_amt, minlength=n_v), 0.0)
    rows, cols = _candidate_pairs(inputs, sxy, open_mask, free)
    d = _pair_distances(inputs, sxy, dist_new, rows, cols)
    lp_cost = d
    if prefer is not None:  # pairs outside the baseline cost a little more (tie-break)
        lp_cost = d + float(stay_preference_m) * ~pair_known(prefer.r, prefer.c, rows, cols, n_s)
    fixed_load = np.bincount(f_cols, weights=f_amt, minlength=n_s)
    x, over = solve_pairs(free, rows, cols, lp_cost, np.where(open_mask, capacity, 0.0) - fixed_load)
    over = np.where(open_mask | (fixed_load > 0), over, 0.0)
    all_x = np.r_[x, f_amt]
    keep = all_x > 0
    flows = sparse.csr_array((all_x[keep], (np.r_[rows, f_rows][keep], np.r_[cols, f_cols][keep])), shape=(n_v, n_s))
    flows.sum_duplicates()
    flows.eliminate_zeros()
    coo = flows.tocoo()
    fr, fc, fx = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(float)
    fd = _pair_distances(inputs, sxy, dist_new, fr, fc) if len(fr) else np.zeros(0)
    if not np.allclose(np.bincount(fr, weights=fx, minlength=n_v), demand, atol=1e-6):  # never lost
        raise AssertionError("assignment lost children: row sums differ from the demand")
    return Assignment(flows, over, fr, fc, fx, fd, float((fx * fd).sum()))


def baseline_assignment(ctx: Context, stage: str, *, capacity: str = "classes", headroom: float = 1.0) -> Assignment:
    """The assignment of a stage without edits (computed once per capacity rule and headroom).

    Parameters
    ----------
    ctx
        From :func:`context`.
    stage
        ``"primary"`` or ``"junior"`` (a stage of ``ctx.stages``).
    capacity, headroom
        As :func:`stage_capacity`.

    Returns
    -------
    Assignment
    """
    key = (stage, capacity, float(headroom))
    if key not in ctx.baselines:
        inputs = ctx.stages[stage]
        n = len(inputs.sch)
        ctx.baselines[key] = assign_stage(
            inputs, inputs.sxy, np.zeros((len(inputs.vil), 0)), np.ones(n, bool),
            stage_capacity(inputs, capacity=capacity, headroom=float(headroom)), {},
            stay_preference_m=ctx.settings.stay_preference_m)
    return ctx.baselines[key]


def baseline_summary(ctx: Context, *, township: str | None = None, capacity: str = "classes",
                     headroom: float = 1.0) -> pd.DataFrame:
    """Per stage, the capacity-constrained baseline (按学位容量分配) in figures: pupils, mean distance,
    pupils beyond the walking limit, pupils over capacity.

    Parameters
    ----------
    ctx
        From :func:`context`.
    township
        Only the children of this 镇街's 村居 (the assignment stays county-wide).
    capacity, headroom
        As :func:`stage_capacity`.

    Returns
    -------
    pandas.DataFrame
        ``stage, pupils, mean_m, beyond_pupils, beyond_share, over_capacity`` (county: children
        over capacity at any school; a 镇街: NaN, over-capacity is a school's, not a 村居's).
    """
    rows = []
    for st, inputs in ctx.stages.items():
        a = baseline_assignment(ctx, st, capacity=capacity, headroom=headroom)
        keep = np.ones(len(a.r), dtype=bool)
        if township is not None:
            keep = (inputs.vil["township"].astype(str).to_numpy() == township)[a.r]
        x, d = a.x[keep], a.d[keep]
        n = float(x.sum())
        beyond = float(x[d > inputs.walk_m].sum())
        rows.append({"stage": st, "pupils": n, "mean_m": float((x * d).sum() / n) if n > 0 else np.nan,
                     "beyond_pupils": beyond, "beyond_share": beyond / n if n > 0 else np.nan,
                     "over_capacity": float(a.over.sum()) if township is None else np.nan})
    return pd.DataFrame(rows, columns=["stage", "pupils", "mean_m", "beyond_pupils", "beyond_share", "over_capacity"])
