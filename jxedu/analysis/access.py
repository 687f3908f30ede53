"""Access to school: demand by village, nearest and assigned schools, distances, catchments.

Every distance is measured in UTM 50N metres (:data:`jxedu.core.config.UTM50N`): the ``x``/``y``
columns of the ``schools`` and ``villages`` tables, and the road layer projected to the same CRS.

Rules and assumptions (each is a planning assumption the planner can change):

* **Demand** of a 村居 for a stage is the sum of its single-year ages of that stage
  (:attr:`jxedu.core.settings.Settings.stage_ages`: 小学 6–11, 初中 12–14). The 村居 table is one
  population snapshot (the latest count the bureau has); it is used for every school year asked for.
  Children of those ages who attend school elsewhere (private, special, boarding in the city) are
  counted at home: demand is where children live, not where they are enrolled.
* **Schools of a stage** are schools whose type teaches the stage
  (:data:`jxedu.core.schema.STAGES_OF_TYPE`; 教学点 teach 小学) and that have students of that stage in
  the year's 学段统计. A school closed in that year (0 students) does not attract pupils.
* **Assigned school** (就近划片): the nearest school of the stage inside the village's own 镇街. When
  the 镇街 has no school of the stage, the nearest school anywhere (``assigned_outside`` is True).
* **Nearest** uses the road network when one is present (``method="auto"``) and straight lines
  otherwise. Points are snapped to the nearest node of the main connected road component and the
  snap distance is added (a straight walk from the door to the road).
* **Walking limit** per stage (:attr:`jxedu.core.settings.Settings.walk_limit_m`, default 小学 2000 m,
  初中 3000 m): the usual service radius of rural planning practice (小学 服务半径 about 2 km, 初中
  about 3 km). It is a configurable planning assumption, not a national threshold. Pupils beyond it
  need a school bus (公交助学) or boarding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from jxedu.core.config import UTM50N, WGS84
from jxedu.core.errors import DataError, MissingTableError, SettingsError
from jxedu.core.schema import COMPULSORY_STAGES, LABELS, STAGES_OF_TYPE
from jxedu.core.settings import resolve_settings as _settings
from jxedu.core.vocabulary import COUNTY

__all__ = [
    "ACCESS_STAGES",
    "RoadGraph",
    "catchments",
    "distance_summary",
    "nearby_share",
    "nearest_straight",
    "network_nearest",
    "pairs_within",
    "road_graph",
    "stage_schools",
    "summarise",
    "village_access",
    "village_demand",
    "walk_limit",
    "weighted_quantile",
]

#: Stages with a demand definition (compulsory education).
ACCESS_STAGES: tuple[str, ...] = COMPULSORY_STAGES
#: Road vertices closer than this are merged into one graph node.
SNAP_TOLERANCE_M = 1.0  # metres
#: Floor for edge weights, so that a zero-length edge still counts as an edge in scipy.
_MIN_EDGE_M = 1e-6  # metres
#: Buffer around villages and schools used as the catchment extent when no boundary layer exists.
CATCHMENT_HULL_BUFFER_M = 1000.0  # metres
#: Grid of the vertex de-duplication of the road layer.
_VERTEX_GRID_M = 0.01  # metres


def _check_stage(stage: str) -> str:
    if stage not in ACCESS_STAGES:
        raise SettingsError(
            f"未知学段 (unknown_stage): {stage}；可用：{'、'.join(ACCESS_STAGES)}（小学、初中）"
        )
    return stage


def walk_limit(stage: str, *, walk_limit_m: float | None = None, settings=None) -> float:
    """Return the walking limit of a stage in metres (the setting unless overridden).

    Parameters
    ----------
    stage
        ``"primary"`` or ``"junior"``.
    walk_limit_m
        Override in metres.
    settings
        A :class:`jxedu.core.settings.Settings`; default :func:`jxedu.core.settings.get_settings`.

    Returns
    -------
    float
        Metres.
    """
    _check_stage(stage)
    if walk_limit_m is not None:
        value = float(walk_limit_m)
    else:
        limits = _settings(settings).walk_limit_m
        if stage not in limits:
            raise SettingsError(f"步行距离设置缺少学段 (missing_setting): walk_limit_m[{stage}]")
        value = float(limits[stage])
    if not value > 0:
        raise SettingsError(f"步行距离必须为正数 (bad_setting): walk_limit_m = {value}")
    return value


# --- demand and supply ----------------------------------------------------------------------


def village_demand(ds, *, stage: str, year: int | None = None, settings=None) -> gpd.GeoDataFrame:
    """Return the school-age population of one stage per 村居.

    Parameters
    ----------
    ds
        The data set; needs the 村居 table.
    stage
        ``"primary"`` (ages 6–11 by default) or ``"junior"`` (12–14).
    year
        Accepted for symmetry with the other analyses. The 村居 table is a single population snapshot
        and is used as it stands for any year.
    settings
        Settings (``stage_ages``); default :func:`jxedu.core.settings.get_settings`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``village_id, name, township, lon, lat, x, y, demand, geometry`` (WGS-84), one row per 村居.
    """
    _check_stage(stage)
    ds.require("villages")
    if year is not None:
        ds.year_or_latest(year)  # validate the year even though the snapshot does not change
    ages = tuple(_settings(settings).stage_ages[stage])
    v = ds.villages
    cols = [f"age_{a}" for a in ages]
    missing = [c for c in cols if c not in v.columns]
    if missing:
        names = "、".join(f"年龄{c.removeprefix('age_')}" for c in missing)
        raise DataError(f"村居表缺少年龄列 (missing_column): {names}")
    out = v[["village_id", "name", "township", "lon", "lat", "x", "y", "geometry"]].copy()
    out["demand"] = v[cols].fillna(0).sum(axis=1).astype("int64")
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=v.crs or WGS84)
    out.attrs.update(stage=stage, ages=ages)
    return out.reset_index(drop=True)


def stage_schools(ds, *, stage: str, year: int | None = None) -> gpd.GeoDataFrame:
    """Return the schools that teach a stage and have students of it in a year.

    Parameters
    ----------
    ds
        The data set.
    stage
        ``"primary"`` or ``"junior"``.
    year
        School year; latest when ``None``.

    Returns
    -------
    geopandas.GeoDataFrame
        The ``schools`` rows with an extra ``students`` column (students of that stage).

    Raises
    ------
    DataError
        No school of the stage has students in that year.
    """
    _check_stage(stage)
    year = ds.year_or_latest(year)
    types = [t for t, stages in STAGES_OF_TYPE.items() if stage in stages]
    ss = ds.stage_stats
    rows = ss[(ss["year"] == year) & (ss["stage"] == stage)]
    students = rows.groupby("school_id")["students"].sum()
    students = students[students > 0]
    sch = ds.schools
    sel = sch[sch["school_type"].isin(types) & sch["school_id"].isin(students.index)].copy()
    if sel.empty:
        raise DataError(
            f"该学年没有开设此学段的学校 (no_schools): {LABELS.get(stage, stage)}，{year}学年"
        )
    sel["students"] = sel["school_id"].map(students).astype("int64")
    return sel.reset_index(drop=True)


# --- straight-line nearest ------------------------------------------------------------------


def nearest_straight(sources_xy, targets_xy) -> tuple[np.ndarray, np.ndarray]:
    """Nearest source of every target by straight line (``scipy.spatial.cKDTree``).

    Parameters
    ----------
    sources_xy, targets_xy
        Arrays of shape (n, 2) in metres (UTM).

    Returns
    -------
    distance : numpy.ndarray
        Metres to the nearest source, per target.
    index : numpy.ndarray
        Row of the nearest source, per target.
    """
    src = np.asarray(sources_xy, dtype=float).reshape(-1, 2)
    tgt = np.asarray(targets_xy, dtype=float).reshape(-1, 2)
    if len(src) == 0:
        return np.full(len(tgt), np.nan), np.full(len(tgt), -1, dtype=np.int64)
    d, i = cKDTree(src).query(tgt, k=1)
    return np.asarray(d, dtype=float), np.asarray(i, dtype=np.int64)


def pairs_within(a_xy, b_xy, radius_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair (a, b) of points at most ``radius_m`` apart by straight line (``cKDTree``).

    The one home of the "within a radius" search (stops near schools, villages near stops,
    villages near a bus link in scenarios).

    Parameters
    ----------
    a_xy, b_xy
        Arrays of shape (n, 2) in metres (UTM).
    radius_m
        Search radius in metres.

    Returns
    -------
    a_index, b_index : numpy.ndarray
        Rows of the pairs (int64), grouped by ``a`` in row order.
    distance : numpy.ndarray
        Metres between the two points of each pair.
    """
    a = np.asarray(a_xy, dtype=float).reshape(-1, 2)
    b = np.asarray(b_xy, dtype=float).reshape(-1, 2)
    if not len(a) or not len(b):
        empty = np.empty(0, dtype=np.int64)
        return empty, empty.copy(), np.empty(0, dtype=float)
    hits = cKDTree(b).query_ball_point(a, r=radius_m)
    ai = np.repeat(np.arange(len(a), dtype=np.int64), [len(h) for h in hits])
    bi = np.fromiter((j for h in hits for j in h), dtype=np.int64, count=len(ai))
    d = np.hypot(a[ai, 0] - b[bi, 0], a[ai, 1] - b[bi, 1])
    return ai, bi, d


# --- road network ---------------------------------------------------------------------------


@dataclass
class RoadGraph:
    """A road network as a symmetric sparse graph (edge weight = length in metres).

    Attributes
    ----------
    matrix
        ``scipy.sparse.csr_array`` of shape (n, n); both directions of every road segment are stored.
    xy
        Node coordinates, shape (n, 2), UTM metres.
    main
        Boolean mask of the nodes in the largest connected component. Points are snapped to these
        nodes only, so that a stray road fragment does not strand a village.
    """

    matrix: sparse.csr_array
    xy: np.ndarray
    main: np.ndarray

    def __post_init__(self) -> None:
        self._main_idx = np.flatnonzero(self.main)
        self._tree = cKDTree(self.xy[self._main_idx]) if len(self._main_idx) else None

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.xy.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of road segments (each stored in both directions)."""
        return int(self.matrix.nnz // 2)

    def snap(self, xy) -> tuple[np.ndarray, np.ndarray]:
        """Snap points to the nearest node of the main component.

        Parameters
        ----------
        xy
            Points, shape (k, 2), UTM metres.

        Returns
        -------
        node : numpy.ndarray
            Node index per point.
        distance : numpy.ndarray
            Straight distance from the point to that node, metres.
        """
        if self._tree is None:
            raise DataError("道路网络为空 (empty_road_network)：道路图层中没有可用的线段")
        d, i = self._tree.query(np.asarray(xy, dtype=float).reshape(-1, 2), k=1)
        return self._main_idx[np.asarray(i)], np.asarray(d, dtype=float)

    @classmethod
    def from_edges(cls, xy, i, j, length) -> RoadGraph:
        """Build a graph from node coordinates and undirected edges.

        Parameters
        ----------
        xy
            Node coordinates, shape (n, 2), metres.
        i, j
            Node indices of each edge's ends.
        length
            Edge lengths in metres. Parallel edges keep the shortest; self-loops are dropped.

        Returns
        -------
        RoadGraph
        """
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        n = len(xy)
        i = np.asarray(i, dtype=np.int64)
        j = np.asarray(j, dtype=np.int64)
        w = np.maximum(np.asarray(length, dtype=float), _MIN_EDGE_M)
        keep = i != j
        i, j, w = i[keep], j[keep], w[keep]
        a, b = np.minimum(i, j), np.maximum(i, j)
        # keep the shortest of parallel edges: sort by (pair, length), take the first of each pair
        key = a * n + b
        order = np.lexsort((w, key))
        key, a, b, w = key[order], a[order], b[order], w[order]
        first = np.ones(len(key), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        a, b, w = a[first], b[first], w[first]
        rows = np.concatenate([a, b])
        cols = np.concatenate([b, a])
        mat = sparse.csr_array((np.concatenate([w, w]), (rows, cols)), shape=(n, n))
        if n:
            _, labels = csgraph.connected_components(mat, directed=False)
            main = labels == np.bincount(labels).argmax()
        else:
            main = np.zeros(0, dtype=bool)
        return cls(matrix=mat, xy=xy, main=main)


def road_graph(
    ds_or_roads,
    *,
    snap_m: float = SNAP_TOLERANCE_M,
    node_crossings: bool = True,
) -> RoadGraph:
    """Build the road graph from the 道路 layer.

    Lines are projected to UTM 50N; their vertices become nodes (vertices closer than ``snap_m``
    are merged, so digitised ends that almost meet are joined); every segment between consecutive
    vertices is an edge weighted by its length in metres.

    Parameters
    ----------
    ds_or_roads
        A data set with a 道路 layer, or the road GeoDataFrame itself.
    snap_m
        Merge tolerance in metres.
    node_crossings
        Split lines where they cross (``shapely.node``), so crossing roads form a junction even when
        the data has no shared vertex there. Turn off when the layer has bridges or flyovers drawn
        as plain crossings and its junctions are already vertices.

    Returns
    -------
    RoadGraph
    """
    lines = _road_lines(ds_or_roads, node_crossings=node_crossings)
    coords, line_idx = shapely.get_coordinates(lines, return_index=True)
    uxy, node = _merge_vertices(coords, snap_m)
    same_line = line_idx[1:] == line_idx[:-1]
    a = node[:-1][same_line]
    b = node[1:][same_line]
    seg = coords[1:][same_line] - coords[:-1][same_line]
    length = np.hypot(seg[:, 0], seg[:, 1])
    return RoadGraph.from_edges(uxy, a, b, length)


def _road_lines(ds_or_roads, *, node_crossings: bool) -> np.ndarray:
    """The LineStrings of the road layer in UTM 50N (split where they cross with ``node_crossings``)."""
    if isinstance(ds_or_roads, gpd.GeoDataFrame | gpd.GeoSeries):
        roads = ds_or_roads
    else:
        ds_or_roads.require("roads")
        roads = ds_or_roads.roads
    geoms = gpd.GeoSeries(roads.geometry, crs=roads.crs or WGS84).to_crs(UTM50N).to_numpy()
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    lines = shapely.get_parts(geoms)
    lines = lines[shapely.get_type_id(lines) == 1]  # LineStrings only
    if len(lines) == 0:
        raise DataError("道路图层中没有线要素 (empty_road_network)：请检查道路数据")
    if node_crossings:
        lines = shapely.get_parts(shapely.node(shapely.multilinestrings(lines)))
    return lines


def _merge_vertices(coords: np.ndarray, snap_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Graph nodes of the road vertices: unique on a centimetre grid, then merged within ``snap_m``.

    Returns the node coordinates and the node of every vertex.
    """
    keys = np.round(coords / _VERTEX_GRID_M).astype(np.int64)
    keys -= keys.min(axis=0)
    span = keys.max(axis=0).astype(float) + 1
    if span[0] * span[1] < 2.0**62:  # one int64 per grid cell: much faster than unique rows
        flat = keys[:, 0] * int(span[1]) + keys[:, 1]
        _, first, inverse = np.unique(flat, return_index=True, return_inverse=True)
    else:
        _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    uxy = np.round(coords[first] / _VERTEX_GRID_M) * _VERTEX_GRID_M
    if snap_m > 0 and len(uxy) > 1:
        pairs = cKDTree(uxy).query_pairs(r=snap_m, output_type="ndarray")
        if len(pairs):
            m = len(uxy)
            adj = sparse.coo_array(
                (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(m, m)
            ).tocsr()
            _, cluster = csgraph.connected_components(adj, directed=False)
            n_cl = cluster.max() + 1
            cnt = np.bincount(cluster, minlength=n_cl)
            cxy = np.column_stack(
                [np.bincount(cluster, uxy[:, 0], n_cl), np.bincount(cluster, uxy[:, 1], n_cl)]
            ) / cnt[:, None]
            uxy, inverse = cxy, cluster[inverse]
    return uxy, inverse


def network_nearest(graph: RoadGraph, sources_xy, targets_xy) -> tuple[np.ndarray, np.ndarray]:
    """Nearest source of every target along the road network (multi-source Dijkstra).

    Sources and targets are snapped to the nearest node of the main road component; both snap
    distances are added. One ``scipy.sparse.csgraph.dijkstra(..., min_only=True)`` run from all
    sources at once gives, for every node, the distance to its nearest source and which one it is.

    Parameters
    ----------
    graph
        From :func:`road_graph`.
    sources_xy, targets_xy
        Arrays of shape (n, 2), UTM metres.

    Returns
    -------
    distance : numpy.ndarray
        Metres along the roads (plus both snaps) to the nearest source; NaN if unreachable.
    index : numpy.ndarray
        Row of the nearest source, -1 if unreachable.
    """
    src = np.asarray(sources_xy, dtype=float).reshape(-1, 2)
    tgt = np.asarray(targets_xy, dtype=float).reshape(-1, 2)
    if len(src) == 0 or len(tgt) == 0:
        return np.full(len(tgt), np.nan), np.full(len(tgt), -1, dtype=np.int64)
    s_node, s_d = graph.snap(src)
    n, k = graph.n_nodes, len(src)
    # one virtual node per source, joined to its snap node by an edge of the snap length
    base = graph.matrix.tocoo()
    rows = np.concatenate([base.row, n + np.arange(k)])
    cols = np.concatenate([base.col, s_node])
    data = np.concatenate([base.data, np.maximum(s_d, _MIN_EDGE_M)])
    aug = sparse.csr_array((data, (rows, cols)), shape=(n + k, n + k))
    dist, _pred, origin = csgraph.dijkstra(
        aug, directed=True, indices=n + np.arange(k), min_only=True, return_predecessors=True
    )
    t_node, t_d = graph.snap(tgt)
    d = dist[t_node] + t_d
    idx = origin[t_node].astype(np.int64) - n
    bad = ~np.isfinite(d) | (idx < 0)
    d[bad] = np.nan
    idx[bad] = -1
    return d, idx


# --- per-village access ---------------------------------------------------------------------


def _xy(frame) -> np.ndarray:
    return frame[["x", "y"]].to_numpy(dtype=float)


def village_access(
    ds,
    *,
    stage: str = "primary",
    year: int | None = None,
    method: str = "auto",
    walk_limit_m: float | None = None,
    graph: RoadGraph | None = None,
    settings=None,
) -> gpd.GeoDataFrame:
    """Nearest and assigned school of every 村居 for one stage, with distances.

    Parameters
    ----------
    ds
        The data set (needs 村居; uses 道路 when present).
    stage
        ``"primary"`` or ``"junior"``.
    year
        School year that decides which schools are open; latest when ``None``.
    method
        ``"auto"`` (roads when the data set has a road layer, else straight lines), ``"network"``
        (roads; error without a road layer) or ``"straight"``.
    walk_limit_m
        Walking limit in metres; the stage's setting when ``None``.
    graph
        A prebuilt :class:`RoadGraph` (saves building it again).
    settings
        Settings; default :func:`jxedu.core.settings.get_settings`.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per 村居 (WGS-84 points) with

        * ``village_id, name, township, lon, lat, x, y, demand``;
        * ``nearest_school_id, nearest_school_name, nearest_m``: nearest school by straight line;
        * ``network_nearest_school_id, network_nearest_m``: nearest school along the roads
          (None/NaN without a network);
        * ``assigned_school_id, assigned_school_name``: the 就近划片 school — nearest of the stage in
          the village's own 镇街 (along the roads when the network is used), else nearest anywhere;
          ``assigned_outside`` is True in that case;
        * ``assigned_m`` (straight line to the assigned school), ``network_assigned_m`` (along the
          roads; NaN without a network);
        * ``distance_m``: the distance used (network when available, else straight line);
        * ``is_nearest``: the assigned school is also the nearest school (same method);
        * ``walk_limit_m``, ``beyond_walk`` (``distance_m`` > the limit).

        ``attrs`` holds ``stage``, ``year``, ``method`` (``"network"`` or ``"straight"``) and
        ``walk_limit_m``.
    """
    if method not in ("auto", "network", "straight"):
        raise SettingsError(f"未知的距离方法 (unknown_method): {method}；可用：auto、network、straight")
    settings = _settings(settings)
    limit = walk_limit(stage, walk_limit_m=walk_limit_m, settings=settings)
    year = ds.year_or_latest(year)
    vil = village_demand(ds, stage=stage, year=year, settings=settings)
    sch = stage_schools(ds, stage=stage, year=year)
    graph = _distance_graph(ds, method, graph)
    find = _Nearest(graph, _xy(sch), _xy(vil))
    straight_d, straight_row = nearest_straight(find.sxy, find.vxy)
    near_d, near_row = find.among(np.arange(len(sch)), np.arange(len(vil)))
    assigned_row, assigned_d, outside = _assign_in_township(
        find, vil["township"].to_numpy(dtype=object), sch["township"].to_numpy(dtype=object), near_row, near_d
    )
    out = vil.copy()
    _put_school(out, "nearest", sch, straight_row)
    out["nearest_m"] = straight_d
    out["network_nearest_school_id"] = _school_ids(sch, near_row) if graph is not None else None
    out["network_nearest_m"] = near_d if graph is not None else np.nan
    _put_school(out, "assigned", sch, assigned_row)
    out["assigned_outside"] = outside
    diff = find.vxy - find.sxy[np.maximum(assigned_row, 0)]
    out["assigned_m"] = np.where(assigned_row >= 0, np.hypot(diff[:, 0], diff[:, 1]), np.nan)
    out["network_assigned_m"] = assigned_d if graph is not None else np.nan
    # unreachable along the roads: fall back to the straight line for that village
    network = np.where(np.isfinite(assigned_d), assigned_d, out["assigned_m"].to_numpy())
    out["distance_m"] = network if graph is not None else out["assigned_m"]
    out["is_nearest"] = assigned_row == near_row
    out["walk_limit_m"] = limit
    out["beyond_walk"] = out["distance_m"].to_numpy() > limit
    for col in ("nearest_school_id", "nearest_school_name", "network_nearest_school_id",
                "assigned_school_id", "assigned_school_name"):
        out[col] = out[col].astype(object)
    out.attrs.update(
        stage=stage, year=year, method="network" if graph is not None else "straight", walk_limit_m=limit
    )
    return out


def _distance_graph(ds, method: str, graph: RoadGraph | None) -> RoadGraph | None:
    """The road graph distances are measured on, or ``None`` for straight lines."""
    if method == "straight":
        return None
    if graph is not None:
        return graph
    has_roads = ds.roads is not None and len(ds.roads) > 0
    if method == "network" and not has_roads:
        raise MissingTableError("此分析需要的表缺失 (missing_table): 道路；请在数据中补充后重试。")
    return road_graph(ds) if has_roads else None


class _Nearest:
    """Nearest school among some schools for some villages, along the roads or by straight line."""

    def __init__(self, graph: RoadGraph | None, sxy: np.ndarray, vxy: np.ndarray) -> None:
        self.graph, self.sxy, self.vxy = graph, sxy, vxy

    def among(self, school_rows: np.ndarray, village_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(metres, school row or -1) for each of ``village_rows`` among ``school_rows``."""
        if self.graph is not None:
            d, k = network_nearest(self.graph, self.sxy[school_rows], self.vxy[village_rows])
        else:
            d, k = nearest_straight(self.sxy[school_rows], self.vxy[village_rows])
        return d, np.where(k >= 0, school_rows[np.maximum(k, 0)], -1)


def _assign_in_township(find: _Nearest, village_towns: np.ndarray, school_towns: np.ndarray,
                        near_row: np.ndarray, near_d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """就近划片: the nearest school of the village's own 镇街; the nearest anywhere when it has none.

    Returns the school row, the distance and whether the school lies outside the 镇街, per village.
    """
    row, dist = near_row.copy(), near_d.copy()
    outside = np.ones(len(village_towns), dtype=bool)
    for town in pd.unique(village_towns):
        v_idx = np.flatnonzero(village_towns == town)
        s_idx = np.flatnonzero(school_towns == town)
        if len(s_idx) == 0:
            continue
        d, rows = find.among(s_idx, v_idx)
        ok = rows >= 0
        row[v_idx[ok]], dist[v_idx[ok]], outside[v_idx[ok]] = rows[ok], d[ok], False
    return row, dist, outside


def _school_ids(sch: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    return np.where(rows >= 0, sch["school_id"].to_numpy(dtype=object)[np.maximum(rows, 0)], None)


def _put_school(out: pd.DataFrame, prefix: str, sch: pd.DataFrame, rows: np.ndarray) -> None:
    """``{prefix}_school_id`` and ``{prefix}_school_name`` of the school rows (None for -1)."""
    out[f"{prefix}_school_id"] = _school_ids(sch, rows)
    out[f"{prefix}_school_name"] = np.where(rows >= 0, sch["name"].to_numpy(dtype=object)[np.maximum(rows, 0)], None)


# --- summaries ------------------------------------------------------------------------------


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Smallest value v with at least a share ``q`` of the weight at values ≤ v (NaN without weight).

    Parameters
    ----------
    values
        Values (NaN ignored).
    weights
        Weight of each value (e.g. pupils of a 村居); non-positive weights are ignored.
    q
        Share 0–1 (0.5 for the weighted median).

    Returns
    -------
    float
    """
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    m = np.isfinite(values) & (weights > 0)
    v, w = values[m], weights[m]
    if w.sum() <= 0:
        return float("nan")
    order = np.argsort(v, kind="stable")
    v, cw = v[order], np.cumsum(w[order])
    k = int(np.searchsorted(cw, q * cw[-1] - 1e-9, side="left"))
    return float(v[min(k, len(v) - 1)])


def summarise(frame: pd.DataFrame, row: Callable[[pd.DataFrame], dict], *, by: str | None = "township"
              ) -> pd.DataFrame:
    """One row per group of a per-村居 frame (镇街 sorted 街道 first) and a last county row.

    The county row's ``township`` is :data:`jxedu.core.vocabulary.COUNTY`. A frame of a single group
    (one 镇街) gets no county row, which would only repeat it.

    Parameters
    ----------
    frame
        One row per 村居 (:func:`village_access`, :func:`jxedu.analysis.bus.coverage`).
    row
        Figures of one group: a function of the group's rows returning a dict.
    by
        Grouping column; ``None`` gives the county row only.

    Returns
    -------
    pandas.DataFrame
    """
    rows = []
    if by is not None:
        for key, g in frame.groupby(by, sort=False):
            rows.append({by: key, **row(g)})
    key = by or "township"
    if len(rows) != 1:
        rows.append({key: COUNTY, **row(frame)})
    out = pd.DataFrame(rows)
    if by == "township" and len(out):
        groups = [n for n in out[key] if n != COUNTY]
        order = sorted(groups, key=lambda n: (not str(n).endswith("街道"), str(n)))
        order += [COUNTY] if len(out) > len(groups) else []
        out = out.set_index(key).loc[order].reset_index()
    return out


def _distance_row(g: pd.DataFrame) -> dict:
    d = g["distance_m"].to_numpy(dtype=float)
    w = g["demand"].to_numpy(dtype=float)
    total = w.sum()
    beyond = float(w[g["beyond_walk"].to_numpy(dtype=bool)].sum())
    pos = w > 0
    return {
        "villages": len(g),
        "pupils": int(total),
        "mean_m": float((d * w).sum() / total) if total > 0 else float("nan"),
        "median_m": weighted_quantile(d, w, 0.5),
        "p90_m": weighted_quantile(d, w, 0.9),
        "max_m": float(d[pos].max()) if pos.any() else float("nan"),
        "beyond_pupils": int(beyond),
        "beyond_share": beyond / total if total > 0 else float("nan"),
    }


def distance_summary(access_gdf: pd.DataFrame, *, by: str | None = "township") -> pd.DataFrame:
    """Distance to the assigned school per 镇街 (and the county), weighted by pupils.

    Parameters
    ----------
    access_gdf
        From :func:`village_access`.
    by
        Grouping column (``"township"``); ``None`` gives the county row only.

    Returns
    -------
    pandas.DataFrame
        ``township, villages, pupils, mean_m, median_m, p90_m, max_m, beyond_pupils, beyond_share``
        and a last county row (omitted when there is only one 镇街). Mean and quantiles are
        weighted by pupils (a 村居 of 80 children counts 80 times); the weighted median is the
        smallest distance within which at least half of the pupils live (likewise p90). ``max_m``
        is the farthest 村居 with at least one pupil. Metres; ``beyond_share`` is a fraction (0–1).
    """
    out = summarise(access_gdf, _distance_row, by=by)
    out.attrs.update(access_gdf.attrs)
    return out


def _nearby_row(g: pd.DataFrame) -> dict:
    w = g["demand"].to_numpy(dtype=float)
    near = float(w[g["is_nearest"].to_numpy(dtype=bool)].sum())
    total = w.sum()
    return {
        "villages": len(g),
        "pupils": int(total),
        "nearest_pupils": int(near),
        "nearby_share": near / total if total > 0 else float("nan"),
    }


def nearby_share(access_gdf: pd.DataFrame, *, by: str | None = "township") -> pd.DataFrame:
    """Share of pupils whose assigned school is also their nearest school (就近入学 share).

    The data hold where children live, not which school each child attends, so this is the share of
    pupils for whom the 镇街 划片 rule sends them to the nearest school of the stage (by the same
    distance method). It measures how well the 划片 follows proximity; the national item 13 counts
    actual enrolment in urban and town day schools, which needs enrolment records.

    The nearest school is sought in the whole county: near a 镇街 border it may lie in the next 镇街,
    so the share of a 镇街 is the row of the county-wide result, never one computed on the 镇街 alone.

    Parameters
    ----------
    access_gdf
        From :func:`village_access` (the whole county).
    by
        Grouping column; ``None`` gives the county row only.

    Returns
    -------
    pandas.DataFrame
        ``township, villages, pupils, nearest_pupils, nearby_share`` (fraction 0–1) and a county row.
    """
    out = summarise(access_gdf, _nearby_row, by=by)
    out.attrs.update(access_gdf.attrs)
    return out


# --- catchments -----------------------------------------------------------------------------


def _extent_utm(ds, points_xy: np.ndarray):
    """Polygons (UTM) to clip catchments: per 镇街 when a boundary layer exists, and the whole
    extent (the boundary union, or the points' hull with a margin)."""
    if ds.townships is not None and len(ds.townships):
        tw = ds.townships.to_crs(UTM50N)
        per_town = tw.dissolve(by="township")["geometry"]
        whole = shapely.union_all(per_town.to_numpy())
        return dict(per_town.items()), whole
    hull = shapely.convex_hull(shapely.multipoints(points_xy)).buffer(CATCHMENT_HULL_BUFFER_M)
    return {}, hull


def _voronoi_cells(xy: np.ndarray, extent) -> np.ndarray:
    """Voronoi cell of every point, clipped to ``extent`` (coincident points share a cell)."""
    uniq, inv = np.unique(np.round(xy, 3), axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    if len(uniq) == 1:
        cells = np.array([extent], dtype=object)
    else:
        env = shapely.box(*shapely.bounds(extent)).buffer(10_000.0)
        vor = shapely.voronoi_polygons(shapely.multipoints(uniq), extend_to=env, ordered=True)
        cells = shapely.intersection(shapely.get_parts(vor), extent)
    return cells[inv]


def catchments(
    ds,
    *,
    stage: str = "primary",
    year: int | None = None,
    access: gpd.GeoDataFrame | None = None,
    method: str = "auto",
    settings=None,
) -> gpd.GeoDataFrame:
    """Service areas of the schools of a stage.

    Each 村居 gets its Voronoi cell among the 村居 of its own 镇街, clipped to that 镇街 (the land of
    the 镇街 closer to it than to any other 村居 of the 镇街), so the cells tile every 镇街; the cells
    are then merged by assigned school. Without a 镇街 boundary layer all 村居 share one Voronoi
    diagram clipped to the hull of villages and schools with a 1 km margin.

    Parameters
    ----------
    ds
        The data set.
    stage, year, method, settings
        As :func:`village_access`.
    access
        A :func:`village_access` result to reuse.

    Returns
    -------
    geopandas.GeoDataFrame
        ``school_id, name, school_type, township, pupils, villages, area_km2, geometry`` (WGS-84
        polygons), one row per school that is assigned at least one 村居.
    """
    if access is None:
        access = village_access(ds, stage=stage, year=year, method=method, settings=settings)
    cols = ["school_id", "name", "school_type", "township", "pupils", "villages", "area_km2"]
    acc = access[access["assigned_school_id"].notna()].reset_index(drop=True)
    if acc.empty:
        return gpd.GeoDataFrame(columns=[*cols, "geometry"], geometry="geometry", crs=WGS84)
    cells = _village_cells(ds, acc)
    out = _merge_cells(ds, acc, cells)[[*cols, "geometry"]]
    out.attrs.update(access.attrs)
    return out


def _village_cells(ds, acc: pd.DataFrame) -> np.ndarray:
    """The Voronoi cell (UTM) of every 村居 among those of its 镇街, clipped to the 镇街.

    The cells tile every 镇街 exactly; villages of a 镇街 missing from the boundary layer share the
    rest of the extent.
    """
    vxy = _xy(acc)
    sxy = ds.schools.set_index("school_id").loc[acc["assigned_school_id"].unique(), ["x", "y"]].to_numpy(float)
    per_town, whole = _extent_utm(ds, np.vstack([vxy, sxy]))
    towns = acc["township"].to_numpy(dtype=object)
    cells = np.empty(len(acc), dtype=object)
    known = np.array([t in per_town for t in towns], dtype=bool)
    for town in pd.unique(towns[known]):
        idx = np.flatnonzero(towns == town)
        cells[idx] = _voronoi_cells(vxy[idx], per_town[town])
    if (~known).any():
        rest = whole
        if per_town:
            rest = shapely.difference(whole, shapely.union_all([per_town[t] for t in pd.unique(towns[known])]))
            if shapely.is_empty(rest):
                rest = whole
        idx = np.flatnonzero(~known)
        cells[idx] = _voronoi_cells(vxy[idx], rest)
    return cells


def _merge_cells(ds, acc: pd.DataFrame, cells: np.ndarray) -> gpd.GeoDataFrame:
    """The cells merged by assigned school, with its pupils, villages, area and school attributes."""
    frame = gpd.GeoDataFrame(
        {"school_id": acc["assigned_school_id"].to_numpy(), "demand": acc["demand"].to_numpy()},
        geometry=cells,
        crs=UTM50N,
    )
    groups = frame.groupby("school_id", sort=True)
    geoms = groups["geometry"].agg(lambda s: shapely.union_all(s.to_numpy()))
    res = pd.DataFrame(
        {
            "school_id": geoms.index,
            "pupils": groups["demand"].sum().reindex(geoms.index).to_numpy().astype("int64"),
            "villages": groups.size().reindex(geoms.index).to_numpy().astype("int64"),
        }
    )
    info = ds.schools.set_index("school_id").loc[res["school_id"], ["name", "school_type", "township"]]
    res[["name", "school_type", "township"]] = info.to_numpy()
    gs = gpd.GeoSeries(geoms.to_numpy(), crs=UTM50N)
    res["area_km2"] = gs.area.to_numpy() / 1e6
    return gpd.GeoDataFrame(res, geometry=gs.to_crs(WGS84).to_numpy(), crs=WGS84)
